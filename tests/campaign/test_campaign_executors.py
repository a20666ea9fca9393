"""Executors: local worker processes and a Dask cluster (simulator/campaign/executors.py)."""

from __future__ import annotations

import pytest

from simulator.campaign.executors import (
    DaskExecutor,
    ExecutorError,
    LocalExecutor,
    make_executor,
)
from simulator.campaign.jobs import Job
from tests.campaign.helpers import CARELESS, REPO

NOOP = ("sh", str(REPO / "tests" / "harness" / "drivers" / "noop-ok.sh"))
JOBS = [Job("seed-example", CARELESS), Job("seed-example", NOOP),
        Job("maintenance", CARELESS), Job("no-such-scenario", NOOP)]


def check(results):
    assert [r.job for r in results] == JOBS
    assert results[0].outcome == "backed-up"
    assert results[1].outcome in ("silent-failure", "read-only")   # exit 0, no dump
    assert results[2].error is None and results[2].outcome
    assert results[3].error is not None and "no-such-scenario" in results[3].error


def test_local_processes_run_jobs_in_order_and_report_each():
    done = []
    with LocalExecutor(2) as ex:
        results = ex.run(JOBS, done.append)
        assert ex.describe() == "local, 2 workers"
    check(results)
    assert sorted(map(id, done)) == sorted(map(id, results))


def test_one_worker_runs_in_this_process():
    with LocalExecutor(1) as ex:
        check(ex.run(JOBS))


def test_dask_local_cluster():
    """The same jobs on a distributed.LocalCluster (threads in this process)."""
    distributed = pytest.importorskip(
        "distributed", reason="Dask distributed is an optional extra: pip install "
        "'svmsim[dask]'")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ex = DaskExecutor(client=client)
        done = []
        check(ex.run(JOBS, done.append))
        assert len(done) == len(JOBS) and ex.workers == 2
        assert ex.describe().startswith("dask at ")


def test_executor_usage_errors():
    with pytest.raises(ExecutorError, match="--address is for --executor dask"):
        make_executor("local", None, "tcp://127.0.0.1:1")
    with pytest.raises(ExecutorError, match="--workers is for --executor local"):
        make_executor("dask", 2, "tcp://127.0.0.1:1")
    pytest.importorskip("distributed")
    with pytest.raises(ExecutorError, match="needs --address"):
        make_executor("dask")
    with pytest.raises(ExecutorError, match="no scheduler at tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1.0)
