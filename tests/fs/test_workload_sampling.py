"""The sampled workload keeps its documented statistics (issue 17; simulator/ufs/workload.py
``Workload.due`` and simulator/ufs/locks.py ``replay``): over a short stretch every
operation is replayed at its time; over a long one the operations before the last ``tail``
seconds are thinned to at most ``cap`` of each kind, spread evenly over the stretch, and the
tail (the writes still in memory or the log at the end) is kept whole; the rates carry
their fractions from one stretch to the next, so the count over many stretches is the rate
times the time."""

from __future__ import annotations

import pytest

from simulator.ufs.workload import Workload


def kinds(ops: list[tuple[float, str]], kind: str) -> list[float]:
    return [f for f, k in ops if k == kind]


def test_a_short_stretch_is_replayed_whole_at_the_right_times() -> None:
    wl = Workload(writes_per_second=2.0, creates_per_second=0.5)
    ops = wl.due(60.0, cap=2000, tail=60.0)
    assert len(kinds(ops, "modify")) == 120 and len(kinds(ops, "create")) == 30
    fracs = kinds(ops, "modify")
    assert fracs == sorted(fracs) and fracs[0] == pytest.approx(1 / 120)
    assert fracs[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("rate", [2.0, 7.5, 40.0])
def test_a_long_stretch_is_thinned_to_the_cap_with_the_tail_whole(rate: float) -> None:
    wl = Workload(writes_per_second=rate)
    hour, tail, cap = 3600.0, 60.0, 200
    ops = kinds(wl.due(hour, cap=cap, tail=tail), "modify")
    in_tail = [f for f in ops if f * hour > hour - tail + 1e-9]
    before = [f for f in ops if f * hour <= hour - tail + 1e-9]
    assert len(in_tail) == pytest.approx(rate * tail, abs=1)          # the tail whole
    assert len(before) <= cap + 1                                    # thinned to the cap
    # evenly spread: the gaps between sampled operations are all alike
    gaps = [b - a for a, b in zip(before, before[1:], strict=False)]
    assert max(gaps) - min(gaps) < 2 / (rate * hour) + 1e-9
    assert before[0] * hour < hour / cap * 1.5                       # from the start
    assert before[-1] * hour > hour - tail - 2 * hour / cap          # to the tail


def test_fractions_carry_over_so_many_stretches_keep_the_rate() -> None:
    wl = Workload(writes_per_second=0.3, deletes_per_second=0.07)
    ops = [op for _ in range(1000) for op in wl.due(1.0)]
    # (floating-point carry: the last fraction may still be a hair under one operation)
    assert len([k for _, k in ops if k == "modify"]) in (299, 300)
    assert len([k for _, k in ops if k == "delete"]) in (69, 70)


def test_the_same_workload_draws_the_same_operations() -> None:
    a, b = Workload(writes_per_second=5.0, seed=3), Workload(writes_per_second=5.0, seed=3)
    assert a.due(3600.0, cap=100, tail=60.0) == b.due(3600.0, cap=100, tail=60.0)
