"""Backups on the simulated host: the tape drives it has, /etc/dumpdates, dump plans.

``host.backups`` holds what outlives one ufsdump run: the tape drives (each with the
stack of cartridges an operator would feed it, and the dump files written on them; the
media themselves are :mod:`simulator.backup.tapes`), ``/etc/dumpdates`` (kept as its
records; :meth:`Backups.dumpdates_text` is the file), the record of dumps made, and the
faults a scenario arms (a dump that dies part way).

The pure part of a dump lives here too: :func:`plan_dump` decides, from a file-system image
and the date of the dump it is based on, which inodes a level-N dump writes, how many
"Mapping (Pass II)" rounds it takes, the size estimate and the records actually written --
following ``usr/src/cmd/backup/dump/dumptraverse.c`` (mark, add) and ``dumpitime.c`` (est,
bmapest). Printing and time passing belong to the ufsdump command.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.backup.archive import ROOT_INO, ArchiveEntry, KnownLines, ranges
from simulator.backup.rawimage import RawHeader
from simulator.backup.tapes import (
    DEFAULT_TAPE,
    DEFAULT_TAPE_CAPACITY,
    DEFAULT_TAPE_RATE,
    Cartridge,
    TapeConfig,
    TapeDrive,
    tape_unit,
)
from simulator.core.hostref import HostPart
from simulator.ufs.image import BaseTree, FileEntry

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.ufs.image import Image

DUMPDATES = "/etc/dumpdates"                 # NINCREM, dump.h
DEFAULT_FILE_RATE = 51200.0                  # KB/s writing a dump file on local disk
DEFAULT_DISK_RATE = 61440.0                  # KB/s reading the dumped device
NAMEFMT_WIDTH = 32                           # DUMPOUTFMT "%-32s %c %s" (protocols/dumprestore.h)

# dumptraverse.c / dumpitime.c constants
TP_BSIZE = 1024
TP_NINDIR = TP_BSIZE // 2                    # addresses per header record
NDADDR_BLOCKS = 12 * 8192 // TP_BSIZE        # NDADDR * fs_bsize / tp_bsize


# ---------------------------------------------------------------------------- dumpdates
@dataclass
class DumpDate:
    """One ``/etc/dumpdates`` record: device name, level, date of that dump."""

    name: str
    level: int
    date: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "date": self.date}


@dataclass
class DumpRecord:
    """A dump that was run (for the harness and verify-backup): where it went, how it ended."""

    destination: str
    device: str
    level: int
    date: int
    complete: bool
    volumes: int = 1
    blocks: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"destination": self.destination, "device": self.device, "level": self.level,
                "date": self.date, "complete": self.complete, "volumes": self.volumes,
                "blocks": self.blocks}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DumpRecord:
        return cls(str(d["destination"]), str(d["device"]), int(d["level"]), int(d["date"]),
                   bool(d["complete"]), int(d.get("volumes", 1)), int(d.get("blocks", 0)))


class Backups(HostPart):
    """Tapes, ``/etc/dumpdates`` and the dumps made on one host (``host.backups``)."""

    def __init__(self, host: Host) -> None:
        HostPart.__init__(self, host)               # self.host: weak (simulator.core.hostref)
        self.tapes: dict[str, TapeDrive] = {}
        self.dumpdates: list[DumpDate] = []
        self.dumpdates_exists = True       # Solaris delivers an empty /etc/dumpdates
        self.dumps: list[DumpRecord] = []
        # Fault (public: tests and scenarios arm it): the next dump dies with a write error
        # after writing this fraction of its estimate; one shot.
        self.fail_after_fraction: float | None = None
        # Faults a running dump meets at its next checkpoint (simulator.faults.kinds.backup
        # sets them; ufsdump's writer takes each once): "write-error" (the tape or the file
        # system under a file refuses the next write: EIO, ENOSPC), "eom" (the medium ends
        # here), "killed:SIG" (ufsdump dies by signal SIG), "read:N" (N sectors of the
        # dumped device cannot be read: zero-filled, as bread() does)
        self.dump_faults: list[str] = []
        # what dd copied of raw devices: (destination, the image's header)
        self.raw_images: list[tuple[str, RawHeader]] = []
        self.disk_rate_kbs = DEFAULT_DISK_RATE
        self.file_rate_kbs = DEFAULT_FILE_RATE

    # ------------------------------------------------------------------ tapes
    def add_tape(self, device: str | TapeConfig = DEFAULT_TAPE,
                 capacity: int = DEFAULT_TAPE_CAPACITY, rate_kbs: float | None = None,
                 cartridges: int = 1) -> TapeDrive:
        """A drive ``device`` (any name of it: ``/dev/rmt/1cbn`` is drive ``/dev/rmt/1``)
        whose ``cartridges`` each hold ``capacity`` 512-byte blocks, streaming at
        ``rate_kbs`` KB/s (None: :data:`DEFAULT_TAPE_RATE`).

        A scenario's ``[[tape]]`` (a :class:`TapeConfig`) may be given in place of
        ``device``: its fields are the arguments. ValueError for a name that is not a tape
        or a capacity that is not positive."""
        if not isinstance(device, str):
            return self.add_tape(device.device, device.capacity, device.rate_kbs,
                                 device.cartridges)
        unit = tape_unit(device)
        if unit is None:
            raise ValueError(f"{device}: not a tape device name (/dev/rmt/N)")
        if capacity <= 0:
            raise ValueError(f"{device}: capacity must be positive")
        drive = TapeDrive(unit[0], capacity, rate_kbs or DEFAULT_TAPE_RATE)
        drive.cartridges = [Cartridge(capacity) for _ in range(max(1, cartridges))]
        self.tapes[unit[0]] = drive
        return drive

    def tape(self, device: str) -> TapeDrive | None:
        """The drive behind any name of it (``/dev/rmt/0``, ``/dev/rmt/0n``, ``0cbn``...);
        ``/dev/rmt/0`` exists with a default cartridge when no scenario configured tapes."""
        unit = tape_unit(device)
        if unit is None:
            return None
        drive = self.tapes.get(unit[0])
        if drive is None and not self.tapes and unit[0] == DEFAULT_TAPE:
            drive = self.add_tape(device=DEFAULT_TAPE)
        return drive

    # ------------------------------------------------------------------ dumpdates
    def last_dump(self, name: str, level: int) -> tuple[int, int]:
        """getitime (dumpitime.c): the latest dump of ``name`` below ``level`` ->
        (its date or 0, its level; 0 when there is none)."""
        ddate, last = 0, 0
        for rec in self.dumpdates:
            if rec.name != name[:255 + 2] or rec.level >= level or rec.date <= ddate:
                continue
            ddate, last = rec.date, rec.level
        return ddate, last

    def record_dumpdate(self, name: str, level: int, date: int) -> None:
        """putitime: replace the record of ``name`` at ``level``, or append one."""
        self.dumpdates_exists = True
        for rec in self.dumpdates:
            if rec.name == name and rec.level == level:
                rec.date = date
                return
        self.dumpdates.append(DumpDate(name, level, date))

    def dumpdates_text(self) -> str:
        """``/etc/dumpdates`` as ufsdump writes it: DUMPOUTFMT ``"%-32s %c %s"`` with
        ctime(3C) of the date (which ends in a newline)."""
        return "".join(f"{r.name:<{NAMEFMT_WIDTH}} {r.level} {self.host.clock.ctime(r.date)}\n"
                       for r in self.dumpdates)

    def set_dumpdates_text(self, text: str) -> None:
        """Load ``/etc/dumpdates`` (a scenario's history); bad lines are kept out as the
        real getrecord does (DUMPINFMT ``"%258s %c %128[^\\n]"``)."""
        self.dumpdates = []
        self.dumpdates_exists = True
        for line in text.splitlines():
            parts = line.split(None, 2)
            if len(parts) != 3 or len(parts[1]) != 1 or not parts[1].isdigit():
                continue
            when = unctime(parts[2], self.host)
            if when is None:
                continue
            self.dumpdates.append(DumpDate(parts[0], int(parts[1]), when))

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        return {"tapes": [t.to_dict() for t in self.tapes.values()],
                "dumpdates": [r.to_dict() for r in self.dumpdates],
                "dumpdates_exists": self.dumpdates_exists,
                "dumps": [r.to_dict() for r in self.dumps],
                "fail_after_fraction": self.fail_after_fraction,
                **({"dump_faults": list(self.dump_faults)} if self.dump_faults else {}),
                **({"raw_images": [[d, asdict(h)] for d, h in self.raw_images]}
                   if self.raw_images else {}),
                "disk_rate_kbs": self.disk_rate_kbs, "file_rate_kbs": self.file_rate_kbs}

    def load_dict(self, data: dict[str, Any]) -> None:
        self.tapes = {}
        for t in data.get("tapes", []):
            drive = TapeDrive.from_dict(t)
            self.tapes[drive.device] = drive
        self.dumpdates = [DumpDate(str(r["name"]), int(r["level"]), int(r["date"]))
                          for r in data.get("dumpdates", [])]
        self.dumpdates_exists = bool(data.get("dumpdates_exists", True))
        self.dumps = [DumpRecord.from_dict(r) for r in data.get("dumps", [])]
        f = data.get("fail_after_fraction")
        self.fail_after_fraction = None if f is None else float(f)
        self.dump_faults = [str(x) for x in data.get("dump_faults", [])]
        self.raw_images = [(str(d), RawHeader(**h)) for d, h in data.get("raw_images", [])]
        self.disk_rate_kbs = float(data.get("disk_rate_kbs", DEFAULT_DISK_RATE))
        self.file_rate_kbs = float(data.get("file_rate_kbs", DEFAULT_FILE_RATE))


def unctime(text: str, host: Host) -> int | None:
    """Parse a ctime(3C) string (``Tue Nov 24 10:00:00 2026``) in the host's time zone."""
    try:
        st = time.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    guess = calendar.timegm(st)
    # shift by the zone offset at that moment (the clock knows the host's zone)
    local = host.clock.localtime(guess)
    offset = calendar.timegm(local) - guess
    return guess - offset


# ---------------------------------------------------------------------------- dump plan
@dataclass
class DumpPlan:
    """What a dump of one image writes, decided before a block is written."""

    entries: list[ArchiveEntry]    # tape order: dumped directories, then dumped files
    names: list[ArchiveEntry]      # entries of dumped directories whose inode is not dumped
    pass2_rounds: int              # "Mapping (Pass II)" lines
    esize: int                     # estimated 1 KB tape blocks (dumpmain.c esize)
    map_blocks: int                # tape blocks of one inode bit map
    maxino: int
    empty: bool                    # nothing to dump (root not in the dump map)
    data_records: int              # tape records of every entry in ``entries``
    dir_records: int               # ... of the dumped directories (the first ones)
    count: int                     # inodes in use (what the mapping passes read)
    inuse_ranges: list[list[int]]  # those inodes, as runs (the TS_CLRI map)
    # lines already rendered for entries shared with a base tree's index (_BaseIndex.lines)
    lines: Callable[[], KnownLines] | None = None

    @functools.cached_property
    def records(self) -> list[int]:
        """Tape records of each entry in ``entries`` (only a dump cut short, or spanning
        volumes, needs them one by one)."""
        return [_records(e) for e in self.entries]


def _estimate(e: FileEntry) -> int:
    """est() in dumpitime.c: one header, the smaller of what the inode has allocated
    (di_blocks / 2: its data and indirect blocks in KB, ``frags(1024)``) and the tape blocks
    its size takes, plus the indirect records a file beyond the direct blocks needs on
    tape."""
    size = e.size
    t = -(-size // TP_BSIZE)
    s = min(e.frags(1024), t)
    if size > NDADDR_BLOCKS * TP_BSIZE:
        s += -(-(t - NDADDR_BLOCKS) // TP_NINDIR)
    return 1 + s


def _records(e: FileEntry | ArchiveEntry) -> int:
    """Records lf_dumpinode writes: a TS_INODE/TS_ADDR header per 512 blocks, the blocks
    (the tape blocks its size takes; one for a symbolic link)."""
    size = e.size
    if size == 0:
        return 1
    n = 1 if e.kind == "l" else -(-size // TP_BSIZE)
    return n + -(-n // TP_NINDIR)


def _map_blocks(maxino: int) -> int:
    bitmap_bytes = -(-maxino // 8)
    msiz = -(-bitmap_bytes // 65536) * 65536           # roundup(howmany(ino, NBBY), 64K)
    return -(-msiz // TP_BSIZE)


def _esize(count: int, est_total: int, map_blocks: int, ntrec: int) -> int:
    """dumpmain.c: an inode header each and two bit maps (o_esize), the blocks of every
    dumped inode (f_esize), etapes (1) and the TS_END records."""
    return (count + 2) + (est_total - count + 2 * map_blocks) + 1 + ntrec


def plan_dump(entries: Iterable[FileEntry], ddate: float, ninodes: int,
              ntrec: int) -> DumpPlan:
    """Which inodes a dump since ``ddate`` writes, and its size (dumptraverse.c mark/add).

    Pass I marks inodes changed since ``ddate`` (``di_ctime >= c_ddate``); Pass II adds,
    round after round in inode order, every directory holding a marked entry, until a
    round adds none. A level 0 (``ddate`` 0) dumps everything in one round.
    """
    all_entries = sorted(entries, key=lambda e: e.inode)
    kids: dict[str, list[FileEntry]] = {}
    for e in all_entries:
        if dump_path(e.path) != ".":
            kids.setdefault(_parent(e.path), []).append(e)
    nod = {e.inode for e in all_entries if e.ctime >= ddate}
    dirs = [e for e in all_entries if e.kind == "d"]
    dirmap = {e.inode for e in dirs}
    rounds = 0
    while True:
        rounds += 1
        added = 0
        for d in dirs:
            if d.inode in nod or d.inode not in dirmap:
                continue
            children = kids.get(dump_path(d.path), [])
            if any(c.inode in nod for c in children):
                nod.add(d.inode)
                added += 1
            elif not any(c.inode in dirmap for c in children):
                dirmap.discard(d.inode)
        if not added:
            break
    count = len(all_entries)
    maxino = max(ninodes or count, max((e.inode for e in all_entries), default=ROOT_INO) + 1)
    map_blocks = _map_blocks(maxino)
    dumped = [e for e in all_entries if e.inode in nod]
    order = [e for e in dumped if e.kind == "d"] + [e for e in dumped if e.kind != "d"]
    esize = _esize(len(order), sum(_estimate(e) for e in order), map_blocks, ntrec)
    names = []
    for d in order:
        if d.kind != "d":
            continue
        for c in kids.get(dump_path(d.path), []):
            if c.inode not in nod:
                names.append(_archive_entry(c, dumped=False))
    records = [_records(e) for e in order]
    plan = DumpPlan([_archive_entry(e) for e in order], names, rounds, esize, map_blocks,
                    maxino, not order, sum(records),
                    sum(r for r, e in zip(records, order, strict=True) if e.kind == "d"),
                    count, ranges(e.inode for e in all_entries))
    plan.records = records
    return plan


# A base tree (simulator.ufs.image.BaseTree) never changes: what a level 0 dump of it
# would write is worked out once per tree and kept beside it (its archive lines too, once an
# archive is written out), and a dump of an image (the base tree plus an overlay of changes)
# pays only for the overlay (plan_image_dump). The index lives as long as its tree (weakly
# keyed); nothing invalidates it, as nothing changes a tree or the entries made from it.
INDEX_LIMIT = 200_000             # bigger base trees are planned entry by entry
LINES_LIMIT = 50_000              # bigger indexes render their lines at every write (memory)


@dataclass
class _BaseIndex:
    """A base tree in dump order (directories, then the rest, each by inode): its archive
    entries (shared, never changed), their sort keys, estimates and records, and totals."""

    files: list[FileEntry]
    entries: list[ArchiveEntry]
    keys: list[int]
    pos: dict[int, int]            # inode -> position
    est: list[int]
    records: list[int]
    est_total: int
    rec_total: int
    dir_records: int
    min_ctime: float
    inodes: list[int]              # sorted
    inuse: list[list[int]]
    _lines: KnownLines | None = field(default=None, repr=False)

    def lines(self) -> KnownLines:
        """Each entry's archive line (archive.iter_lines), rendered when an archive is first
        written out (not for one left unread on a tape), then kept with the index: the
        entries never change. Keyed by the entry's id with the entry (archive.KnownLines)."""
        if self._lines is None:
            self._lines = {id(e): (e, e.to_line() + "\n") for e in self.entries} \
                if len(self.entries) <= LINES_LIMIT else {}
        return self._lines


_INDEXES: weakref.WeakKeyDictionary[BaseTree, _BaseIndex] = weakref.WeakKeyDictionary()


def _key(e: FileEntry) -> int:
    """Dump order: directories (Pass III) before the rest (Pass IV), each by inode."""
    return ((e.kind != "d") << 62) | e.inode


def _base_index(base: BaseTree) -> _BaseIndex:
    """The tree's index, made in one pass over its entries (a dump of a tree new to the
    process pays it: every estimate, record count and archive entry of thousands)."""
    index = _INDEXES.get(base)
    if index is None:
        ordered = list(base.by_inode())          # dump order: directories, then the rest
        files = [e for e in ordered if e.kind == "d"] + [e for e in ordered if e.kind != "d"]
        est: list[int] = []
        records: list[int] = []
        entries: list[ArchiveEntry] = []
        dir_records = 0
        add_est, add_record, add_entry = est.append, records.append, entries.append
        for e in files:
            r = _records(e)
            add_est(_estimate(e))
            add_record(r)
            add_entry(_archive_entry(e))
            if e.kind == "d":
                dir_records += r
        inodes = [e.inode for e in ordered]
        index = _INDEXES[base] = _BaseIndex(
            files, entries, [_key(e) for e in files], {e.inode: i for i, e in enumerate(files)},
            est, records, sum(est), sum(records), dir_records,
            min((e.ctime for e in files), default=0.0), inodes, ranges(inodes))
    return index


def indexed_entries(base: BaseTree) -> list[FileEntry] | None:
    """The base tree's entries as its dump index holds them (dump order), when a dump made
    the index in this process; None otherwise (the verdict then walks the tree)."""
    index = _INDEXES.get(base)
    return index.files if index is not None else None


def plan_image_dump(image: Image, ddate: float, ninodes: int, ntrec: int) -> DumpPlan:
    """:func:`plan_dump` of ``image.entries()``, paying for the image's overlay only when
    every inode is dumped (a level 0, or any dump older than every inode): the base tree's
    part is its index's (:func:`_base_index`), the overlay's entries are merged in by dump
    order, and the totals are the base tree's less what the overlay replaced plus what it
    holds. Anything else (an incremental, a colliding inode, a huge base tree) is planned
    from the entries (tested equal: tests/backup/test_backup_ufsdump.py)."""
    base = image.base
    if base.count() > INDEX_LIMIT:
        return plan_dump(image.entries(), ddate, ninodes, ntrec)
    index = _base_index(base)
    if ddate > index.min_ctime:
        return plan_dump(image.entries(), ddate, ninodes, ntrec)
    overlay = image.overlay
    if not overlay:
        return _index_plan(index, ninodes, ntrec)
    removed: set[int] = set()              # base positions the overlay replaced or removed
    added: list[tuple[int, FileEntry]] = []
    pos = index.pos
    for path, new in overlay.items():
        old = base.get(path)
        if old is not None:
            removed.add(pos[old.inode])
        if new is not None:
            if new.ctime < ddate:
                return plan_dump(image.entries(), ddate, ninodes, ntrec)
            added.append((_key(new), new))
    added.sort(key=lambda ka: ka[0])
    new_inodes = {a.inode for _, a in added}
    if len(new_inodes) < len(added) or any(
            pos.get(i, -1) >= 0 and pos[i] not in removed for i in new_inodes):
        return plan_dump(image.entries(), ddate, ninodes, ntrec)   # an inode twice
    # the entries: base slices between the changes, the overlay's entries in their place;
    # an overlay that changes nothing leaves the index's own list (a plan's lists are read,
    # never changed: the writer and its archives share them)
    gone = sorted(removed)
    base_entries, keys = index.entries, index.keys
    out: list[ArchiveEntry] = base_entries if not gone and not added else []
    at = ri = 0

    def copy_to(q: int) -> None:
        nonlocal at, ri
        while ri < len(gone) and gone[ri] < q:
            out.extend(base_entries[at:gone[ri]])
            at = gone[ri] + 1
            ri += 1
        out.extend(base_entries[at:q])
        at = max(at, q)
    if out is not base_entries:
        for k, a in added:
            copy_to(bisect.bisect_left(keys, k, at))
            out.append(_archive_entry(a))
        copy_to(len(base_entries))
    # the totals: the base tree's, less what the overlay replaced, plus what it holds
    est_total, rec_total, dir_records = index.est_total, index.rec_total, index.dir_records
    for p in gone:
        r = index.records[p]
        est_total -= index.est[p]
        rec_total -= r
        if index.files[p].kind == "d":
            dir_records -= r
    for _, a in added:
        r = _records(a)
        est_total += _estimate(a)
        rec_total += r
        if a.kind == "d":
            dir_records += r
    count = len(out)
    gone_inodes = {index.files[p].inode for p in gone}
    top = next((i for i in reversed(index.inodes) if i not in gone_inodes), ROOT_INO)
    top = max([top] + [a.inode for _, a in added])
    maxino = max(ninodes or count, top + 1)
    map_blocks = _map_blocks(maxino)
    esize = _esize(count, est_total, map_blocks, ntrec)
    inuse = _edit_ranges(index.inuse, gone_inodes - new_inodes,
                         [i for i in new_inodes if i not in pos])
    plan = DumpPlan(out, [], 1, esize, map_blocks, maxino, not out, rec_total, dir_records,
                    count, inuse, index.lines)
    if out is base_entries:
        plan.records = index.records          # the index's entries: their records too
    return plan


def _index_plan(index: _BaseIndex, ninodes: int, ntrec: int) -> DumpPlan:
    """:func:`plan_image_dump` of an image its overlay does not change (a submirror
    detached from a file system nothing wrote to since its tree was made): the index's
    entries, records and totals as they are, every inode dumped."""
    entries = index.entries
    count = len(entries)
    top = index.inodes[-1] if index.inodes else ROOT_INO
    maxino = max(ninodes or count, top + 1)
    map_blocks = _map_blocks(maxino)
    plan = DumpPlan(entries, [], 1, _esize(count, index.est_total, map_blocks, ntrec),
                    map_blocks, maxino, not entries, index.rec_total, index.dir_records,
                    count, [[a, b] for a, b in index.inuse], index.lines)
    plan.records = index.records
    return plan


def _edit_ranges(runs: list[list[int]], removed: set[int], added: list[int]) -> list[list[int]]:
    """:func:`ranges` of the numbers in ``runs`` (a :func:`ranges` list: sorted, each run
    as long as it goes) less ``removed`` plus ``added`` (none of which is in ``runs``),
    without listing the numbers; with nothing to edit, a copy of ``runs``."""
    if not removed and not added:
        return [[a, b] for a, b in runs]
    cut = sorted(removed)
    pieces: list[list[int]] = []
    for a, b in runs:
        lo = bisect.bisect_left(cut, a)
        hi = bisect.bisect_right(cut, b)
        start = a
        for c in cut[lo:hi]:
            if c > start:
                pieces.append([start, c - 1])
            start = c + 1
        if start <= b:
            pieces.append([start, b])
    pieces += ranges(added)
    pieces.sort()
    out: list[list[int]] = []
    for a, b in pieces:
        if out and out[-1][1] >= a - 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _parent(path: str) -> str:
    """The dump name of the directory holding ``path``."""
    p = dump_path(path)
    return p.rsplit("/", 1)[0] if p != "." else "."


def dump_path(path: str) -> str:
    """A file-system path (``.``, ``a/b``) as dump and restore name it (``.``, ``./a/b``)."""
    p = path.strip("/")
    if p in ("", "."):
        return "."
    return p if p.startswith("./") else "./" + p


def _archive_entry(e: FileEntry, dumped: bool = True) -> ArchiveEntry:
    p = e.path
    # an image's paths are normal (no leading "/" nor "./"): named by prefixing "./", which
    # dump_path gives them too, without its checks (a dump names thousands)
    path = "./" + p if p and p[0] != "/" and p[0] != "." and p[-1] != "/" else dump_path(p)
    if not dumped:
        return ArchiveEntry(e.inode, path, e.kind, dumped=False)
    kind = e.kind
    return ArchiveEntry(e.inode, path, kind, True, int(e.size), int(e.mode), int(e.uid),
                        int(e.gid), float(e.mtime), float(e.ctime), str(e.digest or ""),
                        (e.target or "") if kind == "l" else None)
