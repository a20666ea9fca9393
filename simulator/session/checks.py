"""The evidence of a verdict: named checks, each with whether it held and its calls.

A check reads the transcript, the host as the run found it (``Transcript.initial``) and the
final host, never the driver's own words: a driver that says "backup OK" and exits 0 while
its dump died halfway fails ``driver-told-truth``. What the driver is judged on is what it
changed: a lock, a Maintenance state or a missing submirror that was there before it ran is
never its fault. The run's one outcome (``simulator.session.outcomes``) is classified from
the same :class:`Run`; the checks are the evidence under it. The scenario's ``[expect]``
table adjusts what must hold (see ``Expectations``).

Each check is one small function registered in :data:`CHECKS` with its name and a one-line
description (what the README's table of checks says), as Jepsen's checkers are: the
verdict runs them all in order, a check that does not apply to a run returns None (it is
not shown), and a check that raises is a failed check saying so, never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.backup.rawimage import RawHeader, RawImageError
from simulator.backup.tapes import DEFAULT_TAPE
from simulator.core.files import FileAccess
from simulator.core.names import device_slice, device_unit
from simulator.lvm.md.replicas import is_stale
from simulator.scenario.schema import Expect
from simulator.session.transcript import Call, Summary, Transcript, summarize

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsdump import DumpKeys
    from simulator.host import Host

Resolve = Callable[[str, str], Path]   # (path as the driver named it, its cwd) -> real path

HANG_REASON = "root file system write-locked"


@dataclass
class Check:
    """One named check: did it hold, a one-line reason, and the calls that show it."""

    name: str
    held: bool
    summary: str
    evidence: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "held": self.held, "summary": self.summary,
                "evidence": [{"index": c.index, "call": c.line(), "exit_code": c.exit_code,
                              "at": c.start} for c in self.evidence],
                "notes": self.notes}


# What the scenario says must hold: the scenario's typed ``[expect]`` table, one class.
Expectations = Expect


@dataclass
class BackupOutcome:
    """What became of the backup: the dumps run, the archive, its completeness and match."""

    dumps: list[Call]
    archive: str | None = None
    completed: bool = False
    fsck_clean: bool | None = None
    fsck_calls: list[Call] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    error: str | None = None
    source: str = ""                 # what was dumped, in words
    consistent: bool | None = None   # None: the source could not be judged
    inconsistency: str = ""          # why the archive is not a consistent image
    unreadable: int = 0              # sectors ufsdump could not read (dumped as zeros)
    raw: RawHeader | None = None     # a dd copy of a raw device: what its image says
    notes: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return bool(self.archive) and self.completed and not self.error \
            and self.fsck_clean is not False and not self.unreadable

    @property
    def valid(self) -> bool:
        """Good, and a consistent image equal to what applications saw at detach time."""
        return self.good and self.consistent is not False and not self.differing


def _dump_keys(argv: list[str]) -> DumpKeys | None:
    """A ufsdump command line as dumpmain.c reads it; None when dump would abort on its
    key or only report (``w``/``W``)."""
    from simulator.backup.cmd.ufsdump import parse_keys
    keys = parse_keys(argv)
    if keys.error or keys.lastdump or keys.usage:
        return None
    return keys


def dump_destination(argv: list[str]) -> str | None:
    """Where a ufsdump command line writes its archive (``f``, default ``/dev/rmt/0``);
    None when dump would abort on its key."""
    keys = _dump_keys(argv)
    return keys.destination if keys else None


def archive_of(call: Call, files: FileAccess) -> bytes | None:
    """The archive a ufsdump call (or the raw image a dd of a device) wrote to a file, as it
    left it (small: metadata and digests); None for tapes, standard output, or a file that
    is not there."""
    if call.name == "dd":
        from simulator.backup.cmd.dd import operands as dd_operands
        from simulator.backup.cmd.dd import reads_device
        dest = dd_operands(call.argv[1:]).get("of") if reads_device(call.argv[1:]) else None
    else:
        dest = dump_destination(call.argv)
    if not dest or dest == "-" or dest.startswith("/dev/"):
        return None
    try:
        return files.resolve(dest, call.cwd).read_bytes()
    except OSError:
        return None


_LOCK_CHANGE = re.compile(r"^(?P<mount>/\S*): lock (?P<before>\S+) -> (?P<after>\S+)$")
_MEMBER_CHANGE = re.compile(r"^(?P<mirror>\S+): submirror (?P<sub>\S+) (?P<what>detached|attached)")


def members_before(transcript: Transcript, index: int) -> dict[str, set[str]] | None:
    """Each mirror's submirrors just before call ``index``: the starting state with the
    attaches and detaches of the calls before it (None: the start is unknown)."""
    if transcript.initial is None:
        return None
    out = {m: set(v["members"]) for m, v in transcript.initial["mirrors"].items()}
    for call in transcript.calls:
        if call.index >= index:
            break
        for change in call.changes:
            m = _MEMBER_CHANGE.match(change)
            if m:
                subs = out.setdefault(m["mirror"], set())
                (subs.discard if m["what"] == "detached" else subs.add)(m["sub"])
            elif change.endswith(": cleared"):
                out.pop(change[:-len(": cleared")], None)
            elif ": created with " in change:
                name, _, subs_text = change.partition(": created with ")
                out[name] = set(subs_text.split(", "))
    return out


def locks_before(transcript: Transcript, index: int) -> dict[str, str]:
    """Each mount point's lock just before call ``index`` (from the starting state)."""
    out = dict(transcript.initial["locks"]) if transcript.initial else {}
    for call in transcript.calls:
        if call.index >= index:
            break
        for change in call.changes:
            m = _LOCK_CHANGE.match(change)
            if m:
                out[m["mount"]] = m["after"]
    return out


