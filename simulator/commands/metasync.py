"""metasync: start, restart or cancel mirror resyncs (usr/src/cmd/lvm/util/metasync.c).

``metasync [-s set] [buffer_size] dM...`` restarts owed or cancelled resyncs (ATTACHED
submirrors become ATTACHED_RESYNC), ``-c dM...`` cancels a running one, ``-r`` is the boot
time resync of every mirror in pass order. Per-device errors are reported and the next
device is tried; the exit status is then 255 (``md_exit(sp, -1)``).

``metasync -r`` forks a child that starts pass 1, waits for it, starts pass 2, and so on
(libmeta meta_mirror_resync.c meta_mirror_resync_all; pass 0 is never resynced, the last
pass is not waited for). That child is the :class:`ResyncDaemon` host subsystem here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.errors import MDError
from ..model.host import register_subsystem
from ..model.metadevices import Mirror
from .base import atoi, sun_getopt
from .metanames import command_set, meta_device, print_usage

if TYPE_CHECKING:
    from ..model.host import Host
    from .base import Invocation

NAME = "metasync"
USAGE = ("usage:\t{0} [-s setname] -r [buffer_size]\n"
         "\t{0} [-s setname] [buffer_size] metadevices...\n"
         "\t{0} [-s setname] -c metadevices...\n")
UNKNOWN_TYPE = "unknown metadevice type"      # meta_error.c MDE_UNKNOWN_TYPE
NOT_RAID = "unit is not a RAID"               # meta_error.c MDE_NOT_RAID
MD_PASS_MAX = 9


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
    vm = inv.host.vm
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
        daemon = inv.host.ext.get("metasync")
        if isinstance(daemon, ResyncDaemon):
            daemon.start(sp if sp is not None else vm.get_set(None))
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
                raise MDError(NOT_RAID, name=s.display(short))
            if not isinstance(unit, Mirror):
                raise MDError(UNKNOWN_TYPE, name=s.display(short))
            if cancel:
                vm.cancel_resync(s, short)
            else:
                vm.start_resync(s, short)
        except MDError as e:
            inv.md_error(e)
            status = 255
    return status


@register_subsystem("metasync")
class ResyncDaemon:
    """The child ``metasync -r`` leaves running: starts each pass once the one before ended.

    A run is ``{"set": name, "pending": [[mirror...] per later pass], "waiting": [...]}``;
    it is checked whenever virtual time passes (the real child polls every 1-10 s).
    """

    def __init__(self, host: Host) -> None:
        self.host = host
        self.runs: list[dict[str, Any]] = []
        host.on_advance(self._tick)

    def start(self, s: Any) -> None:
        """Dispatch pass 1 now; the later passes wait for their predecessors."""
        passes: dict[int, list[str]] = {}
        for u in s.units.values():
            if isinstance(u, Mirror) and 1 <= u.pass_num <= MD_PASS_MAX:
                passes.setdefault(u.pass_num, []).append(u.name)
        if not passes:
            return
        run: dict[str, Any] = {"set": s.name, "waiting": [],
                               "pending": [sorted(passes[p]) for p in sorted(passes)]}
        self._dispatch(run)
        if run["pending"] or run["waiting"]:
            self.runs.append(run)

    def _dispatch(self, run: dict[str, Any]) -> None:
        vm = self.host.vm
        names: list[str] = run["pending"].pop(0)
        started = []
        for name in names:
            try:
                vm.start_resync(vm.get_set(run["set"]), name)
                started.append(name)
            except MDError:
                continue        # lp->done = 1: not waited for
        run["waiting"] = started if run["pending"] else []

    def _busy(self, run: dict[str, Any]) -> bool:
        s = self.host.vm.sets.get(run["set"])
        if s is None:
            return False
        return any(isinstance(m := s.units.get(n), Mirror) and m.resync_active
                   for n in run["waiting"])

    def _tick(self, dt: float) -> None:
        for run in list(self.runs):
            while not self._busy(run) and run["pending"]:
                self._dispatch(run)
            if not run["pending"] and not self._busy(run):
                self.runs.remove(run)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [{"set": r["set"], "waiting": list(r["waiting"]),
                          "pending": [list(p) for p in r["pending"]]} for r in self.runs]}

    def load_dict(self, data: dict[str, Any]) -> None:
        self.runs = [{"set": str(r["set"]), "waiting": [str(n) for n in r["waiting"]],
                      "pending": [[str(n) for n in p] for p in r["pending"]]}
                     for r in data.get("runs", [])]
