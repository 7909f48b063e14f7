"""JPEG XL originals: the container's boxes and the codestream's header, read before decoding.

The decoder (libjxl through pillow-jxl-plugin) decodes a whole file the moment it is opened, so
what must be refused is refused from the header first: pictures over the pixel limit,
animations (which frame a viewer shows is not the picture that would be redacted), and, for
now, pictures stored turned (orientation other than 1), whose handling by the decoder this
project has not yet verified. The box walk names every metadata box (EXIF, XMP, JUMBF, the
JPEG reconstruction data that carries an original JPEG's markers) without reading values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anonymize.errors import InputError
from anonymize.image.limits import check_size
from anonymize.image.metadata import MetadataItem
from anonymize.image.metadata.blocks import exif_items, unique_items, xmp_items

_CONTAINER = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
_BARE = b"\xff\x0a"
_STRUCTURAL = {b"JXL ", b"ftyp", b"jxll", b"jxlc", b"jxlp", b"jxli"}
_BOX_NAMES = {
    b"jbrd": "JPEG reconstruction data (the original JPEG's markers)",
    b"jumb": "JUMBF box (content credentials)",
    b"jhgm": "gain map",
}
# xsize = ysize * numerator / denominator for SizeHeader ratios 1..7.
_RATIOS = {1: (1, 1), 2: (12, 10), 3: (4, 3), 4: (3, 2), 5: (16, 9), 6: (5, 4), 7: (2, 1)}


def is_jxl(data: bytes) -> bool:
    """Whatever the decoder's plugin would take for JPEG XL (its test is looser than the signature)."""
    return data.startswith(_BARE) or data[4:7] == b"JXL"


@dataclass(frozen=True)
class Header:
    size: tuple[int, int]
    orientation: int
    animated: bool


class _Bits:
    """JPEG XL's bit reader: least significant bit first."""

    def __init__(self, data: bytes) -> None:
        self.data, self.position = data, 0

    def u(self, count: int) -> int:
        value = 0
        for shift in range(count):
            byte = self.position >> 3
            if byte >= len(self.data):
                raise ValueError("the codestream ends inside its header")
            value |= ((self.data[byte] >> (self.position & 7)) & 1) << shift
            self.position += 1
        return value

    def u32(self, *choices: tuple[int, int]) -> int:
        """U32(): two bits choose one of four (bits, offset) distributions."""
        bits, offset = choices[self.u(2)]
        return self.u(bits) + offset


_FULL = ((9, 1), (13, 1), (18, 1), (30, 1))  # SizeHeader's U32 distributions
_PREVIEW_DIV8 = ((0, 16), (0, 32), (5, 1), (9, 33))  # PreviewHeader's, in units of 8 pixels
_PREVIEW = ((6, 1), (8, 65), (10, 321), (12, 1345))


def _dimension(bits: _Bits, small: bool, preview: bool) -> int:
    if preview:
        return bits.u32(*_PREVIEW_DIV8) * 8 if small else bits.u32(*_PREVIEW)
    return (bits.u(5) + 1) * 8 if small else bits.u32(*_FULL)


def _size(bits: _Bits, preview: bool = False) -> tuple[int, int]:
    """A SizeHeader (or, with ``preview``, a PreviewHeader): (xsize, ysize)."""
    small = bool(bits.u(1))
    ysize = _dimension(bits, small, preview)
    ratio = bits.u(3)
    if ratio:
        numerator, denominator = _RATIOS[ratio]
        return ysize * numerator // denominator, ysize
    return _dimension(bits, small, preview), ysize


def check(path: Path, data: bytes, max_pixels: int) -> Header:
    """Refuse, from the header alone, what must never reach the decoder."""
    header = read_header(path, data)
    check_size(path, *header.size, max_pixels)
    if header.animated:
        raise InputError(path, "animated JPEG XL is not supported; export one still picture")
    if header.orientation != 1:
        raise InputError(
            path,
            f"JPEG XL stored turned (orientation {header.orientation}) is not read yet; "
            "export it upright, or as JPEG or PNG",
        )
    return header


def read_header(path: Path, data: bytes) -> Header:
    """The size, orientation and animation flag of the first codestream in ``data``."""
    try:
        stream = codestream(data)
        if not stream.startswith(_BARE):
            raise ValueError("no JPEG XL codestream")
        bits = _Bits(stream[2:])
        size = _size(bits)
        orientation, animated = 1, False
        if not bits.u(1) and bits.u(1):  # not all_default, and extra_fields
            orientation = 1 + bits.u(3)
            if bits.u(1):  # intrinsic size
                _size(bits)
            if bits.u(1):  # preview
                _size(bits, preview=True)
            animated = bool(bits.u(1))
    except (ValueError, KeyError) as err:
        raise InputError(path, f"truncated or corrupt JPEG XL: {err}") from None
    return Header(size, orientation, animated)


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, payload) boxes of a JPEG XL container, in order."""
    boxes, position = [], 0
    while position + 8 <= len(data):
        size, kind = int.from_bytes(data[position : position + 4], "big"), data[position + 4 : position + 8]
        start = position + 8
        if size == 1:
            size, start = int.from_bytes(data[start : start + 8], "big"), start + 8
        elif size == 0:
            size = len(data) - position
        if size < start - position or position + size > len(data):
            raise ValueError(f"box {kind!r} runs past the end of the file")
        boxes.append((kind, data[start : position + size]))
        position += size
    return boxes


def codestream(data: bytes) -> bytes:
    if data.startswith(_BARE):
        return data
    boxes = _boxes(data)
    for kind, payload in boxes:
        if kind == b"jxlc":
            return payload
    parts = [payload[4:] for kind, payload in boxes if kind == b"jxlp"]
    if not parts:
        raise ValueError("the container holds no codestream")
    return b"".join(parts)


def inventory(data: bytes) -> list[MetadataItem]:
    """Name every box that is not the picture itself (never its values)."""
    if data.startswith(_BARE):
        return []
    items: list[MetadataItem] = []
    try:
        boxes = _boxes(data)
    except ValueError as err:
        return [MetadataItem("JXL", f"unreadable container: {err}")]
    for kind, payload in boxes:
        if kind in _STRUCTURAL:
            continue
        if kind == b"Exif":
            items.extend(exif_items(_tiff_block(payload)))
        elif kind == b"xml ":
            items.extend(xmp_items(payload))
        elif kind == b"brob":
            items.append(MetadataItem("JXL", f"compressed {_name(payload[:4])} box"))
        else:
            items.append(MetadataItem("JXL", _BOX_NAMES.get(kind, f"{_name(kind)} box")))
    return unique_items(items)


def _tiff_block(payload: bytes) -> bytes:
    """An Exif box's TIFF block: after the 4-byte offset the format asks for (some writers omit it)."""
    if payload[:4] in (b"II*\x00", b"MM\x00*"):
        return payload
    return payload[4 + int.from_bytes(payload[:4], "big") :]


def _name(kind: bytes) -> str:
    return "".join(chr(b) if 32 < b < 127 else "?" for b in kind) or "?"
