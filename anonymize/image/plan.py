"""Decide what to redact: findings and manual regions become a plan, each region with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from anonymize.config import Style
from anonymize.errors import InputError
from anonymize.image.detect.faces import Face, FaceSearch
from anonymize.image.detect.text import TextLine, TextSearch
from anonymize.image.load import ImageInfo, LoadedImage
from anonymize.image.reasons import FACE, POSSIBLE_FACE, POSSIBLE_TEXT, TEXT
from anonymize.image.regions import Bounds, Box, Polygon, Region, covered_within, edge_distance, edge_tolerance

#: A detection is overruled by a keep when this share of its region lies inside the kept box (or
#: when its box is the kept one): what a person kept is not searched again.
KEPT_INSIDE = 0.5


@dataclass(frozen=True)
class RegionRequest:
    """A region someone or something asked to redact, and why."""

    region: Region
    reason: str
    source: str  # who asked: "command line", a story file, a detector name
    #: A redaction style this region always gets, whatever the picture's (text: always opaque).
    style: Style | None = None


@dataclass(frozen=True)
class KeepRequest:
    """A person's word that a detected region is not a face or not text: left as photographed.

    ``box`` is the region's box as the report shows it (x, y, width, height, clipped to the
    picture); it matches a detection whose box lies in the same place (``edge_distance``).
    """

    box: Bounds  # x, y, width, height
    reason: str
    source: str  # where a person said so: "photos[0].keep[1]" of a story, "--keep 10,20,30,40"

    @property
    def bounds(self) -> Bounds:
        x, y, width, height = self.box
        return x, y, x + width, y + height

    def to_dict(self) -> dict[str, object]:
        return {"box": list(self.box), "reason": self.reason, "source": self.source}


@dataclass(frozen=True)
class Overruled:
    """A detection a keep left as photographed."""

    reason: str  # the detector's: face, possible face, text, possible text
    source: str  # the detector and its score
    bounds: Bounds

    def to_dict(self) -> dict[str, object]:
        x0, y0, x1, y1 = self.bounds
        return {"reason": self.reason, "source": self.source, "box": [x0, y0, x1 - x0, y1 - y0]}


class Keeper:
    """Holds a picture's keeps and the detections they overrule, in every search of the picture.

    A detection is overruled when its box is a kept one, or when ``KEPT_INSIDE`` of it lies in a
    kept box; a keep that overrules nothing was written for a detection that is no longer made.
    """

    def __init__(self, keep: Sequence[KeepRequest], size: tuple[int, int]) -> None:
        self.keep = tuple(keep)
        self.size = size
        self._tolerance = edge_tolerance(size)
        self._matched: set[int] = set()
        self._overruled: dict[int, dict[tuple[str, Bounds], Overruled]] = {i: {} for i in range(len(self.keep))}
        width, height = size
        for request in self.keep:
            x, y, w, h = request.box
            if w < 1 or h < 1 or Box(x, y, w, h).bounds_in(width, height) is None:
                raise InputError(
                    None, f"{request.source}: box {list(request.box)} lies outside the upright {width}x{height} picture"
                )

    def overrules(self, request: RegionRequest) -> bool:
        """Whether a detector's ``request`` is kept as photographed (and if so, record it)."""
        if not self.keep:
            return False
        masked = request.region.mask_in(*self.size)
        if masked is None or not masked[1].any():
            return False
        bounds, own = masked  # the clipped bounds: the box the report shows
        overruled = Overruled(request.reason, request.source, bounds)
        for i, keep in enumerate(self.keep):
            if edge_distance(bounds, keep.bounds, self._tolerance) is not None:
                self._matched.add(i)
                self._overruled[i][(request.reason, bounds)] = overruled
                return True
        for i, keep in enumerate(self.keep):
            if covered_within([Box(*keep.box)], bounds)[own].mean() >= KEPT_INSIDE:
                self._overruled[i][(request.reason, bounds)] = overruled
                return True
        return False

    def unmatched(self) -> list[KeepRequest]:
        """The keeps whose box is no detection's."""
        return [keep for i, keep in enumerate(self.keep) if i not in self._matched]

    def kept(self) -> tuple[KeptRegion, ...]:
        return tuple(KeptRegion(keep, tuple(self._overruled[i].values())) for i, keep in enumerate(self.keep))


@dataclass(frozen=True)
class KeptRegion:
    """A keep and the detections it overruled, as the report shows them."""

    request: KeepRequest
    overruled: tuple[Overruled, ...]

    def to_dict(self) -> dict[str, object]:
        return {**self.request.to_dict(), "overruled": [o.to_dict() for o in self.overruled]}


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


def face_request(face: Face) -> RegionRequest:
    """A head-sized region for a face; one no detector was sure of is marked for review."""
    best: dict[str, float] = {}
    for d in face.detections:
        best[d.detector] = max(best.get(d.detector, 0.0), d.score)
    scores = ", ".join(f"{name} {score:.2f}" for name, score in sorted(best.items(), key=lambda i: -i[1]))
    return RegionRequest(face.head(), FACE if face.sure else POSSIBLE_FACE, f"detector: {scores}")


def text_request(line: TextLine) -> RegionRequest:
    """An opaque region for a line of text, whatever the picture's style; an unsure line marked for review."""
    return RegionRequest(
        line.polygon(), TEXT if line.sure else POSSIBLE_TEXT, f"detector: ppocr-det {line.score:.2f}", Style.SOLID
    )


def face_requests(faces: FaceSearch) -> list[RegionRequest]:
    return [face_request(face) for face in faces.faces]


def text_requests(text: TextSearch | None) -> list[RegionRequest]:
    return [] if text is None else [text_request(line) for line in text.lines]
