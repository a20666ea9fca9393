"""Injection points learnt from a clean run (simulator/campaign/points.py).

The points are svmsim's own notion (issue #10): before/after each fake call as the design's
``before:PROG#N``/``after:PROG#N`` triggers, and inside the long operations that ran.
"""

from __future__ import annotations

import pytest

from simulator.campaign.points import Trace, TraceCall, injection_points, representatives
from tests.campaign.helpers import CARELESS, SHIPPED


@pytest.fixture(scope="session")
def careless_trace():
    """The careless driver's clean run on seed-example, as a campaign learns it."""
    from simulator.campaign.jobs import Job, run_job
    r = run_job(Job("seed-example", CARELESS, learn=True))
    assert r.error is None and r.trace is not None, r.error
    return r


def test_points_of_the_careless_clean_run(careless_trace):
    """Every call has a before and an after point, numbered per program; ufsdump and fsck
    get their inside points; the resync metattach starts never progresses (no time passes
    after the driver's last call), so it has none."""
    assert careless_trace.outcome == "backed-up"
    points = injection_points(careless_trace.trace)
    assert [p.trigger for p in points] == [
        "before:metastat#1", "after:metastat#1", "before:lockfs#1", "after:lockfs#1",
        "before:metadetach#1", "after:metadetach#1", "before:fsck#1", "fsck:40%",
        "after:fsck#1", "before:ufsdump#1", "ufsdump:10%", "ufsdump:50%", "ufsdump:90%",
        "after:ufsdump#1", "before:lockfs#2", "after:lockfs#2", "before:metattach#1",
        "after:metattach#1"]
    inside = {p.trigger: p.where for p in points if p.inside}
    assert inside == {"fsck:40%": "fsck", "ufsdump:10%": "ufsdump", "ufsdump:50%": "ufsdump",
                      "ufsdump:90%": "ufsdump"}


def test_consecutive_calls_share_an_instant(careless_trace):
    """after:X and the next before:Y are one instant when no virtual time passes between;
    the first of them represents it."""
    points = injection_points(careless_trace.trace)
    rep = representatives(points)
    assert rep["before:lockfs#1"].trigger == "after:metastat#1"
    assert rep["before:ufsdump#1"].trigger == "after:fsck#1"
    assert rep["ufsdump:50%"].trigger == "ufsdump:50%"
    assert rep["before:metastat#1"].trigger == "before:metastat#1"
    assert len({p.instant for p in points}) == 12


def test_a_sleep_between_calls_separates_instants():
    """A virtual sleep between two calls lets the model move (resync, workload): the points
    around it are two instants."""
    calls = (TraceCall("metattach", ("metattach", "d1", "d3"), 0.0, 1.0, 0,
                       ("d1: resync started",)),
             TraceCall("metastat", ("metastat", "d1"), 61.0, 61.5, 0))
    trace = Trace(calls, sleeps=((1.0, 60.0),))
    points = injection_points(trace)
    rep = representatives(points)
    assert rep["before:metastat#1"].trigger == "before:metastat#1"
    assert [p.trigger for p in points][-1] == "resync:50%"    # time passed while resyncing


def test_no_resync_point_when_none_ran():
    trace = Trace((TraceCall("metastat", ("metastat",), 0.0, 0.1, 0),))
    assert [p.trigger for p in injection_points(trace)] == ["before:metastat#1",
                                                            "after:metastat#1"]
    assert not trace.ran("resync") and not trace.ran("ufsdump")


def test_trace_round_trips_through_json(careless_trace):
    import json
    t = careless_trace.trace
    assert Trace.from_dict(json.loads(json.dumps(t.to_dict()))) == t


def test_waiting_driver_gets_a_resync_point():
    """The shipped driver with -w polls metastat (virtual sleeps) until the resync is done:
    the resync ran while time passed, so resync:50% is a point."""
    from simulator.campaign.jobs import Job, run_job
    cmd = SHIPPED[:2] + ("-w",) + SHIPPED[2:]
    r = run_job(Job("seed-example", cmd, learn=True))
    assert r.trace is not None and r.trace.sleeps
    assert "resync:50%" in [p.trigger for p in injection_points(r.trace)]
