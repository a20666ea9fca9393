"""metastat's reports, each kept until what it was made from changes (issue 17's ``md8192``).

The kernel does not rebuild a metadevice's state for each ``metastat``: the md driver keeps
every unit in one in-core structure (illumos uts/common/io/lvm/mirror/mirror.c keeps a
mirror's submirror states, resync position and flags in its ``mm_unit_t``; stripe.c the
components' states and hot spares in ``ms_unit_t``), changed in place by the ioctl or
interrupt that changes it, and ``metastat`` only reads it (MD_IOCGET) and formats it. Here the
formatting is the expensive part (~25 us a unit), so the formatted text is what is kept: the
report of each top-level unit, and a set's Device Relocation Information, until a record it
was made from is written.

**The one invalidation rule.** Every md record (:class:`~simulator.lvm.md.records.Tracked`:
components, rows, units, submirror slots, resync jobs, hot spares and pools, the set itself)
is stamped with the current epoch by each write to it, and each list and dict it holds
(:class:`~simulator.lvm.md.records.TrackedList`, ``TrackedDict``) by each in-place change to
it; a record's stamp is the latest of its own and its lists' (``records.stamp``); making a
report starts the next epoch (:func:`~simulator.lvm.md.records.new_epoch`). A kept report is
used only while **no stamp under it is larger than the epoch it was made at**: the unit, its
rows and components or slots and resync jobs, the units below it (a mirror's report holds its
submirrors'), and the set (its units and pools dicts, its replica list, its name). The write
barrier in records.py is the one place every state change goes through (the md mixins:
create, mirror, faults, resync, spares, replicas; the importer; a test writing a field by
hand), so nothing has to remember to invalidate.

**Reports shared by the hosts built from one kept configuration.** A scenario's metadevices
are made once per configuration and copied into every later host built from it
(simulator/scenario/build.py, :class:`~simulator.lvm.md.records.SetContents`): until
something writes to them, those hosts' records are equal, and so are their reports. A set
holding exactly what kept contents make records them and the epoch its records were made at
(``MDSet.made_from``, :meth:`SetContents.held_by`: the first build's set and each copy).
A top-level unit whose tree stamp (the same walk as above, the set included) is still no
later than that epoch prints the report kept for those contents under the same set name,
options and outside inputs (below), or is printed and its report kept there, for the next
host; likewise the whole set's relocation section. Anything written since (a failed disk,
a setup step, a fault, a detach, a set's name) stamps later and falls back to this host's
own reports; a different disk's device ID is another outside input, so another text. Only
what is kept per host is shared (the same rules below); the shared reports are held by the
contents, so they go with the kept configuration (and are bounded per contents).

What a report reads besides the md records is compared directly each time, not tracked: the
host's disks and their device IDs (the Reloc column, the relocation section) and the devices
of the set's replicas (the Dbase column); the time zone for ``-t`` (its timestamps are the
records'). Resync progress is a record (``ResyncJob.done``, written as virtual time passes),
so a mirror in resync is kept between two calls at the same virtual time and made again after.

Not kept (made fresh every time, as before): anything holding a soft partition (meta_sp_print
prints the unit under soft partitions once per run, state shared across units), hot spare
pools (few), ``-B``/``-D`` (they collect relocation slices as they print), ``-c``, and a
named unit that another holds (``metastat d11`` of a submirror prints it although it has a
parent). A named top-level unit (``metastat d1``, what backup scripts call) prints the text
``metastat`` keeps for it (Reporter.print_named); the relocation section after named units
is made each time from their devices. The layouts themselves are untouched: a kept report
is the text the same functions printed; ``ENABLED = False`` (or :func:`disabled`) prints
without the cache, what the tests compare against.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from simulator.lvm.md.records import (
    HotSparePool,
    MDSet,
    Mirror,
    SetContents,
    SoftPartition,
    Stripe,
    Unit,
    new_epoch,
    stamp,
)

if TYPE_CHECKING:
    from simulator.lvm.libmeta.printing import Reporter

ENABLED = True


@contextmanager
def disabled() -> Iterator[None]:
    """Print without the kept reports (and keep none) inside the block."""
    global ENABLED
    was = ENABLED
    ENABLED = False
    try:
        yield
    finally:
        ENABLED = was


class _Kept:
    """One set's kept reports for one option set (long or ``-p``, with or without ``-t``)."""

    __slots__ = ("s", "outside", "units", "reloc")

    def __init__(self, s: MDSet, outside: tuple[Any, ...]) -> None:
        self.s = s
        self.outside = outside
        # unit name -> (the unit, the epoch its report was made at, the text)
        self.units: dict[str, tuple[Unit, int, str]] = {}
        # (epoch, text) of the Device Relocation Information
        self.reloc: tuple[int, str] | None = None


