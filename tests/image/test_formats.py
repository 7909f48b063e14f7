"""AVIF and camera RAW/DNG originals, and decoders that talk: every refusal stays one line.

The cleaning table (tests/image/test_cleaning.py) runs an AVIF and a Bayer DNG through every
output format and independent reader; these tests cover what is particular to the formats.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from anonymize.config import ImageSettings
from anonymize.errors import InputError
from anonymize.image.load import FORMATS, load_image
from tests.dirty import dirty_fixtures, encode, exif_block, scene

Write = Callable[[str, bytes], Path]


def _dng() -> bytes:
    (fixture,) = [f for f in dirty_fixtures() if f.suffix == ".dng"]
    return fixture.data


def test_a_dng_is_developed_upright_with_what_it_carried_named(write: Write) -> None:
    loaded = load_image(write("camera.dng", _dng()))
    assert loaded.source.format == "camera RAW"
    assert loaded.orientation == 6
    upright = np.repeat(np.repeat(scene(), 2, axis=0), 2, axis=1)
    assert loaded.pixels.shape == upright.shape
    # Plain development of a mosaic made from the picture in linear light shows the picture.
    assert np.abs(loaded.pixels.astype(int) - upright.astype(int)).mean() < 5
    names = {(item.group, item.name) for item in loaded.metadata}
    assert ("RAW:IFD0", "CameraSerialNumber") in names and ("RAW:IFD0", "Artist") in names


def test_a_dng_named_tif_is_still_developed_as_raw(write: Write) -> None:
    # Pillow would open its first IFD as a TIFF: for a phone's DNG that is often the preview.
    assert load_image(write("renamed.tif", _dng())).source.format == "camera RAW"


def test_a_cut_short_raw_is_refused(write: Write) -> None:
    data = _dng()
    with pytest.raises(InputError, match=r"cut\.dng: truncated or corrupt RAW file: the file ends before its image"):
        load_image(write("cut.dng", data[: len(data) // 2]))


def test_a_raw_whose_image_data_is_missing_is_refused_not_developed_as_black(write: Write) -> None:
    # The header speaks of a 4000x3000 sensor; the file holds a small one's data. LibRaw reads
    # what is missing as black without a word (so do exiftool's stripped test RAWs).
    import tifffile

    data = bytearray(_dng())
    with tifffile.TiffFile(io.BytesIO(bytes(data))) as tiff:
        page = tiff.pages[0]
        assert isinstance(page, tifffile.TiffPage)
        tags = page.tags
        width_at, height_at = tags["ImageWidth"].valueoffset, tags["ImageLength"].valueoffset
        size = 2 if tags["ImageWidth"].dtype == 3 else 4
    data[width_at : width_at + size] = (4000).to_bytes(size, "little")
    data[height_at : height_at + size] = (3000).to_bytes(size, "little")
    with pytest.raises(InputError, match=r"missing\.dng: truncated RAW file: [\d,]+ bytes cannot hold .* 4000x3000"):
        load_image(write("missing.dng", bytes(data)))


def test_raw_pixel_limit_is_checked_before_developing(write: Write) -> None:
    path = write("big.dng", _dng())
    with pytest.raises(InputError, match=r"128x192 = 0\.0 MP, over the limit"):
        load_image(path, ImageSettings(max_pixels=128 * 192 - 1))


def test_a_jpeg_under_a_raw_name_is_read_as_the_jpeg_it_is(write: Write) -> None:
    assert load_image(write("export.raw", encode(scene(), "JPEG", quality=95))).source.format == "JPEG"


def test_something_that_is_not_raw_under_a_raw_name_is_one_clear_line(write: Write) -> None:
    with pytest.raises(InputError, match=r"not a camera RAW or DNG file LibRaw can read \(Unsupported file format"):
        load_image(write("notes.nef", b"these are not sensor data" * 40))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_avif_orientation_is_applied_once(orientation: int, write: Write) -> None:
    stored = scene(96, 64)
    data = encode(stored, "AVIF", quality=100, subsampling="4:4:4", exif=exif_block(orientation))
    loaded = load_image(write(f"o{orientation}.avif", data))
    shown = {
        1: stored, 2: stored[:, ::-1], 3: stored[::-1, ::-1], 4: stored[::-1], 5: stored.swapaxes(0, 1),
        6: np.rot90(stored, k=-1), 7: stored[::-1, ::-1].swapaxes(0, 1), 8: np.rot90(stored, k=1),
    }[orientation]  # fmt: skip
    assert loaded.pixels.shape == shown.shape
    assert np.abs(loaded.pixels.astype(int) - shown.astype(int)).mean() < 4


def test_animated_avif_is_refused_by_name(write: Write) -> None:
    frames = [Image.fromarray(scene(seed=s)) for s in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "AVIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(InputError, match="animated AVIF is not supported; export one still picture"):
        load_image(write("moving.avif", buffer.getvalue()))


class _BitWriter:
    """Writes bits least significant first, as JPEG XL reads them."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, value: int, count: int) -> _BitWriter:
        self.bits += [(value >> i) & 1 for i in range(count)]
        return self

    def bytes(self) -> bytes:
        padded = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(sum(bit << i for i, bit in enumerate(padded[k : k + 8])) for k in range(0, len(padded), 8))


