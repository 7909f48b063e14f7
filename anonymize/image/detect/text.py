"""Find scene text — signs, plates, house numbers, documents, screens, timestamps — in any script.

The detector is PP-OCRv4's text detector (Apache-2.0, a Differentiable Binarization network),
the ONNX file RapidOCR publishes, which this package carries (``anonymize/models/NOTICE``),
run by ONNX Runtime. It reads no words: it marks where strokes of writing are, which is why one
model serves Latin and Cyrillic alike. The file is read from the installed package (never
downloaded) and checked against the hash this release was measured with.

Like the face search, a pyramid of levels covers every text height from ``min_text`` pixels up
to text as tall as the picture: the finest level shows the smallest text at about the height
the network sees best, each coarser level is a quarter of the size of the one before, and large
levels are cut into overlapping tiles. Each patch of writing becomes a rotated rectangle
(DB's "unclip": the network marks a shrunk core of each line), widened by a margin all round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.metadata import version

import cv2
import numpy as np

from anonymize import __version__
from anonymize.config import DEFAULT_MIN_TEXT, MIN_TEXT_LIMITS
from anonymize.image.detect.tiles import Bounds, Levels, tile_spans, union
from anonymize.image.onnx import Model, checked
from anonymize.image.regions import Polygon, covered_within

MODEL_FILE = "ch_PP-OCRv4_det_infer.onnx"
MODEL_SHA256 = "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"

#: The height, in pixels of what the network is shown, of the smallest text searched for.
NATIVE_MIN = 10
#: Tallest text each level is responsible for before the next, four times coarser, takes over;
#: tiles overlap by more than this.
BAND = 64
LEVEL_STEP = 4
#: Patches taller than this multiple of the band are left to the next, coarser level, which
#: sees them whole; at full size large smooth things (a face, a cup, a coin) pass for writing.
OUT_OF_BAND = 1.5
TILE = 1024
MULTIPLE = 32  # the network's stride: tile sides are padded up to it
MEAN, STD = 0.5, 0.5

#: Pixels whose probability of being writing is above this form a text patch (DB's default).
PIXEL_THRESHOLD = 0.3
#: A patch whose mean probability reaches this is text; verification fails a file on it.
THRESHOLD = 0.6
#: From this up to ``THRESHOLD`` a patch is redacted too and flagged for a person to look at.
REVIEW_THRESHOLD = 0.45
#: DB's unclip: the shrunk core grows by area × ratio / perimeter to cover the whole line.
UNCLIP = 1.6
#: Patches whose shorter side is below this many level pixels are noise.
MIN_SIDE = 3
#: The redaction reaches past the line by this share of its height on every side (at least
#: ``MARGIN_MIN`` pixels): ascenders, descenders and the ends of letters the network missed.
MARGIN = 0.4
MARGIN_MIN = 4
#: A patch taller than the band is writing only if at least this many times longer than tall.
ELONGATED = 1.5
#: A line of text found again after redaction counts as redacted when this much of it is: its
#: margin reaches past the redaction's edge, which the search sees as the end of a line.
COVERED = 0.95
#: A line mostly inside another one (found again at another level or in an overlapping tile)
#: is dropped in favour of the larger.
SAME_LINE_INSIDE = 0.9
#: A coarse level sees a paragraph, or a sign with its lines, as one patch. When finer levels,
#: which looked at every pixel of it at a higher resolution, found lines inside it that cover at
#: least this share of it, and saw nothing there too tall for them, the patch is those lines.
EXPLAINED = 0.4
#: A line found again after redaction is writing left legible when the search of the picture
#: with the regions filled from around them (``redact.unboxed``) finds this much of it too.
SAME_PLACE = 0.5


@dataclass(frozen=True)
class TextLine:
    """One patch of writing: a rotated rectangle in picture pixels (margin included) and its score."""

    points: tuple[tuple[float, float], ...]
    score: float
    height: float  # the line's own height (the shorter side before the margin), in picture pixels
    scale: float  # the level it was found at

    @property
    def sure(self) -> bool:
        return self.score >= THRESHOLD

    def polygon(self) -> Polygon:
        return Polygon.through(self.points)

    def to_dict(self) -> dict[str, object]:
        return {
            "points": [[round(x, 1), round(y, 1)] for x, y in self.points],
            "score": round(self.score, 3),
            "height": round(self.height, 1),
            "scale": round(self.scale, 4),
            "review": not self.sure,
        }


@dataclass(frozen=True)
class TextSearch:
    """Every line of text found in one picture, and how it was searched."""

    lines: tuple[TextLine, ...]
    scales: tuple[float, ...]
    tiles: int
    min_text: int

    def to_dict(self) -> dict[str, object]:
        return {
            "min_text": self.min_text,
            "detector": TextDetector.describe(),
            "threshold": THRESHOLD,
            "review_threshold": REVIEW_THRESHOLD,
            "scales": [round(s, 4) for s in self.scales],
            "tiles": self.tiles,
            "found": [line.to_dict() for line in self.lines],
        }

    def adding(self, more: TextSearch) -> TextSearch:
        """This search and the lines of a later one (searched again after redaction)."""
        return TextSearch(self.lines + more.lines, self.scales, self.tiles + more.tiles, self.min_text)


class TextDetector:
    """PP-OCRv4's text detector: a tile of RGB pixels in, a map of the probability of writing out."""

    name = "ppocr-det"

    def __init__(self) -> None:
        self._model = Model(_model_bytes())

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        """The probability (0..1) that each pixel of an H x W x 3 uint8 RGB tile is writing."""
        height, width = rgb.shape[:2]
        padded_h, padded_w = -(-height // MULTIPLE) * MULTIPLE, -(-width // MULTIPLE) * MULTIPLE
        if (padded_h, padded_w) != (height, width):
            rgb = cv2.copyMakeBorder(rgb, 0, padded_h - height, 0, padded_w - width, cv2.BORDER_REPLICATE)
        # The network was trained on BGR, scaled to -1..1.
        blob = cv2.dnn.blobFromImage(rgb, 1 / (255 * STD), swapRB=True, mean=(255 * MEAN,) * 3, crop=False)
        (prob,) = self._model.run(None, {self._model.input: blob})
        result: np.ndarray = prob[0, 0, :height, :width]
        return result

    def lines(self, rgb: np.ndarray) -> list[tuple[np.ndarray, float, float]]:
        """Every text patch of a tile scoring at least ``REVIEW_THRESHOLD``: its corners (4 x 2, tile
        pixels, unclipped), score and height."""
        prob = self.probabilities(rgb)
        mask = cv2.dilate((prob > PIXEL_THRESHOLD).astype(np.uint8), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        found = []
        for contour in contours:
            (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
            if min(w, h) < MIN_SIDE:
                continue
            score = _mean_inside(prob, contour)
            if score < REVIEW_THRESHOLD:
                continue
            area, perimeter = cv2.contourArea(contour), cv2.arcLength(contour, True)
            grow = area * UNCLIP / perimeter if perimeter > 0 else 0.0
            rect = ((cx, cy), (w + 2 * grow, h + 2 * grow), angle)
            found.append((cv2.boxPoints(rect), score, min(w, h) + 2 * grow))
        return found

    def release(self) -> None:
        """Give back the memory of the largest tile (after a search)."""
        self._model.release()

    @staticmethod
    def describe() -> dict[str, object]:
        return {
            "name": TextDetector.name,
            "model": f"PP-OCRv4 text detection ({MODEL_FILE}, sha256 {MODEL_SHA256[:16]}…)",
            "package": f"anonymize {__version__}, onnxruntime {version('onnxruntime')}",
        }


def _model_bytes() -> bytes:
    data = (resources.files("anonymize") / "models" / MODEL_FILE).read_bytes()
    return checked(data, MODEL_SHA256, f"the text model {MODEL_FILE}")


def _mean_inside(prob: np.ndarray, contour: np.ndarray) -> float:
    x, y, w, h = cv2.boundingRect(contour)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [contour - (x, y)], 1)
    return float(cv2.mean(prob[y : y + h, x : x + w], mask)[0])


@cache
def text_detector() -> TextDetector:
    """The text detector, loaded once per process."""
    return TextDetector()


def text_pyramid(width: int, height: int, min_text: int) -> list[float]:
    """The scales at which the network must see a ``width`` x ``height`` picture: the finest shows
    ``min_text`` as ``NATIVE_MIN`` pixels (never enlarged), the last shows text half as tall as the
    picture within its band."""
    scale = min(1.0, NATIVE_MIN / min_text)
    scales = [scale]
    while max(width, height) * scale / 2 > BAND and scale / LEVEL_STEP * max(width, height) >= 4 * MULTIPLE:
        scale /= LEVEL_STEP
        scales.append(scale)
    return scales


class TextFinder:
    """Runs the text detector over a picture's pyramid and keeps every line it finds."""

    def __init__(self, min_text: int = DEFAULT_MIN_TEXT) -> None:
        low, high = MIN_TEXT_LIMITS
        if not low <= min_text <= high:
            raise ValueError(f"min_text must be between {low} and {high} pixels, got {min_text}")
        self.min_text = min_text
        self.detector = text_detector()

    def search(self, pixels: np.ndarray, near: Sequence[Bounds] | None = None) -> TextSearch:
        """Find text in an upright H x W x 3 uint8 RGB picture; with ``near`` (x0, y0, x1, y1
        boxes) only in windows around them, widened by more than the tallest text of each level."""
        try:
            return self._search(pixels, near)
        finally:
            self.detector.release()

    def _search(self, pixels: np.ndarray, near: Sequence[Bounds] | None) -> TextSearch:
        height, width = pixels.shape[:2]
        levels = Levels(pixels)
        scales = text_pyramid(width, height, self.min_text)
        found: list[TextLine] = []
        tall: list[tuple[float, Polygon]] = []  # patches a level left to coarser ones, by scale
        tiles = 0
        for scale in scales:
            level = levels.at(scale)
            fx, fy = level.shape[1] / width, level.shape[0] / height
            level_h, level_w = level.shape[:2]
            reach = 2 * BAND
            windows = (
                [(0, 0, level_w, level_h)]
                if near is None
                else union(
                    [
                        (
                            max(0, math.floor(b[0] * fx) - reach),
                            max(0, math.floor(b[1] * fy) - reach),
                            min(level_w, math.ceil(b[2] * fx) + reach),
                            min(level_h, math.ceil(b[3] * fy) + reach),
                        )
                        for b in near
                    ]
                )
            )
            for wx0, wy0, wx1, wy1 in windows:
                for top, bottom in tile_spans(wy1 - wy0, TILE, 2 * BAND):
                    for left, right in tile_spans(wx1 - wx0, TILE, 2 * BAND):
                        tiles += 1
                        tile = level[wy0 + top : wy0 + bottom, wx0 + left : wx0 + right]
                        for corners, score, line_height in self.detector.lines(tile):
                            offset = np.array([wx0 + left, wy0 + top], dtype=np.float64)
                            points = (corners + offset) / (fx, fy)
                            if line_height > OUT_OF_BAND * BAND and (
                                scale != scales[-1] or _squat(corners, line_height)
                            ):
                                # Taller text is the next level's; here it is mostly texture.
                                tall.append((scale, Polygon.through(tuple(map(tuple, points)))))
                                continue
                            found.append(_with_margin(points, score, line_height / min(fx, fy), scale))
        inside = [line for line in found if _touches(line, width, height)]
        return TextSearch(tuple(_distinct(_explained(inside, tall))), tuple(scales), tiles, self.min_text)


def _squat(corners: np.ndarray, height: float) -> bool:
    """Whether a patch is about as tall as it is long: at the size of a whole sign, that is a
    smooth object (a cup, a face), not a line of writing."""
    sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
    return float(sides.max()) < ELONGATED * height


def _with_margin(points: np.ndarray, score: float, height: float, scale: float) -> TextLine:
    """The rotated rectangle through ``points`` grown by the margin on every side."""
    rect = cv2.minAreaRect(points.astype(np.float32))
    (cx, cy), (w, h), angle = rect
    margin = max(MARGIN_MIN, MARGIN * height)
    grown = cv2.boxPoints(((cx, cy), (w + 2 * margin, h + 2 * margin), angle))
    return TextLine(tuple((float(x), float(y)) for x, y in grown), score, height, scale)


def _touches(line: TextLine, width: int, height: int) -> bool:
    xs, ys = [p[0] for p in line.points], [p[1] for p in line.points]
    return min(xs) < width and min(ys) < height and max(xs) > 0 and max(ys) > 0


def _explained(lines: list[TextLine], tall: list[tuple[float, Polygon]]) -> list[TextLine]:
    """``lines`` without the coarse patches that finer lines inside them account for (see ``EXPLAINED``).

    What is dropped was looked at more closely: every finer level searched all of the patch,
    and any writing too tall for those levels would be among ``tall``. Should the patch still
    hold writing no level accounts for, the search around the redaction finds it in the file."""
    polygons = [line.polygon() for line in lines]
    kept = []
    for line, polygon in zip(lines, polygons, strict=True):
        bounds = polygon.extent
        finer = [
            other
            for candidate, other in zip(lines, polygons, strict=True)
            if candidate.scale > line.scale and _share_inside(other, bounds, polygon) >= SAME_LINE_INSIDE
        ]
        taller = [other for scale, other in tall if scale > line.scale and _share_inside(other, bounds, polygon) > 0]
        if finer and not taller and _covered_by(polygon, bounds, finer) >= EXPLAINED:
            continue
        kept.append(line)
    return kept


def _share_inside(other: Polygon, bounds: tuple[int, int, int, int], polygon: Polygon) -> float:
    """The share of ``other``'s area that lies inside ``polygon`` (whose bounds are ``bounds``)."""
    ix0, iy0 = max(bounds[0], other.x), max(bounds[1], other.y)
    ix1, iy1 = min(bounds[2], other.x + other.width), min(bounds[3], other.y + other.height)
    if ix0 >= ix1 or iy0 >= iy1:
        return 0.0
    own = other.mask_within(other.extent).sum()
    window = (ix0, iy0, ix1, iy1)
    return float((other.mask_within(window) & polygon.mask_within(window)).sum() / own) if own else 0.0


def _covered_by(polygon: Polygon, bounds: tuple[int, int, int, int], others: list[Polygon]) -> float:
    """The share of ``polygon``'s area that ``others`` cover together."""
    own = polygon.mask_within(bounds)
    return float((covered_within(others, bounds) & own).sum() / own.sum()) if own.any() else 0.0


def seen_in(lines: Sequence[TextLine], others: Sequence[TextLine]) -> list[TextLine]:
    """The ``lines`` of which ``others`` together cover at least ``SAME_PLACE`` of the area."""
    polygons = [other.polygon() for other in others]
    kept = []
    for line in lines:
        polygon = line.polygon()
        bounds = polygon.extent
        if polygons and _covered_by(polygon, bounds, polygons) >= SAME_PLACE:
            kept.append(line)
    return kept


def _distinct(lines: list[TextLine]) -> list[TextLine]:
    """Drop lines lying mostly inside a larger one already kept; order by position, top to bottom."""
    kept: list[tuple[TextLine, Polygon]] = []
    for line in sorted(lines, key=lambda item: -item.polygon().area):
        polygon = line.polygon()
        bounds = polygon.extent
        own = polygon.mask_within(bounds)
        # A sure line never hides inside an unsure one.
        covered = covered_within((other for kept_line, other in kept if kept_line.score >= line.score), bounds)
        if own.any() and (covered & own).sum() >= SAME_LINE_INSIDE * own.sum():
            continue
        kept.append((line, polygon))
    return sorted((line for line, _ in kept), key=lambda line: (min(p[1] for p in line.points), line.points[0][0]))
