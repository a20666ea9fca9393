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

import calendar
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from simulator.backup.archive import ROOT_INO, ArchiveEntry
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
from simulator.ufs.image import FileEntry

if TYPE_CHECKING:
    from simulator.host import Host

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


class Backups:
    """Tapes, ``/etc/dumpdates`` and the dumps made on one host (``host.backups``)."""

    def __init__(self, host: Host) -> None:
        self.host = host
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
    records: list[int]             # tape records of each entry in ``entries``
    maxino: int
    empty: bool                    # nothing to dump (root not in the dump map)

    @property
    def data_records(self) -> int:
        return sum(self.records)


def _blocks(size: int) -> int:
    return -(-size // TP_BSIZE)


def _allocated_kb(e: FileEntry) -> int:
    """di_blocks / 2: what the inode has allocated (data and indirect blocks), in KB."""
    return e.frags(1024)


def _estimate(e: FileEntry) -> int:
    """est() in dumpitime.c: one header, the smaller of allocated and size-implied blocks,
    plus the indirect records a file beyond the direct blocks needs on tape."""
    t = _blocks(e.size)
    s = min(_allocated_kb(e), t)
    if e.size > NDADDR_BLOCKS * TP_BSIZE:
        s += -(-(t - NDADDR_BLOCKS) // TP_NINDIR)
    return 1 + s


def _records(e: FileEntry) -> int:
    """Records lf_dumpinode writes: a TS_INODE/TS_ADDR header per 512 blocks, the blocks."""
    if e.size == 0:
        return 1
    n = 1 if e.kind == "l" else _blocks(e.size)
    return n + -(-n // TP_NINDIR)


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


def _archive_entry(e: FileEntry, dumped: bool = True) -> ArchiveEntry:
    path = dump_path(e.path)
    if not dumped:
        return ArchiveEntry(e.inode, path, e.kind, dumped=False)
    return ArchiveEntry(e.inode, path, e.kind, True, int(e.size), int(e.mode), int(e.uid),
                        int(e.gid), float(e.mtime), float(e.ctime), str(e.digest or ""),
                        (e.target or "") if e.kind == "l" else None)
