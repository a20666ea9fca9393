"""svm_backup: online backup of a UFS file system on an SVM RAID-1 volume, in Python.

A site's backup driver as sites write them, used by the tests of the ``svm_host`` fixture.
It follows "How to Perform an Online Backup of a RAID-1 Volume" (Solaris Volume Manager
Administration Guide): check that the mirror is Okay, write-lock the file system, detach one
submirror, unlock, fsck the detached submirror's raw device, ufsdump it, reattach it. The
commands are called by absolute path through :mod:`subprocess`, as on Solaris.

Usage: example_driver.py [-l level] [-f dumpfile] [-m min_submirrors] mirror submirror mount

Exit status: 0 backup done and submirror reattached; 1 backup failed (submirror
reattached); 2 refused: preconditions not met, nothing changed; 3 the submirror could not be
reattached or the file system not unlocked: an administrator must look.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import NoReturn

METASTAT = "/usr/sbin/metastat"
METADETACH = "/usr/sbin/metadetach"
METATTACH = "/usr/sbin/metattach"
LOCKFS = "/usr/sbin/lockfs"
FSCK = "/usr/sbin/fsck"
UFSDUMP = "/usr/sbin/ufsdump"

DONE, FAILED, REFUSED, NEEDS_ADMIN = 0, 1, 2, 3
FSCK_OK = (0, 40)          # 40: fsck_ufs's EXROOTOKAY


class Refused(Exception):
    """A precondition does not hold: nothing was changed."""


class BackupFailed(Exception):
    """A step of the backup failed after the submirror was detached."""


@dataclass
class MirrorStatus:
    """What ``metastat <mirror>`` says about a mirror."""

    name: str
    states: dict[str, str] = field(default_factory=dict)   # submirror -> State:
    resyncing: bool = False


def log(text: str) -> None:
    print(f"svm_backup: {text}", file=sys.stderr)


def mirror_status(mirror: str) -> MirrorStatus:
    """Parse ``metastat <mirror>``; Refused if it fails or is not a mirror."""
    r = subprocess.run([METASTAT, mirror], capture_output=True, text=True)
    if r.returncode != 0:
        raise Refused(f"metastat {mirror} failed: {r.stderr.strip()}")
    lines = r.stdout.splitlines()
    if not lines or lines[0] != f"{mirror}: Mirror":
        raise Refused(f"{mirror} is not a mirror")
    status = MirrorStatus(mirror)
    current = None
    for line in lines[1:]:
        if not line.startswith("    "):
            break                       # the submirrors' own sections follow
        m = re.match(r"    Submirror \d+: (\S+)$", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"      State: (.*\S)", line)
        if m and current is not None:
            status.states[current] = m.group(1)
        if "Resync in progress" in line:
            status.resyncing = True
    return status


def check(status: MirrorStatus, sub: str, min_submirrors: int) -> None:
    """The guide's preconditions, as Refused."""
    bad = {s: st for s, st in status.states.items() if st != "Okay"}
    if bad:
        what = ", ".join(f"{s} {st}" for s, st in sorted(bad.items()))
        raise Refused(f"{status.name} is not Okay ({what}): repair it first")
    if status.resyncing:
        raise Refused(f"{status.name} is resyncing: try again later")
    if sub not in status.states:
        raise Refused(f"{sub} is not a submirror of {status.name}")
    if len(status.states) < max(2, min_submirrors):
        raise Refused(f"{status.name} has {len(status.states)} submirror(s); at least "
                      f"{max(2, min_submirrors)} needed")


def run(argv: list[str], what: str) -> subprocess.CompletedProcess[str]:
    """Run a command; BackupFailed (with its message) if it exits non-zero."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as e:
        raise BackupFailed(f"{what} failed (exit {e.returncode}): "
                           f"{(e.stderr or e.stdout or '').strip()}") from None


def dump(level: int, dumpfile: str, raw: str) -> None:
    """ufsdump the raw device, passing its DUMP: messages on as they come."""
    with subprocess.Popen([UFSDUMP, f"{level}uf", dumpfile, raw], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip():
                log(line.strip())
    if proc.returncode != 0:
        raise BackupFailed(f"ufsdump of {raw} failed (exit {proc.returncode})")


def backup(mirror: str, sub: str, mount: str, level: int, dumpfile: str,
           min_submirrors: int) -> int:
    check(mirror_status(mirror), sub, min_submirrors)
    raw = f"/dev/md/rdsk/{sub}"
    status = DONE
    locked = detached = False
    try:
        try:
            if mount != "/":            # never lockfs -w /: it hangs the system
                run([LOCKFS, "-w", mount], f"lockfs -w {mount}")
                locked = True
            run([METADETACH, mirror, sub], f"metadetach {mirror} {sub}")
            detached = True
        finally:
            if locked:
                r = subprocess.run([LOCKFS, "-u", mount], capture_output=True, text=True)
                if r.returncode != 0:
                    log(f"CRITICAL: cannot unlock {mount}: writers are stalled, "
                        f"run: lockfs -u {mount}")
                    status = NEEDS_ADMIN
        if status != DONE:
            return status
        fsck = subprocess.run([FSCK, "-y", raw], capture_output=True, text=True)
        if fsck.returncode not in FSCK_OK:
            raise BackupFailed(f"fsck of {raw} failed (exit {fsck.returncode}): "
                               "no backup taken")
        dump(level, dumpfile, raw)
        log(f"level {level} backup of {mount} ({mirror}/{sub}) to {dumpfile} done")
    except BackupFailed as e:
        log(str(e))
        status = max(status, FAILED)
    finally:
        if detached:
            r = subprocess.run([METATTACH, mirror, sub], capture_output=True, text=True)
            if r.returncode != 0:
                log(f"CRITICAL: cannot reattach {sub} to {mirror}: {r.stderr.strip()}; "
                    f"run: metattach {mirror} {sub}")
                status = NEEDS_ADMIN
    return status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="svm_backup", description=__doc__.splitlines()[0])
    p.add_argument("-l", dest="level", type=int, default=0, choices=range(10))
    p.add_argument("-f", dest="dumpfile", default="/dev/rmt/0")
    p.add_argument("-m", dest="min_submirrors", type=int, default=2)
    p.add_argument("mirror")
    p.add_argument("submirror")
    p.add_argument("mount")
    args = p.parse_args(argv)
    try:
        return backup(args.mirror, args.submirror, args.mount, args.level, args.dumpfile,
                      args.min_submirrors)
    except Refused as e:
        log(f"refused: {e}")
        return REFUSED


def entry() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":
    entry()
