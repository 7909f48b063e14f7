"""The photo stage on Dask: the same exhibition as the local pool, lost workers' photos made
again, and nothing a worker returns kept without being read back."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import distributed
import piexif
import pytest

from anonymize.cache import Cache
from anonymize.cluster import DaskRunner
from anonymize.errors import InputError
from anonymize.exhibition.pictures import make_pictures
from anonymize.site.project import load_project
from anonymize.stories.publish import load_exhibition
from anonymize.workers import GB, Serial

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two worker processes on this machine, each offering 2 GB to photos; the scheduler's address."""
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, resources={"MEMORY": 2 * GB}
    ) as local:
        yield local.scheduler_address


def _sample(root: Path) -> Path:
    for name in ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    return root


def _build(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "anonymize", "build", "--as-of", "2026-11-21", "--no-cache", "-q", *options]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_dask_builds_the_exhibition_byte_for_byte_as_the_local_pool(cluster: str, tmp_path: Path) -> None:
    root = _sample(tmp_path)
    pooled = _build(root, "--jobs", "2", "-d", "pooled")
    assert pooled.returncode == 0, pooled.stderr
    on_dask = _build(root, "--scheduler", cluster, "-d", "dask")
    assert on_dask.returncode == 0, on_dask.stderr
    pool_files, dask_files = _files(root / "pooled"), _files(root / "dask")
    assert sum(name.startswith("pictures/") for name in pool_files) >= 8  # every size of every photo
    assert dask_files.keys() == pool_files.keys()
    assert [name for name in pool_files if dask_files[name] != pool_files[name]] == []


def die_once(marker: Path) -> int:
    """Kills the worker process that runs it first, as the kernel's OOM killer would; then works."""
    if not marker.exists():
        marker.write_text("died here")
        os._exit(3)
    return os.getpid()


def test_a_photo_whose_worker_is_lost_is_made_again_elsewhere(cluster: str, tmp_path: Path) -> None:
    with DaskRunner(cluster) as runner:
        assert runner.workers == 2
        ((index, pid),) = list(runner.run(die_once, [tmp_path / "marker"], memory=lambda job: GB))
    assert index == 0 and pid != os.getpid() and (tmp_path / "marker").exists()


def test_workers_that_do_not_say_their_memory_are_refused_with_how_to_start_them() -> None:
    bare_cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    )
    with (
        bare_cluster as bare,
        DaskRunner(bare.scheduler_address) as runner,
        pytest.raises(InputError, match=r"declares the memory.*--resources MEMORY="),
    ):
        list(runner.run(die_once, [Path("unused")]))


class Tampering(Serial):
    """Workers elsewhere whose results come back with EXIF (a GPS position) added to every size."""

    shares_files = False

    def run(self, work, jobs, memory=None):  # type: ignore[no-untyped-def]
        gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((43, 1), (19, 1), (0, 1))}
        exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"Phone"}, "GPS": gps})
        for index, result in super().run(work, jobs, memory):
            result["files"] = {name: _with_exif(exif, data) for name, data in result["files"].items()}
            yield index, result


def _with_exif(exif: bytes, data: bytes) -> bytes:
    out = io.BytesIO()
    piexif.insert(exif, data, out)
    return out.getvalue()


def test_what_a_worker_returns_is_read_back_before_it_is_kept(tmp_path: Path) -> None:
    project = load_project(_sample(tmp_path) / "mkdocs.yml")
    exhibition = load_exhibition(project.stories, dt.date(2026, 11, 21))
    pictures = make_pictures(exhibition, Cache(tmp_path / "cache"), project.images, runner=Tampering())
    assert not pictures.made and len(pictures.failures) == 3
    assert all("fails its read-back" in f.line() and "EXIF" in f.line() for f in pictures.failures), pictures.failures
    assert not list((tmp_path / "cache").rglob("*.jpg")), "nothing of it is kept"


class OtherVersion(Serial):
    """Workers elsewhere that run another release."""

    shares_files = False

    def run(self, work, jobs, memory=None):  # type: ignore[no-untyped-def]
        for index, result in super().run(work, jobs, memory):
            yield index, {**result, "tool": {**result["tool"], "anonymize": "0.0.1"}}


def test_pictures_made_by_another_release_are_not_kept_under_this_ones_key(tmp_path: Path) -> None:
    project = load_project(_sample(tmp_path) / "mkdocs.yml")
    exhibition = load_exhibition(project.stories, dt.date(2026, 11, 21))
    pictures = make_pictures(exhibition, Cache(tmp_path / "cache"), project.images, runner=OtherVersion())
    assert not pictures.made and len(pictures.failures) == 3
    assert all("another anonymize" in f.line() for f in pictures.failures)
