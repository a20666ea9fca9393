"""The file ufsdump writes and ufsrestore reads: a small, self-describing dump archive.

A real dump image holds every block of every file; svmsim models file contents by digest, so
its archive holds the dump's metadata and digests only, and stays small whatever the size of
the file system. The layout (text, UTF-8, one record a line)::

    svmsim-ufsdump-archive 1
    {"level": 0, "date": ..., "ddate": 0, "host": "host1", "device": "/dev/md/rdsk/d3", ...}
    [2, ".", "d", 512, 16877, 0, 0, 1795600000.0, 1795600000.0, "9f0c...", null, 1]
    [3, "./lost+found", "d", 8192, 16832, 0, 0, ...]
    [17, "./docs/readme", "f"]
    end 3

Line 2 is the header (:class:`ArchiveHeader`): dump level, this dump's date, the date of the
dump it is based on (``ddate``), host, device, file system, label, first volume in this file,
whether the dump completed, and whether the dumped image was fsck-clean. Every following line
is one directory entry: a dumped inode carries its full metadata (inode, path, kind ``f|d|l``,
size, mode, uid, gid, mtime, ctime, digest, symlink target, volume holding its data); an entry
of a dumped directory whose inode was *not* dumped (an unchanged file in an incremental dump,
as a real dump's directory blocks name every entry) carries only inode, path and kind.
``end N`` closes a complete archive; an archive cut short (the dump died) has no ``end`` line
and a header saying ``complete: false``, so readers can tell.

Entries are written as a real dump orders them: directories (Pass III) then files (Pass IV),
each in inode order. A dump that died in Pass IV still lists every entry (its directories and
inode map were on the media, so ufsrestore ``t`` names them all); the header's ``written``
says how many dumped inodes, in that order, really have their data in the archive. Restored
regular files are placeholders (see :func:`placeholder`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator.core.errors import Error

MAGIC = "svmsim-ufsdump-archive"
VERSION = 1
ROOT_INO = 2


# json.dumps(..., ensure_ascii=False) builds an encoder at every call: one, kept
_encode = json.JSONEncoder(ensure_ascii=False).encode


class ArchiveError(Error):
    """The bytes are not an svmsim dump archive (what ufsrestore calls "not in dump format")."""


@dataclass(slots=True)
class ArchiveEntry:
    """One directory entry of the dump; ``dumped`` False means only its name is known.

    Slotted: a dump of a big tree makes thousands (no per-entry ``__dict__``)."""

    inode: int
    path: str
    kind: str                     # "f" regular, "d" directory, "l" symbolic link
    dumped: bool = True
    size: int = 0
    mode: int = 0
    uid: int = 0
    gid: int = 0
    mtime: float = 0.0
    ctime: float = 0.0
    digest: str = ""
    target: str | None = None
    volume: int = 1

    def to_line(self) -> str:
        if not self.dumped:
            return _encode([self.inode, self.path, self.kind])
        return _encode([self.inode, self.path, self.kind, self.size, self.mode, self.uid,
                        self.gid, self.mtime, self.ctime, self.digest, self.target,
                        self.volume])

    @classmethod
    def from_line(cls, line: str) -> ArchiveEntry:
        try:
            return cls.from_values(json.loads(line))
        except (ArchiveError, ValueError):
            raise ArchiveError(f"bad entry line: {line[:60]!r}") from None

    @classmethod
    def from_values(cls, v: Any) -> ArchiveEntry:
        """An entry from its line's parsed JSON array."""
        try:
            if len(v) == 3:
                return cls(int(v[0]), str(v[1]), str(v[2]), dumped=False)
            return cls(int(v[0]), str(v[1]), str(v[2]), True, int(v[3]), int(v[4]),
                       int(v[5]), int(v[6]), float(v[7]), float(v[8]), str(v[9]),
                       None if v[10] is None else str(v[10]), int(v[11]))
        except (ValueError, TypeError, IndexError, KeyError) as e:
            raise ArchiveError(f"bad entry: {str(v)[:60]!r}") from e

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str | None:
        return None if self.path == "." else self.path.rsplit("/", 1)[0]


