"""Scene text and background: what a reader can still read, what detail is left, what each stage costs.

    python -m benchmarks.scene [--frames 3]

1. OCR (tesseract eng+rus, each plate turned upright, enlarged, read as block, line and word) of
   the words painted by the tests, in the original and in the anonymized picture.
2. Band-pass detail (as the tests measure it) of a landmark behind the astronaut and of the
   astronaut's suit, before and after ``--background blur``, with the person model's mask and
   with a drawn outline.
3. Seconds per 24 MP (6000 x 4000) frame of each new stage: the text search, the person model
   with its edge refinement, the background blur, a 40-point subject polygon's mask; beside the
   face search for scale. Median of ``--frames`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from anonymize.config import Background, FaceSettings, ImageSettings, TextSettings
from anonymize.image.background import _drop_specks, _refine, treat_background
from anonymize.image.detect.faces import FaceFinder
from anonymize.image.detect.text import TextFinder
from anonymize.image.load import load_image
from anonymize.image.pipeline import anonymize_image
from anonymize.image.regions import Polygon
from anonymize.image.segment import segmenter
from tests.scenes import high_pass, landmark_scene, ocr_word, paint_text, tokens


def _ocr(folder: Path) -> None:
    pixels, words = paint_text(1800, 1200)
    source, out = folder / "signs.png", folder / "signs.out.png"
    Image.fromarray(pixels).save(source)
    anonymize_image(source, out)
    after = np.asarray(Image.open(out).convert("RGB"))
    total = sum(len(tokens(w.text)) for w in words)
    before_read = sum(len(ocr_word(pixels, w, folder) & tokens(w.text)) for w in words)
    after_read = sum(len(ocr_word(after, w, folder) & tokens(w.text)) for w in words)
    print(f"OCR: {total} painted words in {len(words)} signs (Latin and Cyrillic, 18-56 px, 0-90°)")
    print(f"  read in the original:   {before_read}/{total}")
    print(f"  read after anonymizing: {after_read}/{total}")


def _detail(folder: Path) -> None:
    scene = landmark_scene()
    source = folder / "scene.png"
    Image.fromarray(scene.pixels).save(source)
    settings = ImageSettings(
        background=Background.BLUR, text=TextSettings(enabled=False), faces=FaceSettings(min_face=40)
    )
    print("Band-pass detail (mean squared DoG 1.5/6 px), before → after, ratio:")
    for label, subject in (("person model", ()), ("drawn outline", (scene.outline,))):
        out = folder / f"scene-{len(subject)}.png"
        anonymize_image(source, out, settings=settings, subject=subject)
        after = np.asarray(Image.open(out).convert("RGB"))
        for name, box in (("landmark", scene.landmark), ("person", scene.person)):
            b, a = high_pass(scene.pixels, box), high_pass(after, box)
            print(f"  {label:13} {name:8} {b:8.1f} → {a:8.1f}  {a / b:6.3f}")


def _cost(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scene = landmark_scene()
        big = cv2.resize(scene.pixels, (6000, 4000), interpolation=cv2.INTER_CUBIC)
        path = Path(folder) / "big.png"
        Image.fromarray(big).save(path, compress_level=1)
        image = load_image(path, ImageSettings())
    text, faces, model = TextFinder(), FaceFinder.named(["centerface", "yunet"]), segmenter()
    text.search(big[:256, :256])
    faces.search(big[:256, :256])
    subject_state: dict[str, object] = {}

    def segment() -> None:
        subject_state["alpha"] = cv2.resize(_drop_specks(_refine(big, model.people(big))), big.shape[1::-1])

    def blur() -> None:
        from anonymize.image.background import Subject

        alpha = subject_state["alpha"]
        assert isinstance(alpha, np.ndarray)
        treat_background(big, Subject(alpha, True, "model"), seed="0")

    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    outline = Polygon.through([(3000 + 1800 * np.cos(a), 2000 + 1900 * np.sin(a)) for a in angles])
    stages: list[tuple[str, Callable[[], object]]] = [
        ("text search (min_text 12)", lambda: text.search(big)),
        ("person model + refinement", segment),
        ("background blur", blur),
        ("subject polygon mask (40 pts)", lambda: outline.mask_in(6000, 4000)),
        ("face search (for scale)", lambda: faces.search(big)),
    ]
    print(f"Seconds per 24 MP frame ({image.size[0]}x{image.size[1]}), median of {runs}:")
    for name, stage in stages:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            stage()
            times.append(time.perf_counter() - start)
        print(f"  {name:30} {statistics.median(times):6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=3, help="runs of each stage on the 24 MP frame")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _ocr(Path(folder))
        _detail(Path(folder))
    _cost(args.frames)


if __name__ == "__main__":
    main()
