"""What every face detector offers the search: one tile of pixels in, scored boxes out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class Detection:
    """One box a detector scored as a face, in pixels of the picture it was given."""

    x: float
    y: float
    width: float
    height: float
    score: float  # 0..1, the detector's own confidence
    detector: str
    scale: float = 1.0  # the pyramid level it was found at (1.0: full size)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.width, self.height

    def mapped(self, dx: float, dy: float, fx: float, fy: float, scale: float) -> Detection:
        """The same box moved by ``dx, dy``, then divided by ``fx, fy`` (tile → picture)."""
        return Detection(
            (self.x + dx) / fx,
            (self.y + dy) / fy,
            self.width / fx,
            self.height / fy,
            self.score,
            self.detector,
            scale,
        )


class FaceDetector(ABC):
    """A face detector as the search sees it.

    A detector finds faces whose width lies in ``native_range`` (pixels of the image it is
    given); the search shrinks the picture into a pyramid so that every face size falls into
    that range at some level, and cuts large levels into tiles of about ``tile`` pixels.
    """

    name: ClassVar[str]
    #: Smallest and largest face widths, in pixels, this detector finds reliably unscaled.
    native_range: ClassVar[tuple[int, int]]
    #: Widest face each pyramid level is responsible for before the next, coarser level takes
    #: over; tiles overlap by this much, so keeping it well below ``tile`` keeps overlap cheap.
    band: ClassVar[int]
    #: Preferred tile side in pixels (speed and memory).
    tile: ClassVar[int]
    #: Tile sides must be multiples of this (network strides); tiles are padded up to it.
    multiple: ClassVar[int] = 1
    #: At or above this score a box is a face; verification fails the photo on it.
    threshold: ClassVar[float]
    #: From this score up to ``threshold`` a box is redacted and flagged for human review.
    review_threshold: ClassVar[float]

    @abstractmethod
    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Every box scoring at least ``review_threshold`` in an H x W x 3 uint8 RGB tile."""

    def release(self) -> None:  # noqa: B027 - most detectors hold nothing to give back
        """Give back memory held since the last search (model arenas); called after each search."""

    @classmethod
    @abstractmethod
    def describe(cls) -> dict[str, object]:
        """Name, model and version, for the report and the approval fingerprint (without loading it)."""
