"""One run of a campaign: what a worker is given (:class:`Job`) and gives back
(:class:`JobResult`), and :func:`run_job`, the function every executor calls.

Both records are small and picklable (plain strings and tuples), so that a job crosses a
process pool or a Dask cluster cheaply; a worker builds the host itself from the scenario's
name or path. A worker process runs many jobs, one after the other, in one Python: the
harness's built artifacts (the shim, the virtual-time library:
:func:`simulator.harness.build.build`) are built once and reused, and no job pays for a
Python start-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from simulator.campaign.points import Trace

RUN_TIMEOUT = 120.0     # real seconds before one run's driver is killed (``timed-out``)


@dataclass(frozen=True)
class Job:
    """Run ``command`` on a fresh host from ``scenario`` with ``faults`` (one-line specs)."""

    scenario: str                   # a shipped scenario's name or a TOML file's path
    command: tuple[str, ...]
    faults: tuple[str, ...] = ()
    timeout: float = RUN_TIMEOUT
    learn: bool = False             # bring back the run's Trace (the clean run)


@dataclass(frozen=True)
class JobResult:
    """What became of one job: the run's outcome, or the error that kept it from running."""

    job: Job
    outcome: str = ""
    reason: str = ""
    driver_exit: int | None = None
    real_seconds: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = ()
    trace: Trace | None = field(default=None, compare=False)


def run_job(job: Job) -> JobResult:
    """Run one job in this process (any exception becomes the result's ``error``: a campaign
    reports a run that could not be made, it does not die of it)."""
    from simulator.harness.runner import run_driver
    from simulator.scenario import load_scenario
    real0 = time.monotonic()
    try:
        scenario = load_scenario(job.scenario)
        if job.faults:
            result = run_driver(scenario, list(job.command), capture=True,
                                timeout=job.timeout, faults=list(job.faults))
        else:
            result = run_driver(scenario, list(job.command), capture=True,
                                timeout=job.timeout)
    except Exception as e:
        return JobResult(job, error=f"{type(e).__name__}: {e}",
                         real_seconds=time.monotonic() - real0)
    return JobResult(job, result.outcome, result.reason, result.driver_exit,
                     time.monotonic() - real0, None, tuple(result.notes),
                     Trace.of(result) if job.learn else None)


def warm() -> None:
    """A worker's start: import the harness and build its artifacts once, before any job."""
    from simulator.harness.build import build
    build()