@dataclass
class ArchiveHeader:
    """What the dump's volume header and TS_END record say (c_level, c_date, c_ddate...)."""

    level: int
    date: int                     # date of this dump (spcl.c_date)
    ddate: int                    # date of the dump this one is based on (0: the epoch)
    host: str
    device: str                   # spcl.c_dev: the device as named on the command line
    filesys: str                  # mount point, or "an unlisted file system"
    label: str = "none"
    volume: int = 1               # first volume held by this file / tape file
    volumes: int = 1              # volumes the dump took (when known)
    complete: bool = True
    ntrec: int = 63               # tape record, in 1 KB blocks (ufsrestore's "Media block size")
    tp_bsize: int = 1024
    blocks: int = 0               # 512-byte blocks written (what "N blocks" says)
    maxino: int = 0
    clean: bool = True            # the dumped image was fsck-clean
    damaged: dict[str, str] = field(default_factory=dict)
    volume_inodes: list[int] = field(default_factory=list)  # first inode of each volume
    inuse_ranges: list[list[int]] = field(default_factory=list)  # the TS_CLRI map, as runs
    written: int = -1             # dumped inodes whose data is on the media (-1: all)
    unreadable: int = 0           # sectors bread() could not read and dumped as zeros

    def to_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict``: every field in order, the containers copied (written
        out for speed: a dump copies its header for each archive it writes)."""
        return {"level": self.level, "date": self.date, "ddate": self.ddate,
                "host": self.host, "device": self.device, "filesys": self.filesys,
                "label": self.label, "volume": self.volume, "volumes": self.volumes,
                "complete": self.complete, "ntrec": self.ntrec, "tp_bsize": self.tp_bsize,
                "blocks": self.blocks, "maxino": self.maxino, "clean": self.clean,
                "damaged": dict(self.damaged), "volume_inodes": list(self.volume_inodes),
                "inuse_ranges": [list(r) for r in self.inuse_ranges],
                "written": self.written, "unreadable": self.unreadable}

    def copy(self, **changes: Any) -> ArchiveHeader:
        """``ArchiveHeader(**{**self.to_dict(), **changes})`` -- a copy holding containers
        of its own, with ``changes`` -- without building the dict (a dump copies its
        header for each archive it writes)."""
        h = object.__new__(ArchiveHeader)
        d = h.__dict__
        d.update(self.__dict__)
        d["damaged"] = dict(self.damaged)
        d["volume_inodes"] = list(self.volume_inodes)
        d["inuse_ranges"] = [list(r) for r in self.inuse_ranges]
        for name, value in changes.items():
            if name not in d:
                raise TypeError(f"ArchiveHeader has no field {name!r}")
            d[name] = value
        return h

    @property
    def inuse(self) -> set[int]:
        """Inodes in use on the file system when it was dumped (the removal map)."""
        return {i for a, b in self.inuse_ranges for i in range(a, b + 1)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArchiveHeader:
        try:
            return cls(level=int(d["level"]), date=int(d["date"]), ddate=int(d["ddate"]),
                       host=str(d["host"]), device=str(d["device"]),
                       filesys=str(d["filesys"]), label=str(d.get("label", "none")),
                       volume=int(d.get("volume", 1)), volumes=int(d.get("volumes", 1)),
                       complete=bool(d.get("complete", True)), ntrec=int(d.get("ntrec", 63)),
                       tp_bsize=int(d.get("tp_bsize", 1024)), blocks=int(d.get("blocks", 0)),
                       maxino=int(d.get("maxino", 0)), clean=bool(d.get("clean", True)),
                       damaged={str(k): str(v) for k, v in dict(d.get("damaged", {})).items()},
                       volume_inodes=[int(i) for i in d.get("volume_inodes", [])],
                       inuse_ranges=[[int(a), int(b)] for a, b in d.get("inuse_ranges", [])],
                       written=int(d.get("written", -1)),
                       unreadable=int(d.get("unreadable", 0)))
        except (KeyError, ValueError, TypeError) as e:
            raise ArchiveError(f"bad header: {e}") from e


# Entry lines already rendered, by ``id(entry)`` with the entry itself (an id is only ever
# matched with the object it was taken from, which the table keeps alive): a dump's writer
# hands the lines of a base tree's entries, which never change (backups._BaseIndex.lines).
KnownLines = dict[int, tuple["ArchiveEntry", str]]


@dataclass
class Archive:
    """A dump as ufsrestore sees it: the header and the entries, in tape order.

    ``known_lines`` (not part of the archive) gives lines already rendered for some of the
    entries, when they are written out (:func:`iter_lines`)."""

    header: ArchiveHeader
    entries: list[ArchiveEntry] = field(default_factory=list)
    truncated: bool = False       # the file ended before its ``end`` line
    known_lines: Callable[[], KnownLines] | None = field(default=None, compare=False,
                                                          repr=False)

    @property
    def complete(self) -> bool:
        return self.header.complete and not self.truncated

    def dumped(self) -> list[ArchiveEntry]:
        """Dumped inodes whose data made it onto the media (all, unless the dump died)."""
        dumped = [e for e in self.entries if e.dumped]
        return dumped if self.header.written < 0 else dumped[:self.header.written]

    def on_media(self, e: ArchiveEntry) -> bool:
        return e.dumped and (self.header.written < 0 or
                             any(x is e for x in self.dumped()))

    def by_path(self) -> dict[str, ArchiveEntry]:
        return {e.path: e for e in self.entries}

    def children(self) -> dict[str, list[ArchiveEntry]]:
        """Directory path -> its entries, in the order the directory lists them."""
        kids: dict[str, list[ArchiveEntry]] = {}
        for e in self.entries:
            if e.parent is not None:
                kids.setdefault(e.parent, []).append(e)
        for lst in kids.values():
            lst.sort(key=lambda e: e.inode)
        return kids

    def to_text(self) -> str:
        known = self.known_lines() if self.known_lines is not None else None
        return "".join(iter_lines(self.header, self.entries, complete=self.complete,
                                  known=known))

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")


def _header_line(header: ArchiveHeader) -> str:
    """The archive's second line (without its newline)."""
    return json.dumps(header.to_dict(), sort_keys=True, ensure_ascii=False)


