"""fsck(1M) for UFS: the generic front end (fs.d/fsck.c) and fsck_ufs (fs.d/ufs/fsck).

Source files followed: main.c (checkfilesys, check_sanity, summary line, exit codes),
setup.c (derive_devstr, check_mount_state -- the newer form where ``-n`` and ``-m`` do not
ask about a mounted file system --, open_and_intro, logsetup: a logging UFS's log is rolled
before the check, even with ``-n``, by mounting it read-only, roll_log.c), utilities.c
(reply: ``\\n<QUESTION>? `` then `` yes``/`` no`` and an empty line; EOF on an interactive
answer is ``errexit("\\n")``; updateclean; printclean), pass1.c/pass2.c/pass4.c/pass5.c and
dir.c/inode.c for the problem reports.

A write-locked (``lockfs -w``) file system is, for fsck, a mounted file system like any
other: setup.c only special-cases error locks (is_errorlocked); the lock merely keeps the
on-disk image quiescent, so the check finds nothing.
"""

from __future__ import annotations

import getopt as _getopt
from dataclasses import dataclass

from simulator.core.invocation import Invocation
from simulator.ufs.filesystems import FileSystem, FileSystems, iter_problems
from simulator.ufs.image import Image, entry_frags

EXOKAY, EXBADPARM, EXUMNTCHK, EXMOUNTED, EXNOSTAT = 0, 1, 32, 33, 34
EXREBOOTNOW, EXFNDERRS, EXSIGNAL, EXERRFATAL, EXROOTOKAY = 35, 36, 37, 39, 40
UFS_USAGE = ("ufs usage: fsck [-F ufs] [-m] [-n] [-V] [-v] [-y] [-o p,b=#,w,f] "
             "[special ....]")
GENERIC_USAGE = ("Usage:\n{p} [-F FSType] [-V] [-m] [special ...]\n"
                 "{p} [-F FSType] [-V] [-y|Y|n|N] [-o specific_options] [special ...]")


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _Run:
    """One fsck_ufs invocation's flags and state (the globals of main.c)."""

    inv: Invocation
    nflag: bool = False
    yflag: bool = False
    mflag: bool = False
    preen: bool = False
    fflag: bool = False
    verbose: bool = False
    bflag: int = 0
    devname: str = ""
    fsmodified: bool = False
    exitstat: int = 0

    def out(self, text: str) -> None:
        self.inv.stdout.write(text)

    def pwarn(self, text: str) -> None:
        if self.preen:
            self.out(f"{self.devname}: ")
        self.out(text)

    def reply(self, question: str, writable: bool = True) -> bool:
        """utilities.c reply(): the question, then the answer the flags or stdin give."""
        if self.mflag:
            self.out(f"\n{self.devname}: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n")
            raise _Exit(EXERRFATAL)
        self.out(f"\n{question}? ")
        if self.nflag or not writable:
            self.out(" no\n\n")
            return False
        if self.yflag:
            self.out(" yes\n\n")
            return True
        line = self.inv.readline()
        if line is None:
            self.errexit("\n")
        self.out("\n")
        answer = "".join((line or "").split())
        return answer[:1] in ("y", "Y")

    def errexit(self, msg: str) -> None:
        self.out(msg if msg.endswith("\n") else msg + "\n")
        raise _Exit(self.exitstat or EXERRFATAL)


def usage(inv: Invocation) -> int:
    inv.err(GENERIC_USAGE.format(p=inv.prog))
    return 1


def main(inv: Invocation) -> int:
    try:
        opts, args = _getopt.getopt(inv.args, "F:mnNo:vVyY")
    except _getopt.GetoptError as e:
        inv.err(f"{inv.argv[0]}: illegal option -- {e.opt}")
        return usage(inv)
    fs: FileSystems = inv.host.fs
    fstype = None
    run_opts: list[tuple[str, str]] = []
    echo = False
    for opt, val in opts:
        if opt == "-F":
            if fstype is not None:
                inv.err(f"{inv.prog}: more than one fstype specified")
                return usage(inv)
            fstype = val
        elif opt == "-V":
            echo = True
        else:
            run_opts.append((opt, val))
    if fstype not in (None, "ufs"):
        inv.err(f"{inv.prog}: operation not applicable to FSType {fstype}")
        return 1
    if not args:
        args = [f.raw_device for f in fs.vfstab_filesystems() if f.fsck_pass.isdigit()
                and int(f.fsck_pass) >= 1]
    status = 0
    for special in args:
        target = special
        vf = fs.vfstab_entry(special)
        if vf is not None and special == vf.mount:
            target = vf.raw_device
        if echo:
            flags = " ".join(o + (v if o == "-o" else "") if o != "-o" else f"-o {v}"
                             for o, v in run_opts)
            inv.out(f"{inv.prog} -F ufs" + (f" {flags}" if flags else "") + f" {target}")
            continue
        status = max(status, _fsck_ufs(inv, fs, run_opts, target))
    return status


