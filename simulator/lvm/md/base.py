"""What every part of the md driver shares: the host's disks and clock, the sets, the unit
lookups and the few state primitives the mixins call across (md_subr.c, mirror.c).

:class:`VolumeBase` is the common base of the mixins that make up
:class:`~simulator.lvm.md.manager.VolumeManager` (create, mirror, faults, resync, spares,
replicas); the manager's ``__init__`` sets the attributes declared here. Names handed to the
model are the short names libmeta resolved (``d10``, ``hsp001``); a ``set/`` or ``/dev/md``
prefix is dropped through the one device grammar, :mod:`simulator.core.names`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from simulator.core.errors import HostPanic
from simulator.core.names import parse_hsp, parse_unit, split_slice
from simulator.core.strerror import ENOENT
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.records import (
    Component,
    DiskError,
    Event,
    HotSparePool,
    MDSet,
    Mirror,
    ResyncJob,
    SoftPartition,
    Stripe,
    SubmirrorSlot,
    Unit,
)
from simulator.lvm.md.replicas import is_stale
from simulator.lvm.md.states import CompState, SmState

if TYPE_CHECKING:
    from simulator.core.devices import Disk
    from simulator.core.faulthooks import FaultHooks
    from simulator.lvm.md.resync import ResyncDaemon

# md_subr.c mddb_commitrec_wrapper: a commit that fails while fewer than half the replicas are
# available (MD_SET_TOOFEW) panics the host with this text (the format's "%%" printed as "%")
TOOFEW_PANIC = ("md: Panic due to lack of DiskSuite state\n database replicas. Fewer than "
                "50% of the total were available,\n so panic to ensure data integrity.")


@lru_cache(maxsize=64)
def short_unit(name: str) -> str:
    """The unit or pool short name (``blue/d010`` -> ``d10``, ``/dev/md/dsk/d1`` -> ``d1``);
    any other name unchanged. Units are numbered as meta_name.c reads them (``d%lu``).
    A pure function of the name, asked of the same few names by every lookup and open
    check: the answers for the names asked most recently are kept."""
    unit = parse_unit(name)
    if unit is not None:
        return unit.short
    hsp = parse_hsp(name)
    return hsp[1] if hsp is not None else name


class VolumeBase:
    """The volume manager's state and the lookups shared by its mixins."""

    disks: dict[str, Disk]
    now: Callable[[], float]
    is_open: Callable[[str], str | None]
    sets: dict[str, MDSet]
    resync: ResyncDaemon
    events: list[Event]
    disk_errors: list[DiskError]
    faults: FaultHooks
    bad_slices: dict[str, str]         # slice -> "read" | "write" | "both": I/O to it fails
    slow_disks: dict[str, float]       # disk -> factor its transfers are slowed by
    # "attach"/"detach" -> (mirror or "", error text, what it names: "mirror" | "sub" | "")
    refusals: dict[str, tuple[str, str, str]]
    # defined by FaultsMixin (faults.py), called across the mixins
    io_error: Callable[[str], list[str]]
    io_factor: Callable[[str], float]
    resync_onto_failed: Callable[[Stripe], None]
    resync_rate: float
    on_resynced: list[Callable[[Mirror, str], None]]
    on_detached: list[Callable[[Mirror, str], None]]
    mdtab: str

    # ----------------------------------------------------------------- lookups
    def get_set(self, name: str | None) -> MDSet:
        key = "" if name in (None, "", "local") else str(name)
        if key not in self.sets:
            raise MDError(E.NO_SUCH_SET, name=key)
        return self.sets[key]

    def log(self, text: str) -> None:
        self.events.append(Event(self.now(), text))

    def disk_error(self, device: str, op: str = "write") -> None:
        """The disk under slice ``device`` failed an I/O (what sd logs of it)."""
        self.disk_errors.append(DiskError(self.now(), device, op))

    def unit(self, s: MDSet, name: str) -> Unit:
        if parse_unit(name) is None:
            raise MDError(E.NOT_META, name=name)
        short = short_unit(name)
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

    def pool(self, s: MDSet, name: str, create: bool = False) -> HotSparePool:
        """A hot spare pool of the set (created empty when ``create``); MDE_INVAL_HSP."""
        short = short_unit(name)
        if parse_hsp(short) is None:
            raise MDError(E.INVALID_HSP, name=s.display(short))
        found = s.hsps.get(short)
        if found is None:
            if not create:
                raise MDError(E.INVALID_HSP, name=s.display(short))
            found = HotSparePool(short)
            s.hsps[short] = found
        return found

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

    def slice_user(self, comp: str, hot_spares: bool = True,
                   soft_partitions: bool = True) -> str | None:
        """The metadevice (or hot spare pool) already using a slice, as libmeta's
        meta_check.c meta_check_inmeta looks: concat/stripe components
        (meta_check_instripe: the components themselves, not a hot spare standing in),
        then soft partitions (meta_check_insp), then, unless MDCHK_ALLOW_HS, hot spare
        pools (meta_check_inhsp). ``soft_partitions`` False: other soft partitions may share
        the slice (meta_check_sp). The one home of this rule (libmeta/check.py builds on it).
        """
        sp_user: str | None = None      # the first soft partition on it (found in one pass)
        for s in self.sets.values():
            for u in s.units.values():
                if isinstance(u, Stripe):
                    for r in u.rows:
                        for c in r.components:
                            if c.name == comp:
                                return s.display(u.name)
                elif sp_user is None and soft_partitions and isinstance(u, SoftPartition) \
                        and u.component == comp:
                    sp_user = s.display(u.name)
        if sp_user is not None:
            return sp_user
        return self.spare_pool_of(comp) if hot_spares else None

    def spare_pool_of(self, comp: str) -> str | None:
        """The (display name of the) first hot spare pool holding ``comp``, in set order."""
        for s in self.sets.values():
            for pool in s.hsps.values():
                if pool.find(comp):
                    return s.display(pool.name)
        return None

    def slice_size(self, comp: str) -> int:
        parsed = split_slice(comp)
        if parsed is None:
            raise MDError(ENOENT, name=comp)
        disk = self.disks.get(parsed[0])
        if disk is None or parsed[1] not in disk.slices:
            raise MDError(ENOENT, name=comp)
        return disk.slices[parsed[1]].size

    def changing_mirror(self, s: MDSet, name: str) -> Mirror:
        """The mirror an attach, detach, offline, online or replace works on: illumos
        mirror_ioctl.c mirror_getun() refuses every ioctl not flagged STALE_OK with
        MDE_DB_STALE ("stale databases") while the set's database is stale (fewer than half
        the replicas good); only the read-only ones (MD_IOCGET for metastat) pass."""
        self.commit_check(s)
        if s.replicas and is_stale(s.replicas):
            raise MDError(E.STALE_DB)
        return self.mirror(s, name)

    def require_db(self, s: MDSet) -> None:
        """meta_setup_db_locations: no replicas, or a stale database (exit 66)."""
        if not s.replicas:
            raise MDError(E.NO_DB)
        self.commit_check(s)
        if is_stale(s.replicas):
            raise MDError(E.STALE_DB, exit_code=66)

    def commit_check(self, s: MDSet) -> None:
        """A change about to be committed to the replicas: while the running kernel has lost
        replicas below half (MD_SET_TOOFEW, set when the replicas failed after boot), the
        commit fails and md_subr.c mddb_commitrec_wrapper panics the host (HostPanic with
        its text). After the reboot the set is stale instead (md.c md_snarf: "md: state
        database is stale") and changes are refused with "stale databases"."""
        if s.toofew and s.replicas and is_stale(s.replicas):
            raise HostPanic(TOOFEW_PANIC)

    def take_refusal(self, op: str, s: MDSet, mirror: str, sub: str) -> None:
        """An injected refusal armed for the next ``op`` (``attach``/``detach``) on
        ``mirror`` (or on any mirror): raise its error once, naming the mirror, the
        submirror or nothing as the kernel's check for that error does."""
        armed = self.refusals.get(op)
        if armed is None or armed[0] not in ("", mirror):
            return
        del self.refusals[op]
        _, text, names = armed
        name = {"mirror": s.display(mirror), "sub": s.display(short_unit(sub))}.get(names)
        raise MDError(text, name=name)

    # ----------------------------------------------------------------- shared state rules
    def slot_state(self, s: MDSet, slot: SubmirrorSlot) -> SmState:
        """The kernel's sm_state: the slot's own state refined by its components."""
        base = slot.state
        if base != SmState.RUNNING:
            return base
        st = s.units.get(slot.name)
        if not isinstance(st, Stripe):
            return base
        # one pass over the components: an erred one wins over a resyncing one
        resync = False
        for row in st.rows:
            for c in row.components:
                x = c.state
                if x.erred:
                    return SmState.COMP_ERRED
                if x == CompState.RESYNC:
                    resync = True
        return SmState.COMP_RESYNC if resync else base

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

    def _boundaries(self, s: MDSet, m: Mirror) -> list[tuple[int, int]]:
        cuts = {0, m.total_blocks}
        for slot in m.submirrors:
            st = s.units.get(slot.name)
            if isinstance(st, Stripe):
                for a, b, _ in st.row_ranges():
                    cuts.update((min(a, m.total_blocks), min(b, m.total_blocks)))
        pts = sorted(cuts)
        return [(a, b) for a, b in zip(pts, pts[1:], strict=False) if a < b]

    def _queue(self, m: Mirror, job: ResyncJob) -> None:
        """Queue resync work on a mirror (mirror_resync.c: optimized, component, submirror)."""
        m.jobs.append(job)
        m.jobs.sort(key=lambda j: ResyncJob.ORDER[j.kind])
        m.resync_active = True
        m.resync_cancel = False
        m.checkpoint = 0

    def _release_spare(self, s: MDSet, comp: Component) -> None:
        for pool in s.hsps.values():
            spare = pool.find(comp.hot_spare or "")
            if spare is not None:
                spare.status = "Available"
                spare.timestamp = self.now()
        comp.hot_spare = None

    def _grow_to_submirrors(self, s: MDSet, m: Mirror) -> None:
        sizes = [u.size for slot in m.submirrors
                 if isinstance(u := s.units.get(slot.name), Stripe)]
        if sizes and min(sizes) > m.total_blocks:
            m.total_blocks = min(sizes)
