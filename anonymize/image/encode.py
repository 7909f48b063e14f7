"""Encode a pixel array into a fresh file: one class per output format, one fixed setting each.

Nothing reaches the encoder but the array. A new ``Image`` is built from it, so no ``info`` of
the source (comment, ICC profile, EXIF, XMP) can ride along into ``save``, and every option that
could write metadata is passed explicitly empty. One setting per format keeps every published
file alike: quantisation tables and encoder choices say nothing about the camera.
"""

from __future__ import annotations

import io
from abc import ABC
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from anonymize.errors import InputError


class Encoder(ABC):
    """Writes RGB pixels in one format with its fixed settings."""

    format: ClassVar[str]  # Pillow's name for the format
    suffixes: ClassVar[tuple[str, ...]]
    media_type: ClassVar[str]
    lossless: ClassVar[bool]
    options: ClassVar[dict[str, Any]]
    #: Longest side the format can hold.
    max_side: ClassVar[int] = 2**31 - 1
    #: Keys Pillow reports in ``info`` for a clean file of this format (structure, not metadata).
    structural_info: ClassVar[frozenset[str]] = frozenset()

    def encode(self, pixels: np.ndarray) -> bytes:
        """Return the encoded bytes of an (h, w, 3) uint8 array."""
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ValueError(f"expected an (h, w, 3) uint8 array, got {pixels.shape} {pixels.dtype}")
        image = Image.fromarray(pixels, "RGB")
        if image.info:  # a fresh image has none; anything here would be a leak waiting to happen
            raise AssertionError(f"fresh image carries info keys {sorted(image.info)}")
        buffer = io.BytesIO()
        image.save(buffer, format=self.format, **self.options)
        return buffer.getvalue()


class JpegEncoder(Encoder):
    """Baseline JPEG, quality 90, 4:2:0, optimised Huffman tables, JFIF header only."""

    format = "JPEG"
    suffixes = (".jpg", ".jpeg")
    media_type = "image/jpeg"
    lossless = False
    # exif/comment/icc_profile/xmp given empty so Pillow cannot fall back to anything else.
    options = {"quality": 90, "subsampling": 2, "optimize": True, "progressive": False,
               "exif": b"", "comment": b"", "icc_profile": None, "xmp": b""}  # fmt: skip
    structural_info = frozenset({"jfif", "jfif_version", "jfif_unit", "jfif_density"})
    max_side = 65_500


class PngEncoder(Encoder):
    """PNG, zlib level 6, IHDR/IDAT/IEND only."""

    format = "PNG"
    suffixes = (".png",)
    media_type = "image/png"
    lossless = True
    options = {"compress_level": 6, "optimize": False, "exif": b"", "icc_profile": None, "pnginfo": None}


class WebpEncoder(Encoder):
    """Lossy WebP, quality 85, method 4, simple (VP8) container."""

    format = "WEBP"
    suffixes = (".webp",)
    media_type = "image/webp"
    lossless = False
    max_side = 16_383
    options = {"quality": 85, "method": 4, "lossless": False, "exact": False,
               "exif": b"", "icc_profile": None, "xmp": b""}  # fmt: skip
    # Pillow's WebP decoder reports animation defaults for every file, stills included; real
    # animation chunks are caught by the RIFF walk of the metadata inventory.
    structural_info = frozenset({"background", "duration", "loop", "timestamp"})


ENCODERS: dict[str, Encoder] = {
    suffix: encoder for encoder in (JpegEncoder(), PngEncoder(), WebpEncoder()) for suffix in encoder.suffixes
}


def check_fits(encoder: Encoder, path: Path, size: tuple[int, int]) -> None:
    """Refuse, before any work, a picture too large for the output format."""
    if max(size) > encoder.max_side:
        raise InputError(
            path,
            f"a {size[0]}x{size[1]} picture does not fit {path.suffix} (at most {encoder.max_side} pixels a side); "
            "write .png",
        )


def encoder_for(path: Path) -> Encoder:
    """The encoder for an output path, chosen by its suffix."""
    try:
        return ENCODERS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(ENCODERS))
        raise InputError(path, f"cannot write {path.suffix or 'files without a suffix'} (use one of {known})") from None
