"""The host skips the fault hooks only while they are the no-op base class (FaultHooks.idle):
any subclass, the fault plan or one a test writes, is called at every command and step."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from simulator import Host
from simulator.core.errors import HostPanic
from simulator.core.faulthooks import FaultHooks
from simulator.faults import arm
from simulator.faults.plan import FaultPlan


class Recorder(FaultHooks):
    """A subclass that does not say whether it is idle: it must be called."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def before_call(self, argv: Sequence[str]) -> None:
        self.seen.append("before " + " ".join(argv))

    def after_call(self, argv: Sequence[str], code: int) -> None:
        self.seen.append(f"after {argv[0]} {code}")

    def next_due(self, now: float) -> float | None:
        self.seen.append("due?")
        return None


def test_only_the_base_class_is_idle() -> None:
    assert FaultHooks.idle is True
    assert Recorder.idle is False
    assert FaultPlan.idle is False
    assert Host().faults.idle is True


def test_a_subclass_hears_every_command_and_step() -> None:
    h = Host()
    rec = Recorder()
    h.faults = rec
    h.run("metastat d1")
    assert rec.seen[0] == "before metastat d1"
    assert "due?" in rec.seen                       # the command's step of time asked
    assert rec.seen[-1].startswith("after metastat ")
    rec.seen.clear()
    h.advance(10)
    assert rec.seen == ["due?"]


def test_an_armed_plan_fires_at_a_command() -> None:
    h = Host()
    h.add_replicas("c0t0d0s7", count=3)
    plan = arm(h, ["panic@before:metastat"])
    assert h.faults is plan and not h.faults.idle
    with pytest.raises(HostPanic):
        h.run("metastat")
    assert [(f.fault, f.event) for f in plan.log] == [("panic@before:metastat", "fired")]
