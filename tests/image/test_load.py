"""Loading: orientation, pixel modes, colour profiles, primary image only, the pixel limit."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from anonymize.config import ImageSettings
from anonymize.errors import InputError
from anonymize.image.load import load_image
from tests.dirty import encode, exif_block, icc_profile, scene

# What a viewer shows for each EXIF orientation, written from the EXIF specification's words
# (where the stored 0th row and 0th column go), not from Pillow's table the loader uses.
DISPLAYED: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    1: lambda s: s,
    2: lambda s: s[:, ::-1],  # 0th row top, 0th column right
    3: lambda s: s[::-1, ::-1],  # bottom, right
    4: lambda s: s[::-1, :],  # bottom, left
    5: lambda s: s.swapaxes(0, 1),  # 0th row left, 0th column top
    6: lambda s: np.rot90(s, k=-1),  # right, top: turn 90° clockwise
    7: lambda s: s[::-1, ::-1].swapaxes(0, 1),  # right, bottom
    8: lambda s: np.rot90(s, k=1),  # left, bottom: turn 90° counter-clockwise
}

ORIENTED_FORMATS: dict[str, Callable[[np.ndarray, int], bytes]] = {
    "jpg": lambda px, o: encode(px, "JPEG", quality=95, exif=exif_block(o)),
    "png": lambda px, o: encode(px, "PNG", exif=exif_block(o)),
    "webp": lambda px, o: encode(px, "WEBP", lossless=True, exif=exif_block(o)),
    "tif": lambda px, o: encode(px, "TIFF", tiffinfo={274: o}),  # TIFF keeps it in IFD0 itself
}


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("suffix", sorted(ORIENTED_FORMATS))
def test_every_orientation_is_applied(orientation: int, suffix: str, write: Callable[[str, bytes], Path]) -> None:
    stored = scene(96, 64)
    path = write(f"o{orientation}.{suffix}", ORIENTED_FORMATS[suffix](stored, orientation))
    loaded = load_image(path)
    expected = DISPLAYED[orientation](stored)
    assert loaded.pixels.shape == expected.shape
    assert loaded.orientation == orientation
    error = np.abs(loaded.pixels.astype(int) - expected.astype(int)).mean()
    assert error < (3.0 if suffix == "jpg" else 0.01)
    # No other orientation would have matched: the test picture has no symmetry.
    for other, show in DISPLAYED.items():
        if other != orientation and show(stored).shape == expected.shape:
            assert np.abs(loaded.pixels.astype(int) - show(stored).astype(int)).mean() > 20


def test_invalid_orientation_is_ignored_with_a_warning(write: Callable[[str, bytes], Path]) -> None:
    stored = scene()
    exif = Image.Exif()
    exif[0x0112] = 9
    loaded = load_image(write("bad.png", encode(stored, "PNG", exif=exif.tobytes())))
    assert np.array_equal(loaded.pixels, stored)
    assert loaded.orientation == 1
    assert any("orientation 9" in w for w in loaded.warnings)


def test_heif_transforms_are_applied_by_the_decoder(write: Callable[[str, bytes], Path]) -> None:
    stored = scene(96, 64)
    buffer = io.BytesIO()
    heif = pillow_heif.from_pillow(Image.fromarray(stored))
    heif.save(buffer, quality=95, exif=exif_block(6))
    loaded = load_image(write("turned.heic", buffer.getvalue()))
    # pillow-heif writes the orientation as an irot transform; the picture arrives upright once,
    # not twice.
    assert loaded.size == (64, 96)
    assert np.abs(loaded.pixels.astype(int) - np.rot90(stored, k=-1).astype(int)).mean() < 4


def _mode_cases() -> dict[str, tuple[Image.Image, np.ndarray]]:
    """Pictures in each Pillow mode, with the sRGB pixels a viewer would show."""
    rgb = scene()
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    grey_rgb = np.repeat(grey[..., None], 3, axis=2)
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, :16] = 0  # a transparent band hiding a picture under it
    flattened = rgb.copy()
    flattened[:, :16] = 255
    grey_flat = grey_rgb.copy()
    grey_flat[:, :16] = 255
    sixteen = (grey.astype(np.uint16) * 257).astype(np.uint16)
    palette = Image.fromarray(rgb).quantize(64)
    palette_rgb = np.asarray(palette.convert("RGB"))
    return {
        "RGB": (Image.fromarray(rgb), rgb),
        "L": (Image.fromarray(grey), grey_rgb),
        "1": (Image.fromarray(grey).convert("1", dither=Image.Dither.NONE), None),  # type: ignore[dict-item]
        "P": (palette, palette_rgb),
        "RGBA": (Image.fromarray(np.dstack([rgb, alpha])), flattened),
        "LA": (Image.fromarray(np.dstack([grey, alpha])), grey_flat),
        "I;16": (Image.fromarray(sixteen), grey_rgb),
        "CMYK": (Image.fromarray(rgb).convert("CMYK"), rgb),
    }


@pytest.mark.parametrize(
    ("mode", "fmt"), [(m, f) for m in _mode_cases() for f in ("PNG", "TIFF") if (m, f) != ("CMYK", "PNG")]
)
def test_every_mode_becomes_8bit_srgb(mode: str, fmt: str, write: Callable[[str, bytes], Path]) -> None:
    image, expected = _mode_cases()[mode]
    path = write(f"m.{fmt.lower()}", encode(image, fmt))
    loaded = load_image(path)
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.shape == (64, 96, 3)
    assert loaded.pixels.flags.c_contiguous
    if expected is None:  # 1-bit: only black and white survive, as black and white
        assert set(np.unique(loaded.pixels)) <= {0, 255}
    else:
        assert np.abs(loaded.pixels.astype(int) - expected.astype(int)).max() <= 1


def test_sixteen_bit_is_scaled_not_clipped(write: Callable[[str, bytes], Path]) -> None:
    ramp = np.tile(np.linspace(0, 65535, 96).astype(np.uint16), (8, 1))
    loaded = load_image(write("ramp.png", encode(Image.fromarray(ramp), "PNG")))
    row = loaded.pixels[0, :, 0].astype(int)
    assert row[0] == 0 and row[-1] == 255 and abs(row[48] - 129) <= 2
    assert np.all(np.diff(row) >= 0)


def test_icc_profile_is_applied(write: Callable[[str, bytes], Path]) -> None:
    # A profile whose red and green primaries are swapped: stored red must display as green.
    stored = np.zeros((16, 16, 3), np.uint8)
    stored[:, :8] = (255, 0, 0)
    stored[:, 8:] = (128, 128, 128)
    profile = icc_profile(b"swapped", swap_red_green=True)
    loaded = load_image(write("p.png", encode(stored, "PNG", icc_profile=profile)))
    assert loaded.source.icc_profile
    assert np.abs(loaded.pixels[0, 0].astype(int) - (0, 255, 0)).max() <= 3
    grey = loaded.pixels[0, 12].astype(int)
    assert grey.max() - grey.min() <= 2  # neutral stays neutral


def test_unusable_icc_profile_is_reported_not_fatal(write: Callable[[str, bytes], Path]) -> None:
    stored = scene()
    gray_profile = icc_profile(b"grey", space=b"GRAY")
    loaded = load_image(write("p.png", encode(stored, "PNG", icc_profile=gray_profile)))
    assert np.array_equal(loaded.pixels, stored)
    assert any("ICC profile" in w for w in loaded.warnings)


def test_lab_tiff_is_converted(write: Callable[[str, bytes], Path]) -> None:
    from PIL import ImageCms

    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[:] = (200, 40, 40)
    to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")
    lab = ImageCms.applyTransform(Image.fromarray(rgb), to_lab)
    assert lab is not None
    loaded = load_image(write("lab.tif", encode(lab, "TIFF")))
    assert np.abs(loaded.pixels[0, 0].astype(int) - (200, 40, 40)).max() <= 4


def test_only_the_primary_image_of_a_heif_is_decoded(write: Callable[[str, bytes], Path]) -> None:
    decoy = Image.new("RGB", (32, 24), (0, 255, 0))
    primary = Image.new("RGB", (32, 24), (255, 0, 0))
    heif = pillow_heif.from_pillow(decoy)
    heif.add_from_pillow(primary)
    buffer = io.BytesIO()
    heif.save(buffer, quality=95, primary_index=1)
    loaded = load_image(write("two.heic", buffer.getvalue()))
    assert np.abs(loaded.pixels.astype(int) - (255, 0, 0)).max() < 10
    assert any("further top-level" in item.name for item in loaded.metadata)


def test_first_frame_only_of_multi_image_files(write: Callable[[str, bytes], Path]) -> None:
    first = scene()
    buffer = io.BytesIO()
    Image.fromarray(first).save(buffer, "TIFF", save_all=True, append_images=[Image.new("RGB", (96, 64), "lime")])
    loaded = load_image(write("pages.tif", buffer.getvalue()))
    assert np.array_equal(loaded.pixels, first)


def test_pixel_limit_is_checked_before_decoding(write: Callable[[str, bytes], Path]) -> None:
    path = write("big.png", encode(scene(), "PNG"))
    with pytest.raises(InputError, match=r"96x64 = 0\.0 MP, over the limit"):
        load_image(path, ImageSettings(max_pixels=96 * 64 - 1))
    assert load_image(path, ImageSettings(max_pixels=96 * 64)).size == (96, 64)


def test_limit_above_pillows_own_bomb_limit_is_honoured(write: Callable[[str, bytes], Path]) -> None:
    # A 12000x16000 (192 MP) PNG header: Pillow alone would refuse it as a bomb; a configured
    # limit of 200 MP lets it through to decoding, where its missing data is reported.
    header = encode(np.zeros((1, 1, 3), np.uint8), "PNG")
    ihdr = bytearray(header)
    ihdr[16:24] = (12000).to_bytes(4, "big") + (16000).to_bytes(4, "big")
    import zlib

    crc = zlib.crc32(bytes(ihdr[12:29])) & 0xFFFFFFFF
    ihdr[29:33] = crc.to_bytes(4, "big")
    path = write("huge.png", bytes(ihdr))
    with pytest.raises(InputError, match="over the limit of 100 MP"):
        load_image(path)
    with pytest.raises(InputError, match="truncated or corrupt"):
        load_image(path, ImageSettings(max_pixels=200_000_000))
    assert Image.MAX_IMAGE_PIXELS == 89478485  # Pillow's global is left as it was
