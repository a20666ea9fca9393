"""A campaign: the driver run clean, then once per fault kind per injection point, then
``explore`` random schedules; the result is the matrix, the findings, and the runs' cost.

    result = Campaign("seed-example", ["sh", "backup.sh"], kinds=["tape-eom"]).run()
    result.exit_code        # 0: no bad outcome, 1: some

Order of work: (1) the clean run (its trace gives the points: :mod:`.points`); (2) each
kind's target on this host, from the fault catalogue (``simulator.faults.KINDS``,
``FaultKind.targets(host)[0]``, the first being the most interesting); (3) the matrix's
runs, in parallel on the executor (:mod:`.matrix`, :mod:`.executors`); (4) exploration
(:mod:`.explore`). ``seed`` makes all of it repeatable: the matrix's triggers are
deterministic (calls, progress; never ``p:``) and the runs are (virtual time, seeded
workloads), and the seed fixes Hypothesis's draws and shrinking.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.campaign.executors import Executor, LocalExecutor
from simulator.campaign.explore import Explorer, Finding, Schedule
from simulator.campaign.jobs import RUN_TIMEOUT, Job, JobResult
from simulator.campaign.matrix import KindChoice, Matrix, build_matrix, is_bad, reproducer
from simulator.campaign.points import Point, Trace, injection_points
from simulator.core.errors import Error

Progress = Callable[[str, int, int], None]     # phase, done, total


class CampaignError(Error):
    """A campaign cannot start: unknown kind, a bad scenario, a clean run that failed."""


def _catalogue() -> dict[str, Any]:
    """The fault catalogue (``simulator.faults.KINDS``)."""
    try:
        from simulator.faults import KINDS
    except ImportError as e:
        raise CampaignError(f"the fault catalogue (simulator.faults) cannot be loaded: {e}"
                            ) from None
    return dict(KINDS)


def kind_names(text: str) -> list[str]:
    """``--kinds a,b`` -> the names, each a kind of the catalogue (a CampaignError names an
    unknown one, with a suggestion)."""
    KINDS = _catalogue()
    names = list(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    if not names:
        raise CampaignError("--kinds: no kind given (known: " + ", ".join(sorted(KINDS)) + ")")
    for name in names:
        if name not in KINDS:
            close = difflib.get_close_matches(name, list(KINDS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise CampaignError(f"--kinds: unknown fault kind '{name}' ({hint}known: "
                                + ", ".join(sorted(KINDS)) + ")")
    return names


def choose_kinds(scenario: str, names: Sequence[str] | None = None) -> list[KindChoice]:
    """Each kind (all of the catalogue's, or ``names``) with its target on the scenario's
    host, or the reason it has none there."""
    from simulator.scenario import load_scenario
    KINDS = _catalogue()
    host = load_scenario(scenario).build_host()
    out = []
    for name in names or sorted(KINDS):
        kind = KINDS[name]
        targets = list(kind.targets(host))
        if not kind.needs_target:       # the host, the running dump, the next command
            out.append(KindChoice(name, targets[0] if targets else "", tuple(kind.where)))
        elif not targets:
            out.append(KindChoice(name, where=tuple(kind.where),
                                  unusable=f"no {kind.target} for it on this host"))
        else:
            out.append(KindChoice(name, targets[0], tuple(kind.where)))
    return out


def spec_of(kind: KindChoice, trigger: str) -> str:
    """The canonical one-line spec of ``kind`` at ``trigger`` (``format_fault`` of the parse:
    what ``svmsim run --fault`` reads back the same)."""
    from simulator.faults import format_fault, parse_fault
    text = kind.name + (f":{kind.target}" if kind.target else "") + f"@{trigger}"
    return format_fault(parse_fault(text))


@dataclass
class CampaignResult:
    """Everything a campaign found, for the reports (:mod:`.report`)."""

    scenario: str
    command: tuple[str, ...]
    seed: int
    executor: str
    clean: JobResult
    trace: Trace
    matrix: Matrix
    explored: list[Schedule] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    runs: int = 0
    real_seconds: float = 0.0

    @property
    def points(self) -> list[Point]:
        return self.matrix.points

    @property
    def kinds(self) -> list[KindChoice]:
        return self.matrix.kinds

    @property
    def bad(self) -> bool:
        return (is_bad(self.clean.outcome) or bool(self.matrix.bad_cells)
                or bool(self.findings))

    @property
    def exit_code(self) -> int:
        """0 when no run gave a bad outcome, 1 when some did."""
        return 1 if self.bad else 0

    def reproducer(self, faults: Sequence[str]) -> str:
        return reproducer(self.scenario, faults, self.command)

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.real_seconds if self.real_seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        m = self.matrix
        return {
            "scenario": self.scenario, "command": list(self.command), "seed": self.seed,
            "executor": self.executor, "exit_status": self.exit_code,
            "runs": self.runs, "real_seconds": round(self.real_seconds, 3),
            "clean": {"outcome": self.clean.outcome, "reason": self.clean.reason,
                      "driver_exit": self.clean.driver_exit, "error": self.clean.error},
            "points": [{"trigger": p.trigger, "instant": p.instant, "where": p.where,
                        "call": p.call} for p in m.points],
            "kinds": [{"name": k.name, "target": k.target, "where": list(k.where),
                       "unusable": k.unusable} for k in m.kinds],
            "cells": [c.to_dict() for c in m.cells.values()],
            "bad": [c.to_dict() for c in m.bad_cells],
            "explored": [list(s) for s in self.explored],
            "findings": [dict(f.to_dict(), reproducer=self.reproducer(f.faults))
                         for f in self.findings],
            "trace": self.trace.to_dict(),
        }


class Campaign:
    """One campaign of ``command`` on ``scenario`` (a shipped name or a TOML path)."""

    def __init__(self, scenario: str, command: Sequence[str], *,
                 kinds: Sequence[str] | None = None, seed: int = 0, explore: int = 0,
                 timeout: float = RUN_TIMEOUT, executor: Executor | None = None) -> None:
        self.scenario = scenario
        self.command = tuple(command)
        self.kind_names = list(kinds) if kinds else None
        self.seed = seed
        self.explore = explore
        self.timeout = timeout
        self.executor = executor or LocalExecutor()
        self.runs = 0

    def _run(self, jobs: Sequence[Job], phase: str, progress: Progress | None
             ) -> list[JobResult]:
        done = [0]

        def tick(_: JobResult) -> None:
            done[0] += 1
            if progress:
                progress(phase, done[0], len(jobs))

        if progress:
            progress(phase, 0, len(jobs))
        results = self.executor.run(jobs, tick)
        self.runs += len(results)
        return results

    def run(self, progress: Progress | None = None) -> CampaignResult:
        from simulator.scenario import load_scenario
        real0 = time.monotonic()
        load_scenario(self.scenario)     # a bad scenario: one line, before any run
        kinds = choose_kinds(self.scenario, self.kind_names)
        clean = self._run([Job(self.scenario, self.command, (), self.timeout, learn=True)],
                          "clean run", progress)[0]
        if clean.error or clean.trace is None:
            raise CampaignError(f"the clean run could not be made: {clean.error}")
        trace = clean.trace
        points = injection_points(trace)
        matrix = build_matrix(self.scenario, self.command, points, kinds, spec_of,
                              self.timeout)
        matrix.fill(self._run(matrix.jobs, "matrix", progress))
        explored: list[Schedule] = []
        findings: list[Finding] = []
        if self.explore:
            def run_many(scheds: Sequence[Schedule]) -> list[JobResult]:
                return self._run([Job(self.scenario, self.command, s, self.timeout)
                                  for s in scheds], "explore", progress)
            explorer = Explorer(run_many, self.seed)
            explored, findings = explorer.explore([j.faults[0] for j in matrix.jobs],
                                                  self.explore)
        return CampaignResult(self.scenario, self.command, self.seed,
                              self.executor.describe(), clean, trace, matrix, explored,
                              findings, self.runs, time.monotonic() - real0)
