"""Mirrors: submirror slots and their states, attach/detach, offline/online, grow and
component replacement.

The kernel's mirror driver (uts/common/io/lvm/mirror/mirror_ioctl.c mirror_attach,
mirror_detach, mirror_offline, mirror_online, comp_replace; mirror.c mirror_other_sources,
mirror_grow_unit). The libmeta checks that run before these (meta_mirror.c
meta_check_primary_mirror, meta_mirror_replace's checks of the new component) are in
:mod:`simulator.lvm.libmeta.mirror`, except the root check that attach itself needs.
State transitions follow svm-states.md section 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import parse_unit, short_name, split_slice
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.base import VolumeBase, short_unit
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    Component,
    Mirror,
    ResyncJob,
    Stripe,
    SubmirrorSlot,
)
from simulator.lvm.md.replicas import data_start, end_block
from simulator.lvm.md.states import CompState, SmState

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet


class MirrorMixin(VolumeBase):
    """Everything done to a mirror and its submirrors after it was created."""

    def okay_submirrors(self, s: MDSet, m: Mirror) -> int:
        return sum(1 for slot in m.submirrors if self.slot_state(s, slot) == SmState.RUNNING)

    # ------------------------------------------------------------------ attach / detach
    # Checks follow libmeta (meta_mirror.c meta_check_submirror / meta_mirror_replace /
    # meta_mirror_enable, meta_stripe.c meta_check_component) and then the kernel
    # (uts/common/io/lvm/mirror/mirror_ioctl.c mirror_attach, mirror_detach, mirror_offline,
    # mirror_online, comp_replace), each in its source order.

    def attach(self, s: MDSet, mirror_name: str, sub: str) -> Mirror:
        """``metattach dM dS``: the new submirror (ATTACHED_RESYNC) gets a full resync.

        A resync already running does not refuse an attach (mirror_attach has no such
        check); the new submirror's resync is queued behind it.
        """
        m = self.changing_mirror(s, mirror_name)
        self.take_refusal("attach", s, m.name, sub)
        if parse_unit(sub) is None:
            raise MDError(E.NOT_META, name=short_name(sub))
        short = short_unit(sub)
        self._check_primary_mirror(s, m)
        where = self.is_open(s.display(short))
        if where is not None and where.startswith("/"):
            raise E.mounted(s.display(short), where)
        u = s.units.get(short)
        if u is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=s.display(short))
        if not isinstance(u, Stripe) or u.parent is not None:
            raise MDError(E.INVALID_UNIT, name=s.display(short))
        if len(m.submirrors) >= MAX_SUBMIRRORS:
            raise MDError(E.MAX_SUBMIRRORS, name=s.display(m.name))
        if where is not None:
            raise MDError(E.IS_OPEN, name=s.display(short))
        if u.size < m.total_blocks:
            raise MDError(E.SUBMIRROR_TOO_SMALL, name=s.display(short))
        u.parent = m.name
        m.add_slot(SubmirrorSlot(short, SmState.ATTACHED_RESYNC, resync_target=True,
                                 timestamp=self.now()))
        self._queue(m, ResyncJob("submirror", m.total_blocks, submirror=short))
        self.resync_onto_failed(u)
        return m

    def root_slice(self) -> str | None:
        """The slice mounted on ``/`` when root is not (yet) on a metadevice."""
        for disk in self.disks.values():
            for num in sorted(disk.slices):
                if self.is_open(disk.slice_name(num)) == "/":
                    return disk.slice_name(num)
        return None

    def _check_primary_mirror(self, s: MDSet, m: Mirror) -> None:
        """meta_mirror.c meta_check_primary_mirror: refuse while / is still on the slice
        that is the first component of one of the mirror's submirrors.

        Only a first component that is itself a slice open on ``/`` can be root's slice, so
        the walk over every slice of every disk (:meth:`root_slice`) is made only when one
        is (a handful of open checks instead of one per slice on the host)."""
        firsts: list[str] = []
        on_root = False
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe) and st.rows:
                name = st.rows[0].components[0].name
                firsts.append(name)
                if not on_root and self._open_on_root(name):
                    on_root = True
        if not on_root:
            return
        root = self.root_slice()
        if root is None:
            return
        for name in firsts:
            if name == root:
                raise E.mounted(root, "/")

    def _open_on_root(self, name: str) -> bool:
        """A slice of one of the host's disks (as :meth:`root_slice` walks them), open on /."""
        parsed = split_slice(name)
        disk = self.disks.get(parsed[0]) if parsed is not None else None
        return (disk is not None and parsed is not None and parsed[1] in disk.slices
                and disk.slice_name(parsed[1]) == name and self.is_open(name) == "/")

    def detach(self, s: MDSet, mirror_name: str, sub: str, force: bool = False,
               compact: bool = True) -> Mirror:
        """``metadetach [-f] dM dS`` with the kernel's checks in mirror_detach order.

        ``compact``: the later submirrors shift down a slot, as illumos mirror_detach
        reshuffles un_sm[]; False leaves the slot empty for the next attach, as the Solaris
        9/10 kernel does (the release rule is libmeta's
        :func:`simulator.lvm.libmeta.release.detach_compacts`).
        """
        m = self.changing_mirror(s, mirror_name)
        self.take_refusal("detach", s, m.name, sub)
        sub_short = short_unit(sub)
        if self._mirror_unavailable(s, m):
            raise MDError(E.UNAVAILABLE, name=s.display(m.name))
        if m.resync_active or m.opt_not_done:
            raise MDError(E.RESYNC_ACTIVE, name=s.display(m.name))
        slot = m.slot(sub_short)
        if slot is None:
            raise MDError(E.CANT_FIND_SUBMIRROR, name=s.display(m.name))
        if len(m.submirrors) == 1:
            raise MDError(E.LAST_SUBMIRROR, name=s.display(m.name))
        if not self._other_sources(s, m, slot):
            raise MDError(E.NO_READABLE, name=s.display(m.name))
        st = s.units[slot.name]
        if not force and isinstance(st, Stripe) and self._erred_or_resyncing(st):
            # mirror_set_sm_state(SMS_UNUSED, 0) recomputes the state from the components
            # and leaves it there: an offlined or attached submirror becomes COMP_ERRED.
            slot.state = SmState.RUNNING
            slot.timestamp = self.now()
            raise MDError(E.SUBMIRROR_ERRED, name=s.display(m.name))
        m.remove_slot(slot, compact)
        # its resync work goes with it: the list is rewritten only when it holds some
        # (remove_slot has stamped the mirror already)
        for j in m.jobs:
            if j.submirror == slot.name:
                m.jobs = [k for k in m.jobs if k.submirror != slot.name]
                break
        st.parent = None
        st.timestamp = self.now()
        if isinstance(st, Stripe):
            for c in st.components:        # reset_comp_states
                c.state = CompState.OKAY
                c.error_count = 0
                if c.hot_spare:
                    self._release_spare(s, c)
        if not m.jobs:
            m.resync_cancel = False
        for cb in self.on_detached:
            cb(m, slot.name)
        return m

    @staticmethod
    def _erred_or_resyncing(st: Stripe) -> bool:
        """A component of the submirror erred or resyncing: a detach needs ``-f``."""
        for row in st.rows:
            for c in row.components:
                if c.state.erred or c.state == CompState.RESYNC:
                    return True
        return False

    def _mirror_unavailable(self, s: MDSet, m: Mirror) -> bool:
        for slot in m.submirrors:
            if not self._slot_unavailable(s, slot):
                return False
        return True

    def _slot_unavailable(self, s: MDSet, slot: SubmirrorSlot) -> bool:
        st = s.units.get(slot.name)
        if not isinstance(st, Stripe):
            return False
        for row in st.rows:
            for c in row.components:
                if c.state != CompState.UNAVAILABLE:
                    return False
        return True

    def _other_sources(self, s: MDSet, m: Mirror, slot: SubmirrorSlot,
                       comp: Component | None = None) -> bool:
        """mirror.c mirror_other_sources: can the other readable submirrors supply every
        block of ``comp`` (of every component of the submirror when None)?

        select_read_unit reads Okay components, and a Last Erred one only when nothing
        else is left; a Last Erred target needs a source that failed no earlier.
        """
        st = s.units.get(slot.name)
        if not isinstance(st, Stripe):
            return True
        sources: list[Stripe] = []
        for other in m.submirrors:
            ost = self._source(s, other, slot.name)
            if ost is not None:
                if self._reads_everything(ost):
                    return True
                sources.append(ost)
        cuts = self._boundaries(s, m)
        for c in [comp] if comp is not None else st.components:
            a, b = st.component_range(c)
            b = min(b, m.total_blocks)
            for lo, hi in cuts:
                if hi <= a or lo >= b:
                    continue
                if not self._readable_elsewhere(sources, max(lo, a), min(hi, b), c):
                    return False
        return True

    def _readable_elsewhere(self, sources: list[Stripe], start: int, end: int,
                            target: Component) -> bool:
        """Does one of the ``sources`` (:meth:`_source`) hold blocks [start, end) readable
        for ``target``?"""
        for ost in sources:
            if all(self._comp_readable(c, target) for rs, re_, row in ost.row_ranges()
                   if rs < end and start < re_ for c in row.components):
                return True
        return False

    @staticmethod
    def _source(s: MDSet, other: SubmirrorSlot, exclude: str) -> Stripe | None:
        """The concat/stripe of a submirror reads may come from: not ``exclude``, running
        (SUBMIRROR_IS_READABLE: its components may be erred)."""
        if other.name == exclude or other.state != SmState.RUNNING:
            return None
        ost = s.units.get(other.name)
        return ost if isinstance(ost, Stripe) else None

    @staticmethod
    def _reads_everything(ost: Stripe) -> bool:
        """A source :meth:`_readable_elsewhere` takes for any range and any target: every
        component Okay (each is :meth:`_comp_readable` whatever the target), so no range of
        the submirror left behind needs checking."""
        for row in ost.rows:
            for c in row.components:
                if c.state != CompState.OKAY:
                    return False
        return True

    @staticmethod
    def _comp_readable(c: Component, target: Component) -> bool:
        if c.state == CompState.OKAY:
            return True
        if c.state != CompState.LAST_ERRED:
            return False
        return target.state != CompState.LAST_ERRED or c.timestamp >= target.timestamp

    def grow_mirror(self, s: MDSet, name: str) -> Mirror:
        """MD_IOCGROW on a mirror (mirror_grow_unit): grow to the smallest submirror.

        Refused (``growing of metadevice delayed``) while a resync runs or is owed; the
        grow then happens when the resync ends (see :meth:`_finish_job`).
        """
        m = self.mirror(s, name)
        if m.resync_active or m.opt_not_done:
            raise MDError(E.GROW_DELAYED, name=s.display(m.name))
        self._grow_to_submirrors(s, m)
        return m

    # ------------------------------------------------------------------ offline / online
    def offline(self, s: MDSet, mirror_name: str, sub: str, force: bool = False) -> Mirror:
        """``metaoffline [-f] dM dS`` in mirror_offline order; writes are then tracked."""
        m = self.changing_mirror(s, mirror_name)
        sub_short = short_unit(sub)
        if m.resync_active or m.opt_not_done:
            raise MDError(E.RESYNC_ACTIVE, name=s.display(m.name))
        slot = m.slot(sub_short)
        if slot is None:
            raise MDError(E.CANT_FIND_SUBMIRROR, name=s.display(m.name))
        if self.slot_state(s, slot) != SmState.RUNNING and not force:
            raise MDError(E.ILLEGAL_SM_STATE, name=s.display(m.name))
        if not self._other_sources(s, m, slot):
            raise MDError(E.NO_READABLE, name=s.display(m.name))
        if slot.state != SmState.OFFLINE:
            slot.dirty_blocks = 0
        # a forced offline of a resync target ends its resync: only the regions written
        # while offline are copied at metaonline (submirror_resync skips OFFLINE)
        m.jobs = [j for j in m.jobs if j.submirror != slot.name]
        if not m.jobs:
            m.resync_cancel = False
        slot.state = SmState.OFFLINE
        slot.resync_target = False
        slot.timestamp = self.now()
        return m

    def online(self, s: MDSet, mirror_name: str, sub: str) -> Mirror:
        """``metaonline dM dS`` (mirror_online): OFFLINE_RESYNC, an optimized resync owed."""
        m = self.changing_mirror(s, mirror_name)
        sub_short = short_unit(sub)
        slot = m.slot(sub_short)
        if slot is None:
            raise MDError(E.CANT_FIND_SUBMIRROR, name=s.display(m.name))
        if slot.state != SmState.OFFLINE:
            raise MDError(E.ILLEGAL_SM_STATE, name=s.display(m.name))
        if m.resync_active or m.opt_not_done:
            raise MDError(E.RESYNC_ACTIVE, name=s.display(m.name))
        slot.state = SmState.OFFLINE_RESYNC
        slot.resync_target = True
        slot.timestamp = self.now()
        owed = min(m.total_blocks, max(slot.dirty_blocks, 1))
        self._queue(m, ResyncJob("optimized", owed, submirror=slot.name))
        m.opt_not_done = True
        return m

    # ------------------------------------------------------------------ replace / enable
    def replace(self, s: MDSet, mirror_name: str, old: str, new: str | None) -> Mirror:
        """``metareplace dM old new`` / ``metareplace -e dM comp`` (``new`` None): the
        kernel's comp_replace checks, in their order; the component becomes Resyncing and a
        component resync starts. libmeta's checks of the names and of the new slice
        (:func:`simulator.lvm.libmeta.mirror.meta_mirror_replace`) have run before.
        """
        old = short_name(old)
        m = self.changing_mirror(s, mirror_name)
        found = self.find_mirror_comp(s, m, old)
        target = old if new is None else short_name(new)
        start = data_start(s.replicas, target)
        if self._mirror_unavailable(s, m):
            raise MDError(E.UNAVAILABLE, name=s.display(m.name))
        if m.resync_active or m.opt_not_done:
            raise MDError(E.RESYNC_ACTIVE, name=s.display(m.name))
        if found is None:
            raise MDError(E.CANT_FIND_COMP, name=f"{s.display(m.name)}: {old}")
        slot, st, comp = found
        if len(m.submirrors) == 1:
            raise MDError(E.LAST_RUNNING_REPLACE, name=s.display(m.name))
        if not self._other_sources(s, m, slot, comp):
            raise MDError(E.REPLACE_MAINT_FIRST, name=f"{s.display(m.name)}: {old}")
        if slot.state & (SmState.OFFLINE | SmState.OFFLINE_RESYNC):
            raise MDError(E.ILLEGAL_SM_STATE, name=s.display(m.name))
        if new is None and comp.hot_spare == old:
            raise MDError(E.CANT_ENABLE_SPARED, name=old)
        if new is not None and self.slice_size(target) - start < comp.size:
            raise MDError(E.REPLACE_TOO_SMALL, name=f"{s.display(m.name)}: {target}")
        if comp.hot_spare:
            self._release_spare(s, comp)
        # comp_replace resets the saved resync position (un_rs_resync_done = 0): whatever
        # resync is owed starts again from the beginning, this component's included
        m.jobs = [j for j in m.jobs if not (j.kind == "component" and (
            comp.name in j.components or target in j.components))]
        for job in m.jobs:
            job.done = 0
        comp.name = target
        comp.start_block = start
        comp.dbase = end_block(s.replicas, target) > 0
        comp.state = CompState.RESYNC
        comp.error_count = 0
        comp.timestamp = self.now()
        slot.timestamp = self.now()
        a, b = st.component_range(comp)
        self._queue(m, ResyncJob("component", max(1, min(b, m.total_blocks) - a),
                                 submirror=slot.name, components=[comp.name]))
        return m

    def find_mirror_comp(self, s: MDSet, m: Mirror, name: str
                          ) -> tuple[SubmirrorSlot, Stripe, Component] | None:
        """mirror_getcomp_by_dev: the component (or the hot spare standing in for it)."""
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe):
                c = st.find_component(name)
                if c is not None:
                    return slot, st, c
        return None