def iter_lines(header: ArchiveHeader, entries: Iterable[ArchiveEntry],
               complete: bool = True, known: KnownLines | None = None) -> Iterable[str]:
    """The archive's lines (newline-terminated); no ``end`` line when not ``complete``.
    An entry found in ``known`` (the very object) takes the line kept there."""
    yield f"{MAGIC} {VERSION}\n"
    yield _header_line(header) + "\n"
    n = 0
    for e in entries:
        n += 1
        if known is not None:
            kept = known.get(id(e))
            if kept is not None and kept[0] is e:
                yield kept[1]
                continue
        yield e.to_line() + "\n"
    if complete:
        yield f"end {n}\n"


# The archives ufsdump wrote, by the very text or bytes written (the last few): a reader
# handed the same text or bytes -- the verdict reading back the file a dump left, or its
# tape -- takes the archive they parse to instead of parsing them again. Equal bytes parse
# to equal archives (parse is a function of them alone), so the key is the whole text and a
# file a driver truncated, corrupted or replaced by one byte is parsed afresh; what is kept
# is what parse returns for them (tests/backup/test_backup_fast_paths.py compares them).
_WRITTEN: dict[str | bytes, Archive] = {}
_WRITTEN_KEEP = 4
_WRITTEN_LOCK = threading.Lock()      # fake calls run on the harness's server threads


def written_text(arch: Archive) -> str:
    """``arch.to_text()``, for a writer: remembered with what it parses to (:func:`parse`)."""
    text = arch.to_text()
    _remember(text, arch)
    return text


def written_bytes(arch: Archive) -> bytes:
    """``arch.to_bytes()``, for a writer: remembered with what it parses to."""
    data = arch.to_bytes()
    _remember(data, arch)
    return data


class WrittenText:
    """:func:`written_text` of an archive, made when called: what ufsdump hands a tape file
    to render when first read (``TapeFile``). A reader that wants the archive rather than
    the text takes :meth:`parsed`, what parsing the text would give, without rendering it
    (the verdict reading back the tape a dump just wrote: thousands of lines)."""

    __slots__ = ("arch",)

    def __init__(self, arch: Archive) -> None:
        self.arch = arch

    def __call__(self) -> str:
        return written_text(self.arch)

    def parsed(self) -> Archive:
        """``parse(self())``: the archive as :func:`_remember` keeps it for that text."""
        return _fresh(_kept(_header_line(self.arch.header), self.arch))


