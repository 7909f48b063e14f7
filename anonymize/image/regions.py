"""Region shapes in upright-pixel coordinates, and the hard-edged masks they cover.

A pixel is covered when its centre lies inside the shape; for a polygon, by the even-odd rule,
an edge owning the row centres from its upper end up to but not including its lower end.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class Region(ABC):
    """A shape given by its bounding box: ``x, y`` top-left, ``width`` and ``height`` in pixels."""

    shape: ClassVar[str]

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"a {self.shape} needs a positive width and height, got {self.width}x{self.height}")

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.width, self.height

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """The bounding box as x0, y0, x1, y1, unclipped."""
        return self.x, self.y, self.x + self.width, self.y + self.height

    def bounds_in(self, width: int, height: int) -> tuple[int, int, int, int] | None:
        """The part of the bounding box inside a ``width`` x ``height`` picture, as x0, y0, x1, y1."""
        x0, y0 = max(self.x, 0), max(self.y, 0)
        x1, y1 = min(self.x + self.width, width), min(self.y + self.height, height)
        if x0 >= x1 or y0 >= y1:
            return None
        return x0, y0, x1, y1

    def mask_in(self, width: int, height: int) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
        """The clipped bounds and a boolean mask of the covered pixels within them (hard edges)."""
        bounds = self.bounds_in(width, height)
        return None if bounds is None else (bounds, self.mask_within(bounds))

    def mask_within(self, bounds: tuple[int, int, int, int]) -> np.ndarray:
        """A boolean mask of the covered pixels inside ``bounds`` (x0, y0, x1, y1), hard-edged."""
        x0, y0, x1, y1 = bounds
        # Pixel centres, relative to the shape's own box, of the clipped part only.
        cols = np.arange(x0, x1, dtype=np.float64) - self.x + 0.5
        rows = np.arange(y0, y1, dtype=np.float64) - self.y + 0.5
        return self._covers(cols[None, :], rows[:, None])

    @abstractmethod
    def _covers(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Whether pixel centres (broadcast ``cols`` x ``rows``, box-relative) lie inside."""

    def describe(self) -> str:
        return f"{self.shape} {self.x},{self.y},{self.width},{self.height}"


def covered_within(regions: Iterable[Region], window: tuple[int, int, int, int]) -> np.ndarray:
    """A boolean mask of the pixels of ``window`` (x0, y0, x1, y1) that any of ``regions`` covers;
    each region's mask is made for its overlap with the window only."""
    x0, y0, x1, y1 = window
    mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    for region in regions:
        ix0, iy0 = max(region.x, x0), max(region.y, y0)
        ix1, iy1 = min(region.x + region.width, x1), min(region.y + region.height, y1)
        if ix0 < ix1 and iy0 < iy1:
            mask[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] |= region.mask_within((ix0, iy0, ix1, iy1))
    return mask


#: Two regions lie in the same place when every edge of one is near the other's: within this share
#: of the picture's longer side, or of the other region's own longer side, or ``EDGE_TOLERANCE_MIN``
#: pixels, whichever is most. A region that moves by less is not something a person would see in
#: the report (where a picture is about 1000 pixels wide), nor what a processor or library release
#: changes by.
EDGE_TOLERANCE = 0.005
EDGE_TOLERANCE_OF_REGION = 0.05
EDGE_TOLERANCE_MIN = 3

Bounds = tuple[int, int, int, int]


def edge_tolerance(size: tuple[int, int]) -> float:
    """How far, in pixels, an edge may lie from where it was in a ``size`` picture and be the same."""
    return max(EDGE_TOLERANCE_MIN, EDGE_TOLERANCE * max(size))


def edge_distance(bounds: Bounds, other: Bounds, tolerance: float) -> int | None:
    """The largest distance between the edges of two regions' bounds (x0, y0, x1, y1), or None when
    they do not lie in the same place (an edge beyond ``tolerance`` or a share of ``other``'s side)."""
    distance = max(abs(a - b) for a, b in zip(bounds, other, strict=True))
    side = max(other[2] - other[0], other[3] - other[1])
    return distance if distance <= max(tolerance, EDGE_TOLERANCE_OF_REGION * side) else None


