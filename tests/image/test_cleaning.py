"""The table of dirty originals: each is cleaned, then read back by independent readers.

Asserted for every container and hiding place, in every output format: no secret byte string
survives, exiftool and exifread find nothing but the container's own structure, our report
names what was there, and the pixels are the upright picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anonymize.image.encode import ENCODERS
from anonymize.image.pipeline import anonymize_image
from tests.conftest import EXIFTOOL, exifread_tags, exiftool_leftovers, mean_abs_diff, pixels_of
from tests.dirty import SECRET, Dirty, dirty_fixtures

FIXTURES = dirty_fixtures()
OUTPUT_SUFFIXES = [".jpg", ".png", ".webp"]


@pytest.fixture(params=FIXTURES, ids=[f.name for f in FIXTURES])
def dirty(request: pytest.FixtureRequest) -> Dirty:
    fixture: Dirty = request.param
    return fixture


def _clean(dirty: Dirty, tmp_path: Path, suffix: str) -> tuple[Path, Path, dict[str, object]]:
    source = tmp_path / f"original{dirty.suffix}"
    source.write_bytes(dirty.data)
    output = tmp_path / f"published{suffix}"
    report = anonymize_image(source, output).to_dict()
    return source, output, report


def test_fixture_really_is_dirty(dirty: Dirty) -> None:
    """Guard against a fixture that hides nothing: every secret is in the original's bytes."""
    for secret in dirty.secrets:
        assert secret in dirty.data or _compressed(dirty), secret


def _compressed(dirty: Dirty) -> bool:
    return dirty.suffix == ".heic"  # HEIF stores EXIF/XMP uncompressed too, but be explicit


@pytest.mark.parametrize("suffix", OUTPUT_SUFFIXES)
def test_no_secret_survives(dirty: Dirty, tmp_path: Path, suffix: str) -> None:
    source, output, report = _clean(dirty, tmp_path, suffix)
    published = output.read_bytes()
    assert SECRET.encode() not in published
    for secret in dirty.secrets:
        assert secret not in published
    assert b"ICC_PROFILE" not in published and b"Exif\0\0" not in published and b"<x:xmpmeta" not in published
    assert source.read_bytes() == dirty.data  # the original is untouched
    assert report["verification"]["passed"] is True  # type: ignore[index]


@pytest.mark.parametrize("suffix", OUTPUT_SUFFIXES)
def test_independent_readers_find_nothing(dirty: Dirty, tmp_path: Path, suffix: str) -> None:
    _, output, _ = _clean(dirty, tmp_path, suffix)
    assert exifread_tags(output) == {}
    if EXIFTOOL is None:
        pytest.skip("exiftool is not installed (.ci/run installs it)")
    assert exiftool_leftovers(output) == []


@pytest.mark.parametrize("suffix", OUTPUT_SUFFIXES)
def test_pixels_are_the_upright_picture(dirty: Dirty, tmp_path: Path, suffix: str) -> None:
    _, output, report = _clean(dirty, tmp_path, suffix)
    published = pixels_of(output)
    assert published.shape == dirty.upright.shape
    if dirty.exact and ENCODERS[suffix].lossless:
        assert np.array_equal(published, dirty.upright)
    else:  # lossy coding of the fixture and of the output, and gamma-2.2 colour profiles
        assert mean_abs_diff(published, dirty.upright) < 5.0
    # The decoy second image (pure green) of MPF, TIFF and HEIF files never shows up.
    green = np.all(np.abs(published.astype(int) - (0, 255, 0)) < 40, axis=2)
    assert green.mean() < 0.05
    assert report["displayed_size"] == {"width": dirty.upright.shape[1], "height": dirty.upright.shape[0]}


def test_report_names_what_was_removed(dirty: Dirty, tmp_path: Path) -> None:
    _, _, report = _clean(dirty, tmp_path, ".png")
    removed = report["metadata_removed"]
    assert isinstance(removed, list)
    groups = {item["group"] for item in removed}
    for expected in dirty.expected_metadata:
        assert expected in groups, f"{expected} missing from {sorted(groups)}"
    # Names only: no value planted in the original appears anywhere in the report.
    text = repr(report)
    assert SECRET not in text
