"""fsck_ufs setup(): which device, is it mounted, can it be opened, roll the log
(illumos usr/src/cmd/fs.d/ufs/fsck/setup.c).

``derive_devstr`` (a mount point or directory becomes its device through mnttab, then
vfstab), ``check_mount_state`` (the newer form where ``-n`` and ``-m`` do not ask about a
mounted file system; a mounted ``/`` or ``/usr`` read-only is the "hot root"),
``open_and_intro`` (``** <dev>`` and `` (NO WRITE)``), ``find_superblock`` (no usable
superblock anywhere: the alternate-superblock questions, exit 39) and ``logsetup`` (a
logging UFS's log is rolled before the check, even with ``-n``, by mounting it read-only,
roll_log.c; a mounted one is flushed). A write-locked file system is a mounted file system
like any other: setup.c only special-cases error locks (is_errorlocked).
Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from simulator.core.errors import CommandExit
from simulator.core.strerror import EACCES, ENOENT, SysError
from simulator.ufs.cmd.fsck.utilities import (
    EXBADPARM,
    EXERRFATAL,
    EXMOUNTED,
    EXNOSTAT,
    Run,
)
from simulator.ufs.filesystems import FileSystem, FileSystems
from simulator.ufs.image import Image


@dataclass
class Target:
    """What setup() found: the device, its image, and how it is mounted."""

    devstr: str
    img: Image | None
    mounted_fs: FileSystem | None
    errorlocked: bool
    hotroot: bool


def derive_devstr(run: Run, fsx: FileSystems, filesys: str) -> str:
    """setup.c derive_devstr(): the block device ``filesys`` stands for."""
    dev = filesys
    if not dev.startswith("/dev/"):
        try:
            holder, rel = fsx.resolve(dev, run.inv.cwd)
        except SysError:
            run.exitstat = EXNOSTAT
            run.errexit(f"fsck: could not stat {filesys}: {ENOENT}")
        target = fsx.vfstab_entry("/" + rel if holder is None else filesys)
        mnt = fsx._find(filesys)
        if mnt is not None and mnt.mounted:
            dev = mnt.device
        elif target is not None:
            dev = target.device
        else:
            run.exitstat = EXBADPARM
            run.errexit(f"fsck: could not find mountpoint {filesys} in mnttab nor vfstab")
    if not fsx.device_exists(dev):
        run.exitstat = EXNOSTAT
        run.errexit(f"fsck: could not stat {filesys}: {ENOENT}")
    return fsx.block_name(dev)


def setup(run: Run, fsx: FileSystems, filesys: str) -> Target:
    """setup(): derive_devstr, check_mount_state, open_and_intro."""
    devstr = derive_devstr(run, fsx, filesys)
    mounted_fs: FileSystem | None = None
    for cand in fsx.mounted_ufs():
        if cand.device == devstr:
            mounted_fs = cand
    errorlocked = mounted_fs is not None and mounted_fs.lock == "error"
    hotroot = False
    if mounted_fs is not None:
        hotroot = check_mount_state(run, mounted_fs, devstr, errorlocked)
    else:
        devstr = fsx.raw_name(devstr)
    run.devname = devstr
    # ---- open_and_intro()
    if run.inv.uid != 0:
        run.out(f"Can't open {devstr}: {EACCES}\n")
        raise CommandExit(EXNOSTAT)
    if not run.preen:
        run.out(f"** {devstr}" + ("" if not run.nflag else " (NO WRITE)") + "\n")
    elif run.nflag:
        run.pfatal("(NO WRITE ACCESS)\n")
    img = mounted_fs.image if mounted_fs is not None else fsx.image_of(devstr)
    return Target(devstr, img, mounted_fs, errorlocked, hotroot)


def check_mount_state(run: Run, mounted_fs: FileSystem, devstr: str,
                      errorlocked: bool) -> bool:
    """setup.c check_mount_state() for a mounted file system; True for the hot root."""
    rw = not mounted_fs.readonly
    if mounted_fs.mount in ("/", "/usr") and not rw:
        return True
    if errorlocked:
        return False
    if run.preen:
        run.exitstat = EXMOUNTED
        run.devname = devstr
        run.pfatal(f"{devstr} IS CURRENTLY MOUNTED{' READ/WRITE' if rw else ''}.")
    elif not run.nflag and not run.mflag:
        run.devname = devstr
        run.pwarn(f"{devstr} IS CURRENTLY MOUNTED READ/{'WRITE' if rw else 'ONLY'}.")
        if not run.reply("CONTINUE"):
            run.exitstat = EXMOUNTED
            run.errexit("Program terminated")
    return False


def bad_superblock(run: Run) -> NoReturn:
    """setup.c find_superblock() with no usable superblock anywhere (exit 39)."""
    run.out("BAD SUPERBLOCK AT BLOCK 16: MAGIC NUMBER WRONG\n")
    if run.preen:
        run.pwarn("USE AN ALTERNATE SUPERBLOCK TO SUPPLY NEEDED INFORMATION;\n")
        run.pwarn("e.g. fsck [-F ufs] -o b=# [special ...] \n")
        run.exitstat = EXERRFATAL
        run.pfatal("where # is the alternate super block. SEE fsck_ufs(1M). \n")
    for style in ("MKFS", "NEWFS"):
        run.reply(f"LOOK FOR ALTERNATE SUPERBLOCKS WITH {style}")
    run.pwarn("SEARCH FOR ALTERNATE SUPERBLOCKS FAILED.\n")
    for style in ("MKFS", "NEWFS"):
        run.reply(f"USE GENERIC SUPERBLOCK FROM {style}")
    run.pwarn("SEARCH FOR ALTERNATE SUPERBLOCKS FAILED. YOU MUST USE THE -o b OPTION\n"
              "TO FSCK TO SPECIFY THE LOCATION OF A VALID ALTERNATE SUPERBLOCK TO\n"
              "SUPPLY NEEDED INFORMATION; SEE fsck(1M).\n")
    raise CommandExit(run.exitstat or EXERRFATAL)


def logsetup(fsx: FileSystems, mounted_fs: FileSystem | None) -> None:
    """setup.c logsetup(): a mounted fs is flushed (rlflush/_FIOFFS), an unmounted logging
    fs has its log rolled by a read-only mount; neither prints anything."""
    if mounted_fs is not None and mounted_fs.lock not in ("hard", "error"):
        fsx.sync(mounted_fs)
