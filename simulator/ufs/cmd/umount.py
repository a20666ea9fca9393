"""umount(1M): the generic command (usr/src/cmd/fs.d/umount.c; UFS has no specific one).

The argument is looked up in /etc/mnttab as a mount point, then as a special; an unknown one
gets ``umount: warning: <x> not in mnttab`` and the unmount is still tried. Failures are
``rpterr`` texts: ``<mp> busy`` (EBUSY), ``<mp> not mounted`` (EINVAL), ``<mp> no such file or
directory`` (ENOENT), ``permission denied`` (EPERM); exit status 1.

Options are ``getopt(3C) "ado:Vf?"`` as umount.c main() reads them: a bad option (libc's
complaint first, ``illegal option`` or ``option requires an argument``), ``-?``, a second
``-o`` or ``-V`` is ``usage()`` at once; ``-d`` is ``usage()`` too, its case being compiled
only under DEBUG.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.errors import UsageError
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.strerror import SysError
from simulator.ufs.filesystems import FileSystems

OPTSTRING = "ado:Vf?"                # umount.c main()


COVERAGE = Coverage(
    source=("usr/src/cmd/fs.d/umount.c",),
    getopt=(OPTSTRING,),
    options=(
        "-a [mount_point...]: every mounted file system but /, /usr and /var",
        "-f: forced unmount",
        "-o specific_options: read, with no effect (a second -o is the usage)",
        "-V: echo the command line, unmount nothing (read once)",
        "special: the file system, by mount point or special",
    ),
    not_simulated=("-d: the usage (its case is compiled only under DEBUG)",),
    messages=(
        "<prog>: warning: <name> not in mnttab",
        "<prog>: <mount_point> busy",
        "<prog>: <mount_point> not mounted",
        "<prog>: <mount_point> no such file or directory",
        "<prog>: <mount_point> no device",
        "<prog>: permission denied",
        "<prog>: cannot unmount <mount_point>",
    ),
)


def usage(inv: Invocation) -> int:
    p = inv.prog
    inv.err(f"Usage:\n{p} [-f] [-V] [-o specific_options] {{special | mount-point}}\n"
            f"{p} -a [-f] [-V] [-o specific_options] [mount_point ...]")
    return 1


def main(inv: Invocation) -> int:
    opts, args = sun_getopt(inv, inv.args, OPTSTRING, deferred=True)
    aflg = fflg = vflg = oflg = False
    for o in opts:
        if o.char == "a":
            aflg = True
        elif o.char == "f":
            fflg = True
        elif o.char == "o" and not oflg:
            oflg = True
        elif o.char == "V" and not vflg:
            vflg = True
        else:                        # '?', 'd' (DEBUG only), a second -o or -V
            o.complain(inv)
            raise UsageError
    if not aflg and len(args) != 1:
        return usage(inv)
    fs: FileSystems = inv.host.fs
    if aflg:
        status = 0
        targets = args or [m for m, _ in reversed(fs.mounts()) if m not in ("/", "/usr",
                                                                             "/var")]
        for t in targets:
            status = max(status, _umount(inv, fs, t, fflg, vflg))
        return status
    return _umount(inv, fs, args[0], fflg, vflg)


def _in_view(inv: Invocation, path: str) -> bool:
    """Whether ``path`` exists where the caller looks (``inv.files``: the harness's sandbox,
    pyfakefs or this machine): a directory the driver made is there for umount2(2)'s
    lookup (EINVAL, not mounted) though the model never heard of it."""
    return inv.files.kind(path, inv.cwd, follow=False) != ""


def _umount(inv: Invocation, fs: FileSystems, name: str, force: bool, echo: bool) -> int:
    mp = None
    for _special, mountp, _typ, _o, _t in reversed(fs.mnttab_entries()):
        if name == mountp or name.rstrip("/") == mountp:
            mp = mountp
            break
    if mp is None:
        for special, mountp, _typ, _o, _t in reversed(fs.mnttab_entries()):
            if name == special:
                mp = mountp
                break
    if mp is None:
        inv.err(f"{inv.prog}: warning: {name} not in mnttab")
        if echo:
            return 1
        mp = name
    if echo:
        inv.out(f"{inv.prog} {mp}")
        return 0
    try:
        fs.umount(mp, force=force, uid=inv.uid, in_view=_in_view(inv, mp))
    except SysError as e:
        texts = {"EPERM": f"{inv.prog}: permission denied",
                 "ENXIO": f"{inv.prog}: {mp} no device",
                 "ENOENT": f"{inv.prog}: {mp} no such file or directory",
                 "EINVAL": f"{inv.prog}: {mp} not mounted",
                 "EBUSY": f"{inv.prog}: {mp} busy"}
        inv.err(texts.get(e.errno, f"{inv.prog}: {e.text}\n{inv.prog}: cannot unmount {mp}"))
        return 1
    return 0