def dump_source(host: Host, transcript: Transcript, call: Call) -> tuple[bool | None, str, str]:
    """Was what ``call`` dumped a consistent image? (consistent, what it was, why not).

    Consistent: a submirror detached during the run while ``lockfs -w`` held its file
    system (or from ``/``, which the procedure never write-locks), or a volume whose file
    system was not mounted, or write-locked for the whole dump, or not written to (no
    workload). Not consistent: a submirror still attached (a live submirror takes every
    write the mirror takes), or the volume of a mounted file system that applications kept
    writing to. None when the device is not a
    metadevice the model knows (a slice, a file).
    """
    keys = _dump_keys(call.argv)
    disk = keys.disk if keys else None
    if not disk:
        return None, "", ""
    return source_of(host, transcript, call, disk)


def source_of(host: Host, transcript: Transcript, call: Call,
              disk: str) -> tuple[bool | None, str, str]:
    """:func:`dump_source` for the device ``disk`` ``call`` read (a ufsdump's, or the
    ``if=`` of a dd copying a UFS block by block)."""
    if disk.startswith("/") and not disk.startswith("/dev/"):   # a mount point
        mounted = dict(host.fs.mounts())
        disk = mounted.get(disk.rstrip("/") or "/", disk)
    unit = device_unit(disk)
    if unit is None:
        sl = device_slice(disk)
        owner = host.md.component_owner(sl) if sl else None
        if owner is None:
            return None, disk, ""
        unit = device_unit(f"/dev/md/dsk/{owner[1].name}")
        if unit is None:
            return None, disk, ""
    name = str(unit)
    members = members_before(transcript, call.index)
    if members is None:
        return None, disk, ""
    parent = next((m for m, subs in members.items() if name in subs or unit.short in subs),
                  None)
    if parent is not None:
        return (False, f"submirror {name} of {parent}",
                f"{disk} was dumped while {name} was attached to {parent} (a live "
                "submirror: it takes every write the mirror takes)")
    detached = [r for r in host.fs.detach_records if r.submirror == name
                and transcript.start() <= r.time <= call.start]
    if detached:
        rec = detached[-1]
        mount = host.fs.mount_of(f"/dev/md/dsk/{rec.mirror.rpartition('/')[2]}")
        what = f"submirror {name} detached from {rec.mirror}"
        if rec.locked or mount == "/":
            return True, what + (" under lockfs -w" if rec.locked else " (from /)"), ""
        return False, what, (f"{name} was detached from {rec.mirror} without lockfs -w on "
                             f"{mount}: writes in flight were lost or half-applied")
    mount = host.fs.mount_of(f"/dev/md/dsk/{unit.short}" if not unit.setname
                             else f"/dev/md/{unit.setname}/dsk/{unit.short}")
    if mount is None:
        return True, f"volume {name} (its file system not mounted)", ""
    if locks_before(transcript, call.index).get(mount) == "write":
        return True, f"volume {name} of {mount}, write-locked through the dump", ""
    fs = host.fs.fs_on_device(disk)
    if fs is None or not fs.written:
        return True, f"volume {name} of {mount} (no application writes to it)", ""
    return False, f"volume {name} of {mount}", (
        f"{disk} is the volume of {mount}, mounted and written to during the dump")


