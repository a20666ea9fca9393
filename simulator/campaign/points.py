"""Injection points: the moments of a clean run at which a campaign fires a fault.

A campaign first runs the driver with no fault and learns its steps from the transcript
(:class:`Trace`, a small picklable summary of it). The points are then, in the order the
run reached them:

- ``before:PROG#N`` and ``after:PROG#N`` around the Nth call of each fake program (the
  design's TRIGGER syntax, ``simulator.faults.spec``);
- inside the long operations that ran: ``ufsdump:10%``, ``ufsdump:50%``, ``ufsdump:90%``
  (pass IV's progress, where a tape fills or a source disk dies), ``fsck:40%`` (phase 2 of
  the five, ``fsck.c``'s phases being 1..5), and ``resync:50%`` (half-way through a resync
  the run started or found running, when virtual time passed while it ran).

Two call points are one **instant** when nothing of the model's can happen between them:
``after:X#n`` and the next call's ``before:Y#m`` with the same virtual time (no sleep, no
call between; the driver's own shell work changes nothing of the host's). A fault fired at
either leaves the host in the same state before the same next call, so a campaign runs the
instant once and shows its outcome in both cells (a decision of svmsim's: it halves the
runs of a campaign; the sources are silent, these are svmsim's own notions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.session.verdict import RunResult

LONG_POINTS: dict[str, tuple[int, ...]] = {"ufsdump": (10, 50, 90), "fsck": (40,),
                                           "resync": (50,), "dd": (10, 50, 90)}


@dataclass(frozen=True)
class TraceCall:
    """One fake call of the clean run: what a point needs of it."""

    name: str
    argv: tuple[str, ...]
    start: float
    end: float
    exit_code: int
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trace:
    """The clean run's steps (picklable: it crosses process and cluster boundaries)."""

    calls: tuple[TraceCall, ...] = ()
    sleeps: tuple[tuple[float, float], ...] = ()    # (start, seconds)
    resync_at_start: bool = False

    @classmethod
    def of(cls, result: RunResult) -> Trace:
        t = result.transcript
        calls = tuple(TraceCall(c.name, tuple(c.argv), c.start, c.end, c.exit_code,
                                tuple(c.changes)) for c in t.calls)
        mirrors = t.initial["mirrors"] if t.initial is not None else {}
        resyncing = any(m["resync"] is not None for m in mirrors.values())
        return cls(calls, tuple((s.start, s.seconds) for s in t.sleeps), resyncing)

    def to_dict(self) -> dict[str, Any]:
        return {"calls": [{"name": c.name, "argv": list(c.argv), "start": c.start,
                           "end": c.end, "exit_code": c.exit_code,
                           "changes": list(c.changes)} for c in self.calls],
                "sleeps": [list(s) for s in self.sleeps],
                "resync_at_start": self.resync_at_start}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        return cls(tuple(TraceCall(c["name"], tuple(c["argv"]), c["start"], c["end"],
                                   c["exit_code"], tuple(c["changes"]))
                         for c in data["calls"]),
                   tuple((s[0], s[1]) for s in data["sleeps"]), data["resync_at_start"])

    def end(self) -> float:
        """The clean run's last virtual instant (its last call's end or sleep's)."""
        return max([c.end for c in self.calls] + [s + n for s, n in self.sleeps],
                   default=0.0)

    def resync_started(self) -> int:
        """The call (1-based) that started a resync, -1 if one ran from the start, 0 if
        none did."""
        if self.resync_at_start:
            return -1
        return next((i for i, c in enumerate(self.calls, 1)
                     if any(ch.endswith(": resync started") for ch in c.changes)), 0)

    def ran(self, where: str) -> bool:
        """Whether the long operation ``where`` ran in the clean run: a fake call of that
        name; for a resync, one running while virtual time passed (a resync started by the
        driver's last call, with no sleep after it, never progressed)."""
        if where == "resync":
            first = self.resync_started()
            if first == 0:
                return False
            since = self.calls[first - 1].end if first > 0 else \
                (self.calls[0].start if self.calls else 0.0)
            return self.end() > since
        return any(c.name == where for c in self.calls)


@dataclass(frozen=True)
class Point:
    """One injection point: its TRIGGER text, the instant it belongs to, and where."""

    trigger: str        # "before:lockfs#2", "ufsdump:50%"
    instant: int        # points sharing an instant fire at the same moment of the run
    where: str = ""     # "ufsdump" | "fsck" | "resync" inside a long operation, "" at a call
    call: int = 0       # the clean run's call (1-based) the point is at or inside (0: none)

    @property
    def inside(self) -> bool:
        return bool(self.where)


def _quiet_between(trace: Trace, i: int) -> bool:
    """Nothing of the model's can happen between call ``i`` (0-based) and the next."""
    a, b = trace.calls[i], trace.calls[i + 1]
    if b.start != a.end:
        return False
    return not any(a.end <= start <= b.start and secs > 0 for start, secs in trace.sleeps)


def injection_points(trace: Trace) -> list[Point]:
    """Every injection point of the clean run, in the order the run reached them (a
    resync's last: it runs beside the calls)."""
    points: list[Point] = []
    seen: dict[str, int] = {}
    instant = 0
    for i, call in enumerate(trace.calls):
        n = seen[call.name] = seen.get(call.name, 0) + 1
        if i == 0 or not _quiet_between(trace, i - 1):
            instant += 1
        points.append(Point(f"before:{call.name}#{n}", instant, call=i + 1))
        if call.name in LONG_POINTS and n == 1:
            for pct in LONG_POINTS[call.name]:
                instant += 1
                points.append(Point(f"{call.name}:{pct}%", instant, call.name, i + 1))
        instant += 1
        points.append(Point(f"after:{call.name}#{n}", instant, call=i + 1))
    if trace.ran("resync"):
        first = max(trace.resync_started(), 0)
        for pct in LONG_POINTS["resync"]:
            instant += 1
            points.append(Point(f"resync:{pct}%", instant, "resync", first))
    return points


def representatives(points: list[Point]) -> dict[str, Point]:
    """For each point's trigger, the point that is run for its instant (the first one)."""
    first: dict[int, Point] = {}
    for p in points:
        first.setdefault(p.instant, p)
    return {p.trigger: first[p.instant] for p in points}
