"""Exploration: random schedules of one to three faults, drawn by Hypothesis, and each bad
outcome shrunk to the smallest schedule that still gives it.

The candidates are the matrix's single faults (every applicable kind at every injection
point). :func:`draw_schedules` draws ``n`` schedules of 1-3 distinct candidates with a
``@given`` test run programmatically (``database=None``, ``@seed(seed)``: the same seed
draws the same schedules); the campaign runs them all in parallel. Then, for each distinct
bad result (its outcome and reason: one bug), :func:`shrink` asks ``hypothesis.find`` for
the smallest sub-schedule that gives the same bad result: Hypothesis shrinks a list toward
fewer elements and earlier candidates, so the finding is as small as the bug allows (a
single fault when one suffices). Every run is memoized: a schedule is never run twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import find as hfind
from hypothesis import seed as hseed
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from simulator.campaign.jobs import JobResult
from simulator.campaign.matrix import is_bad

Schedule = tuple[str, ...]
RunMany = Callable[[Sequence[Schedule]], list[JobResult]]
MAX_FAULTS = 3


def signature(r: JobResult) -> tuple[str, str]:
    """One bug: the outcome and its reason (what was left behind, why the backup is bad)."""
    return (r.outcome, r.reason)


def schedules(candidates: Sequence[str], max_faults: int = MAX_FAULTS) -> Any:
    """The strategy: 1..max_faults distinct faults, kept in the candidates' order."""
    order = {c: i for i, c in enumerate(candidates)}
    return st.lists(st.sampled_from(list(candidates)), min_size=1, max_size=max_faults,
                    unique=True).map(lambda xs: tuple(sorted(xs, key=order.__getitem__)))


def draw_schedules(candidates: Sequence[str], n: int, seed: int = 0) -> list[Schedule]:
    """Up to ``n`` distinct schedules (fewer when the candidates allow fewer)."""
    if n <= 0 or not candidates:
        return []
    drawn: dict[Schedule, None] = {}

    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @hseed(seed)
    @given(schedules(candidates))
    def collect(s: Schedule) -> None:
        drawn.setdefault(s, None)

    collect()
    return list(drawn)[:n]


@dataclass(frozen=True)
class Finding:
    """A bad outcome exploration found: the smallest schedule giving it, and where from."""

    faults: Schedule
    found_as: Schedule
    outcome: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"faults": list(self.faults), "found_as": list(self.found_as),
                "outcome": self.outcome, "reason": self.reason}


class Explorer:
    """Runs schedules through ``run_many`` (memoized), draws, and shrinks."""

    def __init__(self, run_many: RunMany, seed: int = 0) -> None:
        self.run_many = run_many
        self.seed = seed
        self.memo: dict[Schedule, JobResult] = {}

    def results(self, wanted: Sequence[Schedule]) -> list[JobResult]:
        todo = [s for s in dict.fromkeys(wanted) if s not in self.memo]
        for s, r in zip(todo, self.run_many(todo), strict=True):
            self.memo[s] = r
        return [self.memo[s] for s in wanted]

    def shrink(self, schedule: Schedule) -> Schedule:
        """The smallest sub-schedule of ``schedule`` giving the same bad result."""
        want = signature(self.results([schedule])[0])
        if len(schedule) == 1:
            return schedule

        def same(sub: Schedule) -> bool:
            return signature(self.results([sub])[0]) == want

        try:
            return tuple(hfind(schedules(schedule, len(schedule)), same,
                               settings=settings(database=None, max_examples=50,
                                                 deadline=None,
                                                 suppress_health_check=list(HealthCheck)),
                               random=random.Random(self.seed)))
        except NoSuchExample:   # only the whole schedule gives it
            return schedule

    def explore(self, candidates: Sequence[str], n: int,
                known: Sequence[tuple[str, str]] = ()) -> tuple[list[Schedule], list[Finding]]:
        """Draw ``n`` schedules, run them, and shrink one schedule per new bad result
        (``known``: signatures already reported, by the matrix, not shrunk again)."""
        drawn = draw_schedules(candidates, n, self.seed)
        found: dict[tuple[str, str], Schedule] = {}
        for s, r in zip(drawn, self.results(drawn), strict=True):
            sig = signature(r)
            if is_bad(r.outcome) and sig not in known:
                best = found.get(sig)
                if best is None or len(s) < len(best):
                    found[sig] = s
        findings = []
        for sig, s in found.items():
            small = self.shrink(s)
            findings.append(Finding(small, s, *sig))
        return drawn, findings
