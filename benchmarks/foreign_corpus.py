"""Load every file of other projects' test images and count what goes wrong.

    python -m benchmarks.foreign_corpus DIR [DIR ...] [--clean]

Made for Pillow's ``Tests/images``, mat2's ``tests/data`` and exiftool's ``t/images`` (many of
them fuzzing crashers; fetch them yourself, nothing here ships them). Each file is loaded in
this process with file descriptor 2 sent to a file of its own, so anything a decoder prints
past the loader's capture is seen. Counted: files loaded and refused; refusals whose message is
more than one line or does not name the file; bytes that reached stderr anyway; tracebacks
(any exception that is not anonymize's own); loads over 60 s; inputs whose bytes changed.
``--clean`` also runs every file that loads through ``anonymize image`` (to JPEG) and counts
outputs that fail verification or in which exiftool finds anything but the container.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType

from anonymize.errors import AnonymizeError
from anonymize.image.load import load_image


class _Slow(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--clean", action="store_true", help="also clean every file that loads and check it")
    args = parser.parse_args()
    files = [p for folder in args.folders for p in sorted(folder.rglob("*")) if p.is_file()]
    counts: Counter[str] = Counter()
    loaded_files: list[Path] = []
    signal.signal(signal.SIGALRM, _alarm)
    for path in files:
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        message, problem = None, None
        with tempfile.TemporaryFile() as sink:
            saved = os.dup(2)
            os.dup2(sink.fileno(), 2)
            try:
                signal.alarm(60)
                load_image(path)
                counts["loaded"] += 1
                loaded_files.append(path)
            except AnonymizeError as err:
                counts["refused"] += 1
                message = str(err)
            except _Slow:
                problem = "over 60 s"
            except Exception as err:  # what the loader should have turned into one line
                problem = f"traceback: {type(err).__name__}: {err}"
            finally:
                signal.alarm(0)
                os.dup2(saved, 2)
                os.close(saved)
            sink.seek(0)
            leaked = sink.read().decode("utf-8", "replace").strip()
        if leaked:
            problem = f"printed {len(leaked.splitlines())} line(s) on stderr: {leaked.splitlines()[0][:100]}"
        elif message is not None and ("\n" in message or str(path) not in message):
            problem = f"message is not one line naming the file: {message[:100]!r}"
        if hashlib.sha256(path.read_bytes()).hexdigest() != before:
            problem = "the input changed"
        if problem:
            counts["problems"] += 1
            print(f"{path}: {problem}")
    print(f"{len(files)} files: {counts['loaded']} loaded, {counts['refused']} refused, {counts['problems']} problems")
    if args.clean:
        _clean(loaded_files)


def _clean(files: list[Path]) -> None:
    import shutil
    import subprocess

    from anonymize.image.pipeline import anonymize_image

    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        for index, path in enumerate(files):
            output = Path(folder) / f"{index}.jpg"
            try:
                passed = anonymize_image(path, output).verification.passed
            except AnonymizeError as err:
                print(f"{path}: not cleaned: {err}")
                failed += 1
                continue
            leftovers = []
            if shutil.which("exiftool"):
                listed = subprocess.run(
                    ["exiftool", "-a", "-G", "-s", "-s", "-s", "-EXIF:all", "-XMP:all", "-IPTC:all", "-ICC_Profile:all",
                     "-MakerNotes:all", "-Comment", "-PNG:all", str(output)],
                    capture_output=True, text=True, check=False,
                ).stdout  # fmt: skip
                leftovers = [line for line in listed.splitlines() if line.strip()]
            if not passed or leftovers:
                failed += 1
                print(f"{path}: verification {'passed' if passed else 'FAILED'}, exiftool finds {leftovers[:3]}")
    print(f"cleaned {len(files)} files: {failed} not clean")


if __name__ == "__main__":
    main()
