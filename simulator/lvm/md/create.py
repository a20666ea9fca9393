"""Creating units: concat/stripes (and their growth by a row), mirrors and soft partitions.

The kernel side of ``metainit`` / ``metattach dN comp`` (md_subr.c md_create_unit_incore,
stripe.c stripe_build_incore, mirror.c mirror_build_incore, sp.c sp_build_incore) with the
few libmeta facts the model needs to place a component (meta_stripe.c meta_create_stripe,
meta_name.c metagetstart). Every refusal raises :class:`MDError` with the real text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import UNIT_RE, parse_unit, short_name, split_slice
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.base import VolumeBase, short_unit
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    MAX_UNITS,
    MD_PASS_MAX,
    Component,
    Mirror,
    Row,
    SoftPartition,
    Stripe,
    SubmirrorSlot,
    unit_number,
)
from simulator.lvm.md.replicas import data_start
from simulator.lvm.md.softpart import (
    WM_SIZE,
    Extent,
    alloc_by_len,
    alloc_by_list,
    free_extents,
)
from simulator.lvm.md.states import SmState

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet

DEFAULT_INTERLACE = 1024          # blocks (512 KB)
MIN_INTERLACE = 16
MAX_INTERLACE = 100 * 1024 * 2    # 100 MB in blocks


def softpart_parent(s: MDSet, comp: str, leaving: str | None = None) -> str | None:
    """The soft partition recorded as parent of the metadevice ``comp`` they are built on.

    The driver only needs one of them (meta_sp_reset reparents to any other); the lowest
    numbered keeps the record independent of the order they were created in.
    """
    names = [u.name for u in s.units.values()
             if isinstance(u, SoftPartition) and u.component == comp and u.name != leaving]
    return min(names, key=unit_number) if names else None


def softpart_alignment(s: MDSet, comp: str) -> int:
    """meta_sp.c meta_sp_get_default_alignment: slices none; stripes (or a mirror's first
    submirror) the interlace of their first row."""
    unit = s.units.get(comp)
    if isinstance(unit, Mirror) and unit.submirrors:
        unit = s.units.get(unit.submirrors[0].name)
    if isinstance(unit, Stripe) and unit.rows:
        return unit.rows[0].interlace or DEFAULT_INTERLACE
    return 0


class CreateMixin(VolumeBase):
    """create_stripe, create_mirror, create_softpart and attach_components."""

    # ------------------------------------------------------------------ components
    def _make_component(self, s: MDSet, unit_name: str, comp: str, force: bool,
                        first: bool = True) -> Component:
        """``comp``: a short name (``c1t0d0s0``, ``d10``: the callers dropped the /dev
        prefix); ``first``: row 0, component 0 of the unit, which may keep the disk label."""
        child = s.units.get(comp)
        if child is not None and UNIT_RE.match(comp):
            if child.parent is not None:
                raise MDError(E.IN_USE, name=s.display(comp))
            return Component(name=comp, size=child.size, reloc=False, timestamp=self.now())
        size = self.slice_size(comp)
        # meta_check.c meta_check_overlap: the very same slice in use is MDE_ALREADY
        user = self.slice_user(comp)
        if user is not None:
            raise E.already(comp, user)
        mnt = self.is_open(comp)
        if mnt is not None and not force:
            raise E.mounted(comp, mnt)
        start = data_start(s.replicas, comp)
        if not start and not first:
            start = self._label_skip(comp)
        return Component(name=comp, start_block=start, size=max(0, size - start),
                         dbase=start > 0, timestamp=self.now())

    def _label_skip(self, comp: str) -> int:
        """Start block of a label-holding slice that is not a unit's first component.

        A VTOC slice that starts at block 0 holds the disk label (meta_vtoc_to_md: label =
        1 block); metagetstart (libmeta meta_name.c) rounds that up to a cylinder
        (nhead * nsect), and meta_create_stripe (meta_stripe.c) resets it to 0 only for
        row 0, component 0. Real captures show it, e.g. glensc/nagios-plugin-check_raid
        t/data/metastat/metastat-mirrors-with-hotspares: ``Stripe 1: c1t4d0s0 20352``.
        """
        parsed = split_slice(comp)
        disk = self.disks.get(parsed[0]) if parsed else None
        if disk is None or parsed is None or parsed[1] not in disk.slices:
            return 0
        if disk.slices[parsed[1]].start != 0 or disk.cyl_blocks <= 0:
            return 0
        return disk.cyl_blocks

    def _check_new_name(self, s: MDSet, name: str) -> str:
        unit = parse_unit(name)
        if unit is None or unit.number >= MAX_UNITS:
            raise MDError(E.BAD_NAME, name=name)
        short = unit.short
        if short in s.units:
            raise MDError(E.UNIT_ALREADY_SET_UP, name=s.display(short))
        return short

    # ------------------------------------------------------------------ concat/stripe
    def create_stripe(self, s: MDSet, name: str, rows: list[tuple[list[str], int | None]],
                      hsp: str | None = None, force: bool = False,
                      dry_run: bool = False) -> Stripe:
        """``metainit dN nrows width comp... [-i interlace] ... [-h hspNNN]``."""
        self.require_db(s)
        short = self._check_new_name(s, name)
        if not rows:
            raise MDError(E.NOT_ENOUGH_STRIPES, name=s.display(short))
        built: list[Row] = []
        seen: set[str] = set()
        for comps, interlace in rows:
            if not comps:
                raise MDError(E.NOT_ENOUGH_COMPS, name=s.display(short))
            if interlace is not None and not MIN_INTERLACE <= interlace <= MAX_INTERLACE:
                raise MDError(E.INVALID_INTERLACE, name=s.display(short))
            row_comps: list[Component] = []
            for c in comps:
                c = short_name(c)
                if c in seen:
                    raise E.already(c, s.display(short))
                first = not built and not row_comps
                seen.add(c)
                row_comps.append(self._make_component(s, short, c, force, first))
            il = None if len(row_comps) == 1 else (interlace or DEFAULT_INTERLACE)
            built.append(Row(row_comps, il))
        if hsp is not None:
            self.pool(s, hsp)
        stripe = Stripe(name=short, rows=built,
                        hsp=None if hsp is None else short_unit(hsp), timestamp=self.now())
        if not dry_run:
            for row in built:
                for member in row.components:
                    child = s.units.get(member.name)
                    if child is not None:
                        child.parent = short
            s.units[short] = stripe
        return stripe

    def attach_components(self, s: MDSet, name: str, comps: list[str],
                          interlace: int | None = None) -> Stripe:
        """``metattach dN comp...`` (meta_stripe.c meta_stripe_attach): one new row.

        Each component is checked, then compared with the ones after it; without ``-i`` the
        new row inherits the last row's interlace. Growing a parent mirror is
        :meth:`grow_mirror`'s business (the command calls it, as meta_concat_parent does).
        """
        st = self.stripe(s, name)
        if not comps:
            raise MDError(E.NOT_ENOUGH_COMPS, name=s.display(st.name))
        row: list[Component] = []
        names = [short_name(c) for c in comps]
        for i, comp in enumerate(names):
            row.append(self._make_component(s, st.name, comp, False, first=False))
            if comp in names[i + 1:]:
                raise E.already(comp, comp)
        if interlace is None:
            interlace = st.rows[-1].interlace if st.rows else None
        st.rows.append(Row(row, None if len(row) == 1 else (interlace or DEFAULT_INTERLACE)))
        st.timestamp = self.now()
        return st

    # ------------------------------------------------------------------ mirror
    def create_mirror(self, s: MDSet, name: str, submirrors: list[str],
                      read_option: str = "roundrobin", write_option: str = "parallel",
                      pass_num: int = 1, dry_run: bool = False) -> Mirror:
        """``metainit dM -m dS [dS...] [-g|-r] [-S] [pass]``: no resync, all Okay."""
        self.require_db(s)
        short = self._check_new_name(s, name)
        if not submirrors:
            raise MDError(E.NOT_ENOUGH_SUBMIRRORS, name=s.display(short))
        if len(submirrors) > MAX_SUBMIRRORS:
            raise MDError(E.MAX_SUBMIRRORS, name=s.display(short))
        if not 0 <= pass_num <= MD_PASS_MAX:
            raise MDError(E.INVALID_PASS, name=s.display(short))
        subs: list[Stripe] = []
        named: set[str] = set()
        for sub in submirrors:
            st = self._check_submirror(s, sub)
            if st.name in named:
                raise MDError(E.INVALID_UNIT, name=s.display(st.name))
            named.add(st.name)
            subs.append(st)
        now = self.now()
        mirror = Mirror(name=short, pass_num=pass_num, read_option=read_option,
                        write_option=write_option,
                        submirrors=[SubmirrorSlot(st.name, SmState.RUNNING, timestamp=now)
                                    for st in subs],
                        total_blocks=min([st.size for st in subs]), timestamp=now)
        if not dry_run:
            for st in subs:
                st.parent = short
            s.units[short] = mirror
        return mirror

    def _check_submirror(self, s: MDSet, name: str) -> Stripe:
        u = self.unit(s, name)
        short = u.name
        mnt = self.is_open(s.display(short))
        if mnt is not None:
            raise MDError(E.IS_OPEN, name=s.display(short))
        if u.parent is not None:
            raise MDError(E.IN_USE, name=s.display(short))
        if not isinstance(u, Stripe):
            raise MDError(E.INVALID_UNIT, name=s.display(short))
        return u

    # ------------------------------------------------------------------ soft partition
    def create_softpart(self, s: MDSet, name: str, component: str, size: int,
                        extents: list[list[int]] | None = None) -> SoftPartition:
        """A soft partition of ``size`` blocks on a slice or metadevice of the set ``s``,
        placed by the allocator ``metainit dN -p comp size`` uses
        (:meth:`allocate_softpart`): a scenario's ``[[softpart]]`` lands where metainit
        would put it (data after one watermark block, aligned to a stripe's interlace),
        or, given ``extents`` ([offset, blocks] pairs), where ``metainit dN -p comp -o off
        -b blocks ...`` puts it (an imported host's, as its metastat -p printed them)."""
        self.require_db(s)
        short = self._check_new_name(s, name)
        comp = short_name(component)
        on_unit = UNIT_RE.match(comp) is not None
        if on_unit:
            self.unit(s, comp)
        else:
            self.slice_size(comp)
        requested = [(off, blocks) for off, blocks in extents or []]
        placed = self.allocate_softpart(s, comp, on_unit, size, requested, 0,
                                        s.display(short))
        sp_unit = SoftPartition(name=short, component=comp, extents=placed,
                                timestamp=self.now())
        s.units[short] = sp_unit
        if on_unit:
            s.units[comp].parent = softpart_parent(s, comp)
        return sp_unit

    def allocate_softpart(self, s: MDSet, comp: str, on_unit: bool, length: int,
                          requested: list[Extent], alignment: int,
                          spname: str) -> list[Extent]:
        """meta_sp.c meta_create_sp's placement, the one rule for ``metainit -p`` and the
        scenario builder: extents (data offset, length) from ``-o/-b`` (``requested``), or
        by length (0: ``all``) first fit, aligned to ``alignment`` or else to the
        component's default (:func:`softpart_alignment`). ``s`` is the set that holds the
        component (a metadevice's, or for a slice the set whose replicas may be on it).
        The free extents are what the reserved start (replicas), the end watermark and the
        soft partitions already there leave (meta_sp_list_freefill)."""
        if on_unit:
            size, start, compname = s.units[comp].size, 0, s.display(comp)
        else:
            size, start, compname = self.slice_size(comp), data_start(s.replicas, comp), comp
        used = [e for u in s.units.values()
                if isinstance(u, SoftPartition) and u.component == comp for e in u.extents]
        free = free_extents(size, start, used)
        if size <= WM_SIZE:
            raise MDError(E.SP_NOSPACE, name=compname)
        if requested:
            placed = alloc_by_list(free, requested)
            if placed is None:
                raise MDError(E.SP_OVERLAP, name=spname)
            return placed
        extents = alloc_by_len(free, length,
                               alignment or (softpart_alignment(s, comp) if on_unit else 0))
        if not extents:
            raise MDError(E.SP_NOSPACE, name=spname)
        return extents