def _fsck_ufs(inv: Invocation, fsx: FileSystems, opts: list[tuple[str, str]],
              special: str) -> int:
    run = _Run(inv)
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
        _checkfilesys(run, fsx, special)
    except _Exit as e:
        return e.code
    return run.exitstat


def _checkfilesys(run: _Run, fsx: FileSystems, filesys: str) -> None:
    inv = run.inv
    # ---- setup(): derive_devstr
    dev = filesys
    mounted_fs: FileSystem | None = None
    if not dev.startswith("/dev/"):
        try:
            holder, rel = fsx.resolve(dev, inv.cwd)
        except Exception:
            run.exitstat = EXNOSTAT
            run.errexit(f"fsck: could not stat {filesys}: No such file or directory")
            return
        target = fsx.vfstab_entry("/" + rel if holder is None else filesys)
        mnt = fsx._find(filesys)
        if mnt is not None and mnt.mounted:
            dev = mnt.device
        elif target is not None:
            dev = target.device
        else:
            run.exitstat = EXBADPARM
            run.errexit(f"fsck: could not find mountpoint {filesys} in mnttab nor vfstab")
            return
    if not fsx.device_exists(dev):
        run.exitstat = EXNOSTAT
        run.errexit(f"fsck: could not stat {filesys}: No such file or directory")
    devstr = fsx.block_name(dev)
    for cand in fsx.mounted_ufs():
        if cand.device == devstr:
            mounted_fs = cand
    errorlocked = mounted_fs is not None and mounted_fs.lock == "error"
    # ---- check_mount_state()
    mountedfs = "none" if mounted_fs is None else ("ro" if mounted_fs.readonly else "rw")
    hotroot = False
    if mounted_fs is not None:
        corefs = mounted_fs.mount in ("/", "/usr")
        if corefs and mountedfs == "ro":
            hotroot = True
        elif errorlocked:
            pass
        elif run.preen:
            run.exitstat = EXMOUNTED
            run.devname = devstr
            _pfatal(run, f"{devstr} IS CURRENTLY MOUNTED"
                         f"{' READ/WRITE' if mountedfs == 'rw' else ''}.")
        elif not run.nflag and not run.mflag:
            run.devname = devstr
            run.pwarn(f"{devstr} IS CURRENTLY MOUNTED READ/"
                      f"{'WRITE' if mountedfs == 'rw' else 'ONLY'}.")
            if not run.reply("CONTINUE"):
                run.exitstat = EXMOUNTED
                run.errexit("Program terminated")
    else:
        devstr = devstr.replace("/dsk/", "/rdsk/", 1)
    run.devname = devstr
    # ---- open_and_intro()
    if inv.uid != 0:
        run.out(f"Can't open {devstr}: Permission denied\n")
        raise _Exit(EXNOSTAT if not run.mflag else EXNOSTAT)
    writable = not run.nflag
    if not run.preen:
        run.out(f"** {devstr}" + ("" if writable else " (NO WRITE)") + "\n")
    elif not writable:
        _pfatal(run, "(NO WRITE ACCESS)\n")
    img = fsx.image_of(devstr)
    if mounted_fs is not None:
        img = mounted_fs.image
    if run.mflag:
        _check_sanity(run, fsx, filesys, img, mounted_fs)
        return
    if img is None or img.unfixable == "superblock":
        _bad_superblock(run)
        return
    # ---- logsetup(): a mounted fs is flushed (rlflush/_FIOFFS), an unmounted logging
    # fs has its log rolled by a read-only mount; neither prints anything.
    if mounted_fs is not None and mounted_fs.lock not in ("hard", "error"):
        fsx.sync(mounted_fs)
    if run.fflag is False and errorlocked:
        run.fflag = True
    if run.preen and not errorlocked and run.bflag == 0 and not run.fflag \
            and img.clean and img.consistent:
        state = "logging" if img.logging else ("stable" if mounted_fs is None
                                               and img.last_mounted else "clean")
        run.pwarn(f"is {state}.\n")
        return
    _check(run, fsx, img, mounted_fs, writable, hotroot, errorlocked)