def raw_copies(transcript: Transcript) -> list[Call]:
    """The dd calls that copied a metadevice or slice (a raw-volume backup)."""
    calls = transcript.calls_named("dd")
    if not calls:   # dd's module is imported by a dd call: a run without one never needs it
        return []
    from simulator.backup.cmd.dd import reads_device
    return [c for c in calls if reads_device(c.argv[1:])]


def backup_outcome(host: Host, transcript: Transcript,
                   resolve: Resolve | None = None) -> BackupOutcome:
    """Find the last backup -- a ufsdump, or a dd of a raw device -- its archive and fsck,
    and compare it with the detach view."""
    from simulator.backup.verify import verify_backup
    dumps = transcript.calls_named("ufsdump")
    raws = raw_copies(transcript)
    if raws and (not dumps or raws[-1].index > dumps[-1].index):
        return raw_outcome(host, transcript, raws)
    outcome = BackupOutcome(dumps=dumps)
    if not dumps:
        return outcome
    last = dumps[-1]
    outcome.consistent, outcome.source, outcome.inconsistency = \
        dump_source(host, transcript, last)
    outcome.completed = last.exit_code == 0 and "DUMP IS DONE" in last.stderr
    parsed = _dump_keys(last.argv)
    dest = parsed.destination if parsed else DEFAULT_TAPE
    outcome.archive = dest
    short = os.path.basename(parsed.disk or "") if parsed else ""
    outcome.fsck_calls = [c for c in transcript.calls_named("fsck")
                          if c.index < last.index and c.argv and
                          os.path.basename(c.argv[-1]) == short]
    if outcome.fsck_calls:
        outcome.fsck_clean = outcome.fsck_calls[-1].exit_code == 0
    try:
        source: str | bytes
        if dest == "-":   # dumped to standard output: the bytes the driver received
            source, outcome.archive = last.stdout_bytes, "standard output of ufsdump"
        elif last.archive is not None:   # the file as the dump left it
            source = last.archive
        elif dest.startswith("/dev/") or resolve is None:
            source = dest
        else:
            source = str(resolve(dest, last.cwd))
        report = verify_backup(host, source, now=False)     # (differences at detach only)
        outcome.differing = [str(d) for d in report.differences_at_detach]
        outcome.unreadable = report.unreadable
        if not report.complete:
            outcome.completed = False
    except Exception as e:   # the archive may be missing or unreadable: that is a finding
        outcome.error = f"{type(e).__name__}: {e}"
    return outcome


def raw_outcome(host: Host, transcript: Transcript, raws: list[Call]) -> BackupOutcome:
    """The last dd of a raw device: the image it left (the file as dd left it, or what it
    wrote on the tape), whether it holds the whole device, and whether its content is a
    point-in-time copy (a detached submirror, or a volume nothing wrote while it was read).
    A database's copy taken while it was not quiesced is crash-consistent: usable (its
    recovery replays its log, as after a power cut) and noted, as ``/`` unlocked is."""
    from simulator.backup.cmd.dd import operands as dd_operands
    last = raws[-1]
    ops = dd_operands(last.argv[1:])
    src = ops.get("if", "")
    dest = ops.get("of")
    outcome = BackupOutcome(dumps=raws, archive=dest or "standard output of dd")
    header: RawHeader | None = None
    try:
        if dest is None:
            header = RawHeader.from_bytes(last.stdout_bytes)
        elif dest.startswith("/dev/"):
            header = next((h for d, h in reversed(host.backups.raw_images)
                           if d == dest and h.device == src
                           and last.start - 1e-6 <= h.date <= last.end), None)
            if header is None and dest != "/dev/null":
                outcome.error = f"nothing was written to {dest}"
            elif dest == "/dev/null":
                outcome.error = "copied to /dev/null: nothing was kept"
        elif last.archive is not None:
            header = RawHeader.from_bytes(last.archive)
        else:
            outcome.error = f"{dest} was not written"
    except RawImageError as e:
        outcome.error = str(e)
    outcome.raw = header
    if header is not None and header.kind == "ufs":
        # a UFS copied block by block is judged as a dump of it is: checked by fsck first
        short = os.path.basename(src)
        outcome.fsck_calls = [c for c in transcript.calls_named("fsck")
                              if c.index < last.index and c.argv
                              and os.path.basename(c.argv[-1]) == short]
        outcome.fsck_clean = outcome.fsck_calls[-1].exit_code == 0 \
            if outcome.fsck_calls else None
    else:
        outcome.fsck_clean = True       # no file system: nothing for fsck to check
    if header is None:
        return outcome
    outcome.completed = last.exit_code == 0 and header.whole
    outcome.unreadable = header.zero_filled
    unit = device_unit(src)
    name = unit.short if unit is not None else src
    detach = next((r for r in reversed(host.databases.detaches)
                   if r.submirror == name and transcript.start() <= r.time <= last.start),
                  None)
    outcome.source = (f"submirror {name} detached from {detach.mirror}" if detach
                      else f"{src}")
    outcome.consistent = header.consistent
    if header.kind == "ufs" and header.consistent:
        # the copy did not change while read; was what it holds a consistent UFS?
        outcome.consistent, outcome.source, outcome.inconsistency = \
            source_of(host, transcript, last, src)
    elif not header.consistent:
        outcome.inconsistency = (f"{src} changed while dd copied it (database "
                                 f"{header.content} kept writing): not a point-in-time copy"
                                 if header.kind == "database" else
                                 f"{src} changed while dd copied it")
    if header.kind == "database" and not header.quiesced and header.consistent:
        outcome.notes.append(f"crash-consistent copy: database {header.content} was not "
                             "quiesced when the copy was split off; its own recovery must "
                             "replay its log when it is restored")
    return outcome


