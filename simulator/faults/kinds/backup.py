"""Fault kinds of a running dump: unreadable sectors, the end of the medium, a write error, a
full destination, ufsdump killed. The same events strike a raw volume's copy by dd
(``@dd:P%``; :mod:`simulator.backup.cmd.dd`): a read error stops it ("read: I/O error",
exit 2), a write error or a full medium ends it ("write: I/O error", "write: No space left on
device", exit 2), a signal kills it.

Each one queues an event in ``host.backups.dump_faults``; ufsdump's writer takes it at its next
checkpoint (every tenth of its record stream:
:meth:`simulator.backup.cmd.ufsdump.tape.Writer.checkpoint`) and goes the way dumptape.c and
dumptraverse.c go. Fired with ``@ufsdump:P%`` the fault strikes inside the dump; fired before
(``@start``, ``@before:ufsdump``) it waits for the next dump. A disk failing under the dumped
device is the metadevice kind ``disk-fail`` (ufsdump asks ``host.md.read_error`` at each
checkpoint and reads zeros, then aborts, as below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.faults.kind import FaultKind, Param

if TYPE_CHECKING:
    from simulator.faults.spec import Fault
    from simulator.host import Host

DUMPTAPE = "usr/src/cmd/backup/dump/dumptape.c"
DUMPTRAVERSE = "usr/src/cmd/backup/dump/dumptraverse.c"
DUMPOPTR = "usr/src/cmd/backup/dump/dumpoptr.c"


def _queue(event: str, note: str):  # noqa: ANN202  (a closure factory)
    def apply(host: Host, f: Fault) -> str:
        host.backups.dump_faults.append(event)
        return note
    return apply


def _unqueue(event: str):  # noqa: ANN202
    def clear(host: Host, f: Fault) -> None:
        if event in host.backups.dump_faults:
            host.backups.dump_faults.remove(event)
    return clear


def _read_error(host: Host, f: Fault) -> str:
    n = int(f.param("sectors"))
    host.backups.dump_faults.append(f"read:{n}")
    return f"{n} sector(s) of the dumped device cannot be read"


def _killed(host: Host, f: Fault) -> str:
    sig = int(f.param("signal"))
    host.backups.dump_faults.append(f"killed:{sig}")
    return f"ufsdump is killed by signal {sig}"


DUMP_READ_ERROR = FaultKind(
    name="dump-read-error",
    summary="sectors of the dumped device cannot be read (zero-filled, or the dump aborts)",
    event="A read of the device being dumped fails for some sectors (a medium error under the "
          "detached submirror, a transient path failure).",
    shows="ufsdump prints \"Warning - cannot read sector N of `/dev/md/rdsk/d3'\" for each "
          "sector and writes zeros in its place: with up to 32 such sectors the dump goes on "
          "to \"DUMP IS DONE\" and exit 0, with an archive whose data is wrong (verify-backup "
          "and the verdict say so). Past 32 (BREADEMAX) it prints \"More than 32 block read "
          "errors from dump device `...'\", \"DUMP IS AILING!\", asks \"Do you want to "
          "attempt to continue?\" and, with no operator at a terminal, \"The ENTIRE dump is "
          "aborted.\", exit 3.",
    sources=(f"{DUMPTRAVERSE}: bread()", f"{DUMPOPTR}: dumpailing(), query(), dumpabort()",
             "usr/src/cmd/backup/dump/dump.h: BREADEMAX"),
    target="command", needs_target=False, where=("ufsdump", "dd"),
    params=(Param("sectors", int, 8, "sectors that cannot be read (more than 32: the dump "
                                     "aborts)", minimum=1),),
    apply=_read_error)

TAPE_EOM = FaultKind(
    name="tape-eom",
    summary="the medium ends here (end of tape) and no second volume is at hand",
    event="The tape reaches its physical end earlier than its nominal size said (a worn or "
          "short cartridge): the next write returns ENOSPC at end of media.",
    shows="\"End-of-tape detected\" (\"End-of-file detected\" for a file), the volume is "
          "closed and rewound, ufsdump asks for the next one (\"Change Volumes: Mount volume "
          "#2\", \"NEEDS ATTENTION: Is the new volume mounted and ready to go?\") and, with no "
          "operator at a terminal, \"The ENTIRE dump is aborted.\", exit 3; /etc/dumpdates is "
          "not updated.",
    sources=(f"{DUMPTAPE}: dowrite() (ENOSPC), rollforward(), close_rewind(), changevol()",
             f"{DUMPOPTR}: query(), dumpabort()"),
    target="command", needs_target=False, where=("ufsdump", "dd"),
    apply=_queue("eom", "the medium ends here"), clear=_unqueue("eom"))

TAPE_WRITE_ERROR = FaultKind(
    name="tape-write-error",
    summary="a write to the tape fails (EIO): the dump asks to restart, then aborts",
    event="The tape drive returns an I/O error on a write (a bad spot on the tape, a dirty "
          "head).",
    shows="\"Write error N feet into tape V\" (\"Write error N blocks into volume V\" on a "
          "file), then \"NEEDS ATTENTION: Do you want to restart?: (\\\"yes\\\" or \\\"no\\\")\" "
          "and, with no operator at a terminal, \"The ENTIRE dump is aborted.\", exit 3.",
    sources=(f"{DUMPTAPE}: dowrite(), tperror()", f"{DUMPOPTR}: query(), dumpabort()"),
    target="command", needs_target=False, where=("ufsdump", "dd"),
    apply=_queue("write-error", "the next write to the medium fails"),
    clear=_unqueue("write-error"))

DEST_FULL = FaultKind(
    name="dest-full",
    summary="the file system holding a dump file fills up (ENOSPC)",
    event="A dump written to a file (ufsdump 0f /backup/home1.dump) fills the file system "
          "that holds it: write(2) fails with ENOSPC.",
    shows="As a write error on a file: \"Write error N blocks into volume 1\", the restart "
          "question, and with no operator \"The ENTIRE dump is aborted.\", exit 3; the file "
          "holds the part written.",
    sources=(f"{DUMPTAPE}: dowrite(), tperror()", "usr/src/uts/common/fs/ufs/ufs_vnops.c: "
             "wrip() ENOSPC"),
    target="command", needs_target=False, where=("ufsdump", "dd"),
    apply=_queue("write-error", "the destination's file system is full"),
    clear=_unqueue("write-error"))

DUMP_KILLED = FaultKind(
    name="dump-killed",
    summary="ufsdump dies by a signal in the middle of the dump",
    event="ufsdump is killed (kill -9 by an impatient operator or a watchdog, the OOM "
          "killer, a hangup of its session).",
    shows="Nothing more from ufsdump: no \"DUMP IS DONE\", no /etc/dumpdates entry; the shell "
          "sees exit status 128 + the signal (137 for SIGKILL); the medium holds a partial "
          "dump that ufsrestore reports as incomplete.",
    sources=(f"{DUMPOPTR}: Exit() (not reached)", "sh(1): exit status of a killed command"),
    target="command", needs_target=False, where=("ufsdump", "dd"),
    params=(Param("signal", int, 9, "the signal number (9 SIGKILL, 15 SIGTERM, 1 SIGHUP)",
                  minimum=1),),
    apply=_killed)

KINDS: tuple[FaultKind, ...] = (DUMP_READ_ERROR, TAPE_EOM, TAPE_WRITE_ERROR, DEST_FULL,
                                DUMP_KILLED)
