"""fsck_ufs checkfilesys() and check_sanity() (illumos usr/src/cmd/fs.d/ufs/fsck/main.c).

checkfilesys: setup (setup.py), then the phases in order -- 1 (pass1.py), 2 (pass2.py), 3a
and 3b (the model never disconnects directories or damages ACLs, so they only print their
headings), 4 (pass4.py), 5 (pass5.py) -- then updateclean() (utilities.c: silent in the
modern fsck), the summary line (``%ld files, %lld used, %lld free (%lld frags, %lld blocks,
%.1f%% fragmentation)``, or the ``-v`` form) and the closing banners and exit codes
(``FILE SYSTEM WAS MODIFIED``, ``PLEASE RERUN FSCK``, ``REBOOT NOW``; EXROOTOKAY for a
mounted file system checked clean). ``fsck -m`` is check_sanity (messages on stderr).
Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from typing import NoReturn

from simulator.core.errors import CommandExit
from simulator.ufs.cmd.fsck.pass1 import pass1
from simulator.ufs.cmd.fsck.pass2 import pass2
from simulator.ufs.cmd.fsck.pass4 import pass4
from simulator.ufs.cmd.fsck.pass5 import pass5
from simulator.ufs.cmd.fsck.setup import Target, bad_superblock, logsetup, setup
from simulator.ufs.cmd.fsck.utilities import (
    EXERRFATAL,
    EXFNDERRS,
    EXMOUNTED,
    EXOKAY,
    EXREBOOTNOW,
    EXROOTOKAY,
    EXUMNTCHK,
    Run,
)
from simulator.ufs.filesystems import FileSystem, FileSystems
from simulator.ufs.image import Image


def checkfilesys(run: Run, fsx: FileSystems, filesys: str) -> None:
    """main.c checkfilesys(): one file system, from setup() to the closing banners."""
    target = setup(run, fsx, filesys)
    img, mounted_fs = target.img, target.mounted_fs
    if run.mflag:
        check_sanity(run, filesys, img, mounted_fs)
    if img is None or img.unfixable == "superblock":
        bad_superblock(run)
    logsetup(fsx, mounted_fs)
    if not run.fflag and target.errorlocked:
        run.fflag = True
    if run.preen and not target.errorlocked and run.bflag == 0 and not run.fflag \
            and img.clean and img.consistent:
        state = "logging" if img.logging else ("stable" if mounted_fs is None
                                               and img.last_mounted else "clean")
        run.pwarn(f"is {state}.\n")
        return
    writable = not run.nflag
    work = img if (writable and not img.frozen) else img.copy()
    if not run.preen:
        where = "Currently Mounted on" if mounted_fs is not None else "Last Mounted on"
        run.out(f"** {where} {img.last_mounted}\n** Phase 1 - Check Blocks and Sizes\n")
    _checkpoint(run, 1)
    pass1(run, work, writable)
    if not run.preen:
        run.out("** Phase 2 - Check Pathnames\n")
    _checkpoint(run, 2)
    pass2(run, work, writable)
    if not run.preen:
        run.out("** Phase 3a - Check Connectivity\n** Phase 3b - Verify Shadows/ACLs\n"
                "** Phase 4 - Check Reference Counts\n")
    _checkpoint(run, 4)
    pass4(run, work, writable)
    if not run.preen:
        run.out("** Phase 5 - Check Cylinder Groups\n")
    _checkpoint(run, 5)
    pass5(run, work, writable)
    if work.unfixable == "bad":
        _missing_dotdot(run, work)
    _finish(run, work, writable, mounted_fs)
    _closing(run, target, work)
    if work is not img and writable:
        _copy_back(img, work)
    if mounted_fs is not None:
        if target.errorlocked and work.consistent:
            mounted_fs.lock, mounted_fs.lock_comment = "unlock", ""
        if run.fsmodified:
            if not run.preen:
                run.out("\n***** REBOOT NOW *****\n")
            run.exitstat = EXREBOOTNOW
        if writable:
            mounted_fs.live = mounted_fs.image.copy()
    run.inv.host.advance(_duration(img))


def _checkpoint(run: Run, phase: int) -> None:
    """Where a fault can strike inside fsck: the host's fault hooks hear ``progress("fsck",
    phase / 5)``; then a device that no longer reads (``host.md.read_error``: a disk failed
    under the detached submirror) gives utilities.c rwerror(): "CANNOT READ: DISK BLOCK n:
    I/O error" (pfatal) and "CONTINUE?"; yes goes on with the block zeroed and the file
    system left unresolved (exit 36), no ends the run ("Program terminated", exit 39)."""
    host = run.inv.host
    faults = host.faults
    if not faults.idle:                     # (the base class's hooks do nothing)
        faults.progress("fsck", phase / 5, target=run.devname)
    if run.reads:
        return
    why = host.md.read_error(run.devname)
    if why is None:
        # the passes change no disk: only a fault that waits for fsck's progress can make
        # the device fail at a later checkpoint, so without one it is not asked again
        run.reads = not host.faults.watches("fsck")
        return
    blk = 32 + 6144 * (phase - 1)           # the first cylinder group block that phase reads
    if not run.preen:
        run.out("\n")
    run.pfatal(f"CANNOT READ: DISK BLOCK {blk}: {why}")
    if not run.reply("CONTINUE"):
        run.exitstat = EXERRFATAL
        run.errexit("Program terminated\n")
    run.iscorrupt = True


def _missing_dotdot(run: Run, work: Image) -> None:
    """A directory whose second entry is not ``..`` (pass2.c fix_dotdot): fsck cannot fix
    it; reported after phase 5, where the model keeps it."""
    run.pwarn(f"MISSING '..'  I={work.base.max_ino} ")
    run.out(f" OWNER=root MODE=40755\nSIZE=512 MTIME={run.mtime(work.base.created)} \n")
    run.pfatal("DIR=/home\n")
    run.pfatal("CANNOT FIX, SECOND ENTRY IN DIRECTORY CONTAINS ..\n")
    run.iscorrupt = True


def _finish(run: Run, work: Image, writable: bool, mounted_fs: FileSystem | None) -> None:
    """After the passes: a mounted read/write file system may still be inconsistent;
    updateclean() (utilities.c) marks the superblock clean when all was fixed."""
    mounted_rw = mounted_fs is not None and not mounted_fs.readonly
    if not run.nflag and mounted_rw:
        run.out("FILESYSTEM MAY STILL BE INCONSISTENT.\n")
        run.rerun = True
    if run.iscorrupt:
        if mounted_rw:
            run.out("FS IS MOUNTED R/W AND FSCK DID ITS BEST TO FIX INCONSISTENCIES.\n")
        else:
            run.out("FILESYSTEM MAY STILL BE INCONSISTENT.\n")
        run.rerun = True
    if not work.clean and not run.iscorrupt:
        if run.isdirty or run.preen or run.rerun or run.reply(
                "FILE SYSTEM STATE IN SUPERBLOCK IS WRONG; FIX", writable):
            if writable:
                work.clean = True
                run.isdirty = True
    elif run.isdirty and writable and not run.iscorrupt:
        work.clean = True
    if writable and run.isdirty:
        run.fsmodified = True


def _closing(run: Run, target: Target, work: Image) -> None:
    """The summary line and the banners; the exit status (main.c checkfilesys end)."""
    files = work.nfiles + len(work.lost) - (sum(1 for k in work.damaged.values()
                                                 if k == "unallocated") if work.damaged else 0)
    used = work.used_frags
    ffree, bfree = work.free_counts(used)
    frag = work.fsize
    dsize = work.dsize
    free = ffree + (8192 // frag) * bfree
    if not run.verbose:
        run.pwarn(f"{files} files, {used} used, {free} free ({ffree} frags, {bfree} blocks, "
                  f"{ffree * 100.0 / dsize:.1f}% fragmentation)\n")
    else:
        run.pwarn("\nFilesystem summary:\n")
        run.pwarn(f"Inodes in use: {files}\n")
        run.pwarn(f"Blocks in use: {used}\n")
        run.pwarn(f"Total free fragments: {free}\n")
        run.pwarn(f"Free fragments not in blocks: {ffree}\n")
        run.pwarn(f"Total free blocks: {bfree}\n")
        run.pwarn(f"Fragment/block fragmentation: {ffree * 100.0 / dsize:.1f}%\n")
    if run.iscorrupt and run.exitstat == 0:
        run.exitstat = EXFNDERRS
    if run.fsmodified:
        run.out("\n***** FILE SYSTEM WAS MODIFIED *****\n")
    if run.iscorrupt:
        run.out("***** FILE SYSTEM IS BAD *****\n")
    mounted_rw = target.mounted_fs is not None and not target.mounted_fs.readonly
    if run.rerun:
        if mounted_rw:
            run.out("\n***** PLEASE RERUN FSCK ON UNMOUNTED FILE SYSTEM *****\n")
        else:
            run.out("\n***** PLEASE RERUN FSCK *****\n")
    if run.exitstat == 0 and ((target.mounted_fs is not None and not target.errorlocked)
                              or target.hotroot):
        run.exitstat = EXROOTOKAY
    if run.exitstat == 0 and run.rerun:
        run.exitstat = EXFNDERRS


def check_sanity(run: Run, filename: str, img: Image | None,
                 mounted_fs: FileSystem | None) -> NoReturn:
    """main.c check_sanity(): ``fsck -m`` (messages on stderr); always ends the run."""
    err = run.inv.err
    if mounted_fs is not None:
        if mounted_fs.mount in ("/", "/usr"):
            if not mounted_fs.readonly:
                err(f"ufs fsck: sanity check:{filename} already mounted read/write")
                raise CommandExit(EXMOUNTED)
        else:
            err(f"ufs fsck: sanity check: {filename} already mounted")
            raise CommandExit(EXMOUNTED)
    if img is None or img.unfixable == "superblock":
        bad_superblock(run)
    if img.clean and img.consistent:
        err(f"ufs fsck: sanity check: {filename} okay")
        raise CommandExit(EXOKAY)
    err(f"ufs fsck: sanity check: {filename} needs checking")
    raise CommandExit(EXUMNTCHK)


def _copy_back(dst: Image, src: Image) -> None:
    dst.overlay, dst.damaged, dst.lost = src.overlay, src.damaged, src.lost
    dst.summary_wrong, dst.clean = src.summary_wrong, src.clean
    dst._count_delta, dst._frag_delta = src._count_delta, src._frag_delta
    dst._hash_delta = src._hash_delta


def _duration(img: Image) -> float:
    """Virtual seconds a full check takes: reading inodes and directories."""
    return 2.0 + img.nfiles / 20000.0 + img.size_blocks / 4.0e7
