"""Everything behind the people: where the people are, and a background no one can recognise.

The subject mask comes from a person segmentation model (``segment``), or from polygons the
story draws round the people. The model's coarse mask is refined at the edges with a guided
filter (He, Sun and Tang 2013), the picture itself as the guide, so the mask follows hair and
shoulders rather than the model's blocky grid. The background is then replaced by a very strong
blur with noise, made from background pixels only (normalised convolution), so that neither the
landmark behind a person nor the person's silhouette smeared into it is left to recognise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from anonymize.config import Background
from anonymize.errors import InputError
from anonymize.image.load import LoadedImage
from anonymize.image.regions import Polygon
from anonymize.image.segment import segmenter

#: The background keeps about this many cells of colour across the picture's longer side.
CELLS = 16
#: Noise (0..255) added to the cells, and grain added to the blurred result.
CELL_NOISE = 14.0
GRAIN = 4.0
#: The blur is smoothed at this size (longer side) and then enlarged.
SMOOTH_SIDE = 512
#: Background colour is summed over blocks of this side before it is averaged into cells, and
#: the people are composited this many rows at a time (memory of a band, not of the picture).
BLOCK = 32
BAND_ROWS = 256
#: The guided filter: radius as a share of the longer side of the guide, and its smoothing.
GUIDE_SIDE = 1024
GUIDE_RADIUS = 6
GUIDE_EPS = 1e-3
#: The refined probability becomes the mask through a ramp: at or below the first value a pixel
#: is background, at or above the second it is person. Where the model is unsure, the
#: background wins: a blurred shoulder costs the picture less than a sharp landmark.
RAMP = (0.4, 0.7)
#: A person is at least this share of the picture; smaller blobs of the mask are dropped.
MIN_PERSON = 0.002
#: Outlines drawn in the report are simplified to this share of their perimeter.
OUTLINE_TOLERANCE = 0.004


@dataclass(frozen=True)
class Subject:
    """Where the people are: a soft mask (1 on people, 0 on background) and how it was made."""

    alpha: np.ndarray  # H x W float32, 0..1
    automatic: bool
    source: str  # the model, or the polygons drawn by hand

    @property
    def share(self) -> float:
        return float(self.alpha.mean())

    def outlines(self) -> list[list[list[int]]]:
        """The people's outlines as polygons of picture pixels (for the report's overlays)."""
        height, width = self.alpha.shape
        scale = min(1.0, GUIDE_SIDE / max(height, width))
        small = cv2.resize(self.alpha, (max(1, round(width * scale)), max(1, round(height * scale))))
        contours, _ = cv2.findContours((small >= 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        outlines = []
        for contour in sorted(contours, key=cv2.contourArea, reverse=True):
            if cv2.contourArea(contour) < MIN_PERSON * small.size:
                continue
            simple = cv2.approxPolyDP(contour, OUTLINE_TOLERANCE * cv2.arcLength(contour, True), True)
            if len(simple) >= 3:
                outlines.append([[round(float(x) / scale), round(float(y) / scale)] for x, y in simple[:, 0]])
        return outlines

    def to_dict(self) -> dict[str, object]:
        return {
            "treatment": Background.BLUR.value,
            "mask": "automatic" if self.automatic else "drawn",
            "source": self.source,
            "subject_share": round(self.share, 4),
            "outlines": self.outlines(),
        }


def find_subject(image: LoadedImage, polygons: Sequence[Polygon] = ()) -> Subject:
    """The people in the picture: inside ``polygons`` if someone drew them, else as the model
    sees them. A picture in which the model finds no one is refused: with nothing to keep, a
    blurred background would be the whole picture, and the model more likely missed someone."""
    height, width = image.size[1], image.size[0]
    if polygons:
        alpha = np.zeros((height, width), np.float32)
        for number, polygon in enumerate(polygons, start=1):
            masked = polygon.mask_in(width, height)
            if masked is None:
                raise InputError(
                    image.path, f"subject polygon {number} lies outside the upright {width}x{height} picture"
                )
            (x0, y0, x1, y1), inside = masked
            alpha[y0:y1, x0:x1][inside] = 1.0
        return Subject(alpha, False, f"{len(polygons)} polygon(s) drawn by hand")
    model = segmenter()
    coarse = model.people(image.pixels)
    # Refined and cleaned at the guide's size, then enlarged once: the full-size mask is the
    # only full-size array this makes.
    small = _drop_specks(_refine(image.pixels, coarse))
    if not (small >= 0.5).any():
        raise InputError(
            image.path,
            "background: blur found no person to keep; draw the people (subject: in a story, --subject on "
            "the command line)",
        )
    return Subject(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), True, model.describe())


def _refine(pixels: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    """The model's low-resolution person probability, made to follow the picture's own edges: a
    mask at the guide's size (at most ``GUIDE_SIDE`` pixels), to be enlarged to the picture's."""
    height, width = pixels.shape[:2]
    scale = min(1.0, GUIDE_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    guide = cv2.cvtColor(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    guide = guide.astype(np.float32) / 255
    rough = cv2.resize(coarse.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    fine = _guided_filter(guide, rough, GUIDE_RADIUS, GUIDE_EPS)
    low, high = RAMP
    ramp: np.ndarray = np.clip((fine - low) / (high - low), 0.0, 1.0).astype(np.float32)
    return ramp


def _guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter with a grey guide: ``source`` smoothed, but edged like ``guide``."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(values: np.ndarray) -> np.ndarray:
        result: np.ndarray = cv2.boxFilter(values, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)
        return result

    mean_g, mean_s = mean(guide), mean(source)
    var_g = mean(guide * guide) - mean_g * mean_g
    cov = mean(guide * source) - mean_g * mean_s
    a = cov / (var_g + eps)
    b = mean_s - a * mean_g
    fine: np.ndarray = mean(a) * guide + mean(b)
    return fine


def _drop_specks(alpha: np.ndarray) -> np.ndarray:
    """Zero the parts of the mask too small to be a person (a poster's face, a statue's hand)."""
    solid = (alpha >= 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    small = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] < MIN_PERSON * alpha.size]
    if not small:
        return alpha
    # Dilate the specks a little so their soft edges go too.
    specks = cv2.dilate(np.isin(labels, small).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    kept = alpha.copy()
    kept[specks & (solid == 0) | np.isin(labels, small)] = 0.0
    return kept


def treat_background(pixels: np.ndarray, subject: Subject, seed: str) -> np.ndarray:
    """A copy of ``pixels`` with everything outside the people blurred beyond recognition.

    The blur is built from background pixels only, so the people's colours do not smear into
    it; a handful of noised cells across the picture, smoothed back up, with grain. ``seed``
    (the original's hash) makes the noise reproducible and unknowable.
    """
    height, width = pixels.shape[:2]
    digest = hashlib.sha256(f"{seed}|background".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:16], "big"))
    # Background colour and weight summed over blocks of the full-size picture, a band of rows
    # at a time (memory of a band, not of the picture), then averaged into cells.
    colour_sums, weight_sums = _block_sums(pixels, subject.alpha)
    scale = CELLS / max(height, width)
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    weight = cv2.resize(weight_sums, small_size, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(colour_sums, small_size, interpolation=cv2.INTER_AREA)
    # Where a cell is all person, borrow the mean background colour (there is nothing to show).
    fallback = colour_sums.reshape(-1, 3).sum(axis=0, dtype=np.float64) / max(float(weight_sums.sum()), 1e-6)
    cells = np.where(weight[..., None] > 1e-6, colour / np.maximum(weight[..., None], 1e-6), fallback)
    cells = cells + rng.normal(0.0, CELL_NOISE, size=(*cells.shape[:2], 1))
    # Smoothed on a small copy (a wide blur at full size would take minutes on 24 MP), then
    # enlarged: the result has no detail finer than a cell either way.
    mid_scale = min(1.0, SMOOTH_SIDE / max(height, width))
    mid_size = (max(1, round(width * mid_scale)), max(1, round(height * mid_scale)))
    mid = cv2.resize(cells.astype(np.float32), mid_size, interpolation=cv2.INTER_CUBIC)
    sigma = max(mid_size) / (2.0 * CELLS)
    mid = cv2.GaussianBlur(mid, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)
    smooth = cv2.resize(np.clip(np.rint(mid), 0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)
    # The people on top by their soft mask, with grain on the rest: a band of rows at a time.
    out = np.empty_like(pixels)
    for top in range(0, height, BAND_ROWS):
        rows = slice(top, min(height, top + BAND_ROWS))
        grain = rng.standard_normal(size=(rows.stop - top, width, 1), dtype=np.float32) * np.float32(GRAIN)
        alpha = subject.alpha[rows, :, None]
        mixed = alpha * pixels[rows] + (1.0 - alpha) * (smooth[rows] + grain)
        out[rows] = np.clip(np.rint(mixed), 0, 255)
    return out


def _block_sums(pixels: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums over ``BLOCK`` x ``BLOCK`` blocks of background colour (pixel x (1 - alpha)) and of
    background weight (1 - alpha), for a picture and its mask; a last partial block sums what it has."""
    height, width = pixels.shape[:2]
    rows, cols = -(-height // BLOCK), -(-width // BLOCK)
    colour = np.zeros((rows, cols, 3), np.float32)
    weight = np.zeros((rows, cols), np.float32)
    padded_w = cols * BLOCK
    for block_row, top in enumerate(range(0, height, BLOCK)):
        band = slice(top, min(height, top + BLOCK))
        background = np.zeros((BLOCK, padded_w), np.float32)
        background[: band.stop - top, :width] = 1.0 - alpha[band]
        values = np.zeros((BLOCK, padded_w, 3), np.float32)
        values[: band.stop - top, :width] = pixels[band]
        values *= background[..., None]
        colour[block_row] = values.reshape(BLOCK, cols, BLOCK, 3).sum(axis=(0, 2))
        weight[block_row] = background.reshape(BLOCK, cols, BLOCK).sum(axis=(0, 2))
    return colour, weight
