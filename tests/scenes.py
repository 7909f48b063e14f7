"""Scenes that identify a place, for the scene-text and background tests and benchmarks.

Words painted in Latin and Cyrillic on plates (the test knows every glyph pixel), what tesseract
reads of them, and a landmark behind a person with the band-pass energy that measures its detail.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

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


def paint_poster(width: int = 1600, height: int = 1200) -> tuple[np.ndarray, list[Word]]:
    """A dark poster with a paragraph of light lines, two large and two small: a coarse level of
    the text search sees it as one or two patches, finer levels as lines."""
    canvas = Image.fromarray(background("coffee", width, height, seed=3))
    ImageDraw.Draw(canvas).rectangle((300, 150, 1300, 1050), fill=(25, 25, 30))
    words, y = [], 220
    for text, size in (("ALL YEAR", 110), ("ROUND", 110), ("14 RETAIL BRANDS, OVER 80 STORES", 34),
                       ("PLUS ONE VISA CARD OFFER", 34)):  # fmt: skip
        font = ImageFont.truetype(FONT, size)
        ImageDraw.Draw(canvas).text((360, y), text, font=font, fill=(240, 240, 240))
        ink = Image.new("L", (width, height), 0)
        ImageDraw.Draw(ink).text((360, y), text, font=font, fill=255)
        x0, y0, x1, y1 = ink.getbbox() or (0, 0, 0, 0)
        words.append(Word(text, size, 0, (x0 - 8, y0 - 8, x1 + 8, y1 + 8), np.asarray(ink) > 96))
        y += int(size * 1.5)
    return np.asarray(canvas), words


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
