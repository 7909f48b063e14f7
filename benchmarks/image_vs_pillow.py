"""Time one 24 MP JPEG through ``anonymize image`` against a bare Pillow decode + encode.

    python benchmarks/image_vs_pillow.py [PHOTO.jpg ...] [--repeat N]

Without arguments it generates a 6000x4000 photo-like JPEG (smooth shading, texture and noise,
with EXIF orientation 6 and a GPS block, as a phone writes it). It prints the median wall time
of each contender, the ratio to the floor (decode + fixed-setting encode with Pillow, nothing
else), and where the pipeline's time goes, stage by stage.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from anonymize.config import ImageSettings
from anonymize.image.encode import JpegEncoder
from anonymize.image.load import load_image
from anonymize.image.pipeline import anonymize_image
from anonymize.image.plan import RegionRequest, plan_redactions
from anonymize.image.redact import STYLES, redact
from anonymize.image.regions import Ellipse
from anonymize.image.verify import verify_output


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


def stages(source: Path, target: Path, regions: list[RegionRequest], repeat: int) -> dict[str, float]:
    """Median time of each pipeline stage, run on its own with the previous stage's value."""
    settings = ImageSettings()
    image = load_image(source, settings)
    plan = plan_redactions(image, regions)
    redacted = redact(image.pixels, plan, STYLES["solid"], image.source.sha256)
    encoder = JpegEncoder()
    data = encoder.encode(redacted)
    target.write_bytes(data)
    return {
        "load (read, decode, orient, sRGB)": median_time(lambda: load_image(source, settings), repeat),
        "redact": median_time(lambda: redact(image.pixels, plan, STYLES["solid"], image.source.sha256), repeat),
        "encode": median_time(lambda: encoder.encode(redacted), repeat),
        "verify (re-read, decode, compare)": median_time(
            lambda: verify_output(target, encoder, redacted, plan), repeat
        ),
    }


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
    print("  where the library's time goes:")
    for stage, seconds in stages(source, work / "stage.jpg", regions, repeat).items():
        print(f"    {stage:36} {seconds:6.2f} s   {seconds / floor:.2f}x of the floor")


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
