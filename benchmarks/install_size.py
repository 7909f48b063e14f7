"""Measure the virtual environment of the README's quick start, and what fills it.

    python -m benchmarks.install_size [--compile] [--extra test]

Makes a fresh virtual environment in a temporary folder, installs this checkout into it as the
quick start does (``pip install -q --no-compile -e .``; ``--compile`` as pip does by default),
and prints its size on disk against the 500 MB goal, then the largest installed distributions.
Needs PyPI (or pip's cache), like the quick start.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL = 500 * 2**20


def on_disk(path: Path) -> int:
    """Bytes of disk the files under ``path`` take (blocks, as ``du`` counts them)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                total += file.stat().st_blocks * 512
    return total


def by_distribution(python: Path) -> list[tuple[int, str]]:
    """Each installed distribution and the disk its files take, largest first."""
    script = (
        "import json, importlib.metadata as m\n"
        "print(json.dumps([[d.metadata['Name'], [str(d.locate_file(f)) for f in d.files or []]]"
        " for d in m.distributions()]))"
    )
    # -I: not the working folder, where an editable install leaves its egg-info.
    listed = json.loads(subprocess.run([python, "-I", "-c", script], capture_output=True, text=True, check=True).stdout)
    sizes = []
    for name, files in listed:
        size = sum(Path(f).stat().st_blocks * 512 for f in files if Path(f).is_file())
        # Bytecode compiled after installation is not in RECORD: count the __pycache__ beside each file.
        caches = {Path(f).parent / "__pycache__" for f in files if f.endswith(".py")}
        size += sum(on_disk(c) for c in caches if c.is_dir())
        sizes.append((size, name))
    return sorted(sizes, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", action="store_true", help="let pip compile every module (its default)")
    parser.add_argument("--extra", help="install an extra too, e.g. test")
    args = parser.parse_args()
    target = f"{REPO}[{args.extra}]" if args.extra else str(REPO)
    with tempfile.TemporaryDirectory() as work:
        venv = Path(work) / "venv"
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        flags = [] if args.compile else ["--no-compile"]
        subprocess.run([venv / "bin" / "pip", "install", "-q", *flags, "-e", target], check=True)
        total = on_disk(venv)
        print(
            f"virtual environment: {total / 2**20:.0f} MiB ({total / 1e6:.0f} MB); goal < 500 MiB: {total / GOAL:.2f}"
        )
        for size, name in by_distribution(venv / "bin" / "python")[:12]:
            print(f"  {size / 2**20:6.1f} MiB  {name}")


if __name__ == "__main__":
    main()