@dataclass(frozen=True)
class Box(Region):
    """A rectangle: every pixel of the bounding box."""

    shape = "box"

    def _covers(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.ones((rows.shape[0], cols.shape[1]), dtype=bool)


@dataclass(frozen=True)
class Ellipse(Region):
    """An axis-aligned ellipse inscribed in the bounding box: pixels whose centre lies inside."""

    shape = "ellipse"

    def _covers(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        rx, ry = self.width / 2, self.height / 2
        return ((cols - rx) / rx) ** 2 + ((rows - ry) / ry) ** 2 <= 1.0


Point = tuple[float, float]


@dataclass(frozen=True)
class Polygon(Region):
    """A simple or self-crossing polygon through ``points`` (even-odd rule); its bounding box is
    the smallest whole-pixel box around them. Make one with ``Polygon.through(points)``."""

    shape = "polygon"

    points: tuple[Point, ...] = field(default=())

    @classmethod
    def through(cls, points: Sequence[Sequence[float]]) -> Polygon:
        if len(points) < 3:
            raise ValueError(f"a polygon needs at least 3 points, got {len(points)}")
        pts = tuple((float(p[0]), float(p[1])) for p in points)
        if not all(math.isfinite(v) for p in pts for v in p):
            raise ValueError("polygon points must be finite numbers")
        x0, y0 = math.floor(min(p[0] for p in pts)), math.floor(min(p[1] for p in pts))
        x1, y1 = math.ceil(max(p[0] for p in pts)), math.ceil(max(p[1] for p in pts))
        return cls(x0, y0, max(x1 - x0, 1), max(y1 - y0, 1), pts)

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.points) < 3:
            raise ValueError(f"a polygon needs at least 3 points, got {len(self.points)}")
        if self.area == 0:
            raise ValueError("a polygon needs an area: its points lie on one line")

    @property
    def area(self) -> float:
        """The enclosed area by the shoelace formula (of a simple polygon)."""
        xs, ys = np.array(self.points, dtype=np.float64).T
        return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2)

    def _covers(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        # A scanline fill: where each edge crosses each row's centre line, then a running parity
        # along the row (memory of one row-sized array, however many edges there are).
        xs, ys = cols[0], rows[:, 0]
        pts = np.array(self.points, dtype=np.float64) - (self.x, self.y)
        ax, ay = pts[:, 0], pts[:, 1]
        bx, by = np.roll(ax, -1), np.roll(ay, -1)
        crosses = (ay[None, :] <= ys[:, None]) != (by[None, :] <= ys[:, None])
        row, edge = np.nonzero(crosses)
        at = ax[edge] + (ys[row] - ay[edge]) * (bx[edge] - ax[edge]) / (by[edge] - ay[edge])
        # The first pixel whose centre lies right of the crossing flips the parity.
        first = np.searchsorted(xs, at, side="right")
        flips = np.zeros((ys.shape[0], xs.shape[0] + 1), dtype=np.uint8)
        np.bitwise_xor.at(flips, (row, first), 1)
        inside: np.ndarray = np.bitwise_xor.accumulate(flips[:, :-1], axis=1).astype(bool)
        return inside

    def describe(self) -> str:
        return f"polygon of {len(self.points)} points in {self.x},{self.y},{self.width},{self.height}"


SHAPES: dict[str, type[Region]] = {cls.shape: cls for cls in (Box, Ellipse, Polygon)}

_SPEC = re.compile(r"^\s*(?:(?P<shape>[a-z]+)\s*:)?\s*(?P<numbers>[-+\d\s,.]+)$")


def parse_region(spec: str) -> Region:
    """Parse ``X,Y,W,H`` (a box), ``SHAPE:X,Y,W,H`` or ``polygon:X1,Y1,X2,Y2,X3,Y3,...``;
    raise ``ValueError`` with a readable reason."""
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"expected [SHAPE:]X,Y,W,H with whole numbers (or polygon:X1,Y1,X2,Y2,...), got {spec!r}")
    shape = match.group("shape") or "box"
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")
    parts = [p.strip() for p in match.group("numbers").split(",")]
    if shape == Polygon.shape:
        if len(parts) < 6 or len(parts) % 2 or not all(re.fullmatch(r"[-+]?\d+(\.\d+)?", p) for p in parts):
            raise ValueError(f"expected polygon:X1,Y1,X2,Y2,X3,Y3[,...], at least three points, got {spec!r}")
        values = [float(p) for p in parts]
        return Polygon.through(list(zip(values[::2], values[1::2], strict=True)))
    if len(parts) != 4 or not all(re.fullmatch(r"[-+]?\d+", p) for p in parts):
        raise ValueError(f"expected four whole numbers X,Y,W,H, got {spec!r}")
    x, y, w, h = (int(p) for p in parts)
    return SHAPES[shape](x, y, w, h)