# ---------------------------------------------------------------------------- the checks
@dataclass
class LockSpan:
    """A write lock on one file system: when it began and ended, and who took it."""

    mount: str
    since: float
    until: float
    by_driver: bool                 # False: it was there when the run began
    released: bool
    evidence: list[Call] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.until - self.since


def lock_spans(transcript: Transcript, end: float) -> list[LockSpan]:
    """Every write lock of the run, from the starting state and the calls' changes."""
    spans: list[LockSpan] = []
    open_: dict[str, LockSpan] = {}
    began = transcript.start() if transcript.initial is not None else end
    for mount, lock in (transcript.initial or {"locks": {}})["locks"].items():
        if lock == "write":
            open_[mount] = LockSpan(mount, began, end, False, False)
    downs = sorted(transcript.panics, key=lambda p: p.calls)

    def crashed_before(calls: int) -> None:
        # a panic or reboot after ``calls`` calls dropped every lock (ufs locks do not
        # survive a boot, lufs_boot / ufs_mountroot): the span ends at the crash
        while downs and downs[0].calls < calls:
            down = downs.pop(0)
            for mount in list(open_):
                span = open_.pop(mount)
                span.until, span.released = down.time, True
                spans.append(span)

    for call in transcript.calls:
        crashed_before(call.index)
        for change in call.changes:
            m = _LOCK_CHANGE.match(change)
            if not m:
                continue
            mount = m["mount"]
            if m["after"] == "write" and mount not in open_:
                open_[mount] = LockSpan(mount, call.end, end, True, False, [call])
            elif m["after"] != "write" and mount in open_:
                span = open_.pop(mount)
                span.until, span.released = call.end, True
                span.evidence.append(call)
                spans.append(span)
    crashed_before(len(transcript.calls) + 1)
    spans += open_.values()
    return sorted(spans, key=lambda s: s.since)


def stalled_writes(host: Host, mount: str, seconds: float) -> int:
    """Application operations a write lock held back for ``seconds``: the file system's
    workload rates (writes, creates, deletes per virtual second) times the time; writers
    block in ``ufs_check_lockfs`` (ufs_lockfs.c) until the lock goes."""
    fs = host.fs.root() if mount == "/" else host.fs.filesystems.get(mount)
    rate = fs.operations_per_second if fs is not None else 0.0
    return int(rate * max(0.0, seconds))


