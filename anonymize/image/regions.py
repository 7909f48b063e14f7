"""Region shapes in upright-pixel coordinates, and the hard-edged masks they cover."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
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


SHAPES: dict[str, type[Region]] = {cls.shape: cls for cls in (Box, Ellipse)}

_SPEC = re.compile(r"^\s*(?:(?P<shape>[a-z]+)\s*:)?\s*(?P<numbers>[-+\d\s,]+)$")


def parse_region(spec: str) -> Region:
    """Parse ``X,Y,W,H`` (a box) or ``SHAPE:X,Y,W,H``; raise ``ValueError`` with a readable reason."""
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"expected [SHAPE:]X,Y,W,H with whole numbers, got {spec!r}")
    shape = match.group("shape") or "box"
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")
    parts = [p.strip() for p in match.group("numbers").split(",")]
    if len(parts) != 4 or not all(re.fullmatch(r"[-+]?\d+", p) for p in parts):
        raise ValueError(f"expected four whole numbers X,Y,W,H, got {spec!r}")
    x, y, w, h = (int(p) for p in parts)
    return SHAPES[shape](x, y, w, h)
