"""One inspector per container format (JPEG, PNG, WebP, TIFF, HEIF, AVIF), walking the file's own
structure, and ``inspect``, which picks the inspector by format."""

from __future__ import annotations

import re
import struct
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from PIL import ExifTags, Image, TiffTags

from anonymize.errors import printable
from anonymize.image.metadata.blocks import (
    EXIF_POINTERS,
    MetadataItem,
    exif_items,
    iptc_items,
    photoshop_items,
    tag_name,
    unique_items,
    xmp_items,
)


class Inspector(ABC):
    """Lists the metadata of one container format from the file's bytes."""

    #: Pillow format names this inspector reads.
    formats: ClassVar[tuple[str, ...]]

    @abstractmethod
    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        """Return every non-pixel block of ``data``; ``image`` is the opened file when at hand."""


@dataclass(frozen=True)
class JpegSegment:
    """One marker segment of a JPEG stream."""

    marker: int
    start: int  # offset of the 0xFF of the marker
    payload: bytes


# In entropy-coded data, 0xFF is followed by 0x00 (stuffing), RSTn or another 0xFF (fill).
_JPEG_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def jpeg_segments(data: bytes, start: int = 0) -> tuple[list[JpegSegment], int]:
    """Walk one JPEG stream from its SOI; return its segments and the offset just after its EOI.

    Raises ``ValueError`` when the stream is not a well-formed sequence of segments.
    """
    if data[start : start + 2] != b"\xff\xd8":
        raise ValueError("no JPEG start-of-image marker")
    segments = [JpegSegment(0xD8, start, b"")]
    pos = start + 2
    while True:
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise ValueError(f"expected a marker at byte {pos}")
        while data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
            if pos + 2 > len(data):
                raise ValueError("stream ends inside fill bytes")
        marker = data[pos + 1]
        if marker == 0xD9:
            segments.append(JpegSegment(marker, pos, b""))
            return segments, pos + 2
        if marker in _STANDALONE:
            segments.append(JpegSegment(marker, pos, b""))
            pos += 2
            continue
        if pos + 4 > len(data):
            raise ValueError(f"segment header cut off at byte {pos}")
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if length < 2 or pos + 2 + length > len(data):
            raise ValueError(f"segment 0xFF{marker:02X} at byte {pos} runs past the end")
        segments.append(JpegSegment(marker, pos, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip the entropy-coded data to the next marker
            found = _JPEG_MARKER_IN_SCAN.search(data, pos)
            if found is None:
                raise ValueError("scan data runs to the end of the file without an end marker")
            pos = found.start()


_APP_IDENTIFIERS: list[tuple[int, bytes, str]] = [
    (0xE1, b"Exif\0", "EXIF"),
    (0xE1, b"http://ns.adobe.com/xap/1.0/\0", "XMP"),
    (0xE1, b"http://ns.adobe.com/xmp/extension/\0", "XMP-extended"),
    (0xE2, b"ICC_PROFILE\0", "ICC_Profile"),
    (0xE2, b"MPF\0", "MPF"),
    (0xED, b"Photoshop 3.0\0", "Photoshop"),
    (0xEB, b"JP", "JUMBF"),  # C2PA content credentials live in APP11 JUMBF boxes
]


class JpegInspector(Inspector):
    """JPEG and MPO: APPn segments, comments, JFIF thumbnails, and anything after the image."""

    formats = ("JPEG", "MPO")

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        try:
            segments, end = jpeg_segments(data)
        except ValueError as err:
            return [MetadataItem("JPEG", f"unreadable structure: {err}")]
        items: list[MetadataItem] = []
        for segment in segments:
            items.extend(self._segment_items(segment))
        if sum(1 for s in segments if 0xC0 <= s.marker <= 0xCF and s.marker not in (0xC4, 0xC8, 0xCC)) > 1:
            items.append(MetadataItem("JPEG", "more than one frame header"))
        trailer = data[end:]
        if trailer:
            images = trailer.count(b"\xff\xd8\xff")
            items.append(MetadataItem("Trailer", f"{len(trailer)} bytes after the end of the image"))
            if images:
                items.append(MetadataItem("Trailer", f"{images} embedded JPEG image(s)"))
        return unique_items(items)

    @staticmethod
    def _segment_items(segment: JpegSegment) -> list[MetadataItem]:
        marker, payload = segment.marker, segment.payload
        if marker == 0xFE:
            return [MetadataItem("JPEG", "Comment")]
        if marker == 0xE0:
            if payload.startswith(b"JFIF\0"):
                # JFIF is structural, but version 1.02 allows an uncompressed thumbnail in it.
                if len(payload) >= 14 and payload[12] * payload[13] > 0:
                    return [MetadataItem("JFIF", "ThumbnailImage")]
                return []
            if payload.startswith(b"JFXX\0"):
                return [MetadataItem("JFXX", "ThumbnailImage")]
        if marker == 0xEE and payload.startswith(b"Adobe"):
            return []  # colour transform flag, needed to decode; never copied anyway
        if not 0xE0 <= marker <= 0xEF:
            return []
        for app, prefix, group in _APP_IDENTIFIERS:
            if marker == app and payload.startswith(prefix):
                body = payload[len(prefix) :]
                if group == "EXIF":
                    return exif_items(body.lstrip(b"\0"))
                if group == "XMP":
                    return xmp_items(body)
                if group == "Photoshop":
                    return photoshop_items(body)
                return [MetadataItem(group, group)]
        ident = payload.split(b"\0", 1)[0][:24].decode("latin-1")
        return [MetadataItem("JPEG", f"APP{marker - 0xE0} {printable(ident, 24)}".rstrip())]


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_STRUCTURAL = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"sBIT", b"gAMA", b"cHRM", b"sRGB"}
_PNG_NAMES = {
    b"eXIf": "EXIF", b"iCCP": "ICC_Profile", b"tIME": "ModifyDate", b"pHYs": "PixelsPerUnit",
    b"bKGD": "BackgroundColor", b"hIST": "PaletteHistogram", b"sPLT": "SuggestedPalette",
    b"acTL": "AnimationControl", b"fcTL": "AnimationFrame", b"fdAT": "AnimationFrameData",
    b"caBX": "C2PA", b"cICP": "CICodingPoints", b"mDCV": "MasteringDisplay", b"cLLI": "ContentLight",
}  # fmt: skip


# Keywords registered for PNG text, and the ones ImageMagick and Adobe write. Any other keyword
# is free text chosen by whoever wrote the file (it could be a name), so it is not repeated.
_PNG_KEYWORDS = {
    "Title", "Author", "Description", "Copyright", "Creation Time", "Software", "Disclaimer", "Warning",
    "Source", "Comment", "XML:com.adobe.xmp", "Raw profile type exif", "Raw profile type iptc",
    "Raw profile type xmp", "Raw profile type APP1", "Raw profile type 8bim", "Raw profile type icc",
    "date:create", "date:modify", "date:timestamp", "exif:DateTime", "Label", "Collection",
}  # fmt: skip


def _png_keyword(keyword: str) -> str:
    return keyword if keyword in _PNG_KEYWORDS else "(custom keyword)"


class PngInspector(Inspector):
    """PNG: ancillary chunks (text, EXIF, ICC, time, animation) and anything after IEND."""

    formats = ("PNG",)

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        if not data.startswith(_PNG_SIGNATURE):
            return [MetadataItem("PNG", "unreadable structure: no PNG signature")]
        items: list[MetadataItem] = []
        pos = len(_PNG_SIGNATURE)
        while True:
            if pos + 12 > len(data):
                items.append(MetadataItem("PNG", "unreadable structure: no IEND chunk"))
                return unique_items(items)
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            body = data[pos + 8 : pos + 8 + length]
            pos += 12 + length
            if kind in (b"tEXt", b"zTXt", b"iTXt"):
                keyword = body.split(b"\0", 1)[0][:79].decode("latin-1")
                items.append(MetadataItem(f"PNG:{kind.decode()}", _png_keyword(keyword)))
            elif kind == b"eXIf":
                items.extend(exif_items(body))
            elif kind == b"IEND":
                break
            elif kind not in _PNG_STRUCTURAL:
                label = _PNG_NAMES.get(kind, printable(kind.decode("latin-1"), 4))
                items.append(MetadataItem("PNG", label))
        if pos < len(data):
            items.append(MetadataItem("Trailer", f"{len(data) - pos} bytes after the end of the image"))
        return unique_items(items)


_RIFF_STRUCTURAL = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


class WebpInspector(Inspector):
    """WebP: RIFF chunks other than the bitstream (EXIF, XMP, ICC, animation) and any trailer."""

    formats = ("WEBP",)

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
            return [MetadataItem("RIFF", "unreadable structure: not a RIFF WebP file")]
        riff_end = 8 + struct.unpack("<I", data[4:8])[0]
        items: list[MetadataItem] = []
        pos = 12
        while pos + 8 <= min(riff_end, len(data)):
            kind, size = struct.unpack("<4sI", data[pos : pos + 8])
            body = data[pos + 8 : pos + 8 + size]
            pos += 8 + size + (size % 2)
            if kind == b"EXIF":
                items.extend(exif_items(body))
            elif kind == b"XMP ":
                items.extend(xmp_items(body))
            elif kind == b"ICCP":
                items.append(MetadataItem("ICC_Profile", "ICC_Profile"))
            elif kind in (b"ANIM", b"ANMF"):
                items.append(MetadataItem("RIFF", "animation frames"))
            elif kind == b"VP8X":
                # Flags announce ICC (0x20), EXIF (0x08), XMP (0x04) and animation (0x02).
                if body and body[0] & 0x2E:
                    items.append(MetadataItem("RIFF", "extended-format flags for metadata"))
            elif kind not in _RIFF_STRUCTURAL:
                items.append(MetadataItem("RIFF", printable(kind.decode("latin-1"), 4).strip()))
        if riff_end > len(data):
            items.append(MetadataItem("RIFF", "unreadable structure: RIFF size exceeds the file"))
        elif riff_end < len(data):
            items.append(MetadataItem("Trailer", f"{len(data) - riff_end} bytes after the end of the image"))
        return unique_items(items)


# Tags a TIFF reader needs to draw the first page; everything else in IFD0 is reported.
_TIFF_STRUCTURAL = {
    254, 255, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 320, 322, 323, 324, 325,
    338, 339, 347, 529, 530, 531, 532,
}  # fmt: skip


class TiffInspector(Inspector):
    """TIFF: the first page's descriptive tags, the EXIF and GPS IFDs, and further pages."""

    formats = ("TIFF",)

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        if image is None:
            return [MetadataItem("TIFF", "TIFF inventory needs the opened file")]
        tags = getattr(image, "tag_v2", {})
        items: list[MetadataItem] = []
        for tag, value in tags.items():
            if tag in _TIFF_STRUCTURAL:
                continue
            if tag == 700:
                items.extend(xmp_items(_as_bytes(value)))
            elif tag == 33723:
                items.extend(iptc_items(_as_bytes(value)))
            elif tag == 34377:
                items.extend(photoshop_items(_as_bytes(value)))
            elif tag == 34675:
                items.append(MetadataItem("ICC_Profile", "ICC_Profile"))
            elif tag in EXIF_POINTERS:
                continue  # opened below through getexif()
            else:
                items.append(MetadataItem("TIFF:IFD0", TiffTags.lookup(tag).name))
        exif = image.getexif()
        for ifd, group, table in (
            (ExifTags.IFD.Exif, "EXIF:ExifIFD", ExifTags.TAGS),
            (ExifTags.IFD.GPSInfo, "EXIF:GPS", ExifTags.GPSTAGS),
        ):
            try:
                sub = exif.get_ifd(ifd)
            except Exception:
                items.append(MetadataItem(group, "unreadable IFD"))
                continue
            items.extend(MetadataItem(group, tag_name(table, t)) for t in sub)
        pages = getattr(image, "n_frames", 1)
        if pages > 1:
            items.append(MetadataItem("TIFF", f"{pages - 1} further page(s) or preview(s)"))
        return unique_items(items)


class HeifInspector(Inspector):
    """HEIF/HEIC: EXIF, XMP, ICC, thumbnails, depth and auxiliary images, further images."""

    formats = ("HEIF",)

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        if image is None:
            return [MetadataItem("HEIF", "HEIF inventory needs the opened file")]
        return _heif_items(image.info, getattr(image, "n_frames", 1), with_blocks=True)


def _heif_items(info: Mapping[Any, Any], frames: int, with_blocks: bool) -> list[MetadataItem]:
    """The HEIF container's items as pi-heif lists them (EXIF, XMP and ICC too when ``with_blocks``)."""
    items: list[MetadataItem] = []
    if with_blocks:
        if info.get("exif"):
            items.extend(exif_items(_as_bytes(info["exif"])))
        if info.get("xmp"):
            items.extend(xmp_items(_as_bytes(info["xmp"])))
        if info.get("icc_profile"):
            items.append(MetadataItem("ICC_Profile", "ICC_Profile"))
    for block in _listed(info.get("metadata")):
        kind = block.get("type", "?") if isinstance(block, dict) else "?"
        items.append(MetadataItem("HEIF", f"metadata block {printable(str(kind), 24)}"))
    for key, label in (("thumbnails", "thumbnail(s)"), ("depth_images", "depth image(s)")):
        if _listed(info.get(key)):
            items.append(MetadataItem("HEIF", f"{len(_listed(info.get(key)))} {label}"))
    aux = info.get("aux")
    if isinstance(aux, dict) and aux:
        items.append(MetadataItem("HEIF", f"{sum(len(v) for v in aux.values())} auxiliary image(s)"))
    if frames > 1:
        items.append(MetadataItem("HEIF", f"{frames - 1} further top-level image(s)"))
    return unique_items(items)


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


class AvifInspector(Inspector):
    """AVIF: EXIF, XMP and ICC as Pillow reads them, and the container's other items as libheif lists them."""

    formats = ("AVIF",)

    def inspect(self, data: bytes, image: Image.Image | None = None) -> list[MetadataItem]:
        import io

        import pi_heif

        # Pillow's info holds EXIF, XMP and ICC only: the blocks part of the HEIF listing.
        items = _heif_items(image.info if image is not None else {}, 1, with_blocks=True)
        try:  # libheif parses AVIF containers without decoding AV1: thumbnails, depth, auxiliary items
            container = pi_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
            listed = _heif_items(container.info, len(container), with_blocks=False)
        except Exception:
            listed = [MetadataItem("AVIF", "container items not listed (libheif could not parse them)")]
        return unique_items(items + listed)


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, tuple | list):
        return bytes(int(v) & 0xFF for v in value)  # Pillow may give IPTC as a tuple of ints
    return str(value).encode("utf-8", "replace")


INSPECTORS: dict[str, Inspector] = {
    name: inspector
    for inspector in (
        JpegInspector(),
        PngInspector(),
        WebpInspector(),
        TiffInspector(),
        HeifInspector(),
        AvifInspector(),
    )
    for name in inspector.formats
}


def inspect(data: bytes, pillow_format: str, image: Image.Image | None = None) -> list[MetadataItem]:
    """List every metadata block of ``data``, a file in ``pillow_format``.

    Never raises: a structure that cannot be walked is itself reported, which fails the
    verification of an output and shows in the report of an original.
    """
    try:
        inspector = INSPECTORS[pillow_format]
    except KeyError:
        return [MetadataItem("File", f"no inspector for format {pillow_format}")]
    try:
        return inspector.inspect(data, image)
    except Exception as err:  # hostile structure: Pillow raises TypeError, SyntaxError, ...
        return [MetadataItem(pillow_format, f"unreadable structure: {printable(str(err), 80)}")]
