"""Faults: an I/O error on a slice, what it does to the components on it, and the hot
spare the driver then swaps in; and the model state an injected fault sets (slices whose I/O
fails, slow disks, a refused attach/detach), with the questions the rest of the model asks
about it (:meth:`FaultsMixin.read_error`, :meth:`FaultsMixin.io_factor`).

The kernel's error path (mirror.c mirror_error_handler / set_sm_comp_state, the
``md: d10: c1t1d0s0 needs maintenance`` console messages of md_mirror.c, and
hotspares.c check_comp_4_hotspares for the spare allocation). Console texts are what the
driver logs (Event), not program output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import split_slice
from simulator.core.strerror import EIO
from simulator.lvm.md.base import VolumeBase, short_unit
from simulator.lvm.md.records import Component, Mirror, ResyncJob, Stripe, SubmirrorSlot
from simulator.lvm.md.states import CompState, SmState

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet


class FaultsMixin(VolumeBase):
    """io_error and its consequences."""

    def io_error(self, comp_name: str, op: str = "write") -> list[str]:
        """An I/O error on a slice: every component on it moves to Maintenance/Last Erred.

        Returns the console messages logged. A spare in use on the slice breaks instead.
        The disk's own error (``op``: the request that failed) is recorded first: sd logs it
        before md hears of the failure (``simulator.sunos.syslog``).
        """
        self.disk_error(comp_name, op)
        out: list[str] = []
        for s in self.sets.values():
            for pool in s.hsps.values():
                spare = pool.find(comp_name)
                if spare is not None and spare.status == "Available":
                    spare.status = "Broken"
            for m in [u for u in s.units.values() if isinstance(u, Mirror)]:
                for slot in m.submirrors:
                    st = s.units.get(slot.name)
                    if not isinstance(st, Stripe):
                        continue
                    for comp in st.components:
                        if comp.device != comp_name or comp.state.erred:
                            continue
                        out += self._comp_failed(s, m, slot, st, comp)
            for u in s.units.values():
                if isinstance(u, Stripe) and u.parent is None:
                    for comp in u.components:
                        if comp.device == comp_name and comp.state == CompState.OKAY:
                            comp.error_count += 1
        for text in out:
            self.log(text)
        if out:
            # the error handler commits the new component states (mirror.c
            # mirror_error_handler -> mddb_commitrec_wrapper): below quorum that panics
            for st_ in self.sets.values():
                self.commit_check(st_)
        return out

    # ------------------------------------------------------------------ injected faults
    def slice_fails(self, comp: str, op: str) -> bool:
        """Whether ``op`` (``read``/``write``) I/O to slice ``comp`` fails now: its disk
        failed, or an injected error on the slice covers that op."""
        parsed = split_slice(comp)
        disk = self.disks.get(parsed[0]) if parsed else None
        if disk is not None and disk.failed:
            return True
        bad = self.bad_slices.get(comp)
        return bad is not None and bad in (op, "both")

    def any_slice_fails(self) -> bool:
        """Whether :meth:`slice_fails` can say yes of any slice now: a disk has failed, or
        an error is injected on some slice."""
        return bool(self.bad_slices) or any(d.failed for d in self.disks.values())

    def _slices_of(self, device: str) -> list[str] | None:
        """The slices a device reads from (a slice: itself; a concat/stripe: its components
        or their hot spares; None for a mirror, which reads from its submirrors)."""
        if split_slice(device) is not None:
            return [device]
        short = short_unit(device.rsplit("/", 1)[-1])
        for s in self.sets.values():
            u = s.units.get(short)
            if isinstance(u, Stripe):
                return [c.hot_spare or c.device for c in u.components]
        return []

    def read_error(self, device: str) -> str | None:
        """What reading ``device`` (a slice, a concat/stripe such as a detached submirror,
        or a mirror) gets while a disk under it has failed: the strerror text (EIO, "I/O
        error"), None when it reads. A mirror fails only when no submirror can serve the
        read (mirror.c mirror_read_strategy retries the other submirrors). fsck and
        ufsdump ask this and print what their sources print for a failed read."""
        if not self.any_slice_fails():
            return None               # every device reads
        short = short_unit(device.rsplit("/", 1)[-1])
        for s in self.sets.values():
            m = s.units.get(short)
            if isinstance(m, Mirror):
                subs = [self._slices_of(slot.name) or [] for slot in m.submirrors]
                ok = [sl for sl in subs if not any(self.slice_fails(c, "read") for c in sl)]
                return None if ok or not subs else EIO
        slices = self._slices_of(device) or []
        return EIO if any(self.slice_fails(c, "read") for c in slices) else None

    def io_factor(self, device: str) -> float:
        """How many times slower transfers from or to ``device`` run (1.0: normal): the
        largest factor of a slow disk under it (the resync and ufsdump divide their rates
        by it)."""
        if not self.slow_disks:
            return 1.0                # no disk is slow: every device runs at its rate
        slices = self._slices_of(device)
        if slices is None or not slices:
            short = short_unit(device.rsplit("/", 1)[-1])
            slices = []
            for s in self.sets.values():
                m = s.units.get(short)
                if isinstance(m, Mirror):
                    for slot in m.submirrors:
                        slices += self._slices_of(slot.name) or []
        factor = 1.0
        for comp in slices:
            parsed = split_slice(comp)
            if parsed is not None:
                factor = max(factor, self.slow_disks.get(parsed[0], 1.0))
        return factor

    def resync_onto_failed(self, st: Stripe) -> None:
        """A resync starting to write onto a submirror whose slice fails writes: the first
        write errs and the target needs maintenance (mirror_resync.c: the resync write
        fails, the target component is errored)."""
        for comp in st.components:
            if self.slice_fails(comp.device, "write"):
                self.io_error(comp.device)

    def _comp_failed(self, s: MDSet, m: Mirror, slot: SubmirrorSlot, st: Stripe,
                     comp: Component) -> list[str]:
        comp.error_count += 1
        comp.timestamp = self.now()
        slot.timestamp = self.now()
        if slot.state & (SmState.ATTACHED_RESYNC | SmState.OFFLINE_RESYNC) or \
                comp.state == CompState.RESYNC and slot.state != SmState.RUNNING:
            # the resync target failed: resync fails, the submirror needs maintenance
            m.jobs = [j for j in m.jobs if j.submirror != slot.name]
            slot.state = SmState.ATTACHED
            if not m.jobs:
                m.resync_active = False
            comp.state = CompState.ERRED
            return [f"WARNING: md: {s.display(slot.name)}: {comp.device} needs maintenance"]
        if comp.state == CompState.RESYNC:
            # the resync of this component fails
            m.jobs = [j for j in m.jobs if comp.name not in j.components]
            if not m.jobs:
                m.resync_active = False
        a, b = st.component_range(comp)
        if comp.hot_spare:
            # the spare itself failed: it is broken and the component needs maintenance
            for pool in s.hsps.values():
                spare = pool.find(comp.hot_spare)
                if spare is not None:
                    spare.status = "Broken"
            comp.hot_spare = None
        if self._readable_range(s, m, slot.name, a, min(b, m.total_blocks)):
            comp.state = CompState.ERRED
            msgs = [f"WARNING: md: {s.display(slot.name)}: {comp.name} needs maintenance"]
            msgs += self._allocate_spare(s, m, slot, st, comp)
            return msgs
        comp.state = CompState.LAST_ERRED
        return [f"WARNING: md: {s.display(slot.name)}: {comp.name} last erred"]

    def _allocate_spare(self, s: MDSet, m: Mirror, slot: SubmirrorSlot, st: Stripe,
                        comp: Component) -> list[str]:
        if not st.hsp or st.hsp not in s.hsps:
            return []
        for spare in s.hsps[st.hsp].spares:
            if spare.status == "Available" and spare.size >= comp.size:
                spare.status = "In use"
                spare.timestamp = self.now()
                comp.hot_spare = spare.name
                comp.state = CompState.RESYNC
                a, b = st.component_range(comp)
                self._queue(m, ResyncJob("component", max(1, min(b, m.total_blocks) - a),
                                         submirror=slot.name, components=[comp.name]))
                return [f"NOTICE: md: {s.display(slot.name)}: hotspare {spare.name} "
                        f"replaced {comp.name}"]
        return []
