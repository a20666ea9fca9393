"""The volume manager: the rules that create, change and repair metadevices.

This is the kernel (mirror_ioctl.c, mirror.c, mirror_resync.c) and libmeta's checks in one
place, free of I/O and printing. Every refusal raises :class:`MDError` with the real text, in
the order the kernel checks. State transitions follow svm-states.md section 3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.core.devices import Disk
from simulator.core.names import HSP_RE, UNIT_RE, short_name, split_slice
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    MAX_UNITS,
    Component,
    HotSpare,
    HotSparePool,
    Mirror,
    ResyncJob,
    Row,
    SoftPartition,
    Stripe,
    SubmirrorSlot,
    Unit,
    unit_from_dict,
)
from simulator.lvm.md.replicas import Replica, end_block, is_stale, mark_master
from simulator.lvm.md.resync_daemon import ResyncDaemon
from simulator.lvm.md.states import CompState, SmState

DEFAULT_INTERLACE = 1024          # blocks (512 KB)
MIN_INTERLACE = 16
MAX_INTERLACE = 100 * 1024 * 2    # 100 MB in blocks
CHECKPOINT_INTERVAL = 300.0       # md_mirror_resync_update_intvl: 5 minutes


@dataclass
class MDSet:
    """One set's configuration: the local set (name ``""``) or a named diskset."""

    name: str = ""
    units: dict[str, Unit] = field(default_factory=dict)
    hsps: dict[str, HotSparePool] = field(default_factory=dict)
    replicas: list[Replica] = field(default_factory=list)

    def display(self, short: str) -> str:
        """``d0`` in the local set, ``set/d0`` in a named set (as libmeta's cname)."""
        return f"{self.name}/{short}" if self.name else short

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "units": [u.to_dict() for u in self.units.values()],
                "hsps": [h.to_dict() for h in self.hsps.values()],
                "replicas": [r.to_dict() for r in self.replicas]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MDSet:
        s = cls(name=d.get("name", ""))
        for u in d.get("units", []):
            unit = unit_from_dict(u)
            s.units[unit.name] = unit
        for h in d.get("hsps", []):
            pool = HotSparePool.from_dict(h)
            s.hsps[pool.name] = pool
        s.replicas = [Replica.from_dict(r) for r in d.get("replicas", [])]
        return s


@dataclass
class Event:
    """Something the kernel would log to the console / messages file."""

    time: float
    text: str


class VolumeManager:
    """All sets of a host and the operations on them.

    ``disks`` are the host's disks, ``now`` the virtual clock, ``is_open`` tells whether a
    metadevice is open (mounted, swapped on, in use by an application) and returns where.
    """

    def __init__(self, disks: dict[str, Disk], now: Callable[[], float],
                 is_open: Callable[[str], str | None] | None = None) -> None:
        self.disks = disks
        self.now = now
        self.is_open: Callable[[str], str | None] = is_open or (lambda name: None)
        self.sets: dict[str, MDSet] = {"": MDSet("")}
        self.resync = ResyncDaemon(self)     # the child ``metasync -r`` leaves running
        self.events: list[Event] = []
        self.resync_rate = 40960.0   # blocks per virtual second (20 MB/s)
        # called with (mirror, submirror) whenever a submirror's data is made whole again
        self.on_resynced: list[Callable[[Mirror, str], None]] = []
        self.on_detached: list[Callable[[Mirror, str], None]] = []
        # text of /etc/lvm/md.tab (read by ``metainit -a`` / ``metainit dN``)
        self.mdtab: str = ""

    # ----------------------------------------------------------------- lookup helpers
    def get_set(self, name: str | None) -> MDSet:
        key = "" if name in (None, "", "local") else str(name)
        if key not in self.sets:
            raise MDError(E.NO_SUCH_SET, name=key)
        return self.sets[key]

    def log(self, text: str) -> None:
        self.events.append(Event(self.now(), text))

    @staticmethod
    def split_name(name: str) -> tuple[str | None, str]:
        """``set/d0`` -> (``set``, ``d0``); ``d0`` -> (None, ``d0``)."""
        if "/" in name and not name.startswith("/"):
            setname, short = name.split("/", 1)
            return setname, short
        if name.startswith("/dev/md/"):
            parts = name.split("/")
            # /dev/md/dsk/d0 or /dev/md/<set>/dsk/d0
            if len(parts) == 5:
                return None, parts[4]
            if len(parts) == 6:
                return parts[3], parts[5]
        return None, name

    def unit(self, s: MDSet, name: str) -> Unit:
        _, short = self.split_name(name)
        if not UNIT_RE.match(short):
            raise MDError(E.NOT_META, name=name)
        u = s.units.get(short)
        if u is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=s.display(short))
        return u

    def mirror(self, s: MDSet, name: str) -> Mirror:
        u = self.unit(s, name)
        if not isinstance(u, Mirror):
            raise MDError(E.NOT_A_MIRROR, name=s.display(u.name))
        return u

    def stripe(self, s: MDSet, name: str) -> Stripe:
        u = self.unit(s, name)
        if not isinstance(u, Stripe):
            raise MDError(E.NOT_A_STRIPE, name=s.display(u.name))
        return u

    def all_units(self) -> list[tuple[MDSet, Unit]]:
        return [(s, u) for s in self.sets.values() for u in s.units.values()]

    def component_owner(self, comp: str) -> tuple[MDSet, Unit] | None:
        """The metadevice a slice belongs to, if any (hot spares in use count as used)."""
        for s, u in self.all_units():
            if isinstance(u, Stripe) and any(c.name == comp or c.hot_spare == comp
                                             for c in u.components):
                return s, u
            if isinstance(u, SoftPartition) and u.component == comp:
                return s, u
        return None

    def slice_size(self, comp: str) -> int:
        parsed = split_slice(comp)
        if parsed is None:
            raise MDError(E.NO_SUCH_FILE, name=comp)
        disk = self.disks.get(parsed[0])
        if disk is None or parsed[1] not in disk.slices:
            raise MDError(E.NO_SUCH_FILE, name=comp)
        return disk.slices[parsed[1]].size

    # ------------------------------------------------------------------ components
    def _make_component(self, s: MDSet, unit_name: str, comp: str, force: bool,
                        first: bool = True) -> Component:
        """``first``: row 0, component 0 of the unit, which may keep the disk label."""
        comp = short_name(comp)
        if UNIT_RE.match(comp) and comp in s.units:
            child = s.units[comp]
            if child.parent is not None:
                raise MDError(E.IN_USE, name=s.display(comp))
            return Component(name=comp, size=child.size, reloc=False, timestamp=self.now())
        size = self.slice_size(comp)
        owner = self.component_owner(comp)
        # meta_check.c meta_check_overlap: the very same slice in use is MDE_ALREADY
        if owner is not None:
            raise MDError("has appeared more than once in the specification of "
                          f"{owner[0].display(owner[1].name)}", name=comp)
        if self._is_hot_spare(comp):
            raise MDError("has appeared more than once in the specification of "
                          f"{self._is_hot_spare(comp)}", name=comp)
        mnt = self.is_open(comp)
        if mnt is not None and not force:
            raise MDError(f"is mounted on {mnt}", name=comp)
        start = end_block(s.replicas, comp)
        if start:
            start = max(start, 16)
        elif not first:
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

    def _is_hot_spare(self, comp: str) -> str | None:
        for s in self.sets.values():
            for pool in s.hsps.values():
                if pool.find(comp):
                    return s.display(pool.name)
        return None

    def _check_new_name(self, s: MDSet, name: str) -> str:
        _, short = self.split_name(name)
        m = UNIT_RE.match(short)
        if not m or int(m.group("num")) >= MAX_UNITS:
            raise MDError(E.BAD_NAME, name=name)
        if short in s.units:
            raise MDError(E.UNIT_ALREADY_SET_UP, name=s.display(short))
        return short

    def _require_db(self, s: MDSet) -> None:
        if not s.replicas:
            raise MDError(E.NO_DB)
        if is_stale(s.replicas):
            raise MDError(E.STALE_DB, exit_code=66)

    # ------------------------------------------------------------------ metainit
    def create_stripe(self, s: MDSet, name: str, rows: list[tuple[list[str], int | None]],
                      hsp: str | None = None, force: bool = False,
                      dry_run: bool = False) -> Stripe:
        """``metainit dN nrows width comp... [-i interlace] ... [-h hspNNN]``."""
        self._require_db(s)
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
                    raise MDError("has appeared more than once in the specification of "
                                  f"{s.display(short)}", name=c)
                first = not built and not row_comps
                seen.add(c)
                row_comps.append(self._make_component(s, short, c, force, first))
            il = None if len(row_comps) == 1 else (interlace or DEFAULT_INTERLACE)
            built.append(Row(row_comps, il))
        if hsp is not None:
            self._hsp(s, hsp, create=False)
        stripe = Stripe(name=short, rows=built, hsp=self._hsp_short(hsp), timestamp=self.now())
        if not dry_run:
            for member in stripe.components:
                if member.name in s.units:
                    s.units[member.name].parent = short
            s.units[short] = stripe
        return stripe

    def _hsp_short(self, hsp: str | None) -> str | None:
        return None if hsp is None else self.split_name(hsp)[1]

    def _hsp(self, s: MDSet, name: str, create: bool) -> HotSparePool:
        _, short = self.split_name(name)
        if not HSP_RE.match(short):
            raise MDError(E.INVALID_HSP, name=s.display(short))
        pool = s.hsps.get(short)
        if pool is None:
            if not create:
                raise MDError(E.INVALID_HSP, name=s.display(short))
            pool = HotSparePool(short)
            s.hsps[short] = pool
        return pool

    def create_mirror(self, s: MDSet, name: str, submirrors: list[str],
                      read_option: str = "roundrobin", write_option: str = "parallel",
                      pass_num: int = 1, dry_run: bool = False) -> Mirror:
        """``metainit dM -m dS [dS...] [-g|-r] [-S] [pass]``: no resync, all Okay."""
        self._require_db(s)
        short = self._check_new_name(s, name)
        if not submirrors:
            raise MDError(E.NOT_ENOUGH_SUBMIRRORS, name=s.display(short))
        if len(submirrors) > MAX_SUBMIRRORS:
            raise MDError(E.MAX_SUBMIRRORS, name=s.display(short))
        if not 0 <= pass_num <= 9:
            raise MDError(E.INVALID_PASS, name=s.display(short))
        subs: list[Stripe] = []
        for sub in submirrors:
            st = self._check_submirror(s, sub)
            if st.name in [x.name for x in subs]:
                raise MDError(E.INVALID_UNIT, name=s.display(st.name))
            subs.append(st)
        mirror = Mirror(name=short, pass_num=pass_num, read_option=read_option,
                        write_option=write_option,
                        total_blocks=min(st.size for st in subs), timestamp=self.now())
        mirror.submirrors = [SubmirrorSlot(st.name, SmState.RUNNING, timestamp=self.now())
                             for st in subs]
        if not dry_run:
            for st in subs:
                st.parent = short
            s.units[short] = mirror
        return mirror

    def _check_submirror(self, s: MDSet, name: str) -> Stripe:
        _, short = self.split_name(name)
        if not UNIT_RE.match(short):
            raise MDError(E.NOT_META, name=name)
        u = s.units.get(short)
        if u is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=s.display(short))
        mnt = self.is_open(s.display(short))
        if mnt is not None:
            raise MDError(E.IS_OPEN, name=s.display(short))
        if u.parent is not None:
            raise MDError(E.IN_USE, name=s.display(short))
        if not isinstance(u, Stripe):
            raise MDError(E.INVALID_UNIT, name=s.display(short))
        return u

    def create_hsp(self, s: MDSet, name: str, comps: list[str]) -> HotSparePool:
        self._require_db(s)
        _, short = self.split_name(name)
        if not HSP_RE.match(short):
            raise MDError(E.BAD_NAME, name=name)
        if short in s.hsps:
            raise MDError(E.HSP_ALREADY_SETUP, name=s.display(short))
        pool = HotSparePool(short)
        for c in comps:
            pool.spares.append(self._new_spare(s, c))
        s.hsps[short] = pool
        return pool

    def _new_spare(self, s: MDSet, comp: str) -> HotSpare:
        comp = short_name(comp)
        size = self.slice_size(comp)
        owner = self.component_owner(comp)
        if owner is not None:
            raise MDError(f"overlaps with device in {owner[0].display(owner[1].name)}", name=comp)
        start = end_block(s.replicas, comp)
        return HotSpare(comp, size - start, timestamp=self.now())

    def create_softpart(self, s: MDSet, name: str, component: str, size: int) -> SoftPartition:
        """``metainit dN -p comp size``: extents allocated after what is already used."""
        self._require_db(s)
        short = self._check_new_name(s, name)
        comp = short_name(component)
        if UNIT_RE.match(comp):
            base = self.unit(s, comp)
            avail = base.size
        else:
            avail = self.slice_size(comp)
        used = [sp for sp in s.units.values()
                if isinstance(sp, SoftPartition) and sp.component == comp]
        offset = 1
        for sp in used:
            for start, length in sp.extents:
                offset = max(offset, start + length + 1)
        if offset + size > avail:
            raise MDError("not enough space available for request", name=s.display(short))
        sp_unit = SoftPartition(name=short, component=comp, extents=[(offset, size)],
                                timestamp=self.now())
        s.units[short] = sp_unit
        return sp_unit

    # ------------------------------------------------------------------ metaclear
    def clear(self, s: MDSet, name: str, recursive: bool = False, force: bool = False) -> list[str]:
        """``metaclear [-r] [-f] name``; returns what was cleared, as ``(name, kind)`` texts."""
        _, short = self.split_name(name)
        if HSP_RE.match(short):
            pool = self._hsp(s, short, create=False)
            for _, u in self.all_units():
                if isinstance(u, Stripe) and u.hsp == short:
                    raise MDError(E.HSP_IN_USE, name=s.display(short))
            if any(sp.status == "In use" for sp in pool.spares):
                raise MDError(E.HSP_IN_USE, name=s.display(short))
            del s.hsps[short]
            return [f"{s.display(short)}: Hotspare pool is cleared"]
        u = self.unit(s, short)
        if u.parent is not None:
            raise MDError(E.IN_USE, name=s.display(short))
        if self.is_open(s.display(short)) is not None:
            raise MDError(E.IS_OPEN, name=s.display(short))
        if isinstance(u, Mirror):
            if not (force or recursive) and any(
                    slot.state != SmState.RUNNING or self._slot_erred(s, slot)
                    for slot in u.submirrors):
                raise MDError(E.CLEAR_INVALID_SUBMIRRORS, name=s.display(short))
        done = [f"{s.display(short)}: {self.kind_text(u)} is cleared"]
        del s.units[short]
        children: list[str] = []
        if isinstance(u, Mirror):
            children = [slot.name for slot in u.submirrors]
        elif isinstance(u, Stripe):
            children = [c.name for c in u.components if c.name in s.units]
        for child in children:
            if child in s.units:
                s.units[child].parent = None
        if recursive:
            for child in children:
                if child in s.units:
                    done += self.clear(s, child, recursive=True, force=True)
        return done

    @staticmethod
    def kind_text(u: Unit) -> str:
        return {"mirror": "Mirror", "stripe": "Concat/Stripe",
                "softpart": "Soft Partition"}.get(u.kind, "Metadevice")

    def _slot_erred(self, s: MDSet, slot: SubmirrorSlot) -> bool:
        st = s.units.get(slot.name)
        return isinstance(st, Stripe) and any(c.state != CompState.OKAY for c in st.components)

    # ------------------------------------------------------------------ states
    def slot_state(self, s: MDSet, slot: SubmirrorSlot) -> SmState:
        """The kernel's sm_state: the slot's own state refined by its components."""
        base = slot.state
        if base != SmState.RUNNING:
            return base
        st = s.units.get(slot.name)
        if not isinstance(st, Stripe):
            return base
        states = [c.state for c in st.components]
        if any(x.erred for x in states):
            return SmState.COMP_ERRED
        if any(x == CompState.RESYNC for x in states):
            return SmState.COMP_RESYNC
        return base

    def okay_submirrors(self, s: MDSet, m: Mirror) -> int:
        return sum(1 for slot in m.submirrors if self.slot_state(s, slot) == SmState.RUNNING)

    def _readable_range(self, s: MDSet, m: Mirror, exclude: str, start: int, end: int) -> bool:
        """Does a submirror other than ``exclude`` hold good data for blocks [start, end)?"""
        for slot in m.submirrors:
            if slot.name == exclude:
                continue
            st_state = self.slot_state(s, slot)
            if st_state & (SmState.ATTACHED | SmState.ATTACHED_RESYNC | SmState.OFFLINE
                           | SmState.OFFLINE_RESYNC):
                continue
            st = s.units.get(slot.name)
            if not isinstance(st, Stripe):
                continue
            good = True
            for rs, re_, row in st.row_ranges():
                if rs < end and start < re_ and any(c.state != CompState.OKAY
                                                    for c in row.components):
                    good = False
            if good:
                return True
        return False

    def _all_data_readable_without(self, s: MDSet, m: Mirror, exclude: str) -> bool:
        return self._readable_range(s, m, exclude, 0, m.total_blocks) or all(
            self._readable_range(s, m, exclude, a, b)
            for a, b in self._boundaries(s, m))

    def _boundaries(self, s: MDSet, m: Mirror) -> list[tuple[int, int]]:
        cuts = {0, m.total_blocks}
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe):
                for a, b, _ in st.row_ranges():
                    cuts.update((min(a, m.total_blocks), min(b, m.total_blocks)))
        pts = sorted(cuts)
        return [(a, b) for a, b in zip(pts, pts[1:], strict=False) if a < b]

    # ------------------------------------------------------------------ attach / detach
    # Checks follow libmeta (meta_mirror.c meta_check_submirror / meta_mirror_replace /
    # meta_mirror_enable, meta_stripe.c meta_check_component) and then the kernel
    # (uts/common/io/lvm/mirror/mirror_ioctl.c mirror_attach, mirror_detach, mirror_offline,
    # mirror_online, comp_replace), each in its source order.
    GROW_DELAYED = "growing of metadevice delayed"            # meta_error.c MDE_GROW_DELAYED
    IS_META = "is a metadevice"                              # meta_error.c MDE_IS_META
    NO_SPACE = "No space left on device"                     # strerror(ENOSPC)
    NO_DEVICE = "No such device"                             # strerror(ENODEV)
    CANT_ENABLE_SPARED = "cannot enable hotspared device"    # MDE_FIX_INVAL_STATE

    def attach(self, s: MDSet, mirror_name: str, sub: str) -> Mirror:
        """``metattach dM dS``: the new submirror (ATTACHED_RESYNC) gets a full resync.

        A resync already running does not refuse an attach (mirror_attach has no such
        check); the new submirror's resync is queued behind it.
        """
        m = self.mirror(s, mirror_name)
        _, short = self.split_name(sub)
        if not UNIT_RE.match(short):
            raise MDError(E.NOT_META, name=short_name(sub))
        self._check_primary_mirror(s, m)
        where = self.is_open(s.display(short))
        if where is not None and where.startswith("/"):
            raise MDError(f"is mounted on {where}", name=s.display(short))
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
        m.submirrors.append(SubmirrorSlot(short, SmState.ATTACHED_RESYNC, resync_target=True,
                                          timestamp=self.now()))
        self._queue(m, ResyncJob("submirror", m.total_blocks, submirror=short))
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
        that is the first component of one of the mirror's submirrors."""
        root = self.root_slice()
        if root is None:
            return
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe) and st.rows and st.rows[0].components[0].name == root:
                raise MDError("is mounted on /", name=root)

    def detach(self, s: MDSet, mirror_name: str, sub: str, force: bool = False) -> Mirror:
        """``metadetach [-f] dM dS`` with the kernel's checks in mirror_detach order."""
        m = self.mirror(s, mirror_name)
        _, sub_short = self.split_name(sub)
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
        if not force and isinstance(st, Stripe) and any(
                c.state.erred or c.state == CompState.RESYNC for c in st.components):
            # mirror_set_sm_state(SMS_UNUSED, 0) recomputes the state from the components
            # and leaves it there: an offlined or attached submirror becomes COMP_ERRED.
            slot.state = SmState.RUNNING
            slot.timestamp = self.now()
            raise MDError(E.SUBMIRROR_ERRED, name=s.display(m.name))
        m.submirrors.remove(slot)
        m.jobs = [j for j in m.jobs if j.submirror != slot.name]
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

    def _mirror_unavailable(self, s: MDSet, m: Mirror) -> bool:
        return all(self._slot_unavailable(s, slot) for slot in m.submirrors)

    def _slot_unavailable(self, s: MDSet, slot: SubmirrorSlot) -> bool:
        st = s.units.get(slot.name)
        return isinstance(st, Stripe) and all(c.state == CompState.UNAVAILABLE
                                              for c in st.components)

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
        for c in [comp] if comp is not None else st.components:
            a, b = st.component_range(c)
            b = min(b, m.total_blocks)
            for lo, hi in self._boundaries(s, m):
                if hi <= a or lo >= b:
                    continue
                if not self._readable_elsewhere(s, m, slot.name, max(lo, a), min(hi, b), c):
                    return False
        return True

    def _readable_elsewhere(self, s: MDSet, m: Mirror, exclude: str, start: int, end: int,
                            target: Component) -> bool:
        for other in m.submirrors:
            if other.name == exclude or other.state != SmState.RUNNING:
                continue          # SUBMIRROR_IS_READABLE: running (comps may be erred)
            ost = s.units.get(other.name)
            if not isinstance(ost, Stripe):
                continue
            if all(self._comp_readable(c, target) for rs, re_, row in ost.row_ranges()
                   if rs < end and start < re_ for c in row.components):
                return True
        return False

    @staticmethod
    def _comp_readable(c: Component, target: Component) -> bool:
        if c.state == CompState.OKAY:
            return True
        if c.state != CompState.LAST_ERRED:
            return False
        return target.state != CompState.LAST_ERRED or c.timestamp >= target.timestamp

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
                raise MDError(f"has appeared more than once in the specification of {comp}",
                              name=comp)
        if interlace is None:
            interlace = st.rows[-1].interlace if st.rows else None
        st.rows.append(Row(row, None if len(row) == 1 else (interlace or DEFAULT_INTERLACE)))
        st.timestamp = self.now()
        return st

    def grow_mirror(self, s: MDSet, name: str) -> Mirror:
        """MD_IOCGROW on a mirror (mirror_grow_unit): grow to the smallest submirror.

        Refused (``growing of metadevice delayed``) while a resync runs or is owed; the
        grow then happens when the resync ends (see :meth:`_finish_job`).
        """
        m = self.mirror(s, name)
        if m.resync_active or m.opt_not_done:
            raise MDError(self.GROW_DELAYED, name=s.display(m.name))
        self._grow_to_submirrors(s, m)
        return m

    def _grow_to_submirrors(self, s: MDSet, m: Mirror) -> None:
        sizes = [u.size for slot in m.submirrors
                 if isinstance(u := s.units.get(slot.name), Stripe)]
        if sizes and min(sizes) > m.total_blocks:
            m.total_blocks = min(sizes)

    # ------------------------------------------------------------------ offline / online
    def offline(self, s: MDSet, mirror_name: str, sub: str, force: bool = False) -> Mirror:
        """``metaoffline [-f] dM dS`` in mirror_offline order; writes are then tracked."""
        m = self.mirror(s, mirror_name)
        _, sub_short = self.split_name(sub)
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
        m = self.mirror(s, mirror_name)
        _, sub_short = self.split_name(sub)
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
        """``metareplace dM old new`` / ``metareplace -e dM comp`` (``new`` None).

        libmeta first checks the new (or re-enabled) slice, then the kernel's comp_replace
        checks run; the component becomes Resyncing and a component resync starts.
        """
        old = short_name(old)
        if new is None and self._slice_missing(old):
            raise MDError(E.NO_SUCH_FILE, name=f"/dev/rdsk/{old}")   # meta_getdev
        m = self.mirror(s, mirror_name)
        found = self._find_mirror_comp(s, m, old)
        if found is None and self._slice_missing(old) and old not in s.units:
            raise MDError(self.NO_DEVICE, name=old)
        target = old if new is None else short_name(new)
        start = self._check_replacement(s, target, enable=new is None)
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
            raise MDError(self.CANT_ENABLE_SPARED, name=old)
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

    def _find_mirror_comp(self, s: MDSet, m: Mirror, name: str
                          ) -> tuple[SubmirrorSlot, Stripe, Component] | None:
        """mirror_getcomp_by_dev: the component (or the hot spare standing in for it)."""
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe):
                c = st.find_component(name)
                if c is not None:
                    return slot, st, c
        return None

    def _slice_missing(self, comp: str) -> bool:
        parsed = split_slice(comp)
        return parsed is None or parsed[0] not in self.disks

    def _check_replacement(self, s: MDSet, comp: str, enable: bool) -> int:
        """meta_check_component + metagetsize/metagetstart for the new slice; returns its
        first usable block. Being in a metadevice already is allowed only for ``-e``
        (meta_mirror_enable tolerates MDE_ALREADY)."""
        if UNIT_RE.match(comp) and comp in s.units:
            raise MDError(self.IS_META, name=comp)
        parsed = split_slice(comp)
        if parsed is None or parsed[0] not in self.disks:
            prefix = "/dev/rdsk/" if enable else "/dev/dsk/"
            raise MDError(E.NO_SUCH_FILE, name=prefix + comp)
        where = self.is_open(comp)
        if where is not None:
            raise MDError(f"is mounted on {where}", name=comp)
        if not enable:
            owner = self._slice_user(comp)
            if owner is not None:
                raise MDError(f"has appeared more than once in the specification of {owner}",
                              name=comp)
        disk = self.disks[parsed[0]]
        size = disk.slices[parsed[1]].size if parsed[1] in disk.slices else 0
        start = end_block(s.replicas, comp)
        if start:
            start = max(start, 16)
        if start >= size:
            raise MDError(self.NO_SPACE, name=comp)
        return start

    def _slice_user(self, comp: str) -> str | None:
        """meta_check_inmeta order: stripes, soft partitions, then hot spare pools."""
        for s, u in self.all_units():
            if isinstance(u, Stripe) and any(c.name == comp for c in u.components):
                return s.display(u.name)
        for s, u in self.all_units():
            if isinstance(u, SoftPartition) and u.component == comp:
                return s.display(u.name)
        return self._is_hot_spare(comp)

    def _release_spare(self, s: MDSet, comp: Component) -> None:
        for pool in s.hsps.values():
            spare = pool.find(comp.hot_spare or "")
            if spare is not None:
                spare.status = "Available"
                spare.timestamp = self.now()
        comp.hot_spare = None

    # ------------------------------------------------------------------ errors (faults)
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

    # ------------------------------------------------------------------ resync
    def _queue(self, m: Mirror, job: ResyncJob) -> None:
        m.jobs.append(job)
        m.jobs.sort(key=lambda j: ResyncJob.ORDER[j.kind])
        m.resync_active = True
        m.resync_cancel = False
        m.checkpoint = 0

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
        m = self.mirror(s, name)
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

    def active_mirrors(self) -> list[tuple[MDSet, Mirror]]:
        return [(s, u) for s in self.sets.values() for u in s.units.values()
                if isinstance(u, Mirror) and u.resync_active and u.jobs]

    def next_completion(self) -> float | None:
        """Virtual seconds until the next resync job finishes (None when none runs)."""
        best: float | None = None
        for _, m in self.active_mirrors():
            job = m.jobs[0]
            t = max(0.0, (job.total - job.done) / self.resync_rate)
            best = t if best is None else min(best, t)
        return best

    def advance(self, seconds: float) -> None:
        """Let every running resync progress for ``seconds`` of virtual time."""
        remaining = seconds
        while remaining > 0:
            step = self.next_completion()
            if step is None:
                return
            dt = min(remaining, step)
            blocks = int(dt * self.resync_rate)
            for s, m in self.active_mirrors():
                job = m.jobs[0]
                job.done = min(job.total, job.done + max(blocks, 1 if dt == step else 0))
                if job.done >= job.total:
                    self._finish_job(s, m, job)
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
        """
        step = max(1, int(self.resync_rate * CHECKPOINT_INTERVAL))
        for s in self.sets.values():
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
            if metasync:
                self.resync_all(s)

    # ------------------------------------------------------------------ hot spares
    def hs_add(self, s: MDSet, pool_name: str, comp: str) -> HotSparePool:
        pool = self._hsp(s, pool_name, create=True)
        spare = self._new_spare(s, comp)
        if pool.find(spare.name):
            raise MDError(E.HS_ALREADY_IN_USE, name=s.display(pool.name))
        pool.spares.append(spare)
        return pool

    def hs_delete(self, s: MDSet, pool_name: str, comp: str) -> HotSparePool:
        pool = self._hsp(s, pool_name, create=False)
        spare = pool.find(short_name(comp))
        if spare is None:
            raise MDError(E.HS_NOT_FOUND, name=short_name(comp))
        if spare.status == "In use":
            raise MDError(E.HS_IN_USE, name=spare.name)
        pool.spares.remove(spare)
        return pool

    def hs_replace(self, s: MDSet, pool_name: str, old: str, new: str) -> HotSparePool:
        pool = self._hsp(s, pool_name, create=False)
        spare = pool.find(short_name(old))
        if spare is None:
            raise MDError(E.HS_NOT_FOUND, name=short_name(old))
        if spare.status == "In use":
            raise MDError(E.HS_IN_USE, name=spare.name)
        fresh = self._new_spare(s, new)
        pool.spares[pool.spares.index(spare)] = fresh
        return pool

    def hs_enable(self, comp: str) -> None:
        found = False
        for s in self.sets.values():
            for pool in s.hsps.values():
                spare = pool.find(short_name(comp))
                if spare is not None:
                    found = True
                    if spare.status != "Broken":
                        raise MDError(E.HS_NOT_BROKEN, name=spare.name)
                    spare.status = "Available"
        if not found:
            raise MDError(E.HS_NOT_FOUND, name=short_name(comp))

    # ------------------------------------------------------------------ metadb
    def add_replicas(self, s: MDSet, devices: list[str], count: int = 1,
                     length: int = 8192, force: bool = False) -> None:
        """``metadb -a`` in meta_db.c meta_db_attach order: the replica limit, then per
        slice the in-use check, the size check, then the kernel's "exists" refusal."""
        if not s.replicas and not force:
            raise MDError(E.NO_DB)
        names = [short_name(d) for d in devices]
        if len(s.replicas) + count * len(names) > E.MDDB_NLB:
            raise MDError(E.TOO_MANY_REPLICAS % (len(s.replicas) + count * len(names),
                                                 E.MDDB_NLB))
        for dev in names:
            size = self.slice_size(dev)
            owner = self.component_owner(dev)
            # meta_check.c meta_check_overlap (via meta_check_replica): MDE_ALREADY
            if owner is not None:
                raise MDError("has appeared more than once in the specification of "
                              f"{owner[0].display(owner[1].name)}", name=dev)
            if size < count * length + 16:
                raise MDError(E.REPLICA_TOO_SMALL % size, name=dev)
        for dev in names:
            if any(r.device == dev for r in s.replicas):
                raise MDError(E.DB_EXISTS, name=dev)
            for i in range(count):
                s.replicas.append(Replica(dev, 16 + i * length, length))
        mark_master(s.replicas)

    def delete_replicas(self, s: MDSet, devices: list[str], force: bool = False) -> None:
        """``metadb -d`` as meta_db.c meta_db_detach decides it: every slice must hold a
        replica; keeping none needs -f (and is never allowed in a diskset); deleting healthy
        replicas so that errored ones outnumber the healthy rest needs -f."""
        if not s.replicas:
            raise MDError(E.NO_DB)
        names = [short_name(d) for d in devices]
        for dev in names:
            if not any(r.device == dev for r in s.replicas):
                raise MDError(E.NO_REPLICA_ON_DEVICE, name=dev)
        doomed = [r for r in s.replicas if r.device in names]
        remaining = [r for r in s.replicas if r.device not in names]
        if not remaining:
            if not force:
                raise MDError(E.DB_LAST)
            if s.name:
                raise MDError(E.DB_LAST_DISKSET)
        errored = set("RWSFDM")
        invalid_doomed = sum(1 for r in doomed if r.flags & errored)
        invalid_kept = sum(1 for r in remaining if r.flags & errored)
        if invalid_doomed != len(doomed) and invalid_kept > len(remaining) - invalid_kept \
                and not (force and not s.name):
            raise MDError(E.DB_STALE_DELETE)
        s.replicas = remaining
        mark_master(s.replicas)

    def replica_error(self, device: str) -> None:
        """Replicas on a failed slice get write errors (flag W, no longer active)."""
        for s in self.sets.values():
            for r in s.replicas:
                if r.device == device:
                    r.flags -= {"a", "u", "o", "m"}
                    r.flags.add("W")
            mark_master(s.replicas)

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        return {"resync_rate": self.resync_rate,
                "sets": [s.to_dict() for s in self.sets.values()],
                "events": [{"time": e.time, "text": e.text} for e in self.events],
                "mdtab": self.mdtab}

    def load_dict(self, d: dict[str, Any]) -> None:
        self.resync_rate = float(d.get("resync_rate", self.resync_rate))
        self.sets = {}
        for sd in d.get("sets", []):
            s = MDSet.from_dict(sd)
            self.sets[s.name] = s
        self.sets.setdefault("", MDSet(""))
        self.events = [Event(float(e["time"]), e["text"]) for e in d.get("events", [])]
        self.mdtab = str(d.get("mdtab", ""))
