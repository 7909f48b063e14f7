"""What identifies a place: text painted into pictures, and the background behind the people.

Text is painted in Latin and Cyrillic at several sizes and angles, with a font that ships with
matplotlib, so the test knows every glyph pixel. Tesseract (eng+rus) must read the words before
and none of them after; every glyph must be covered. A landmark behind a person loses its detail
with a blurred background while the person keeps theirs, measured as high-pass energy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from anonymize.config import Background, FaceSettings, ImageSettings, TextSettings
from anonymize.errors import InputError
from anonymize.image.pipeline import anonymize_image
from anonymize.image.reasons import TEXT
from anonymize.image.regions import Polygon
from tests.faces import background
from tests.scenes import FONT, Scene, Word, high_pass, landmark_scene, ocr_word, paint_poster, paint_text, tokens

Painted = tuple[np.ndarray, list[Word], np.ndarray, dict[str, object], Path]


@pytest.fixture(scope="module")
def painted(tmp_path_factory: pytest.TempPathFactory) -> Painted:
    folder = tmp_path_factory.mktemp("text")
    pixels, words = paint_text(1800, 1200)
    source, out = folder / "signs.png", folder / "signs.out.png"
    Image.fromarray(pixels).save(source)
    report = anonymize_image(source, out).to_dict()
    return pixels, words, np.asarray(Image.open(out).convert("RGB")), report, folder


def test_painted_text_in_both_scripts_is_unreadable_after(painted: Painted) -> None:
    before_pixels, words, after_pixels, _, folder = painted
    read_before = {w.text: ocr_word(before_pixels, w, folder) & tokens(w.text) for w in words}
    read_after = {w.text: ocr_word(after_pixels, w, folder) & tokens(w.text) for w in words}
    # Tesseract reads most words of the original, in both scripts...
    assert sum(bool(found) for found in read_before.values()) >= 7, read_before
    assert read_before["ТАКСИ"] and read_before["BAKERY"], read_before
    # ...and not one of their words in the anonymized picture, even turned upright and enlarged.
    assert not any(read_after.values()), read_after


def test_every_painted_glyph_is_covered(painted: Painted) -> None:
    _, words, after_pixels, report, _ = painted
    black = after_pixels.astype(int).max(axis=2) == 0  # text is always covered opaquely, whatever the style
    for word in words:
        covered = float(black[word.glyph].mean())
        assert covered >= 0.995, f"{word.text!r} ({word.size} px, {word.angle}°): {covered:.1%} of its glyph covered"
    regions = report["regions"]
    assert isinstance(regions, list) and regions and all(r["reason"] in (TEXT, "possible text") for r in regions)
    assert all(r["shape"] == "polygon" and len(r["points"]) == 4 for r in regions)
    text = report["text"]
    assert isinstance(text, dict) and text["searched"] is True and len(text["found"]) == len(regions)
    checks = {c["name"]: c for c in report["verification"]["checks"]}  # type: ignore[index]
    assert checks["no_text"]["passed"] is True


def test_a_paragraph_is_redacted_line_by_line_and_stays_unreadable(tmp_path: Path) -> None:
    # A coarse level sees the poster's lines as one or two big patches; the finer levels looked
    # at every pixel of them more closely and found the lines: the redaction is the lines.
    pixels, words = paint_poster()
    source, out = tmp_path / "poster.png", tmp_path / "poster.out.png"
    Image.fromarray(pixels).save(source)
    report = anonymize_image(source, out).to_dict()
    after = np.asarray(Image.open(out).convert("RGB"))
    black = after.astype(int).max(axis=2) == 0
    for word in words:
        assert float(black[word.glyph].mean()) >= 0.995, word.text
    assert not any(ocr_word(after, w, tmp_path) & tokens(w.text) for w in words)
    text = report["text"]
    assert isinstance(text, dict)
    finest = max(text["scales"])
    assert text["found"] and all(line["scale"] == round(finest, 4) for line in text["found"]), text["found"]


@pytest.mark.parametrize("size", [24, 64])
def test_letters_stacked_down_a_banner_are_covered(size: int, tmp_path: Path) -> None:
    # Vertical writing as shop banners and flags carry it: upright letters one under another.
    canvas = Image.fromarray(background("coffee", 1200, 1000, seed=3))
    draw, font = ImageDraw.Draw(canvas), ImageFont.truetype(FONT, size)
    draw.rectangle((500, 80, 500 + int(size * 1.8), 120 + int(size * 1.25 * 7)), fill=(200, 30, 30))
    ink = Image.new("L", canvas.size, 0)
    for i, letter in enumerate("PHARMAC"):
        at = (500 + size // 3, 100 + int(i * size * 1.25))
        draw.text(at, letter, font=font, fill=(255, 255, 255))
        ImageDraw.Draw(ink).text(at, letter, font=font, fill=255)
    source, out = tmp_path / "banner.png", tmp_path / "banner.out.png"
    canvas.save(source)
    anonymize_image(source, out)
    black = np.asarray(Image.open(out).convert("RGB")).astype(int).max(axis=2) == 0
    glyphs = np.asarray(ink) > 96
    assert float(black[glyphs].mean()) >= 0.995
    assert float(black.mean()) < 0.1, "the banner, not the picture"


def test_text_search_can_be_turned_off_and_then_nothing_is_covered(tmp_path: Path) -> None:
    pixels, _ = paint_text(900, 600)
    source = tmp_path / "signs.png"
    Image.fromarray(pixels).save(source)
    settings = ImageSettings(text=TextSettings(enabled=False))
    report = anonymize_image(source, tmp_path / "out.png", settings=settings).to_dict()
    assert report["text"] == {"searched": False} and report["regions"] == []


def _blurred(tmp_path: Path, scene: Scene, subject: tuple[Polygon, ...] = ()) -> tuple[np.ndarray, dict[str, object]]:
    source = tmp_path / "scene.png"
    Image.fromarray(scene.pixels).save(source)
    settings = ImageSettings(
        background=Background.BLUR, text=TextSettings(enabled=False), faces=FaceSettings(min_face=40)
    )
    report = anonymize_image(source, tmp_path / "scene.out.png", settings=settings, subject=subject).to_dict()
    return np.asarray(Image.open(tmp_path / "scene.out.png").convert("RGB")), report


def test_a_landmark_behind_people_loses_its_detail_and_the_people_keep_theirs(tmp_path: Path) -> None:
    scene = landmark_scene()
    after, report = _blurred(tmp_path, scene)
    landmark_before, landmark_after = high_pass(scene.pixels, scene.landmark), high_pass(after, scene.landmark)
    person_before, person_after = high_pass(scene.pixels, scene.person), high_pass(after, scene.person)
    assert landmark_after < 0.05 * landmark_before, (landmark_before, landmark_after)
    assert person_after > 0.8 * person_before, (person_before, person_after)
    background_ = report["background"]
    assert isinstance(background_, dict)
    assert background_["treatment"] == "blur" and background_["mask"] == "automatic"
    assert "DeepLab-v3" in str(background_["source"]) and background_["outlines"]
    # The outline the model found lies over the person (its centre inside the pasted suit).
    outline = Polygon.through(background_["outlines"][0])
    cx = (scene.person[0] + scene.person[2]) // 2
    assert outline.mask_in(1500, 1000) is not None and outline.x < cx < outline.x + outline.width


def test_a_drawn_subject_keeps_exactly_what_it_outlines(tmp_path: Path) -> None:
    scene = landmark_scene()
    after, report = _blurred(tmp_path, scene, (scene.outline,))
    masked = scene.outline.mask_in(1500, 1000)
    assert masked is not None
    (x0, y0, x1, y1), inside = masked
    redacted = np.zeros((1000, 1500), dtype=bool)
    for region in report["regions"]:  # type: ignore[attr-defined]
        rx, ry, rw, rh = region["box"]
        redacted[ry : ry + rh, rx : rx + rw] = True
    keep = inside & ~redacted[y0:y1, x0:x1]
    assert np.array_equal(after[y0:y1, x0:x1][keep], scene.pixels[y0:y1, x0:x1][keep])
    assert high_pass(after, scene.landmark) < 0.05 * high_pass(scene.pixels, scene.landmark)
    assert report["background"]["mask"] == "drawn"  # type: ignore[index]


def test_blur_without_anyone_to_keep_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "empty.png"
    Image.fromarray(background("brick", 600, 400, seed=6)).save(source)
    settings = ImageSettings(background=Background.BLUR, text=TextSettings(enabled=False))
    with pytest.raises(InputError, match="found no person"):
        anonymize_image(source, tmp_path / "out.png", settings=settings)
    assert not (tmp_path / "out.png").exists()


def test_text_too_small_to_read_where_published_is_left_and_the_rest_is_covered(painted: Painted) -> None:
    # Published at most 300 px wide, a sixth of the frame: text under 18 frame pixels (3 where it
    # is published) is not searched for. What is left must be unreadable as published, where the
    # original's signs can be read.
    before, words, _, _, folder = painted
    source, out = folder / "signs.png", folder / "signs.300.png"
    report = anonymize_image(source, out, published=300).to_dict()
    assert report["text"]["min_text"] == 18 and report["faces"]["min_face"] == 20  # type: ignore[index]

    def as_published(picture: Image.Image) -> np.ndarray:
        # Seen as a visitor zooming in sees it: the published size enlarged to the frame's.
        small = picture.resize((300, 200), Image.Resampling.LANCZOS)
        return np.asarray(small.resize(picture.size, Image.Resampling.LANCZOS))

    original = as_published(Image.fromarray(before))
    assert any(ocr_word(original, w, folder) & tokens(w.text) for w in words), "the largest signs read as published"
    after = Image.open(out).convert("RGB")
    assert not any(ocr_word(as_published(after), w, folder) & tokens(w.text) for w in words)
    black = np.asarray(after).astype(int).max(axis=2) == 0
    for word in words:
        if word.size >= 28:
            assert float(black[word.glyph].mean()) >= 0.995, f"{word.text!r} ({word.size} px)"
