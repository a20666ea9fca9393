"""metareplace: replace or re-enable a mirror component (usr/src/cmd/lvm/util/metareplace.c).

``metareplace dM old new`` and ``metareplace -e dM comp``; the RAID forms exist in the
usage text, but svmsim models no RAID-5 (such a unit is reported as the libmeta dispatcher
meta_replace.c reports any non-mirror: ``unknown metadevice type``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import sun_getopt
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.mirror import meta_mirror_replace
from simulator.lvm.libmeta.names import command_set, component_name, meta_device, print_usage
from simulator.lvm.md.records import Mirror

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metareplace"
USAGE = ("usage:\t{0} [-s setname] mirror component-old component-new\n"
         "\t{0} [-s setname] -e mirror component\n"
         "\t{0} [-s setname] [-f] RAID component-old component-new\n"
         "\t{0} [-s setname] [-f] -e RAID component\n")


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metareplace.c",
            "usr/src/lib/lvm/libmeta/common/meta_replace.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror.c"),
    getopt=("hs:efn?",),
    options=(
        "-s setname: the set of the mirror",
        "-e: re-enable a component in place",
        "-f: accepted (it matters only to RAID-5)",
        "-h: the usage, exit 0",
        "mirror component-old component-new: replace a component",
    ),
    not_simulated=(
        "RAID-5 metadevices: the model has none ('unknown metadevice type')",
        "-n: only valid through rpc.metacld; the usage, exit 1 (as metareplace.c)",
    ),
    messages=(
        USAGE,
        "<dM>: device <comp> is enabled",
        "<dM>: device <old> is replaced with <new>",
        E.UNKNOWN_TYPE,
    ),
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "hs:efn?")
    sname, enable = None, False
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char in "?n":                # -n only through rpc.metacld
            return usage(inv, 1)
        if o.char == "s":
            sname = o.arg
        if o.char == "e":
            enable = True
    vm = inv.host.md
    sp = command_set(vm, sname)
    if not rest:
        return usage(inv, 1)
    s, name = meta_device(vm, sp, rest[0])
    operands = rest[1:]
    if len(operands) != (1 if enable else 2):
        return usage(inv, 1)
    comps = [component_name(vm, s, c) for c in operands]
    unit = vm.unit(s, name)
    if not isinstance(unit, Mirror):
        raise MDError(E.UNKNOWN_TYPE, name=s.display(name))
    mname = s.display(name)
    if enable:
        meta_mirror_replace(vm, s, name, comps[0], None)
        inv.out(f"{mname}: device {comps[0]} is enabled")
    else:
        meta_mirror_replace(vm, s, name, comps[0], comps[1])
        inv.out(f"{mname}: device {comps[0]} is replaced with {comps[1]}")
    return 0