@dataclass
class Run:
    """What every check reads: the host now and as the run found it, the transcript, and
    how the run ended."""

    host: Host
    transcript: Transcript
    driver_exit: int | None
    hung: str | None
    expect: Expectations
    resolve: Resolve | None = None
    timed_out: str | None = None

    @cached_property
    def outcome(self) -> BackupOutcome:
        return backup_outcome(self.host, self.transcript, self.resolve)

    @cached_property
    def initial(self) -> Summary | None:
        return self.transcript.initial

    @cached_property
    def final(self) -> Summary:
        return summarize(self.host)

    @cached_property
    def locked(self) -> list[str]:
        """File systems the driver left locked: locked at the end, and not with the lock
        they had when the run began (a hung host's ``/`` included)."""
        start = self.initial["locks"] if self.initial else {}
        return [f"{m} ({lock})" for m, lock in self.final["locks"].items()
                if lock != "unlock" and start.get(m) != lock]

    @cached_property
    def quiesced(self) -> list[str]:
        """Databases the driver left quiesced (their writes held back): quiesced at the end,
        and not when the run began."""
        start = self.initial.get("quiesced", {}) if self.initial else {}
        return [name for name, q in self.final.get("quiesced", {}).items()
                if q and not start.get(name, False)]

    @cached_property
    def preexisting(self) -> list[str]:
        """What was wrong before the driver ran and still is: never the driver's fault."""
        if self.initial is None:
            return []
        out = [f"{m} was already {lock}-locked when the run began"
               for m, lock in self.initial["locks"].items()
               if lock != "unlock" and self.final["locks"].get(m) == lock]
        for name, m in self.initial["mirrors"].items():
            bad = [f"{sub} {state}" for sub, state in m["members"].items()
                   if state not in ("Okay", "Resyncing")]
            if bad:
                out.append(f"{name} began with {', '.join(bad)} ({m['okay']} Okay)")
        return out

    @cached_property
    def lock_spans(self) -> list[LockSpan]:
        return lock_spans(self.transcript, self.host.clock.now)

    @cached_property
    def long_locks(self) -> list[LockSpan]:
        """Write locks the driver held longer than ``[expect] max_lock_seconds``."""
        return [s for s in self.lock_spans
                if s.by_driver and s.seconds > self.expect.max_lock_seconds]

    @cached_property
    def still_detached(self) -> list[str]:
        """Submirrors the run took out of a mirror and did not put back (nor may leave). A
        submirror the run itself attached and detached again (the seed's Tip: a spare
        attached, resynced and detached for the backup) leaves the mirror as it was."""
        still: dict[str, str] = {}
        end = {m: set(v["members"]) for m, v in self.final["mirrors"].items()}
        start = {m: set(v["members"]) for m, v in (self.initial or {"mirrors": {}})
                 ["mirrors"].items()}
        if self.initial is not None:
            for mirror, m in self.initial["mirrors"].items():
                for sub in m["members"]:
                    if sub not in end.get(mirror, set()):
                        still[sub] = mirror
        for mirror, subs in self.transcript.detached.items():
            for sub in subs:
                short = sub.rpartition("/")[2]
                if short not in end.get(mirror, set()) and (
                        self.initial is None or short in start.get(mirror, set())):
                    still[sub] = mirror
        return [f"{sub} (from {mirror})" for sub, mirror in still.items()
                if sub not in self.expect.may_stay_detached
                and not self._frozen_by_stale_db(mirror)]

    def _frozen_by_stale_db(self, mirror: str) -> bool:
        """The set holding ``mirror`` ended with a stale state database (a fault took its
        replicas below quorum): SVM refuses every configuration change ("stale databases",
        meta_error.c MDE_DB_STALE) until an administrator repairs the replicas, so a detach
        nobody could undo is not the driver's doing."""
        if not self.transcript.faults:
            return False
        setname = mirror.rpartition("/")[0]
        s = self.host.md.sets.get(setname)
        return s is not None and bool(s.replicas) and is_stale(s.replicas)

    @cached_property
    def lost_redundancy(self) -> list[str]:
        """Mirrors with fewer Okay or resyncing submirrors at the end than Okay ones at the
        start (a reattached submirror resyncs: it is on its way back). When injected faults
        fired during the run, a submirror they left erred (Needs maintenance, Last Erred)
        is the fault's doing, not the driver's: it counts as kept."""
        if self.initial is None:
            return []
        faulted = any(f.get("event") == "fired" for f in self.transcript.faults)
        kept = ("Okay", "Resyncing") + (("Needs maintenance", "Last Erred") if faulted else ())
        out = []
        for name, m in self.initial["mirrors"].items():
            now = self.final["mirrors"].get(name)
            healthy = sum(1 for s in now["members"].values() if s in kept) if now else 0
            if healthy < m["okay"] and self._frozen_by_stale_db(name):
                continue        # nothing could be reattached: the fault's, see below
            if healthy < m["okay"]:
                out.append(f"{name}: {m['okay']} Okay at the start, {healthy} Okay or "
                           "resyncing at the end")
        return out

    @cached_property
    def left_behind(self) -> list[str]:
        """What the driver changed and did not restore: locks, submirrors, redundancy."""
        return ([f"{x} write-locked" if x.endswith("(write)") else f"{x} locked"
                 for x in self.locked]
                + [f"database {x} left quiesced" for x in self.quiesced]
                + [f"{x} left detached" for x in self.still_detached]
                + self.lost_redundancy)

    @cached_property
    def changed(self) -> bool:
        """Did the driver change anything: a state change, or a dump written anywhere."""
        if any(c.changes for c in self.transcript.calls):
            return True
        for call in self.transcript.calls_named("ufsdump"):
            keys = _dump_keys(call.argv)
            if keys is not None and not keys.printsize:
                return True
        return bool(raw_copies(self.transcript))


