"""mount(1M): the generic front end (fs.d/mount.c) and the UFS mount (fs.d/ufs/mount/mount.c).

With no operands it prints /etc/mnttab (``print_mnttab``: ``%s on %s %s%s on %s`` with the
options turned into ``read/write/setuid/devices/...``; ``-v`` and ``-p`` forms); with one
operand the other is taken from /etc/vfstab; the UFS part reports mount(2) failures with
``rpterr`` texts and exit status 32. The mount point is looked up as the caller sees it
(:func:`view_kind`: ``inv.files`` first, then the model's directories) and made absolute as
main()'s ``realpath(mountp)`` makes it.

Options are mount.c main()'s ``getopt(3C) "?acd:f:F:gmno:pqrvVO"``: a bad option is libc's
complaint and, like ``-?``, ends in ``usage()`` only after the whole command line is read
(so ``-a``/``-p``/``-v`` and ``-f``/``-F`` conflicts are reported first); each flag counts
every time it is given (``-p -p`` is two of ``-a, -p, and -v``); ``-d`` (DEBUG only) and
``-n`` are accepted and ignored; ``-F ufs -?`` alone runs the UFS mount with ``-?``, which
complains as ``ufs mount`` and prints its usage on stdout (exit 32).
"""

from __future__ import annotations

import os
from collections import Counter

from simulator.core.coverage import Coverage
from simulator.core.errors import UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.strerror import SysError
from simulator.ufs.filesystems import FileSystems, mount_point

OPTSTRING = "?acd:f:F:gmno:pqrvVO"   # mount.c main()

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


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/mount.c", "usr/src/cmd/fs.d/ufs/mount/mount.c"),
    getopt=(OPTSTRING,),
    options=(
        "-a [mount_point...]: mount the vfstab entries not yet mounted",
        "-p: /etc/mnttab in vfstab form",
        "-v: /etc/mnttab, verbose",
        "-F FSType: the type (only ufs)",
        "-f FSType: the old type option (S51K and S52K mean ufs)",
        "-o specific_options: ro, rw, onerror=, logging... (kept in mnttab)",
        "-r: read-only",
        "-?: the usage; with -F ufs, the UFS mount's",
        "special mount_point: mount one UFS (either taken from vfstab when one is missing)",
    ),
    not_simulated=(
        "-O: read; an overlay mount is never made",
        "-c -g -m -q -V: read, with no effect",
        "-d and -n: accepted and ignored (as mount.c: -d is DEBUG only)",
        "file system types other than ufs: 'Operation not applicable to FSType'",
    ),
    messages=(
        UFS_USAGE,
        "<prog>: -a, -p, and -v are mutually exclusive",
        "<prog>: -a and -O are mutually exclusive",
        "<prog>: More than one FSType specified",
        "<prog>: Cannot use -p and -v with arguments",
        "<prog>: Operation not applicable to FSType <type>",
        "<prog>: mount point cannot be determined",
        "<prog>: cannot stat <mount_point>",
        "<prog>: special cannot be determined",
        "<fstype> <prog>: illegal option -- ?",
        "mount: Insufficient privileges",
        "mount: <special> no such device",
        "mount: <mount_point> not a directory",
        "mount: <special> or <mount_point>, no such file or directory",
        "mount: <special> is not this fstype",
        "mount: <special> is already mounted or <mount_point> is busy",
        "mount: <special> write-protected",
        "mount: The state of <special> is not okay",
        "mount: Please run fsck and try again",
        "mount: Cannot mount <special>",
    ),
)


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
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)
    n: Counter[str] = Counter()
    farg = farg_upper = specific = None
    for o in opts:
        if o.char == "?":
            o.complain(inv)
        elif o.char == "f":
            farg = o.arg
        elif o.char == "F":
            farg_upper = o.arg
        elif o.char == "o":
            specific = o.arg
        n[o.char] += 1
    aflg, pflg, vflg, rflg = n["a"], n["p"], n["v"], n["r"]
    if not aflg and len(args) > 2:
        raise UsageError
    if pflg + vflg + aflg > 1:
        inv.err(f"{inv.prog}: -a, -p, and -v are mutually exclusive")
        raise UsageError
    if aflg and n["O"]:
        inv.err(f"{inv.prog}: -a and -O are mutually exclusive")
        raise UsageError
    if n["f"] + n["F"] > 1:
        inv.err(f"{inv.prog}: More than one FSType specified")
        raise UsageError
    if not aflg and not args:
        if any(n[k] for k in "cfmorq") or (n["F"] and not n["?"]):
            raise UsageError
        if n["?"] and farg_upper is not None:
            return _specific_question(inv, farg_upper)
    if n["?"]:
        raise UsageError
    if args and (pflg or vflg):
        inv.err(f"{inv.prog}: Cannot use -p and -v with arguments")
        raise UsageError
    fs: FileSystems = inv.host.fs
    if not aflg and not args:
        print_mnttab(inv, fs, bool(vflg), bool(pflg))
        return 0
    fstype = ("ufs" if farg in ("S51K", "S52K") else farg) if n["f"] else farg_upper
    if fstype not in (None, "ufs"):
        inv.err(f"{inv.prog}: Operation not applicable to FSType {fstype}")
        return 1
    if aflg:
        status = 0
        for vf in fs.vfstab_filesystems():
            if vf.mounted or vf.synthetic or (args and vf.mount not in args):
                continue
            opts_ = specific or vf.options
            status = max(status, _mount_ufs(inv, fs, vf.device, vf.mount, opts_, bool(rflg)))
        return status
    special = args[0] if len(args) == 2 else None
    mountp = args[-1]
    if special is None:
        ent = fs.vfstab_entry(mountp)
        if ent is None:
            if mountp.startswith("/dev/") and fs.device_exists(fs.block_name(mountp)):
                inv.err(f"{inv.prog}: mount point cannot be determined")
                return 1
            if not view_kind(inv, fs, mountp):
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
        error = None
    except SysError as e:    # EIO under a hard lock, ENOENT unless the view has it
        error = e
    kind = view_kind(inv, fs, mountp)
    if error is not None and (error.errno != "ENOENT" or not kind):
        inv.err(f"mount: {mountp}: {error.text}")    # main(): realpath() failed; perror()
        return 1
    return _mount_ufs(inv, fs, special, absolute(inv, mountp), specific or "", bool(rflg),
                      kind)


