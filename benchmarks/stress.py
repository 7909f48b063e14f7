"""The face stress set: 24 MP frames with known faces, in the categories faces hide in.

Built from the public-domain faces and backgrounds of ``tests.faces``, the same every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from tests.faces import (
    BACKGROUNDS,
    Composite,
    Portrait,
    astronaut,
    background,
    cameraman,
    darken,
    grace_hopper,
    lfw_faces,
    paste,
)

WIDTH, HEIGHT = 6000, 4000


@dataclass
class Frame:
    category: str
    name: str
    composite: Composite


class _People:
    """Faces to paste: three sharp portraits, or the 100 tight 25 px LFW crops."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.sharp = [astronaut(), grace_hopper(), cameraman()]
        self.tight = list(lfw_faces())

    def pick(self, width: int, tight: bool = False) -> Portrait:
        pool = self.tight if tight else self.sharp
        return pool[int(self.rng.integers(len(pool)))]


def _scatter(
    canvas: Composite,
    rng: np.random.Generator,
    count: int,
    widths: tuple[int, int],
    people: _People,
    tight: bool = False,
    **options: object,
) -> None:
    """Paste ``count`` faces of random widths in a grid of cells, one face per cell, no overlaps."""
    cols = int(np.ceil(np.sqrt(count * 1.5)))
    rows = int(np.ceil(count / cols))
    cell_w, cell_h = WIDTH // cols, HEIGHT // rows
    for i in range(count):
        r, c = divmod(i, cols)
        width = int(np.exp(rng.uniform(np.log(widths[0]), np.log(widths[1]))))
        width = min(width, cell_w // 3, cell_h // 3)
        x = c * cell_w + int(rng.integers(width, max(width + 1, cell_w - 2 * width)))
        y = r * cell_h + int(rng.integers(width, max(width + 1, cell_h - 2 * width)))
        chosen = {"mirror": bool(rng.integers(2)), **options}
        paste(canvas, people.pick(width, tight), width, (x, y), **chosen)  # type: ignore[arg-type]


def frames(per_category: int = 3, seed: int = 7) -> Iterator[Frame]:
    """Every frame of the stress set, category by category."""
    rng = np.random.default_rng(seed)
    people = _People(rng)
    for n in range(per_category):

        def canvas(n: int = n) -> Composite:
            name = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
            return Composite(background(name, WIDTH, HEIGHT, seed=n))

        small = canvas()
        _scatter(small, rng, 16, (20, 40), people)
        yield Frame("small (20-40 px)", f"small{n}", small)

        crops = canvas()
        _scatter(crops, rng, 16, (20, 40), people, tight=True)
        yield Frame("tight LFW crops (20-40 px)", f"crops{n}", crops)

        medium = canvas()
        _scatter(medium, rng, 10, (40, 400), people)
        yield Frame("medium (40-400 px)", f"medium{n}", medium)

        large = canvas()
        portrait = [astronaut(), grace_hopper(), cameraman()][n % 3]
        width = [1600, 2400, 3200][n % 3]
        paste(large, portrait, width, ((WIDTH - width) // 2, max(0, (HEIGHT - width * 5 // 4) // 2)), context=0.3)
        yield Frame("frame-filling (1600-3200 px)", f"large{n}", large)

        dark = canvas()
        _scatter(dark, rng, 10, (24, 300), people)
        dark.pixels = darken(dark.pixels, seed=n)
        yield Frame("dim and noisy (24-300 px)", f"dark{n}", dark)

        tilted = canvas()
        for i in range(8):
            angle = float(rng.uniform(15, 40)) * (1 if i % 2 else -1)
            cols = 4
            r, c = divmod(i, cols)
            width = int(rng.integers(30, 300))
            paste(tilted, people.pick(width), width, (c * 1500 + 400, r * 2000 + 500), angle=angle)
        yield Frame("tilted 15-40° (30-300 px)", f"tilted{n}", tilted)

        glass = canvas()
        _scatter(glass, rng, 8, (30, 300), people, alpha=0.55, mirror=True)  # a mirror's or window's face
        yield Frame("mirror/window, 55% (30-300 px)", f"glass{n}", glass)

        edge = canvas()
        for i, width in enumerate((80, 240, 600, 160)):
            # Half of each face outside the frame: left, top, right, bottom edges.
            at = [(-width // 2, 1500), (2500, -width // 2), (WIDTH - width // 2, 2000), (4000, HEIGHT - width // 2)][i]
            paste(edge, people.pick(width), width, at)
        yield Frame("cut by the frame edge (80-600 px)", f"edge{n}", edge)

        yield Frame("no face", f"none{n}", canvas())
