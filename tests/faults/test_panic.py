"""A panic through the session: recorded, the host goes down and boots, the HostPanic goes
on to the front (which kills the driver), and the judge says ``crashed`` when the host is
whole after the boot, ``left-degraded`` when the driver's detach outlived it (faults-design
"Panic and reboot"; the boot follows panic.c/savecore.c and svc-metasync, see
test_kinds_host.py)."""

from __future__ import annotations

import pytest

from simulator.core.errors import HostPanic
from simulator.faults import arm
from simulator.scenario import build_scenario, load_scenario
from simulator.session.checks import Expectations
from simulator.session.session import Session
from simulator.session.verdict import result_of, story


@pytest.fixture
def session():
    return Session(build_scenario(load_scenario("seed-example")))


def test_panic_before_anything_changed_is_crashed(session):
    arm(session.host, ["panic@after:lockfs"])
    with pytest.raises(HostPanic):
        session.dispatch(["lockfs", "-w", "/home1"])
    assert session.panicked == "forced crash dump initiated at user request"
    # the lockfs ran to its end before the host went down: it is recorded, and the panic
    # comes after it
    assert [c.argv for c in session.transcript.calls] == [["lockfs", "-w", "/home1"]]
    assert [p.calls for p in session.transcript.panics] == [1]
    j = session.judge(None, Expectations())
    assert j.outcome == "crashed"
    assert "crashed" in j.expected           # acceptable by default in a fault run
    assert [f["event"] for f in session.transcript.faults] == ["fired"]


def test_panic_after_detach_is_left_degraded(session):
    arm(session.host, ["panic@after:metadetach"])
    session.dispatch(["lockfs", "-w", "/home1"])
    with pytest.raises(HostPanic):
        session.dispatch(["metadetach", "d1", "d3"])
    j = session.judge(None, Expectations())
    assert j.outcome == "left-degraded"
    assert "d3" in j.reason
    assert session.host.fs.filesystems["/home1"].lock == "unlock"


def test_story_tells_fault_and_panic(session):
    arm(session.host, ["component-error:c1t0d0s0@before:lockfs", "panic@after:lockfs"])
    with pytest.raises(HostPanic):
        session.dispatch(["lockfs", "-w", "/home1"])
    j = session.judge(None, Expectations())
    lines = story(result_of(j, scenario="seed-example", command=["driver"], driver_exit=None,
                            transcript=session.transcript,
                            virtual_start=session.transcript.began or 0.0))
    text = "\n".join(lines)
    assert "fault fired: component-error:c1t0d0s0@before:lockfs  -> WARNING: md: d2: " \
           "c1t0d0s0 needs maintenance" in text
    assert "host panicked: forced crash dump initiated at user request" in text


def test_explicit_outcomes_do_not_admit_crashed(session):
    arm(session.host, ["panic@before:lockfs"])
    with pytest.raises(HostPanic):
        session.dispatch(["lockfs", "-w", "/home1"])
    j = session.judge(None, Expectations.from_dict({"outcome": ["backed-up"]}))
    assert j.outcome == "crashed" and not j.passed
