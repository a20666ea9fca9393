"""The captures an import reads: one text per command, from files or one archive.

The archive (decided; ``drivers/svm-capture.sh`` writes it) is a POSIX tar file, as Solaris
9, 10 and 11's own ``tar cf`` writes one, or a directory, holding one file per capture under
the names of :data:`CAPTURE_FILES` (``prtvtoc.<disk>`` once per disk), each the command's
standard output as it printed it, plus ``MANIFEST`` (what ran, when, on which host; read by
people, not by the importer). A member may sit under one top directory
(``svm-capture/metastat-p``). Only regular files are read, each at most
:data:`MAX_CAPTURE_BYTES`, and nothing is ever extracted to disk: an archive is input from
anyone.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from simulator.core.errors import Error
from simulator.core.names import DISK_RE

MAX_CAPTURE_BYTES = 16 << 20       # one capture: a metastat of 8,192 units is about 4 MB

# archive member -> (Captures field, what printed it)
CAPTURE_FILES: dict[str, tuple[str, str]] = {
    "metastat-p": ("metastat_p", "metastat -p"),
    "metastat": ("metastat", "metastat"),
    "metadb": ("metadb", "metadb"),
    "metahs-i": ("metahs", "metahs -i"),
    "format": ("format", "format </dev/null"),
    "vfstab": ("vfstab", "cat /etc/vfstab"),
    "mnttab": ("mnttab", "cat /etc/mnttab"),
    "uname-a": ("uname", "uname -a"),
    "release": ("release", "cat /etc/release"),
    "df-k": ("df", "df -k"),
}
PRTVTOC_PREFIX = "prtvtoc."       # prtvtoc.c0t0d0: prtvtoc /dev/rdsk/c0t0d0s2


class CaptureError(Error):
    """A capture that cannot be read or parsed (one line, naming the capture)."""


class Unimportable(CaptureError):
    """Something the simulator cannot be made to be (a diskset, RAID-5, a trans
    metadevice), naming the capture's line: never a silently different host."""


@dataclass(frozen=True)
class Capture:
    """One command's output and where it came from (``cap.tar:metastat-p``)."""

    source: str
    text: str

    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass
class Captures:
    """Every capture of one host; ``metastat_p`` is the only one required."""

    metastat_p: Capture | None = None
    metastat: Capture | None = None
    metadb: Capture | None = None
    metahs: Capture | None = None
    format: Capture | None = None
    vfstab: Capture | None = None
    mnttab: Capture | None = None
    uname: Capture | None = None
    release: Capture | None = None
    df: Capture | None = None
    prtvtoc: dict[str, Capture] = field(default_factory=dict)    # disk -> its prtvtoc

    def given(self) -> list[Capture]:
        """Every capture present, in :data:`CAPTURE_FILES` order then the disks'."""
        out = [getattr(self, attr) for attr, _ in CAPTURE_FILES.values()]
        return [c for c in out if c is not None] + [self.prtvtoc[d] for d in
                                                    sorted(self.prtvtoc)]

    def set(self, member: str, capture: Capture) -> None:
        """Store the capture of archive member ``member`` (``prtvtoc.c0t0d0``...)."""
        if member.startswith(PRTVTOC_PREFIX):
            disk = member[len(PRTVTOC_PREFIX):]
            if not DISK_RE.match(disk):
                raise CaptureError(f"{capture.source}: not a disk name like c0t0d0 after "
                                   f"'prtvtoc.' ({disk!r})")
            self.prtvtoc[disk] = capture
            return
        setattr(self, CAPTURE_FILES[member][0], capture)


def _decode(data: bytes) -> str:
    """Solaris prints ASCII; anything else (a locale's names in vfstab) as Latin-1 so that
    no byte is refused."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def known_member(name: str) -> bool:
    return name in CAPTURE_FILES or name.startswith(PRTVTOC_PREFIX)


def read_file(path: str) -> Capture:
    """One capture file given by its own option (``--metastat F``)."""
    p = Path(path)
    try:
        if not p.is_file():
            raise CaptureError(f"{path}: not a regular file")
        if p.stat().st_size > MAX_CAPTURE_BYTES:
            raise CaptureError(f"{path}: larger than {MAX_CAPTURE_BYTES >> 20} MB: not a "
                               "capture")
        return Capture(path, _decode(p.read_bytes()))
    except OSError as e:
        raise CaptureError(f"{path}: {e.strerror or e}") from None


def read_archive(path: str, into: Captures | None = None) -> Captures:
    """The captures in a tar archive or a directory (module docstring)."""
    caps = into if into is not None else Captures()
    p = Path(path)
    if p.is_dir():
        found = False
        for f in sorted(p.rglob("*")):
            if f.is_file() and known_member(f.name):
                caps.set(f.name, read_file(str(f)))
                found = True
        if not found:
            raise CaptureError(f"{path}: no captures in this directory (metastat-p, "
                               "metastat, metadb... as drivers/svm-capture.sh writes them)")
        return caps
    try:
        with tarfile.open(path, "r:*") as tar:
            members = tar.getmembers()
            found = False
            for m in members:
                name = m.name.rstrip("/").rsplit("/", 1)[-1]
                if not known_member(name):
                    continue
                if not m.isfile():
                    raise CaptureError(f"{path}: {m.name}: not a regular file")
                if m.size > MAX_CAPTURE_BYTES:
                    raise CaptureError(f"{path}: {m.name}: larger than "
                                       f"{MAX_CAPTURE_BYTES >> 20} MB: not a capture")
                member = tar.extractfile(m)
                if member is None:
                    raise CaptureError(f"{path}: {m.name}: cannot be read")
                caps.set(name, Capture(f"{path}:{name}", _decode(member.read())))
                found = True
    except FileNotFoundError:
        raise CaptureError(f"{path}: No such file or directory") from None
    except (tarfile.TarError, EOFError, OSError) as e:
        raise CaptureError(f"{path}: not a capture archive (a tar file as "
                           f"drivers/svm-capture.sh writes): {e}") from None
    if not found:
        raise CaptureError(f"{path}: no captures in this archive (metastat-p, metastat, "
                           "metadb... as drivers/svm-capture.sh writes them)")
    return caps



def where(capture: Capture, lineno: int) -> str:
    """``cap.tar:metastat-p line 7: d50 -r ...`` for messages naming a line."""
    lines = capture.lines()
    text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    return f"{capture.source} line {lineno}: {text}"
