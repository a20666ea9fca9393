"""The verdict of a harness run: named checks, each with whether it held and its evidence.

A check reads the transcript and the final host, never the driver's own words: a driver
that says "backup OK" and exits 0 while its dump died halfway fails ``driver-told-truth``.
The scenario's ``[expect]`` table adjusts what must hold (see ``Expectations``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.session.transcript import Call, Transcript, filesystems, summarize

if TYPE_CHECKING:
    from simulator.host import Host

HANG_REASON = "root file system write-locked"
DUMP_ARG_LETTERS = "abdfNsTt"


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


@dataclass
class Expectations:
    """What the scenario says must hold (``[expect]``), with safe defaults.

    Keys: ``driver_exit`` ("zero", "nonzero" or a number), ``backup`` (true: a complete,
    clean archive must be made; false: none is expected), ``may_stay_detached`` (submirrors
    allowed to end detached), ``min_okay_submirrors`` (lowest Okay count tolerated, default
    1), ``hang`` (true when the scenario expects the host to hang), ``archive_matches``
    (true: the archive must equal the file system as applications saw it at detach time).
    """

    driver_exit: str | int | None = None
    backup: bool | None = None
    may_stay_detached: list[str] = field(default_factory=list)
    min_okay_submirrors: int = 1
    hang: bool = False
    archive_matches: bool = False

    KEYS = ("driver_exit", "backup", "may_stay_detached", "min_okay_submirrors", "hang",
            "archive_matches")

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Expectations:
        d = dict(d or {})
        unknown = sorted(set(d) - set(cls.KEYS))
        if unknown:
            raise ValueError(f"expect: unknown key(s) {', '.join(unknown)} "
                             f"(known: {', '.join(cls.KEYS)})")
        return cls(driver_exit=d.get("driver_exit"), backup=d.get("backup"),
                   may_stay_detached=list(d.get("may_stay_detached", [])),
                   min_okay_submirrors=int(d.get("min_okay_submirrors", 1)),
                   hang=bool(d.get("hang", False)),
                   archive_matches=bool(d.get("archive_matches", False)))


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

    @property
    def good(self) -> bool:
        return bool(self.archive) and self.completed and not self.error \
            and self.fsck_clean is not False


def dump_destination(call: Call) -> str | None:
    """The ``f`` argument of a ufsdump call (``ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3``)."""
    args = call.argv[1:]
    if not args:
        return None
    key, rest = args[0].lstrip("-"), args[1:]
    for letter in key:
        if letter in DUMP_ARG_LETTERS:   # key letters that take the next argument (ufsdump.1m)
            if not rest:
                return None
            value, rest = rest[0], rest[1:]
            if letter == "f":
                return value
    return None


def dump_device(call: Call) -> str | None:
    """The file system a ufsdump call dumped (its last operand)."""
    return call.argv[-1] if len(call.argv) > 2 else None


def backup_outcome(host: Host, transcript: Transcript, resolve: Any = None) -> BackupOutcome:
    """Find the last ufsdump, its archive and fsck, and compare it with the detach view."""
    dumps = transcript.calls_named("ufsdump")
    outcome = BackupOutcome(dumps=dumps)
    if not dumps:
        return outcome
    last = dumps[-1]
    outcome.completed = last.exit_code == 0 and b"DUMP IS DONE" in last.stderr
    dest = dump_destination(last) or "/dev/rmt/0"
    outcome.archive = dest
    device = dump_device(last) or ""
    short = os.path.basename(device)
    outcome.fsck_calls = [c for c in transcript.calls_named("fsck")
                          if c.index < last.index and c.argv and
                          os.path.basename(c.argv[-1]) == short]
    if outcome.fsck_calls:
        outcome.fsck_clean = outcome.fsck_calls[-1].exit_code == 0
    try:
        from simulator.backup.verify import verify_backup
        source: str | bytes
        if dest == "-":   # dumped to standard output: the bytes the driver received
            source, outcome.archive = last.stdout, "standard output of ufsdump"
        elif last.archive is not None:   # the file as the dump left it
            source = last.archive
        elif dest.startswith("/dev/") or resolve is None:
            source = dest
        else:
            source = str(resolve(dest, last.cwd))
        report = verify_backup(host, source)
        outcome.differing = [d if isinstance(d, str) else str(d)
                             for d in getattr(report, "differences_at_detach", [])]
        if not getattr(report, "complete", outcome.completed):
            outcome.completed = False
    except Exception as e:   # the archive may be missing or unreadable: that is a finding
        outcome.error = f"{type(e).__name__}: {e}"
    return outcome


def transcript_start(transcript: Transcript) -> float:
    """Virtual time of the run's first call (detaches before it belong to the scenario)."""
    return transcript.calls[0].start if transcript.calls else float("inf")


