"""Camera RAW and DNG originals, developed plainly through LibRaw (rawpy).

LibRaw is the decoder behind darktable, RawTherapee's fallbacks, digiKam and ImageMagick's RAW
delegate; rawpy ships it in its wheels (no system library, no network), for every camera
format LibRaw knows. Development is deliberately plain and the same every run: the white
balance the camera recorded, sRGB primaries and sRGB's tone curve, 8 bits, AHD demosaicing,
no automatic brightening (a dark frame stays dark, as the photographer exposed it), and the
orientation the camera recorded applied. Only the sensor data is developed: the embedded
JPEG previews, maker notes and serial numbers are never decoded, only named in the report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from anonymize.errors import InputError, printable
from anonymize.image.limits import check_size
from anonymize.image.metadata import MetadataItem
from anonymize.image.metadata.blocks import exif_items, unique_items

#: File name endings of the RAW formats LibRaw develops (matched case-insensitively).
RAW_SUFFIXES = frozenset({
    ".dng", ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".rwl",
    ".pef", ".srw", ".x3f", ".3fr", ".fff", ".iiq", ".erf", ".mef", ".mos", ".mrw", ".kdc", ".dcr", ".raw",
})  # fmt: skip
#: Leading bytes of RAW formats that are not TIFF-structured.
_SIGNATURES = (b"FUJIFILMCCD-RAW", b"IIRO", b"IIRS", b"MMOR", b"IIU\x00", b"II\x1a\x00\x00\x00HEAPCCDR", b"FOVb")
_DNG_VERSION = b"\x12\xc6"  # tag 50706, little-endian, as it appears in an IFD entry


@dataclass(frozen=True)
class Developed:
    """A developed RAW frame, upright, and what the file held besides the sensor data."""

    pixels: np.ndarray  # (height, width, 3) uint8 sRGB, as the camera recorded it turned
    stored_size: tuple[int, int]  # the sensor's visible area before turning
    orientation: int  # the EXIF orientation LibRaw applied (1 when none)
    metadata: tuple[MetadataItem, ...]


def is_raw(path: Path, data: bytes) -> bool:
    """Whether ``data`` is a RAW or DNG file: by its name's ending, its signature, or a DNGVersion tag."""
    if path.suffix.lower() in RAW_SUFFIXES or data.startswith(_SIGNATURES):
        return True
    if data[4:12] == b"ftypcrx ":
        return True  # Canon CR3
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _has_dng_version(data)
    return False


def _has_dng_version(data: bytes) -> bool:
    """Whether IFD0 of a TIFF-structured file has a DNGVersion tag (a DNG named .tif is still a DNG)."""
    order: Literal["little", "big"] = "little" if data[:2] == b"II" else "big"
    offset = int.from_bytes(data[4:8], order)
    if offset + 2 > len(data):
        return False
    count = int.from_bytes(data[offset : offset + 2], order)
    for i in range(min(count, 1000)):
        entry = offset + 2 + 12 * i
        if entry + 2 > len(data):
            break
        if int.from_bytes(data[entry : entry + 2], order) == 50706:
            return True
    return False


_MIN_PIXELS_PER_BYTE = 32
_FLIPS = {0: 1, 3: 3, 5: 8, 6: 6}  # LibRaw's sizes.flip -> EXIF orientation


def develop(path: Path, data: bytes, max_pixels: int) -> Developed:
    """Develop the sensor data of ``data``, refusing frames over ``max_pixels`` before decoding them."""
    import rawpy  # imported here: a run without RAW originals never loads LibRaw

    try:
        raw = rawpy.imread(io.BytesIO(data))
    except Exception as err:  # LibRaw raises its own error types on unknown or damaged files
        raise InputError(path, f"not a camera RAW or DNG file LibRaw can read ({_reason(err)})") from None
    with raw:
        sizes = raw.sizes
        width, height = sizes.width, sizes.height
        check_size(path, width, height, max_pixels)
        sensor = sizes.raw_width * sizes.raw_height
        if len(data) * _MIN_PIXELS_PER_BYTE < sensor:
            # LibRaw reads past the end of a cut-short file as black and says nothing; even the
            # lossiest DNG keeps well over a quarter of a bit for every sensor pixel.
            raise InputError(
                path,
                f"truncated RAW file: {len(data):,} bytes cannot hold the image data of a "
                f"{sizes.raw_width}x{sizes.raw_height} sensor",
            )
        try:
            rgb = raw.postprocess(
                use_camera_wb=True,
                no_auto_bright=True,
                output_color=rawpy.ColorSpace.sRGB,
                gamma=(2.4, 12.92),
                output_bps=8,
                demosaic_algorithm=rawpy.DemosaicAlgorithm.AHD,
            )
        except Exception as err:
            raise InputError(path, f"truncated or corrupt RAW file: {_reason(err)}") from None
        orientation = _FLIPS.get(int(sizes.flip), 1)
    pixels = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)[..., :3])
    return Developed(pixels, (width, height), orientation, tuple(inventory(data)))


def inventory(data: bytes) -> list[MetadataItem]:
    """Name what a RAW file carries besides the sensor data (never its values)."""
    items: list[MetadataItem] = [MetadataItem("RAW", "embedded previews, maker notes and camera settings")]
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        items.extend(exif_items(data, "RAW"))
    return unique_items(items)


def _reason(err: Exception) -> str:
    """LibRaw's words for ``err``: rawpy gives them as the repr of bytes (``b'...'``)."""
    text = str(err).strip()
    if len(text) > 3 and text[:2] in ("b'", 'b"') and text[-1] == text[1]:
        text = text[2:-1]
    if text == "Input/output error":
        text = "the file ends before its image data does"
    return printable(text.splitlines()[0] if text else type(err).__name__, 120)
