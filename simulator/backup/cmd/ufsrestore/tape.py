"""ufsrestore's input side (illumos ``usr/src/cmd/backup/restore/tape.c``).

setinput/setup open the input (``perror(<device>)``-style ``<device>: <strerror>`` when it
cannot be opened, in Solaris wording), check the volume (``Volume is not in dump format``,
``This is not volume 1 of the dump``, ``Incorrect tape label``, the ``Media block size``
with ``v``) and read the header and maps; printdumpinfo prints the header (``Dump   date``,
``Dumped from``, ``Level N dump of ...``, ``Label``); getvol asks which volume to read or
to mount (``Specify next volume #:``, ``Mount volume N``); extractfile writes one file;
closemt rewinds a tape or leaves a no-rewind one past the file read. Reading costs virtual
time at the medium's rate. Hand-written messages match Solaris byte for byte.

The input is a :class:`simulator.backup.tapes.Medium`: a tape, a file, standard input
(``-``), or the ``a`` archive file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.backup.archive import Archive, ArchiveEntry, ArchiveError, parse, placeholder
from simulator.backup.tapes import Medium, open_tape, tape_unit
from simulator.core.libc import atoi
from simulator.core.strerror import ENOENT, ENOTTY, SysError, oserror_text

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore

MAXTAPES = 128
REWIND_SECONDS = 30.0
TP_BSIZE = 1024
MAX_RECORD = 63 * 1024             # the largest first record read from a non-dump file


def blocks(size: int) -> int:
    """Tape blocks (TP_BSIZE) a file of ``size`` bytes takes."""
    return -(-size // TP_BSIZE)


def _media(data: bytes) -> int:
    """The block size a non-dump file reads as (its first record, in 512-byte blocks)."""
    return min(len(data), MAX_RECORD) // 512


def open_source(r: Restore, dev: str) -> tuple[Medium, bytes] | str:
    """Open ``dev`` and read the dump file under the head (a tape is first spaced
    forward to dump ``s``); the strerror text if it cannot be opened."""
    if dev == "-":
        return Medium("pipe", dev), r.inv.stdin
    if tape_unit(dev) is not None:
        try:
            src = open_tape(r.backups.tape(dev), dev, write=False)
        except SysError as e:
            return e.text
        drive = src.drive
        assert drive is not None and drive.cartridge is not None
        files = drive.cartridge.files
        if r.dumpnum > 1 and r.volno <= 1:
            drive.position += r.dumpnum - 1
        if drive.position >= len(files):
            return src, b""
        return src, files[drive.position].text.encode()
    if dev.startswith("/dev/"):
        return ENOENT
    try:
        with r.inv.files.open_read(dev, r.inv.cwd) as f:
            data = f.read()
    except OSError as e:
        return oserror_text(e)
    if r.dumpnum > 1:
        r.err(f"ioctl MTFSF: {ENOTTY}\n")
    return Medium("file", dev), data


def setinput(r: Restore) -> tuple[Medium, bytes]:
    """Open the ``a`` archive file, else the input device; exit 1 when it cannot be."""
    if r.archivefile:
        try:
            with r.inv.files.open_read(r.archivefile, r.inv.cwd) as f:
                data = f.read()
        except OSError as e:
            r.err(f"{r.archivefile}: {oserror_text(e)}\n")
            r.done(1)
        r.volno = 0
        return Medium("archive", r.archivefile), data
    opened = open_source(r, r.inputdev)
    if isinstance(opened, str):
        r.err(f"{r.inputdev}: {opened}\n")
        r.done(1)
    src, data = opened
    r.volno = 1
    if src.kind == "pipe" and r.dumpnum > 1:
        r.err("Cannot have multiple dumps on pipe input\n")
        r.done(1)
    return src, data


def setup(r: Restore) -> Archive:
    """Open, check the volume, read the header and the maps."""
    r.vprintf("Verify volume and initialize maps\n")
    src, data = setinput(r)
    r.source = src
    try:
        arch = parse(data)
    except ArchiveError:
        arch = None
    if arch is None or not data:
        if src.kind != "pipe" and data:
            r.vprintf(f"Media block size is {_media(data)}\n")
        r.err("Volume is not in dump format\n")
        r.done(1)
    if src.kind != "pipe":
        r.vprintf(f"Media block size is {arch.header.ntrec * 2}\n")
    h = arch.header
    if r.label is not None and r.label != h.label:
        r.err(f"Incorrect tape label.  Expected `{r.label}', got `{h.label}'\n")
        r.done(1)
    if r.vflag and r.command != "t":
        printdumpinfo(r, arch)
    if src.kind != "archive" and h.volume != 1:
        r.err("This is not volume 1 of the dump\n")
        r.done(1)
    r.arch = arch
    r.tapesread.add(1)
    r.dirs = arch.children()
    r.by_path = arch.by_path()
    r.dumpmap = {e.inode for e in arch.entries if e.dumped}
    kb = sum(blocks(e.size) + 1 for e in arch.entries if e.dumped and e.kind == "d")
    cost(r, kb)
    return arch


def cost(r: Restore, kb: int) -> None:
    """Reading costs virtual time at the medium's rate."""
    rate = r.backups.file_rate_kbs
    if r.source is not None and r.source.drive is not None:
        rate = r.source.drive.rate_kbs
    r.host.advance(kb / max(1.0, rate))


