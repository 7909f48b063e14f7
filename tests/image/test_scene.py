"""What identifies a place: text painted into pictures, and the background behind the people.

Text is painted in Latin and Cyrillic at several sizes and angles, with a font that ships with
matplotlib, so the test knows every glyph pixel. Tesseract (eng+rus) must read the words before
and none of them after; every glyph must be covered. A landmark behind a person loses its detail
with a blurred background while the person keeps theirs, measured as high-pass energy.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from anonymize.config import FaceSettings, ImageSettings, TextSettings
from anonymize.errors import InputError
from anonymize.image.pipeline import TEXT, anonymize_image
from anonymize.image.regions import Polygon
from tests.faces import astronaut, background

FONT = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")
WORDS = ["BAKERY", "ТАКСИ", "Station Road", "ул. Ленина 12", "A123BC 95", "АПТЕКА", "Grozny 2019", "Проспект Мира"]
SIZES = [18, 28, 40, 56]
ANGLES = [0, 8, -15, 30, 90]


@dataclass
class Word:
    text: str
    size: int
    angle: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the plate
    glyph: np.ndarray  # full-size boolean mask of its ink


def paint_text(width: int, height: int) -> tuple[np.ndarray, list[Word]]:
    """A photograph with the words painted on plates, each at its own size and angle, two columns."""
    canvas = Image.fromarray(background("coffee", width, height, seed=3))
    words = []
    cell_w, cell_h = width // 2, height // 4
    for i, text in enumerate(WORDS):
        size, angle = SIZES[i % len(SIZES)], ANGLES[i % len(ANGLES)]
        font = ImageFont.truetype(FONT, size)
        w, h = int(font.getlength(text)) + size, int(size * 1.6)
        plate = Image.new("RGBA", (w, h), (245, 245, 235, 255))
        ink = Image.new("L", (w, h), 0)
        ImageDraw.Draw(plate).text((size // 2, size // 5), text, font=font, fill=(20, 20, 30, 255))
        ImageDraw.Draw(ink).text((size // 2, size // 5), text, font=font, fill=255)
        plate = plate.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        ink = ink.rotate(angle, expand=True)
        x = (i % 2) * cell_w + max(0, (cell_w - plate.width) // 2)
        y = (i // 2) * cell_h + max(0, (cell_h - plate.height) // 2)
        canvas.paste(plate, (x, y), plate)
        mask = np.zeros((height, width), dtype=bool)
        part = np.asarray(ink)[: height - y, : width - x] > 96
        mask[y : y + part.shape[0], x : x + part.shape[1]] = part
        box = (x, y, min(width, x + plate.width), min(height, y + plate.height))
        words.append(Word(text, size, angle, box, mask))
    return np.asarray(canvas.convert("RGB")), words


def tokens(text: str) -> set[str]:
    """Lower-case words of two letters or digits or more."""
    found = {"".join(c for c in w if c.isalnum()).lower() for w in text.split()}
    return {w for w in found if len(w) >= 2}


def ocr_word(pixels: np.ndarray, word: Word, folder: Path) -> set[str]:
    """What tesseract (eng+rus) reads on the word's plate, turned upright and enlarged, read as a
    block, a line and a word: the best chance a reader has."""
    x0, y0, x1, y1 = word.box
    crop = Image.fromarray(pixels[y0:y1, x0:x1]).rotate(-word.angle, expand=True, fillcolor=(128, 128, 128))
    crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
    path = folder / f"word-{abs(hash((word.text, int(pixels[y0, x0, 0]))))}.png"
    crop.save(path)
    read: set[str] = set()
    for layout in ("6", "7", "8"):  # a block, a line, a word: whichever reads more
        result = subprocess.run(
            ["tesseract", str(path), "-", "-l", "eng+rus", "--psm", layout], capture_output=True, text=True, check=True
        )
        read |= tokens(result.stdout)
    return read


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


def test_text_search_can_be_turned_off_and_then_nothing_is_covered(tmp_path: Path) -> None:
    pixels, _ = paint_text(900, 600)
    source = tmp_path / "signs.png"
    Image.fromarray(pixels).save(source)
    settings = ImageSettings(text=TextSettings(enabled=False))
    report = anonymize_image(source, tmp_path / "out.png", settings=settings).to_dict()
    assert report["text"] == {"searched": False} and report["regions"] == []


def high_pass(pixels: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Energy of the detail that shows what a thing is, in a box x0, y0, x1, y1: a band-pass
    (difference of Gaussians, 1.5 and 6 px) of the grey picture, which leaves out pixel grain."""
    x0, y0, x1, y1 = box
    grey = cv2.cvtColor(pixels[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY).astype(np.float64)
    band = cv2.GaussianBlur(grey, (0, 0), 1.5) - cv2.GaussianBlur(grey, (0, 0), 6.0)
    return float(np.mean(band**2))


@dataclass
class Scene:
    pixels: np.ndarray
    landmark: tuple[int, int, int, int]  # boxes of pure landmark, of the person's suit
    person: tuple[int, int, int, int]
    outline: Polygon


def landmark_scene() -> Scene:
    """A detailed landmark (the rocket on its pad, and the bricks of a wall) behind the astronaut."""
    width, height = 1500, 1000
    canvas = background("rocket", width, height, seed=4).copy()
    wall = background("brick", 500, 400, seed=5)
    canvas[560:960, 40:540] = wall
    person = cv2.resize(astronaut().pixels, (700, 700), interpolation=cv2.INTER_CUBIC)
    # The astronaut's own picture has a flag and a shuttle behind: keep only the suit and head,
    # cut out along a drawn outline (the same one the drawn-subject test hands over).
    outline = [(230, 0), (470, 0), (520, 300), (640, 420), (690, 700), (10, 700), (60, 420), (180, 300)]
    cut = Polygon.through(outline).mask_within((0, 0, 700, 700))
    x, y = 760, 300
    canvas[y : y + 700, x : x + 700][cut] = person[cut]
    moved = Polygon.through([(px + x, py + y) for px, py in outline])
    return Scene(canvas, (60, 600, 520, 940), (x + 200, y + 480, x + 480, y + 690), moved)


def _blurred(tmp_path: Path, scene: Scene, subject: tuple[Polygon, ...] = ()) -> tuple[np.ndarray, dict[str, object]]:
    source = tmp_path / "scene.png"
    Image.fromarray(scene.pixels).save(source)
    settings = ImageSettings(background="blur", text=TextSettings(enabled=False), faces=FaceSettings(min_face=40))
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
    settings = ImageSettings(background="blur", text=TextSettings(enabled=False))
    with pytest.raises(InputError, match="found no person"):
        anonymize_image(source, tmp_path / "out.png", settings=settings)
    assert not (tmp_path / "out.png").exists()
