"""The metadata blocks pictures carry, read for their names: EXIF tags by IFD, XMP properties,
IPTC datasets, Photoshop resources. Values are never returned."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import ExifTags, Image

from anonymize.errors import printable


@dataclass(frozen=True, order=True)
class MetadataItem:
    """One named piece of metadata: its group (where it lives) and its name (what it is)."""

    group: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"group": self.group, "name": self.name}


def unique_items(items: Iterable[MetadataItem]) -> list[MetadataItem]:
    return list(dict.fromkeys(items))


# --- EXIF ----------------------------------------------------------------------------------------

EXIF_POINTERS = {int(ExifTags.IFD.Exif), int(ExifTags.IFD.GPSInfo), int(ExifTags.IFD.Interop)}


def tag_name(table: dict[int, str], tag: int) -> str:
    return table.get(tag, f"Tag0x{tag:04X}")


def exif_items(block: bytes, group: str = "EXIF") -> list[MetadataItem]:
    """List the tags of a TIFF-structured EXIF block (with or without the ``Exif\\0\\0`` prefix)."""
    exif = Image.Exif()
    try:
        exif.load(block)
    except Exception:  # a broken block is still a block that must be reported
        return [MetadataItem(group, "unreadable EXIF block")]
    items = [MetadataItem(f"{group}:IFD0", tag_name(ExifTags.TAGS, tag)) for tag in exif if tag not in EXIF_POINTERS]
    sub_ifds: list[tuple[ExifTags.IFD, str, dict[int, str]]] = [
        (ExifTags.IFD.Exif, "ExifIFD", ExifTags.TAGS),
        (ExifTags.IFD.GPSInfo, "GPS", ExifTags.GPSTAGS),
        (ExifTags.IFD.Interop, "InteropIFD", ExifTags.TAGS),
        (ExifTags.IFD.IFD1, "IFD1", ExifTags.TAGS),
    ]
    for ifd, name, table in sub_ifds:
        try:
            tags = exif.get_ifd(ifd)
        except Exception:
            items.append(MetadataItem(f"{group}:{name}", "unreadable IFD"))
            continue
        items.extend(MetadataItem(f"{group}:{name}", tag_name(table, tag)) for tag in tags)
        if ifd == ExifTags.IFD.IFD1 and (0x0201 in tags or 0x0111 in tags):
            items.append(MetadataItem(f"{group}:IFD1", "ThumbnailImage"))
    if not items:
        items.append(MetadataItem(group, "empty EXIF block"))
    return unique_items(items)


# --- XMP, IPTC, Photoshop ------------------------------------------------------------------------

_XMP_NAME = re.compile(rb"<([A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*)|\s([A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*)=")
_XMP_STRUCTURE = (b"x:", b"rdf:", b"xmlns:", b"xml:")


def xmp_items(packet: bytes, group: str = "XMP") -> list[MetadataItem]:
    """List the property names in an XMP packet (``dc:creator``, ``exif:GPSLatitude``...)."""
    names = []
    for match in _XMP_NAME.finditer(packet):
        name = match.group(1) or match.group(2)
        if not name.startswith(_XMP_STRUCTURE):
            names.append(MetadataItem(group, printable(name.decode("ascii", "replace"), 80)))
    return unique_items(names) or [MetadataItem(group, "XMP packet")]


_IPTC_NAMES = {
    0: "RecordVersion", 5: "ObjectName", 7: "EditStatus", 10: "Urgency", 15: "Category",
    20: "SupplementalCategories", 25: "Keywords", 40: "SpecialInstructions", 55: "DateCreated",
    60: "TimeCreated", 62: "DigitalCreationDate", 63: "DigitalCreationTime",
    65: "OriginatingProgram", 80: "By-line", 85: "By-lineTitle", 90: "City",
    92: "Sub-location", 95: "Province-State", 100: "Country-PrimaryLocationCode",
    101: "Country-PrimaryLocationName", 103: "OriginalTransmissionReference", 105: "Headline",
    110: "Credit", 115: "Source", 116: "CopyrightNotice", 118: "Contact",
    120: "Caption-Abstract", 122: "Writer-Editor",
}  # fmt: skip


def iptc_items(block: bytes) -> list[MetadataItem]:
    """List the datasets of an IPTC-IIM block (``IPTC:By-line``, ``IPTC:City``...)."""
    items = []
    pos = 0
    while pos + 5 <= len(block) and block[pos] == 0x1C:
        record, dataset, size = block[pos + 1], block[pos + 2], struct.unpack(">H", block[pos + 3 : pos + 5])[0]
        pos += 5
        if size & 0x8000:  # extended dataset: the length is in the next (size & 0x7fff) bytes
            count = size & 0x7FFF
            size = int.from_bytes(block[pos : pos + count], "big")
            pos += count
        name = _IPTC_NAMES.get(dataset, f"{record}:{dataset}") if record == 2 else f"{record}:{dataset}"
        items.append(MetadataItem("IPTC", name))
        pos += size
    if pos < len(block) and block[pos:].strip(b"\0"):
        items.append(MetadataItem("IPTC", "unreadable IPTC data"))
    return unique_items(items) or [MetadataItem("IPTC", "IPTC block")]


_PHOTOSHOP_NAMES = {
    0x03ED: "ResolutionInfo", 0x0404: "IPTC-NAA", 0x0409: "PhotoshopThumbnailOld",
    0x040C: "PhotoshopThumbnail", 0x040F: "ICC_Profile", 0x0422: "EXIFInfo", 0x0423: "EXIFInfo2",
    0x0424: "XMP", 0x0425: "IPTCDigest", 0x0426: "PrintScale", 0x041A: "Slices",
    0x0421: "VersionInfo", 0x0BB7: "ClippingPathName",
}  # fmt: skip


def photoshop_items(block: bytes) -> list[MetadataItem]:
    """List the image resources of a Photoshop (8BIM) block; IPTC, EXIF and XMP inside are opened."""
    items: list[MetadataItem] = []
    pos = 0
    while pos + 12 <= len(block) and block[pos : pos + 4] == b"8BIM":
        resource = struct.unpack(">H", block[pos + 4 : pos + 6])[0]
        name_len = block[pos + 6]
        pos += 6 + 1 + name_len + ((1 + name_len) % 2)  # Pascal name padded to an even length
        if pos + 4 > len(block):
            break
        size = struct.unpack(">I", block[pos : pos + 4])[0]
        data = block[pos + 4 : pos + 4 + size]
        pos += 4 + size + (size % 2)
        if resource == 0x0404:
            items.extend(iptc_items(data))
        elif resource in (0x0422, 0x0423):
            items.extend(exif_items(data, "Photoshop:EXIF"))
        elif resource == 0x0424:
            items.extend(xmp_items(data, "Photoshop:XMP"))
        else:
            items.append(MetadataItem("Photoshop", _PHOTOSHOP_NAMES.get(resource, f"Resource0x{resource:04X}")))
    return unique_items(items) or [MetadataItem("Photoshop", "Photoshop block")]
