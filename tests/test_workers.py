"""The worker pool: every job done once, in worker processes, within the memory budget."""

from __future__ import annotations

import io
import os

import pytest

from anonymize.image.onnx import share_cores
from anonymize.progress import Bar, Lines, Quiet, progress_for
from anonymize.workers import GB, Pool, Serial, WorkerDied, runner


def where(job: int) -> tuple[int, int]:
    return job, os.getpid()


def threads(job: int) -> tuple[int, int]:
    import cv2

    from anonymize.image import onnx

    return cv2.getNumThreads(), onnx._threads


def die(job: int) -> int:
    os._exit(3)  # as the kernel's OOM killer would end it: no exception, no goodbye


def test_a_pool_runs_every_job_once_in_other_processes() -> None:
    with Pool(2, budget=4 * GB, worker_memory=0) as pool:
        results = dict(pool.run(where, list(range(12))))
    assert sorted(results) == list(range(12))
    assert {job for job, _ in results.values()} == set(range(12))
    pids = {pid for _, pid in results.values()}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_each_worker_starts_with_the_callers_setup() -> None:
    with Pool(2, budget=4 * GB, worker_memory=0) as pool:
        assert {result for _, result in pool.run(threads, [1, 2, 3])} != {(1, 1)}  # no setup: the libraries' own
    with Pool(2, budget=4 * GB, worker_memory=0, setup=share_cores) as pool:
        assert {result for _, result in pool.run(threads, [1, 2, 3])} == {(1, 1)}


def test_a_job_larger_than_the_budget_still_runs_alone() -> None:
    with Pool(2, budget=GB, worker_memory=0) as pool:
        results = dict(pool.run(where, [1, 2, 3], memory=lambda job: 10 * GB))
    assert sorted(results) == [0, 1, 2]


def test_a_worker_that_dies_fails_the_run_with_a_reason() -> None:
    with Pool(2, budget=4 * GB, worker_memory=0) as pool, pytest.raises(WorkerDied, match="out of memory"):
        list(pool.run(die, [1, 2]))


def test_workers_fit_the_budget_and_one_worker_is_this_process() -> None:
    assert Pool(8, budget=2 * GB, worker_memory=GB // 4).workers == 7
    assert Pool(8, budget=GB, worker_memory=GB // 2).workers == 1
    assert isinstance(runner(1), Serial)
    assert isinstance(runner(4, memory=GB, worker_memory=GB // 2), Serial)
    assert runner(2, memory=4 * GB, worker_memory=GB // 4).workers == 2
    assert next(iter(Serial().run(where, [5]))) == (0, (5, os.getpid()))


def test_progress_lines_a_bar_on_a_terminal_or_nothing() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = io.StringIO()
    lines = progress_for(stream=out)
    assert isinstance(lines, Lines)
    lines.start("photos", 3, 1, "1 from the cache")
    lines.step("stories/a.md: a.jpg")
    lines.step("stories/b.md: \x1b[2Jb.jpg")  # a file name cannot drive the terminal
    lines.finish()
    printed = out.getvalue().splitlines()
    assert printed[:3] == [
        "anonymize: photos: 3 (1 from the cache)",
        "anonymize: photos 2/3 stories/a.md: a.jpg",
        "anonymize: photos 3/3 stories/b.md: ?[2Jb.jpg",
    ]
    assert printed[3].startswith("anonymize: photos: done in ")

    terminal = Terminal()
    bar = progress_for(stream=terminal)
    assert isinstance(bar, Bar)
    bar.start("photos", 4, 2)
    bar.step()
    bar.finish()
    assert "photos" in terminal.getvalue() and "3/4" in terminal.getvalue()
    assert isinstance(progress_for(quiet=True, stream=terminal), Quiet)
