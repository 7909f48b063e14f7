"""Time one 24 MP JPEG through ``anonymize image`` against a bare Pillow decode + encode.

    python benchmarks/image_vs_pillow.py [PHOTO.jpg ...] [--repeat N]

Without arguments it generates a 6000x4000 photo-like JPEG (smooth shading, texture and noise,
with EXIF orientation 6 and a GPS block, as a phone writes it). It prints the median wall time
of each contender, the ratio to the floor (decode + fixed-setting encode with Pillow, nothing
else), and where the pipeline's time goes, stage by stage.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from anonymize.image import pipeline
from anonymize.image.detect.faces import FaceFinder
from anonymize.image.detect.text import TextFinder
from anonymize.image.encode import JpegEncoder
from anonymize.image.pipeline import anonymize_image
from anonymize.image.plan import RegionRequest
from anonymize.image.regions import Ellipse


def generate(path: Path, width: int = 6000, height: int = 4000) -> None:
    rng = np.random.default_rng(24)
    base = cv2.resize(rng.integers(0, 256, (30, 45, 3), dtype=np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)
    texture = cv2.resize(
        rng.normal(0, 18, (height // 4, width // 4, 3)), (width, height), interpolation=cv2.INTER_LINEAR
    )
    picture = np.clip(base + texture + rng.normal(0, 4, (height, width, 3)), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 18.0, 5.0)})
    Image.fromarray(picture).save(path, quality=92, exif=exif.tobytes())


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_pillow(source: Path) -> None:
    with Image.open(source) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", **{k: v for k, v in JpegEncoder.options.items()})


#: What one run of the pipeline spends its time on: (label, owner, attribute) of each callable
#: timed. Time is exclusive: a search inside the verification counts as a search, not twice.
_TIMED = (
    ("load (read, decode, orient, sRGB)", pipeline, "load_image"),
    ("people (background blur)", pipeline, "find_subject"),
    ("background treatment", pipeline, "treat_background"),
    ("face search", FaceFinder, "search"),
    ("text search", TextFinder, "search"),
    ("plan", pipeline, "plan_redactions"),
    ("redact", pipeline, "redact"),
    ("encode", pipeline, "_encoded"),
    ("read back", pipeline, "read_back"),
    ("search after redaction", pipeline, "search_after_redaction"),
    ("verify (re-read, decode, compare)", pipeline, "verify_output"),
)


@contextlib.contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Seconds spent in each of ``_TIMED`` meanwhile, each without the timed calls inside it."""
    spent: dict[str, float] = {label: 0.0 for label, _, _ in _TIMED}
    running: list[float] = []  # time of timed calls inside the current one, per level

    def wrap(label: str, function: Callable[..., object]) -> Callable[..., object]:
        @functools.wraps(function)
        def measured(*args: object, **kwargs: object) -> object:
            running.append(0.0)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                inner = running.pop()
                spent[label] += took - inner
                if running:
                    running[-1] += took

        return measured

    originals = [(owner, name, getattr(owner, name)) for _, owner, name in _TIMED]
    try:
        for (label, owner, name), (_, _, original) in zip(_TIMED, originals, strict=True):
            setattr(owner, name, wrap(label, original))
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def stages(source: Path, target: Path, regions: list[RegionRequest], repeat: int) -> tuple[float, dict[str, float]]:
    """One real run of the pipeline per repeat: its median total, and the median of each stage."""
    totals, runs = [], []
    for _ in range(repeat):
        with timed() as spent:
            start = time.perf_counter()
            anonymize_image(source, target, regions)
            totals.append(time.perf_counter() - start)
        runs.append(spent)
    medians = {label: statistics.median(run[label] for run in runs) for label in runs[0]}
    return statistics.median(totals), {label: seconds for label, seconds in medians.items() if seconds > 0.0005}


def bench(source: Path, work: Path, repeat: int) -> None:
    with Image.open(source) as image:
        width, height = image.size
    regions = [RegionRequest(Ellipse(width // 3, height // 4, width // 8, height // 5), "face", "benchmark")]
    target = work / "out.jpg"
    command = [sys.executable, "-m", "anonymize", "image", str(source), "-o", str(target)]
    command += ["--region", f"ellipse:{width // 3},{height // 4},{width // 8},{height // 5}"]
    floor = median_time(partial(bare_pillow, source), repeat)
    library = median_time(partial(anonymize_image, source, target, regions), repeat)
    cli = median_time(partial(subprocess.run, command, check=True), max(1, repeat // 2))
    print(f"{source.name}: {width}x{height} ({width * height / 1e6:.1f} MP), median of {repeat}")
    print(f"  bare Pillow decode + encode   {floor:6.2f} s   1.00x")
    print(f"  anonymize_image (library)     {library:6.2f} s   {library / floor:.2f}x")
    print(f"  anonymize image (CLI process) {cli:6.2f} s   {cli / floor:.2f}x")
    total, spent = stages(source, work / "stage.jpg", regions, repeat)
    print(f"  where the library's time goes (median of {repeat} timed runs, {total:.2f} s):")
    for stage, seconds in [*spent.items(), ("everything else", total - sum(spent.values()))]:
        print(f"    {stage:36} {seconds:6.2f} s   {seconds / floor:5.2f}x of the floor   {seconds / total:4.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        photos = args.photos
        if not photos:
            photos = [work / "generated-24mp.jpg"]
            generate(photos[0])
        for source in photos:
            bench(source, work, args.repeat)


if __name__ == "__main__":
    main()