# per volume manager (host.md), per (set name, options): nothing of it is saved with the host
_KEPT: WeakKeyDictionary[object, dict[tuple[Any, ...], _Kept]] = WeakKeyDictionary()


def own_stamp(u: Unit) -> int:
    """The latest stamp of the unit's own records (not the units below it)."""
    g = _walk(u, None, 0)
    return stamp(u) if g is None else g


def _walk(u: Unit, units: dict[str, Unit] | None, depth: int) -> int | None:
    """The latest stamp of a mirror's or a concat/stripe's records, each record's and each
    of its lists' (``records.stamp``, read inline: a record's lists are TrackedLists, whose
    ``_gen`` the types do not name), and, given the set's ``units``, of the units below it
    (each submirror or component that is a unit), in one pass; None for any other kind
    (a soft partition), or one below it, or a tree deeper than 8."""
    if depth > 8:
        return None
    if isinstance(u, Mirror):
        subs: Any = u.submirrors
        jobs: Any = u.jobs
        g = max(u._gen, subs._gen, jobs._gen)
        below = []
        for sl in subs:
            if sl._gen > g:
                g = sl._gen
            if units is not None and sl.name in units:
                below.append(units[sl.name])
        for j in jobs:
            jg = stamp(j)                   # a job's components list too
            if jg > g:
                g = jg
    elif isinstance(u, Stripe):
        rows: Any = u.rows
        g = u._gen if u._gen > rows._gen else rows._gen
        below = []
        for r in rows:
            comps: Any = r.components
            if r._gen > g:
                g = r._gen
            if comps._gen > g:
                g = comps._gen
            for c in comps:
                if c._gen > g:
                    g = c._gen
                if units is not None and c.name in units:
                    below.append(units[c.name])
    else:
        return None
    for child in below:
        cg = _walk(child, units, depth + 1)
        if cg is None:
            return None
        if cg > g:
            g = cg
    return g


def pool_stamp(pool: HotSparePool) -> int:
    g = stamp(pool)
    for h in pool.spares:
        if h._gen > g:
            g = h._gen
    return g


