"""metaoffline: take a submirror offline (usr/src/cmd/lvm/util/metaoffline.c).

Any unknown option is a usage error here (unlike metattach/metadetach). Both names are
resolved before the mirror is looked at (meta_mirror.c meta_mirror_offline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import sun_getopt
from simulator.lvm.libmeta.names import command_set, meta_device, print_usage

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metaoffline"
USAGE = "usage:\t{0} [-s setname] [-f] mirror submirror\n"


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metaoffline.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror.c"),
    getopt=("hs:f?",),
    options=(
        "-s setname: the set of the mirror",
        "-f: force: offline a submirror that is not Okay",
        "-h: the usage, exit 0",
        "mirror submirror: take the submirror offline",
    ),
    messages=(USAGE, "<dM>: submirror <dN> is offlined"),
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "hs:f?")
    sname, force = None, False
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char == "?":
            return usage(inv, 1)
        if o.char == "s":
            sname = o.arg
        if o.char == "f":
            force = True
    if len(rest) != 2:
        return usage(inv, 1)
    vm = inv.host.md
    s, mirror = meta_device(vm, command_set(vm, sname), rest[0])
    s, sub = meta_device(vm, s, rest[1])
    vm.offline(s, mirror, sub, force=force)
    inv.out(f"{s.display(mirror)}: submirror {s.display(sub)} is offlined")
    return 0