def absolute(inv: Invocation, path: str) -> str:
    """mount.c main() hands the type's mount ``realpath(mountp)``: absolute, no ``.``/``..``
    (symlinks in the driver's view are not followed: the view is Linux's)."""
    return mount_point(os.path.join(inv.cwd, path))


def view_kind(inv: Invocation, fs: FileSystems, path: str) -> str:
    """What is at ``path`` as the caller sees it: ``"dir"``, ``"other"`` or ``""`` (nothing).

    The driver's own view through ``inv.files`` (the harness's sandbox, pyfakefs, or this
    machine) first: a directory the driver just made (``mkdir /var/tmp/m``) is there, as
    mount.c's realpath(3C) and mount(2) would find it, and a file the driver made is not a
    directory. Then the model's directories (the root file system's, scenario mount
    points, mounted trees), which need not exist on this machine (``/home1``)."""
    full = absolute(inv, path)
    if inv.files.kind(full, "/") == "dir":
        seen = "dir"
    else:
        seen = "other" if inv.files.kind(full, "/", follow=False) else ""
    if seen == "other" and full in fs.filesystems:
        seen = ""       # a scenario's mount point is the model's directory
    if seen:
        return seen
    return "dir" if fs.dir_exists(full) else ""


def _specific_question(inv: Invocation, fstype: str) -> int:
    """``mount -F <type> -?``: mount.c execs the type's mount with ``-?``; the UFS mount
    (argv[0] ``ufs mount``, getopt "gmo:pqrVO") complains and usage() exits 32."""
    if fstype != "ufs":
        inv.err(f"{inv.prog}: Operation not applicable to FSType {fstype}")
        return 1
    inv.err(f"{fstype} {inv.prog}: illegal option -- ?")
    inv.out(UFS_USAGE)
    return 32


def _mount_ufs(inv: Invocation, fs: FileSystems, special: str, mountp: str, opts: str,
               ro: bool, kind: str = "") -> int:
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
                 overlay=False, in_view=kind)
    except SysError as e:
        name = "mount"
        if e.errno == "EPERM":
            inv.err(f"{name}: Insufficient privileges")
        elif e.errno == "ENXIO":
            inv.err(f"{name}: {special} no such device")
        elif e.errno == "ENOTDIR":
            inv.err(f"{name}: {mountp} not a directory\n"
                    f"\tor a component of {special} is not a directory")
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