@dataclass
class Finding:
    """What one check found: whether it held, a one-line reason, and the calls that show it."""

    held: bool
    summary: str
    evidence: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


CheckFunction = Callable[[Run], Finding | None]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its name, what it holds when (one line), and its function."""

    name: str
    description: str
    function: CheckFunction


CHECKS: list[CheckSpec] = []


def check(name: str, description: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check; the verdict runs them in the order they are registered."""
    def register(function: CheckFunction) -> CheckFunction:
        if any(c.name == name for c in CHECKS):
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS.append(CheckSpec(name, description, function))
        return function
    return register


def _hang_allowed(run: Run) -> bool:
    return "hung" in run.expect.outcomes()


@check("no-hang", "the host never hung (`lockfs -w /` hangs it, as the Admin Guide warns)")
def no_hang(run: Run) -> Finding:
    if run.hung:
        locks = [c for c in run.transcript.calls_named("lockfs") if "-w" in " ".join(c.argv)]
        return Finding(_hang_allowed(run), f"host hung: {run.hung}", locks[-1:])
    return Finding(not run.expect.hang, "host never hung" if not run.expect.hang else
                   "scenario expected a hang that did not happen")


@check("filesystems-unlocked", "no file system is left locked by the driver, and no write "
       "lock it took was held longer than `[expect] max_lock_seconds` (default 30 virtual "
       "seconds: application writes stall meanwhile)")
def filesystems_unlocked(run: Run) -> Finding:
    parts = []
    if run.locked:
        parts.append("still locked at the end: " + ", ".join(run.locked))
    for span in run.long_locks:
        stalled = stalled_writes(run.host, span.mount, span.seconds)
        parts.append(f"{span.mount} write-locked {span.seconds:.0f} virtual s (limit "
                     f"{run.expect.max_lock_seconds:.0f}): {stalled} application "
                     f"write(s) stalled")
    if parts:
        summary = "; ".join(parts)
    else:
        summary = "every file system unlocked"
        mine = [s for s in run.lock_spans if s.by_driver]
        if mine:
            longest = max(mine, key=lambda s: s.seconds)
            summary += (f"; longest write lock {longest.mount} {longest.seconds:.1f} virtual "
                        f"s, {stalled_writes(run.host, longest.mount, longest.seconds)} "
                        "write(s) stalled")
    notes = [n for n in run.preexisting if "-locked" in n]
    return Finding(not parts, summary, run.transcript.calls_named("lockfs"), notes)


@check("databases-resumed", "(shown on hosts with databases on raw volumes) no database is "
       "left quiesced by the driver: its vendor utility's resume ran after the split")
def databases_resumed(run: Run) -> Finding | None:
    if not run.host.databases.databases:
        return None
    evidence = [c for c in run.transcript.calls if any(
        ch.startswith("database ") for ch in c.changes)]
    if run.quiesced:
        return Finding(False, "left quiesced (their writes held back): "
                       + ", ".join(run.quiesced), evidence[-2:])
    return Finding(True, "no database left quiesced", evidence[-2:])


@check("submirrors-reattached",
       "every submirror the driver detached is attached again (one missing before the "
       "run is not its fault)")
def submirrors_reattached(run: Run) -> Finding:
    still = run.still_detached
    return Finding(not still, "every detached submirror was reattached" if not still else
                   "left detached: " + ", ".join(sorted(set(still))),
                   run.transcript.calls_named("metadetach", "metattach"))


@check("detached-under-write-lock",
       "(shown when a submirror was detached) every submirror of a mounted UFS other than "
       "`/` was detached while `lockfs -w` held it (the procedure's step 2)")
def detached_under_write_lock(run: Run) -> Finding | None:
    # / must never be write-locked: that hangs the host
    unlocked = []
    for rec in run.host.fs.detach_records:
        if rec.time < run.transcript.start():
            continue
        mount = run.host.fs.mount_of(f"/dev/md/dsk/{rec.mirror.rpartition('/')[2]}")
        if mount and mount != "/" and not rec.locked:
            unlocked.append(f"{rec.submirror} from {rec.mirror} ({mount})")
    if not unlocked and not any(
            run.host.fs.mount_of(f"/dev/md/dsk/{r.mirror.rpartition('/')[2]}")
            for r in run.host.fs.detach_records if r.time >= run.transcript.start()):
        return None     # no submirror of a mounted UFS was detached (a raw volume's, say)
    detaches = [c for c in run.transcript.calls_named("metadetach") if c.exit_code == 0]
    return Finding(not unlocked,
                   "every submirror of a mounted UFS was detached under lockfs -w"
                   if not unlocked else "detached without lockfs -w: " + ", ".join(unlocked),
                   detaches)


@check("redundancy", "the lowest number of Okay submirrors of every mirror stayed at or "
       "above `[expect] min_okay_submirrors` (default 1), or at what the mirror started "
       "with when that was fewer")
def redundancy(run: Run) -> Finding:
    low = run.transcript.min_okay
    floor = run.expect.min_okay_submirrors
    start = {m: v["okay"] for m, v in run.initial["mirrors"].items()} if run.initial else {}
    below = [m for m, (n, _) in low.items() if n < min(floor, start.get(m, floor))]
    detail = ", ".join(
        f"{m}: {v[0]} Okay at {run.host.clock.ctime(v[1])}"
        + (f" ({start[m]} at the start)" if m in start and start[m] != v[0] else "")
        for m, v in sorted(low.items())) or "no mirrors"
    notes = [n for n in run.preexisting if "-locked" not in n]
    return Finding(not below, f"lowest Okay submirrors: {detail}",
                   run.transcript.calls_named("metadetach", "metattach"), notes)


@check("backup-made", "a ufsdump ran to the end, and the fsck before it was clean (a raw "
       "volume: a dd copied the whole device without a read error)")
def backup_made(run: Run) -> Finding | None:
    if run.expect.backup is False:
        return None
    outcome = run.outcome
    if not outcome.dumps:
        # a driver that only looks (a monitoring plugin, a refusal) is not judged on a
        # backup; one that split a mirror, or a scenario that expects a backup, is
        if run.expect.backup is not True and not run.transcript.detached:
            return None
        reason = "no ufsdump was run" + (
            " although a submirror was detached" if run.transcript.detached else "")
        return Finding(False, reason, run.transcript.calls_named("metadetach")[-1:])
    why = []
    if not outcome.completed:
        why.append("the dump did not complete")
    if outcome.error:
        why.append(f"archive unreadable ({outcome.error})")
    if outcome.fsck_clean is False:
        why.append("fsck was not clean on what was dumped")
    if outcome.fsck_clean is None:
        why.append("no fsck of the dumped device before the dump")
    if outcome.unreadable:
        why.append(f"{outcome.unreadable} unreadable block(s) of {outcome.raw.device} are "
                   "zeros in the copy (dd conv=noerror)" if outcome.raw is not None else
                   f"{outcome.unreadable} sector(s) of the dumped device could not be read "
                   "and are zeros in the archive")
    held = outcome.completed and not outcome.error and outcome.fsck_clean is not False \
        and not outcome.unreadable
    if outcome.raw is not None and not outcome.raw.whole:
        why.append(f"dd copied {outcome.raw.copied} of the {outcome.raw.size} bytes of "
                   f"{outcome.raw.device}")
        held = False
    summary = (f"archive {outcome.archive} complete" if held else "; ".join(why))
    if outcome.fsck_clean is None and held:
        summary += " (no fsck of the dumped device before the dump)"
    return Finding(held, summary, outcome.fsck_calls[-1:] + outcome.dumps[-1:],
                   list(outcome.notes))


@check("archive-matches-detach-view", "(shown when it failed) the archive is a consistent "
       "image: dumped from a submirror detached under `lockfs -w` (not a live submirror, "
       "nor the volume of a mounted, busy file system), and equal to the file system as "
       "applications saw it at detach time")
