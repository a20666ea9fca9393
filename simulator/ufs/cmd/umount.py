"""umount(1M): the generic command (usr/src/cmd/fs.d/umount.c; UFS has no specific one).

The argument is looked up in /etc/mnttab as a mount point, then as a special; an unknown one
gets ``umount: warning: <x> not in mnttab`` and the unmount is still tried. Failures are
``rpterr`` texts: ``<mp> busy`` (EBUSY), ``<mp> not mounted`` (EINVAL), ``<mp> no such file or
directory`` (ENOENT), ``permission denied`` (EPERM); exit status 1.
"""

from __future__ import annotations

import getopt as _getopt

from simulator.core.invocation import Invocation
from simulator.ufs.filesystems import FileSystems, FsErrno


def usage(inv: Invocation) -> int:
    p = inv.prog
    inv.err(f"Usage:\n{p} [-f] [-V] [-o specific_options] {{special | mount-point}}\n"
            f"{p} -a [-f] [-V] [-o specific_options] [mount_point ...]")
    return 1


def main(inv: Invocation) -> int:
    try:
        opts, args = _getopt.getopt(inv.args, "ado:Vf")
    except _getopt.GetoptError as e:
        inv.err(f"{inv.prog}: illegal option -- {e.opt}")
        return usage(inv)
    names = [k for k, _ in opts]
    if names.count("-o") > 1 or names.count("-V") > 1:
        return usage(inv)
    aflg, fflg, vflg = "-a" in names, "-f" in names, "-V" in names
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
        fs.umount(mp, force=force, uid=inv.uid)
    except FsErrno as e:
        texts = {"EPERM": f"{inv.prog}: permission denied",
                 "ENXIO": f"{inv.prog}: {mp} no device",
                 "ENOENT": f"{inv.prog}: {mp} no such file or directory",
                 "EINVAL": f"{inv.prog}: {mp} not mounted",
                 "EBUSY": f"{inv.prog}: {mp} busy"}
        inv.err(texts.get(e.errno, f"{inv.prog}: {e.text}\n{inv.prog}: cannot unmount {mp}"))
        return 1
    return 0
