"""Redaction styles: what replaces the pixels of a region, behind a small registry.

``solid`` (the default) leaves nothing of the region. ``pixelate`` and ``blur`` are stylistic
choices, made strong enough to destroy identity (a handful of cells across the region, coarse
colour steps) and noised, so that neither inversion nor matching against candidate faces with
the same operation works (McPherson et al. 2016 defeated 16-pixel mosaics of 112-pixel faces).
Every style writes through the region's hard-edged mask; pixels outside it are left bit-identical.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from typing import ClassVar

import cv2
import numpy as np

from anonymize.config import Style
from anonymize.image.detect.tiles import union
from anonymize.image.plan import RedactionPlan
from anonymize.image.regions import covered_within


class RedactionStyle(ABC):
    """Makes replacement pixels for one region's bounding-box crop."""

    name: ClassVar[Style]
    description: ClassVar[str]

    @abstractmethod
    def replacement(self, crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return an array shaped like ``crop`` (h, w, 3 uint8) to show instead of it."""


class Solid(RedactionStyle):
    """An opaque fill: no trace of the region survives."""

    name = Style.SOLID
    description = "opaque fill (default; nothing of the region survives)"
    colour: ClassVar[tuple[int, int, int]] = (0, 0, 0)

    def replacement(self, crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.colour, dtype=np.uint8), crop.shape)


def _noise(shape: tuple[int, ...], sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Noise that is mostly shared by the three channels: it hides values without painting hues."""
    shared = rng.normal(0.0, sigma, size=(*shape[:-1], 1))
    noise: np.ndarray = shared + rng.normal(0.0, sigma / 4, size=shape)
    return noise


def _to_uint8(values: np.ndarray) -> np.ndarray:
    clipped: np.ndarray = np.clip(np.rint(values), 0, 255)
    return clipped.astype(np.uint8)


class Pixelate(RedactionStyle):
    """A coarse mosaic: at most ``cells`` blocks across the longer side, quantised and noised."""

    name = Style.PIXELATE
    description = "coarse noised mosaic (stylistic; never the default)"
    cells: ClassVar[int] = 4
    step: ClassVar[int] = 24  # colour quantisation step per channel

    def replacement(self, crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        height, width = crop.shape[:2]
        block = max(4, math.ceil(max(height, width) / self.cells))
        rows, cols = math.ceil(height / block), math.ceil(width / block)
        small = cv2.resize(crop, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float64)
        small += _noise(small.shape, 18.0, rng)
        small = np.floor(small / self.step) * self.step + self.step / 2
        big = np.repeat(np.repeat(small, block, axis=0), block, axis=1)[:height, :width]
        return _to_uint8(big + _noise(big.shape, 6.0, rng))


class Blur(RedactionStyle):
    """A very strong blur: the region shrunk to a few noised pixels, smoothed back up, grain added."""

    name = Style.BLUR
    description = "very strong noised blur (stylistic; never the default)"
    cells: ClassVar[int] = 4

    def replacement(self, crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        height, width = crop.shape[:2]
        scale = self.cells / max(height, width)
        small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(crop, small_size, interpolation=cv2.INTER_AREA).astype(np.float64)
        small = small + _noise(small.shape, 20.0, rng)
        smooth = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
        sigma = max(height, width) / (2.0 * self.cells)
        smooth = cv2.GaussianBlur(smooth, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)
        return _to_uint8(smooth.reshape(crop.shape) + _noise(crop.shape, 5.0, rng))


STYLES: dict[str, RedactionStyle] = {style.name: style for style in (Solid(), Pixelate(), Blur())}


def redact(pixels: np.ndarray, plan: RedactionPlan, style: RedactionStyle, seed: str) -> np.ndarray:
    """Return a copy of ``pixels`` with every planned region replaced through its mask, in the
    region's own style if it has one, else in ``style``.

    ``seed`` (the original's hash) makes the noise reproducible for the same input, so builds
    are deterministic, yet unknowable to anyone who does not hold the original.
    """
    out = pixels.copy()
    for planned in plan.regions:
        own = STYLES[planned.request.style] if planned.request.style else style
        x0, y0, x1, y1 = planned.bounds
        mask = planned.mask()
        digest = hashlib.sha256(f"{seed}|{own.name}|{planned.index}|{planned.bounds}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:16], "big"))
        crop = out[y0:y1, x0:x1]
        crop[mask] = own.replacement(crop, rng)[mask]
    return out


#: How far around the redacted regions ``unboxed`` looks for the colours it fills them with: a
#: share of each region's longer side.
AROUND = 0.5


def unboxed(pixels: np.ndarray, plan: RedactionPlan) -> np.ndarray:
    """A copy of a redacted picture with each region filled smoothly from the colours around it,
    for the text searches after redaction.

    Those searches ask whether anything legible is left beside what was covered. A row of black
    boxes on a light car or a wall is, to the text detector, a line of huge letters; filled with
    what surrounds them they are nothing, while writing beside them (half a sign left uncovered)
    is as it was: every pixel outside the regions is the file's. The fill is a pull-push
    pyramid: the mean of the pixels around, coarser where the hole is wider, without an edge of
    its own.
    """
    height, width = pixels.shape[:2]
    windows = []
    for planned in plan.regions:
        x0, y0, x1, y1 = planned.bounds
        reach = max(8, math.ceil(AROUND * max(x1 - x0, y1 - y0)))
        windows.append((max(0, x0 - reach), max(0, y0 - reach), min(width, x1 + reach), min(height, y1 + reach)))
    view = pixels.copy()
    for window in union(windows):
        x0, y0, x1, y1 = window
        hole = covered_within((planned.request.region for planned in plan.regions), window)
        if hole.all():
            continue
        filled = _pull_push(pixels[y0:y1, x0:x1].astype(np.float32), (~hole).astype(np.float32))
        view[y0:y1, x0:x1][hole] = filled[hole]
    return view


def _pull_push(colours: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Every pixel of ``colours`` (H x W x 3) where ``known`` is 0 filled from the known ones."""
    levels = [(colours * known[..., None], known)]
    while levels[-1][1].min() <= 0 and min(levels[-1][1].shape) > 1:
        sums, weights = levels[-1]
        size = (max(1, weights.shape[1] // 2), max(1, weights.shape[0] // 2))
        levels.append(
            (
                cv2.resize(sums, size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0], 3),
                cv2.resize(weights, size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0]),
            )
        )
    sums, weights = levels[-1]
    result = sums / np.maximum(weights, 1e-6)[..., None]
    for sums, weights in reversed(levels[:-1]):
        up = cv2.resize(result, (weights.shape[1], weights.shape[0]), interpolation=cv2.INTER_LINEAR)
        up = up.reshape(weights.shape[0], weights.shape[1], 3)
        confident = np.minimum(weights * 4, 1.0)[..., None]  # a quarter known is as good as all of it
        mean = sums / np.maximum(weights, 1e-6)[..., None]
        result = mean * confident + up * (1 - confident)
    filled: np.ndarray = np.clip(np.rint(result), 0, 255).astype(np.uint8)
    return filled
