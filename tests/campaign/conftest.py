"""Campaign tests: the careless driver, the shipped one, and a clean run's trace."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CARELESS = ("sh", str(HERE / "drivers" / "careless.sh"))
SHIPPED = ("sh", str(REPO / "drivers" / "svm-online-backup.sh"), "d1", "d3", "/home1")


@pytest.fixture(scope="session")
def careless_trace():
    """The careless driver's clean run on seed-example, as a campaign learns it."""
    from simulator.campaign.jobs import Job, run_job
    r = run_job(Job("seed-example", CARELESS, learn=True))
    assert r.error is None and r.trace is not None, r.error
    return r


def faults_api() -> bool:
    try:
        import simulator.faults  # noqa: F401
    except ImportError:
        return False
    return True
