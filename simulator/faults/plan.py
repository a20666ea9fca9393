"""The armed faults of one host: which fires when, what it did, and undoing it.

:class:`FaultPlan` is the :class:`simulator.core.faulthooks.FaultHooks` the model calls once
faults are armed (``host.faults``). It keeps the faults in the order they were added, each with
a handler number as ``zinject`` numbers its handlers (``svmsim fault list`` prints them,
``svmsim fault clear ID|all`` removes them, undoing what they did where the kind can: zinject's
``-c``), counts the calls and I/Os its triggers wait for, draws the ``p:`` triggers from one
seeded :class:`random.Random` (the same seed, the same run), expires transient faults at their
virtual time, and logs what fired (virtual time, the call number, the fault, the kind's note)
for the transcript and the report. A fault fires once; what it did to the model persists until
it expires (``duration=``) or is cleared.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.core.errors import HostPanic
from simulator.core.faulthooks import FaultHooks
from simulator.core.hostref import HostPart
from simulator.faults.spec import Fault, FaultError, Trigger, make_fault, parse_fault

if TYPE_CHECKING:
    from simulator.host import Host

__all__ = ["Armed", "FaultPlan", "Fired", "arm"]

_EPS = 1e-9


@dataclass
class Armed:
    """One armed fault (a handler): its number, the fault, and where its trigger stands."""

    id: int
    fault: Fault
    armed_at: float                  # virtual time it was armed (time: counts from here)
    state: str = "armed"             # armed -> active (fired) -> expired / cleared
    count: int = 0                   # matching calls / I/Os seen so far
    fired_at: float | None = None
    expires: float | None = None     # transient: when it clears itself
    note: str = ""

    @property
    def when(self) -> Trigger:
        return self.fault.when

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "fault": self.fault.model_dump(), "armed_at": self.armed_at,
                "state": self.state, "count": self.count, "fired_at": self.fired_at,
                "expires": self.expires, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Armed:
        return cls(id=int(d["id"]), fault=make_fault(d["fault"]), armed_at=float(d["armed_at"]),
                   state=str(d["state"]), count=int(d["count"]),
                   fired_at=None if d["fired_at"] is None else float(d["fired_at"]),
                   expires=None if d["expires"] is None else float(d["expires"]),
                   note=str(d["note"]))


@dataclass(frozen=True)
class Fired:
    """A line of the plan's log: at virtual ``time``, after ``call`` fake calls, handler
    ``id`` (``fault``, its spec) ``fired``, ``missed`` (its target was gone), ``expired`` or was
    ``cleared``; ``note`` says what
    it did."""

    time: float
    call: int
    id: int
    fault: str
    event: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "call": self.call, "id": self.id, "fault": self.fault,
                "event": self.event, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fired:
        return cls(float(d["time"]), int(d["call"]), int(d["id"]), str(d["fault"]),
                   str(d["event"]), str(d["note"]))


@dataclass
class FaultPlan(FaultHooks, HostPart):
    """The faults armed on ``host`` (module docstring). The host holds its plan
    (``host.faults``), so the plan's ``host`` is weak (:mod:`simulator.core.hostref`)."""

    host: InitVar[Host]
    seed: int = 0
    armed: list[Armed] = field(default_factory=list)
    log: list[Fired] = field(default_factory=list)
    calls: int = 0
    next_id: int = 1
    rng: random.Random = field(init=False)

    def __post_init__(self, host: Host) -> None:
        HostPart.__init__(self, host)
        self.rng = random.Random(self.seed)

    # ------------------------------------------------------------------ adding, listing, clearing
    def add(self, fault: Fault | str) -> Armed:
        """Arm ``fault`` (a :class:`Fault` or a one-line spec): its target is checked against
        the host (an omitted target is the kind's first candidate) and a ``start`` fault
        fires at once. FaultError when the host has no such target."""
        f = parse_fault(fault) if isinstance(fault, str) else fault
        f = self._resolve_target(f)
        a = Armed(self.next_id, f, self.host.clock.now)
        self.next_id += 1
        self.armed.append(a)
        if a.when.on == "start":
            self._fire(a)
        return a

    def _resolve_target(self, f: Fault) -> Fault:
        kind = f.fault_kind
        candidates = kind.targets(self.host)
        if f.target and not kind.needs_target and not candidates:
            raise FaultError(f"fault '{f}': {kind.name} takes no target (it strikes the "
                             f"{kind.target})")
        if not f.target:
            if not kind.needs_target:
                return f
            if not candidates:
                raise FaultError(f"fault '{f}': this host has no {kind.target} to strike")
            return f.model_copy(update={"target": candidates[0]})
        if candidates and f.target not in candidates:
            shown = ", ".join(candidates[:8]) + (", ..." if len(candidates) > 8 else "")
            raise FaultError(f"fault '{f}': no {kind.target} {f.target} on this host "
                             f"({shown})")
        if kind.needs_target and not candidates:
            raise FaultError(f"fault '{f}': this host has no {kind.target} to strike")
        return f

    def entries(self) -> list[Armed]:
        """The handlers still armed or in effect, in the order they were added."""
        return [a for a in self.armed if a.state in ("armed", "active")]

    def clear(self, ident: int | None = None) -> list[Armed]:
        """Remove handler ``ident`` (None: all of them), undoing what an active one did when
        its kind can; FaultError for a number that is not a handler (``zinject -c``)."""
        if ident is None:
            doomed = self.entries()
        else:
            doomed = [a for a in self.entries() if a.id == ident]
            if not doomed:
                raise FaultError(f"no fault handler {ident}")
        for a in doomed:
            if a.state == "active":
                self._undo(a, "cleared")
            else:
                a.state = "cleared"
                self._record(a, "cleared", "never fired")
        return doomed

    # ------------------------------------------------------------------ firing
    def _record(self, a: Armed, event: str, note: str) -> None:
        self.log.append(Fired(self.host.clock.now, self.calls, a.id, str(a.fault), event, note))

    def _fire(self, a: Armed) -> None:
        now = self.host.clock.now
        a.fired_at = now
        kind = a.fault.fault_kind
        a.state = "active"
        if a.fault.duration is not None:
            a.expires = now + a.fault.duration
        try:
            a.note = kind.apply(self.host, a.fault)
        except HostPanic as e:
            a.note = f"panic: {e}"
            self._record(a, "fired", a.note)
            raise
        except FaultError as e:
            # its target is gone by the time it fires (a submirror the driver detached
            # meanwhile): the event finds nothing to strike, as metaoffline of a detached
            # submirror would; the command it fired around is not touched
            a.state = "cleared"
            a.note = f"found nothing to strike: {e}"
            self._record(a, "missed", a.note)
            return
        self._record(a, "fired", a.note)

    def _undo(self, a: Armed, event: str) -> None:
        clear = a.fault.fault_kind.clear
        if clear is not None:
            clear(self.host, a.fault)
        a.state = "expired" if event == "expired" else "cleared"
        self._record(a, event, "undone" if clear is not None else "")

    def _pending(self, on: str) -> Iterable[Armed]:
        return [a for a in self.armed if a.state == "armed" and a.when.on == on]

    def before_call(self, argv: Sequence[str]) -> None:
        self.calls += 1
        words = list(argv)
        for a in self._pending("p"):
            if self.rng.random() < a.when.prob:
                self._fire(a)
        self._calls("before", words)

    def after_call(self, argv: Sequence[str], code: int) -> None:
        self._calls("after", list(argv))

    def _calls(self, on: str, argv: list[str]) -> None:
        for a in self._pending(on):
            if a.when.matches(argv):
                a.count += 1
                if a.count == a.when.nth:
                    self._fire(a)

    def progress(self, where: str, fraction: float, target: str = "") -> None:
        for a in self._pending("progress"):
            t = a.when
            if t.where == where and fraction * 100 + _EPS >= t.percent:
                self._fire(a)

    def watches(self, where: str) -> bool:
        return any(a.when.where == where for a in self._pending("progress"))

    def io(self, component: str, op: str, count: int = 1) -> None:
        for a in self._pending("io"):
            tgt = a.fault.target
            if component == tgt or (component.startswith(tgt) and
                                    component[len(tgt):].startswith("s")):
                a.count += count
                if a.count >= a.when.nth:
                    self._fire(a)

    def _due_times(self) -> list[tuple[float, Armed]]:
        out = [(a.armed_at + a.when.seconds, a) for a in self._pending("time")]
        out += [(a.expires, a) for a in self.armed
                if a.state == "active" and a.expires is not None]
        return out

    def next_due(self, now: float) -> float | None:
        times = [t for t, _ in self._due_times()]
        return max(0.0, min(times) - now) if times else None

    def at_time(self, now: float) -> None:
        for t, a in sorted(self._due_times(), key=lambda x: (x[0], x[1].id)):
            if t > now + _EPS:
                continue
            if a.state == "armed":
                self._fire(a)
            elif a.state == "active":
                self._undo(a, "expired")

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        version, internal, gauss = self.rng.getstate()
        return {"seed": self.seed, "calls": self.calls, "next_id": self.next_id,
                "rng": [version, list(internal), gauss],
                "armed": [a.to_dict() for a in self.armed],
                "log": [e.to_dict() for e in self.log]}

    @classmethod
    def from_dict(cls, host: Host, d: dict[str, Any]) -> FaultPlan:
        plan = cls(host, seed=int(d["seed"]), calls=int(d["calls"]), next_id=int(d["next_id"]))
        version, internal, gauss = d["rng"]
        plan.rng.setstate((int(version), tuple(int(x) for x in internal), gauss))
        plan.armed = [Armed.from_dict(a) for a in d["armed"]]
        plan.log = [Fired.from_dict(e) for e in d["log"]]
        return plan


def arm(host: Host, faults: Iterable[Fault | str], seed: int = 0) -> FaultPlan:
    """Arm ``faults`` on ``host`` and return its plan (the one already armed, if any; else a
    new one seeded with ``seed``). ``start`` faults fire at once, ``time:`` ones count from
    now. FaultError (one line) for a fault the host cannot take."""
    plan = host.faults if isinstance(host.faults, FaultPlan) else FaultPlan(host, seed=seed)
    host.faults = plan
    for f in faults:
        plan.add(f)
    plan.at_time(host.clock.now)
    return plan
