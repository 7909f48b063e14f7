"""Draw the sample exhibition's generated scenes: people seen from behind, nobody real.

Run from the project root to re-make them (the output is deterministic):

    python tools/sample_scenes.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "photos" / "sample"
SIZE = (1600, 1200)


def _sky(top: tuple[int, int, int], bottom: tuple[int, int, int], height: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    colours = (1 - t) * np.array(top, float) + t * np.array(bottom, float)
    return np.broadcast_to(colours, (height, SIZE[0], 3)).astype(np.uint8)


def _person_from_behind(draw: ImageDraw.ImageDraw, x: int, ground: int, scale: float, colour: tuple[int, ...]) -> None:
    """Head, shoulders and coat of someone facing away: no face to find."""
    head = 60 * scale
    draw.ellipse([x - head / 2, ground - 520 * scale, x + head / 2, ground - 520 * scale + head * 1.15], fill=colour)
    draw.polygon(
        [
            (x - 35 * scale, ground - 455 * scale),
            (x + 35 * scale, ground - 455 * scale),
            (x + 120 * scale, ground - 400 * scale),
            (x + 140 * scale, ground),
            (x - 140 * scale, ground),
            (x - 120 * scale, ground - 400 * scale),
        ],
        fill=colour,
    )


def _noise(picture: Image.Image, seed: int) -> Image.Image:
    """A little grain, as a camera would leave; it also keeps the JPEG honest about detail."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(picture).astype(np.int16) + rng.integers(-6, 7, (*picture.size[::-1], 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def bridge_at_dusk() -> Image.Image:
    width, height = SIZE
    picture = Image.fromarray(_sky((38, 44, 92), (236, 146, 92), height).copy(), "RGB")
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 820, width, height], fill=(40, 52, 78))  # water
    for i in range(0, width, 9):  # ripples
        draw.line([(i, 830 + (i * 37) % 340), (i + 40, 830 + (i * 37) % 340)], fill=(214, 140, 98), width=2)
    draw.rectangle([0, 700, width, 740], fill=(28, 26, 34))  # deck
    for pier in range(100, width, 350):
        draw.rectangle([pier, 740, pier + 40, 860], fill=(28, 26, 34))
        draw.arc([pier + 40, 700, pier + 350, 960], 180, 360, fill=(28, 26, 34), width=18)
    for post in range(0, width, 60):
        draw.line([(post, 640), (post, 700)], fill=(28, 26, 34), width=5)
    draw.line([(0, 640), (width, 640)], fill=(28, 26, 34), width=7)
    _person_from_behind(draw, 1040, 1200, 1.6, (18, 16, 22))
    return _noise(picture.filter(ImageFilter.GaussianBlur(1.2)), seed=1)


def window_at_night() -> Image.Image:
    width, height = SIZE
    picture = Image.fromarray(_sky((8, 12, 30), (46, 52, 84), height).copy(), "RGB")
    draw = ImageDraw.Draw(picture)
    rng = np.random.default_rng(2)
    x = 0
    while x < width:  # a city of anonymous blocks, lit at random
        w, h = int(rng.integers(90, 220)), int(rng.integers(250, 700))
        draw.rectangle([x, height - h, x + w, height], fill=(22, 24, 38))
        for wy in range(height - h + 20, height - 20, 34):
            for wx in range(x + 12, x + w - 20, 28):
                if rng.random() < 0.35:
                    draw.rectangle([wx, wy, wx + 12, wy + 18], fill=(238, 206, 120))
        x += w + int(rng.integers(4, 30))
    # The window frame of the room the photo is taken from, and its sill.
    draw.rectangle([0, 0, width, 70], fill=(62, 48, 40))
    draw.rectangle([0, 0, 70, height], fill=(62, 48, 40))
    draw.rectangle([width - 70, 0, width, height], fill=(62, 48, 40))
    draw.rectangle([width // 2 - 20, 0, width // 2 + 20, 1020], fill=(62, 48, 40))
    draw.rectangle([0, 1020, width, height], fill=(84, 66, 54))
    _person_from_behind(draw, 560, 1200, 1.5, (12, 10, 14))
    return _noise(picture.filter(ImageFilter.GaussianBlur(1.0)), seed=3)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, scene in (("bridge.jpg", bridge_at_dusk), ("window.jpg", window_at_night)):
        scene().save(OUT / name, quality=88, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