def close(r: Restore) -> None:
    """closemt: a rewinding tape rewinds; a no-rewind one moves past the file read."""
    src = r.source
    if src is None or src.drive is None:
        return
    if r.offline:
        r.err("Rewinding tape\n")
    if src.norewind and not r.offline:
        src.drive.position += 1
    else:
        src.drive.rewind()
        r.host.advance(REWIND_SECONDS)
    if r.offline:
        src.drive.loaded = -1
    r.source = None


def printdumpinfo(r: Restore, arch: Archive) -> None:
    """The dump header (``v``, and ``what`` in ``i``)."""
    h = arch.header
    ck = r.host.clock.ctime
    r.inv.out(f"Dump   date: {ck(h.date)}")
    r.inv.out(f"Dumped from: {'the epoch' if not h.ddate else ck(h.ddate)}")
    r.inv.out(f"Level {h.level} dump of {h.filesys} on {h.host[:64]}:{h.device}")
    r.inv.out(f"Label: {h.label}")
    if r.source is not None and r.source.kind == "archive" and h.volume_inodes:
        r.inv.out("Starting inode numbers by volume:")
        for i, ino in enumerate(h.volume_inodes, start=1):
            r.inv.out(f"\tVolume {i}: {ino:6d}")


def past_end(r: Restore, name: str) -> bool:
    """A file past the end of a dump that died: readtape() meets the end of the
    volume and asks for the next one (from a pipe it meets the end-of-tape mark)."""
    src = r.source
    if src is None or src.kind == "pipe":
        r.err(f"{name}: not found on volume\n")
        return False
    getvol(r, r.volno + 1, want=True)
    return False


def getvol(r: Restore, nextvol: int, want: bool) -> None:
    """Ask which volume to read (or to mount the next one)."""
    if nextvol == 1:
        r.tapesread.clear()
    newvol = nextvol if want else 0
    while newvol <= 0:
        if not r.tapesread:
            r.err("You have not read any volumes yet.\n"
                  "Unless you know which volume your file(s) are on you should start\n"
                  "with the last volume and work towards the first.\n")
        else:
            r.err("You have read volumes: "
                  + ", ".join(str(v) for v in sorted(r.tapesread)) + "\n")
        line = ""
        while True:
            r.err("Specify next volume #: ")
            got = r.inv.readline()
            if got is None:
                r.done(1)
                return
            line = got
            if line != "":
                break
        newvol = atoi(line)
        if newvol <= 0:
            r.err("Volume numbers are positive numerics\n")
        if newvol > MAXTAPES:
            r.err(f"This program can only deal with {MAXTAPES} volumes\n")
            newvol = 0
    if newvol == r.volno:
        r.tapesread.add(newvol)
        return
    while True:
        magtape = r.inputdev
        r.err(f"Mount volume {newvol}\nthen enter volume name (default: {magtape}) ")
        got = r.inv.readline()
        if got is None:
            r.done(1)
            return
        if got:
            magtape = got
        src = r.source
        if src is not None and src.drive is not None and magtape == r.inputdev:
            drive = src.drive
            if drive.loaded + 1 < len(drive.cartridges):
                drive.loaded += 1
                drive.position = 0
        opened = open_source(r, magtape)
        if isinstance(opened, str):
            r.err(f"Cannot open {magtape}: {opened}\n")
            continue
        src2, data = opened
        try:
            vol = parse(data)
        except ArchiveError:
            r.err("volume is not in dump format\n")
            continue
        want_vol = newvol if want else vol.header.volume
        if vol.header.volume != want_vol:
            r.err(f"Wrong volume ({vol.header.volume})\n")
            continue
        r.source = src2
        r.volno = vol.header.volume
        r.tapesread.add(r.volno)
        return


def extractfile(r: Restore, name: str, e: ArchiveEntry) -> None:
    """extractfile for a regular file or symbolic link."""
    path = r.local(name)
    if e.kind == "l":
        try:
            if path.is_symlink() or path.exists():
                path.unlink()
            r.inv.files.symlink(e.target or "", r.at(name), "/")
            r.vprintf(f"Create symbolic link {name}->{e.target}\n")
        except OSError as err:
            r.err(f"Warning: cannot create symbolic link {name}->{e.target}: "
                  f"{oserror_text(err)}")
        return
    if e.kind == "d":
        return
    r.vprintf(f"extract file {name}\n")
    try:
        with path.open("wb") as f:
            f.write(placeholder(e))
    except OSError as err:
        r.err(f"{name}: cannot create file: {oserror_text(err)}\n")
        return
    try:
        r.inv.files.chmod(r.at(name), "/", (e.mode & 0o7777) | 0o600)
        r.inv.files.utime(r.at(name), "/", e.mtime)
    except OSError:
        pass
