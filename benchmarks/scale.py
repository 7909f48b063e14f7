"""A generated exhibition built cold, again with nothing changed, and again after one photo changed.

    python -m benchmarks.scale [--stories 100] [--megapixels 24] [--work DIR] [--jobs N] [--dask]

The exhibition: ``--stories`` stories of one portrait each, every portrait a different
``--megapixels`` frame (a photo-like scene with a person in it, each its own, so that no two
originals share a byte), a testimony of five paragraphs. It is generated once
into ``--work`` (default: a folder in the system's temporary folder) and reused.

Each build runs as ``anonymize build --draft -q`` in its own process (a draft publishes every
consented story, so every picture is published and checked): wall time, CPU time of the build
and its workers (``wait4``), and peak memory, the resident memory of the build and all its
workers added up, sampled every 20 ms. In the same run, on the same machine:

- a bare ``mkdocs build`` of the same pages (Markdown pages with the same text and the same
  published picture files, the same theme and search plugin, no anonymize plugin);
- a bare Pillow decode + encode of the same originals, one process per core.

Peak memory is the sum of the processes' PSS (their resident memory, each shared library page
counted once across them, not once per worker).

With ``--dask`` the exhibition is then built cold once more, on a local Dask cluster
(``anonymize build --scheduler local``), and every file of that site is compared with the local
pool's.

It prints each measure and the ratios the goals are stated in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

AS_OF = "2026-11-21"
PARAGRAPH = (
    "I left before dawn with one bag and a telephone I was afraid to switch on. The road to the "
    "border took two days; nobody on the bus asked where I was going, and I did not ask them. "
    "Now I work in a bakery in a city where nobody knows my name, and in the evening I walk "
    "along the river and count the bridges."
)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def frame(index: int, megapixels: float, seed: int = 0) -> np.ndarray:
    """A 3:2 frame of ``megapixels``: a photo-like scene of its own (shading, texture, grain) and a
    person (scikit-image's astronaut or cameraman, public domain, from lossless sources) standing
    in it at a place and size of their own."""
    from tests.faces import astronaut, cameraman

    rng = np.random.default_rng([index, seed])
    height = round((megapixels * 1e6 / 1.5) ** 0.5)
    width = round(height * 1.5)
    base = cv2.resize(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)
    texture = cv2.resize(rng.normal(0, 14, (height // 8, width // 8, 3)).astype(np.float32), (width, height))
    picture = np.clip(base + texture, 0, 255).astype(np.uint8)
    person = (astronaut() if index % 2 == 0 else cameraman()).pixels
    side = int(height * rng.uniform(0.35, 0.6))
    person = cv2.resize(person, (side, side), interpolation=cv2.INTER_CUBIC)
    top, left = int(rng.integers(0, height - side)), int(rng.integers(0, width - side))
    picture[top : top + side, left : left + side] = person
    grain = rng.integers(-3, 4, size=(height, width, 1), dtype=np.int16)
    framed: np.ndarray = np.clip(picture.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    return framed


def write_photo(path: Path, index: int, megapixels: float, seed: int = 0) -> None:
    Image.fromarray(frame(index, megapixels, seed)).save(path, quality=90)


def _write_one(job: tuple[Path, int, float]) -> None:
    write_photo(*job)


def generate(root: Path, stories: int, megapixels: float) -> None:
    """The exhibition in ``root``, unless it is already there."""
    marker = root / ".generated"
    if marker.exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    (root / "photos").mkdir(parents=True)
    (root / "stories").mkdir()
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Generated exhibition\n\n[Portraits](stories/index.md)\n")
    (root / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: Generated exhibition
            theme:
              name: material
              font: false
            plugins:
              - search
              - anonymize:
                  redact: [Grozny]
            """
        )
    )
    jobs = [(root / "photos" / f"p{i:04d}.jpg", i, megapixels) for i in range(stories)]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write_one, jobs))
    for i in range(stories):
        (root / "stories" / f"p{i:04d}.md").write_text(
            f"---\npseudonym: Person {i}\ntitle: Portrait {i}\nlanguage: en\n"
            f"photos:\n  - file: p{i:04d}.jpg\n    alt: A person seen from behind, portrait {i}\n"
            "consent:\n  portrait: true\n  testimony: true\n  given: 2024-01-01\n---\n"
            + "\n\n".join([PARAGRAPH] * 5)
            + "\n"
        )
    marker.write_text("ok\n")


@dataclass
class Run:
    wall: float
    cpu: float
    peak: int  # bytes, summed over the process tree
    failures: list[str]  # what the build printed when it failed (it did all its work first)

    @property
    def cores_used(self) -> float:
        return self.cpu / self.wall


def _tree_rss(root: int) -> int:
    """Memory of ``root`` and every process descended from it: the sum of their proportional set
    sizes (resident memory, shared pages divided among the processes that share them)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    total, family = 0, {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                changed = True
    for pid in family:
        try:  # proportional set size: a library mapped by three processes counts a third in each
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            total += rss.get(pid, 0)
    return total


def measure(command: list[str], cwd: Path) -> Run:
    """Run ``command``; its wall time, CPU time (with its children) and peak memory of the tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    failures = errors.decode().splitlines() if process.returncode != 0 else []
    if process.returncode not in (0, 1):  # 1: a picture not proven clean, after all the work
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.decode()[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, failures)


