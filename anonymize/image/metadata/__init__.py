"""Inventory of what a picture file carries besides its primary image: names, never values.

Each container format has an inspector that walks the file's own structure (JPEG segments, PNG
chunks, RIFF chunks, TIFF and HEIF items) and lists every block that is not needed to draw the
primary picture: EXIF tags by IFD, XMP properties, IPTC datasets, Photoshop resources, ICC
profiles, comments, thumbnails, secondary images and bytes after the end of the image.

The inventory serves two masters. For an input it tells the curator what was found and removed;
for an output it is part of the verification: a published file must yield an empty inventory.
Values are never returned, so nothing read here can leak into a report.
"""

from anonymize.image.metadata.blocks import MetadataItem, exif_items, iptc_items, photoshop_items, xmp_items
from anonymize.image.metadata.containers import INSPECTORS, Inspector, inspect

__all__ = [
    "INSPECTORS",
    "Inspector",
    "MetadataItem",
    "exif_items",
    "inspect",
    "iptc_items",
    "photoshop_items",
    "xmp_items",
]