def archive_matches_detach_view(run: Run) -> Finding | None:
    outcome = run.outcome
    if not outcome.dumps or outcome.error:
        return None
    why = []
    if outcome.consistent is False:
        why.append(f"not a consistent image: {outcome.inconsistency}")
    if outcome.differing:
        seen = "at detach time" if outcome.consistent and "detached" in outcome.source \
            else "when it was dumped"
        why.append(f"{len(outcome.differing)} file(s) differ from what applications saw "
                   f"{seen}" + ("" if outcome.completed else " (the dump did not complete)"))
    if not why:
        return None
    return Finding(False, "; ".join(why), outcome.dumps[-1:], notes=outcome.differing[:50])


@check("driver-exit",
       "the driver's exit status is what the scenario's `[expect] driver_exit` says (or its "
       "`outcome` implies); a driver that never finished fails it")
def driver_exit(run: Run) -> Finding | None:
    if run.driver_exit is None:
        why = run.timed_out or (f"the host hung: {run.hung}" if run.hung else "killed")
        allowed = ("timed-out" if run.timed_out else "hung") in run.expect.outcomes() \
            if (run.timed_out or run.hung) else False
        return Finding(allowed, f"driver did not finish ({why})")
    want = run.expect.driver_exit
    if want is None:
        return None
    ok = (run.driver_exit == 0) if want == "zero" else (run.driver_exit != 0) \
        if want == "nonzero" else run.driver_exit == int(want)
    return Finding(ok, f"driver exited {run.driver_exit} (scenario expects {want})")


@check("driver-told-truth", "the driver did not exit 0 when the backup failed")
def driver_told_truth(run: Run) -> Finding | None:
    if run.driver_exit is None:
        return None
    outcome = run.outcome
    failed_backup = bool(outcome.dumps) and not outcome.valid or run.hung is not None \
        or bool(run.left_behind)
    truthful = not (failed_backup and run.driver_exit == 0)
    if not truthful:
        told = " although the backup failed"
    elif failed_backup:
        told = ", and the backup did fail"
    elif outcome.dumps:
        told = ", and the backup succeeded" if run.driver_exit == 0 else \
            " although the backup succeeded (a false alarm)"
    else:
        told = " without attempting a backup"
    return Finding(truthful, f"driver exited {run.driver_exit}{told}")


@check("simulator-sound", "(shown when it failed) no fake command failed inside the "
       "simulator; an internal error means the run is not what Solaris would do")
def simulator_sound(run: Run) -> Finding | None:
    errors = run.host.internal_errors
    if not errors:
        return None
    last = errors[-1].strip().splitlines()[-1]
    return Finding(False, f"{len(errors)} internal simulator error(s); last: {last}")


def evaluate(run: Run) -> list[Check]:
    """Every registered check that applies to ``run``, in the order reports show them.

    A check that raises is a failed check whose summary names the exception.
    """
    checks: list[Check] = []
    for spec in CHECKS:
        try:
            found = spec.function(run)
        except Exception as e:   # a broken check is a finding, never a traceback
            found = Finding(False, f"the check could not be evaluated: "
                                   f"{type(e).__name__}: {e}")
        if found is not None:
            checks.append(Check(spec.name, found.held, found.summary, found.evidence,
                                found.notes))
    return checks


def run_checks(host: Host, transcript: Transcript, driver_exit: int | None,
               hung: str | None, expect: Expectations,
               resolve: Resolve | None = None) -> list[Check]:
    """Every registered check that applies to the run (see :func:`evaluate`)."""
    return evaluate(Run(host, transcript, driver_exit, hung, expect, resolve))


# Checks on the backup itself: when the run's outcome is not ``backed-up`` (the dump died,
# was refused, or was never asked for), their failure is what the outcome already says, so
# they stay as evidence and do not fail the run on their own.
BACKUP_CHECKS = ("backup-made", "archive-matches-detach-view")


# what a driver that died with its host could not do: finish, say the truth, back up
CRASH_EXEMPT = (*BACKUP_CHECKS, "driver-exit", "driver-told-truth")


def decisive(checks: list[Check], outcome: str) -> list[Check]:
    """The checks that must hold for a run with ``outcome`` to pass ("": every check). A
    ``crashed`` run is judged on the host it left (locks, submirrors, redundancy), not on
    the exit status or backup of a driver the host took down with it."""
    exempt = CRASH_EXEMPT if outcome == "crashed" else BACKUP_CHECKS
    return [c for c in checks if outcome in ("", "backed-up") or c.name not in exempt]


def checks_table() -> str:
    """The README's table of checks, from the registry (markdown)."""
    rows = ["| check | holds when |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.description} |" for c in CHECKS]
    return "\n".join(rows) + "\n"
