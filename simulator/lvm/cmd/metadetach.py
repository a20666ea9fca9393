"""metadetach: detach a submirror from a mirror (usr/src/cmd/lvm/util/metadetach.c).

Root check; a first getopt pass for ``-s`` (unknown options reported, not fatal); the
metadevice; then per type a second pass where anything unknown is a usage error. Only
mirrors (and trans devices, which svmsim does not model) can be detached from. Whether the
kernel compacts the submirror array behind the detached one depends on the release
(:mod:`simulator.lvm.libmeta.release`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import sun_getopt
from simulator.lvm.libmeta.names import MISCNAME, command_set, meta_device, print_usage
from simulator.lvm.libmeta.release import detach_compacts
from simulator.lvm.md.records import Mirror

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metadetach"
USAGE = ("usage:\t{0} [-s setname] [-f] mirror submirror\n"
         "\t{0} [-s setname] [-f] trans\n")


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metadetach.c",),
    getopt=("hs:f?", "s:f"),
    options=(
        "-s setname: the set of the mirror",
        "-f: force the detach of a submirror with erred or resyncing components",
        "-h: the usage, exit 0",
        "mirror submirror: detach the submirror",
    ),
    not_simulated=("trans metadevices (metadetach trans): the model has none",),
    messages=(
        USAGE,
        "<dM>: submirror <dN> is detached",
        "<prog>: <dN>: invalid metadevice type <type>",
    ),
    notes="Whether the kernel compacts the submirror array depends on the release "
          "(simulator/lvm/libmeta/release.py).",
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "hs:f?")
    sname = None
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char == "s":
            sname = o.arg
    if not rest:
        return usage(inv, 1)
    vm = inv.host.md
    s, name = meta_device(vm, command_set(vm, sname), rest[0])
    unit = vm.unit(s, name)
    if not isinstance(unit, Mirror):
        inv.err(f"{inv.prog}: {s.display(name)}: invalid metadevice type "
                f"{MISCNAME.get(unit.kind, unit.kind)}")
        return 1
    opts, rest = sun_getopt(inv, inv.args, "s:f")
    force = False
    for o in opts:
        if o.char not in "sf":
            return usage(inv, 1)
        if o.char == "f":
            force = True
    if len(rest) != 2:
        return usage(inv, 1)
    _, sub = meta_device(vm, s, rest[1])
    vm.detach(s, unit.name, sub, force=force,
              compact=detach_compacts(inv.host.release))
    inv.out(f"{s.display(unit.name)}: submirror {s.display(sub)} is detached")
    return 0
