"""Load one original: primary image only, EXIF orientation applied, any mode turned into 8-bit sRGB.

The original is read once into memory; the bytes that are hashed are the bytes that are decoded,
and the file is never opened for writing. Nothing of the source container travels further than
this module: the result holds a bare pixel array and a list of metadata *names*.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pi_heif
import pillow_jxl  # noqa: F401  (registers Pillow's "JXL" plugin)
from PIL import Image, ImageCms, UnidentifiedImageError

from anonymize.config import ImageSettings
from anonymize.errors import InputError, printable
from anonymize.image import jxl, metadata, raw
from anonymize.image.limits import check_size
from anonymize.image.metadata.blocks import exif_items, unique_items

pi_heif.register_heif_opener()

#: Pillow plugins an original may be opened with; no other parser ever sees the bytes.
PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "HEIF", "AVIF")
#: JPEG XL's plugin decodes as it opens: it is used only once ``jxl.check`` has read the header.
_JXL_FORMATS = ("JXL",)
#: Names shown to users for those plugins (MPO is a JPEG with secondary images) and for RAW.
FORMAT_NAMES = {
    "JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "WEBP": "WebP", "HEIF": "HEIF", "AVIF": "AVIF",
    "JXL": "JPEG XL", "RAW": "camera RAW",
}  # fmt: skip
#: What originals may be, one row per format: (name, how it is decoded, what of it is read).
FORMATS = (
    ("JPEG (and MPO)", "Pillow (libjpeg-turbo)", "the primary image; MPF secondary images and thumbnails dropped"),
    ("PNG", "Pillow (zlib)", "the default image; animated PNG refused"),
    ("TIFF", "Pillow (libtiff)", "the first page; further pages and previews dropped"),
    ("WebP", "Pillow (libwebp)", "the still image; animated WebP refused"),
    ("HEIF/HEIC", "pi-heif (libheif, libde265)", "the primary item; thumbnails, depth and auxiliary items dropped"),
    ("AVIF", "Pillow (libavif, dav1d)", "the primary item; image sequences refused"),
    ("JPEG XL", "pillow-jxl-plugin (libjxl)", "one still frame, stored upright; animations refused"),
    ("camera RAW and DNG", "rawpy (LibRaw)", "the sensor data, developed plainly; previews and maker notes dropped"),
)

# Leading bytes of formats, to name a file in messages before any decoder has understood it.
_SIGNATURES = [
    (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"GIF8", "GIF"), (b"BM", "BMP"), (b"%PDF", "PDF"), (b"8BPS", "Photoshop PSD"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"\xff\x4f\xff\x51", "JPEG 2000"), (b"II\xbc", "JPEG XR"),
    (b"\xff\x0a", "JPEG XL"), (b"\x00\x00\x00\x0cJXL ", "JPEG XL"), (b"<svg", "SVG"), (b"<?xml", "XML/SVG"),
    (b"\x00\x00\x01\x00", "ICO"), (b"qoif", "QOI"), (b"PK\x03\x04", "ZIP"),
]  # fmt: skip
_SUPPORTED_NAMES = {"JPEG", "PNG", "TIFF", "WebP", "HEIF", "AVIF", "JPEG XL"}
_SUPPORTED = "JPEG, PNG, TIFF, WebP, HEIF/HEIC, AVIF, JPEG XL, camera RAW/DNG"
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc")


def _sniff(data: bytes) -> str | None:
    """Name the format of ``data`` from its first bytes, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp":
        if data[8:12] in (b"avif", b"avis"):
            return "AVIF"
        return "HEIF" if data[8:12] in _HEIF_BRANDS else None
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    return None


# (transpose applied to the stored pixels, description) for EXIF orientations 2..8.
ORIENTATIONS: dict[int, tuple[Image.Transpose, str]] = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT, "mirrored horizontally"),
    3: (Image.Transpose.ROTATE_180, "rotated 180°"),
    4: (Image.Transpose.FLIP_TOP_BOTTOM, "mirrored vertically"),
    5: (Image.Transpose.TRANSPOSE, "mirrored horizontally and rotated 270° clockwise"),
    6: (Image.Transpose.ROTATE_270, "rotated 90° clockwise"),
    7: (Image.Transpose.TRANSVERSE, "mirrored horizontally and rotated 90° clockwise"),
    8: (Image.Transpose.ROTATE_90, "rotated 270° clockwise"),
}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_PROFILE_SPACES = {"L": "GRAY", "RGB": "RGB", "CMYK": "CMYK", "LAB": "LAB"}
_BOMB_GUARD = threading.Lock()
_STDERR_GUARD = threading.Lock()


@dataclass(frozen=True)
class Source:
    """What the original was, for the report (never its values)."""

    sha256: str
    format: str
    stored_size: tuple[int, int]
    mode: str
    byte_count: int
    icc_profile: bool


