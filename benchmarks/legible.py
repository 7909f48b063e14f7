"""How small published text can still be read, and whether the search at that width covers it.

    python -m benchmarks.legible [--sizes 9,10,11,12,13,15,18] [--published 600,1200] [--width 1800]

Signs are painted on a photo-like frame ``--width`` pixels wide, every word at each of
``--sizes`` (font size in frame pixels), Latin and Cyrillic. For each ``--published`` width it
prints, per sign: its font size where published, whether tesseract reads it there (the frame
resized to the published width and enlarged back, as a visitor zooming in sees it, then enlarged
again and read three ways, as the scene tests read), and how much of its glyphs
``anonymize_image`` covers when told the picture is published at that width (the search goes
down to ``config.TEXT_MATTERS`` published pixels, never below ``min_text``).

The smallest type read where published is what ``TEXT_MATTERS`` must stay under, with margin.
Needs tesseract with the eng and rus languages.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anonymize.image.pipeline import anonymize_image
from tests.faces import background
from tests.scenes import FONT, Word, ocr_word, tokens

TEXTS = ("BAKERY", "ТАКСИ", "Station", "Ленина", "A123BC", "АПТЕКА", "Grozny", "Мира")


def signs(width: int, sizes: list[int]) -> tuple[Image.Image, list[Word]]:
    """A 3:2 frame with two signs at each font size, one row per size."""
    height = width * 2 // 3
    canvas = Image.fromarray(background("coffee", width, height, seed=3))
    words = []
    for i, size in enumerate(size for size in sizes for _ in range(2)):
        text, font = TEXTS[i % len(TEXTS)], ImageFont.truetype(FONT, size)
        x, y = width // 18 + (i % 2) * width // 2, height // 15 + (i // 2) * height // (len(sizes) + 1)
        w, h = int(font.getlength(text)) + size, int(size * 1.6)
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((x, y, x + w, y + h), fill=(245, 245, 235))
        draw.text((x + size // 2, y + size // 5), text, font=font, fill=(20, 20, 30))
        ink = Image.new("L", canvas.size, 0)
        ImageDraw.Draw(ink).text((x + size // 2, y + size // 5), text, font=font, fill=255)
        words.append(Word(text, size, 0, (x, y, x + w, y + h), np.asarray(ink) > 96))
    return canvas, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="9,10,11,12,13,15,18")
    parser.add_argument("--published", default="600,1200")
    parser.add_argument("--width", type=int, default=1800)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        canvas, words = signs(args.width, sizes)
        canvas.save(folder / "signs.png")
        for published in (int(p) for p in args.published.split(",")):
            size = (published, round(canvas.height * published / canvas.width))
            shown = canvas.resize(size, Image.Resampling.LANCZOS)
            zoomed = np.asarray(shown.resize(canvas.size, Image.Resampling.LANCZOS))
            report = anonymize_image(folder / "signs.png", folder / "out.png", published=published).to_dict()
            after = np.asarray(Image.open(folder / "out.png").convert("RGB")).astype(int).max(axis=2) == 0
            text = report["text"]
            assert isinstance(text, dict)
            print(f"published {published} px wide: text searched from {text['min_text']} frame px")
            print(f"  {'sign':<8} {'font':>5} {'published':>9}  {'read where published':<22} covered")
            for word in words:
                read = ", ".join(sorted(ocr_word(zoomed, word, folder) & tokens(word.text))) or "-"
                covered = float(after[word.glyph].mean())
                where = word.size * published / args.width
                print(f"  {word.text:<8} {word.size:>5} {where:>9.1f}  {read:<22} {covered:.0%}")


if __name__ == "__main__":
    main()
