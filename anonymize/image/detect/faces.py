"""Find every face, at every size: a pyramid of scales per detector, tiles, and one merged list.

Each detector finds faces in a band of widths (its ``native_range``). The finest level shrinks
the picture just enough that the smallest face asked for (``min_face``) becomes the smallest
the detector sees; each coarser level shrinks further so that its band starts at half the
previous band's end, until a face as wide as the picture fits. Large levels are cut into tiles
that overlap by more than the largest face of the band, so every face is whole in some tile.
Every level is framed by a grey border, which gives faces cut by the picture's edge, or
filling it, some context. What all detectors find at all levels is then merged into faces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from anonymize.config import DEFAULT_MIN_FACE, FaceSettings
from anonymize.image.detect.base import Detection, FaceDetector
from anonymize.image.detect.centerface import CenterFace
from anonymize.image.detect.tiles import Bounds, Levels, tile_spans, union
from anonymize.image.detect.yunet import YuNet
from anonymize.image.regions import Ellipse

DETECTORS: dict[str, type[FaceDetector]] = {cls.name: cls for cls in (YuNet, CenterFace)}
# The smallest faces (the finest, costliest level) are searched by the first detector only;
# from this multiple of ``min_face`` up, every detector searches.
DEFAULT_ALL_FROM = 2
MAX_UPSCALE = 2.0

# Two boxes are one face when they overlap this much (intersection over union), or when the
# smaller lies mostly inside the larger and is not much smaller (a face cut by a tile edge, or
# boxed differently by another detector; a small face inside a large box is another face).
SAME_FACE_IOU = 0.3
SAME_FACE_INSIDE = 0.6
SAME_FACE_AREA = 0.2

# The head around a face box: hair above, ears beside, chin and beard below. Detector boxes run
# from the brows to the chin and from cheek to cheek; the ellipse is 1.7 times as wide and 1.85
# times as tall, raised by a fifth: the face box's corners lie well inside it (verification
# requires all of the box), the ears and hair within it, and no longer half a face's width of
# shoulder, wall or neighbour on each side (benchmarks.face_recall: the same faces found).
HEAD_WIDTH = 1.7
HEAD_HEIGHT = 1.85
HEAD_RAISE = 0.2
BORDER_GREY = (127, 127, 127)
# Detectors also return boxes far wider than any face they can see (texture taken for a face
# at the wrong scale); a level keeps only boxes up to this multiple of the widest face it is
# responsible for; larger faces are the business of coarser levels.
OUT_OF_BAND = 1.5


@cache
def detector(name: str) -> FaceDetector:
    """The detector called ``name``, loaded once per process (model loading takes a while)."""
    return DETECTORS[name]()


def pyramid(width: int, height: int, det: FaceDetector, min_face: int) -> list[float]:
    """The scales at which a detector must see a ``width`` x ``height`` picture.

    Each level hands over to the next at ``det.band``: the next level's smallest face is half
    that wide, so every face size is covered twice over at the hand-over. The last level is
    the first whose whole range reaches a face as wide as the picture.
    """
    low, high = det.native_range
    scale = min(MAX_UPSCALE, low / min_face)
    scales = [scale]
    largest = max(width, height)
    while high / scale < largest:
        scale *= 2 * low / det.band
        scales.append(scale)
    return scales


@dataclass(frozen=True)
class Face:
    """One face: every detection of it, merged."""

    detections: tuple[Detection, ...]
    thresholds: tuple[tuple[str, float], ...]  # each detector's threshold, to tell sure from unsure

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The smallest whole-pixel box holding every detection's box."""
        x0 = math.floor(min(d.x for d in self.detections))
        y0 = math.floor(min(d.y for d in self.detections))
        x1 = math.ceil(max(d.x + d.width for d in self.detections))
        y1 = math.ceil(max(d.y + d.height for d in self.detections))
        return x0, y0, x1 - x0, y1 - y0

    @property
    def best(self) -> Detection:
        return max(self.detections, key=lambda d: d.score)

    @property
    def detectors(self) -> tuple[str, ...]:
        return tuple(sorted({d.detector for d in self.detections}))

    @property
    def sure(self) -> bool:
        """Whether some detector scored it at or above its own threshold."""
        limits = dict(self.thresholds)
        return any(d.score >= limits[d.detector] for d in self.detections)

    def head(self) -> Ellipse:
        """An ellipse over the whole head around the face box, with a margin."""
        x, y, w, h = self.box
        cx, cy = x + w / 2, y + h / 2 - HEAD_RAISE * h
        hw, hh = max(HEAD_WIDTH * w, 8.0), max(HEAD_HEIGHT * h, 8.0)
        x0, y0 = math.floor(cx - hw / 2), math.floor(cy - hh / 2)
        return Ellipse(x0, y0, math.ceil(cx + hw / 2) - x0, math.ceil(cy + hh / 2) - y0)

    def to_dict(self) -> dict[str, object]:
        best = self.best
        return {
            "box": list(self.box),
            "score": round(best.score, 3),
            "detector": best.detector,
            "detectors": list(self.detectors),
            "review": not self.sure,
            "detections": [
                {
                    "detector": d.detector,
                    "score": round(d.score, 3),
                    "box": [round(d.x, 1), round(d.y, 1), round(d.width, 1), round(d.height, 1)],
                    "scale": round(d.scale, 4),
                }
                for d in sorted(self.detections, key=lambda d: (-d.score, d.detector))
            ],
        }


