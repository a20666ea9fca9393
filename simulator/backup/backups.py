"""Backups on the simulated host: tape drives and their cartridges, /etc/dumpdates, dump plans.

``host.backups`` holds what outlives one ufsdump run: the tape drives (each with the
stack of cartridges an operator would feed it, and the dump files written on them),
``/etc/dumpdates`` (kept as its records; :meth:`Backups.dumpdates_text` is the file), the
record of dumps made, and the faults a scenario arms (a dump that dies part way).

The pure part of a dump lives here too: :func:`plan_dump` decides, from a file-system image
and the date of the dump it is based on, which inodes a level-N dump writes, how many
"Mapping (Pass II)" rounds it takes, the size estimate and the records actually written --
following ``usr/src/cmd/backup/dump/dumptraverse.c`` (mark, add) and ``dumpitime.c`` (est,
bmapest). Printing and time passing belong to the ufsdump command.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from simulator.backup.archive import ROOT_INO, ArchiveEntry

if TYPE_CHECKING:
    from simulator.host import Host

DUMPDATES = "/etc/dumpdates"                 # NINCREM, dump.h
DEFAULT_TAPE = "/dev/rmt/0"                  # DEFTAPE
DEFAULT_TAPE_CAPACITY = 400 * 2 ** 30 // 512   # an LTO-3 cartridge, in 512-byte blocks
DEFAULT_TAPE_RATE = 40960.0                  # KB/s a tape drive streams at (LTO-3: ~40 MB/s)
DEFAULT_FILE_RATE = 51200.0                  # KB/s writing a dump file on local disk
DEFAULT_DISK_RATE = 61440.0                  # KB/s reading the dumped device
NAMEFMT_WIDTH = 32                           # DUMPOUTFMT "%-32s %c %s" (protocols/dumprestore.h)
TAPE_RE = re.compile(r"^(/dev/rmt/)(\d+)([lmhcu]?)(b?)(n?)$")

# dumptraverse.c / dumpitime.c constants
TP_BSIZE = 1024
TP_NINDIR = TP_BSIZE // 2                    # addresses per header record
NDADDR_BLOCKS = 12 * 8192 // TP_BSIZE        # NDADDR * fs_bsize / tp_bsize
FAST_SYMLINK_MAX = 60                        # symlink text kept in the inode itself


class FsEntry(Protocol):
    """What a dump needs of a file-system entry (``simulator.ufs.filesystems.FileEntry``)."""

    @property
    def path(self) -> str: ...
    @property
    def inode(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mtime(self) -> float: ...
    @property
    def ctime(self) -> float: ...
    @property
    def uid(self) -> int: ...
    @property
    def gid(self) -> int: ...
    @property
    def mode(self) -> int: ...
    @property
    def digest(self) -> str: ...
    @property
    def target(self) -> str | None: ...


# ---------------------------------------------------------------------------- tapes
@dataclass
class TapeFile:
    """One dump file on a cartridge: the archive text and the modelled blocks it fills."""

    text: str
    blocks: int

    def to_dict(self) -> dict[str, Any]:
        """Compressed: a dump of a big file system lists every file, and the state is
        read and written by every fake command."""
        packed = base64.b64encode(zlib.compress(self.text.encode(), 6)).decode()
        return {"z": packed, "blocks": self.blocks}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TapeFile:
        if "z" in d:
            text = zlib.decompress(base64.b64decode(d["z"])).decode()
        else:
            text = str(d["text"])
        return cls(text, int(d["blocks"]))


@dataclass
class Cartridge:
    """A tape cartridge: its capacity (512-byte blocks) and the files written on it."""

    capacity: int
    files: list[TapeFile] = field(default_factory=list)
    write_protected: bool = False

    def used_before(self, fileno: int) -> int:
        return sum(f.blocks for f in self.files[:fileno])

    def to_dict(self) -> dict[str, Any]:
        return {"capacity": self.capacity, "files": [f.to_dict() for f in self.files],
                "write_protected": self.write_protected}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cartridge:
        return cls(int(d["capacity"]), [TapeFile.from_dict(f) for f in d.get("files", [])],
                   bool(d.get("write_protected", False)))


@dataclass
class TapeDrive:
    """``/dev/rmt/N``: a drive, the cartridge loaded (index into the operator's stack) and
    the tape file the head is at. Mounting the next volume loads a fresh cartridge."""

    device: str
    capacity: int
    rate_kbs: float = DEFAULT_TAPE_RATE
    cartridges: list[Cartridge] = field(default_factory=list)
    loaded: int = 0               # -1: no cartridge in the drive
    position: int = 0             # tape file number under the head

    @property
    def cartridge(self) -> Cartridge | None:
        if 0 <= self.loaded < len(self.cartridges):
            return self.cartridges[self.loaded]
        return None

    def load_next(self) -> Cartridge:
        """The operator mounts the next volume (a blank cartridge unless one is stacked)."""
        self.loaded = max(self.loaded, -1) + 1
        while len(self.cartridges) <= self.loaded:
            self.cartridges.append(Cartridge(self.capacity))
        self.position = 0
        return self.cartridges[self.loaded]

    def rewind(self) -> None:
        self.position = 0

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device, "capacity": self.capacity, "rate_kbs": self.rate_kbs,
                "cartridges": [c.to_dict() for c in self.cartridges], "loaded": self.loaded,
                "position": self.position}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TapeDrive:
        return cls(str(d["device"]), int(d["capacity"]),
                   float(d.get("rate_kbs", DEFAULT_TAPE_RATE)),
                   [Cartridge.from_dict(c) for c in d.get("cartridges", [])],
                   int(d.get("loaded", 0)), int(d.get("position", 0)))


def tape_unit(device: str) -> tuple[str, bool] | None:
    """``/dev/rmt/0cbn`` -> (``/dev/rmt/0``, no-rewind True); None if not a tape name."""
    m = TAPE_RE.match(device)
    if m is None:
        return None
    return m.group(1) + m.group(2), bool(m.group(5))


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


class Backups:
    """Tapes, ``/etc/dumpdates`` and the dumps made on one host (``host.backups``)."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.tapes: dict[str, TapeDrive] = {}
        self.dumpdates: list[DumpDate] = []
        self.dumpdates_exists = True       # Solaris delivers an empty /etc/dumpdates
        self.dumps: list[DumpRecord] = []
        # Fault: the next dump dies after writing this fraction of its estimate (one shot).
        self.fail_after_fraction: float | None = None
        self.disk_rate_kbs = DEFAULT_DISK_RATE
        self.file_rate_kbs = DEFAULT_FILE_RATE

    # ------------------------------------------------------------------ tapes
    def add_tape(self, spec: Any = None, **kw: Any) -> TapeDrive:
        """A drive from a scenario's ``[[tape]]`` (``device``, ``capacity`` in 512-byte
        blocks, optional ``rate_kbs`` and ``cartridges``), a dict, or keywords."""
        d: dict[str, Any] = {}
        if isinstance(spec, dict):
            d.update(spec)
        elif spec is not None:
            d.update({k: getattr(spec, k) for k in ("device", "capacity", "rate_kbs",
                                                     "cartridges") if hasattr(spec, k)})
        d.update(kw)
        device = str(d.get("device") or DEFAULT_TAPE)
        unit = tape_unit(device)
        if unit is None:
            raise ValueError(f"{device}: not a tape device name (/dev/rmt/N)")
        capacity = int(d.get("capacity") or DEFAULT_TAPE_CAPACITY)
        if capacity <= 0:
            raise ValueError(f"{device}: capacity must be positive")
        drive = TapeDrive(unit[0], capacity, float(d.get("rate_kbs") or DEFAULT_TAPE_RATE))
        for _ in range(max(1, int(d.get("cartridges") or 1))):
            drive.cartridges.append(Cartridge(capacity))
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
        self.disk_rate_kbs = float(data.get("disk_rate_kbs", DEFAULT_DISK_RATE))
        self.file_rate_kbs = float(data.get("file_rate_kbs", DEFAULT_FILE_RATE))


def unctime(text: str, host: Host) -> int | None:
    """Parse a ctime(3C) string (``Tue Nov 24 10:00:00 2026``) in the host's time zone."""
    import calendar
    import time as _time
    try:
        st = _time.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")
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
    records: list[int]             # tape records of each entry in ``entries``
    maxino: int
    empty: bool                    # nothing to dump (root not in the dump map)

    @property
    def data_records(self) -> int:
        return sum(self.records)


def _blocks(size: int) -> int:
    return -(-size // TP_BSIZE)


def _allocated_kb(e: FsEntry) -> int:
    """di_blocks / 2: what the inode has allocated (data and indirect blocks), in KB."""
    frags = getattr(e, "frags", None)
    if callable(frags):
        return int(frags(1024))
    if e.kind == "l":
        return 0 if len(e.target or "") < FAST_SYMLINK_MAX else 1
    return _blocks(e.size)


def _estimate(e: FsEntry) -> int:
    """est() in dumpitime.c: one header, the smaller of allocated and size-implied blocks,
    plus the indirect records a file beyond the direct blocks needs on tape."""
    t = _blocks(e.size)
    s = min(_allocated_kb(e), t)
    if e.size > NDADDR_BLOCKS * TP_BSIZE:
        s += -(-(t - NDADDR_BLOCKS) // TP_NINDIR)
    return 1 + s


def _records(e: FsEntry) -> int:
    """Records lf_dumpinode writes: a TS_INODE/TS_ADDR header per 512 blocks, the blocks."""
    if e.size == 0:
        return 1
    n = 1 if e.kind == "l" else _blocks(e.size)
    return n + -(-n // TP_NINDIR)


def plan_dump(entries: Iterable[FsEntry], ddate: float, ninodes: int,
              ntrec: int) -> DumpPlan:
    """Which inodes a dump since ``ddate`` writes, and its size (dumptraverse.c mark/add).

    Pass I marks inodes changed since ``ddate`` (``di_ctime >= c_ddate``); Pass II adds,
    round after round in inode order, every directory holding a marked entry, until a
    round adds none. A level 0 (``ddate`` 0) dumps everything in one round.
    """
    all_entries = sorted(entries, key=lambda e: e.inode)
    kids: dict[str, list[FsEntry]] = {}
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
    maxino = max(ninodes, max((e.inode for e in all_entries), default=ROOT_INO) + 1)
    bitmap_bytes = -(-maxino // 8)
    msiz = -(-bitmap_bytes // 65536) * 65536           # roundup(howmany(ino, NBBY), 64K)
    map_blocks = -(-msiz // TP_BSIZE)
    dumped = [e for e in all_entries if e.inode in nod]
    order = [e for e in dumped if e.kind == "d"] + [e for e in dumped if e.kind != "d"]
    o_esize = len(order) + 2                       # an inode header each; two bit maps
    f_esize = sum(_estimate(e) - 1 for e in order) + 2 * map_blocks
    esize = o_esize + f_esize + 1 + ntrec          # + etapes (1) + TS_END records
    names = []
    for d in order:
        if d.kind != "d":
            continue
        for c in kids.get(dump_path(d.path), []):
            if c.inode not in nod:
                names.append(_archive_entry(c, dumped=False))
    return DumpPlan([_archive_entry(e) for e in order], names, rounds, esize, map_blocks,
                    [_records(e) for e in order], maxino, not order)


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


def _archive_entry(e: FsEntry, dumped: bool = True) -> ArchiveEntry:
    path = dump_path(e.path)
    if not dumped:
        return ArchiveEntry(e.inode, path, e.kind, dumped=False)
    return ArchiveEntry(e.inode, path, e.kind, True, int(e.size), int(e.mode), int(e.uid),
                        int(e.gid), float(e.mtime), float(e.ctime), str(e.digest or ""),
                        (e.target or "") if e.kind == "l" else None)
