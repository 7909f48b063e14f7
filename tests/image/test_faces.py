"""Faces: found at every size and orientation, redacted head and all, and searched for again.

The faces are public-domain portraits that ship with scikit-image and matplotlib (see
``tests.faces``); every assertion reads the written file back and looks at its pixels.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from anonymize.cli import main
from anonymize.config import FaceSettings, ImageSettings, TextSettings
from anonymize.errors import AnonymizeError
from anonymize.image import pipeline
from anonymize.image.detect import centerface
from anonymize.image.detect.base import Detection
from anonymize.image.detect.faces import (
    DETECTORS,
    MAX_UPSCALE,
    Face,
    FaceFinder,
    FaceSearch,
    _merge,
    detector,
    pyramid,
)
from anonymize.image.detect.tiles import tile_spans
from anonymize.image.pipeline import ImageReport, PhotoVerificationError, anonymize_image
from anonymize.image.reasons import POSSIBLE_FACE
from anonymize.image.regions import Ellipse
from tests.conftest import mean_abs_diff, pixels_of, ssim
from tests.dirty import exif_block
from tests.faces import Box, Composite, astronaut, background, darken, face_coverage, grace_hopper, paste

# --- the search plan: tiles and scales ---------------------------------------------------------


@given(st.integers(1, 30_000), st.integers(64, 2048), st.data())
def test_tiles_cover_everything_and_overlap_enough(length: int, tile: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, tile // 2))
    spans = tile_spans(length, tile, overlap)
    assert spans[0][0] == 0 and spans[-1][1] == length
    for (start, end), (next_start, _) in itertools.pairwise(spans):
        assert end - start <= tile
        assert end - next_start >= overlap  # a face up to ``overlap`` wide is whole in some tile


@given(st.integers(16, 12_000), st.integers(16, 12_000), st.integers(8, 400), st.sampled_from(sorted(DETECTORS)))
def test_pyramid_reaches_from_the_smallest_face_to_the_whole_frame(
    width: int, height: int, min_face: int, name: str
) -> None:
    det = DETECTORS[name]
    low, high = det.native_range
    scales = pyramid(width, height, det, min_face)  # type: ignore[arg-type]
    assert scales[0] == min(MAX_UPSCALE, low / min_face)  # min_face is the detector's smallest
    assert high / scales[-1] >= max(width, height)  # a face as wide as the frame is in range
    for finer, coarser in itertools.pairwise(scales):
        # The coarser level's smallest face is at most half the finer level's band: no gap.
        assert low / coarser <= det.band / finer / 2 + 1e-9


def _det(x: float, y: float, w: float, h: float, score: float = 0.9, name: str = "centerface") -> Detection:
    return Detection(x, y, w, h, score, name)


def test_overlapping_boxes_are_one_face_but_a_small_face_inside_a_large_box_is_not() -> None:
    same = [_det(100, 100, 50, 60), _det(104, 98, 48, 64, 0.7, "yunet"), _det(100, 100, 26, 60, 0.4)]  # half, cut
    inside = [_det(1000, 1000, 400, 400), _det(1100, 1100, 30, 30)]
    groups = _merge([*same, *inside])
    assert sorted(len(g) for g in groups) == [1, 1, 3]


@given(st.integers(-50, 5000), st.integers(-50, 5000), st.integers(4, 3000), st.integers(4, 3000))
def test_the_head_covers_the_face_with_hair_and_ears(x: int, y: int, w: int, h: int) -> None:
    face = Face((_det(x, y, w, h),), (("centerface", 0.5),))
    head = face.head()
    assert isinstance(head, Ellipse)
    # Every pixel of the face box is inside the head.
    inside = head.mask_within((x, y, x + w, y + h))
    assert inside.all()
    # Room for hair above, ears either side, the chin below...
    assert head.y <= y - 0.6 * h and head.y + head.height >= y + 1.2 * h
    assert head.x <= x - 0.3 * w and head.x + head.width >= x + 1.3 * w
    # ...and no more: the shoulders, the wall and the neighbour stay (ellipses of small faces
    # are at least 8 px, and whole pixels).
    if w >= 8 and h >= 8:
        assert head.x >= x - 0.4 * w - 1 and head.x + head.width <= x + 1.4 * w + 1
        assert head.y >= y - 0.7 * h - 1 and head.y + head.height <= y + 1.3 * h + 1


# --- whole photos through the pipeline --------------------------------------------------------


@dataclass
class Case:
    name: str
    picture: Composite
    exif: bytes = b""  # stored with this EXIF (orientation): the upright picture is ``picture``
    stored: np.ndarray | None = None


def _small_in_24mp() -> Case:
    frame = Composite(background("retina", 6000, 4000, seed=1))
    paste(frame, astronaut(), 28, (1500, 1200))
    paste(frame, grace_hopper(), 40, (4400, 2900))
    return Case("small faces in a 6000x4000 frame", frame)


def _enlarged() -> Case:
    frame = Composite(background("chelsea", 2400, 3000, seed=2))
    paste(frame, grace_hopper(), 1500, (450, 500), context=0.6)
    return Case("a face filling the frame", frame)


def _dark() -> Case:
    frame = Composite(background("brick", 2000, 1500, seed=3))
    paste(frame, astronaut(), 140, (500, 400))
    paste(frame, grace_hopper(), 70, (1500, 900))
    frame.pixels = darken(frame.pixels, factor=0.3, noise=10, seed=3)
    return Case("a dim, noisy room", frame)


def _sideways() -> Case:
    frame = Composite(background("retina", 1600, 1200, seed=4))
    paste(frame, astronaut(), 180, (700, 300))
    # Stored lying on its side; EXIF orientation 6 ("rotate 90° clockwise to view") stands it up.
    stored = np.ascontiguousarray(np.rot90(frame.pixels, k=1))
    return Case("stored sideways with EXIF orientation 6", frame, exif_block(orientation=6), stored)


def _plain() -> Case:
    portrait = grace_hopper()
    return Case("grace hopper as published", Composite(portrait.pixels.copy(), [portrait.face]))


CASES = [_plain, _small_in_24mp, _enlarged, _dark, _sideways]


def _write_case(case: Case, path: Path) -> Path:
    stored = case.stored if case.stored is not None else case.picture.pixels
    buffer = io.BytesIO()
    Image.fromarray(stored).save(buffer, "JPEG", quality=95, exif=case.exif)
    path.write_bytes(buffer.getvalue())
    return path


def _redacted_mask(report: ImageReport, width: int, height: int) -> np.ndarray:
    mask = np.zeros((height, width), dtype=bool)
    for planned in report.plan.regions:
        x0, y0, x1, y1 = planned.bounds
        mask[y0:y1, x0:x1] |= planned.mask()
    return mask


def _upright(case: Case) -> np.ndarray:
    """The upright picture as a plain re-save would show it (same JPEG quality as the original)."""
    buffer = io.BytesIO()
    Image.fromarray(case.picture.pixels).save(buffer, "JPEG", quality=95)
    return np.asarray(Image.open(buffer).convert("RGB"))


@pytest.mark.parametrize("make", CASES, ids=lambda make: make.__name__.strip("_"))
def test_every_face_is_unrecognisable_and_the_rest_untouched(make: Callable[[], Case], tmp_path: Path) -> None:
    case = make()
    source = _write_case(case, tmp_path / "original.jpg")
    out = tmp_path / "out.jpg"
    report = anonymize_image(source, out, settings=FACES_ONLY)
    after = pixels_of(out)
    before = _upright(case)
    height, width = before.shape[:2]
    assert after.shape == before.shape  # upright: orientation was applied before the search
    assert report.verification.passed
    mask = _redacted_mask(report, width, height)
    resaved = pixels_of(_resave(before, tmp_path))
    for box in case.picture.faces:
        assert face_coverage(mask, box) == 1.0, f"{case.name}: face at {box} not wholly redacted"
        x, y, w, h = box
        crop = (slice(y, y + h), slice(x, x + w))
        assert ssim(before[crop], resaved[crop]) > 0.85
        assert ssim(before[crop], after[crop]) < 0.2, f"{case.name}: face at {box} still recognisable"
        _assert_head_margin(mask, box)
    # Everything not redacted is the picture as it was: as close as a plain JPEG re-save is.
    assert mean_abs_diff(after[~mask], before[~mask]) < mean_abs_diff(resaved[~mask], before[~mask]) + 0.5
    # and little else was taken for a face: redaction stays near the known heads.
    assert mask.mean() < 4 * _heads_area(case.picture.faces, width, height) + 0.01


def _resave(pixels: np.ndarray, tmp_path: Path) -> Path:
    path = tmp_path / "resaved.jpg"
    Image.fromarray(pixels).save(path, quality=90)
    return path


def _assert_head_margin(mask: np.ndarray, box: Box) -> None:
    """Hair above the brows and the ears beside the face are redacted too (where in the frame)."""
    x, y, w, h = box
    height, width = mask.shape
    cx = x + w // 2
    above = max(0, y - int(0.35 * h))
    assert mask[above, cx], f"no margin above the face at {box}"
    for ear in (x - int(0.2 * w), x + w + int(0.2 * w)):
        if 0 <= ear < width:
            assert mask[min(height - 1, y + h // 2), ear], f"no margin beside the face at {box}"


# These pictures are made to test faces: textures taken for writing would blur the measure.
FACES_ONLY = ImageSettings(text=TextSettings(enabled=False))


def _heads_area(faces: list[Box], width: int, height: int) -> float:
    return sum(min(1.0, (2 * w * 2 * h) / (width * height)) for _, _, w, h in faces)


def test_a_picture_without_faces_is_not_redacted(tmp_path: Path) -> None:
    picture = background("chelsea", 1800, 1200, seed=5)  # a cat: no person, no face to redact
    source = tmp_path / "cat.png"
    Image.fromarray(picture).save(source)
    report = anonymize_image(source, tmp_path / "cat.out.png", settings=FACES_ONLY)
    assert report.faces.faces == () and report.plan.regions == ()
    assert np.array_equal(pixels_of(tmp_path / "cat.out.png"), picture)
    data = report.to_dict()
    assert data["faces"]["found"] == [] and data["review"] == []  # type: ignore[index]


def test_the_report_names_every_face_with_box_score_and_detector(tmp_path: Path) -> None:
    case = _plain()
    report = anonymize_image(_write_case(case, tmp_path / "in.jpg"), tmp_path / "out.jpg", settings=FACES_ONLY)
    data = report.to_dict()
    faces = data["faces"]
    assert isinstance(faces, dict)
    assert [d["name"] for d in faces["detectors"]] == ["centerface", "yunet"]
    (face,) = faces["found"]
    assert face["review"] is False and face["score"] > 0.5 and face["detector"] in DETECTORS
    assert set(face["detectors"]) == {"centerface", "yunet"}  # both detectors found her
    region = data["regions"][face["region"] - 1]  # type: ignore[index]
    assert region["reason"] == "face" and region["shape"] == "ellipse"
    x, y, w, _ = face["box"]
    fx, fy, fw, fh = case.picture.faces[0]
    assert abs(x - fx) < 0.2 * fw and abs(y - fy) < 0.2 * fh and abs(w - fw) < 0.25 * fw


def test_unsure_faces_are_redacted_and_flagged_for_review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Make both detectors unsure of everything: her face now scores between the two thresholds.
    for name in DETECTORS:
        monkeypatch.setattr(DETECTORS[name], "threshold", 0.99)
    source = _write_case(_plain(), tmp_path / "in.jpg")
    result = CliRunner().invoke(main, ["image", str(source), "-o", str(tmp_path / "out.jpg"), "--json", "--no-text"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["review"] == [1]
    assert report["regions"][0]["reason"] == POSSIBLE_FACE
    assert report["faces"]["found"][0]["review"] is True
    assert "review:" in result.stderr and "region 1" in result.stderr and "possible face" in result.stderr
    x, y, w, h = _plain().picture.faces[0]
    assert pixels_of(tmp_path / "out.jpg")[y : y + h, x : x + w].mean() < 10  # still redacted


def test_a_face_left_in_the_output_fails_verification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A head region that misses the face (a bug in the head geometry) must not reach the site.
    def chin_only(self: Face) -> Ellipse:
        x, y, w, h = self.box
        return Ellipse(x + w // 3, y + h - h // 6, w // 3, h // 6)

    monkeypatch.setattr(Face, "head", chin_only)
    source = _write_case(_plain(), tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    with pytest.raises(PhotoVerificationError) as raised:
        anonymize_image(source, out)
    assert not out.exists() and not list(tmp_path.glob(".anonymize-*"))
    (check,) = raised.value.report.verification.failures
    assert check.name == "no_faces" and "not wholly redacted" in check.detail


def test_a_face_only_the_written_file_shows_is_redacted_and_the_file_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even if the first search missed her (so nothing was planned and nothing cross-checked),
    # the full search of the written file finds her; she is redacted and the file made again.
    empty = FaceSearch((), (), 20)
    real_search = FaceFinder.search
    calls: list[int] = []

    def search(self: FaceFinder, pixels: np.ndarray, near: object = None) -> FaceSearch:
        calls.append(1)
        return empty if len(calls) == 1 else real_search(self, pixels, near)  # type: ignore[arg-type]

    monkeypatch.setattr(FaceFinder, "search", search)
    source = _write_case(_plain(), tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    result = CliRunner().invoke(
        main, ["image", str(source), "-o", str(out), "--verify-faces", "full", "--json", "--no-text"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [region["reason"] for region in report["regions"]] == ["face"]
    x, y, w, h = _plain().picture.faces[0]
    assert pixels_of(out)[y : y + h, x : x + w].mean() < 10
    assert len(calls) >= 3  # missed, found in the first file, none in the second


def test_a_face_that_stays_after_every_round_refuses_the_photo_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Redaction that does not take (a broken style) leaves her in every file made: the rounds
    # are bounded and the photo is refused, with what a person can do about it.
    monkeypatch.setattr(pipeline, "redact", lambda pixels, plan, style, seed: pixels.copy())
    source = _write_case(_plain(), tmp_path / "in.jpg")
    result = CliRunner().invoke(main, ["image", str(source), "-o", str(tmp_path / "out.jpg"), "--no-text"])
    assert result.exit_code == 1 and not (tmp_path / "out.jpg").exists()
    assert "verification failed" in result.stderr and "face(s) found in the written file" in result.stderr
    assert f"after {pipeline.VERIFY_ROUNDS} rounds" in result.stderr and "draw a region" in result.stderr


def test_a_different_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centerface, "MODEL_SHA256", "0" * 64)
    detector.cache_clear()
    try:
        with pytest.raises(AnonymizeError, match="not the one this release was measured with"):
            detector("centerface")
    finally:
        detector.cache_clear()


def test_one_detector_and_a_larger_smallest_face_can_be_chosen(tmp_path: Path) -> None:
    settings = ImageSettings(faces=FaceSettings(detectors=("yunet",), min_face=40))
    report = anonymize_image(_write_case(_plain(), tmp_path / "in.jpg"), tmp_path / "out.png", settings=settings)
    scans = report.to_dict()["faces"]["detectors"]  # type: ignore[index]
    assert [scan["name"] for scan in scans] == ["yunet"] and scans[0]["scales"][0] == pytest.approx(12 / 40)
    assert len(report.faces.faces) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-face", "4"], "--min-face"),
        (["--detector", "haar"], "--detector"),
        (["--verify-faces", "never"], "--verify-faces"),
    ],
)
def test_bad_face_options_are_usage_errors(args: list[str], message: str, scene_jpeg: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["image", str(scene_jpeg), "-o", str(tmp_path / "o.jpg"), *args])
    assert result.exit_code == 2 and message in result.stderr and not (tmp_path / "o.jpg").exists()


def test_searching_near_boxes_finds_faces_touching_them_and_only_there() -> None:
    frame = Composite(background("retina", 3000, 2000, seed=6))
    box = paste(frame, grace_hopper(), 90, (2000, 1200))
    finder = FaceFinder.named(["centerface", "yunet"])
    x, y, w, h = box
    touching = [(x + w - 5, y + h - 5, x + w + 40, y + h + 40)]  # overlaps the face's corner only
    far = [(100, 100, 200, 200)]
    assert len(finder.search(frame.pixels, touching).faces) == 1
    result = finder.search(frame.pixels, far)
    # The finest scale is searched only around the far box; coarse scales fit in one window.
    assert all(scan.searched[0] < 0.1 for scan in result.scans)
    finest = {scan.detector.name: scan.scales[0] for scan in result.scans}
    assert all(d.scale < finest[d.detector] for face in result.faces for d in face.detections)
