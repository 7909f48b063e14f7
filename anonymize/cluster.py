"""Run the photo stage on a Dask cluster: other machines' cores for a large archive.

``anonymize build --scheduler ADDRESS`` hands each photo to the Dask scheduler at ADDRESS
(``--scheduler local``: a cluster of this machine's cores, started for the build). Nothing here
schedules: Dask places each photo on a worker with memory for it, re-runs a photo whose worker
was lost, and gives the results back as they finish. The build itself stays here, on the
coordinator: it computes the cache keys, reads every result back and checks it before the cache
keeps it, and checks the finished site with its own processes, so nothing a worker says is
published unread.

Workers need not share this machine's files: each job carries the original's bytes, and each
result the published files' bytes (``Runner.shares_files``). Each worker declares the memory it
may give photos as a Dask resource, ``MEMORY`` in bytes; a photo asks for its estimate (the one
the local pool budgets with), so a worker never makes more large frames at once than fit.

    dask scheduler                                   # on one machine
    dask worker tls://HOST:8786 --nthreads 1 --nworkers 8 --resources MEMORY=2e9   # on each
    anonymize build --scheduler tls://HOST:8786

Dask (``distributed``) is an optional extra: ``pip install 'anonymize[dask]'``, on every machine.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from anonymize.errors import InputError
from anonymize.workers import DIED, Runner, WorkerDied, _job, cores, default_memory

J = TypeVar("J")
R = TypeVar("R")

#: The worker resource a photo's memory estimate is asked of, in bytes.
MEMORY = "MEMORY"
#: Times a photo is run again after an error in its task (a lost worker is Dask's business:
#: the scheduler re-runs the photo elsewhere, up to ``distributed.scheduler.allowed-failures``).
RETRIES = 1
#: Seconds to wait for the scheduler to answer before saying it cannot be reached.
CONNECT_TIMEOUT = 20


class DaskRunner(Runner):
    """Jobs submitted to a Dask scheduler, one task each, yielded as they finish."""

    shares_files = False

    def __init__(
        self,
        scheduler: str,
        setup: Callable[[], None] | None = None,
        workers: int | None = None,
        memory: int | None = None,
    ) -> None:
        """``scheduler``: an address, or ``local`` for a cluster of ``workers`` processes (default:
        one per core) sharing ``memory`` bytes (default: ``workers.default_memory()``).
        ``setup`` runs in each worker process before its first job."""
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise InputError(None, "--scheduler needs Dask: pip install 'anonymize[dask]'") from None
        self.scheduler, self.setup, self._distributed = scheduler, setup, distributed
        self._cluster: Any = None
        self._client: Any = None
        try:
            if scheduler == "local":
                count = workers or cores()
                self._cluster = distributed.LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # nothing listens beyond this machine
                    dashboard_address=None,
                    resources={MEMORY: (memory or default_memory()) // count},
                    silence_logs=logging.ERROR,
                )
                self._client = distributed.Client(self._cluster, set_as_default=False)
            else:
                self._client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            self.close()
            raise InputError(None, f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        self.workers = max(1, len(self._client.scheduler_info()["workers"]))

    def _largest_memory(self) -> float:
        declared = [
            float(worker.get("resources", {}).get(MEMORY, 0))
            for worker in self._client.scheduler_info()["workers"].values()
        ]
        if not declared or max(declared) <= 0:
            raise InputError(
                None,
                f"no worker of the Dask scheduler at {self.scheduler} declares the memory it may use: start"
                f" each with --resources {MEMORY}=BYTES (e.g. dask worker ADDRESS --resources {MEMORY}=4e9)",
            )
        return max(declared)

    def run(
        self, work: Callable[[J], R], jobs: Sequence[J], memory: Callable[[J], int] | None = None
    ) -> Iterator[tuple[int, R]]:
        if not jobs:
            return
        largest = self._largest_memory()
        futures = {}
        for index, job in enumerate(jobs):
            # A job larger than every worker asks for all of the largest: it runs alone there.
            cost = min(float(memory(job)) if memory is not None else 1.0, largest)
            future = self._client.submit(
                _task, self.setup, work, job, resources={MEMORY: max(cost, 1.0)}, retries=RETRIES, pure=False
            )
            futures[future] = index
        try:
            for future in self._distributed.as_completed(futures, loop=self._client.loop):
                try:
                    result = future.result()
                except self._distributed.KilledWorker:
                    stopped = "a Dask worker stopped in the middle of a job, on every try"
                    raise WorkerDied(None, f"{stopped} ({DIED})") from None
                yield futures[future], result
        finally:
            self._client.cancel(list(futures))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


_ready: set[Callable[[], None]] = set()


def _task(setup: Callable[[], None] | None, work: Callable[[J], R], job: J) -> R:
    """One job in a Dask worker: the runner's ``setup`` once per process, then the job."""
    if setup is not None and setup not in _ready:
        setup()
        _ready.add(setup)
    return _job(work, job)