@dataclass(frozen=True)
class ImageInfo:
    """What is known of an original once decoded, without its pixels (reports keep this)."""

    path: Path
    size: tuple[int, int]  # displayed (width, height)
    source: Source
    orientation: int
    metadata: tuple[metadata.MetadataItem, ...]
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class LoadedImage:
    """An upright 8-bit sRGB picture, as viewers display the original, and what it came with."""

    path: Path
    pixels: np.ndarray  # (height, width, 3) uint8, C-contiguous
    source: Source
    orientation: int  # the EXIF orientation that was applied (1 when none)
    metadata: tuple[metadata.MetadataItem, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def size(self) -> tuple[int, int]:
        """Displayed (width, height)."""
        return self.pixels.shape[1], self.pixels.shape[0]

    @property
    def info(self) -> ImageInfo:
        return ImageInfo(self.path, self.size, self.source, self.orientation, self.metadata, self.warnings)


def read_original(path: Path) -> bytes:
    """Read an original's bytes, turning every way of failing into one clear ``InputError``."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise InputError(path, "not a regular file (a pipe, socket or device cannot be an original)")
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a picture") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if not data:
        raise InputError(path, "empty file")
    return data


def load_image(path: str | os.PathLike[str], settings: ImageSettings | None = None) -> LoadedImage:
    """Decode the primary image of ``path`` into an upright 8-bit sRGB array.

    What the decoders print while they work (libtiff's and libjpeg's warnings go straight to the
    process's stderr) is captured: a refusal stays one line, with the decoder's first word on
    the file folded in, and a picture that loads carries the decoder's words as a warning.
    """
    settings = settings or ImageSettings()
    path = Path(path)
    data = read_original(path)
    said: list[str] = []
    try:
        with _decoder_output(said):
            loaded = _decode(path, data, settings)
    except InputError as err:
        if said and err.path is not None:
            raise InputError(err.path, f"{err.reason} (the decoder said: {_summary(said)})") from None
        raise
    if said:
        notes = (*loaded.warnings, f"the decoder warned: {_summary(said)}")
        loaded = LoadedImage(loaded.path, loaded.pixels, loaded.source, loaded.orientation, loaded.metadata, notes)
    return loaded


def _decode(path: Path, data: bytes, settings: ImageSettings) -> LoadedImage:
    if raw.is_raw(path, data) and _sniff(data) in (None, "TIFF"):  # a JPEG named .raw is still a JPEG
        developed = raw.develop(path, data, settings.max_pixels)
        source = Source(
            sha256=hashlib.sha256(data).hexdigest(),
            format=FORMAT_NAMES["RAW"],
            stored_size=developed.stored_size,
            mode="RAW",
            byte_count=len(data),
            icc_profile=False,
        )
        return LoadedImage(path, developed.pixels, source, developed.orientation, developed.metadata)
    formats: tuple[str, ...] = PILLOW_FORMATS
    if jxl.is_jxl(data):
        jxl.check(path, data, settings.max_pixels)
        formats = _JXL_FORMATS
    with _open(path, data, settings.max_pixels, formats) as image:
        fmt = image.format or "?"
        notes: list[str] = []
        if fmt == "JXL":
            # The decoder also reads compressed (brob) EXIF and a reconstructed JPEG's: name those tags too.
            decoded_exif = image.info.get("exif")
            found = unique_items(
                jxl.inventory(data) + (exif_items(decoded_exif) if decoded_exif else []) + _icc_item(image)
            )
            orientation = 1  # jxl.check refused every other; an EXIF tag saying otherwise is not what viewers use
            if _block_orientation(image.info.get("exif")) not in (1, None):
                notes.append("EXIF orientation in a JPEG XL file ignored: viewers apply the codestream's")
        else:
            found = metadata.inspect(data, fmt, image)
            _refuse_animation(path, image)
            orientation = _exif_orientation(image, notes)
        stored_size, mode = image.size, image.mode
        try:
            image.load()
        except Exception as err:  # decoders raise many types on hostile input
            raise InputError(path, f"truncated or corrupt {FORMAT_NAMES.get(fmt, fmt)}: {err}") from None
        pending = _pending_orientation(image, orientation, notes)
        icc = image.info.get("icc_profile") or None
        upright = image.transpose(ORIENTATIONS[pending][0]) if pending in ORIENTATIONS else image
        pixels = _to_srgb8(upright, icc, settings.matte, notes)
    source = Source(
        sha256=hashlib.sha256(data).hexdigest(),
        format=FORMAT_NAMES.get(fmt, fmt),
        stored_size=stored_size,
        mode=mode,
        byte_count=len(data),
        icc_profile=icc is not None,
    )
    return LoadedImage(path, pixels, source, orientation, tuple(found), tuple(notes))


@contextmanager
def _decoder_output(said: list[str]) -> Iterator[None]:
    """Send what is written to file descriptor 2, and Python warnings, into ``said`` while decoding.

    The C libraries under Pillow, pi-heif and rawpy write warnings to the process's stderr,
    not through Python; only swapping the descriptor catches them. One decode at a time per
    process swaps it (a lock), and the descriptor is restored before anything else is printed.
    """
    try:
        sink = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the with below)
    except OSError:  # no writable temporary folder: decode without catching, rather than not at all
        yield
        return
    with _STDERR_GUARD, sink, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read(1 << 16).decode("utf-8", "replace")
            # LibRaw prefixes its words with the name of a file it was never given.
            said.extend(line.strip().removeprefix("unknown file: ") for line in text.splitlines() if line.strip())
            said.extend(str(w.message).strip() for w in caught if str(w.message).strip())


def _summary(said: list[str]) -> str:
    """The decoder's first line, and how many more it printed, shortened to fit one line."""
    lines = list(dict.fromkeys(" ".join(line.split()) for line in said))  # decoders repeat themselves
    first = printable(lines[0], 120)
    return first if len(lines) == 1 else f"{first} and {len(lines) - 1} more line(s)"


@contextmanager
def _open(path: Path, data: bytes, max_pixels: int, formats: tuple[str, ...]) -> Iterator[Image.Image]:
    """Open ``data`` with the supported plugins only, refusing pictures over ``max_pixels``.

    Pillow's own bomb check (a process-wide limit) is replaced by ours for the duration of the
    open, under a lock, so the configured limit is the one that applies in both directions.
    """
    try:
        with _BOMB_GUARD:
            saved = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
            try:
                image = Image.open(io.BytesIO(data), formats=formats)
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except UnidentifiedImageError:
        raise InputError(path, _unidentified_reason(data)) from None
    except Exception as err:  # plugins raise many types on hostile headers
        raise InputError(path, f"truncated or corrupt {_sniff(data) or 'picture'}: {_words(err)}") from None
    with image:
        check_size(path, *image.size, max_pixels)
        yield image


def _words(err: Exception) -> str:
    """A decoder's first line about ``err``; libjxl's generic error asks for a debug build instead."""
    text = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return "the decoder could not read it" if text.startswith("Generic Error.") else text


def _icc_item(image: Image.Image) -> list[metadata.MetadataItem]:
    return [metadata.MetadataItem("ICC_Profile", "ICC_Profile")] if image.info.get("icc_profile") else []


def _unidentified_reason(data: bytes) -> str:
    name = _sniff(data)
    if name in _SUPPORTED_NAMES:
        return f"truncated or corrupt {name}: no decoder could read its header"
    if name is not None:
        return f"unsupported format {name} (supported: {_SUPPORTED})"
    if data[4:8] == b"ftyp":
        return "unsupported ISO media file (HEIF/HEIC and AVIF pictures are read; this brand is not)"
    return f"not a picture in a supported format ({_SUPPORTED}), or damaged beyond recognition"


def _refuse_animation(path: Path, image: Image.Image) -> None:
    """Refuse animated PNG, WebP and AVIF: what viewers show is not the picture that would be redacted.

    An APNG's default image may never be shown at all, and a first frame may flash for a
    millisecond; publishing either would put a picture nobody reviewed online.
    """
    if image.format in ("PNG", "WEBP", "AVIF") and getattr(image, "is_animated", False):
        raise InputError(path, f"animated {FORMAT_NAMES[image.format]} is not supported; export one still picture")


def _exif_orientation(image: Image.Image, notes: list[str]) -> int:
    """The EXIF orientation browsers honour, read before decoding, from the EXIF block itself.

    Pillow's ``getexif()`` also falls back to XMP ``tiff:Orientation`` and to PNG "Raw profile"
    text, and picks up a PNG eXIf chunk placed after the image data once decoded; browsers use
    none of these, so neither do we (and the report says so). HEIF transforms are applied by
    the decoder itself, as the HEIF specification requires.
    """
    if image.format == "HEIF":
        value = image.info.get("original_orientation", 1)
        return value if isinstance(value, int) and value in ORIENTATIONS else 1
    value = _tiff_orientation(image) if image.format == "TIFF" else _block_orientation(image.info.get("exif"))
    if value is None:
        notes.append("EXIF block is unreadable; no orientation applied")
        value = 1
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if "tiff:Orientation" in (xmp.decode("latin-1") if isinstance(xmp, bytes) else str(xmp)):
        notes.append("XMP tiff:Orientation ignored: browsers apply EXIF orientation only")
    if "Raw profile type exif" in image.info:
        notes.append('PNG "Raw profile type exif" text ignored: browsers do not read orientation from it')
    if not isinstance(value, int) or (value != 1 and value not in ORIENTATIONS):
        notes.append(f"EXIF orientation {value!r} is not valid and was ignored")
        return 1
    if value != 1 and image.format in ("PNG", "WEBP"):
        notes.append(
            f"EXIF orientation {value} in a {FORMAT_NAMES[image.format]} file: browsers differ on applying it; "
            "regions are placed on the turned picture, check the output"
        )
    return value


def _pending_orientation(image: Image.Image, orientation: int, notes: list[str]) -> int:
    """The part of ``orientation`` the decoder has not applied already.

    Pillow's TIFF decoder turns the pixels itself during ``load()`` and then drops the tag;
    pi-heif (libheif) applies HEIF transforms while decoding.
    """
    if image.format == "HEIF":
        return 1
    if image.format == "TIFF":
        return orientation if _tiff_orientation(image) == orientation else 1
    if image.format == "PNG" and orientation == 1 and _block_orientation(image.info.get("exif")) not in (1, None):
        notes.append("PNG eXIf chunk after the image data ignored: browsers do not apply it")
    return orientation


def _tiff_orientation(image: Image.Image) -> object:
    return getattr(image, "tag_v2", {}).get(0x0112, 1)


def _block_orientation(block: bytes | None) -> object:
    """The orientation tag of a raw EXIF block: 1 when absent, None when the block is unreadable."""
    if not block:
        return 1
    exif = Image.Exif()
    try:
        exif.load(block)
    except Exception:
        return None
    return exif.get(0x0112, 1)


def _to_srgb8(image: Image.Image, icc: bytes | None, background: tuple[int, int, int], notes: list[str]) -> np.ndarray:
    """Convert any Pillow mode to an (h, w, 3) uint8 sRGB array, flattening alpha onto ``background``."""
    colour, alpha = _split_alpha(_to_8bit(image))
    rgb = _colour_to_srgb(colour, icc, notes)
    pixels = np.asarray(rgb, dtype=np.uint8)
    if alpha is not None:
        a = np.asarray(alpha, dtype=np.uint16)[..., None]
        bg = np.asarray(background, dtype=np.uint16)
        # Round-to-nearest straight-alpha compositing; fully transparent pixels become background,
        # so whatever hid under alpha 0 (an "erased" face) is gone before anything else looks.
        pixels = ((pixels * a + bg * (255 - a) + 127) // 255).astype(np.uint8)
    return np.ascontiguousarray(pixels)


def _to_8bit(image: Image.Image) -> Image.Image:
    """Bring high bit depth and exotic modes to an 8-bit mode with an optional alpha band."""
    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        # 16-bit samples span 0..65535; Pillow's convert("L") would clip them to 255 (white).
        values = np.asarray(image).astype(np.float64)
        return Image.fromarray(np.clip(values / 257.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if mode == "F":
        values = np.nan_to_num(np.asarray(image, dtype=np.float64))
        scale = 255.0 if values.size and values.max() <= 1.0 else 1.0
        return Image.fromarray(np.clip(values * scale + 0.5, 0, 255).astype(np.uint8), "L")
    if mode in ("P", "L", "RGB") and "transparency" in image.info:
        # Palette transparency and PNG tRNS colour keys become a real alpha band, as browsers show them.
        return image.convert("LA" if mode == "L" else "RGBA")
    if mode == "P":
        return image.convert("RGB")
    if mode == "PA":
        return image.convert("RGBA")
    if mode in ("1",):
        return image.convert("L")
    if mode in ("RGBa", "RGBX"):
        return image.convert("RGBA" if mode == "RGBa" else "RGB")
    if mode == "La":
        return image.convert("LA")
    return image


def _split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    if image.mode in ("LA", "RGBA"):
        return image.convert(image.mode[:-1]), image.getchannel("A")
    return image, None


def _colour_to_srgb(image: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    """Convert colour through the embedded profile when there is one that fits the mode."""
    if icc is not None and image.mode in _PROFILE_SPACES:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            space = profile.profile.xcolor_space.strip().upper()
            if space != _PROFILE_SPACES[image.mode]:
                notes.append(f"embedded ICC profile is for {space}, not {image.mode}; ignored")
            else:
                converted = ImageCms.profileToProfile(
                    image, profile, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
                )
                assert converted is not None  # inPlace=False always returns an image
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError) as err:
            notes.append(f"embedded ICC profile could not be used ({err}); colours assumed sRGB")
    if image.mode == "LAB":
        lab = ImageCms.createProfile("LAB")
        converted = ImageCms.profileToProfile(image, lab, _SRGB, outputMode="RGB")
        assert converted is not None
        return converted
    return image if image.mode == "RGB" else image.convert("RGB")
