"""mount(1M): the generic front end (fs.d/mount.c) and the UFS mount (fs.d/ufs/mount/mount.c).

With no operands it prints /etc/mnttab (``print_mnttab``: ``%s on %s %s%s on %s`` with the
options turned into ``read/write/setuid/devices/...``; ``-v`` and ``-p`` forms); with one
operand the other is taken from /etc/vfstab; the UFS part reports mount(2) failures with
``rpterr`` texts and exit status 32.
"""

from __future__ import annotations

import getopt as _getopt

from simulator.core.invocation import Invocation
from simulator.ufs.filesystems import FileSystems, FsErrno

UFS_USAGE = ("ufs usage:\n"
             "mount [-F ufs] [generic options] [-o suboptions] {special | mount_point}\n"
             "\tsuboptions are: \n"
             "\t\tro,rw,nosuid,remount,f,m,\n"
             "\t\tglobal,noglobal,\n"
             "\t\tlargefiles,nolargefiles,\n"
             "\t\tforcedirectio,noforcedirectio\n"
             "\t\tlogging,nologging,\n"
             "\t\tnbmand,nonbmand,\n"
             "\t\tonerror[={panic | lock | umount}]")


def usage(inv: Invocation) -> int:
    p = inv.prog
    inv.err(f"Usage:\n{p} [-v | -p]\n"
            f"{p} [-F FSType] [-V] [current_options] [-o specific_options]\n"
            "\t{special | mount_point}\n"
            f"{p} [-F FSType] [-V] [current_options] [-o specific_options]\n"
            "\tspecial mount_point\n"
            f"{p} -a [-F FSType ] [-V] [current_options] [-o specific_options]\n"
            "\t[mount_point ...]")
    return 1


def flags(opts: str, new: bool) -> str:
    """mount.c flags(): mnttab options as ``read/write/setuid/devices/...``."""
    if not opts:
        return "read/write/setuid/devices"
    rdwr = suid = devices = setuid = True
    rest: list[str] = []
    for o in opts.split(","):
        if o == "ro":
            rdwr = False
        elif o == "rw":
            rdwr = True
        elif o == "suid":
            suid = True
        elif o == "nosuid":
            suid = False
        elif o == "setuid":
            setuid = True
        elif o == "nosetuid":
            setuid = False
        elif o == "devices":
            devices = True
        elif o == "nodevices":
            devices = False
        elif o:
            rest.append(o)
    out = "read/write" if rdwr else ("read-only" if new else "read only")
    if suid:
        out += "/setuid" if setuid else "/nosetuid"
        out += "/devices" if devices else "/nodevices"
    else:
        out += "/nosetuid/nodevices"
    if rest:
        out += "/" + "/".join(rest)
    return out


def _elide_dev(opts: str) -> str:
    return ",".join(o for o in opts.split(",") if not o.startswith("dev="))


def print_mnttab(inv: Invocation, fs: FileSystems, vflg: bool, pflg: bool) -> None:
    clock = inv.host.clock
    for special, mp, typ, opts, t in fs.mnttab_entries():
        if "ignore" in opts.split(","):
            continue
        when = clock.ctime(t)
        if pflg:
            inv.out(f"{special} - {mp} {typ} - no {_elide_dev(opts) or '-'}")
        elif vflg:
            inv.out(f"{special} on {mp} type {typ} {flags(opts, True)} on {when}")
        else:
            inv.out(f"{mp} on {special} {flags(opts, False)} on {when}")


