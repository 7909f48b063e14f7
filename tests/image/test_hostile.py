"""Hostile and odd originals: what a browser shows is what gets redacted, or the file is refused."""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from anonymize.cli import main
from anonymize.errors import InputError
from anonymize.image.load import load_image
from anonymize.image.pipeline import anonymize_image
from tests.conftest import pixels_of
from tests.dirty import encode, exif_block, png_chunk, scene

XMP_ORIENTATION_6 = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
)


def _raw_profile_exif(block: bytes) -> str:
    body = block.hex()
    return f"\nexif\n{len(block):8d}\n" + "\n".join(body[i : i + 72] for i in range(0, len(body), 72)) + "\n"


ORIENTATIONS_BROWSERS_IGNORE: dict[str, Callable[[np.ndarray], bytes]] = {
    "jpeg-xmp-only": lambda p: encode(p, "JPEG", quality=95, xmp=XMP_ORIENTATION_6),
    "png-raw-profile-text": lambda p: encode(
        p, "PNG", pnginfo=_png_text("Raw profile type exif", _raw_profile_exif(exif_block(6)))
    ),
    "png-exif-after-idat": lambda p: _exif_after_idat(encode(p, "PNG"), exif_block(6)),
}


def _png_text(key: str, value: str) -> object:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def _exif_after_idat(png: bytes, block: bytes) -> bytes:
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + png_chunk(b"eXIf", block) + png[iend:]


@pytest.mark.parametrize("case", sorted(ORIENTATIONS_BROWSERS_IGNORE))
def test_orientation_browsers_ignore_is_ignored(case: str, write: Callable[[str, bytes], Path]) -> None:
    stored = scene(96, 64)
    loaded = load_image(write(f"{case}.img", ORIENTATIONS_BROWSERS_IGNORE[case](stored)))
    assert loaded.size == (96, 64)  # not turned
    assert loaded.orientation == 1
    assert np.abs(loaded.pixels.astype(int) - stored.astype(int)).mean() < 3
    assert any("ignored" in note for note in loaded.warnings), loaded.warnings


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_in_png_and_webp_is_applied_with_a_warning(fmt: str, write: Callable[[str, bytes], Path]) -> None:
    loaded = load_image(write("turned.img", encode(scene(96, 64), fmt, lossless=True, exif=exif_block(6))))
    assert loaded.size == (64, 96)
    assert any("browsers differ" in note for note in loaded.warnings)


def _animated(fmt: str, hidden_default: bool) -> bytes:
    hidden = scene(64, 48, seed=3)
    shown = np.full((48, 64, 3), (0, 0, 255), np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(hidden).save(
        buffer, fmt, save_all=True, append_images=[Image.fromarray(shown)], duration=[1, 1000], loop=1,
        **({"default_image": True} if hidden_default else {}),
    )  # fmt: skip
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "hidden_default"), [("PNG", True), ("PNG", False), ("WEBP", False)])
def test_animated_pictures_are_refused(fmt: str, hidden_default: bool, write: Callable[[str, bytes], Path]) -> None:
    path = write("anim.img", _animated(fmt, hidden_default))
    with pytest.raises(InputError, match=r"animated \S+ is not supported"):
        load_image(path)


def test_broken_later_tiff_page_is_reported_not_a_crash(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    page = Image.fromarray(scene(64, 48))
    page.save(buffer, "TIFF", save_all=True, append_images=[page])
    data = bytearray(buffer.getvalue())
    first = struct.unpack("<I", data[4:8])[0]
    count = struct.unpack("<H", data[first : first + 2])[0]
    second = struct.unpack("<I", data[first + 2 + 12 * count : first + 6 + 12 * count])[0]
    for index in range(struct.unpack("<H", data[second : second + 2])[0]):
        entry = second + 2 + 12 * index
        if data[entry : entry + 2] == b"\x00\x01":  # ImageWidth of page 2 becomes an unknown tag
            data[entry : entry + 2] = b"\xfe\xfe"
    source = tmp_path / "pages.tif"
    source.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["image", str(source), "-o", str(tmp_path / "o.png"), "--json"])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert np.array_equal(pixels_of(tmp_path / "o.png"), scene(64, 48))


@pytest.mark.parametrize(("suffix", "width"), [(".webp", 20_000), (".jpg", 70_000)])
def test_picture_too_large_for_the_output_format(suffix: str, width: int, tmp_path: Path) -> None:
    source = tmp_path / "wide.png"
    Image.new("RGB", (width, 2), (90, 90, 90)).save(source)
    result = CliRunner().invoke(main, ["image", str(source), "-o", str(tmp_path / f"o{suffix}")])
    assert result.exit_code == 2
    assert f"does not fit {suffix}" in result.stderr and "write .png" in result.stderr
    assert CliRunner().invoke(main, ["image", str(source), "-o", str(tmp_path / "o.png")]).exit_code == 0


def test_output_that_is_a_directory_or_under_a_file(scene_jpeg: Path, tmp_path: Path) -> None:
    folder = tmp_path / "d.jpg"
    folder.mkdir()
    result = CliRunner().invoke(main, ["image", str(scene_jpeg), "-o", str(folder)])
    assert result.exit_code == 2 and "output is a directory" in result.stderr
    result = CliRunner().invoke(main, ["image", str(scene_jpeg), "-o", str(scene_jpeg / "x.png")])
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert result.stderr.count("\n") == 1


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_image(fifo)


def test_png_colour_key_transparency_is_flattened(write: Callable[[str, bytes], Path]) -> None:
    picture = scene(64, 48)
    picture[:8, :] = (1, 2, 3)
    loaded = load_image(write("keyed.png", encode(picture, "PNG", transparency=(1, 2, 3))))
    assert np.all(loaded.pixels[:8] == 255)
    assert np.array_equal(loaded.pixels[8:], picture[8:])


def test_custom_png_keywords_are_not_repeated(write: Callable[[str, bytes], Path]) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Amir Haddad 12 Rue X", "value")
    info.add_text("Author", "value")
    loaded = load_image(write("k.png", encode(scene(), "PNG", pnginfo=info)))
    names = {item.name for item in loaded.metadata}
    assert "Author" in names and "(custom keyword)" in names
    assert not any("Amir" in name for name in names)


@pytest.mark.parametrize("suffix", [".jpg", ".webp"])
@pytest.mark.parametrize("noise", ["uniform", "high-iso"])
def test_noisy_photos_pass_verification(suffix: str, noise: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    if noise == "uniform":
        picture = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    else:  # a dim room: dark, with strong sensor noise
        picture = np.clip(rng.normal(40, 25, (240, 320, 3)), 0, 255).astype(np.uint8)
    source = tmp_path / "noisy.png"
    Image.fromarray(picture).save(source)
    from anonymize.image.plan import RegionRequest
    from anonymize.image.regions import Box, Ellipse

    regions = [RegionRequest(Box(5, 5, 12, 12), "face", "test"), RegionRequest(Ellipse(100, 60, 90, 120), "face", "t")]
    report = anonymize_image(source, tmp_path / f"out{suffix}", regions)
    assert report.verification.passed
