"""Run many independent jobs on every core, within a memory budget.

A ``Pool`` keeps one worker process per core (fresh interpreters, ``spawn``: nothing of the
parent's state, loaded models or threads is inherited), each loading its models once, on its
first job, with one thread per model so that the workers, not the models, share the cores (the
caller's ``setup`` says how: this module knows nothing of what the jobs do). Jobs
are handed out one at a time while their estimated memory fits the budget beside the jobs
already running; a job alone always runs, so a frame larger than the budget is made by itself
rather than refused. ``Serial`` runs jobs in this process (one job, ``--jobs 1``, tests).
"""

from __future__ import annotations

import ctypes
import os
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from multiprocessing import get_context
from typing import TypeVar

from anonymize.errors import AnonymizeError

J = TypeVar("J")
R = TypeVar("R")

GB = 1_000_000_000
#: Default memory budget per core; at most half of the machine's memory in all.
MEMORY_PER_CORE = 1 * GB
#: Why a worker most likely died.
DIED = "out of memory, most likely: try fewer --jobs or a smaller --memory"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_memory() -> int:
    """1 GB per core, at most half of the machine's memory."""
    budget = cores() * MEMORY_PER_CORE
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return budget
    return min(budget, total // 2)


class WorkerDied(AnonymizeError):
    """A worker process ended in the middle of a job (killed, or out of memory)."""


class Runner(ABC):
    """Runs ``work`` over jobs; yields (index, result) as each finishes, in any order."""

    workers: int = 1
    #: The workers see this machine's files (False: jobs and results must carry what they need).
    shares_files: bool = True

    @abstractmethod
    def run(
        self, work: Callable[[J], R], jobs: Sequence[J], memory: Callable[[J], int] | None = None
    ) -> Iterator[tuple[int, R]]:
        """``memory`` estimates a job's peak bytes (beyond a worker's own), for the budget."""

    def close(self) -> None:  # noqa: B027 - nothing to close in the simplest runner
        """Stop any worker processes."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Serial(Runner):
    """Every job in this process, one after another."""

    def run(
        self, work: Callable[[J], R], jobs: Sequence[J], memory: Callable[[J], int] | None = None
    ) -> Iterator[tuple[int, R]]:
        for index, job in enumerate(jobs):
            yield index, _job(work, job)


class Pool(Runner):
    """Worker processes, started on the first job, kept for later stages of the same build."""

    def __init__(self, workers: int, budget: int, worker_memory: int, setup: Callable[[], None] | None = None) -> None:
        """``setup`` runs once in each worker as it starts (a module-level function: it is
        pickled), e.g. to give each of its libraries one thread."""
        # Each worker's own memory (interpreter, libraries, models) counts against the budget, and
        # so does this process's: as many workers as leave room for one of them and its job.
        self.workers = max(1, min(workers, budget // worker_memory - 1 if worker_memory else workers))
        self.budget, self.worker_memory, self.setup = budget, worker_memory, setup
        self._executor: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(self.setup,)
            )
        return self._executor

    def run(
        self, work: Callable[[J], R], jobs: Sequence[J], memory: Callable[[J], int] | None = None
    ) -> Iterator[tuple[int, R]]:
        if not jobs:
            return
        executor = self._started()
        costs = [memory(job) if memory is not None else 0 for job in jobs]
        free = self.budget - (self.workers + 1) * self.worker_memory  # the workers' and this process's own
        waiting = list(range(len(jobs)))
        running: dict[Future[R], int] = {}
        try:
            while waiting or running:
                # In order, while the next job fits beside those running (or nothing runs).
                while waiting and len(running) < self.workers:
                    used = sum(costs[i] for i in running.values())
                    if running and used + costs[waiting[0]] > free:
                        break
                    index = waiting.pop(0)
                    running[executor.submit(_job, work, jobs[index])] = index
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    yield index, future.result()
        except BrokenProcessPool:
            self.close()
            raise WorkerDied(None, f"a worker process stopped in the middle of a job ({DIED})") from None
        finally:
            for future in running:
                future.cancel()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def runner(
    jobs: int | None = None,
    memory: int | None = None,
    worker_memory: int = 0,
    setup: Callable[[], None] | None = None,
) -> Runner:
    """A ``Pool`` of ``jobs`` workers (default: every core) within ``memory`` bytes (default:
    ``default_memory()``), each started with ``setup``; ``Serial`` when that comes to one worker."""
    count = cores() if jobs is None else jobs
    if count <= 1:
        return Serial()
    pool = Pool(count, memory if memory is not None else default_memory(), worker_memory, setup)
    return pool if pool.workers > 1 else Serial()


def _start_worker(setup: Callable[[], None] | None) -> None:
    # The parent handles Ctrl-C and stops the pool; a worker would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup()


def _job(work: Callable[[J], R], job: J) -> R:
    """Run one job, then give the memory it freed back to the system."""
    try:
        return work(job)
    finally:
        _trim()


def _trim() -> None:
    # glibc keeps freed memory in its heaps for reuse; after a large frame that is hundreds of
    # MB a worker would hold (fragmented) into the next job. malloc_trim returns the free pages.
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        return None
    return trim
