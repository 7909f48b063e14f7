"""Decide what to redact: findings and manual regions become a plan, each region with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from anonymize.errors import InputError
from anonymize.image.load import LoadedImage
from anonymize.image.regions import Region


@dataclass(frozen=True)
class RegionRequest:
    """A region someone or something asked to redact, and why."""

    region: Region
    reason: str
    source: str  # who asked: "command line", a story file, a detector name


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
        return {
            "index": self.index,
            "shape": self.request.region.shape,
            "box": [x0, y0, x1 - x0, y1 - y0],
            "requested": list(self.request.region.box),
            "clipped": self.clipped,
            "reason": self.request.reason,
            "source": self.request.source,
        }


@dataclass(frozen=True)
class RedactionPlan:
    """Every region to redact in one picture, numbered from 1 in the order they were asked for."""

    regions: tuple[PlannedRegion, ...]


def plan_redactions(image: LoadedImage, requests: Sequence[RegionRequest]) -> RedactionPlan:
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
