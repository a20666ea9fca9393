"""The verdict of a run: named checks, each with whether it held and its evidence.

A check reads the transcript and the final host, never the driver's own words: a driver
that says "backup OK" and exits 0 while its dump died halfway fails ``driver-told-truth``.
The scenario's ``[expect]`` table adjusts what must hold (see ``Expectations``).

Each check is one small function registered in :data:`CHECKS` with its name and a one-line
description (what the README's table of checks says), as Jepsen's checkers are: the
verdict runs them all in order, a check that does not apply to a run returns None (it is
not shown), and a check that raises is a failed check saying so, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.backup.cmd.ufsdump import DumpKeys, parse_keys
from simulator.backup.tapes import DEFAULT_TAPE
from simulator.core.files import FileAccess
from simulator.lvm.md.records import Mirror
from simulator.scenario.schema import Expect
from simulator.session.transcript import Call, Transcript, summarize

if TYPE_CHECKING:
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

    @property
    def good(self) -> bool:
        return bool(self.archive) and self.completed and not self.error \
            and self.fsck_clean is not False


def _dump_keys(argv: list[str]) -> DumpKeys | None:
    """A ufsdump command line as dumpmain.c reads it; None when dump would abort on its
    key or only report (``w``/``W``)."""
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
    """The archive a ufsdump call wrote to a file, as it left it (small: metadata and
    digests); None for tapes, standard output, or a file that is not there."""
    dest = dump_destination(call.argv)
    if not dest or dest == "-" or dest.startswith("/dev/"):
        return None
    try:
        return files.resolve(dest, call.cwd).read_bytes()
    except OSError:
        return None


def backup_outcome(host: Host, transcript: Transcript,
                   resolve: Resolve | None = None) -> BackupOutcome:
    """Find the last ufsdump, its archive and fsck, and compare it with the detach view."""
    from simulator.backup.verify import verify_backup
    dumps = transcript.calls_named("ufsdump")
    outcome = BackupOutcome(dumps=dumps)
    if not dumps:
        return outcome
    last = dumps[-1]
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
        report = verify_backup(host, source)
        outcome.differing = [str(d) for d in report.differences_at_detach]
        if not report.complete:
            outcome.completed = False
    except Exception as e:   # the archive may be missing or unreadable: that is a finding
        outcome.error = f"{type(e).__name__}: {e}"
    return outcome


# ---------------------------------------------------------------------------- the checks
@dataclass
class Run:
    """What every check reads: the final host, the transcript, and how the run ended."""

    host: Host
    transcript: Transcript
    driver_exit: int | None
    hung: str | None
    expect: Expectations
    resolve: Resolve | None = None

    @cached_property
    def outcome(self) -> BackupOutcome:
        return backup_outcome(self.host, self.transcript, self.resolve)

    @cached_property
    def locked(self) -> list[str]:
        """File systems still locked at the end (a hung host is judged by no-hang)."""
        if self.hung:
            return []
        return [f"{m} ({lock})" for m, lock in summarize(self.host)["locks"].items()
                if lock != "unlock"]

    @cached_property
    def still_detached(self) -> list[str]:
        """Submirrors detached during the run and not attached again (nor allowed to stay)."""
        still: list[str] = []
        for mirror, subs in self.transcript.detached.items():
            setname, _, short = mirror.rpartition("/")
            s = self.host.md.sets.get(setname)
            unit = s.units.get(short) if s else None
            for sub in subs:
                attached = isinstance(unit, Mirror) and unit.slot(sub.rpartition("/")[2])
                if not attached and sub not in self.expect.may_stay_detached:
                    still.append(f"{sub} (from {mirror})")
        return still


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


@check("no-hang", "the host never hung (`lockfs -w /` hangs it, as the Admin Guide warns)")
def no_hang(run: Run) -> Finding:
    if run.hung:
        locks = [c for c in run.transcript.calls_named("lockfs") if "-w" in " ".join(c.argv)]
        return Finding(run.expect.hang, f"host hung: {run.hung}", locks[-1:])
    return Finding(not run.expect.hang, "host never hung" if not run.expect.hang else
                   "scenario expected a hang that did not happen")


@check("filesystems-unlocked", "no file system is left write-locked")
def filesystems_unlocked(run: Run) -> Finding:
    return Finding(not run.locked, "every file system unlocked" if not run.locked else
                   "still locked at the end: " + ", ".join(run.locked),
                   run.transcript.calls_named("lockfs"))


@check("submirrors-reattached",
       "every submirror detached during the run is attached again")
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
    if not unlocked and not run.transcript.detached:
        return None
    detaches = [c for c in run.transcript.calls_named("metadetach") if c.exit_code == 0]
    return Finding(not unlocked,
                   "every submirror of a mounted UFS was detached under lockfs -w"
                   if not unlocked else "detached without lockfs -w: " + ", ".join(unlocked),
                   detaches)


@check("redundancy", "the lowest number of Okay submirrors of every mirror stayed at or "
       "above the scenario's `min_okay_submirrors` (default 1)")
def redundancy(run: Run) -> Finding:
    low = run.transcript.min_okay
    worst = min((v[0] for v in low.values()), default=None)
    detail = ", ".join(f"{m}: {v[0]} Okay at {run.host.clock.ctime(v[1])}"
                       for m, v in sorted(low.items())) or "no mirrors"
    return Finding(worst is None or worst >= run.expect.min_okay_submirrors,
                   f"lowest Okay submirrors: {detail}",
                   run.transcript.calls_named("metadetach", "metattach"))


@check("backup-made", "a ufsdump ran to the end, and the fsck before it was clean")
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
    held = outcome.completed and not outcome.error and outcome.fsck_clean is not False
    summary = (f"archive {outcome.archive} complete" if held else "; ".join(why))
    if outcome.fsck_clean is None and held:
        summary += " (no fsck of the dumped device before the dump)"
    return Finding(held, summary, outcome.fsck_calls[-1:] + outcome.dumps[-1:])


@check("archive-matches-detach-view", "(shown when files differ) the archive equals the "
       "file system as applications saw it at detach time")
def archive_matches_detach_view(run: Run) -> Finding | None:
    outcome = run.outcome
    if run.expect.backup is False or not outcome.dumps:
        return None
    if not outcome.differing and not run.expect.archive_matches:
        return None
    return Finding(not outcome.differing or not run.expect.archive_matches,
                   f"{len(outcome.differing)} file(s) differ from what applications saw "
                   "at detach time" if outcome.differing else
                   "archive equals the file system at detach time",
                   outcome.dumps[-1:], notes=outcome.differing[:50])


@check("driver-exit",
       "the driver's exit status is what the scenario's `[expect] driver_exit` says")
def driver_exit(run: Run) -> Finding | None:
    if run.driver_exit is None:
        return Finding(False, "driver did not finish (killed)")
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
    failed_backup = bool(outcome.dumps) and not outcome.good or run.hung is not None \
        or bool(run.still_detached) or bool(run.locked)
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


def run_checks(host: Host, transcript: Transcript, driver_exit: int | None,
               hung: str | None, expect: Expectations,
               resolve: Resolve | None = None) -> list[Check]:
    """Every registered check that applies to the run, in the order reports show them.

    A check that raises is a failed check whose summary names the exception.
    """
    run = Run(host, transcript, driver_exit, hung, expect, resolve)
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


def checks_table() -> str:
    """The README's table of checks, from the registry (markdown)."""
    rows = ["| check | holds when |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.description} |" for c in CHECKS]
    return "\n".join(rows) + "\n"
