"""fsck(1M) for UFS: the generic front end (fs.d/fsck.c) and fsck_ufs's options
(fs.d/ufs/fsck/main.c main()).

The generic fsck reads ``getopt(3C) "?F:mnNo:vVyY"``: a bad option is libc's complaint and
counts as ``-?``; a second ``-?`` (or bad option), ``-F`` or ``-V`` is ``usage()`` at once
(``more than one fstype specified`` before it for ``-F``); ``-?`` with ``-F ufs`` runs
fsck_ufs with ``-?``, which complains (``fsck: illegal option -- ?``) and prints its own
usage (exit EXBADPARM), and without ``-F`` prints the generic usage (exit 1). ``-m`` with
any other of ``-mnNvyY`` is usage. With no operands the vfstab entries with a numeric
fsck pass of 1 or more are checked. fsck_ufs's ``-o`` suboptions are ``p,b=#,d,w,f``
(getsubopt; another is its usage). The check itself: main.py (checkfilesys), setup.py,
pass1.py, pass2.py, pass4.py, pass5.py, utilities.py -- as in the illumos sources.
"""

from __future__ import annotations

from simulator.core.errors import CommandExit, UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.ufs.cmd.fsck.main import checkfilesys
from simulator.ufs.cmd.fsck.utilities import EXBADPARM, UFS_USAGE, Run
from simulator.ufs.filesystems import FileSystems

OPTSTRING = "?F:mnNo:vVyY"           # fsck.c main()
FSTYPE_MAX = 8                       # fsck.c
GENERIC_USAGE = ("Usage:\n{p} [-F FSType] [-V] [-m] [special ...]\n"
                 "{p} [-F FSType] [-V] [-y|Y|n|N] [-o specific_options] [special ...]")


def usage(inv: Invocation) -> int:
    inv.err(GENERIC_USAGE.format(p=inv.prog))
    return 1


def main(inv: Invocation) -> int:
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)
    questflg = fflg = vflg = sanity = options = 0
    fstype: str | None = None
    run_opts: list[tuple[str, str]] = []
    for o in opts:
        if o.char == "?":
            o.complain(inv)
            questflg += 1
            if questflg > 1:
                raise UsageError
        elif o.char == "F":
            fflg += 1
            if fflg > 1:
                inv.err(f"{inv.prog}: more than one fstype specified")
                raise UsageError
            fstype = o.arg or ""
            if len(fstype) > FSTYPE_MAX:
                inv.err(f"{inv.prog}: Fstype {fstype} exceeds {FSTYPE_MAX} characters")
                return 1
        elif o.char == "V":
            vflg += 1
            if vflg > 1:
                raise UsageError
        else:
            sanity += o.char == "m"
            options += o.char != "o"
            run_opts.append((f"-{o.char}", o.arg or ""))
    if questflg:
        if fflg:
            return _specific_question(inv, fstype or "")
        raise UsageError
    if sanity and options > 1:
        raise UsageError
    if sanity and fstype is None and len(inv.argv) > (3 if args else 2):
        raise UsageError
    if fstype not in (None, "ufs"):
        inv.err(f"{inv.prog}: operation not applicable to FSType {fstype}")
        return 1
    fs: FileSystems = inv.host.fs
    if not args:
        args = [f.raw_device for f in fs.vfstab_filesystems() if f.fsck_pass.isdigit()
                and int(f.fsck_pass) >= 1]
    status = 0
    for special in args:
        target = special
        vf = fs.vfstab_entry(special)
        if vf is not None and special == vf.mount:
            target = vf.raw_device
        if vflg:
            flags = " ".join(f"-o {v}" if o == "-o" else o for o, v in run_opts)
            inv.out(f"{inv.prog} -F ufs" + (f" {flags}" if flags else "") + f" {target}")
            continue
        status = max(status, _fsck_ufs(inv, fs, run_opts, target))
    return status


def _specific_question(inv: Invocation, fstype: str) -> int:
    """``fsck -F <type> -?``: fsck.c execs the type's fsck with ``-?``; fsck_ufs's getopt
    ("mnNo:VvyY") complains and main.c usage() exits EXBADPARM."""
    if fstype != "ufs":
        inv.err(f"{inv.prog}: operation not applicable to FSType {fstype}")
        return 1
    inv.err(f"{inv.prog}: illegal option -- ?")
    inv.err(UFS_USAGE)
    return EXBADPARM


def _fsck_ufs(inv: Invocation, fsx: FileSystems, opts: list[tuple[str, str]],
              special: str) -> int:
    """fsck_ufs main(): its flags, then checkfilesys() on ``special``."""
    run = Run(inv)
    for opt, val in opts:
        if opt == "-m":
            run.mflag = True
        elif opt in ("-n", "-N"):
            run.nflag, run.yflag = True, False
        elif opt in ("-y", "-Y"):
            run.yflag, run.nflag = True, False
        elif opt == "-v":
            run.verbose = True
        elif opt == "-o":
            for sub in val.split(","):
                key, _, value = sub.partition("=")
                if key == "p":
                    run.preen = True
                elif key == "b":
                    if not value.isdigit():
                        inv.err("-b flag requires a block")
                        return EXBADPARM
                    run.bflag = int(value)
                    run.out(f"Alternate super block location: {run.bflag}.\n")
                elif key == "d":
                    run.verbose = True
                elif key == "f":
                    run.fflag = True
                elif key != "w":
                    inv.err(UFS_USAGE)
                    return EXBADPARM
    try:
        checkfilesys(run, fsx, special)
    except CommandExit as e:
        return e.code
    return run.exitstat


__all__ = ["main", "usage"]
