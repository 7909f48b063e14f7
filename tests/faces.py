"""Pictures with known faces, composed from public-domain images that ship with test dependencies.

Faces: scikit-image's ``astronaut`` (Eileen Collins, NASA, public domain) and ``camera`` (CC0),
matplotlib's ``grace_hopper.jpg`` (US Navy, public domain) and the 100 face crops of scikit-image's
``lfw_subset`` (Labeled Faces in the Wild, 25x25 grey). Backgrounds: scikit-image pictures
without people. Every composite knows where its faces are, so tests and the recall benchmark
can check the output pixel by pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Portrait:
    """A picture of one person and where the face is in it (brows to chin, ear to ear)."""

    name: str
    pixels: np.ndarray
    face: Box


def _skimage(name: str) -> np.ndarray:
    from skimage import data

    return np.asarray(getattr(data, name)())


@cache
def astronaut() -> Portrait:
    return Portrait("astronaut", _skimage("astronaut"), (178, 58, 92, 120))


@cache
def grace_hopper() -> Portrait:
    import matplotlib.cbook

    with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
        pixels = np.asarray(image.convert("RGB"))
    return Portrait("grace_hopper", pixels, (172, 122, 182, 212))


@cache
def cameraman() -> Portrait:
    """scikit-image's ``camera`` (CC0 since scikit-image 0.18): a man behind a camera, grey."""
    return Portrait("cameraman", np.repeat(_skimage("camera")[:, :, None], 3, axis=2), (197, 114, 58, 80))


@cache
def lfw_faces() -> tuple[Portrait, ...]:
    """The 100 faces of scikit-image's LFW subset (the other 100 crops hold no face)."""
    crops = _skimage("lfw_subset")[:100]
    grey = (crops * 255).round().astype(np.uint8)
    return tuple(
        Portrait(f"lfw{i:03d}", np.repeat(face[:, :, None], 3, axis=2), (2, 2, 21, 23)) for i, face in enumerate(grey)
    )


@cache
def _background_source(name: str) -> np.ndarray:
    picture = _skimage(name)
    if picture.ndim == 2:
        picture = np.repeat(picture[:, :, None], 3, axis=2)
    return np.ascontiguousarray(picture[:, :, :3])


BACKGROUNDS = ("coffee", "rocket", "chelsea", "brick", "gravel", "hubble_deep_field", "coins", "page", "retina")


def background(name: str, width: int, height: int, seed: int = 0) -> np.ndarray:
    """A scikit-image picture without people, resized to ``width`` x ``height``, with fine grain."""
    picture = cv2.resize(_background_source(name), (width, height), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(seed)
    grain = rng.normal(0, 3, size=(height, width, 1)).astype(np.float32)
    noisy: np.ndarray = np.clip(picture.astype(np.float32) + grain, 0, 255).astype(np.uint8)
    return noisy


@dataclass
class Composite:
    """A picture and the boxes of every face in it."""

    pixels: np.ndarray
    faces: list[Box] = field(default_factory=list)


def paste(
    canvas: Composite,
    portrait: Portrait,
    face_width: int,
    at: tuple[int, int],
    *,
    context: float = 0.9,
    angle: float = 0.0,
    alpha: float = 1.0,
    mirror: bool = False,
) -> Box:
    """Paste ``portrait`` scaled so its face is ``face_width`` pixels wide, its face's top-left
    corner at ``at``, with ``context`` face-widths of the surrounding picture on each side,
    rotated by ``angle`` degrees, blended with ``alpha`` (a face behind glass), optionally mirrored.
    Returns the face box in the canvas (of the rotated face's bounding box, clipped)."""
    fx, fy, fw, fh = portrait.face
    scale = face_width / fw
    src = portrait.pixels[:, ::-1] if mirror else portrait.pixels
    if mirror:
        fx = src.shape[1] - fx - fw
    pad = context * fw
    x0, y0 = max(0, math.floor(fx - pad)), max(0, math.floor(fy - pad))
    x1, y1 = min(src.shape[1], math.ceil(fx + fw + pad)), min(src.shape[0], math.ceil(fy + fh + pad))
    crop = src[y0:y1, x0:x1]
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    piece = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    left_x, top_y = fx - x0, fy - y0  # the face's corners inside the piece
    face = np.array([[left_x, top_y], [left_x + fw, top_y], [left_x, top_y + fh], [left_x + fw, top_y + fh]]) * scale
    mask = np.full(piece.shape[:2], 255, np.uint8)
    if angle:
        h, w = piece.shape[:2]
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
        nw, nh = math.ceil(h * sin + w * cos), math.ceil(h * cos + w * sin)
        rot[0, 2] += nw / 2 - w / 2
        rot[1, 2] += nh / 2 - h / 2
        piece = cv2.warpAffine(piece, rot, (nw, nh), flags=cv2.INTER_LINEAR)
        mask = cv2.warpAffine(mask, rot, (nw, nh), flags=cv2.INTER_NEAREST)
        face = np.hstack([face, np.ones((4, 1))]) @ rot.T
    left, top = at[0] - math.floor(face[:, 0].min()), at[1] - math.floor(face[:, 1].min())
    frame = canvas.pixels
    h, w = piece.shape[:2]
    cx0, cy0 = max(0, left), max(0, top)
    cx1, cy1 = min(frame.shape[1], left + w), min(frame.shape[0], top + h)
    if cx0 >= cx1 or cy0 >= cy1:
        raise ValueError("the face lands outside the picture")
    part = piece[cy0 - top : cy1 - top, cx0 - left : cx1 - left].astype(np.float32)
    weight = (mask[cy0 - top : cy1 - top, cx0 - left : cx1 - left, None] > 0) * alpha
    region = frame[cy0:cy1, cx0:cx1].astype(np.float32)
    frame[cy0:cy1, cx0:cx1] = np.clip(region * (1 - weight) + part * weight, 0, 255).astype(np.uint8)
    bx0, by0 = max(0, left + math.floor(face[:, 0].min())), max(0, top + math.floor(face[:, 1].min()))
    bx1 = min(frame.shape[1], left + math.ceil(face[:, 0].max()))
    by1 = min(frame.shape[0], top + math.ceil(face[:, 1].max()))
    box = (bx0, by0, bx1 - bx0, by1 - by0)
    canvas.faces.append(box)
    return box


def darken(pixels: np.ndarray, factor: float = 0.25, noise: float = 10.0, seed: int = 0) -> np.ndarray:
    """A dim room at high ISO: light scaled down, then sensor noise on every channel."""
    rng = np.random.default_rng(seed)
    dark = pixels.astype(np.float32) * factor + rng.normal(0, noise, size=pixels.shape).astype(np.float32)
    dim: np.ndarray = np.clip(dark, 0, 255).astype(np.uint8)
    return dim


def face_coverage(mask: np.ndarray, box: Box) -> float:
    """Share of a face box's pixels inside a redaction ``mask`` (True where redacted)."""
    x, y, w, h = box
    return float(mask[y : y + h, x : x + w].mean())
