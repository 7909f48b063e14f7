"""``anonymize image`` from the outside: exit codes, messages, the JSON report, bad input."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from anonymize.cli import main
from anonymize.image import encode as encode_module
from anonymize.image.encode import JpegEncoder
from tests.conftest import pixels_of
from tests.dirty import encode, exif_block, scene
from tests.faces import Composite, astronaut, background, paste


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["image", *args], catch_exceptions=False)


def test_success_prints_nothing(scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "out.jpg"))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "out.jpg").exists()


def test_json_report(tmp_path: Path, write: Callable[[str, bytes], Path]) -> None:
    original = write("IMG_0042.jpg", encode(scene(96, 64), "JPEG", quality=95, exif=exif_block(orientation=6)))
    output = tmp_path / "out.png"
    result = run(str(original), "-o", str(output), "--region", "4,4,20,10", "--region", "ellipse:30,50,40,40", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["input"]["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert report["output"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert report["displayed_size"] == {"width": 64, "height": 96}
    assert report["input"]["stored_size"] == {"width": 96, "height": 64}
    assert report["orientation"] == {"exif_value": 6, "applied": "rotated 90° clockwise"}
    assert [r["shape"] for r in report["regions"]] == ["box", "ellipse"]
    assert report["regions"][1]["box"] == [30, 50, 34, 40] and report["regions"][1]["clipped"] is True
    removed = {(m["group"], m["name"]) for m in report["metadata_removed"]}
    assert {("EXIF:GPS", "GPSLatitude"), ("EXIF:IFD0", "Artist"), ("EXIF:IFD0", "Orientation")} <= removed
    assert report["verification"]["passed"] is True
    assert {c["name"] for c in report["verification"]["checks"]} >= {"no_metadata", "pixels", "single_image"}
    assert "SECRET" not in result.stdout and "IMG_0042" not in result.stdout  # names, never values or paths
    published = pixels_of(output)
    assert np.all(published[4:14, 4:24] == 0)  # solid default fill, in upright coordinates


@pytest.mark.parametrize("style", ["solid", "pixelate", "blur"])
def test_styles_change_the_region_only(style: str, tmp_path: Path, write: Callable[[str, bytes], Path]) -> None:
    picture = scene(96, 64)
    original = write("in.png", encode(picture, "PNG"))
    output = tmp_path / "out.png"
    assert run(str(original), "-o", str(output), "--region", "10,10,40,30", "--style", style).exit_code == 0
    published = pixels_of(output)
    outside = np.ones(picture.shape[:2], bool)
    outside[10:40, 10:50] = False
    assert np.array_equal(published[outside], picture[outside])
    assert np.abs(published[10:40, 10:50].astype(int) - picture[10:40, 10:50].astype(int)).mean() > 20


@pytest.mark.parametrize("width", [[], ["--width", "40"]], ids=["full size", "--width"])
def test_output_equal_to_input_is_refused(width: list[str], scene_jpeg: Path) -> None:
    before = scene_jpeg.read_bytes()
    for same in (str(scene_jpeg), str(scene_jpeg.parent / "." / scene_jpeg.name)):
        result = run(str(scene_jpeg), "-o", same, *width)
        assert result.exit_code == 2
        assert "output is the input" in result.stderr
    link = scene_jpeg.parent / "link.jpg"
    link.symlink_to(scene_jpeg)
    assert run(str(scene_jpeg), "-o", str(link), *width).exit_code == 2
    assert scene_jpeg.read_bytes() == before


def test_unsupported_output_suffix(scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "out.gif"))
    assert result.exit_code == 2
    assert "out.gif: cannot write .gif" in result.stderr
    assert not (tmp_path / "out.gif").exists()


@pytest.mark.parametrize(
    ("spec", "message"),
    [("1,2,3", "four whole numbers"), ("a,b,c,d", "whole numbers"), ("circle:1,2,3,4", "unknown shape"),
     ("1,2,0,4", "positive width")],
)  # fmt: skip
def test_bad_region_is_a_usage_error(spec: str, message: str, scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), "--region", spec)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "o.jpg").exists()


def test_region_outside_the_picture(scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), "--region", "500,10,20,20")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"anonymize: {scene_jpeg}: region 1 (box 500,10,20,20) lies outside the upright 96x64 picture"
    )


def test_a_keep_that_matches_no_detection_writes_nothing(scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), "--keep", "10,10,20,20")
    assert result.exit_code == 2 and not (tmp_path / "o.jpg").exists()
    assert result.stderr.strip() == (
        "anonymize: --keep 10,10,20,20: no face or text found has the box [10, 10, 20, 20] any more (the photo or"
        " the detectors changed): copy the region's box from the report again, or remove the keep"
    )
    outside = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), "--keep", "500,10,20,20")
    assert outside.exit_code == 2
    assert outside.stderr.strip() == (
        "anonymize: --keep 500,10,20,20: box [500, 10, 20, 20] lies outside the upright 96x64 picture"
    )


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    jpeg = encode(scene(), "JPEG", quality=95)
    png = encode(scene(), "PNG")
    gif, bmp = io.BytesIO(), io.BytesIO()
    Image.fromarray(scene()).save(gif, "GIF")
    Image.fromarray(scene()).save(bmp, "BMP")
    files = {
        "empty": (b"", "empty file"),
        "text": (b"Amir's story, not a picture\n", "not a picture"),
        "truncated-jpeg": (jpeg[: len(jpeg) // 2], "truncated or corrupt JPEG"),
        "truncated-png": (png[: len(png) - 30], "truncated or corrupt PNG"),
        "header-only-jpeg": (jpeg[:200], "truncated or corrupt JPEG"),
        "gif": (gif.getvalue(), "unsupported format GIF"),
        "bmp": (bmp.getvalue(), "unsupported format BMP"),
        "pdf": (b"%PDF-1.4\n%\xe2\xe3\n", "unsupported format PDF"),
    }
    cases = {}
    for name, (data, message) in files.items():
        path = tmp / f"{name}.jpg"
        path.write_bytes(data)
        cases[name] = (path, message)
    cases["missing"] = (tmp / "missing.jpg", "no such file")
    folder = tmp / "folder.jpg"
    folder.mkdir()
    cases["directory"] = (folder, "is a directory")
    return cases


BAD = [
    "empty",
    "text",
    "truncated-jpeg",
    "truncated-png",
    "header-only-jpeg",
    "gif",
    "bmp",
    "pdf",
    "missing",
    "directory",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input(case: str, tmp_path: Path) -> None:
    path, message = _bad_inputs(tmp_path)[case]
    before = path.read_bytes() if path.is_file() else None
    output = tmp_path / "out" / "clean.jpg"
    result = run(str(path), "-o", str(output))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"anonymize: {path}: ") and message in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not output.exists() and not output.parent.exists()
    if before is not None:
        assert path.read_bytes() == before


def test_over_the_pixel_limit(scene_jpeg: Path, tmp_path: Path) -> None:
    result = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), "--max-pixels", "1000")
    assert result.exit_code == 2
    assert f"{scene_jpeg}: picture is 96x64" in result.stderr and "over the limit" in result.stderr
    assert not (tmp_path / "o.jpg").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(scene_jpeg: Path, tmp_path: Path) -> None:
    scene_jpeg.chmod(0)
    result = run(str(scene_jpeg), "-o", str(tmp_path / "o.jpg"))
    assert result.exit_code == 2 and "permission denied" in result.stderr


def test_control_characters_in_file_names_are_not_printed(tmp_path: Path) -> None:
    nasty = tmp_path / "amir\x1b[2J\rfake.jpg"
    result = run(str(nasty), "-o", str(tmp_path / "o.jpg"))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\r" not in result.stderr


class LeakyEncoder(JpegEncoder):
    """An encoder gone wrong: it writes a comment into the published file."""

    options = {**JpegEncoder.options, "comment": b"leak"}


class UnredactingEncoder(JpegEncoder):
    """An encoder gone wrong: it writes the wrong pixels."""

    def encode(self, pixels: np.ndarray) -> bytes:
        return super().encode(np.full_like(pixels, 127))


@pytest.mark.parametrize(("encoder", "check"), [(LeakyEncoder(), "no_metadata"), (UnredactingEncoder(), "pixels")])
def test_verification_failure_writes_nothing(
    encoder: JpegEncoder, check: str, scene_jpeg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(encode_module.ENCODERS, ".jpg", encoder)
    output = tmp_path / "new" / "folder" / "out.jpg"
    result = run(str(scene_jpeg), "-o", str(output), "--json")
    assert result.exit_code == 1
    assert f"{output}: verification failed" in result.stderr and check in result.stderr
    report = json.loads(result.stdout)
    assert report["verification"]["passed"] is False and report["output"] is None
    # No file, no temporary file, and not even the folders made for it are left behind.
    assert list(tmp_path.iterdir()) == [scene_jpeg]


def test_installed_console_script(scene_jpeg: Path, tmp_path: Path) -> None:
    """The real entry point, as a user runs it: a separate process, the JSON on stdout."""
    output = tmp_path / "out.webp"
    done = subprocess.run(
        [sys.executable, "-m", "anonymize", "image", str(scene_jpeg), "-o", str(output), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"]["format"] == "WEBP"
    with Image.open(output) as image:
        assert image.format == "WEBP" and image.size == (96, 64)


@pytest.mark.parametrize(("width", "min_face"), [(600, 20), (200, 27)])
def test_width_writes_that_wide_and_searches_what_matters_there(width: int, min_face: int, tmp_path: Path) -> None:
    canvas = Composite(background("coffee", 1800, 1200, seed=5))
    x, y, w, h = paste(canvas, astronaut(), 60, (900, 500))
    source = tmp_path / "frame.jpg"
    Image.fromarray(canvas.pixels).save(source, quality=95)
    output = tmp_path / "out.jpg"
    result = run(str(source), "-o", str(output), "--width", str(width), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # Faces a 1800-wide frame shows under 3 px wide where published are not searched for.
    assert report["faces"]["min_face"] == min_face
    assert report["output"]["size"] == {"width": width, "height": width * 2 // 3}
    assert report["output"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    with Image.open(output) as written:
        assert written.size == (width, width * 2 // 3) and not written.getexif() and written.format == "JPEG"
        shown = np.asarray(written.convert("RGB"))
    scale = width / 1800
    face = shown[round(y * scale) : round((y + h) * scale), round(x * scale) : round((x + w) * scale)]
    assert face.size and float(face.max()) < 40, "the face is covered where it is published"


def test_a_subject_alone_blurs_the_background(scene_jpeg: Path, tmp_path: Path) -> None:
    """As in a story, outlining the people means blurring the rest: no --background blur needed."""
    result = run(str(scene_jpeg), "-o", str(tmp_path / "out.jpg"), "--subject", "10,10,50,10,50,50", "--json")
    assert result.exit_code == 0, result.output
    background = json.loads(result.stdout)["background"]
    assert (background["treatment"], background["mask"], background["source"]) == (
        "blur",
        "drawn",
        "1 polygon(s) drawn by hand",
    )


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            ["--subject", "10,10,50,10,50,50", "--background", "keep"],
            "--subject outlines the people to blur what is behind them: not with --background keep",
        ),
        (["--style", "mosaic"], "--style: 'mosaic' is not one of 'blur', 'pixelate', 'solid'"),
        (["--min-face", "-3"], "--min-face: -3 is not in the range 8<=x<=10000"),
    ],
)
def test_a_usage_mistake_is_one_line_naming_the_option(
    scene_jpeg: Path, tmp_path: Path, options: list[str], line: str
) -> None:
    arguments = ["image", str(scene_jpeg), "-o", str(tmp_path / "out.jpg"), *options]
    result = CliRunner().invoke(main, arguments, prog_name="anonymize", catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (2, f"anonymize: {line} (see anonymize image --help)\n")
    assert not (tmp_path / "out.jpg").exists()
