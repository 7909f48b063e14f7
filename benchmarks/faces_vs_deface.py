"""Time ``anonymize image`` on 24 MP frames with faces against a bare Pillow decode + encode and
against ``deface`` (the reference open-source face anonymizer), and say where the time goes.

    python -m benchmarks.faces_vs_deface [--repeat 2] [--frames small,medium,large,dark]
                                         [--deface PATH] [--width 2400]

The frames are the stress set's (``benchmarks/stress.py``), written as quality-92 JPEGs. Every
contender is a fresh process per photo, as a user runs it (model loading included): anonymize
image at full size, with ``--verify-faces full``, and with ``--width`` (the widest an exhibition
publishes). deface runs with its defaults (CenterFace at full resolution, threshold 0.2, ONNX
Runtime when ``onnx`` is importable). Give ``--deface`` the ``deface`` of an environment of its
own: beside anonymize's libraries it runs slower than it does for its users. Recall on the same
frames: ``benchmarks.face_recall``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image

from anonymize.config import ImageSettings, VerifyMode
from anonymize.image.detect.faces import FaceFinder
from anonymize.image.encode import JpegEncoder
from anonymize.image.load import load_image
from anonymize.image.plan import face_requests, plan_redactions
from anonymize.image.redact import STYLES, redact
from anonymize.image.verify import face_check, verify_output
from benchmarks.image_vs_pillow import bare_pillow, median_time
from benchmarks.stress import frames


def write_frames(folder: Path, wanted: list[str]) -> list[Path]:
    paths = []
    for frame in frames(1):
        kind = frame.name.rstrip("0123456789")
        if kind in wanted:
            path = folder / f"{kind}.jpg"
            Image.fromarray(frame.composite.pixels).save(path, quality=92)
            paths.append(path)
    return paths


def stages(source: Path, target: Path, repeat: int) -> dict[str, float]:
    """Median time of each stage, run on its own with the previous stage's value (models loaded)."""
    settings = ImageSettings()
    finder = FaceFinder.from_settings(settings.faces)
    image = load_image(source, settings)
    faces = finder.search(image.pixels)
    plan = plan_redactions(image, face_requests(faces))
    redacted = redact(image.pixels, plan, STYLES["solid"], image.source.sha256)
    encoder = JpegEncoder()
    target.write_bytes(encoder.encode(redacted))
    again = face_check(finder, faces, plan, VerifyMode.CHANGED)
    again_full = face_check(finder, faces, plan, VerifyMode.FULL)
    return {
        "load (read, decode, orient, sRGB)": median_time(lambda: load_image(source, settings), repeat),
        "find faces": median_time(lambda: finder.search(image.pixels), repeat),
        "redact + encode": median_time(
            lambda: encoder.encode(redact(image.pixels, plan, STYLES["solid"], image.source.sha256)), repeat
        ),
        "verify: read back, metadata, pixels": median_time(
            lambda: verify_output(target, encoder, redacted, plan), repeat
        ),
        "verify: search again (changed tiles)": median_time(lambda: again(redacted), repeat),
        "  (search again everywhere: --verify-faces full)": median_time(lambda: again_full(redacted), repeat),
    }


def run(command: list[str]) -> Callable[[], object]:
    return partial(subprocess.run, command, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--frames", default="small,medium,large,dark")
    parser.add_argument("--deface", default=None, help="deface's executable (default: beside this Python, or on PATH)")
    parser.add_argument("--width", type=int, default=2400, help="for anonymize image --width")
    args = parser.parse_args()
    # deface as given, else beside this Python (the same virtual environment), then on PATH.
    deface = args.deface or shutil.which("deface", path=str(Path(sys.executable).parent)) or shutil.which("deface")
    totals: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for source in write_frames(work, args.frames.split(",")):
            out = work / "out.jpg"
            anonymize = [sys.executable, "-m", "anonymize", "image", str(source), "-o", str(out)]
            contenders: dict[str, Callable[[], object]] = {
                "bare Pillow decode + encode": partial(bare_pillow, source),
                "anonymize image": run(anonymize),
                "anonymize image --verify-faces full": run([*anonymize, "--verify-faces", "full"]),
                f"anonymize image --width {args.width}": run([*anonymize, "--width", str(args.width)]),
            }
            if deface:
                contenders["deface"] = run([deface, str(source), "-o", str(work / "deface.jpg")])
            times = {name: median_time(action, args.repeat) for name, action in contenders.items()}
            floor, ours = times["bare Pillow decode + encode"], times["anonymize image"]
            print(f"{source.stem}: 6000x4000, median of {args.repeat} (fresh process each)")
            for name, seconds in times.items():
                totals.setdefault(name, []).append(seconds)
                print(
                    f"  {name:38} {seconds:6.2f} s   {seconds / floor:5.2f}x floor   {seconds / ours:5.2f}x anonymize"
                )
            print("  where anonymize's time goes (in process, models loaded):")
            for stage, seconds in stages(source, work / "stage.jpg", args.repeat).items():
                print(f"    {stage:48} {seconds:6.2f} s")
    print("all frames (mean):")
    ours = statistics.mean(totals["anonymize image"])
    for name, values in totals.items():
        print(f"  {name:38} {statistics.mean(values):6.2f} s   {statistics.mean(values) / ours:5.2f}x anonymize")
    if "deface" in totals:
        theirs = statistics.mean(totals["deface"])
        narrow = statistics.mean(totals[f"anonymize image --width {args.width}"])
        print(f"anonymize image / deface:                 {ours / theirs:.2f}   (goal <= 0.5)")
        print(f"anonymize image --width {args.width} / deface:    {narrow / theirs:.2f}   (goal <= 0.25)")


if __name__ == "__main__":
    main()
