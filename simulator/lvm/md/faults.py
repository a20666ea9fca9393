"""Faults: an I/O error on a slice, what it does to the components on it, and the hot
spare the driver then swaps in.

The kernel's error path (mirror.c mirror_error_handler / set_sm_comp_state, the
``md: d10: c1t1d0s0 needs maintenance`` console messages of md_mirror.c, and
hotspares.c check_comp_4_hotspares for the spare allocation). Console texts are what the
driver logs (Event), not program output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lvm.md.base import VolumeBase
from simulator.lvm.md.records import Component, Mirror, ResyncJob, Stripe, SubmirrorSlot
from simulator.lvm.md.states import CompState, SmState

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet


class FaultsMixin(VolumeBase):
    """io_error and its consequences."""

    def io_error(self, comp_name: str) -> list[str]:
        """An I/O error on a slice: every component on it moves to Maintenance/Last Erred.

        Returns the console messages logged. A spare in use on the slice breaks instead.
        """
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
        return out

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
