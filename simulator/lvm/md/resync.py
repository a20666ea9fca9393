"""Resync: the work a mirror owes, its progress in virtual time, cancel/restart, the
checkpoints a reboot falls back to, and the ``metasync -r`` child that starts the passes.

The kernel's resync thread (uts/common/io/lvm/mirror/mirror_resync.c: resync_unit,
mirror_resync_unit, md_mirror_resync_update_intvl checkpoints, unit_setup_resync at snarf
time) and libmeta meta_mirror_resync.c ``meta_mirror_resync_all`` for :class:`ResyncDaemon`:
pass 1 mirrors start at once, each later pass starts when the one before has finished;
pass 0 is never resynced and the last pass is not waited for. The daemon belongs to the
volume manager (``host.md.resync``) and is saved with the host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import ref

from simulator.core.clock import ALWAYS, StepWindow
from simulator.core.hostref import gone
from simulator.lvm.errors import MDError
from simulator.lvm.md.base import VolumeBase
from simulator.lvm.md.records import MD_PASS_MAX, Mirror, ResyncJob, Stripe, new_epoch
from simulator.lvm.md.replicas import boot as boot_replicas
from simulator.lvm.md.replicas import is_stale
from simulator.lvm.md.states import CompState, SmState

if TYPE_CHECKING:
    from simulator.lvm.md.manager import VolumeManager
    from simulator.lvm.md.records import MDSet

CHECKPOINT_INTERVAL = 300.0       # md_mirror_resync_update_intvl: 5 minutes


class ResyncMixin(VolumeBase):
    """Resync progress, cancel/restart and reboot."""

    def cancel_resync(self, s: MDSet, name: str) -> Mirror:
        m = self.mirror(s, name)
        if m.resync_active:
            m.resync_active = False
            m.resync_cancel = True
            # mirror_resync.c mirror_ioctl_resync: cmn_err(CE_WARN, "md: %s: Resync cancelled")
            self.log(f"WARNING: md: {s.display(m.name)}: Resync cancelled")
        return m

    def start_resync(self, s: MDSet, name: str) -> Mirror:
        """``metasync dM``: restart cancelled or owed resync; ATTACHED submirrors resync."""
        m = self.changing_mirror(s, name)   # mirror_resync_unit: MDE_DB_STALE too
        if len(m.submirrors) < 2:
            return m
        for slot in m.submirrors:
            if slot.state == SmState.ATTACHED:
                slot.state = SmState.ATTACHED_RESYNC
                slot.resync_target = True
                if not any(j.submirror == slot.name and j.kind == "submirror" for j in m.jobs):
                    m.jobs.append(ResyncJob("submirror", m.total_blocks, submirror=slot.name))
        if m.opt_not_done and not any(j.kind == "optimized" for j in m.jobs):
            m.jobs.insert(0, ResyncJob("optimized", max(1, m.total_blocks // 100)))
        if m.jobs:
            m.jobs.sort(key=lambda j: ResyncJob.ORDER[j.kind])
            m.resync_active = True
            m.resync_cancel = False
        return m

    def resync_all(self, s: MDSet) -> None:
        """``metasync -r``: every mirror with pass 1-9, in pass order."""
        mirrors = sorted((u for u in s.units.values() if isinstance(u, Mirror)),
                         key=lambda m: m.pass_num)
        for m in mirrors:
            if m.pass_num > 0 and not m.resync_active:
                self.start_resync(s, m.name)

    # what _mirror_pairs listed: (the epoch it listed them at, the sets then, the pairs)
    _mirrors_kept: tuple[int, tuple[MDSet, ...], list[tuple[MDSet, Mirror]]] | None = None

    def _mirror_pairs(self) -> list[tuple[MDSet, Mirror]]:
        """(set, mirror) of every mirror, in set and unit order. Listed again only when a set
        came or went, or a unit was added, removed or replaced: each of those stamps its set
        or its units dict (the write barrier of :mod:`simulator.lvm.md.records`), so a list
        made at epoch ``e`` holds while the sets are the same objects and neither is stamped
        later than ``e`` in any of them.
        Every step of virtual time asks (twice), and a host may have 8,192 units."""
        sets = tuple(self.sets.values())
        kept = self._mirrors_kept
        if kept is not None:
            epoch, seen, pairs = kept
            if len(seen) == len(sets):
                for i, s in enumerate(sets):
                    units: Any = s.units        # a TrackedDict (records.py)
                    if s is not seen[i] or s._gen > epoch or units._gen > epoch:
                        break
                else:
                    return pairs
        epoch = new_epoch()
        pairs = [(s, u) for s in sets for u in s.units.values() if isinstance(u, Mirror)]
        self._mirrors_kept = (epoch, sets, pairs)
        return pairs

    def active_mirrors(self) -> list[tuple[MDSet, Mirror]]:
        """(set, mirror) of each mirror whose resync runs (active, with a job to do)."""
        return [(s, m) for s, m in self._mirror_pairs() if m.resync_active and m.jobs]

    def mirror_rate(self, s: MDSet, m: Mirror) -> float:
        """Blocks per virtual second this mirror resyncs at: the host's rate, divided by
        the factor of the slowest disk under its submirrors (an injected slow disk)."""
        if not self.slow_disks:
            return self.resync_rate
        return self.resync_rate / self.io_factor(s.display(m.name))

    def next_completion(self) -> float | None:
        """Virtual seconds until the next resync job finishes (None when none runs)."""
        return self._next_completion(self._mirror_pairs())

    def _next_completion(self, pairs: list[tuple[MDSet, Mirror]]) -> float | None:
        """:meth:`next_completion` among the running resyncs of ``pairs`` (every step of
        virtual time asks: the mirrors are looked at in one pass, no list of the active ones
        made)."""
        best: float | None = None
        for s, m in pairs:
            if m.resync_active and m.jobs:
                job = m.jobs[0]
                t = max(0.0, (job.total - job.done) / self.mirror_rate(s, m))
                best = t if best is None else min(best, t)
        return best

    def resync_progress(self) -> dict[str, tuple[int, float]]:
        """Each resyncing mirror (by its display name): (its current job's id, the fraction
        of it done). The fault hooks watch these cross each 10 % (metastat's ``Resync in
        progress: N % done`` is the same fraction)."""
        return {s.display(m.name): (id(m.jobs[0]), m.jobs[0].done / max(1, m.jobs[0].total))
                for s, m in self.active_mirrors()}

    def next_resync_tenth(self) -> float | None:
        """Virtual seconds until some running resync next crosses a 10 % mark (None when
        none runs): the host splits time there when a fault waits for a resync's progress."""
        best: float | None = None
        for s, m in self.active_mirrors():
            job = m.jobs[0]
            total = max(1, job.total)
            tenth = min(10, job.done * 10 // total + 1)
            target = -(-tenth * total // 10)
            t = (max(1, target - job.done) + 0.5) / self.mirror_rate(s, m)
            best = t if best is None else min(best, t)
        return best

    def advance(self, seconds: float) -> None:
        """Let every running resync progress for ``seconds`` of virtual time."""
        remaining = seconds
        while remaining > 0:
            active = self.active_mirrors()
            if not active:
                return                  # no resync runs
            step = self._next_completion(active)
            assert step is not None
            dt = min(remaining, step)
            writes: list[tuple[str, int]] = []
            for s, m in active:
                job = m.jobs[0]
                rate = self.mirror_rate(s, m)
                blocks = int(dt * rate)
                before = job.done
                own = (job.total - job.done) / rate
                job.done = min(job.total, job.done + max(blocks, 1 if dt >= own else 0))
                target = s.units.get(job.submirror) if job.submirror else None
                if isinstance(target, Stripe) and job.done > before:
                    writes += [(c.hot_spare or c.device, job.done - before)
                               for c in target.components]
                if job.done >= job.total:
                    self._finish_job(s, m, job)
            for comp, n in writes:     # the blocks written reach the fault hooks
                self.faults.io(comp, "write", n)
            remaining -= dt
            if dt == 0 and step == 0:
                continue

    def _finish_job(self, s: MDSet, m: Mirror, job: ResyncJob) -> None:
        m.jobs.remove(job)
        now = self.now()
        if job.kind in ("submirror", "optimized") and job.submirror:
            slot = m.slot(job.submirror)
            if slot is not None:
                slot.state = SmState.RUNNING
                slot.resync_target = False
                slot.dirty_blocks = 0
                slot.timestamp = now
                for cb in self.on_resynced:
                    cb(m, slot.name)
        elif job.kind == "optimized":
            m.opt_not_done = False
            for slot in m.submirrors:
                slot.resync_target = False
        if job.kind == "component" and job.submirror:
            st = s.units.get(job.submirror)
            if isinstance(st, Stripe):
                for c in st.components:
                    if c.name in job.components and c.state == CompState.RESYNC:
                        c.state = CompState.OKAY
                        c.timestamp = now
                for cb in self.on_resynced:
                    cb(m, job.submirror)
            # a Last Erred copy elsewhere now has a good source: it becomes Maintenance
            for slot in m.submirrors:
                other = s.units.get(slot.name)
                if isinstance(other, Stripe):
                    for c in other.components:
                        if c.state == CompState.LAST_ERRED:
                            a, b = other.component_range(c)
                            if self._readable_range(s, m, slot.name, a, min(b, m.total_blocks)):
                                c.state = CompState.ERRED
        if job.kind == "optimized" and not any(j.kind == "optimized" for j in m.jobs):
            m.opt_not_done = False      # optimized_resync done: MD_UN_OPT_NOT_DONE cleared
        if not m.jobs:
            m.resync_active = False
            m.resync_cancel = False
            m.opt_not_done = False
            self._grow_to_submirrors(s, m)     # MD_UN_GROW_PENDING (mirror_resync.c)
        m.checkpoint = 0

    # ------------------------------------------------------------------ reboot
    def reboot(self, metasync: bool = True) -> None:
        """A reboot: resyncs fall back to their last checkpoint and wait, locks drop.

        At snarf time (mirror_resync.c unit_setup_resync) a mirror of pass 1-9 with two or
        more readable or offline submirrors owes an optimized resync of its dirty regions
        (MD_UN_OPT_NOT_DONE), its readable submirrors become resync targets and an offline
        one becomes OFFLINE_RESYNC; other offline submirrors stay offline. Nothing runs
        until ``metasync -r`` (svc-metasync at boot), done here unless ``metasync`` is
        False (then metastat shows ``Needs maintenance`` / ``Invoke: metasync dM``).
        Replicas added since the last boot are read at boot like the others
        (:func:`simulator.lvm.md.replicas.boot`); a set whose good replicas are not a
        majority boots stale (logged; its changes are refused with "stale databases").
        """
        step = max(1, int(self.resync_rate * CHECKPOINT_INTERVAL))
        for s in self.sets.values():
            boot_replicas(s.replicas)
            s.toofew = False
            if s.replicas and is_stale(s.replicas):
                # md.c md_snarf: the replicas read are not a majority
                self.log("WARNING: md: state database is stale")
            for m in [u for u in s.units.values() if isinstance(u, Mirror)]:
                for job in m.jobs:
                    job.done = job.done // step * step
                syncable = [slot for slot in m.submirrors if slot.state in (
                    SmState.RUNNING, SmState.OFFLINE, SmState.OFFLINE_RESYNC)]
                if m.pass_num and len(syncable) > 1:
                    m.opt_not_done = True
                    for slot in syncable:
                        slot.resync_target = True
                        if slot.state == SmState.OFFLINE:
                            slot.state = SmState.OFFLINE_RESYNC
                            m.jobs.append(ResyncJob("optimized", max(1, slot.dirty_blocks),
                                                    submirror=slot.name))
                    m.jobs.sort(key=lambda j: ResyncJob.ORDER[j.kind])
                m.resync_active = False
                m.resync_cancel = False
            if metasync and not (s.replicas and is_stale(s.replicas)):
                # a stale set refuses metasync -r as every change (MDE_DB_STALE)
                self.resync_all(s)


class ResyncDaemon:
    """The child ``metasync -r`` leaves running: starts each pass once the one before ended.

    A run is ``{"set": name, "pending": [[mirror...] per later pass], "waiting": [...]}``;
    it is checked whenever virtual time passes (the real child polls every 1-10 s).
    """

    def __init__(self, md: VolumeManager) -> None:
        # weak: the volume manager holds its daemon (a reference up, as simulator.core.hostref)
        self._md = ref(md)
        self.runs: list[dict[str, Any]] = []

    @property
    def md(self) -> VolumeManager:
        md = self._md()
        return md if md is not None else gone(self, "volume manager")

    def merge_window(self) -> StepWindow | None:
        """Steps of time may be taken as one while no run waits to start a pass
        (``Host.merge_window``): :meth:`tick` then does nothing."""
        return None if self.runs else ALWAYS

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
        if not self.runs:
            return
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
