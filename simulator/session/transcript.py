"""The record of a run: every fake call, every virtual sleep, and what each changed.

Both fronts (the process harness and the in-process routing of the pytest plugin) record
into one :class:`Transcript` through :class:`simulator.session.session.Session`, as one
:class:`Call` type. Checks and reports read only this record (plus the final host), so a
verdict can always point at the calls that show it. State changes are found by diffing a
small summary of the host taken before and after each call (mirror members and states,
resync progress, locks, mounts), cheap even for a 16 TB host with a million files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from shlex import quote
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from simulator.lvm.md.records import Mirror
from simulator.lvm.md.states import SmState, sm_state_to_name

if TYPE_CHECKING:
    from simulator.host import CommandResult, Host


@dataclass
class Call:
    """One fake command as the driver ran it, and what it did.

    ``stdout``/``stderr`` are the texts (as ``CommandResult`` has them), ``stdout_bytes``
    the bytes the caller received (binary for ``ufsdump 0f -``). ``stdin`` is what the
    command read; ``archive`` the dump file as ufsdump left it (the driver may move it).
    """

    index: int
    argv: list[str]
    result: CommandResult
    start: float                  # virtual seconds since the epoch
    end: float
    stdin: bytes = b""
    cwd: str = "/"
    changes: list[str] = field(default_factory=list)
    archive: bytes | None = None

    @property
    def name(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def stdout_bytes(self) -> bytes:
        return self.result.stdout_bytes or self.result.stdout.encode()

    def line(self) -> str:
        """The call as a shell line, for stories and evidence."""
        return " ".join(quote(a) for a in self.argv)

    def to_dict(self, limit: int = 4096) -> dict[str, Any]:
        def text(b: bytes) -> str:
            t = b[:limit].decode("utf-8", errors="replace")
            return t + (f"... [{len(b) - limit} more bytes]" if len(b) > limit else "")
        return {"index": self.index, "argv": self.argv, "exit_code": self.exit_code,
                "start": self.start, "end": self.end, "cwd": self.cwd,
                "stdin": text(self.stdin), "stdout": text(self.stdout_bytes),
                "stderr": text(self.stderr.encode()), "changes": self.changes}


@dataclass
class Sleep:
    """A virtual sleep the driver asked for (``sleep 60`` costs no real time)."""

    start: float
    seconds: float


class MirrorSummary(TypedDict):
    members: dict[str, str]       # submirror -> metastat state name
    resync: int | None            # percent done while a resync runs
    okay: int                     # Okay submirrors


class Summary(TypedDict):
    """What matters for verdicts, small enough to take before and after every call."""

    mirrors: dict[str, MirrorSummary]   # display name (``set/d0``) -> summary
    locks: dict[str, str]               # mount point -> lockfs lock type
    mounts: dict[str, str]              # mount point -> block device
    # database -> quiesced (simulator.ufs.databases); only on hosts that have databases
    quiesced: NotRequired[dict[str, bool]]


def summarize(host: Host) -> Summary:
    """A small picture of what matters for verdicts, used to diff before/after a call."""
    out = Summary(mirrors={}, locks={}, mounts={})
    for s in host.md.sets.values():
        for u in s.units.values():
            if isinstance(u, Mirror):
                # each slot's state read once: its name, and the Okay count
                # (VolumeManager.okay_submirrors counts the same states)
                states = [(slot, host.md.slot_state(s, slot)) for slot in u.submirrors]
                members = {slot.name: sm_state_to_name(state, u.resync_active, u.resync_cancel,
                                                       u.opt_not_done, slot.resync_target)
                           for slot, state in states}
                out["mirrors"][s.display(u.name)] = MirrorSummary(
                    members=members, resync=u.percent_done() if u.resync_active else None,
                    okay=sum(1 for _, state in states if state == SmState.RUNNING))
    for mount, device in host.fs.mounts():
        out["mounts"][mount] = device
        out["locks"][mount] = host.fs.lock_of(mount)
    if host.databases.databases:
        out["quiesced"] = {db.name: db.quiesced for db in host.databases.databases.values()}
    return out


def diff(before: Summary, after: Summary) -> list[str]:
    """Human-readable changes between two summaries."""
    out: list[str] = []
    bm, am = before["mirrors"], after["mirrors"]
    for name in sorted(set(bm) | set(am)):
        if name not in am:
            out.append(f"{name}: cleared")
            continue
        if name not in bm:
            out.append(f"{name}: created with {', '.join(am[name]['members'])}")
            continue
        b, a = bm[name]["members"], am[name]["members"]
        for sub in b:
            if sub not in a:
                out.append(f"{name}: submirror {sub} detached")
        for sub in a:
            if sub not in b:
                out.append(f"{name}: submirror {sub} attached ({a[sub]})")
            elif b[sub] != a[sub]:
                out.append(f"{name}: submirror {sub} {b[sub]} -> {a[sub]}")
        rb, ra = bm[name]["resync"], am[name]["resync"]
        if rb is None and ra is not None:
            out.append(f"{name}: resync started")
        elif rb is not None and ra is None:
            out.append(f"{name}: resync done")
    for mount in sorted(set(before["locks"]) | set(after["locks"])):
        lb, la = before["locks"].get(mount), after["locks"].get(mount)
        if lb != la:
            out.append(f"{mount}: lock {lb or 'unmounted'} -> {la or 'unmounted'}")
    for mount in sorted(set(before["mounts"]) | set(after["mounts"])):
        db, da = before["mounts"].get(mount), after["mounts"].get(mount)
        if db != da:
            out.append(f"{mount}: {'mounted on ' + da if da else 'unmounted'}")
    qb, qa = before.get("quiesced", {}), after.get("quiesced", {})
    for name in sorted(set(qb) | set(qa)):
        if qb.get(name, False) != qa.get(name, False):
            out.append(f"database {name}: {'quiesced' if qa.get(name) else 'resumed'}")
    return out


@dataclass
class Panic:
    """The host went down at virtual ``time`` after ``calls`` recorded calls: a panic
    (``message`` its string) or a clean reboot (``clean``)."""

    time: float
    message: str
    calls: int
    clean: bool = False


@dataclass
class Transcript:
    """Everything a run did, in order, and the host as it was before the first call.

    ``initial`` is the host's summary when the session began (``began``, virtual seconds):
    the verdict judges a run against it, so that a lock, a Maintenance state or a missing
    submirror that was there before the driver ran is never the driver's fault.
    """

    calls: list[Call] = field(default_factory=list)
    sleeps: list[Sleep] = field(default_factory=list)
    # lowest number of Okay submirrors seen per mirror, and when
    min_okay: dict[str, tuple[int, float]] = field(default_factory=dict)
    detached: dict[str, list[str]] = field(default_factory=dict)   # mirror -> submirrors
    initial: Summary | None = None
    began: float | None = None
    # the host going down (an injected panic or reboot): when, the panic string, and the
    # number of calls made before it; the driver died with it
    panics: list[Panic] = field(default_factory=list)
    # what the armed faults did (simulator.faults.plan.Fired as dicts: time, call, id,
    # fault, event, note), copied from the plan when the session asks
    faults: list[dict[str, Any]] = field(default_factory=list)

    def begin(self, summary: Summary, when: float) -> None:
        """The host as the session found it: the starting state the verdict compares with."""
        self.initial = summary
        self.began = when
        self.observe(summary, when)

    def observe(self, summary: Summary, when: float) -> None:
        for name, m in summary["mirrors"].items():
            seen = self.min_okay.get(name)
            if seen is None or m["okay"] < seen[0]:
                self.min_okay[name] = (m["okay"], when)

    def record(self, call: Call, before: Summary, after: Summary) -> None:
        call.changes = diff(before, after)
        for change in call.changes:
            if change.endswith(" detached") and ": submirror " in change:
                mirror, rest = change.split(": submirror ", 1)
                self.detached.setdefault(mirror, []).append(rest.split()[0])
        self.calls.append(call)
        self.observe(after, call.end)

    def calls_named(self, *names: str) -> list[Call]:
        return [c for c in self.calls if c.name in names]

    def start(self) -> float:
        """Virtual time the run began (detaches before it belong to the scenario): when the
        session took its starting snapshot, else the first call's start."""
        if self.began is not None:
            return self.began
        return self.calls[0].start if self.calls else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {"calls": [c.to_dict() for c in self.calls],
                "sleeps": [{"start": s.start, "seconds": s.seconds} for s in self.sleeps],
                "min_okay": {k: {"okay": v[0], "at": v[1]} for k, v in self.min_okay.items()},
                "detached": self.detached, "initial": self.initial,
                **({"faults": self.faults} if self.faults else {}),
                **({"panics": [{"time": p.time, "message": p.message, "calls": p.calls,
                                "clean": p.clean} for p in self.panics]}
                   if self.panics else {})}
