"""Shared helpers: independent readers of what a file carries, and picture comparisons."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import exifread
import numpy as np
import pytest
from PIL import Image

from tests.dirty import scene

EXIFTOOL = shutil.which("exiftool")

# What exiftool may say about a clean file: the file system, the container's own structure,
# and values it computes. Anything else (EXIF, XMP, IPTC, ICC_Profile, MakerNotes, PNG text,
# Trailer...) is metadata that survived.
EXIFTOOL_ALLOWED_PNG = {"ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter", "Interlace"}
EXIFTOOL_ALLOWED_RIFF = {"VP8Version", "ImageWidth", "ImageHeight", "HorizontalScale", "VerticalScale"}


def exiftool_tags(path: Path) -> dict[str, object]:
    """Every tag exiftool finds, with duplicates and unknown tags, keyed ``Group:Name``."""
    assert EXIFTOOL is not None
    out = subprocess.run(
        [EXIFTOOL, "-json", "-a", "-u", "-G1", "-s", "-b", str(path)], capture_output=True, check=True, text=True
    ).stdout
    tags: dict[str, object] = json.loads(out)[0]
    return tags


def exiftool_leftovers(path: Path) -> list[str]:
    """Tags exiftool reports that a clean file must not have."""
    leftovers = []
    for key in exiftool_tags(path):
        group, _, name = key.partition(":")
        if key == "SourceFile" or group in {"ExifTool", "System", "File", "Composite", "JFIF"}:
            continue
        if group == "PNG" and name in EXIFTOOL_ALLOWED_PNG:
            continue
        if group == "RIFF" and name in EXIFTOOL_ALLOWED_RIFF:
            continue
        leftovers.append(key)
    return leftovers


def exifread_tags(path: Path) -> dict[str, object]:
    with open(path, "rb") as handle:
        tags: dict[str, object] = exifread.process_file(handle, details=True)
    return tags


def pixels_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity of two same-sized pictures, on luma, Gaussian window (Wang 2004)."""
    x = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
    y = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(v: np.ndarray) -> np.ndarray:
        out: np.ndarray = cv2.GaussianBlur(v, (11, 11), 1.5)
        return out

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    index = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(index.mean())


def detailed_picture(width: int = 320, height: int = 240, seed: int = 7) -> np.ndarray:
    """A picture with detail at every scale, standing in for a face: hard to redact by accident."""
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)
    fine = rng.normal(0, 25, (height, width, 3))
    yy, xx = np.mgrid[0:height, 0:width]
    rings = (np.sin(np.hypot(xx - width / 2, yy - height / 2) / 3.0) * 40)[..., None]
    picture: np.ndarray = np.clip(base.astype(np.float64) + fine + rings, 0, 255).astype(np.uint8)
    return picture


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write bytes to a file under tmp_path and return its path."""

    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def scene_jpeg(tmp_path: Path) -> Path:
    path = tmp_path / "scene.jpg"
    Image.fromarray(scene()).save(path, quality=95)
    return path