def _kept(line: str | bytes, arch: Archive) -> Archive:
    """What an archive written as ``arch`` with header line ``line`` parses to: ``arch``'s
    entries (values that survive their line unchanged: ints, floats, strings), the header
    read back from its line (as parse does), and ``truncated`` for an archive written
    without its ``end`` line."""
    header = ArchiveHeader.from_dict(json.loads(line))
    return Archive(header, list(arch.entries), truncated=not arch.complete)


def _fresh(kept: Archive) -> Archive:
    """A copy of a kept archive for one reader (who may change its header or list)."""
    return Archive(ArchiveHeader.from_dict(kept.header.to_dict()), list(kept.entries),
                   kept.truncated)


def _remember(written: str | bytes, arch: Archive) -> None:
    """Keep what ``written`` parses to (:func:`_kept`)."""
    start = len(MAGIC) + len(str(VERSION)) + 2
    if isinstance(written, bytes):
        line: str | bytes = written[start:written.index(b"\n", start)]
    else:
        line = written[start:written.index("\n", start)]
    kept = _kept(line, arch)
    with _WRITTEN_LOCK:
        _WRITTEN.pop(written, None)
        _WRITTEN[written] = kept
        while len(_WRITTEN) > _WRITTEN_KEEP:
            del _WRITTEN[next(iter(_WRITTEN))]


def _recall(data: str | bytes) -> Archive | None:
    """A fresh copy of the archive kept for exactly ``data`` (None: not written here)."""
    if type(data) is not bytes and type(data) is not str:     # a bytearray cannot be a key
        return None
    with _WRITTEN_LOCK:
        kept = _WRITTEN.get(data)
    if kept is None:
        return None
    return _fresh(kept)


def parse(data: bytes | str) -> Archive:
    """Read an archive back; :class:`ArchiveError` if it is not one. Text or bytes a dump
    wrote in this process are not parsed again (:data:`_WRITTEN`)."""
    kept = _recall(data)
    if kept is not None:
        return kept
    return _parse(data)


def _parse(data: bytes | str) -> Archive:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    lines = text.split("\n")
    first = lines[0].split() if lines else []
    if len(first) != 2 or first[0] != MAGIC:
        raise ArchiveError("not an svmsim dump archive")
    if first[1] != str(VERSION):
        raise ArchiveError(f"unsupported archive version {first[1]}")
    if len(lines) < 2 or not lines[1].strip():
        raise ArchiveError("archive header missing")
    try:
        header = ArchiveHeader.from_dict(json.loads(lines[1]))
    except json.JSONDecodeError as e:
        raise ArchiveError("archive header unreadable") from e
    body: list[str] = []
    ended = False
    for line in lines[2:]:
        if line.startswith("end "):
            ended = True
            break
        if line:
            body.append(line)
    entries = _fast_entries(body)
    if entries is None:           # a line cut in the middle: read up to it, one by one
        entries = []
        for line in body:
            try:
                entries.append(ArchiveEntry.from_line(line))
            except ArchiveError:
                ended = False     # the archive is truncated there
                break
    return Archive(header, entries, truncated=not ended)


def _fast_entries(body: list[str]) -> list[ArchiveEntry] | None:
    """Every line at once, as one JSON array (one C parser call instead of one per line);
    None when a line is not a whole entry (then they are read one by one)."""
    try:
        values = json.loads("[" + ",".join(body) + "]")
        if len(values) != len(body) or not all(isinstance(v, list) for v in values):
            return None
        return [ArchiveEntry.from_values(v) for v in values]
    except (ValueError, ArchiveError):
        return None


def is_archive(data: bytes) -> bool:
    return data.startswith(MAGIC.encode())


def ranges(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as ``[first, last]`` runs (how the in-use inode map is stored)."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def placeholder(entry: ArchiveEntry) -> bytes:
    """What ufsrestore writes for a restored regular file: a few bytes naming its digest.

    The modelled contents are never materialised; the placeholder lets a test or an admin
    compare a restored tree with the model (``digest`` per file) without gigabytes on disk.
    """
    return (f"svmsim restored file\ninode {entry.inode}\nsize {entry.size}\n"
            f"digest {entry.digest}\n").encode()


def placeholder_digest(data: bytes) -> str | None:
    """The digest recorded in a placeholder file's bytes (None if it is not one)."""
    for line in data.decode("utf-8", errors="replace").splitlines():
        if line.startswith("digest "):
            return line[len("digest "):]
    return None