def _pfatal(run: _Run, msg: str) -> None:
    if run.preen:
        if msg:
            run.out(f"{run.devname}: {msg}\n")
        run.out(f"{run.devname}: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n")
        raise _Exit(run.exitstat or EXFNDERRS)
    run.out(msg)


def _bad_superblock(run: _Run) -> None:
    """setup.c find_superblock() with no usable superblock anywhere (exit 39)."""
    run.out("BAD SUPERBLOCK AT BLOCK 16: MAGIC NUMBER WRONG\n")
    if run.preen:
        run.pwarn("USE AN ALTERNATE SUPERBLOCK TO SUPPLY NEEDED INFORMATION;\n")
        run.pwarn("e.g. fsck [-F ufs] -o b=# [special ...] \n")
        run.exitstat = EXERRFATAL
        _pfatal(run, "where # is the alternate super block. SEE fsck_ufs(1M). \n")
    for style in ("MKFS", "NEWFS"):
        run.reply(f"LOOK FOR ALTERNATE SUPERBLOCKS WITH {style}")
    run.pwarn("SEARCH FOR ALTERNATE SUPERBLOCKS FAILED.\n")
    for style in ("MKFS", "NEWFS"):
        run.reply(f"USE GENERIC SUPERBLOCK FROM {style}")
    run.pwarn("SEARCH FOR ALTERNATE SUPERBLOCKS FAILED. YOU MUST USE THE -o b OPTION\n"
              "TO FSCK TO SPECIFY THE LOCATION OF A VALID ALTERNATE SUPERBLOCK TO\n"
              "SUPPLY NEEDED INFORMATION; SEE fsck(1M).\n")
    raise _Exit(run.exitstat or EXERRFATAL)


def _check_sanity(run: _Run, fsx: FileSystems, filename: str, img: Image | None,
                  mounted_fs: FileSystem | None) -> None:
    """main.c check_sanity(): ``fsck -m`` (messages on stderr)."""
    err = run.inv.err
    if mounted_fs is not None:
        if mounted_fs.mount in ("/", "/usr"):
            if not mounted_fs.readonly:
                err(f"ufs fsck: sanity check:{filename} already mounted read/write")
                raise _Exit(EXMOUNTED)
        else:
            err(f"ufs fsck: sanity check: {filename} already mounted")
            raise _Exit(EXMOUNTED)
    if img is None or img.unfixable == "superblock":
        _bad_superblock(run)
        return
    if img.clean and img.consistent:
        err(f"ufs fsck: sanity check: {filename} okay")
        raise _Exit(EXOKAY)
    err(f"ufs fsck: sanity check: {filename} needs checking")
    raise _Exit(EXUMNTCHK)


def _owner(fsx: FileSystems, img: Image, uid: int) -> str:
    if uid == 0:
        return "root"
    users = img.base.users
    idx = uid - 1001
    return users[idx] if 0 <= idx < len(users) else str(uid)


def _mtime(run: _Run, t: float) -> str:
    p = run.inv.host.clock.ctime(t)           # "Tue Nov 24 10:00:00 2026"
    return f"{p[4:16]} {p[20:24]}"


def _pinode(run: _Run, fsx: FileSystems, img: Image, ino: int, uid: int, mode: int,
            size: int, mtime: float) -> None:
    """inode.c pinode()/pdinode()."""
    run.out(f" I={ino} ")
    run.out(f" OWNER={_owner(fsx, img, uid)} MODE={mode:o}\n")
    if run.preen:
        run.out(f"{run.devname}: ")
    run.out(f"SIZE={size} MTIME={_mtime(run, mtime)} ")


