"""Decide what to redact: findings and manual regions become a plan, each region with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from anonymize.config import Style
from anonymize.errors import InputError
from anonymize.image.load import ImageInfo, LoadedImage
from anonymize.image.regions import Polygon, Region, covered_within


@dataclass(frozen=True)
class RegionRequest:
    """A region someone or something asked to redact, and why."""

    region: Region
    reason: str
    source: str  # who asked: "command line", a story file, a detector name
    #: A redaction style this region always gets, whatever the picture's (text: always opaque).
    style: Style | None = None


@dataclass(frozen=True)
class PlannedRegion:
    """A region that will be redacted, clipped to the picture."""

    index: int
    request: RegionRequest
    bounds: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the picture

    def mask(self) -> np.ndarray:
        """The covered pixels inside ``bounds``: what is redacted, and what verification checks."""
        return self.request.region.mask_within(self.bounds)

    @property
    def clipped(self) -> bool:
        r = self.request.region
        return self.bounds != (r.x, r.y, r.x + r.width, r.y + r.height)

    def to_dict(self) -> dict[str, object]:
        x0, y0, x1, y1 = self.bounds
        region = self.request.region
        points = (
            # Exact: the approval of a drawn polygon binds to its points as the report states them.
            {"points": [[x, y] for x, y in region.points]} if isinstance(region, Polygon) else {}
        )
        return {
            "index": self.index,
            "shape": region.shape,
            "box": [x0, y0, x1 - x0, y1 - y0],
            "requested": list(region.box),
            **points,
            "clipped": self.clipped,
            "reason": self.request.reason,
            "source": self.request.source,
        }


@dataclass(frozen=True)
class RedactionPlan:
    """Every region to redact in one picture, numbered from 1 in the order they were asked for."""

    regions: tuple[PlannedRegion, ...]

    def covered(self, region: Region, width: int, height: int) -> float:
        """Share of a region's pixels (its part inside a ``width`` x ``height`` picture) that the
        plan redacts; 1.0 for a region with no pixel inside the picture."""
        masked = region.mask_in(width, height)
        if masked is None or not masked[1].any():
            return 1.0
        window, own = masked
        mask = covered_within((planned.request.region for planned in self.regions), window)
        return float(mask[own].mean())


def plan_redactions(image: LoadedImage | ImageInfo, requests: Sequence[RegionRequest]) -> RedactionPlan:
    """Clip every requested region to the picture; a region wholly outside it is an error.

    A region that misses the picture entirely is almost always a coordinate mistake (often
    coordinates of the sideways stored pixels rather than the upright picture), so it stops
    the photo rather than leaving what it was meant to cover in view.
    """
    width, height = image.size
    planned = []
    for index, request in enumerate(requests, start=1):
        bounds = request.region.bounds_in(width, height)
        if bounds is None:
            raise InputError(
                image.path,
                f"region {index} ({request.region.describe()}) lies outside the upright {width}x{height} picture",
            )
        planned.append(PlannedRegion(index, request, bounds))
    return RedactionPlan(tuple(planned))
