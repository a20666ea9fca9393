"""The record of a harness run: every fake call, every virtual sleep, and what each changed.

Checks and reports read only this record (plus the final host), so a verdict can always
point at the calls that show it. State changes are found by diffing a small summary of the
host taken before and after each call (mirror members and states, resync progress, locks,
mounts), cheap even for a 16 TB host with a million files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.ufs.filesystems import FileSystems


@dataclass
class Call:
    """One fake command as the driver ran it."""

    index: int
    argv: list[str]
    exit_code: int
    start: float                  # virtual seconds since the epoch
    end: float
    stdin: bytes = b""
    stdout: bytes = b""
    stderr: bytes = b""
    changes: list[str] = field(default_factory=list)
    cwd: str = "/"
    archive: bytes | None = None   # a dump file as ufsdump left it (the driver may move it)

    @property
    def name(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    def line(self) -> str:
        """The call as a shell line, for stories and evidence."""
        from shlex import quote
        return " ".join(quote(a) for a in self.argv)

    def to_dict(self, limit: int = 4096) -> dict[str, Any]:
        def text(b: bytes) -> str:
            t = b[:limit].decode("utf-8", errors="replace")
            return t + (f"... [{len(b) - limit} more bytes]" if len(b) > limit else "")
        return {"index": self.index, "argv": self.argv, "exit_code": self.exit_code,
                "start": self.start, "end": self.end, "cwd": self.cwd,
                "stdin": text(self.stdin), "stdout": text(self.stdout),
                "stderr": text(self.stderr), "changes": self.changes}


@dataclass
class Sleep:
    """A virtual sleep the driver asked for (``sleep 60`` costs no real time)."""

    start: float
    seconds: float


def summarize(host: Host) -> dict[str, Any]:
    """A small picture of what matters for verdicts, used to diff before/after a call."""
    from simulator.lvm.md.records import Mirror
    out: dict[str, Any] = {"mirrors": {}, "locks": {}, "mounts": {}}
    for s in host.md.sets.values():
        for u in s.units.values():
            if isinstance(u, Mirror):
                members = {}
                for slot in u.submirrors:
                    members[slot.name] = _slot_text(host, s, u, slot)
                out["mirrors"][s.display(u.name)] = {
                    "members": members,
                    "resync": u.percent_done() if u.resync_active else None,
                    "okay": host.md.okay_submirrors(s, u)}
    fs = filesystems(host)
    if fs is not None:
        for mount, device in fs.mounts():
            out["mounts"][mount] = device
            out["locks"][mount] = fs.lock_of(mount)
    return out


def _slot_text(host: Host, s: Any, m: Any, slot: Any) -> str:
    from simulator.lvm.md.states import sm_state_to_name
    state = host.md.slot_state(s, slot)
    return sm_state_to_name(state, m.resync_active, m.resync_cancel, m.opt_not_done,
                            slot.resync_target)


def filesystems(host: Host) -> FileSystems | None:
    """The host's UFS subsystem, typed."""
    from simulator.ufs.filesystems import FileSystems
    fs = host.fs
    return fs if isinstance(fs, FileSystems) else None


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
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
    return out


@dataclass
class Transcript:
    """Everything a run did, in order."""

    calls: list[Call] = field(default_factory=list)
    sleeps: list[Sleep] = field(default_factory=list)
    # lowest number of Okay submirrors seen per mirror, and when
    min_okay: dict[str, tuple[int, float]] = field(default_factory=dict)
    detached: dict[str, list[str]] = field(default_factory=dict)   # mirror -> submirrors

    def observe(self, summary: dict[str, Any], when: float) -> None:
        for name, m in summary["mirrors"].items():
            seen = self.min_okay.get(name)
            if seen is None or m["okay"] < seen[0]:
                self.min_okay[name] = (m["okay"], when)

    def record(self, call: Call, before: dict[str, Any], after: dict[str, Any]) -> None:
        call.changes = diff(before, after)
        for change in call.changes:
            if change.endswith(" detached") and ": submirror " in change:
                mirror, rest = change.split(": submirror ", 1)
                self.detached.setdefault(mirror, []).append(rest.split()[0])
        self.calls.append(call)
        self.observe(after, call.end)

    def calls_named(self, *names: str) -> list[Call]:
        return [c for c in self.calls if c.name in names]

    def to_dict(self) -> dict[str, Any]:
        return {"calls": [c.to_dict() for c in self.calls],
                "sleeps": [{"start": s.start, "seconds": s.seconds} for s in self.sleeps],
                "min_okay": {k: {"okay": v[0], "at": v[1]} for k, v in self.min_okay.items()},
                "detached": self.detached}