def _check(run: _Run, fsx: FileSystems, img: Image, mounted_fs: FileSystem | None,
           writable: bool, hotroot: bool, errorlocked: bool) -> None:
    """checkfilesys() after setup: the five passes, updateclean, the summary."""
    work = img if (writable and not img.frozen) else img.copy()
    iscorrupt = False
    rerun = False
    isdirty = False
    if not run.preen:
        where = "Currently Mounted on" if mounted_fs is not None else "Last Mounted on"
        run.out(f"** {where} {img.last_mounted}\n")
        run.out("** Phase 1 - Check Blocks and Sizes\n")
    problems = list(iter_problems(work))
    frag = work.fsize
    for path, kind in problems:
        if kind != "blockcount":
            continue
        e = work.get(path)
        if e is None:
            continue
        actual = entry_frags(e.kind, e.size, len(e.target), frag) * (frag // 512)
        old = entry_frags(e.kind, max(0, e.size - 8192), len(e.target), frag) * (frag // 512)
        run.pwarn(f"INCORRECT DISK BLOCK COUNT I={e.inode} ({old} should be {actual})")
        if run.preen or run.reply("CORRECT", writable):
            work.damaged.pop(path, None)
            isdirty = True
            if run.preen:
                run.out(" (CORRECTED)\n")
    if not run.preen:
        run.out("** Phase 2 - Check Pathnames\n")
    for path, kind in problems:
        if kind != "unallocated":
            continue
        e = work.get(path)
        parent = work.get(path.rsplit("/", 1)[0] if "/" in path else ".")
        if e is None or parent is None:
            continue
        run.pwarn("UNALLOCATED ")
        _pinode(run, fsx, work, e.inode, 0, 0, 0, 0.0)
        run.out("\n")
        _pfatal(run, f"NAME=/{path}\n")
        if run.reply(f"REMOVE DIRECTORY ENTRY FROM I={parent.inode}", writable):
            work.remove(path)
            work.damaged.pop(path, None)
            isdirty = True
        else:
            iscorrupt = True
    if not run.preen:
        run.out("** Phase 3a - Check Connectivity\n")
        run.out("** Phase 3b - Verify Shadows/ACLs\n")
        run.out("** Phase 4 - Check Reference Counts\n")
    maxino = max(work.geometry.ninodes, work.next_ino)
    for path, kind in sorted(((p, k) for p, k in problems if k.startswith("unref")),
                             key=lambda pk: work.lost[pk[0]].inode if pk[0] in work.lost
                             else 0):
        e = work.lost.get(path)
        if e is None:
            continue
        if kind == "unref-zero" or e.size == 0:
            run.pwarn("UNREF FILE ")
            _pinode(run, fsx, work, e.inode, e.uid, e.mode, e.size, e.mtime)
            if run.preen or run.reply("CLEAR", writable):
                work.lost.pop(path)
                work.damaged.pop(path, None)
                isdirty = True
                if run.preen:
                    run.out(" (CLEARED)\n")
            elif kind != "unref-zero":
                iscorrupt = True
            run.out("\n")
            continue
        run.pwarn("UNREF FILE ")
        _pinode(run, fsx, work, e.inode, e.uid, e.mode, e.size, e.mtime)
        if run.preen or run.reply("RECONNECT", writable):
            name = "#" + str(e.inode).zfill(len(str(maxino)))
            work.put(type(e)(f"lost+found/{name}", e.inode, e.kind, e.size, e.mtime,
                             e.ctime, e.uid, e.gid, e.mode, e.digest, e.target))
            work.lost.pop(path)
            work.damaged.pop(path, None)
            isdirty = True
            if run.preen:
                run.out(" (RECONNECTED)\n")
        else:
            if run.reply("CLEAR", writable):
                work.lost.pop(path)
                work.damaged.pop(path, None)
                isdirty = True
            else:
                iscorrupt = True
            run.out("\n")
    if not run.preen:
        run.out("** Phase 5 - Check Cylinder Groups\n")
    if work.summary_wrong:
        if run.preen:
            run.out("CORRECTING BAD CG SUMMARIES\n")
            run.out("FRAG BITMAP WRONG (CORRECTED)\n")
            work.summary_wrong = False
            isdirty = True
        else:
            fixed = run.reply("CORRECT BAD CG SUMMARIES", writable)
            if fixed:
                run.out("CORRECTED SUMMARY FOR CG 0\n")
            run.out("FRAG BITMAP WRONG ")
            fixed = run.reply("FIX", writable) and fixed
            run.pwarn("CORRECT GLOBAL SUMMARY")
            if run.reply("SALVAGE", writable) and fixed:
                work.summary_wrong = False
                isdirty = True
            else:
                iscorrupt = True
    if work.unfixable == "bad":
        run.pwarn(f"MISSING '..'  I={work.base.max_ino} ")
        run.out(f" OWNER=root MODE=40755\nSIZE=512 MTIME={_mtime(run, work.base.created)} \n")
        _pfatal(run, "DIR=/home\n")
        _pfatal(run, "CANNOT FIX, SECOND ENTRY IN DIRECTORY CONTAINS ..\n")
        iscorrupt = True
    mounted_rw = mounted_fs is not None and not mounted_fs.readonly
    if not run.nflag and mounted_rw:
        run.out("FILESYSTEM MAY STILL BE INCONSISTENT.\n")
        rerun = True
    if iscorrupt:
        if mounted_rw:
            run.out("FS IS MOUNTED R/W AND FSCK DID ITS BEST TO FIX INCONSISTENCIES.\n")
        else:
            run.out("FILESYSTEM MAY STILL BE INCONSISTENT.\n")
        rerun = True
    # ---- updateclean()
    if not work.clean and not iscorrupt:
        if isdirty or run.preen or rerun or run.reply(
                "FILE SYSTEM STATE IN SUPERBLOCK IS WRONG; FIX", writable):
            if writable:
                work.clean = True
                isdirty = True
    elif isdirty and writable and not iscorrupt:
        work.clean = True
    if writable and isdirty:
        run.fsmodified = True
    # ---- summary
    files = work.nfiles + len(work.lost) - sum(1 for k in work.damaged.values()
                                                if k == "unallocated")
    used = work.used_frags
    ffree, bfree = work.free_counts()
    dsize = work.dsize
    fraginfo = (f"{files} files, {used} used, {ffree + (8192 // frag) * bfree} free "
                f"({ffree} frags, {bfree} blocks, {ffree * 100.0 / dsize:.1f}% "
                "fragmentation)\n")
    if not run.verbose:
        run.pwarn(fraginfo)
    else:
        run.pwarn("\nFilesystem summary:\n")
        run.pwarn(f"Inodes in use: {files}\n")
        run.pwarn(f"Blocks in use: {used}\n")
        run.pwarn(f"Total free fragments: {ffree + (8192 // frag) * bfree}\n")
        run.pwarn(f"Free fragments not in blocks: {ffree}\n")
        run.pwarn(f"Total free blocks: {bfree}\n")
        run.pwarn(f"Fragment/block fragmentation: {ffree * 100.0 / dsize:.1f}%\n")
    if iscorrupt and run.exitstat == 0:
        run.exitstat = EXFNDERRS
    if run.fsmodified:
        run.out("\n***** FILE SYSTEM WAS MODIFIED *****\n")
    if iscorrupt:
        run.out("***** FILE SYSTEM IS BAD *****\n")
    if rerun:
        if mounted_rw:
            run.out("\n***** PLEASE RERUN FSCK ON UNMOUNTED FILE SYSTEM *****\n")
        else:
            run.out("\n***** PLEASE RERUN FSCK *****\n")
    if run.exitstat == 0 and ((mounted_fs is not None and not errorlocked) or hotroot):
        run.exitstat = EXROOTOKAY
    if run.exitstat == 0 and rerun:
        run.exitstat = EXFNDERRS
    if work is not img and writable:
        _copy_back(img, work)
    if mounted_fs is not None:
        if errorlocked and work.consistent:
            mounted_fs.lock, mounted_fs.lock_comment = "unlock", ""
        if run.fsmodified:
            if not run.preen:
                run.out("\n***** REBOOT NOW *****\n")
            run.exitstat = EXREBOOTNOW
        if writable:
            mounted_fs.live = mounted_fs.image.copy()
    run.inv.host.advance(_duration(img))


def _copy_back(dst: Image, src: Image) -> None:
    dst.overlay, dst.damaged, dst.lost = src.overlay, src.damaged, src.lost
    dst.summary_wrong, dst.clean = src.summary_wrong, src.clean
    dst._count_delta, dst._frag_delta = src._count_delta, src._frag_delta
    dst._hash_delta = src._hash_delta


def _duration(img: Image) -> float:
    """Virtual seconds a full check takes: reading inodes and directories."""
    return 2.0 + img.nfiles / 20000.0 + img.size_blocks / 4.0e7


__all__ = ["main", "usage"]