class Session:
    """The kept reports one :class:`Reporter` uses and adds to (one call of metastat)."""

    def __init__(self, kept: _Kept, key: tuple[Any, ...]) -> None:
        self.kept = kept
        s = self.s = kept.s
        self.made = new_epoch()     # writes from now on are newer than what is made here
        # the set, and the soft partitions: what they are built on decides which units are
        # top-level and how a concat/stripe prints its rows (MD_HAS_PARENT)
        g = stamp(s)        # the set's record, its units and pools dicts, its replicas
        sps = False
        for u in s.units.values():
            if isinstance(u, SoftPartition):
                sps = True
                ug = stamp(u)
                if ug > g:
                    g = ug
        self.set_gen = g
        # no soft partition in the set: nothing under any unit stops its report being kept
        # (tree_stamp's None), so a unit with no kept report needs no walk (unit_text)
        self.no_sps = not sps
        # the reports shared by every set made from the same kept contents, for these
        # options and outside inputs (see _shared), while the set itself is unwritten since
        self.shared: dict[str | None, str] | None = None
        self.shared_epoch = 0
        self.sharing: str | None = None    # the unit unit_text found unwritten: share it
        self.sharing_reloc = False         # reloc_text found the set unwritten: share it
        made_from = s.made_from
        if made_from is not None and g <= made_from[1]:
            self.shared = _shared(made_from[0], key, kept.outside)
            self.shared_epoch = made_from[1]

    def tree_stamp(self, u: Unit) -> int | None:
        """The latest stamp under a unit's report (itself and the units below it, and the
        set); None when it cannot be kept (a soft partition under it)."""
        g = _walk(u, self.s.units, 0)
        if g is None:
            return None
        return g if g > self.set_gen else self.set_gen

    def unit_text(self, u: Unit) -> tuple[str | None, bool]:
        """(the kept report of a top-level unit or None, whether it may be kept).

        The stamps are read only when there is a report to check them against: a unit with
        none (every unit on a host's first ``metastat``) in a set without soft partitions is
        printed and kept at once, with no walk of the records under it, unless the set was
        made from kept contents. Then a unit with nothing under it written since they were
        made prints the report shared by every set made from them (kept here too), or is
        printed and its report shared (:meth:`keep_unit`)."""
        kept = self.kept
        name = u.name
        entry = kept.units.get(name)
        shared = self.shared
        if entry is None and shared is None and self.no_sps:
            return None, True
        latest = self.tree_stamp(u)
        if latest is None:
            return None, False
        if entry is not None and entry[0] is u and latest <= entry[1]:
            return entry[2], True
        if shared is not None and latest <= self.shared_epoch:
            text = shared.get(name)
            if text is None:
                self.sharing = name
            else:
                kept.units[name] = (u, self.made, text)
            return text, True
        return None, True

    def keep_unit(self, u: Unit, text: str) -> None:
        self.kept.units[u.name] = (u, self.made, text)
        if self.sharing == u.name and self.shared is not None:
            self.shared[u.name] = text
        self.sharing = None

    def set_stamp(self) -> int:
        """The latest stamp of anything in the set (the relocation section reads it all)."""
        g = self.set_gen
        for u in self.s.units.values():
            ug = own_stamp(u)
            if ug > g:
                g = ug
        for pool in self.s.hsps.values():
            pg = pool_stamp(pool)
            if pg > g:
                g = pg
        return g

    def reloc_text(self) -> str | None:
        """The kept Device Relocation Information of the whole set, or None: this host's,
        else the one shared by the sets made from the same contents while nothing in the set
        was written since they were made (then kept here too)."""
        kept = self.kept.reloc
        shared = self.shared
        if kept is None and shared is None:
            return None
        latest = self.set_stamp()
        if kept is not None and latest <= kept[0]:
            return kept[1]
        if shared is not None and latest <= self.shared_epoch:
            self.sharing_reloc = True
            text = shared.get(None)
            if text is not None:
                self.kept.reloc = (self.made, text)
            return text
        return None

    def keep_reloc(self, text: str) -> None:
        self.kept.reloc = (self.made, text)
        if self.sharing_reloc and self.shared is not None:
            self.shared[None] = text


def session(rep: Reporter) -> Session | None:
    """The kept reports for this reporter's set and options; None when they do not apply."""
    if not ENABLED or rep.large or rep.fn:
        return None
    host, s = rep.host, rep.s
    zone = host.clock.timezone if rep.times else None
    key = (s.name, rep.short, rep.times, zone)
    devids = []
    for name, d in host.disks.items():
        devids.append((name, d.devid))
    devices = []
    for r in s.replicas:
        devices.append(r.device)
    outside = (tuple(devids), tuple(devices))
    per_vm = _KEPT.get(host.md)
    if per_vm is None:
        per_vm = _KEPT[host.md] = {}
    kept = per_vm.get(key)
    if kept is None or kept.s is not s or kept.outside != outside:
        kept = per_vm[key] = _Kept(s, outside)
    return Session(kept, key)


# the most option-and-outside forms one kept configuration's shared reports are kept for
# (each a dict of its units' reports); more empties them
SHARED_FORMS = 16


def _shared(contents: SetContents, key: tuple[Any, ...],
            outside: tuple[Any, ...]) -> dict[str | None, str]:
    """The reports shared by the sets made from ``contents`` (unit name, or None for the
    Device Relocation Information -> text), for one set name and options (``key``) and what
    the reports read outside the md records (``outside``: every disk's device ID, the
    replicas' devices), compared as this host's own kept reports compare them. They are held
    by the contents (:attr:`SetContents.reports`), so they go when the configuration is no
    longer kept (scenario/build.py's bound)."""
    forms = contents.reports
    k = (key, outside)
    shared = forms.get(k)
    if shared is None:
        if len(forms) >= SHARED_FORMS:
            forms.clear()
        shared = forms[k] = {}
    return shared
