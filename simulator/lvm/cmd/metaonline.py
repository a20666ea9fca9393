"""metaonline: bring an offline submirror back (usr/src/cmd/lvm/util/metaonline.c).

The submirror goes to OFFLINE_RESYNC and an optimized resync of the regions written while
it was offline starts (mirror_ioctl.c mirror_online).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import sun_getopt
from simulator.lvm.libmeta.names import command_set, meta_device, print_usage

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metaonline"
USAGE = "usage:\t{0} [-s setname] mirror submirror\n"


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metaonline.c",),
    getopt=("hs:?",),
    options=(
        "-s setname: the set of the mirror",
        "-h: the usage, exit 0",
        "mirror submirror: bring the submirror back; an optimized resync starts",
    ),
    messages=(USAGE, "<dM>: submirror <dN> is onlined"),
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "hs:?")
    sname = None
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char == "?":
            return usage(inv, 1)
        if o.char == "s":
            sname = o.arg
    if len(rest) != 2:
        return usage(inv, 1)
    vm = inv.host.md
    s, mirror = meta_device(vm, command_set(vm, sname), rest[0])
    s, sub = meta_device(vm, s, rest[1])
    vm.online(s, mirror, sub)
    inv.out(f"{s.display(mirror)}: submirror {s.display(sub)} is onlined")
    return 0