@dataclass(frozen=True)
class Scan:
    """What one detector looked at."""

    detector: FaceDetector
    scales: tuple[float, ...]
    tiles: int
    searched: tuple[float, ...]  # share of each level searched (1.0 unless searching near boxes)

    def to_dict(self) -> dict[str, object]:
        return {
            **self.detector.describe(),
            "threshold": self.detector.threshold,
            "review_threshold": self.detector.review_threshold,
            "scales": [round(s, 4) for s in self.scales],
            "tiles": self.tiles,
            "searched": [round(share, 3) for share in self.searched],
        }


@dataclass(frozen=True)
class FaceSearch:
    """Every face found in one picture, and how it was searched."""

    faces: tuple[Face, ...]
    scans: tuple[Scan, ...]
    min_face: int

    def adding(self, more: Sequence[Face]) -> FaceSearch:
        """This search and faces found later (in the written file, after redaction)."""
        return FaceSearch(self.faces + tuple(more), self.scans, self.min_face)

    def to_dict(self) -> dict[str, object]:
        return {
            "min_face": self.min_face,
            "detectors": [scan.to_dict() for scan in self.scans],
            "found": [face.to_dict() for face in self.faces],
        }


class FaceFinder:
    """Runs every chosen detector over a picture's pyramid and merges what they find."""

    def __init__(
        self, detectors: Sequence[FaceDetector], min_face: int = DEFAULT_MIN_FACE, all_from: int | None = None
    ) -> None:
        if not detectors:
            raise ValueError("at least one face detector is needed")
        if min_face < 1:
            raise ValueError(f"min_face must be positive, got {min_face}")
        self.detectors = tuple(detectors)
        self.min_face = min_face
        self.all_from = max(min_face, all_from if all_from is not None else DEFAULT_ALL_FROM * min_face)

    @classmethod
    def named(cls, names: Sequence[str], min_face: int = DEFAULT_MIN_FACE, all_from: int | None = None) -> FaceFinder:
        unknown = [name for name in names if name not in DETECTORS]
        if unknown:
            raise ValueError(f"unknown face detector {unknown[0]!r} (known: {', '.join(DETECTORS)})")
        return cls([detector(name) for name in dict.fromkeys(names)], min_face, all_from)

    @classmethod
    def from_settings(cls, settings: FaceSettings) -> FaceFinder:
        return cls.named(settings.detectors, settings.min_face, settings.all_from)

    def search(self, pixels: np.ndarray, near: Sequence[Bounds] | None = None) -> FaceSearch:
        """Find faces in an upright H x W x 3 uint8 RGB picture.

        With ``near`` (x0, y0, x1, y1 boxes), each level is searched only in windows around
        them, widened by more than the widest face of the level.
        """
        try:
            return self._search(pixels, near)
        finally:
            for det in self.detectors:
                det.release()

    def _search(self, pixels: np.ndarray, near: Sequence[Bounds] | None) -> FaceSearch:
        height, width = pixels.shape[:2]
        found: list[Detection] = []
        scans = []
        levels = Levels(pixels)
        for rank, det in enumerate(self.detectors):
            scales = pyramid(width, height, det, self.min_face if rank == 0 else self.all_from)
            tiles = 0
            shares: list[float] = []
            for number, scale in enumerate(scales, start=1):
                widest = det.native_range[1] if number == len(scales) else det.band
                detections, (count, share) = _scan_level(det, levels, scale, widest, near)
                found.extend(d for d in detections if _touches(d, width, height))
                tiles += count
                shares.append(share)
            scans.append(Scan(det, tuple(scales), tiles, tuple(shares)))
        thresholds = tuple((det.name, det.threshold) for det in self.detectors)
        faces = tuple(Face(group, thresholds) for group in _merge(found))
        return FaceSearch(faces, tuple(scans), self.min_face)


