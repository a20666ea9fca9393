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

from simulator.core.coverage import Coverage
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


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/fsck.c", "usr/src/cmd/fs.d/ufs/fsck/main.c",
            "usr/src/cmd/fs.d/ufs/fsck/setup.c", "usr/src/cmd/fs.d/ufs/fsck/pass1.c",
            "usr/src/cmd/fs.d/ufs/fsck/pass2.c", "usr/src/cmd/fs.d/ufs/fsck/pass4.c",
            "usr/src/cmd/fs.d/ufs/fsck/pass5.c", "usr/src/cmd/fs.d/ufs/fsck/utilities.c"),
    getopt=(OPTSTRING,),
    options=(
        "-F FSType: the type (only ufs)",
        "-m: check whether the file system is sane to mount, repair nothing",
        "-n: answer no to every question (-N the same)",
        "-y: answer yes to every question (-Y the same)",
        "-v: verbose",
        "-V: echo the fsck_ufs command lines, check nothing",
        "-o p,b=#,d,f: preen, an alternate superblock, debug (verbose), force; w is "
        "accepted with no effect",
        "-?: the usage; with -F ufs, fsck_ufs's",
        "special: each raw device or mount point (none: the vfstab entries with a fsck pass)",
    ),
    not_simulated=(
        "file system types other than ufs: 'operation not applicable to FSType'",
        "phases 3a and 3b print only their headings (the model never disconnects "
        "directories or damages ACLs)",
    ),
    messages=(
        GENERIC_USAGE,
        UFS_USAGE,
        "<prog>: more than one fstype specified",
        "<prog>: Fstype <type> exceeds 8 characters",
        "<prog>: operation not applicable to FSType <type>",
        "<prog>: illegal option -- ?",
        "-b flag requires a block",
        "Alternate super block location: <n>.",
    ),
    notes="The check's own messages (the phases, the questions) are in main.py, setup.py, "
          "pass1.py, pass2.py, pass4.py, pass5.py and utilities.py beside this module.",
)


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
