"""The fault plan: triggers, transient expiry, listing and clearing as zinject does, the seeded
RNG, the log, and the hooks Host.run/Host.advance and the resync call (faults-design "Hooks the
model calls"; the resync's 10 % marks are metastat's "Resync in progress: N % done",
mirror_resync.c resync_unit)."""

from __future__ import annotations

import json

import pytest

from simulator import Host
from simulator.faults import FaultError, FaultPlan, arm


@pytest.fixture
def h():
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d11", "d12"])
    return h


def test_start_fires_at_arm(h, mark_kind):
    plan = arm(h, ["test-mark:c1t0d0s0"])
    assert mark_kind == [("apply", "c1t0d0s0", h.clock.now)]
    assert [(e.id, e.event, e.note) for e in plan.log] == [(1, "fired", "marked c1t0d0s0")]
    assert h.faults is plan


def test_omitted_target_is_first_candidate(h, mark_kind):
    plan = arm(h, ["test-mark"])
    assert plan.armed[0].fault.target == "c0t0d0s0"


def test_unknown_target_refused(h, mark_kind):
    with pytest.raises(FaultError, match="no component c9t9d9s0 on this host"):
        arm(h, ["test-mark:c9t9d9s0"])


def test_before_and_after_nth_call(h, mark_kind):
    arm(h, ["test-mark:c1t0d0s0@before:metastat#2", "test-mark:c2t0d0s0@after:metastat d1"])
    h.run("metastat d1")
    assert [c[1] for c in mark_kind] == ["c2t0d0s0"]
    h.run("/usr/sbin/metastat -p")
    assert [c[1] for c in mark_kind] == ["c2t0d0s0", "c1t0d0s0"]
    h.run("metastat d1")
    assert len(mark_kind) == 2            # each fault fires once


def test_before_fires_before_the_program(h, mark_kind):
    """A before: fault acts on the model before the command reads it."""
    arm(h, ["test-mark:c1t0d0s0@before:metastat"])
    plan = h.faults
    assert isinstance(plan, FaultPlan)
    h.run("metastat d1")
    assert plan.log[0].call == 1


def test_time_trigger_splits_advance(h, mark_kind):
    t0 = h.clock.now
    arm(h, ["test-mark:c1t0d0s0@time:5m"])
    h.advance(299)
    assert mark_kind == []
    h.advance(3600)
    assert mark_kind == [("apply", "c1t0d0s0", pytest.approx(t0 + 300.0))]


def test_transient_expires(h, mark_kind):
    t0 = h.clock.now
    plan = arm(h, ["test-mark:c1t0d0s0,duration=1m@time:10"])
    h.advance(100)
    assert [c[0] for c in mark_kind] == ["apply", "clear"]
    assert mark_kind[1][2] == pytest.approx(t0 + 70.0)
    assert [e.event for e in plan.log] == ["fired", "expired"]
    assert plan.entries() == []


def test_progress_trigger(h, mark_kind):
    arm(h, ["test-mark:c1t0d0s0@ufsdump:50%"])
    h.faults.progress("ufsdump", 0.4, "d1")
    assert mark_kind == []
    h.faults.progress("fsck", 0.6, "d1")
    assert mark_kind == []
    h.faults.progress("ufsdump", 0.5, "d1")
    assert len(mark_kind) == 1


def test_resync_reports_each_tenth(h, mark_kind):
    """Host.advance splits a resync at its 10 % marks when a fault waits for one: the fault
    fires when metastat would say 30 % done, not when the resync has ended."""
    h.run("metadetach d1 d12")
    h.run("metattach d1 d12")
    t0 = h.clock.now
    arm(h, ["test-mark:c1t0d0s0@resync:30%"])
    h.advance(24 * 3600)
    assert len(mark_kind) == 1
    total = h.unit("d1").total_blocks
    assert mark_kind[0][2] - t0 == pytest.approx(0.3 * total / h.md.resync_rate, rel=0.01, abs=0.2)


def test_io_trigger_counts_component_and_disk(h, mark_kind):
    arm(h, ["test-mark:c1t0d0s0@io:3"])
    h.faults.io("c1t0d0s0", "read", 2)
    h.faults.io("c1t0d0s1", "read", 5)
    assert mark_kind == []
    h.faults.io("c1t0d0s0", "write")
    assert len(mark_kind) == 1


def test_probability_is_seeded(h, mark_kind):
    def firing_call(seed):
        g = Host("g")
        g.add_replicas("c0t0d0s7", count=3)
        g.add_mirror("d1", ["d11", "d12"])
        plan = arm(g, ["test-mark:c1t0d0s0@p:0.2"], seed=seed)
        for _ in range(60):
            g.run("metastat d1")
        return [e.call for e in plan.log]
    assert firing_call(7) == firing_call(7)
    assert len(firing_call(7)) == 1
    assert {tuple(firing_call(s)) for s in range(6)} != {tuple(firing_call(0))}


def test_list_and_clear_as_zinject(h, mark_kind):
    plan = arm(h, ["test-mark:c1t0d0s0", "test-mark:c2t0d0s0@before:metadetach"])
    assert [(a.id, a.state) for a in plan.entries()] == [(1, "active"), (2, "armed")]
    plan.clear(1)
    assert mark_kind[-1][0] == "clear"
    with pytest.raises(FaultError, match="no fault handler 1"):
        plan.clear(1)
    plan.clear()
    assert plan.entries() == []
    h.run("metadetach d1 d12")
    assert [c[0] for c in mark_kind] == ["apply", "clear"]


def test_plan_saved_and_loaded(h, mark_kind):
    plan = arm(h, ["test-mark:c1t0d0s0@p:0.5", "test-mark:c2t0d0s0@before:metastat#3"], seed=3)
    h.run("metastat")
    data = json.loads(json.dumps(plan.to_dict()))
    again = FaultPlan.from_dict(h, data)
    assert again.to_dict() == plan.to_dict()
    assert again.rng.random() == plan.rng.random()


def test_a_fault_whose_target_is_gone_when_it_fires_is_missed_not_a_crash() -> None:
    """submirror-offline of d3 after the driver detached d3: the event finds nothing to strike
    (as metaoffline of a detached submirror would); metadetach itself keeps its result."""
    from simulator.faults import arm
    from simulator.scenario import build_host
    host = build_host("seed-example")
    plan = arm(host, ["submirror-offline:d3@after:metadetach"])
    host.run("lockfs -w /home1")
    r = host.run("metadetach d1 d3")
    assert r.exit_code == 0 and r.stdout == "d1: submirror d3 is detached\n"
    assert [(f.event, f.note.split(":")[0]) for f in plan.log] == [
        ("missed", "found nothing to strike")]
    assert not host.internal_errors