def run_checks(host: Host, transcript: Transcript, driver_exit: int | None,
               hung: str | None, expect: Expectations, resolve: Any = None) -> list[Check]:
    """All checks of a run, in the order reports show them."""
    checks: list[Check] = []
    outcome = backup_outcome(host, transcript, resolve)

    # the host did not hang (or hung when the scenario expects it)
    if hung:
        locks = [c for c in transcript.calls_named("lockfs") if "-w" in " ".join(c.argv)]
        checks.append(Check("no-hang", expect.hang, f"host hung: {hung}", locks[-1:]))
    else:
        checks.append(Check("no-hang", not expect.hang,
                            "host never hung" if not expect.hang else
                            "scenario expected a hang that did not happen"))

    # every file system unlocked at the end
    fs = filesystems(host)
    locked: list[str] = []
    if not hung:
        locked = [f"{m} ({lock})" for m, lock in summarize(host)["locks"].items()
                  if lock != "unlock"]
    lock_calls = transcript.calls_named("lockfs")
    checks.append(Check("filesystems-unlocked", not locked,
                        "every file system unlocked" if not locked else
                        "still locked at the end: " + ", ".join(locked), lock_calls))

    # every submirror detached during the run is back
    still: list[str] = []
    from simulator.lvm.md.records import Mirror
    for mirror, subs in transcript.detached.items():
        setname, _, short = mirror.rpartition("/")
        s = host.md.sets.get(setname)
        unit = s.units.get(short) if s else None
        for sub in subs:
            attached = isinstance(unit, Mirror) and unit.slot(sub.rpartition("/")[2])
            if not attached and sub not in expect.may_stay_detached:
                still.append(f"{sub} (from {mirror})")
    detach_calls = transcript.calls_named("metadetach", "metattach")
    checks.append(Check("submirrors-reattached", not still,
                        "every detached submirror was reattached" if not still else
                        "left detached: " + ", ".join(sorted(set(still))), detach_calls))

    # the procedure's step 2: a mounted UFS is write-locked while its submirror is detached
    # (except /, which must never be write-locked: that hangs the host)
    unlocked_detaches = []
    if fs is not None:
        for rec in fs.detach_records:
            if rec.time < transcript_start(transcript):
                continue
            mount = fs.mount_of(f"/dev/md/dsk/{rec.mirror.rpartition('/')[2]}")
            if mount and mount != "/" and not rec.locked:
                unlocked_detaches.append(f"{rec.submirror} from {rec.mirror} ({mount})")
    if unlocked_detaches or transcript.detached:
        detaches = [c for c in transcript.calls_named("metadetach") if c.exit_code == 0]
        checks.append(Check("detached-under-write-lock", not unlocked_detaches,
                            "every submirror of a mounted UFS was detached under lockfs -w"
                            if not unlocked_detaches else "detached without lockfs -w: "
                            + ", ".join(unlocked_detaches), detaches))

    # redundancy: the lowest number of Okay submirrors of each mirror during the run
    low = {m: v for m, v in transcript.min_okay.items()}
    worst = min((v[0] for v in low.values()), default=None)
    detail = ", ".join(f"{m}: {v[0]} Okay at {host.clock.ctime(v[1])}"
                       for m, v in sorted(low.items())) or "no mirrors"
    checks.append(Check("redundancy", worst is None or worst >= expect.min_okay_submirrors,
                        f"lowest Okay submirrors: {detail}", detach_calls))

    # the backup
    if expect.backup is not False:
        if not outcome.dumps:
            # a driver that only looks (a monitoring plugin, a refusal) is not judged on a
            # backup; one that split a mirror, or a scenario that expects a backup, is
            if expect.backup is True or transcript.detached:
                reason = "no ufsdump was run" + (
                    " although a submirror was detached" if transcript.detached else "")
                checks.append(Check("backup-made", False, reason,
                                    transcript.calls_named("metadetach")[-1:]))
        else:
            why = []
            if not outcome.completed:
                why.append("the dump did not complete")
            if outcome.error:
                why.append(f"archive unreadable ({outcome.error})")
            if outcome.fsck_clean is False:
                why.append("fsck was not clean on what was dumped")
            if outcome.fsck_clean is None:
                why.append("no fsck of the dumped device before the dump")
            held = outcome.completed and not outcome.error and outcome.fsck_clean is not False
            summary = (f"archive {outcome.archive} complete" if held else "; ".join(why))
            if outcome.fsck_clean is None and held:
                summary += " (no fsck of the dumped device before the dump)"
            checks.append(Check("backup-made", held, summary,
                                outcome.fsck_calls[-1:] + outcome.dumps[-1:]))
            if outcome.differing or expect.archive_matches:
                checks.append(Check(
                    "archive-matches-detach-view", not outcome.differing or
                    not expect.archive_matches,
                    f"{len(outcome.differing)} file(s) differ from what applications saw "
                    "at detach time" if outcome.differing else
                    "archive equals the file system at detach time",
                    outcome.dumps[-1:], notes=outcome.differing[:50]))

    # the driver's exit code, and whether it told the truth
    failed_backup = bool(outcome.dumps) and not outcome.good or hung is not None \
        or bool(still) or bool(locked)
    if driver_exit is None:
        checks.append(Check("driver-exit", False, "driver did not finish (killed)"))
    else:
        if expect.driver_exit is not None:
            want = expect.driver_exit
            ok = (driver_exit == 0) if want == "zero" else (driver_exit != 0) \
                if want == "nonzero" else driver_exit == int(want)
            checks.append(Check("driver-exit", ok, f"driver exited {driver_exit} "
                                f"(scenario expects {want})"))
        truthful = not (failed_backup and driver_exit == 0)
        if not truthful:
            told = " although the backup failed"
        elif failed_backup:
            told = ", and the backup did fail"
        elif outcome.dumps:
            told = ", and the backup succeeded" if driver_exit == 0 else \
                " although the backup succeeded (a false alarm)"
        else:
            told = " without attempting a backup"
        checks.append(Check("driver-told-truth", truthful, f"driver exited {driver_exit}{told}"))
    return checks