def _jxl_header(*, orientation: int = 1, animated: bool = False, huge: bool = False) -> bytes:
    """A bare JPEG XL codestream's size header and image metadata, then noise no decoder must see."""
    bits = _BitWriter()
    if huge:  # 30000x30000: ysize through U32's third distribution (18 bits + 1), ratio 1:1
        bits.u(0, 1).u(2, 2).u(30000 - 1, 18).u(1, 3)
    else:  # 96x64 in units of 8 pixels
        bits.u(1, 1).u(64 // 8 - 1, 5).u(0, 3).u(96 // 8 - 1, 5)
    bits.u(0, 1).u(1, 1).u(orientation - 1, 3).u(0, 1).u(0, 1).u(int(animated), 1)
    return b"\xff\x0a" + bits.bytes() + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("header", "refusal"),
    [
        (_jxl_header(animated=True), "animated JPEG XL is not supported; export one still picture"),
        (_jxl_header(orientation=6), r"JPEG XL stored turned \(orientation 6\) is not read yet"),
        (_jxl_header(huge=True), r"30000x30000 = 900\.0 MP, over the limit of 100 MP"),
    ],
    ids=["animated", "turned", "bomb"],
)
def test_jpeg_xl_is_refused_from_its_header_before_decoding(header: bytes, refusal: str, write: Write) -> None:
    with pytest.raises(InputError, match=refusal):
        load_image(write("header.jxl", header))


def test_a_jpeg_xl_decoder_failure_is_one_line(write: Write) -> None:
    with pytest.raises(InputError) as refused:
        load_image(write("noise.jxl", _jxl_header()))
    assert str(refused.value).endswith("noise.jxl: truncated or corrupt JPEG XL: the decoder could not read it")


def test_a_jpeg_xl_that_reconstructs_a_jpeg_names_what_the_jpeg_carried(write: Write, tmp_path: Path) -> None:
    jpeg = write("camera.jpg", encode(scene(), "JPEG", quality=95, exif=exif_block()))
    with Image.open(jpeg) as original:
        original.save(tmp_path / "camera.jxl", "JXL", lossless_jpeg=True, use_container=True)
        decoded = np.asarray(original.convert("RGB"))
    loaded = load_image(tmp_path / "camera.jxl")
    groups = {item.group for item in loaded.metadata}
    names = {item.name for item in loaded.metadata}
    assert "JPEG reconstruction data (the original JPEG's markers)" in names and "compressed Exif box" in names
    assert "EXIF:GPS" in groups  # what the compressed EXIF held, named as the decoder read it
    assert np.abs(loaded.pixels.astype(int) - decoded.astype(int)).max() <= 1


def test_compressed_jpeg_xl_metadata_is_named(write: Write) -> None:
    data = encode(scene(), "JXL", lossless=True, use_container=True, exif=exif_block(), compress_metadata=True)
    names = {item.name for item in load_image(write("small.jxl", data)).metadata}
    assert "compressed Exif box" in names


def _group4_tiff() -> tuple[bytes, int, int, int]:
    """A fax-coded TIFF (decoded by libtiff), and where its strip and strip byte count are."""
    import tifffile

    rng = np.random.default_rng(0)
    bits = Image.fromarray((rng.random((64, 96)) > 0.5).astype(np.uint8) * 255).convert("1")
    data = encode(bits, "TIFF", compression="group4")
    with tifffile.TiffFile(io.BytesIO(data)) as tiff:
        page = tiff.pages[0]
        assert isinstance(page, tifffile.TiffPage)
        return data, page.dataoffsets[0], page.databytecounts[0], page.tags["StripByteCounts"].valueoffset


def test_a_refusal_folds_what_libtiff_printed_into_its_line(write: Write, capfd: pytest.CaptureFixture[str]) -> None:
    data, _, _, count_at = _group4_tiff()
    long = bytearray(data)
    long[count_at : count_at + 4] = (10**6).to_bytes(4, "little")  # the strip runs past the end
    with pytest.raises(InputError) as refused:
        load_image(write("cut.tif", bytes(long)))
    assert "cut.tif: truncated or corrupt TIFF" in str(refused.value)
    assert "(the decoder said: TIFFFillStrip: Read error on strip 0" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert capfd.readouterr().err == ""  # nothing went to the terminal on its own


def test_what_a_decoder_warns_of_a_picture_it_read_becomes_a_warning(
    write: Write, capfd: pytest.CaptureFixture[str]
) -> None:
    data, strip_at, strip_bytes, _ = _group4_tiff()
    garbled = bytearray(data)
    garbled[strip_at : strip_at + strip_bytes] = np.random.default_rng(1).bytes(strip_bytes)
    loaded = load_image(write("garbled.tif", bytes(garbled)))
    assert any(w.startswith("the decoder warned: Fax4Decode:") for w in loaded.warnings), loaded.warnings
    assert capfd.readouterr().err == ""


def test_python_warnings_of_decoders_are_kept_too(write: Write, capfd: pytest.CaptureFixture[str]) -> None:
    # An EXIF IFD that claims two entries and holds one: Pillow warns "Corrupt EXIF data" as it reads.
    entry = struct.pack(">HHII", 0x0112, 3, 1, 6 << 16)
    block = b"Exif\0\0MM\0*" + struct.pack(">IH", 8, 2) + entry + b"\0\0"
    loaded = load_image(write("odd.jpg", encode(scene(), "JPEG", quality=95, exif=block)))
    assert capfd.readouterr().err == ""
    (warned,) = [w for w in loaded.warnings if w.startswith("the decoder warned:")]
    assert warned == "the decoder warned: Corrupt EXIF data. Expecting to read 12 bytes but only got 2."


def test_the_format_table_has_one_row_per_format() -> None:
    names = [name for name, _, _ in FORMATS]
    assert len(names) == len(set(names))
    assert {"AVIF", "JPEG XL", "camera RAW and DNG", "HEIF/HEIC"} <= set(names)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for row in FORMATS:
        assert f"| {' | '.join(row)} |" in readme, f"README's format table lacks or misstates {row[0]}"
