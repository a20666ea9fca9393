"""The campaign's matrix: injection point x fault kind -> outcome.

A **cell** is one kind fired at one point (:mod:`simulator.campaign.points`); its fault is
the kind's one-line spec (``KIND[:TARGET]@TRIGGER``, ``simulator.faults.spec``), with the
kind's first candidate target on this host (``FaultKind.targets(host)[0]``) and its
parameters' defaults. A kind with no candidate target on the host (a tape kind on a host
without a tape drive) is *not applicable* there, and so is a kind at a point inside a long
operation it cannot fire in (``FaultKind.where``). Cells of one instant share one run.

A cell is **bad** when its outcome is one of the verdict's fault outcomes
(``simulator.session.outcomes.FAULTS``: silent-failure, left-degraded, hung, timed-out),
and every bad cell carries its **reproducer**: one shell line
``svmsim run --scenario S --fault 'SPEC' -- CMD ...`` (``shlex.join``) that runs it again.
These notions are svmsim's own (issue #10, "Campaigns").
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.campaign.jobs import Job, JobResult
from simulator.campaign.points import Point, representatives
from simulator.session.outcomes import FAULTS

BAD = FAULTS


def is_bad(outcome: str) -> bool:
    """An outcome a campaign reports as a finding."""
    return outcome in BAD


def reproducer(scenario: str, faults: Sequence[str], command: Sequence[str]) -> str:
    """The one shell line that runs the same driver with the same faults."""
    argv = ["svmsim", "run", "--scenario", scenario]
    for spec in faults:
        argv += ["--fault", spec]
    return shlex.join([*argv, "--", *command])


@dataclass(frozen=True)
class KindChoice:
    """A fault kind as this campaign fires it: its target on this host, or why it cannot."""

    name: str
    target: str = ""
    where: tuple[str, ...] = ()
    unusable: str = ""          # why the kind is not applicable on this host ("" if it is)

    def applies(self, point: Point) -> bool:
        return not self.unusable and (not point.inside or point.where in self.where)


@dataclass
class Cell:
    """One kind at one point, and what its run gave."""

    point: str
    kind: str
    spec: str = ""                  # the fault actually run ("" when not applicable)
    ran_at: str = ""                # the point whose run this cell shows (its instant's)
    outcome: str = ""               # "" when not applicable
    reason: str = ""
    driver_exit: int | None = None
    error: str | None = None
    reproducer: str = ""

    @property
    def applicable(self) -> bool:
        return bool(self.spec)

    @property
    def bad(self) -> bool:
        return is_bad(self.outcome)

    def to_dict(self) -> dict[str, Any]:
        return {"point": self.point, "kind": self.kind, "fault": self.spec,
                "ran_at": self.ran_at, "outcome": self.outcome, "reason": self.reason,
                "driver_exit": self.driver_exit, "error": self.error, "bad": self.bad,
                "reproducer": self.reproducer}


@dataclass
class Matrix:
    """Every cell of the campaign, and the jobs that fill them (one per distinct fault)."""

    scenario: str
    command: tuple[str, ...]
    points: list[Point]
    kinds: list[KindChoice]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)

    def cell(self, point: str, kind: str) -> Cell:
        return self.cells[(point, kind)]

    def fill(self, results: Sequence[JobResult]) -> None:
        """Put each job's result in every cell that ran it."""
        by_faults = {r.job.faults: r for r in results}
        for c in self.cells.values():
            r = by_faults.get((c.spec,)) if c.spec else None
            if r is None:
                continue
            c.outcome = r.outcome or "error"
            c.reason = r.error or r.reason
            c.driver_exit, c.error = r.driver_exit, r.error
            c.reproducer = reproducer(self.scenario, [c.spec], self.command) \
                if c.bad or c.error else ""

    @property
    def bad_cells(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.bad]


def build_matrix(scenario: str, command: Sequence[str], points: list[Point],
                 kinds: list[KindChoice], spec_of: Any, timeout: float) -> Matrix:
    """The cells of ``points`` x ``kinds`` and one job per distinct fault run.

    ``spec_of(kind, trigger) -> str`` gives the canonical spec of ``kind`` (a
    :class:`KindChoice`) fired at ``trigger``.
    """
    m = Matrix(scenario, tuple(command), points, kinds)
    rep = representatives(points)
    seen: set[str] = set()
    for p in points:
        for k in kinds:
            cell = Cell(p.trigger, k.name)
            m.cells[(p.trigger, k.name)] = cell
            if not k.applies(p):
                continue
            run_at = rep[p.trigger] if k.applies(rep[p.trigger]) else p
            cell.spec, cell.ran_at = spec_of(k, run_at.trigger), run_at.trigger
            if cell.spec not in seen:
                seen.add(cell.spec)
                m.jobs.append(Job(scenario, tuple(command), (cell.spec,), timeout))
    return m
