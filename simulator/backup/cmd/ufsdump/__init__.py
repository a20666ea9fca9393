"""ufsdump: dump a UFS file system (or a detached submirror) to tape, a file or stdout.

Follows illumos ``usr/src/cmd/backup/dump/``, one module per C file:

- here, ``dumpmain.c``: the key letters and their arguments in key order (:func:`parse_keys`),
  the usage line, the checks and defaults of the options, opening the device, the mapping
  passes, the size estimate (``Estimated N blocks``), and the end (``DUMP IS DONE``);
- :mod:`.fstab` (dumpfstab.c): which file system an argument names, through /etc/vfstab then
  /etc/mnttab;
- :mod:`.itime` (dumpitime.c): /etc/dumpdates;
- :mod:`.optr` (dumpoptr.c): messages, the operator's questions, the abort, the time estimate,
  ``w``/``W``;
- :mod:`.tape` (dumptape.c): the output, the writer, end of media, write errors, rewinds.

Which inodes a dump writes and its size are :func:`simulator.backup.backups.plan_dump`
(dumptraverse.c, dumpitime.c est). Every message goes to stderr prefixed ``"  DUMP: "``;
exit status 0 done, 3 aborted (X_ABORT); the usage and "Cannot open dump device" paths also
exit X_ABORT as the source does. Hand-written messages match Solaris byte for byte.

Time is virtual: mapping passes, writing at the slower of the disk and the output device,
tape rewinds and volume changes advance the host clock (and so resyncs and workloads). The
writing advances it at every estimate; the workloads are held over it and replayed once, as
one long stretch (``FileSystems.long_stretch``), so a 16 TB dump costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.backup.archive import ArchiveHeader
from simulator.backup.backups import DumpPlan, plan_image_dump
from simulator.backup.cmd.ufsdump.fstab import device_exists, mnttabsearch, rawname
from simulator.backup.cmd.ufsdump.itime import getitime, prdate, putitime
from simulator.backup.cmd.ufsdump.optr import X_ABORT, X_FINOK, Operator, lastdump
from simulator.backup.cmd.ufsdump.tape import Writer, mb
from simulator.backup.tapes import DEFAULT_TAPE
from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation
from simulator.core.libc import atoi
from simulator.core.strerror import EACCES, ENOENT

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.ufs.image import Image

NAME = "ufsdump"
USAGE = "Usage: %s [0123456789fustdWwnNDCcbavloS [argument]] filesystem\n"
NTREC, HIGHDENSITYTREC, CARTRIDGETREC, MAXNTREC = 10, 32, 63, 256   # dumprestore.h, dump.h
INT_MAX, FUDGE_FACTOR, ESIZE_SHIFT_MAX = 2 ** 31 - 1, 0x2000000, 6
DISKETTE = "/dev/rfd0c"
NAMELEN = 255 + 2                  # a dumpdates name (N): MAXNAMLEN + 2
LBLSIZE = 15                       # a tape label (L), dumprestore.h
MAP_SECONDS_PER_INODE = 0.00002    # reading inodes in the mapping passes
AUTOLOAD_PERIOD = 12
UNLISTED = "an unlisted file system"
TIMEOUT_UNITS = {"s": 1, "m": 60, "h": 3600}


@dataclass
class DumpKeys:
    """A ufsdump command line as dumpmain.c reads it: the key letters, each letter's
    argument taken in key order, and the file system last.

    ``messages`` are printed (``msg``) in order before anything else; ``error`` ends the
    parse (printed, then dumpabort); ``usage`` means no file system was named;
    ``lastdump`` is ``w`` or ``W`` when one of them ended the parse."""

    key: str = "u"
    incno: str = "9"
    uflag: bool = False
    tape: str = DEFAULT_TAPE
    density: int = 0               # bpi / 10
    tsize: int = 0                 # feet
    tracks: int = 0
    ntrec: int = 0
    bflag: bool = False
    cartridge: bool = False
    diskette: bool = False
    notify: bool = False
    archivefile: str | None = None
    verify: bool = False
    dname: str | None = None
    label: str = "none"
    autoload: bool = False
    autoload_tries: int = 12
    offline: bool = False
    printsize: bool = False
    chdir_to: str | None = None    # M
    disk: str | None = None
    lastdump: str | None = None
    messages: list[str] = field(default_factory=list)
    error: str | None = None
    usage: bool = False

    @property
    def level(self) -> int:
        return int(self.incno)

    @property
    def destination(self) -> str:
        """Where the dump goes: ``f``'s argument (``-``: standard output), the diskette
        with ``D`` and no ``f``, else /dev/rmt/0."""
        if self.diskette and self.tape == DEFAULT_TAPE:
            return DISKETTE
        return self.tape


# the key letters that take an argument, and what a key without it says
_MISSING = {"M": "Missing move-to-dir (M) name\n", "T": "Missing autoload timeout period\n",
            "f": "Missing output device name\n", "d": "Missing density\n",
            "s": "Missing tape size\n", "t": "Missing track count\n",
            "b": "Missing blocking factor\n", "a": "Missing archive file name\n",
            "N": "Missing name for dumpdates entry.\n", "L": "Missing tape label name\n"}


COVERAGE = Coverage(
    source=("usr/src/cmd/backup/dump/dumpmain.c", "usr/src/cmd/backup/dump/dumpfstab.c",
            "usr/src/cmd/backup/dump/dumpitime.c", "usr/src/cmd/backup/dump/dumpoptr.c",
            "usr/src/cmd/backup/dump/dumptape.c", "usr/src/cmd/backup/dump/dumptraverse.c"),
    options=(
        "0123456789: the dump level",
        "u: update /etc/dumpdates",
        "f dump-file: the output: a tape drive, a file, or - for standard output",
        "s size: the tape length in feet (or the volume in blocks with c)",
        "d bpi: the tape density",
        "t tracks: tracks of a cartridge",
        "b factor: the blocking factor",
        "c: cartridge (C the same)",
        "D: diskette",
        "a archive-file: write a table of contents",
        "v: verify the dump after writing it",
        "N name: the dumpdates name",
        "L label: the tape label (cut to 15 characters)",
        "l: autoload: wait for the next cartridge",
        "T timeout: the autoload wait",
        "o: take the drive offline when done",
        "S: print the size estimate, dump nothing",
        "w: the file systems that need a dump (W: every one, with its last dump)",
        "filesystem: a mount point, a block or raw device, or a detached submirror",
    ),
    not_simulated=(
        "n: read; no operator is notified (no wall)",
        "M dir: the chdir message is printed; no per-process directory is used",
        "remote dumps (host:device): no network",
    ),
    messages=(
        USAGE,
        *_MISSING.values(),
        "Each process shall try to chdir to <dir>/<pid>",
        "Unreasonable autoload timeout period",
        "Unknown timeout units indicator `<c>'",
        "Bad output device name",
        "Cannot verify when dumping to standard out.",
        "Density must be a positive integer",
        "Tape size must be a positive integer",
        "Block size must be a positive, even integer <= 512",
        "Bad archive file name",
        "Dumpdates entry name too long.",
        "Dumpdates entry name may not contain white space.",
        "Truncating label to maximum supported length: `<label>'",
        "Bad disk name",
        "Bad option `<c>'",
        "Archiving dump to `<file>'",
        "DUMP IS DONE",
    ),
    notes="Every message goes to stderr prefixed \"  DUMP: \"; the operator's messages, "
          "the estimates and the tape handling are in optr.py and tape.py beside this "
          "module. Exit 0 done, 3 aborted.",
)


def parse_keys(argv: list[str]) -> DumpKeys:
    """Read a ufsdump ``argv`` (``argv[0]`` is the program) as dumpmain.c does: no side
    effect, nothing printed; see :class:`DumpKeys` for what a bad line leaves."""
    args = list(argv[1:])
    k = DumpKeys()
    if args:
        k.key = args.pop(0).removeprefix("-")
    for c in k.key:
        if c in "wW":
            k.lastdump = c
            return k
        if c in _MISSING:
            if not args:
                k.error = _MISSING[c]
                return k
            k.error = _take(k, c, args.pop(0))
        else:
            k.error = _flag(k, c)
        if k.error:
            return k
    if args:
        disk = args.pop(0)
        if disk == "":
            k.error = "Bad disk name\n"
            return k
        k.disk = disk
    k.usage = k.disk is None
    return k


def _take(k: DumpKeys, c: str, value: str) -> str | None:
    """A key letter with an argument; the error text, or None."""
    if c == "M":
        k.chdir_to = value
        k.messages.append(f"Each process shall try to chdir to {value}/<pid>\n")
    elif c == "T":
        count = atoi(value)
        if count < 1:
            return "Unreasonable autoload timeout period\n"
        units = value[-1]
        mult = TIMEOUT_UNITS.get(units, 60 if units.isdigit() else 0)
        if not mult:
            return f"Unknown timeout units indicator `{units}'\n"
        k.autoload_tries = 1 + (count * mult) // AUTOLOAD_PERIOD
    elif c == "f":
        k.tape = value
        if value == "":
            return "Bad output device name\n"
        if value == "-" and k.verify:
            return "Cannot verify when dumping to standard out.\n"
    elif c == "d":
        k.density = atoi(value) // 10
        if k.density <= 0:
            return "Density must be a positive integer\n"
    elif c == "s":
        k.tsize = atoi(value)
        if value.startswith("-") or k.tsize == 0:
            return "Tape size must be a positive integer\n"
    elif c == "t":
        k.tracks = atoi(value)
    elif c == "b":
        n = atoi(value)
        k.bflag = True
        if n <= 0 or n & 1 or n > MAXNTREC * 2:
            return f"Block size must be a positive, even integer <= {MAXNTREC * 2}\n"
        k.ntrec = n // 2
    elif c == "a":
        if value == "":
            return "Bad archive file name\n"
        k.archivefile = value
    elif c == "N":
        return _dname(k, value)
    elif c == "L":
        if value == "":
            return "Missing tape label name\n"
        if len(value) > LBLSIZE:
            value = value[:LBLSIZE]
            k.messages.append(f"Truncating label to maximum supported length: `{value}'\n")
        k.label = value
    return None


def _dname(k: DumpKeys, name: str) -> str | None:
    if name == "":
        return "Missing name for dumpdates entry.\n"
    if len(name) > NAMELEN:
        return "Dumpdates entry name too long.\n"
    if any(ch.isspace() for ch in name):
        return "Dumpdates entry name may not contain white space.\n"
    k.dname = name
    return None


def _flag(k: DumpKeys, c: str) -> str | None:
    """A key letter without an argument; the error text, or None."""
    if c in "0123456789":
        k.incno = c
    elif c == "u":
        k.uflag = True
    elif c in "cC":
        k.cartridge = True
    elif c == "n":
        k.notify = True
    elif c == "v":
        k.verify = True
        if k.tape == "-":
            return "Cannot verify when dumping to standard out.\n"
    elif c == "D":
        k.diskette = True
    elif c == "l":
        k.autoload = True
    elif c == "o":
        k.offline = True
    elif c == "S":
        k.printsize = True
    else:
        return f"Bad option `{c}'\n"
    return None


def main(inv: Invocation) -> int:
    dump = Dump(inv, parse_keys(inv.argv))
    try:
        dump.run()
    except CommandExit:
        if dump.writer is not None:
            dump.writer.finish_output()
        raise
    return X_FINOK


class Dump:
    """One run of ufsdump (dumpmain.c main)."""

    def __init__(self, inv: Invocation, keys: DumpKeys) -> None:
        self.inv = inv
        self.host: Host = inv.host
        self.keys = keys
        self.optr = Operator(inv)
        self.writer: Writer | None = None

    def run(self) -> None:
        self.start()
        tsize = self.check_media()
        filesystem, disk, c_dev = self.find_device()
        k = self.keys
        name = k.dname or disk
        ddate, lastincno = getitime(self.optr, name, k.level)
        image = self.read_image(disk)
        date = int(self.host.clock.now)
        if not k.printsize:
            self.announce(date, ddate, lastincno, disk, filesystem)
        plan = self.map_passes(image, ddate)
        esize, tp_bsize = self.print_estimate(plan, tsize)
        header = ArchiveHeader(
            level=k.level, date=date, ddate=int(ddate), host=self.host.hostname,
            device=c_dev, filesys=filesystem or UNLISTED, label=k.label, volume=1,
            volumes=1, complete=False, ntrec=k.ntrec, tp_bsize=tp_bsize, blocks=0,
            maxino=plan.maxino, clean=image.consistent, damaged=dict(image.damaged),
            inuse_ranges=plan.inuse_ranges)
        self.writer = Writer(self.inv, k, self.optr, header, plan, esize, tsize)
        self.writer.source = disk        # the raw device read (bread's `disk')
        with self.host.fs.long_stretch():     # the workload replayed once: ufs/locks.py
            self.writer.run()
        # success (dumpmain.c after the state loop)
        if k.archivefile:
            self.optr.msg(f"Archiving dump to `{k.archivefile}'\n")
            self.writer.write_toc(k.archivefile)
        self.optr.msg("DUMP IS DONE\n")
        if k.uflag:
            putitime(self.optr, name, k.incno, date)

    def start(self) -> None:
        """What the key letters asked before any dumping: their messages, an error (and
        the abort), ``w``/``W``, or the usage line."""
        k = self.keys
        self.optr.archivefile = k.archivefile
        for text in k.messages:
            self.optr.msg(text)
        if k.lastdump is not None:
            lastdump(self.inv, k.lastdump)
            raise CommandExit(X_FINOK)
        if k.error is not None:
            self.optr.msg(k.error)
            self.optr.dumpabort()
        if k.usage:
            self.inv.err(USAGE % self.inv.prog, end="")
            raise CommandExit(X_ABORT)

    def check_media(self) -> int:
        """The output and its geometry: remote tapes, conflicting options, the defaults of
        density, tracks and blocking; -> the tape size in 0.1-inch units (0: none)."""
        k, optr = self.keys, self.optr
        k.tape = k.destination
        if ":" in k.tape:
            host = k.tape.split(":", 1)[0]
            optr.msg(f"Cannot connect to tape host `{host.split('@')[-1]}'\n")
            optr.dumpabort()
        error = False
        for bad, text in ((k.cartridge, "Cannot select both cartridge and diskette\n"),
                          (k.density, "Cannot select density of diskette\n"),
                          (k.tracks, "Cannot select number of tracks of diskette\n")):
            if bad and k.diskette:
                error = True
                optr.msg(text)
        if error:
            optr.dumpabort()
        if k.density == 0:
            k.density = 100 if k.cartridge else 625
        if k.tracks == 0:
            k.tracks = 9
        if not k.bflag:
            k.ntrec = CARTRIDGETREC if k.cartridge else NTREC if k.diskette else \
                HIGHDENSITYTREC if k.density >= 625 else NTREC
        tsize = k.tsize
        if not k.diskette:
            tsize *= 12 * 10
            if k.cartridge:
                tsize *= k.tracks
        return tsize

    def find_device(self) -> tuple[str | None, str, str]:
        """mnttabsearch, rawname, open64: -> (mount point or None, the raw device dumped,
        the device as the header names it). Exit X_ABORT when it cannot be opened."""
        k = self.keys
        assert k.disk is not None
        dt = mnttabsearch(self.host, k.disk)
        if dt is not None:
            filesystem: str | None = dt.mountp
            disk = rawname(self.host, dt.special)
            c_dev = dt.special
        else:
            filesystem = None
            c_dev = k.disk
            disk = rawname(self.host, k.disk)
        err = self.open_error(disk)
        if err:
            self.optr.msg(f"Cannot open dump device `{disk}': {err}\n")
            raise CommandExit(X_ABORT)
        return filesystem, disk, c_dev

    def open_error(self, disk: str) -> str | None:
        """Why open64(disk) fails, or None (the device exists and may be read)."""
        if not device_exists(self.host, disk):
            return ENOENT
        if self.inv.uid != 0:
            return EACCES
        return None

    def read_image(self, disk: str) -> Image:
        """The super-block: the image the device holds, or the abort."""
        image = self.host.fs.image_of(disk)
        if image is None:
            self.optr.msg(f"Warning - super-block on device `{disk}' is corrupt - run fsck\n")
            self.optr.dumpabort()
        return image

    def announce(self, date: int, ddate: int, lastincno: int, disk: str,
                 filesystem: str | None) -> None:
        k = self.keys
        self.optr.msg(f"Date of this level {k.incno} dump: {prdate(self.host, date)}\n")
        self.optr.msg(f"Date of last level {lastincno} dump: {prdate(self.host, ddate)}\n")
        sdumpdev = "standard output" if k.tape == "-" else k.tape
        where = f"({self.host.hostname[:64]}:{filesystem}) " if filesystem else ""
        self.optr.msg(f"Dumping {disk} {where}to {sdumpdev}.\n")
        self.optr.msg("Mapping (Pass I) [regular files]\n")

    def map_passes(self, image: Image, ddate: int) -> DumpPlan:
        """Pass I and the Pass II rounds (dumptraverse.c mark, add), in virtual time: the
        plan is of the image as the passes start (a mounted file system may change while
        they read it)."""
        k = self.keys
        plan = plan_image_dump(image, ddate, image.geometry.ninodes, k.ntrec)
        self.host.advance(0.1 + plan.count * MAP_SECONDS_PER_INODE)
        for _ in range(plan.pass2_rounds):
            if not k.printsize:
                self.optr.msg("Mapping (Pass II) [directories]\n")
            self.host.advance(0.05)
        return plan

    def print_estimate(self, plan: DumpPlan, tsize: int) -> tuple[int, int]:
        """``Writing N Kilobyte records`` and ``Estimated N blocks``; with ``S`` the size
        in bytes on stdout and exit 0. -> (esize, tp_bsize)."""
        k, optr = self.keys, self.optr
        esize, tp_bsize, fetapes = self.estimate(plan, tsize)
        if tp_bsize != 1024:
            optr.msg(f"Forcing larger tape block size ({tp_bsize}).\n")
        if k.printsize:
            self.inv.out(str(esize * tp_bsize))
            raise CommandExit(X_FINOK)
        optr.msg(f"Writing {k.ntrec * tp_bsize // 1024} Kilobyte records\n")
        blocks = f"Estimated {esize * (tp_bsize // 512)} blocks ({mb(esize, tp_bsize)})"
        if tsize:
            what = "diskettes" if k.diskette else "tapes"
            optr.msg(f"{blocks} on {fetapes:3.2f} {what}.\n")
        else:
            optr.msg(f"{blocks}.\n")
        return esize, tp_bsize

    def estimate(self, plan: DumpPlan, tsize: int) -> tuple[int, int, float]:
        """esize, tp_bsize and the estimated number of tapes."""
        k = self.keys
        tp_bsize = 1024
        esize = plan.esize
        fetapes = 0.0
        if tsize:
            if k.diskette:
                fetapes = (esize + k.ntrec) / tsize
            else:
                irg = 16 if k.cartridge else (6 if k.density == 625 else 12)
                fetapes = (esize * (tp_bsize / k.density) + esize / k.ntrec * irg) / tsize
            extra = int(fetapes)
            esize += extra * (1 + plan.map_blocks + 1)    # nodemap on each further tape
        if esize > INT_MAX - FUDGE_FACTOR:
            shift = (esize + (INT_MAX - FUDGE_FACTOR) - 1) // (INT_MAX - FUDGE_FACTOR) - 1
            if shift > ESIZE_SHIFT_MAX:
                self.optr.msg(f"Block factor {k.ntrec * 2} ('b' flag) is too small for this "
                              "size dump.")
                self.optr.dumpabort()
            tp_bsize = 1024 << shift
            esize = -(-esize // (1 << shift))
            k.ntrec = max(1, k.ntrec * 2 // (tp_bsize // 512))
        return esize, tp_bsize, fetapes
