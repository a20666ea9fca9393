"""The child ``metasync -r`` leaves running at boot: mirror resyncs in pass order.

libmeta meta_mirror_resync.c ``meta_mirror_resync_all``: pass 1 mirrors start at once, each
later pass starts when the one before has finished; pass 0 is never resynced and the last
pass is not waited for. It is a host subsystem so that it survives a save and reload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import MDError
from .host import register_subsystem
from .metadevices import Mirror

if TYPE_CHECKING:
    from .host import Host

MD_PASS_MAX = 9


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