def bare_mkdocs(project: Path, work: Path) -> Run:
    """``mkdocs build`` of the same pages and picture files, without the anonymize plugin."""
    bare = work / "bare-mkdocs"
    shutil.rmtree(bare, ignore_errors=True)
    docs = bare / "docs"
    (docs / "pictures").mkdir(parents=True)
    for picture in (project / ".anonymize-cache" / "pictures").rglob("*.jpg"):  # every size published
        shutil.copy(picture, docs / "pictures" / picture.name)
    (docs / "index.md").write_text("# Generated exhibition\n")
    pictures = sorted(p.name for p in (docs / "pictures").iterdir())
    per_story = max(1, len(pictures) // max(1, len(list((project / "stories").glob("*.md")))))
    for n, story in enumerate(sorted((project / "stories").glob("*.md"))):
        sizes = pictures[n * per_story : (n + 1) * per_story]
        srcset = ", ".join(f"../pictures/{name} {480 * (i + 1)}w" for i, name in enumerate(sizes))
        body = story.read_text().split("---\n", 2)[2]
        (docs / f"{story.stem}.md").write_text(
            f'# Portrait {n}\n\n<img src="../pictures/{sizes[-1]}" srcset="{srcset}" alt="A person">\n\n{body}'
        )
    (bare / "mkdocs.yml").write_text(
        "site_name: Generated exhibition\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n"
    )
    return measure([sys.executable, "-m", "mkdocs", "build", "-q"], bare)


def _decode_encode(path: Path) -> None:
    from anonymize.image.encode import JpegEncoder

    with Image.open(path) as image:
        image.load()
        Image.fromarray(np.asarray(image.convert("RGB"))).save(os.devnull, "JPEG", **JpegEncoder.options)


def bare_pillow(project: Path, jobs: int) -> float:
    """Seconds to decode and encode every original with Pillow alone, one process per core."""
    photos = sorted((project / "photos").glob("*.jpg"))
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_decode_encode, photos))
    return time.perf_counter() - start


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=None, help="passed to anonymize build (default: its own)")
    parser.add_argument(
        "--dask", action="store_true", help="then build it cold on a local Dask cluster and compare every file"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.gettempdir()) / f"anonymize-scale-{args.stories}x{args.megapixels:g}mp"
    project = work / "project"
    print(f"generating {args.stories} stories with {args.megapixels:g} MP portraits in {project} ...", flush=True)
    generate(project, args.stories, args.megapixels)
    build = [sys.executable, "-m", "anonymize", "build", "--draft", "-q", "--as-of", AS_OF]
    if args.jobs:
        build += ["--jobs", str(args.jobs)]
    for leftover in (".anonymize-cache", "site-draft", "reports"):
        shutil.rmtree(project / leftover, ignore_errors=True)

    cold = measure(build, project)
    print(
        f"cold build:            {cold.wall:7.1f} s wall, CPU/wall {cold.cores_used:.2f}, peak {cold.peak / 1e9:.2f} GB"
    )
    same = measure(build, project)
    print(f"rebuild, no change:    {same.wall:7.1f} s wall, peak {same.peak / 1e9:.2f} GB")
    write_photo(project / "photos" / "p0000.jpg", 0, args.megapixels, seed=int(time.time()))
    one = measure(build, project)
    print(f"rebuild, 1 photo new:  {one.wall:7.1f} s wall, peak {one.peak / 1e9:.2f} GB")
    mkdocs = bare_mkdocs(project, work)
    print(f"bare mkdocs build:     {mkdocs.wall:7.1f} s wall (same pages and picture files)")
    cores = args.jobs or len(os.sched_getaffinity(0))
    pillow = bare_pillow(project, cores)
    print(f"bare Pillow:           {pillow:7.1f} s wall (decode + encode every original, {cores} processes)")
    per_photo = cold.wall / args.stories
    print()
    print(f"no-change rebuild / bare mkdocs build:      {same.wall / mkdocs.wall:.2f}   (goal <= 1.5)")
    print(
        f"one-photo rebuild - no-change rebuild:      {one.wall - same.wall:.1f} s "
        f"(a cold build's wall time per photo x cores: {per_photo * cores:.1f} s)"
    )
    print(f"cold build per photo:                       {per_photo:.1f} s   (goal <= 3 on 2 cores)")
    print(f"cold build CPU / wall:                      {cold.cores_used:.2f}   (goal >= 1.7 on 2 cores)")
    print(f"cold build / bare Pillow:                   {cold.wall / pillow:.1f}")
    print(f"peak memory (build + workers):              {max(cold.peak, same.peak, one.peak) / 1e9:.2f} GB (goal < 2)")
    if args.dask:
        shutil.rmtree(project / "site-dask", ignore_errors=True)
        dask = measure([*build, "--no-cache", "--scheduler", "local", "-d", "site-dask"], project)
        pooled, on_dask = _files(project / "site-draft"), _files(project / "site-dask")
        differ = sorted(name for name in pooled.keys() | on_dask.keys() if pooled.get(name) != on_dask.get(name))
        print(f"cold build on a local Dask cluster / local pool: {dask.wall / cold.wall:.2f} ({dask.wall:.1f} s)")
        print(f"files of the site that differ from the pool's build: {len(differ)} of {len(pooled)} {differ[:5]}")
    failed = [line for line in cold.failures if "site-draft/" in line or "photo" in line]
    if failed:
        print(f"\nthe builds did all their work but failed closed on {len(failed)} file(s):")
        print("\n".join(f"  {line}" for line in failed))


if __name__ == "__main__":
    main()
