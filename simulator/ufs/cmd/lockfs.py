"""lockfs(1M): lock, unlock, flush and report UFS file system locks.

Follows usr/src/cmd/fs.d/ufs/lockfs/lockfs.c: getopt ``vfwnduheac:`` with ``opterr = 0`` (a
bad option prints only the usage line, on stdout, exit 1); the last of ``-wnduhe`` (and
``-c``, which alone means an unlock with a comment) chooses the request; with no arguments
at all the locked UFS file systems are listed, with ``-a`` every mounted one. Every failing
system call is ``perror(path)`` and exit status 2. The kernel's checks (privilege, busy,
hard/error lock rules, accounting or swap files) are in the model (ufs_lockfs.c).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.errors import UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.strerror import SysError
from simulator.ufs.filesystems import FileSystems

OPTSTRING = "vfwnduheac:"            # lockfs.c main(), opterr = 0
USAGE = "usage: lockfs [-dfhnuw] [-c string] [-a] [file system ...]"
LOCK_FLAGS = {"w": "write", "n": "name", "d": "delete", "h": "hard", "e": "error",
              "u": "unlock"}


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/ufs/lockfs/lockfs.c", "usr/src/uts/common/fs/ufs/ufs_lockfs.c"),
    getopt=(OPTSTRING,),
    options=(
        "-w: write-lock",
        "-n: name-lock",
        "-d: delete-lock",
        "-h: hard-lock",
        "-e: error-lock",
        "-u: unlock",
        "-c string: the lock's comment (alone: an unlock with a comment)",
        "-f: flush the file system",
        "-a: every mounted file system",
        "-v: verbose: warn of a file system modified while locked",
        "file system: each mount point (none: the locked UFS file systems are listed)",
    ),
    messages=(
        USAGE,
        "Filesystem           Locktype   Comment",
        "WARNING: <fs> was modified while <lock> locked",
        "<fs>: <strerror>",
        "<fs> EIO May be hard locked",
    ),
    notes="The kernel's checks (privilege, busy, hard and error lock rules) are the "
          "model's (simulator/ufs/locks.py, after ufs_lockfs.c).",
)


def usage(inv: Invocation) -> int:
    inv.out(USAGE)
    return 1


def _status_line(inv: Invocation, state: dict[str, bool], fn: str, locktype: str,
                 comment: str) -> None:
    if not state.get("header"):
        inv.out(f"{'Filesystem':<20} {'Locktype':<10} Comment")
        state["header"] = True
    inv.out(f"{fn:<20} {locktype:<10} {comment}")


def main(inv: Invocation) -> int:
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)
    fs: FileSystems = inv.host.fs
    verbose = all_ = False
    request, lock, comment = "status", "unlock", None
    for o in opts:
        if o.char == "v":
            verbose = True
        elif o.char == "f":
            request = "flush"
        elif o.char in LOCK_FLAGS:
            lock, request = LOCK_FLAGS[o.char], "lock"
        elif o.char == "a":
            all_ = True
        elif o.char == "c":
            comment, request = o.arg, "lock"
        else:                        # '?': exitusage(), no complaint (opterr = 0)
            raise UsageError
    no_unlocks = False
    if not inv.args:
        no_unlocks = all_ = True
    names = [m for m, _ in fs.mounts()] if all_ else args
    status = 0
    state: dict[str, bool] = {}
    for fn in names:
        try:
            target = fs.open_fs(fn, inv.cwd)
            if request == "status":
                status = max(status, _print_status(inv, fs.lock_status(target), fn, no_unlocks,
                                                   verbose, state))
            elif request == "flush":
                fs.flushfs(target)
            else:
                cur, _, mod = fs.lock_status(target)
                if mod and cur in ("hard", "error", "write"):
                    status = 2
                    if verbose:
                        inv.out(f"WARNING: {fn} was modified while {cur} locked")
                fs.lockfs(target, lock, comment, inv.uid)
        except SysError as e:
            if request == "status" and e.errno == "EIO":
                _status_line(inv, state, fn, "EIO", "May be hard locked")
            else:
                inv.err(f"{fn}: {e.text}")
            status = 2
    return status


def _print_status(inv: Invocation, found: tuple[str, str, bool], fn: str, no_unlocks: bool,
                  verbose: bool, state: dict[str, bool]) -> int:
    """One file system's line of the status listing; ``found``: its (lock, comment,
    modified-while-locked), ``FileSystems.lock_status``."""
    lock, comment, mod = found
    if lock == "unlock" and no_unlocks:
        return 0
    _status_line(inv, state, fn, lock, comment)
    if mod and lock in ("write", "hard", "error"):
        if verbose:
            inv.out(f"WARNING: {fn} was modified while {lock} locked")
        return 2
    return 0
