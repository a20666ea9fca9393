"""Exploration: Hypothesis draws 1-3 fault schedules and shrinks bad ones
(simulator/campaign/explore.py)."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.campaign.explore import Explorer, draw_schedules
from simulator.campaign.jobs import Job, JobResult

CANDIDATES = [f"k{i}@before:metastat#1" for i in range(12)]


def test_draws_are_seeded_distinct_and_one_to_three_faults():
    a = draw_schedules(CANDIDATES, 25, seed=7)
    assert a == draw_schedules(CANDIDATES, 25, seed=7)
    assert a != draw_schedules(CANDIDATES, 25, seed=8)
    assert len(a) == len(set(a)) and 10 <= len(a) <= 25
    for s in a:
        assert 1 <= len(s) <= 3 and len(set(s)) == len(s)
        assert list(s) == sorted(s, key=CANDIDATES.index)    # canonical order
    assert draw_schedules(CANDIDATES, 0) == [] and draw_schedules([], 5) == []


class Oracle:
    """A stand-in for the runs: bad (left-degraded) exactly when k3 and k5 are both in the
    schedule, or silent-failure when k7 is; counts the runs made."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, ...]] = []

    def __call__(self, scheds: Sequence[tuple[str, ...]]) -> list[JobResult]:
        out = []
        for s in scheds:
            self.ran.append(s)
            names = {x.split("@")[0] for x in s}
            if "k7" in names:
                out.append(JobResult(Job("s", ("d",), s), "silent-failure", "no dump"))
            elif {"k3", "k5"} <= names:
                out.append(JobResult(Job("s", ("d",), s), "left-degraded", "lock left"))
            else:
                out.append(JobResult(Job("s", ("d",), s), "failed-cleanly", "exit 1"))
        return out


def test_shrink_finds_the_smallest_schedule_with_the_same_bad_result():
    oracle = Oracle()
    ex = Explorer(oracle, seed=1)
    k = CANDIDATES
    assert ex.shrink((k[1], k[3], k[5])) == (k[3], k[5])
    assert ex.shrink((k[3], k[7], k[9])) == (k[7],)
    assert len(oracle.ran) == len(set(oracle.ran))          # memoized: never run twice


def test_explore_reports_one_shrunk_finding_per_bug():
    oracle = Oracle()
    few = CANDIDATES[:8]
    drawn, findings = Explorer(oracle, seed=3).explore(few, 60)
    assert drawn
    by = {f.outcome: f for f in findings}
    assert set(by) == {"silent-failure", "left-degraded"}
    assert by["silent-failure"].faults == (CANDIDATES[7],)
    assert [x.split("@")[0] for x in by["left-degraded"].faults] == ["k3", "k5"]
    assert set(by["silent-failure"].faults) <= set(by["silent-failure"].found_as)
    again = Explorer(Oracle(), seed=3).explore(few, 60)
    assert again == (drawn, findings)                       # --seed: the same exploration
