"""Writers of dirty pictures: every place a file can hide who took it, where, and of whom.

Each fixture is built in memory from a known upright picture, with secret strings planted in a
different hiding place, so a test can clean it and assert that the pixels came through and the
secrets did not. Pillow and piexif write what they can; the rest (XMP and IPTC segments, JPEG
comments and APPn blocks, JFXX thumbnails, trailers, PNG chunks, ICC profiles) is written by hand
at the byte level, as a camera, phone or editor would leave it.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import piexif
import pillow_heif
import pillow_jxl  # noqa: F401  (lets Pillow write JPEG XL fixtures)
from PIL import Image, ImageCms, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

# pillow-heif only writes the HEIF fixtures; its opener is never registered, so every HEIF the
# tests read is decoded by what anonymize reads with (pi-heif).

SECRET = "SECRET-Zelimkhan"  # a name that must never reach a published file


def secret(place: str) -> bytes:
    """A distinct secret per hiding place, so a failure names where the leak came from."""
    return f"{SECRET}-{place}".encode()


# --- pictures --------------------------------------------------------------------------------


def scene(width: int = 96, height: int = 64, seed: int = 1) -> np.ndarray:
    """An asymmetric picture with flat blocks (survives lossy coding) and a distinct corner.

    No rotation or mirror of it equals another, so orientation mistakes cannot hide.
    """
    rng = np.random.default_rng(seed)
    blocks = rng.integers(30, 226, size=(4, 6, 3), dtype=np.uint8)
    small = np.kron(blocks, np.ones((16, 16, 1), dtype=np.uint8))
    picture = np.array(Image.fromarray(small).resize((width, height), Image.Resampling.NEAREST))
    picture[: height // 4, : width // 4] = (250, 250, 250)  # a bright top-left corner
    return picture


def encode(pixels: np.ndarray | Image.Image, fmt: str, **options: object) -> bytes:
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


# --- EXIF ------------------------------------------------------------------------------------


def exif_block(orientation: int | None = None, thumbnail: bytes | None = None) -> bytes:
    """A camera-like EXIF block: owner, serials, dates, GPS, MakerNote and optionally a thumbnail."""
    zeroth: dict[int, object] = {
        piexif.ImageIFD.Artist: secret("exif-artist"),
        piexif.ImageIFD.Copyright: secret("exif-copyright"),
        piexif.ImageIFD.ImageDescription: secret("exif-description"),
        piexif.ImageIFD.Make: b"Canon",
        piexif.ImageIFD.Model: b"EOS R5",
    }
    if orientation is not None:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    exif = {
        "0th": zeroth,
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: b"2019:05:02 18:30:00",
            piexif.ExifIFD.BodySerialNumber: secret("exif-serial"),
            piexif.ExifIFD.CameraOwnerName: secret("exif-owner"),
            piexif.ExifIFD.UserComment: b"ASCII\0\0\0" + secret("exif-usercomment"),
            piexif.ExifIFD.MakerNote: secret("exif-makernote"),
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((43, 1), (18, 1), (5, 1)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((45, 1), (41, 1), (7, 1)),
            piexif.GPSIFD.GPSProcessingMethod: b"ASCII\0\0\0" + secret("exif-gps"),
        },
        "1st": {},
        "thumbnail": None,
    }
    if thumbnail is not None:
        exif["1st"] = {piexif.ImageIFD.Compression: 6}
        exif["thumbnail"] = thumbnail
    block: bytes = piexif.dump(exif)
    return block


def thumbnail_jpeg() -> bytes:
    """A small JPEG, different from the main picture, with its own secret comment."""
    return encode(np.full((40, 60, 3), (0, 200, 0), np.uint8), "JPEG", comment=secret("thumbnail"))


# --- JPEG segments ---------------------------------------------------------------------------


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def insert_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """Insert segments right after SOI (and after JFIF APP0 when present, as cameras do)."""
    assert jpeg[:2] == b"\xff\xd8"
    pos = 2
    if jpeg[2:4] == b"\xff\xe0":
        pos = 4 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:pos] + b"".join(segments) + jpeg[pos:]


def xmp_packet(place: str = "xmp") -> bytes:
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        b' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" photoshop:City="' + secret(place + "-city") + b'"'
        b' exif:GPSLatitude="43,18.08N" xmpMM:DocumentID="xmp.did:' + secret(place + "-docid") + b'">'
        b"<dc:creator><rdf:Seq><rdf:li>" + secret(place + "-creator") + b"</rdf:li></rdf:Seq></dc:creator>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def iptc_block() -> bytes:
    def dataset(number: int, value: bytes) -> bytes:
        return b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value

    return (
        dataset(0, b"\x00\x04")
        + dataset(80, secret("iptc-byline"))
        + dataset(90, secret("iptc-city"))
        + dataset(120, secret("iptc-caption"))
    )


def photoshop_block(*resources: tuple[int, bytes]) -> bytes:
    out = b"Photoshop 3.0\0"
    for resource, data in resources:
        out += b"8BIM" + struct.pack(">H", resource) + b"\0\0" + struct.pack(">I", len(data)) + data
        out += b"\0" * (len(data) % 2)
    return out


def mpf_pair(primary: np.ndarray) -> bytes:
    """A two-picture MPO (as phones write for depth or stereo); the second holds a secret."""
    second = Image.new("RGB", (primary.shape[1], primary.shape[0]), (0, 255, 0))
    buffer = io.BytesIO()
    Image.fromarray(primary).save(buffer, "MPO", save_all=True, append_images=[second], comment=secret("mpf-comment"))
    return buffer.getvalue()


# --- ICC -------------------------------------------------------------------------------------

# sRGB primaries adapted to D50, as in every sRGB profile.
_SRGB_PRIMARIES = {"r": (0.4361, 0.2225, 0.0139), "g": (0.3851, 0.7169, 0.0971), "b": (0.1431, 0.0606, 0.7141)}


def icc_profile(description: bytes, swap_red_green: bool = False, space: bytes = b"RGB ") -> bytes:
    """A minimal ICC v2 matrix/TRC display profile (gamma 2.2).

    With ``swap_red_green`` the red and green primaries trade places: a pixel stored as pure
    red means pure green, so a loader that ignores the profile shows the wrong colour.
    """

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    red, green = _SRGB_PRIMARIES["r"], _SRGB_PRIMARIES["g"]
    if swap_red_green:
        red, green = green, red
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2 (u8Fixed8), padded
    desc = (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(description) + 1)
        + description
        + b"\0"
        + b"\0" * 8  # no Unicode description
        + b"\0" * 3  # no ScriptCode description
        + b"\0" * 67
    )
    desc += b"\0" * (-len(desc) % 4)
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249)))]
    if space == b"RGB ":
        tags += [(b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)), (b"bXYZ", xyz(_SRGB_PRIMARIES["b"]))]
        tags += [(b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    else:
        tags += [(b"kTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntr"
        + space
        + b"XYZ "
        + struct.pack(">6H", 2019, 5, 2, 18, 30, 0)
        + b"acsp"
        + b"\0" * 24
        + b"\0\0\0\0"
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


# --- PNG chunks ------------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_insert(png: bytes, *chunks: bytes) -> bytes:
    """Insert chunks right after IHDR."""
    ihdr_end = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    return png[:ihdr_end] + b"".join(chunks) + png[ihdr_end:]


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dirty:
    """One dirty original: its bytes, file suffix, what it should look like, and what it hides."""

    name: str
    suffix: str
    data: bytes
    upright: np.ndarray  # what a viewer shows, (h, w, 3) uint8
    secrets: tuple[bytes, ...]
    exact: bool = False  # the original decodes to exactly ``upright`` (lossless, no colour profile)
    expected_metadata: tuple[str, ...] = field(default=())  # groups the report must name


def _jpeg_exif_thumbnail(p: np.ndarray) -> Dirty:
    data = encode(p, "JPEG", quality=95, exif=exif_block(thumbnail=thumbnail_jpeg()))
    return Dirty(
        "jpeg-exif-gps-thumbnail",
        ".jpg",
        data,
        p,
        (secret("exif-artist"), secret("exif-serial"), secret("exif-gps"), secret("thumbnail"), b"EOS R5"),
        expected_metadata=("EXIF:IFD0", "EXIF:ExifIFD", "EXIF:GPS", "EXIF:IFD1"),
    )


def _jpeg_xmp_iptc(p: np.ndarray) -> Dirty:
    data = insert_segments(
        encode(p, "JPEG", quality=95),
        segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet()),
        segment(0xE1, b"http://ns.adobe.com/xmp/extension/\0" + b"0" * 32 + xmp_packet("xmp-ext")),
        segment(0xED, photoshop_block((0x0404, iptc_block()), (0x040C, thumbnail_jpeg()))),
    )
    return Dirty(
        "jpeg-xmp-iptc-photoshop",
        ".jpg",
        data,
        p,
        (secret("xmp-creator"), secret("xmp-ext-city"), secret("iptc-byline"), secret("thumbnail")),
        expected_metadata=("XMP", "XMP-extended", "IPTC", "Photoshop"),
    )


def _jpeg_comments_app(p: np.ndarray) -> Dirty:
    jfxx = b"JFXX\0\x10" + thumbnail_jpeg()
    data = insert_segments(
        encode(p, "JPEG", quality=95),
        segment(0xE0, jfxx),
        segment(0xFE, secret("comment-1")),
        segment(0xEB, b"JP\0\0" + secret("c2pa-jumbf")),  # content credentials box
        segment(0xEC, b"Ducky\0" + secret("app12")),
        segment(0xFE, secret("comment-2")),
    )
    return Dirty(
        "jpeg-comments-jfxx-app11",
        ".jpg",
        data,
        p,
        (secret("comment-1"), secret("comment-2"), secret("c2pa-jumbf"), secret("app12"), secret("thumbnail")),
        expected_metadata=("JPEG", "JFXX", "JUMBF"),
    )


def _jpeg_two_exif(p: np.ndarray) -> Dirty:
    # piexif.remove() deletes only the first EXIF segment; the second must go too.
    first = b"Exif\0\0" + piexif.dump({"0th": {piexif.ImageIFD.Software: b"camera"}})[6:]
    data = insert_segments(encode(p, "JPEG", quality=95), segment(0xE1, first), segment(0xE1, exif_block()))
    return Dirty("jpeg-two-exif-segments", ".jpg", data, p, (secret("exif-artist"),), expected_metadata=("EXIF:IFD0",))


def _jpeg_trailer(p: np.ndarray) -> Dirty:
    video = b"\0\0\0\x18ftypmp42" + secret("motion-photo") * 4
    data = encode(p, "JPEG", quality=95) + video + thumbnail_jpeg()
    return Dirty(
        "jpeg-trailer-motion-photo",
        ".jpg",
        data,
        p,
        (secret("motion-photo"), secret("thumbnail")),
        expected_metadata=("Trailer",),
    )


def _jpeg_mpf(p: np.ndarray) -> Dirty:
    return Dirty("jpeg-mpf-second-image", ".jpg", mpf_pair(p), p, (secret("mpf-comment"),), expected_metadata=("MPF",))


def _jpeg_icc_swapped(p: np.ndarray) -> Dirty:
    stored = p[..., [1, 0, 2]].copy()  # swapped profile: stored red means green
    profile = icc_profile(secret("icc-desc"), swap_red_green=True)
    data = encode(stored, "JPEG", quality=95, icc_profile=profile)
    return Dirty("jpeg-icc-profile", ".jpg", data, p, (secret("icc-desc"),), expected_metadata=("ICC_Profile",))


def _jpeg_cmyk(p: np.ndarray) -> Dirty:
    data = encode(Image.fromarray(p).convert("CMYK"), "JPEG", quality=95, comment=secret("cmyk"))
    return Dirty("jpeg-cmyk", ".jpg", data, p, (secret("cmyk"),), expected_metadata=("JPEG",))


def _png_chunks(p: np.ndarray) -> Dirty:
    info = PngInfo()
    info.add_text("Author", secret("png-text").decode())
    info.add_text("Description", secret("png-ztxt").decode(), zip=True)
    info.add_itxt("Comment", secret("png-itxt").decode(), lang="en", tkey="Comment")
    info.add_text("Raw profile type exif", secret("png-rawexif").decode())
    data = encode(p, "PNG", pnginfo=info, exif=exif_block())
    data = png_insert(
        data,
        png_chunk(b"tIME", struct.pack(">HBBBBB", 2019, 5, 2, 18, 30, 0)),
        png_chunk(b"iCCP", b"camera\0\0" + zlib.compress(icc_profile(secret("png-icc")))),
        png_chunk(b"caBX", secret("png-c2pa")),
    )
    data += secret("png-trailer")
    return Dirty(
        "png-text-exif-icc-trailer",
        ".png",
        data,
        p,
        tuple(secret(s) for s in ("png-text", "png-itxt", "png-rawexif", "png-c2pa", "png-trailer", "exif-gps")),
        expected_metadata=("PNG:tEXt", "PNG:zTXt", "PNG:iTXt", "EXIF:GPS", "PNG", "Trailer"),
    )


def _webp_chunks(p: np.ndarray) -> Dirty:
    data = encode(
        p, "WEBP", lossless=True, exif=exif_block(), xmp=xmp_packet(), icc_profile=icc_profile(secret("webp-icc"))
    )
    riff_size = struct.unpack("<I", data[4:8])[0]
    unknown = b"SECR" + struct.pack("<I", 24) + secret("webp-chunk")[:24].ljust(24, b"-")
    data = data[:4] + struct.pack("<I", riff_size + len(unknown)) + data[8:] + unknown + secret("webp-trailer")
    return Dirty(
        "webp-exif-xmp-icc-trailer",
        ".webp",
        data,
        p,
        (secret("exif-artist"), secret("xmp-creator"), secret("webp-icc"), secret("webp-trailer")),
        expected_metadata=("EXIF:GPS", "XMP", "ICC_Profile", "RIFF", "Trailer"),
    )


def _tiff_tags_pages(p: np.ndarray) -> Dirty:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[315] = secret("tiff-artist").decode()
    info[270] = secret("tiff-description").decode()
    info[33432] = secret("tiff-copyright").decode()
    info[700] = xmp_packet("tiff-xmp")
    info[33723] = iptc_block()
    info[34853] = {1: "N", 2: (43.0, 18.0, 5.0)}
    info[34665] = {37510: b"ASCII\0\0\0" + secret("tiff-usercomment")}
    second = Image.new("RGB", (32, 32), (0, 255, 0))
    buffer = io.BytesIO()
    Image.fromarray(p).save(
        buffer, "TIFF", tiffinfo=info, save_all=True, append_images=[second], description=secret("tiff-page2").decode()
    )
    return Dirty(
        "tiff-tags-xmp-iptc-gps-pages",
        ".tif",
        buffer.getvalue(),
        p,
        tuple(
            secret(s) for s in ("tiff-artist", "tiff-copyright", "tiff-xmp-creator", "iptc-byline", "tiff-usercomment")
        ),
        exact=True,
        expected_metadata=("TIFF:IFD0", "XMP", "IPTC", "EXIF:GPS", "EXIF:ExifIFD", "TIFF"),
    )


def _heif_two_images(p: np.ndarray) -> Dirty:
    decoy = Image.new("RGB", (p.shape[1], p.shape[0]), (0, 255, 0))
    heif = pillow_heif.from_pillow(decoy)
    heif.add_from_pillow(Image.fromarray(p))
    buffer = io.BytesIO()
    heif.save(buffer, quality=95, primary_index=1, exif=exif_block(), xmp=xmp_packet("heif-xmp"))
    return Dirty(
        "heif-exif-xmp-second-image",
        ".heic",
        buffer.getvalue(),
        p,
        (secret("exif-artist"), secret("heif-xmp-creator")),
        expected_metadata=("EXIF:GPS", "XMP", "HEIF"),
    )


def _avif_turned(p: np.ndarray) -> Dirty:
    # Stored on its side with EXIF orientation 6: Pillow writes it as the container's irot/imir,
    # which is what browsers and the loader honour in AVIF.
    stored = np.ascontiguousarray(np.rot90(p, k=1))
    data = encode(stored, "AVIF", quality=100, subsampling="4:4:4", exif=exif_block(6), xmp=xmp_packet("avif-xmp"))
    return Dirty(
        "avif-exif-xmp-turned",
        ".avif",
        data,
        p,
        (secret("exif-artist"), secret("exif-serial"), secret("avif-xmp-creator")),
        expected_metadata=("EXIF:GPS", "XMP"),
    )


def _jxl_exif_xmp(p: np.ndarray) -> Dirty:
    data = encode(p, "JXL", lossless=True, use_container=True, exif=exif_block(), xmp=xmp_packet("jxl-xmp"))
    return Dirty(
        "jxl-exif-xmp",
        ".jxl",
        data,
        p,
        (secret("exif-artist"), secret("exif-serial"), secret("jxl-xmp-creator")),
        exact=True,
        expected_metadata=("EXIF:GPS", "XMP"),
    )


def _dng_camera(p: np.ndarray) -> Dirty:
    """A Bayer DNG as a camera writes one, on its side (orientation 6), owner and serials in IFD0.

    The mosaic samples the picture in linear light at twice its size, with the camera's colour
    matrix set to sRGB's, so a plain development shows the picture itself.
    """
    import tifffile

    upright = np.repeat(np.repeat(p, 2, axis=0), 2, axis=1)
    stored = np.rot90(upright, k=1) / 255.0
    linear = np.where(stored <= 0.04045, stored / 12.92, ((stored + 0.055) / 1.055) ** 2.4)
    white = 16383
    mosaic = np.empty(stored.shape[:2], np.uint16)
    for (row, col), channel in (((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 2)):
        mosaic[row::2, col::2] = np.round(linear[row::2, col::2, channel] * white)
    xyz_to_srgb = (3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570)

    def rationals(values: tuple[float, ...]) -> list[int]:
        return [part for v in values for part in (round(v * 10000), 10000)]

    tags = [
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern: RGGB
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50708, "s", 0, "Canon EOS R5", True),  # UniqueCameraModel
        (50717, "H", 1, white, True),  # WhiteLevel
        (50721, "2i", 9, rationals(xyz_to_srgb), True),  # ColorMatrix1
        (50778, "H", 1, 21, True),  # CalibrationIlluminant1: D65
        (50728, "2I", 3, rationals((1.0, 1.0, 1.0)), True),  # AsShotNeutral
        (274, "H", 1, 6, True),  # Orientation
        (315, "s", 0, secret("exif-artist").decode(), True),  # Artist
        (33432, "s", 0, secret("exif-copyright").decode(), True),  # Copyright
        (50735, "s", 0, secret("exif-serial").decode(), True),  # CameraSerialNumber
        (700, "B", 0, xmp_packet("dng-xmp"), True),  # XMP
    ]
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, mosaic, photometric=32803, extratags=tags, metadata=None)
    return Dirty(
        "dng-bayer-serials-turned",
        ".dng",
        buffer.getvalue(),
        upright,
        (secret("exif-artist"), secret("exif-serial"), secret("dng-xmp-creator")),
        expected_metadata=("RAW", "RAW:IFD0"),
    )


BUILDERS: list[Callable[[np.ndarray], Dirty]] = [
    _jpeg_exif_thumbnail,
    _jpeg_xmp_iptc,
    _jpeg_comments_app,
    _jpeg_two_exif,
    _jpeg_trailer,
    _jpeg_mpf,
    _jpeg_icc_swapped,
    _jpeg_cmyk,
    _png_chunks,
    _webp_chunks,
    _tiff_tags_pages,
    _heif_two_images,
    _avif_turned,
    _jxl_exif_xmp,
    _dng_camera,
]


def dirty_fixtures() -> list[Dirty]:
    picture = scene()
    return [build(picture) for build in BUILDERS]


def srgb_profile() -> bytes:
    profile: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile
