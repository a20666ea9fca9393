"""Metadevice records: concat/stripes, mirrors, soft partitions and hot spare pools.

These are plain data (what the kernel keeps in the state database), with the set that holds
them (:class:`MDSet`) and the console events the driver logs. The rules that change them live
in the mixins of :mod:`simulator.lvm.md.manager`; printing lives in libmeta.
Every record round-trips through ``to_dict``/``from_dict`` so a host can be saved as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Literal, Self, SupportsIndex, get_args

from simulator.core.names import UNIT_RE
from simulator.lvm.md.replicas import Replica
from simulator.lvm.md.states import READABLE, CompState, SmState

# a mirror's read and write options (md_mirror.h mm_rd_opt, mm_wr_opt; metainit -r/-g, -S)
ReadOption = Literal["roundrobin", "geometric", "first"]
WriteOption = Literal["parallel", "serial"]
READ_OPTIONS: tuple[ReadOption, ...] = get_args(ReadOption)
WRITE_OPTIONS: tuple[WriteOption, ...] = get_args(WriteOption)

MAX_UNITS = 8192          # md.conf nmd upper bound
MAX_SUBMIRRORS = 4        # NMIRROR
MD_PASS_MAX = 9           # md_mirror.h: resync pass numbers 0..9
BIG_UNIT_BLOCKS = 2**31   # MD_64BIT_META_DEV: units of 1 TB and more print resync in tenths


# ---------------------------------------------------------------------------- write barrier
# Every record below is Tracked: each write to one of its fields stamps the record (``_gen``),
# and each change to a list or dict it holds stamps that list or dict (its own ``_gen``), with
# the current epoch of one process-wide counter; :func:`new_epoch` starts the next epoch when a
# report is made from the records, so whatever is written after that report carries a larger
# stamp. A record's stamp is the latest of its own and its lists' and dicts'
# (:data:`CONTAINERS` names them per kind). "Nothing under this unit was written since its
# report was made" is then "no stamp under it is larger than the report's epoch": the one rule
# :mod:`simulator.lvm.libmeta.report_cache` keeps metastat's reports by. This is the one place
# every state change goes through, whoever makes it (the md mixins, the fault machinery, the
# importer, a test setting a component's state by hand). Writes between two reports share one
# int object: a stamp costs a record one reference, not a number. A list stamps itself rather
# than its record: a reference from it back to the record that holds it would make every
# record a reference cycle, freed by the garbage collector instead of when its host goes
# (simulator/core/hostref.py), and a weak one would cost a record ~70 bytes (md8192: 1 MB).
_epoch = 1


def new_epoch() -> int:
    """The epoch a report is being made at; every write from now on is stamped later."""
    global _epoch
    made = _epoch
    _epoch = made + 1
    return made


class Tracked:
    """A record whose writes stamp it (see above). ``_gen`` is 0 until the first write."""

    __slots__ = ()
    _gen = 0

    def __setattr__(self, name: str, value: Any) -> None:
        kind = value.__class__
        if kind is list:
            value = TrackedList(value)
            value._gen = _epoch
        elif kind is dict:
            value = TrackedDict(value)
            value._gen = _epoch
        object.__setattr__(self, name, value)
        object.__setattr__(self, "_gen", _epoch)


class TrackedList(list[Any]):
    """A record's list: changing it in place stamps it (the write barrier above)."""

    __slots__ = ("_gen",)      # its stamp: set when its record makes it, then by each change

    def __setitem__(self, i: Any, v: Any) -> None:
        list.__setitem__(self, i, v)
        self._gen = _epoch

    def __delitem__(self, i: Any) -> None:
        list.__delitem__(self, i)
        self._gen = _epoch

    def __iadd__(self, other: Iterable[Any]) -> Self:  # type: ignore[misc]
        list.__iadd__(self, other)
        self._gen = _epoch
        return self

    def __imul__(self, n: SupportsIndex) -> Self:
        list.__imul__(self, n)
        self._gen = _epoch
        return self

    def append(self, v: Any) -> None:
        list.append(self, v)
        self._gen = _epoch

    def extend(self, v: Any) -> None:
        list.extend(self, v)
        self._gen = _epoch

    def insert(self, i: SupportsIndex, v: Any) -> None:
        list.insert(self, i, v)
        self._gen = _epoch

    def pop(self, i: SupportsIndex = -1) -> Any:
        v = list.pop(self, i)
        self._gen = _epoch
        return v

    def remove(self, v: Any) -> None:
        list.remove(self, v)
        self._gen = _epoch

    def clear(self) -> None:
        list.clear(self)
        self._gen = _epoch

    def sort(self, *args: Any, **kwargs: Any) -> None:
        list.sort(self, *args, **kwargs)
        self._gen = _epoch

    def reverse(self) -> None:
        list.reverse(self)
        self._gen = _epoch


class TrackedDict(dict[Any, Any]):
    """A record's dict (a set's units and pools): changing it stamps it."""

    __slots__ = ("_gen",)      # as TrackedList's

    def __setitem__(self, k: Any, v: Any) -> None:
        dict.__setitem__(self, k, v)
        self._gen = _epoch

    def __delitem__(self, k: Any) -> None:
        dict.__delitem__(self, k)
        self._gen = _epoch

    def __ior__(self, other: Any) -> Self:  # type: ignore[misc]
        dict.__ior__(self, other)
        self._gen = _epoch
        return self

    def pop(self, *args: Any) -> Any:
        v = dict.pop(self, *args)
        self._gen = _epoch
        return v

    def popitem(self) -> Any:
        v = dict.popitem(self)
        self._gen = _epoch
        return v

    def clear(self) -> None:
        dict.clear(self)
        self._gen = _epoch

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self._gen = _epoch

    def setdefault(self, k: Any, default: Any = None) -> Any:
        v = dict.setdefault(self, k, default)
        self._gen = _epoch
        return v


def unit_number(name: str) -> int:
    m = UNIT_RE.match(name)
    return int(m.group("num")) if m else -1


@dataclass
class Component(Tracked):
    """A slice (or metadevice) inside a stripe row, with its state and hot spare."""

    name: str
    start_block: int = 0
    size: int = 0              # usable blocks (slice size less start block)
    state: CompState = CompState.OKAY
    dbase: bool = False        # a state database replica lives on this slice
    reloc: bool = True         # device relocation (devid) information is known
    hot_spare: str | None = None
    error_count: int = 0
    timestamp: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start_block": self.start_block, "size": self.size,
                "state": self.state.value, "dbase": self.dbase, "reloc": self.reloc,
                "hot_spare": self.hot_spare, "error_count": self.error_count,
                "timestamp": self.timestamp}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Component:
        return cls(name=d["name"], start_block=int(d["start_block"]), size=int(d["size"]),
                   state=CompState(d["state"]), dbase=bool(d["dbase"]),
                   reloc=bool(d.get("reloc", True)), hot_spare=d.get("hot_spare"),
                   error_count=int(d.get("error_count", 0)),
                   timestamp=float(d.get("timestamp", 0.0)))

    @property
    def device(self) -> str:
        """The device actually doing the I/O: the hot spare while one is in use."""
        return self.hot_spare or self.name


@dataclass
class Row(Tracked):
    """One stripe of a concat/stripe: components striped at ``interlace`` blocks."""

    components: list[Component]
    interlace: int | None = None   # blocks; None for a one-component row

    @property
    def size(self) -> int:
        comps = self.components
        if len(comps) == 1:
            return comps[0].size
        if not self.interlace:
            return sum(c.size for c in comps)
        per = min(c.size for c in comps) // self.interlace * self.interlace
        return per * len(comps)

    def to_dict(self) -> dict[str, Any]:
        return {"interlace": self.interlace, "components": [c.to_dict() for c in self.components]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Row:
        return cls(components=[Component.from_dict(c) for c in d["components"]],
                   interlace=d.get("interlace"))


@dataclass
class Unit(Tracked):
    """Common part of every metadevice."""

    name: str
    parent: str | None = None
    timestamp: float = 0.0

    kind = "unit"

    @property
    def number(self) -> int:
        return unit_number(self.name)

    @property
    def size(self) -> int:
        raise AttributeError("size")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "parent": self.parent,
                "timestamp": self.timestamp}


@dataclass
class Stripe(Unit):
    """A concat/stripe (``dN: Concat/Stripe``), possibly a submirror."""

    rows: list[Row] = field(default_factory=list)
    hsp: str | None = None

    kind = "stripe"

    @property
    def size(self) -> int:
        total = 0
        for r in self.rows:         # no generator: a mirror's metainit asks each submirror
            total += r.size
        return total

    @property
    def components(self) -> list[Component]:
        return [c for r in self.rows for c in r.components]

    def row_ranges(self) -> list[tuple[int, int, Row]]:
        """(first logical block, end block, row) of each row, in order."""
        out, start = [], 0
        for r in self.rows:
            out.append((start, start + r.size, r))
            start += r.size
        return out

    def component_range(self, comp: Component) -> tuple[int, int]:
        """Logical blocks of the stripe a component holds data for (its row's range)."""
        for start, end, row in self.row_ranges():
            if any(c is comp for c in row.components):
                return start, end
        return 0, 0

    def find_component(self, name: str) -> Component | None:
        for c in self.components:
            if c.name == name or c.hot_spare == name:
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update(rows=[r.to_dict() for r in self.rows], hsp=self.hsp)
        return d


@dataclass
class SubmirrorSlot(Tracked):
    """One of a mirror's (up to four) submirror slots.

    ``index`` is its place in the kernel's un_sm[NMIRROR] array, the number metastat prints
    (``Submirror 1: d20``, meta_mirror.c mirror_report prints ``smi``); -1 means "its
    position in :attr:`Mirror.submirrors`", the compact array. A kernel that leaves the slot
    of a detached submirror empty (see :meth:`Mirror.renumber`) gives the others explicit
    numbers.
    """

    name: str
    state: SmState = SmState.RUNNING
    resync_target: bool = False
    timestamp: float = 0.0
    dirty_blocks: int = 0   # written while offline: the optimized resync owed on metaonline
    index: int = -1

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "state": int(self.state),
                             "resync_target": self.resync_target,
                             "timestamp": self.timestamp, "dirty_blocks": self.dirty_blocks}
        if self.index >= 0:
            d["index"] = self.index
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SubmirrorSlot:
        return cls(name=d["name"], state=SmState(int(d["state"])),
                   resync_target=bool(d.get("resync_target", False)),
                   timestamp=float(d.get("timestamp", 0.0)),
                   dirty_blocks=int(d.get("dirty_blocks", 0)),
                   index=int(d.get("index", -1)))


@dataclass
class ResyncJob(Tracked):
    """Resync work owed by a mirror: ``kind`` is optimized, component or submirror."""

    kind: str
    total: int
    done: int = 0
    submirror: str | None = None       # the target submirror (submirror/optimized resync)
    components: list[str] = field(default_factory=list)   # component resync targets

    ORDER = {"optimized": 0, "component": 1, "submirror": 2}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "total": self.total, "done": self.done,
                "submirror": self.submirror, "components": list(self.components)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ResyncJob:
        return cls(kind=d["kind"], total=int(d["total"]), done=int(d.get("done", 0)),
                   submirror=d.get("submirror"), components=list(d.get("components", [])))


@dataclass
class Mirror(Unit):
    """A RAID-1 volume (``dM: Mirror``) of one to four submirrors."""

    submirrors: list[SubmirrorSlot] = field(default_factory=list)
    pass_num: int = 1
    read_option: str = "roundrobin"    # roundrobin | geometric | first
    write_option: str = "parallel"     # parallel | serial
    total_blocks: int = 0
    jobs: list[ResyncJob] = field(default_factory=list)
    resync_active: bool = False
    resync_cancel: bool = False
    opt_not_done: bool = False
    checkpoint: int = 0                # blocks of the current job recorded in the replicas

    kind = "mirror"

    @property
    def size(self) -> int:
        return self.total_blocks

    @property
    def big(self) -> bool:
        return self.total_blocks >= BIG_UNIT_BLOCKS

    def slot(self, name: str) -> SubmirrorSlot | None:
        for s in self.submirrors:
            if s.name == name:
                return s
        return None

    def numbered(self) -> list[tuple[int, SubmirrorSlot]]:
        """(un_sm index, slot) for each submirror in use, in array order."""
        return [(s.index if s.index >= 0 else i, s) for i, s in enumerate(self.submirrors)]

    def free_index(self) -> int:
        """mirror_attach (mirror_ioctl.c): the first un_sm slot not SMS_INUSE."""
        used = {n for n, _ in self.numbered()}
        return next(i for i in range(len(self.submirrors) + 1) if i not in used)

    def remove_slot(self, slot: SubmirrorSlot, compact: bool) -> None:
        """Take a detached submirror out of the array. ``compact`` shifts the later ones
        down a slot (illumos mirror_detach: "Reshuffle the submirror devices in the array as
        we potentially have a dead record in the middle of it"); otherwise every other
        submirror keeps its slot and the detached one leaves a hole (SMS_UNUSED), which the
        next attach fills (mirror_attach takes the first slot not in use)."""
        numbers = {id(s): n for n, s in self.numbered()}
        self.submirrors.remove(slot)
        self._renumber(None if compact else numbers)

    def add_slot(self, slot: SubmirrorSlot) -> None:
        """mirror_attach: the new submirror takes the first slot not in use."""
        numbers = {id(s): n for n, s in self.numbered()}
        numbers[id(slot)] = self.free_index()
        self.submirrors.append(slot)
        self.submirrors.sort(key=lambda s: numbers[id(s)])
        self._renumber(numbers)

    def _renumber(self, numbers: dict[int, int] | None) -> None:
        """Each slot's un_sm number after a change of the array: the one in ``numbers``
        (by ``id`` of the slot), or its position in the compact array (None). A slot at its
        own position in the list needs no explicit number (-1); a slot whose number does not
        change is not written (its record is unchanged; the list change stamps the mirror)."""
        for i, s in enumerate(self.submirrors):
            n = i if numbers is None else numbers[id(s)]
            want = -1 if n == i else n
            if s.index != want:
                s.index = want

    @property
    def current_job(self) -> ResyncJob | None:
        return self.jobs[0] if self.jobs else None

    def percent_done(self) -> int:
        """Resync progress as the kernel reports it: percent, or tenths for big units."""
        job = self.current_job
        if job is None or job.total <= 0:
            return 0
        scale = 1000 if self.big else 100
        return min(scale, job.done * scale // job.total)

    def readable_slots(self) -> list[SubmirrorSlot]:
        return [s for s in self.submirrors if s.state & READABLE]

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update(submirrors=[s.to_dict() for s in self.submirrors], pass_num=self.pass_num,
                 read_option=self.read_option, write_option=self.write_option,
                 total_blocks=self.total_blocks, jobs=[j.to_dict() for j in self.jobs],
                 resync_active=self.resync_active, resync_cancel=self.resync_cancel,
                 opt_not_done=self.opt_not_done, checkpoint=self.checkpoint)
        return d


@dataclass
class SoftPartition(Unit):
    """A soft partition (``dN: Soft Partition``): extents carved out of a slice or metadevice."""

    component: str = ""
    extents: list[tuple[int, int]] = field(default_factory=list)   # (start block, length)
    status: str = "Okay"

    kind = "softpart"

    @property
    def size(self) -> int:
        return sum(length for _, length in self.extents)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update(component=self.component, extents=[list(e) for e in self.extents],
                 status=self.status)
        return d


@dataclass
class HotSpare(Tracked):
    """A slice in a hot spare pool: Available, In use or Broken."""

    name: str
    size: int
    status: str = "Available"
    reloc: bool = True
    timestamp: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "status": self.status,
                "reloc": self.reloc, "timestamp": self.timestamp}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HotSpare:
        return cls(name=d["name"], size=int(d["size"]), status=d.get("status", "Available"),
                   reloc=bool(d.get("reloc", True)), timestamp=float(d.get("timestamp", 0.0)))


@dataclass
class HotSparePool(Tracked):
    """``hspNNN``: an ordered list of hot spares shared by the stripes that name it."""

    name: str
    spares: list[HotSpare] = field(default_factory=list)

    def find(self, name: str) -> HotSpare | None:
        for s in self.spares:
            if s.name == name:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "spares": [s.to_dict() for s in self.spares]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HotSparePool:
        return cls(name=d["name"], spares=[HotSpare.from_dict(s) for s in d.get("spares", [])])


def unit_from_dict(d: dict[str, Any]) -> Unit:
    kind = d["kind"]
    common = {"name": d["name"], "parent": d.get("parent"),
              "timestamp": float(d.get("timestamp", 0.0))}
    if kind == "stripe":
        return Stripe(**common, rows=[Row.from_dict(r) for r in d["rows"]], hsp=d.get("hsp"))
    if kind == "mirror":
        return Mirror(**common, submirrors=[SubmirrorSlot.from_dict(s) for s in d["submirrors"]],
                      pass_num=int(d["pass_num"]), read_option=d["read_option"],
                      write_option=d["write_option"], total_blocks=int(d["total_blocks"]),
                      jobs=[ResyncJob.from_dict(j) for j in d.get("jobs", [])],
                      resync_active=bool(d.get("resync_active")),
                      resync_cancel=bool(d.get("resync_cancel")),
                      opt_not_done=bool(d.get("opt_not_done")),
                      checkpoint=int(d.get("checkpoint", 0)))
    if kind == "softpart":
        return SoftPartition(**common, component=d["component"],
                             extents=[(int(a), int(b)) for a, b in d["extents"]],
                             status=d.get("status", "Okay"))
    raise ValueError(f"unknown unit kind {kind!r}")


@dataclass
class MDSet(Tracked):
    """One set's configuration: the local set (name ``""``) or a named diskset."""

    name: str = ""
    units: dict[str, Unit] = field(default_factory=dict)
    hsps: dict[str, HotSparePool] = field(default_factory=dict)
    replicas: list[Replica] = field(default_factory=list)
    # replicas fell below half while running (md_mddb.c MD_SET_TOOFEW): the next commit
    # panics; cleared at boot, when a stale set is stale instead
    toofew: bool = False
    # (kept contents, the epoch the set's records were made at) when the set holds exactly
    # what they make (SetContents.held_by: the set they were kept from, or one make_in
    # filled from empty), else None: a unit nothing under which was written since is as in
    # every set made from them, so its metastat report is shared (report_cache). Not a
    # field: not compared, saved or loaded; set with object.__setattr__ (no stamp).
    made_from: ClassVar[tuple[SetContents, int] | None] = None

    def display(self, short: str) -> str:
        """``d0`` in the local set, ``set/d0`` in a named set (as libmeta's cname)."""
        return f"{self.name}/{short}" if self.name else short

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "units": [u.to_dict() for u in self.units.values()],
                "hsps": [h.to_dict() for h in self.hsps.values()],
                "replicas": [r.to_dict() for r in self.replicas],
                **({"toofew": True} if self.toofew else {})}

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
        s.toofew = bool(d.get("toofew", False))
        return s


@dataclass
class Event:
    """Something the kernel would log to the console / messages file."""

    time: float
    text: str


@dataclass
class DiskError:
    """An I/O request the disk under a slice failed (the sd driver logs it before md sees
    the error: ``simulator.sunos.syslog`` prints it); ``op`` is ``read`` or ``write``."""

    time: float
    device: str              # the slice, c1t0d0s0
    op: str = "write"


# ---------------------------------------------------------------------------- copies
# A set's configuration kept as the arguments that make each of its records again (every field,
# in the dataclass's order; tuples and frozensets, so nothing of the set is shared), and made
# again into another set: new records with the same values, each stamped when made, as when
# metainit made it. The scenario builder keeps what metainit made for a configuration and makes
# it again in each host built from the same configuration (simulator.scenario.build).
# tests/model/test_md_record_copies.py checks every field of every record against fields().
def _stripe_args(u: Stripe) -> tuple[Any, ...]:
    return (u.name, u.parent, u.timestamp,
            tuple([(tuple([(c.name, c.start_block, c.size, c.state, c.dbase, c.reloc,
                            c.hot_spare, c.error_count, c.timestamp) for c in r.components]),
                    r.interlace) for r in u.rows]), u.hsp)


def _make_stripe(a: tuple[Any, ...]) -> Stripe:
    return Stripe(a[0], a[1], a[2], [Row([Component(*c) for c in comps], il)
                                     for comps, il in a[3]], a[4])


def _mirror_args(m: Mirror) -> tuple[Any, ...]:
    return (m.name, m.parent, m.timestamp,
            tuple([(s.name, s.state, s.resync_target, s.timestamp, s.dirty_blocks, s.index)
                   for s in m.submirrors]),
            m.pass_num, m.read_option, m.write_option, m.total_blocks,
            tuple([(j.kind, j.total, j.done, j.submirror, tuple(j.components))
                   for j in m.jobs]),
            m.resync_active, m.resync_cancel, m.opt_not_done, m.checkpoint)


def _make_mirror(a: tuple[Any, ...]) -> Mirror:
    return Mirror(a[0], a[1], a[2], [SubmirrorSlot(*s) for s in a[3]], a[4], a[5], a[6], a[7],
                  [ResyncJob(k, t, d, s, list(c)) for k, t, d, s, c in a[8]],
                  a[9], a[10], a[11], a[12])


def _softpart_args(u: SoftPartition) -> tuple[Any, ...]:
    return (u.name, u.parent, u.timestamp, u.component, tuple(u.extents), u.status)


def _make_softpart(a: tuple[Any, ...]) -> SoftPartition:
    return SoftPartition(a[0], a[1], a[2], a[3], list(a[4]), a[5])


# a unit's class (exactly: not a subclass) -> (its arguments, the record made from them)
_UNIT_KINDS: dict[type, tuple[Any, Any]] = {
    Stripe: (_stripe_args, _make_stripe), Mirror: (_mirror_args, _make_mirror),
    SoftPartition: (_softpart_args, _make_softpart)}


class SetContents:
    """A set's units, hot spare pools and replicas, kept (:meth:`of`) to be made again in
    another set (:meth:`make_in`). The sets' names and ``toofew`` are not part of it.

    ``reports`` holds metastat's reports of units as these contents make them, shared by
    every set made from them (:mod:`simulator.lvm.libmeta.report_cache` alone reads and
    fills it): they live as long as the kept contents."""

    __slots__ = ("units", "hsps", "replicas", "reports")

    def __init__(self, units: tuple[tuple[str, Any, tuple[Any, ...]], ...],
                 hsps: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...],
                 replicas: tuple[tuple[str, int, int, frozenset[str]], ...]) -> None:
        self.units = units
        self.hsps = hsps
        self.replicas = replicas
        self.reports: dict[Any, Any] = {}

    @staticmethod
    def keepable(s: MDSet) -> bool:
        """Every unit of ``s`` is of a kind kept here."""
        return all(u.__class__ in _UNIT_KINDS for u in s.units.values())

    @classmethod
    def of(cls, s: MDSet) -> SetContents:
        """What ``s`` holds now (:meth:`keepable` first)."""
        units = []
        for name, u in s.units.items():
            args, make = _UNIT_KINDS[u.__class__]
            units.append((name, make, args(u)))
        return cls(tuple(units),
                   tuple([(n, tuple([(h.name, h.size, h.status, h.reloc, h.timestamp)
                                     for h in p.spares])) for n, p in s.hsps.items()]),
                   tuple([(r.device, r.first_block, r.count, frozenset(r.flags))
                          for r in s.replicas]))

    def make_in(self, dst: MDSet) -> None:
        """Add new records with the kept values to ``dst``, in their order, as if each had
        been made there; ``dst``'s own lists and dicts are kept (changed in place, which
        stamps it).

        A ``dst`` that held nothing then holds exactly what these contents make
        (:meth:`held_by`)."""
        fresh = not (dst.units or dst.hsps or dst.replicas)
        dst.units.update({name: make(args) for name, make, args in self.units})
        if self.hsps:
            dst.hsps.update({n: HotSparePool(n, [HotSpare(*h) for h in spares])
                             for n, spares in self.hsps})
        dst.replicas.extend([Replica(d, f, c, set(fl)) for d, f, c, fl in self.replicas])
        if fresh:
            self.held_by(dst)
        else:
            object.__setattr__(dst, "made_from", None)

    def held_by(self, s: MDSet) -> None:
        """Record that ``s`` holds exactly what these contents make, as of now
        (:attr:`MDSet.made_from`: the set they were kept from, or one they filled): every
        stamp in it is of this epoch or earlier, and the next epoch starts here, so
        whatever is written to it later is stamped after that epoch."""
        object.__setattr__(s, "made_from", (self, new_epoch()))


# ---------------------------------------------------------------------------- fast __init__
def _tracked_init(cls: type) -> Any:
    """dataclass's ``__init__`` for a Tracked record: the fields set with
    ``object.__setattr__`` and one stamp at the end (the barrier's ``__setattr__`` per field
    made building a record ~6x slower). Not through ``self.__dict__``: that would give every
    record a full dict instead of its compact, key-shared attributes (7.2 -> 8.7 MB for
    md8192). Lists and dicts become tracked as ``__setattr__`` makes them."""
    params: list[str] = []
    body: list[str] = []
    env: dict[str, Any] = {"_HAS_FACTORY": object(), "_set": object.__setattr__}
    for f in fields(cls):
        n = f.name
        if f.default is not MISSING:
            env[f"_d_{n}"] = f.default
            params.append(f"{n}=_d_{n}")
        elif f.default_factory is not MISSING:
            env[f"_f_{n}"] = f.default_factory
            params.append(f"{n}=_HAS_FACTORY")
            body.append(f"    if {n} is _HAS_FACTORY: {n} = _f_{n}()")
        else:
            params.append(n)
        if _holds_container(f):
            body.append(f"    k = {n}.__class__")
            body.append("    if k is list or k is dict:")
            body.append(f"        {n} = (TrackedList if k is list else TrackedDict)({n})")
            body.append(f"        {n}._gen = _epoch")
            body.append(f"    _set(self, {n!r}, {n})")
        else:
            body.append(f"    _set(self, {n!r}, {n})")
    src = (f"def __init__(self, {', '.join(params)}):\n"
           + "\n".join(body) + "\n    _set(self, '_gen', _epoch)\n")
    scope: dict[str, Any] = {}
    # the module's globals, so _epoch is read when a record is made; defaults in a closure
    maker = f"def _make({', '.join(env)}):\n" + "\n".join(
        "    " + line for line in src.splitlines()) + "\n    return __init__\n"
    exec(maker, globals(), scope)   # noqa: S102 - generated from the dataclass fields
    init = scope["_make"](**env)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _holds_container(f: Any) -> bool:
    """Whether a record's field holds a list or a dict (the only fields that hold one say so
    in their type)."""
    return str(f.type).startswith(("list", "dict"))


# the lists and dicts each kind of record holds, whose stamps are part of the record's
CONTAINERS: dict[type, tuple[str, ...]] = {}

for _cls in (Component, Row, Unit, Stripe, SubmirrorSlot, ResyncJob, Mirror, SoftPartition,
             HotSpare, HotSparePool, MDSet):
    _cls.__init__ = _tracked_init(_cls)  # type: ignore[method-assign]
    CONTAINERS[_cls] = tuple(f.name for f in fields(_cls) if _holds_container(f))


def stamp(rec: Tracked) -> int:
    """A record's stamp: the latest of its own and its lists' and dicts' (the write barrier
    at the top of this module). Readers that walk many records in one pass read the same
    fields inline."""
    g = rec._gen
    for name in CONTAINERS[rec.__class__]:
        cg = getattr(rec, name)._gen
        if cg > g:
            g = cg
    return g
