"""modinfo(1M): the loaded kernel modules (usr/src/cmd/modload/modinfo.c, modsubr.c).

Layout of a sparcv9 kernel (modinfo.c print_info): ``%3d %8lx %6lx `` id, load address and
size, ``%3d `` or ``  - `` for the info column (a driver's major number, a file system's
switch index), ``  %d  `` the revision, then ``name (linkinfo)`` cut at 51 characters unless
``-w``; ``-c`` prints ``%3d %10d %-32s`` and ``LOADED/INSTALLED`` (print_cinfo); ``-i ID``
one module, and a module that is not loaded is ``can't get module information: Invalid
argument`` (modsubr.c error(): exit errno, 22). A bad option or id is fatal(): the text
alone, exit 255.

What is loaded (decided): a handful of base modules of a Solaris 10 SPARC host, then the SVM
modules as md loads them on demand (md_subr.c md_load): ``md`` once the local set has state
database replicas, with ``md_notify`` (mdmonitord's event channel), and a submodule for each
kind of unit the configuration holds: stripes, mirrors, hot spares, soft partitions (no RAID-5
or trans units are modelled). Link texts are the Solaris 10 ones: md.c modldrv
``Solaris Volume Manager base module``, mdvar.h MD_PLUGIN_MISC_MODULE ``Solaris Volume
Manager <desc>`` with each module's version (the OpenSolaris 2006 sources Solaris 10 shares;
a grep for the old DiskSuite ``Meta disk`` text finds nothing, as on a real Solaris 10 host).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.strerror import strerror
from simulator.lvm.md.records import Mirror, SoftPartition, Stripe

NAME = "modinfo"
USAGE = "usage:  modinfo [-w] [-c] [-i module-id]\n"
HEADER = " Id Loadaddr   Size Info Rev Module Name"
CHEADER = " Id    Loadcnt Module Name                            State"
FATAL_EXIT = 255                         # exit(-1)
EINVAL_EXIT = 22


COVERAGE = Coverage(
    source=("usr/src/cmd/modload/modinfo.c", "usr/src/cmd/modload/modsubr.c"),
    getopt=("i:wc",),
    options=(
        "-i module-id: one module",
        "-w: the link text not cut at 51 characters",
        "-c: load counts and states",
    ),
    not_simulated=("modules other than a base set and the SVM modules md loads",),
    messages=(
        USAGE,
        HEADER,
        CHEADER,
        "Invalid id <id>",
        "can't get module information: Invalid argument",
    ),
)


@dataclass(frozen=True)
class Module:
    id: int
    base: int
    size: int
    info: int | None
    name: str
    linkinfo: str
    rev: int = 1


_BASE = (
    Module(0, 0x1000000, 0x1e2c30, None, "unix", ""),
    Module(1, 0x10ee3e0, 0x2af9d8, None, "genunix", ""),
    Module(2, 0x7bd9c000, 0x1548, None, "platmod", ""),
    Module(3, 0x7bd9d548, 0xb00, None, "SUNW,UltraSPARC-IIIi", ""),
    Module(5, 0x1160000, 0x4a48, 1, "specfs", "filesystem for specfs"),
    Module(6, 0x11644d8, 0x3840, 3, "fifofs", "filesystem for fifo"),
    Module(8, 0x7be38000, 0x5a068, 5, "ufs", "filesystem for ufs"),
    Module(30, 0x7bf16000, 0x4e6c0, 32, "sd", "SCSI Disk Driver 1.530"),
    Module(44, 0x7bf6a000, 0x3a6f8, 33, "st", "SCSI tape Driver 1.278"),
)
# md and its submodules (ids after md's are given in the order md loads them)
_MD = Module(85, 0x7be9e000, 0x1c390, 85, "md", "Solaris Volume Manager base module 2.49")
_SUBMODULES = {
    "notify": Module(0, 0x7bef2000, 0x4d38, None, "md_notify",
                     "Solaris Volume Manager notification module 2.17"),
    "stripe": Module(0, 0x7bebe000, 0xb230, None, "md_stripe",
                     "Solaris Volume Manager stripes module 2.47"),
    "mirror": Module(0, 0x7beca000, 0x1e1a8, None, "md_mirror",
                     "Solaris Volume Manager mirrors module 2.60"),
    "hotspares": Module(0, 0x7bee8000, 0x59f0, None, "md_hotspares",
                        "Solaris Volume Manager hot spares module 2.19"),
    "softpart": Module(0, 0x7bef8000, 0x9a30, None, "md_sp",
                       "Solaris Volume Manager soft partition module 1.39"),
}


def usage(inv: Invocation) -> int:
    inv.err(USAGE, end="")
    return FATAL_EXIT


def loaded_modules(inv: Invocation) -> list[Module]:
    """The modules loaded on this host, by id."""
    mods = list(_BASE)
    vm = inv.host.md
    if not vm.sets[""].replicas:
        return mods
    mods.append(_MD)
    units = [u for _s, u in vm.all_units()]
    wanted = ["notify"]
    if any(isinstance(u, Stripe) for u in units):
        wanted.append("stripe")
    if any(isinstance(u, Mirror) for u in units):
        wanted.append("mirror")
    if any(s.hsps for s in vm.sets.values()) or \
            any(isinstance(u, Stripe) and u.hsp for u in units):
        wanted.append("hotspares")
    if any(isinstance(u, SoftPartition) for u in units):
        wanted.append("softpart")
    for n, key in enumerate(wanted, start=_MD.id + 1):
        m = _SUBMODULES[key]
        mods.append(Module(n, m.base, m.size, m.info, m.name, m.linkinfo, m.rev))
    return mods


def _line(m: Module, wide: bool) -> str:
    info = f"{m.info:3d} " if m.info is not None else "  - "
    name = f"{m.name} ({m.linkinfo})"
    return f"{m.id:3d} {m.base:8x} {m.size:6x} {info}  {m.rev}  {name if wide else name[:51]}"


def _cline(m: Module) -> str:
    return f"{m.id:3d} {1:10d} {m.name:<32s} LOADED/INSTALLED"


def main(inv: Invocation) -> int:
    opts, _rest = sun_getopt(inv, inv.args, "i:wc", stop_at_error=True)
    wide = count = False
    wanted: int | None = None
    for o in opts:
        if o.char == "?":
            return usage(inv)
        if o.char == "i":
            scanned = re.match(r"\s*([+-]?\d+)", o.arg or "")   # sscanf(optarg, "%d")
            if scanned is None:
                inv.err(f"Invalid id {o.arg}")
                raise CommandExit(FATAL_EXIT)
            wanted = int(scanned.group(1))
            wanted = 0 if wanted == -1 else wanted
        elif o.char == "w":
            wide = True
        elif o.char == "c":
            count = True
    mods = loaded_modules(inv)
    if wanted is not None:
        mods = [m for m in mods if m.id == wanted]
        if not mods:
            inv.err(f"can't get module information: {strerror('EINVAL')}")
            return EINVAL_EXIT
    inv.out(CHEADER if count else HEADER)
    for m in mods:
        inv.out(_cline(m) if count else _line(m, wide))
    return 0
