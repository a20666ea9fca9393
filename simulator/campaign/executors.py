"""Where a campaign's runs happen: local worker processes, or a Dask distributed cluster.

Both run :func:`simulator.campaign.jobs.run_job` on picklable :class:`Job` records and give
the results back in the jobs' order, calling ``on_done`` as each finishes (the progress
bar). Runs are independent (each builds its own host and sandbox), so they parallelise
perfectly; one worker process runs many of them in one Python (no start-up per run, the
harness's artifacts built once by :func:`simulator.campaign.jobs.warm`).

- :class:`LocalExecutor`: ``concurrent.futures.ProcessPoolExecutor`` with ``workers``
  processes (default: every core, ``os.cpu_count()``); ``workers=1`` runs in this process,
  one job after the other. Workers are started by a fork server (the parent may have
  threads, a progress bar's for one, and fork(2) copies none of them).
- :class:`DaskExecutor`: ``distributed.Client`` connected to a scheduler at ``address``
  (``tcp://HOST:PORT``), or to a client given by the caller (a ``LocalCluster`` in the
  tests). Dask is an optional extra (``pip install 'svmsim[dask]'``); without it the
  campaign says so in one line. Every worker must have svmsim installed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from simulator.campaign.jobs import Job, JobResult, run_job, warm
from simulator.core.errors import Error

OnDone = Callable[[JobResult], None]


class ExecutorError(Error):
    """An executor cannot be used (Dask missing, no scheduler at the address)."""


class Executor:
    """Runs jobs; a context manager (the workers stop at its end)."""

    name = "executor"
    workers = 1

    def run(self, jobs: Sequence[Job], on_done: OnDone | None = None) -> list[JobResult]:
        raise ExecutorError(f"{self.name}: no way to run jobs")

    def close(self) -> None:
        """Stop the workers (nothing to do for an executor without any)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name}, {self.workers} worker{'s' if self.workers != 1 else ''}"


def default_workers() -> int:
    """Every core of this machine."""
    return os.cpu_count() or 1


class LocalExecutor(Executor):
    """Local worker processes (see the module docstring)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["simulator.campaign.jobs",
                                        "simulator.harness.runner"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=warm)
        return self._pool

    def run(self, jobs: Sequence[Job], on_done: OnDone | None = None) -> list[JobResult]:
        if self.workers == 1 or len(jobs) <= 1:
            out = []
            for job in jobs:
                r = run_job(job)
                out.append(r)
                if on_done:
                    on_done(r)
            return out
        pool = self._ensure()
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        return _collect(futures, len(jobs), on_done)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _collect(futures: dict[Any, int], n: int, on_done: OnDone | None,
             done: Callable[[Any], Any] = as_completed) -> list[JobResult]:
    results: list[JobResult | None] = [None] * n
    for fut in done(list(futures)):
        r: JobResult = fut.result()
        results[futures[fut]] = r
        if on_done:
            on_done(r)
    return [r for r in results if r is not None]


class DaskExecutor(Executor):
    """A Dask distributed cluster (see the module docstring)."""

    name = "dask"

    def __init__(self, address: str | None = None, client: Any = None,
                 connect_timeout: float = 10.0) -> None:
        try:
            import distributed
        except ImportError:
            raise ExecutorError("--executor dask needs Dask distributed, an optional extra: "
                                "pip install 'svmsim[dask]'") from None
        self._own = client is None
        if client is None:
            if not address:
                raise ExecutorError("--executor dask needs --address tcp://HOST:PORT (the "
                                    "scheduler's)")
            try:
                client = distributed.Client(address, timeout=connect_timeout)
            except (OSError, TimeoutError) as e:
                raise ExecutorError(f"--executor dask: no scheduler at {address}: "
                                    f"{e}") from None
        self.client = client
        self._as_completed = distributed.as_completed
        self.workers = max(1, sum(client.nthreads().values()))
        self.address = address or str(client.scheduler.address)

    def run(self, jobs: Sequence[Job], on_done: OnDone | None = None) -> list[JobResult]:
        if not jobs:
            return []
        futures: list[Future[JobResult]] = self.client.map(run_job, list(jobs), pure=False)
        index = {f: i for i, f in enumerate(futures)}
        return _collect(index, len(jobs), on_done, self._as_completed)

    def close(self) -> None:
        if self._own:
            self.client.close()

    def describe(self) -> str:
        return f"dask at {self.address}, {self.workers} worker thread(s)"


def make_executor(kind: str = "local", workers: int | None = None,
                  address: str | None = None) -> Executor:
    """The executor the CLI names: ``local`` (``workers``) or ``dask`` (``address``)."""
    if kind == "local":
        if address:
            raise ExecutorError("--address is for --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        if workers:
            raise ExecutorError("--workers is for --executor local (a Dask cluster has the "
                                "workers its scheduler knows)")
        return DaskExecutor(address)
    raise ExecutorError(f"unknown executor {kind!r} (local or dask)")
