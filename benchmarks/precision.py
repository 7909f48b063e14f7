"""Precision of the whole photo pipeline: how much of each frame it changes, and what for.

    python -m benchmarks.precision [--stress 1] [--wild DIR] [--faces DIR] [--out DIR]
                                   [--save FILE] [--before FILE]

Every photo goes through ``anonymize_image`` with the defaults, as ``anonymize image`` runs it.
For each one it prints the regions by reason, the share of the frame redacted, the largest
single region's share, and whether the photo was refused. On frames with known faces and text
(the generated stress set, public-domain faces pasted on textures; the scenes of painted signs
and a poster that the tests use) it also prints recall (a face
counts as found when 80% of its box is redacted) and the share redacted outside the true heads
and the true text: each face box widened by a quarter on each side, a half above for hair, a
quarter below; each sign's plate.

``--save`` writes the results as JSON; ``--before`` reads such a file (made on another commit)
and prints each share beside the one it had then: before and after.

``--wild`` and ``--faces`` (default ``../shared/wild-dev`` and ``../shared/faces-dev`` when
they exist) are real photographs without labels, for local tuning only: there the share
redacted is all of it, and what it covers must be judged by eye (``--out`` keeps the outputs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from anonymize.errors import AnonymizeError
from anonymize.image.pipeline import ImageReport, PhotoVerificationError, anonymize_image
from benchmarks.stress import frames
from tests.faces import face_coverage
from tests.scenes import paint_poster, paint_text

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


def run(
    name: str,
    source: Path,
    out: Path,
    boxes: list[tuple[int, int, int, int]] | None,
    text: Sequence[tuple[int, int, int, int]] = (),
) -> Result:
    """``boxes``: the true faces (x, y, w, h), None when unknown; ``text``: the true writing
    (x0, y0, x1, y1), which is redacted on purpose."""
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
        for x0, y0, x1, y1 in text:
            heads[max(0, y0) : y1, max(0, x0) : x1] = True
        result.outside = float((mask & ~heads).sum() / mask.size)
        result.faces = len(boxes)
        result.found = sum(face_coverage(mask, box) >= FOUND for box in boxes)
    return result


def show(title: str, results: list[Result], before: dict[str, dict[str, float | None]]) -> None:
    """Print one set; ``before``: shares of an earlier run by photo, printed beside (was → now)."""

    def share(value: float | None, name: str, key: str) -> str:
        now = "-" if value is None else f"{100 * value:.2f}%"
        then = before.get(name, {}).get(key)
        return now if name not in before else f"{'-' if then is None else f'{100 * then:.2f}'}→{now}"

    print(f"\n{title}")
    width = 15 if before else 8
    print(f"  {'photo':48} {'changed':>{width}} {'largest':>8} {'outside':>{width}} {'faces':>7}  regions")
    for r in results:
        faces = f"{r.found}/{r.faces}" if r.outside is not None else "-"
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(r.reasons.items()))
        refused = f"  REFUSED: {r.refused}" if r.refused else ""
        changed, outside = share(r.changed, r.name, "changed"), share(r.outside, r.name, "outside")
        shares = f"{changed:>{width}} {100 * r.largest:7.2f}% {outside:>{width}}"
        print(f"  {r.name[:48]:48} {shares} {faces:>7}  {reasons}{refused}")
    changed_all = [r.changed for r in results]
    line = f"  mean changed {100 * np.mean(changed_all):.2f}%, worst {100 * max(changed_all):.2f}%"
    labelled = [r for r in results if r.outside is not None]
    if labelled:
        heads = [r.outside for r in labelled if r.outside is not None]
        found, known = sum(r.found for r in labelled), sum(r.faces for r in labelled)
        line += f"; outside the heads and text mean {100 * np.mean(heads):.2f}%, worst {100 * max(heads):.2f}%"
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
    parser.add_argument("--save", type=Path, default=None, help="write the results here as JSON")
    parser.add_argument("--before", type=Path, default=None, help="results of an earlier run (--save)")
    args = parser.parse_args()
    before = json.loads(args.before.read_text()) if args.before else {}
    saved: dict[str, dict[str, dict[str, float | None]]] = {}

    def shown(label: str, title: str, results: list[Result]) -> None:
        show(title, results, before.get(label, {}))
        saved[label] = {r.name: {"changed": r.changed, "outside": r.outside} for r in results}

    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        for label, folder in (("wild", args.wild), ("faces", args.faces)):
            if folder.is_dir():
                photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTOS)
                (out / label).mkdir(exist_ok=True)
                shown(label, f"{label}: {folder}", [run(p.name, p, out / label, None) for p in photos])
        (out / "scenes").mkdir(exist_ok=True)
        scenes = []
        for name, (pixels, words) in (("signs", paint_text(1800, 1200)), ("poster", paint_poster())):
            source = Path(scratch) / f"{name}.png"
            Image.fromarray(pixels).save(source)
            scenes.append(run(name, source, out / "scenes", [], [word.box for word in words]))
        shown("scenes", "scenes of the tests (painted signs, a poster; no faces)", scenes)
        if args.stress:
            (out / "stress").mkdir(exist_ok=True)
            results = []
            for frame in frames(args.stress):
                source = Path(scratch) / f"{frame.name}.png"
                Image.fromarray(frame.composite.pixels).save(source, compress_level=1)
                results.append(run(frame.name, source, out / "stress", list(frame.composite.faces)))
                source.unlink()
            shown("stress", "stress set (generated, labelled faces)", results)
    if args.save:
        args.save.write_text(json.dumps(saved, indent=1))


if __name__ == "__main__":
    main()