def main(inv: Invocation) -> int:
    try:
        opts, args = _getopt.getopt(inv.args, "acd:f:F:gmno:pqrvVO")
    except _getopt.GetoptError as e:
        inv.err(f"{inv.prog}: illegal option -- {e.opt}")
        return usage(inv)
    fs: FileSystems = inv.host.fs
    o = {k: v for k, v in opts}
    aflg, pflg, vflg, rflg = "-a" in o, "-p" in o, "-v" in o, "-r" in o
    fstype = o.get("-F") or o.get("-f")
    specific = o.get("-o")
    if not aflg and len(args) > 2:
        return usage(inv)
    if pflg + vflg + aflg > 1:
        inv.err(f"{inv.prog}: -a, -p, and -v are mutually exclusive")
        return usage(inv)
    if not aflg and not args:
        if any(k in o for k in ("-c", "-f", "-m", "-o", "-r", "-q")) or fstype:
            return usage(inv)
        print_mnttab(inv, fs, vflg, pflg)
        return 0
    if args and (pflg or vflg):
        inv.err(f"{inv.prog}: Cannot use -p and -v with arguments")
        return usage(inv)
    if fstype not in (None, "ufs"):
        inv.err(f"{inv.prog}: Operation not applicable to FSType {fstype}")
        return 1
    if aflg:
        status = 0
        for vf in fs.vfstab_filesystems():
            if vf.mounted or vf.synthetic or (args and vf.mount not in args):
                continue
            opts_ = specific or vf.options
            status = max(status, _mount_ufs(inv, fs, vf.device, vf.mount, opts_, rflg))
        return status
    special = args[0] if len(args) == 2 else None
    mountp = args[-1]
    if special is None:
        ent = fs.vfstab_entry(mountp)
        if ent is None:
            if mountp.startswith("/dev/") and fs.device_exists(fs.block_name(mountp)):
                inv.err(f"{inv.prog}: mount point cannot be determined")
                return 1
            try:
                fs.resolve(mountp, inv.cwd)
            except FsErrno:
                inv.err(f"{inv.prog}: cannot stat {mountp}")
                return 2
            inv.err(f"{inv.prog}: special cannot be determined")
            return 1
        special, mountp = ent.device, ent.mount
        if specific is None and ent.options not in ("", "-"):
            specific = ent.options
    elif specific is None:
        known = fs.vfstab_entry(mountp)
        if known is not None and known.options not in ("", "-"):
            specific = known.options
    try:
        fs.resolve(mountp, inv.cwd)
    except FsErrno as e:
        inv.err(f"mount: {mountp}: {e.text}")
        return 1
    return _mount_ufs(inv, fs, special, mountp, specific or "", rflg)


def _mount_ufs(inv: Invocation, fs: FileSystems, special: str, mountp: str, opts: str,
               ro: bool) -> int:
    """/usr/lib/fs/ufs/mount: option handling and rpterr() (exit 32)."""
    words = [w for w in opts.split(",") if w and w != "-"]
    for w in words:
        if w.startswith("onerror=") and w[8:] not in ("panic", "lock", "umount"):
            inv.out(UFS_USAGE)
            return 32
    readonly = ro or "ro" in words
    keep = ",".join(w for w in words if w not in ("ro", "rw"))
    try:
        fs.mount(special, mountp, readonly=readonly, options=keep, uid=inv.uid,
                 overlay=False)
    except FsErrno as e:
        name = "mount"
        if e.errno == "EPERM":
            inv.err(f"{name}: Insufficient privileges")
        elif e.errno == "ENXIO":
            inv.err(f"{name}: {special} no such device")
        elif e.errno == "ENOENT":
            inv.err(f"{name}: {special} or {mountp}, no such file or directory")
        elif e.errno == "EINVAL":
            inv.err(f"{name}: {special} is not this fstype")
        elif e.errno == "EBUSY":
            inv.err(f"{name}: {special} is already mounted or {mountp} is busy")
        elif e.errno == "EROFS":
            inv.err(f"{name}: {special} write-protected")
        elif e.errno == "ENOSPC":
            inv.err(f"{name}: The state of {special} is not okay\n"
                    "\tand it was attempted to be mounted read/write")
            inv.out("mount: Please run fsck and try again")
        else:
            inv.err(f"{name}: {e.text}\n{name}: Cannot mount {special}")
        return 32
    return 0
