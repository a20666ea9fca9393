"""metasync: start, restart or cancel mirror resyncs (usr/src/cmd/lvm/util/metasync.c).

``metasync [-s set] [buffer_size] dM...`` restarts owed or cancelled resyncs (ATTACHED
submirrors become ATTACHED_RESYNC), ``-c dM...`` cancels a running one, ``-r`` is the boot
time resync of every mirror in pass order. Per-device errors are reported and the next
device is tried; the exit status is then 255 (``md_exit(sp, -1)``).

``metasync -r`` forks a child that starts pass 1, waits for it, starts pass 2, and so on
(libmeta meta_mirror_resync.c meta_mirror_resync_all; pass 0 is never resynced, the last
pass is not waited for). That child is the model's ``host.md.resync``
(:class:`simulator.lvm.md.resync.ResyncDaemon`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import atoi, sun_getopt
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.names import command_set, meta_device, print_usage
from simulator.lvm.md.records import Mirror

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metasync"
USAGE = ("usage:\t{0} [-s setname] -r [buffer_size]\n"
         "\t{0} [-s setname] [buffer_size] metadevices...\n"
         "\t{0} [-s setname] -c metadevices...\n")


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metasync.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror_resync.c"),
    getopt=("phs:rc?",),
    options=(
        "-s setname: the set of the mirrors",
        "-r: the boot-time resync of every mirror, pass by pass",
        "-c: cancel a running resync",
        "-h: the usage, exit 0",
        "buffer_size: checked (negative is an error), then only tunes the copy buffer",
        "metadevices: start or restart each mirror's owed resync",
    ),
    not_simulated=("-p: RAID-5 resync; the model has no RAID-5 ('unit is not a RAID')",),
    messages=(USAGE, "<prog>: illegal buffer size <n>", E.NOT_RAID, E.UNKNOWN_TYPE),
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "phs:rc?")
    sname, rflag, pflag, cancel = None, 0, 0, False
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char == "?":
            return usage(inv, 1)
        if o.char == "s":
            sname = o.arg
        rflag += o.char == "r"
        pflag += o.char == "p"
        cancel = cancel or o.char == "c"
    if pflag + rflag > 1:
        return usage(inv, 1)
    vm = inv.host.md
    sp = command_set(vm, sname)
    if rest and rest[0][:1].isdigit():
        # the size only tunes the kernel's copy buffer (used when 1..2048 blocks)
        if atoi(rest[0]) < 0:
            inv.err(f"{inv.prog}: illegal buffer size {rest[0]}")
            return 1
        rest = rest[1:]
    if rflag:
        if rest:
            return usage(inv, 1)
        vm.resync.start(sp if sp is not None else vm.get_set(None))
        return 0
    if not rest:
        return usage(inv, 1)
    status = 0
    for name in rest:
        try:
            s, short = meta_device(vm, sp, name)
            sp = s
            unit = vm.unit(s, short)
            if pflag:
                raise MDError(E.NOT_RAID, name=s.display(short))
            if not isinstance(unit, Mirror):
                raise MDError(E.UNKNOWN_TYPE, name=s.display(short))
            if cancel:
                vm.cancel_resync(s, short)
            else:
                vm.start_resync(s, short)
        except MDError as e:
            inv.md_error(e)
            status = 255
    return status
