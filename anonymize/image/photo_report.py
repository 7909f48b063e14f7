"""An image report as the build reads it: parsed once, where it comes out of the pipeline or cache.

The pipeline writes each photo's report as JSON (``ImageReport.to_dict``): the cache keeps it and
the curator report shows it whole. What the rest of the build needs of it (the original's hash,
the regions, the background) is read here into typed values, so that nothing past the image
package reads the document by string keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from anonymize.config import Background, Style
from anonymize.image.reasons import DETECTED

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class ReportedRegion:
    """One redacted region as the report states it."""

    index: int
    shape: str
    #: x, y, width, height of the pixels it covers (clipped to the picture).
    box: Box
    reason: str
    #: A polygon's corners exactly as the report states them (None for other shapes).
    points: tuple[tuple[float, float], ...] | None = None

    @property
    def bounds(self) -> Box:
        """The pixels it covers as x0, y0, x1, y1."""
        x, y, width, height = self.box
        return (x, y, x + width, y + height)

    @property
    def detected(self) -> bool:
        """Asked for by a detector rather than by a person."""
        return self.reason in DETECTED


@dataclass(frozen=True)
class ReportedKeep:
    """A detected region a person said is not a face or not text, as the report states it."""

    box: Box  # x, y, width, height, as the person wrote it
    reason: str


@dataclass(frozen=True)
class ReportedBackground:
    """What was done behind the people: ``keep``, or ``blur`` with how the people were found."""

    treatment: Background
    #: ``automatic`` (the person model) or ``drawn`` (the story's outlines); None when kept.
    mask: str | None = None
    #: The people's outlines as drawn in the report, in picture pixels.
    outlines: tuple[tuple[tuple[int, int], ...], ...] = ()


@dataclass(frozen=True)
class PhotoReport:
    """One photo's image report: what the build reads of it, and the whole document."""

    #: SHA-256 of the original the pipeline read.
    sha256: str
    #: Width and height of the upright picture.
    size: tuple[int, int]
    style: Style
    regions: tuple[ReportedRegion, ...]
    background: ReportedBackground
    #: The report as the pipeline wrote it, for the curator report and the cache: never read by key.
    document: Mapping[str, Any]
    kept: tuple[ReportedKeep, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhotoReport:
        """Parse what ``ImageReport.to_dict`` wrote; ValueError when it is not that."""
        try:
            size = data["displayed_size"]
            regions = tuple(
                ReportedRegion(
                    int(r["index"]),
                    str(r["shape"]),
                    (int(r["box"][0]), int(r["box"][1]), int(r["box"][2]), int(r["box"][3])),
                    str(r["reason"]),
                    tuple((p[0], p[1]) for p in r["points"]) if "points" in r else None,
                )
                for r in data["regions"]
            )
            kept = tuple(
                ReportedKeep((int(k["box"][0]), int(k["box"][1]), int(k["box"][2]), int(k["box"][3])), str(k["reason"]))
                for k in data.get("kept", ())
            )
            background = data["background"]
            outlines = tuple(tuple((int(x), int(y)) for x, y in o) for o in background.get("outlines", ()))
            return cls(
                str(data["input"]["sha256"]),
                (int(size["width"]), int(size["height"])),
                Style(str(data["style"])),
                regions,
                ReportedBackground(Background(str(background["treatment"])), background.get("mask"), outlines),
                data,
                kept,
            )
        except (KeyError, TypeError, IndexError, ValueError, AttributeError) as err:
            raise ValueError(f"not an image report: {err!r}") from None
