"""The child ``metasync -r`` leaves running at boot: mirror resyncs in pass order.

libmeta meta_mirror_resync.c ``meta_mirror_resync_all``: pass 1 mirrors start at once, each
later pass starts when the one before has finished; pass 0 is never resynced and the last
pass is not waited for. It belongs to the volume manager (``host.md.resync``) and is saved
with the host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.lvm.errors import MDError
from simulator.lvm.md.records import Mirror

if TYPE_CHECKING:
    from simulator.lvm.md.manager import MDSet, VolumeManager

MD_PASS_MAX = 9


class ResyncDaemon:
    """The child ``metasync -r`` leaves running: starts each pass once the one before ended.

    A run is ``{"set": name, "pending": [[mirror...] per later pass], "waiting": [...]}``;
    it is checked whenever virtual time passes (the real child polls every 1-10 s).
    """

    def __init__(self, md: VolumeManager) -> None:
        self.md = md
        self.runs: list[dict[str, Any]] = []

    def start(self, s: MDSet) -> None:
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
        vm = self.md
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
        s = self.md.sets.get(run["set"])
        if s is None:
            return False
        return any(isinstance(m := s.units.get(n), Mirror) and m.resync_active
                   for n in run["waiting"])

    def tick(self, dt: float) -> None:
        """Virtual time passed: start every pass whose predecessor has finished."""
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
