"""Precision of the whole photo pipeline: how much of each frame it changes, and what for.

    python -m benchmarks.precision [--stress 1] [--wild DIR] [--faces DIR] [--out DIR]

Every photo goes through ``anonymize_image`` with the defaults, as ``anonymize image`` runs it.
For each one it prints the regions by reason, the share of the frame redacted, the largest
single region's share, and whether the photo was refused. On frames with known faces (the
generated stress set, public-domain faces pasted on textures) it also prints recall (a face
counts as found when 80% of its box is redacted) and the share redacted outside the true heads:
each face box widened by a quarter on each side, a half above for hair, a quarter below.

``--wild`` and ``--faces`` (default ``../shared/wild-dev`` and ``../shared/faces-dev`` when
they exist) are real photographs without labels, for local tuning only: there the share
redacted is all of it, and what it covers must be judged by eye (``--out`` keeps the outputs).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from anonymize.errors import AnonymizeError
from anonymize.image.pipeline import ImageReport, PhotoVerificationError, anonymize_image
from benchmarks.stress import frames
from tests.faces import face_coverage

SHARED = Path(__file__).resolve().parents[2] / "shared"
PHOTOS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic")
FOUND = 0.8


@dataclass
class Result:
    name: str
    reasons: Counter[str] = field(default_factory=Counter)
    changed: float = 0.0
    largest: float = 0.0
    outside: float | None = None  # share changed outside the true heads (labelled frames only)
    faces: int = 0
    found: int = 0
    refused: str | None = None


def redacted_mask(report: ImageReport) -> np.ndarray:
    width, height = report.image.size
    mask = np.zeros((height, width), dtype=bool)
    for planned in report.plan.regions:
        x0, y0, x1, y1 = planned.bounds
        mask[y0:y1, x0:x1] |= planned.mask()
    return mask


def true_heads(boxes: list[tuple[int, int, int, int]], width: int, height: int) -> np.ndarray:
    heads = np.zeros((height, width), dtype=bool)
    for x, y, w, h in boxes:
        x0, x1 = max(0, int(x - w / 4)), min(width, int(x + w * 1.25))
        y0, y1 = max(0, int(y - h / 2)), min(height, int(y + h * 1.25))
        heads[y0:y1, x0:x1] = True
    return heads


def run(name: str, source: Path, out: Path, boxes: list[tuple[int, int, int, int]] | None) -> Result:
    result = Result(name)
    try:
        report = anonymize_image(source, out / f"{Path(name).stem}.png")
    except PhotoVerificationError as err:
        report = err.report
        result.refused = str(err.reason)
    except AnonymizeError as err:
        result.refused = str(err)
        return result
    mask = redacted_mask(report)
    result.reasons = Counter(planned.request.reason for planned in report.plan.regions)
    result.changed = float(mask.mean())
    areas = [planned.mask().sum() for planned in report.plan.regions]
    result.largest = float(max(areas, default=0) / mask.size)
    if boxes is not None:
        heads = true_heads(boxes, mask.shape[1], mask.shape[0])
        result.outside = float((mask & ~heads).sum() / mask.size)
        result.faces = len(boxes)
        result.found = sum(face_coverage(mask, box) >= FOUND for box in boxes)
    return result


def show(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    print(f"  {'photo':48} {'changed':>8} {'largest':>8} {'outside':>8} {'faces':>7}  regions")
    for r in results:
        outside = "-" if r.outside is None else f"{100 * r.outside:.2f}%"
        faces = f"{r.found}/{r.faces}" if r.outside is not None else "-"
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(r.reasons.items()))
        refused = f"  REFUSED: {r.refused}" if r.refused else ""
        shares = f"{100 * r.changed:7.2f}% {100 * r.largest:7.2f}% {outside:>8}"
        print(f"  {r.name[:48]:48} {shares} {faces:>7}  {reasons}{refused}")
    changed = [r.changed for r in results]
    line = f"  mean changed {100 * np.mean(changed):.2f}%, worst {100 * max(changed):.2f}%"
    labelled = [r for r in results if r.outside is not None]
    if labelled:
        heads = [r.outside for r in labelled if r.outside is not None]
        found, known = sum(r.found for r in labelled), sum(r.faces for r in labelled)
        line += f"; outside the heads mean {100 * np.mean(heads):.2f}%, worst {100 * max(heads):.2f}%"
        line += f"; recall {found}/{known}"
    refusals = sum(r.refused is not None for r in results)
    regions = sum(sum(r.reasons.values()) for r in results)
    print(line + f"; {regions} regions; refused {refusals}/{len(results)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stress", type=int, default=1, help="stress-set frames per category (0: none)")
    parser.add_argument("--wild", type=Path, default=SHARED / "wild-dev")
    parser.add_argument("--faces", type=Path, default=SHARED / "faces-dev")
    parser.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        for label, folder in (("wild", args.wild), ("faces", args.faces)):
            if folder.is_dir():
                photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTOS)
                (out / label).mkdir(exist_ok=True)
                show(f"{label}: {folder}", [run(p.name, p, out / label, None) for p in photos])
        if args.stress:
            (out / "stress").mkdir(exist_ok=True)
            results = []
            for frame in frames(args.stress):
                source = Path(scratch) / f"{frame.name}.png"
                Image.fromarray(frame.composite.pixels).save(source, compress_level=1)
                results.append(run(frame.name, source, out / "stress", list(frame.composite.faces)))
                source.unlink()
            show("stress set (generated, labelled faces)", results)


if __name__ == "__main__":
    main()
