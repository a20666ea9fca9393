"""Fault kinds of the file systems: ``lockfs`` refused, fsck finding errors, a torn copy.

The lockfs kinds make the next ``_FIOLFS`` ioctl on the target mount point fail with the errno
the real kernel returns in that situation (``host.fs.lock_refusals``, consulted by
:meth:`simulator.ufs.locks.Locks.lockfs`); lockfs(1M) prints ``perror(path)`` and exits 2.
The damage kinds leave damage on a submirror's copy (:meth:`simulator.ufs.mirrors.Mirrors.
damage`): at once when it is detached, else at its detach; fsck then finds it with its real
phase messages (``simulator/ufs/cmd/fsck``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.faults.kind import FaultKind, Param
from simulator.faults.spec import FaultError

if TYPE_CHECKING:
    from simulator.faults.spec import Fault
    from simulator.host import Host

UFS_LOCKFS = "usr/src/uts/common/fs/ufs/ufs_lockfs.c: ufs__fiolfs()"
LOCKFS_C = "usr/src/cmd/fs.d/ufs/lockfs/lockfs.c: perror(), exit(2)"
FSCK = "usr/src/cmd/fs.d/ufs/fsck"


def _mounts(host: Host) -> list[str]:
    """Mounted UFS mount points, the busiest-looking first (a workload: what backups lock)."""
    mounted = [fs for fs in host.fs.filesystems.values() if fs.mounted and fs.mount != "/"]
    return [fs.mount for fs in sorted(mounted, key=lambda fs: fs.workload is None)]


def _submirrors(host: Host) -> list[str]:
    """Submirrors of mirrors holding a file system, the last of each mirror first (the one a
    backup detaches: d3 of d1 in the Admin Guide's example is the middle one, so every
    submirror is listed, mirrors with a file system first)."""
    out: list[str] = []
    for name in host.mirrors():
        for sub in host.submirrors(name):
            if sub not in out:
                out.append(sub)
    with_fs = [s for s in out if any(host.fs.fs_on_device(f"/dev/md/dsk/{m}") is not None
                                     for m in host.mirrors() if s in host.submirrors(m))]
    return with_fs + [s for s in out if s not in with_fs]


def _refuse(errno: str, note: str):  # noqa: ANN202  (a closure factory)
    def apply(host: Host, f: Fault) -> str:
        host.fs.lock_refusals[f.target] = errno
        return f"the next lockfs on {f.target} fails: {note}"
    return apply


def _unrefuse(host: Host, f: Fault) -> None:
    host.fs.lock_refusals.pop(f.target, None)


def _lock_kind(name: str, errno: str, text: str, event: str, summary: str) -> FaultKind:
    return FaultKind(
        name=name, summary=summary, event=event,
        shows=f"The next lockfs on the file system (lockfs -w, -u or any lock request) "
              f"prints \"{{mount point}}: {text}\" and exits 2; nothing is locked or "
              f"unlocked by it. Only that one request fails.",
        sources=(UFS_LOCKFS, LOCKFS_C), target="filesystem", targets=_mounts,
        apply=_refuse(errno, text), clear=_unrefuse)


LOCKFS_BUSY = _lock_kind(
    "lockfs-busy", "EBUSY", "Device busy",
    "Another lock request is in progress on the file system, or it is being unmounted: "
    "ufs__fiolfs returns EBUSY (ulp->ul_flag ULOCKFS_BUSY).",
    "lockfs is refused: the file system is busy (EBUSY)")
LOCKFS_LOCKED = _lock_kind(
    "lockfs-locked", "EBUSY", "Device busy",
    "Another process (a second backup job, an administrator) holds a lock of its own on "
    "the file system: a request whose key is not the lock's key is refused with EBUSY.",
    "lockfs is refused: another process already holds a lock on it")
LOCKFS_NOT_MOUNTED = _lock_kind(
    "lockfs-not-mounted", "ENOTTY", "Inappropriate ioctl for device",
    "The file system is not mounted where the script believes (unmounted by another job, "
    "a stale mount point): the path is a directory of the file system below it, which is "
    "not the target of the ioctl: ENOTTY.",
    "lockfs is refused: the path is not a mounted UFS (ENOTTY)")
LOCKFS_EIO = _lock_kind(
    "lockfs-eio", "EIO", "I/O error",
    "The file system is hard-locked or error-locked after an I/O error (ufs_fault): every "
    "lock request returns EIO.",
    "lockfs is refused with an I/O error (EIO)")


def _damage(how_of: str):  # noqa: ANN202
    def apply(host: Host, f: Fault) -> str:
        how = how_of if how_of != "fsck" else ("fixable" if f.param("fixable") else "unfixable")
        return host.fs.damage(f.target, how)
    return apply


FSCK_ERRORS = FaultKind(
    name="fsck-errors",
    summary="the submirror's copy has file-system errors, fixable with -y or not",
    event="The copy on the submirror has inconsistencies (a lost write, a bit flip in an "
          "inode or a cylinder group): fsck of the detached submirror finds them.",
    shows="fixable=true: fsck prints the phase messages of what it finds (\"INCORRECT BLOCK "
          "COUNT I=...\", \"UNREF FILE I=...\" with RECONNECT/CLEAR, \"FREE BLK COUNT(S) "
          "WRONG IN SUPERBLK\" and SALVAGE), repairs with -y (\"***** FILE SYSTEM WAS "
          "MODIFIED *****\", exit 0) and, with -n, answers no and exits 36 (errors left). "
          "fixable=false: fsck cannot repair it and exits 36 (\"UNEXPECTED INCONSISTENCY; "
          "RUN fsck MANUALLY.\" under -p).",
    sources=(f"{FSCK}/pass1.c", f"{FSCK}/pass4.c", f"{FSCK}/pass5.c", f"{FSCK}/main.c "
             "(exit codes: 0, 32, 33, 34, 36, 39, 40)"),
    target="submirror", targets=_submirrors, transient_ok=False,
    params=(Param("fixable", bool, True, "whether fsck -y can repair it"),),
    apply=_damage("fsck"))

TORN_FS = FaultKind(
    name="torn-fs",
    summary="the detached copy is torn: writes bypassing the lock were in flight",
    event="Writes that the write lock does not hold back (an application writing through "
          "the raw volume, or a detach made without lockfs -w under load) are in flight when "
          "the submirror is detached: its copy has half-applied operations and its clean "
          "flag is off.",
    shows="fsck of the detached submirror finds the half-applied operations (Phase 1 block "
          "counts, Phase 4 unreferenced files, Phase 5 summaries) and repairs them with -y; "
          "a dump taken without that fsck is of an inconsistent image.",
    sources=(f"{FSCK}/pass1.c", f"{FSCK}/pass5.c",
             "usr/src/uts/common/io/lvm/mirror/mirror.c: detach (no quiesce of raw I/O)"),
    target="submirror", targets=_submirrors, transient_ok=False,
    apply=_damage("torn"))

def _databases(host: Host) -> list[str]:
    return [db.name for db in host.databases.databases.values()]


def _refuse_quiesce(host: Host, f: Fault) -> str:
    if host.databases.named(f.target) is None:
        raise FaultError(f"quiesce-refused: {f.target}: no such database")
    host.databases.refusals[f.target] = str(f.param("reason"))
    return f"the next quiesce of {f.target} fails: {f.param('reason')}"


def _unrefuse_quiesce(host: Host, f: Fault) -> None:
    host.databases.refusals.pop(f.target, None)


QUIESCE_REFUSED = FaultKind(
    name="quiesce-refused",
    summary="the database's vendor utility cannot quiesce it (transactions still active)",
    event="The application refuses to quiesce for the backup: long transactions hold it "
          "open past the utility's timeout (the Admin Guide's step 2 leaves the quiesce to "
          "the vendor's utility, which can fail).",
    shows="dbctl quiesce prints \"dbctl: <name>: cannot quiesce: <reason>\" and exits 1; the "
          "database keeps writing. A backup that splits the mirror anyway gets a "
          "crash-consistent copy; a careful one refuses.",
    sources=("the Admin Guide, How to Perform an Online Backup of a RAID-1 Volume, step 2",
             "simulator/ufs/databases.py (no Solaris source: the vendor's utility)"),
    target="database", targets=_databases,
    params=(Param("reason", str, "transactions still active after 60 seconds",
                  "what the utility says"),),
    apply=_refuse_quiesce, clear=_unrefuse_quiesce)

KINDS: tuple[FaultKind, ...] = (LOCKFS_BUSY, LOCKFS_LOCKED, LOCKFS_NOT_MOUNTED, LOCKFS_EIO,
                                FSCK_ERRORS, TORN_FS, QUIESCE_REFUSED)