def _scan_level(
    det: FaceDetector, levels: Levels, scale: float, widest: int, near: Sequence[Bounds] | None
) -> tuple[list[Detection], tuple[int, float]]:
    """Search one level: all of it, or with ``near`` only windows around those boxes, each widened
    by more than the widest face of the level (a face touching a box is whole in its window).
    Returns the detections in picture pixels, the tiles searched and the share of the level searched."""
    height, width = levels.pixels.shape[:2]
    level = levels.at(scale)
    fx, fy = level.shape[1] / width, level.shape[0] / height  # the level's own rounding maps boxes back
    low = det.native_range[0]
    border = 2 * low
    level = cv2.copyMakeBorder(level, border, border, border, border, cv2.BORDER_CONSTANT, value=BORDER_GREY)
    level_h, level_w = level.shape[:2]
    overlap = widest + low
    if near is None:
        windows = [(0, 0, level_w, level_h)]
    else:
        reach = widest + low
        windows = union(
            [
                (
                    max(0, math.floor(b[0] * fx) + border - reach),
                    max(0, math.floor(b[1] * fy) + border - reach),
                    min(level_w, math.ceil(b[2] * fx) + border + reach),
                    min(level_h, math.ceil(b[3] * fy) + border + reach),
                )
                for b in near
            ]
        )
    found: list[Detection] = []
    tiles = area = 0
    for wx0, wy0, wx1, wy1 in windows:
        area += (wx1 - wx0) * (wy1 - wy0)
        for top, bottom in tile_spans(wy1 - wy0, det.tile, overlap):
            for left, right in tile_spans(wx1 - wx0, det.tile, overlap):
                tile = level[wy0 + top : wy0 + bottom, wx0 + left : wx0 + right]
                tiles += 1
                found.extend(
                    d.mapped(wx0 + left - border, wy0 + top - border, fx, fy, scale)
                    for d in det.detect(tile)
                    if d.width <= OUT_OF_BAND * widest
                )
    return found, (tiles, area / (level_w * level_h))


def _touches(d: Detection, width: int, height: int) -> bool:
    return d.x < width and d.y < height and d.x + d.width > 0 and d.y + d.height > 0


def _merge(detections: list[Detection]) -> list[tuple[Detection, ...]]:
    """Group detections of the same face (union-find over overlapping boxes), largest score first."""
    count = len(detections)
    if count == 0:
        return []
    boxes = np.array([d.box for d in detections], dtype=np.float64)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    area = boxes[:, 2] * boxes[:, 3]
    inter_w = np.clip(np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :]), 0, None)
    inter_h = np.clip(np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :]), 0, None)
    inter = inter_w * inter_h
    iou = inter / (area[:, None] + area[None, :] - inter)
    inside = inter / np.minimum(area[:, None], area[None, :])
    comparable = np.minimum(area[:, None], area[None, :]) >= SAME_FACE_AREA * np.maximum(area[:, None], area[None, :])
    linked = (iou >= SAME_FACE_IOU) | ((inside >= SAME_FACE_INSIDE) & comparable)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(linked, k=1)), strict=True):
        a, b = root(int(i)), root(int(j))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Detection]] = {}
    for i, d in enumerate(detections):
        groups.setdefault(root(i), []).append(d)
    merged = [tuple(group) for group in groups.values()]
    return sorted(merged, key=lambda g: (-max(d.score for d in g), min(d.y for d in g), min(d.x for d in g)))
