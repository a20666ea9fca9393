"""ufsdump: dump a UFS file system (or a detached submirror) to tape, a file or stdout.

Follows ``usr/src/cmd/backup/dump/``: key letters and their arguments in key order
(dumpmain.c main), device lookup through /etc/vfstab then /etc/mnttab (dumpfstab.c
mnttabsearch), /etc/dumpdates (dumpitime.c getitime/putitime), the size estimate and the
records written (dumptraverse.c, dumpitime.c est), the writer's end-of-media and write-error
handling and the operator queries (dumptape.c dowrite/rollforward/changevol/tperror,
dumpoptr.c query_once/alarmcatch/timeest). Every message goes to stderr prefixed
``"  DUMP: "`` (dumpoptr.c msg); a query with no terminal aborts the dump (query_once:
``isatty(stdin)`` false -> dumpabort). Exit status: 0 done, 3 aborted (X_ABORT); the
usage and "Cannot open dump device" paths also exit X_ABORT as the source does.

Time is virtual: mapping passes, writing at the slower of the disk and the output device,
tape rewinds and volume changes advance the host clock (and so resyncs and workloads).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from simulator.backup.archive import Archive, ArchiveEntry, ArchiveHeader, ranges
from simulator.backup.backups import (
    DEFAULT_TAPE,
    Backups,
    DumpPlan,
    DumpRecord,
    TapeDrive,
    TapeFile,
    plan_dump,
    tape_unit,
)
from simulator.core.invocation import Invocation
from simulator.core.libc import atoi

if TYPE_CHECKING:
    from simulator.host import Host

NAME = "ufsdump"
USAGE = "Usage: %s [0123456789fustdWwnNDCcbavloS [argument]] filesystem\n"
X_FINOK, X_REWRITE, X_ABORT = 0, 2, 3
NTREC, HIGHDENSITYTREC, CARTRIDGETREC, MAXNTREC = 10, 32, 63, 256   # dumprestore.h, dump.h
NBUF = 64                          # output buffers: the writer estimates once per wrap
EST_SEC = 600                      # dumpoptr.c timeest: every 10 minutes
INT_MAX, FUDGE_FACTOR, ESIZE_SHIFT_MAX = 2 ** 31 - 1, 0x2000000, 6
DISKETTE = "/dev/rfd0c"
MAP_SECONDS_PER_INODE = 0.00002    # reading inodes in the mapping passes
REWIND_SECONDS = 30.0
TAPE_CHANGE_SECONDS = 60.0         # an operator fetching and loading the next cartridge
AUTOLOAD_PERIOD = 12
UNLISTED = "an unlisted file system"
ENOENT, EACCES, EIO = "No such file or directory", "Permission denied", "I/O error"


class _Exit(Exception):
    """Leave ufsdump with this status (Exit() in dumptape.c)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def usage(inv: Invocation) -> int:
    inv.err(USAGE % inv.prog, end="")
    return X_ABORT


def main(inv: Invocation) -> int:
    dump = Dump(inv)
    try:
        dump.run()
    except _Exit as e:
        dump.finish_output()
        return e.code
    return X_FINOK


def f32(x: float) -> float:
    """A C ``float`` (what timeclock's rate arithmetic uses)."""
    return float(struct.unpack("f", struct.pack("f", x))[0])


@dataclass
class Options:
    """The key letters and their arguments (dumpmain.c)."""

    incno: str = "9"
    uflag: bool = False
    tape: str = DEFAULT_TAPE
    density: int = 0
    tsize: int = 0                 # feet, later 0.1" units
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
    disk: str | None = None


@dataclass
class MountEntry:
    special: str
    mountp: str
    mounted: bool


@dataclass
class Output:
    """Where the dump goes: a tape drive, a file, /dev/null or standard output."""

    kind: str                      # "tape" | "file" | "null" | "pipe"
    path: str
    drive: TapeDrive | None = None
    norewind: bool = False
    handle: IO[bytes] | None = None
    volumes: list[TapeFile] = field(default_factory=list)

    @property
    def tapeout(self) -> bool:
        return self.kind == "tape"


class Dump:
    """One run of ufsdump."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.host: Host = inv.host
        self.backups: Backups = inv.host.backups
        self.o = Options()
        self.out: Output | None = None
        self.archive_entries: list[ArchiveEntry] = []
        self.header: ArchiveHeader | None = None
        self.written_entries = 0
        self.complete = False
        self._last_question: str | None = None
        self._timeout = 0
        self.telapsed = 0.0
        self.tstart_writing = 0.0
        self.tschedule = 0.0
        self.clock_ms = 0.0           # timeclock(): time spent writing, in ms

    # ------------------------------------------------------------------ messages
    def msg(self, text: str) -> None:
        self.inv.err("  DUMP: " + text, end="")

    def msgtail(self, text: str) -> None:
        self.inv.err(text, end="")

    def dumpabort(self) -> None:
        """dumptape.c dumpabort: remove the archive (TOC) file, say so, exit 3."""
        if self.o.archivefile:
            try:
                path = self.inv.files.resolve(self.o.archivefile, self.inv.cwd)
                if path.exists():
                    path.unlink()
            except OSError:
                pass
        self.msg("The ENTIRE dump is aborted.\n")
        raise _Exit(X_ABORT)

    def query(self, question: str) -> bool:
        """dumpoptr.c query/query_once: needs an exact yes or no from the terminal."""
        if question != self._last_question:
            self._timeout = 0
            self.telapsed += self.host.clock.now - self.tstart_writing
            self._last_question = question
        self._alarmcatch(question)
        if not self.inv.interactive:
            self.dumpabort()
        while True:
            line = self.inv.readline()
            if line is None:
                self.dumpabort()
                raise AssertionError("unreachable")
            reply = line.lower()
            if reply in ("yes", "no"):
                self._last_question = None
                self.tstart_writing = self.host.clock.now
                return reply == "yes"
            self.msg('"yes" or "no"?\n')
            self._alarmcatch(question)

    def _alarmcatch(self, question: str) -> None:
        if self._timeout:
            self.msgtail("\n")
        self._timeout += 120
        self.msg("NEEDS ATTENTION: " + question)

    # ------------------------------------------------------------------ options
    def parse(self) -> None:
        args = list(self.inv.args)
        key = "u"
        if args:
            key = args.pop(0)
            if key.startswith("-"):
                key = key[1:]
        o = self.o

        def take(missing: str) -> str:
            if not args:
                self.msg(missing)
                self.dumpabort()
            return args.pop(0)

        for c in key:
            if c == "M":
                where = take("Missing move-to-dir (M) name\n")
                self.msg(f"Each process shall try to chdir to {where}/<pid>\n")
            elif c in "wW":
                self.lastdump(c)
                raise _Exit(0)
            elif c == "T":
                value = take("Missing autoload timeout period\n")
                count = atoi(value)
                if count < 1:
                    self.msg("Unreasonable autoload timeout period\n")
                    self.dumpabort()
                units = value[-1]
                mult = {"s": 1, "h": 3600, "m": 60}.get(units, 60 if units.isdigit() else 0)
                if not mult:
                    self.msg(f"Unknown timeout units indicator `{units}'\n")
                    self.dumpabort()
                o.autoload_tries = 1 + (count * mult) // AUTOLOAD_PERIOD
            elif c == "f":
                o.tape = take("Missing output device name\n")
                if o.tape == "":
                    self.msg("Bad output device name\n")
                    self.dumpabort()
                if o.tape == "-" and o.verify:
                    self.msg("Cannot verify when dumping to standard out.\n")
                    self.dumpabort()
            elif c == "d":
                o.density = atoi(take("Missing density\n")) // 10
                if o.density <= 0:
                    self.msg("Density must be a positive integer\n")
                    self.dumpabort()
            elif c == "s":
                value = take("Missing tape size\n")
                o.tsize = atoi(value)
                if value.startswith("-") or o.tsize == 0:
                    self.msg("Tape size must be a positive integer\n")
                    self.dumpabort()
            elif c == "t":
                o.tracks = atoi(take("Missing track count\n"))
            elif c == "b":
                n = atoi(take("Missing blocking factor\n"))
                o.bflag = True
                if n <= 0 or n & 1 or n > MAXNTREC * 2:
                    self.msg(f"Block size must be a positive, even integer <= {MAXNTREC * 2}\n")
                    self.dumpabort()
                o.ntrec = n // 2
            elif c in "cC":
                o.cartridge = True
            elif c in "0123456789":
                o.incno = c
            elif c == "u":
                o.uflag = True
            elif c == "n":
                o.notify = True
            elif c == "a":
                name = take("Missing archive file name\n")
                if name == "":
                    self.msg("Bad archive file name\n")
                    self.dumpabort()
                o.archivefile = name
            elif c == "v":
                o.verify = True
                if o.tape == "-":
                    self.msg("Cannot verify when dumping to standard out.\n")
                    self.dumpabort()
            elif c == "D":
                o.diskette = True
            elif c == "N":
                name = take("Missing name for dumpdates entry.\n")
                if name == "":
                    self.msg("Missing name for dumpdates entry.\n")
                    self.dumpabort()
                if len(name) > 255 + 2:
                    self.msg("Dumpdates entry name too long.\n")
                    self.dumpabort()
                if any(ch.isspace() for ch in name):
                    self.msg("Dumpdates entry name may not contain white space.\n")
                    self.dumpabort()
                o.dname = name
            elif c == "L":
                label = take("Missing tape label name\n")
                if label == "":
                    self.msg("Missing tape label name\n")
                    self.dumpabort()
                if len(label) > 15:
                    label = label[:15]
                    self.msg(f"Truncating label to maximum supported length: `{label}'\n")
                o.label = label
            elif c == "l":
                o.autoload = True
            elif c == "o":
                o.offline = True
            elif c == "S":
                o.printsize = True
            else:
                self.msg(f"Bad option `{c}'\n")
                self.dumpabort()
        if args:
            disk = args.pop(0)
            if disk == "":
                self.msg("Bad disk name\n")
                self.dumpabort()
            o.disk = disk
        if o.disk is None:
            usage(self.inv)
            raise _Exit(X_ABORT)

    # ------------------------------------------------------------------ tables
    def mount_table(self) -> list[MountEntry]:
        """vfstab then mnttab ufs entries (dumpfstab.c mnttabread), mounted flag set."""
        fs = self.host.fs
        if fs is None:
            return []
        vfstab = _table(_text(fs, "vfstab_text"), vfstab=True)
        mnttab = _table(_text(fs, "mnttab_text"), vfstab=False)
        mounted = set(mnttab)
        return [MountEntry(s, m, (s, m) in mounted) for s, m in vfstab] + \
            [MountEntry(s, m, True) for s, m in mnttab]

    def mnttabsearch(self, key: str, mounted: bool = False) -> MountEntry | None:
        first = None
        for mnt in self.mount_table():
            raw = self.rawname(mnt.special)
            found = key in (mnt.mountp, mnt.special, raw) or (
                not key.startswith("/") and (mnt.special[1:] == key or mnt.mountp[1:] == key))
            if not found:
                continue
            if mnt.mounted:
                return mnt
            if first is None:
                first = mnt
        return None if mounted else first

    def lastdump(self, arg: str) -> None:
        """dumpoptr.c lastdump: ``w`` what to dump, ``W`` every file system's last dump."""
        now = self.host.clock.now
        if arg == "w":
            self.inv.out("Dump these file systems:")
        else:
            self.inv.out("Last dump(s) done (Dump '>' file systems):")
        recs = sorted(self.backups.dumpdates, key=lambda r: (r.name, -r.date))
        last = None
        for r in recs:
            if r.name == last:
                continue
            last = r.name
            date = self.host.clock.ctime(r.date)[:16]
            dt = self.mnttabsearch(r.name)
            mnt = dt.mountp if dt else ""
            dumpme = r.date < now - 86400
            if arg == "w" and dumpme:
                self.inv.out(f"{r.name:>8}\t({mnt:>6})")
            if arg == "W":
                self.inv.out(f"{'>' if dumpme else ' '} {r.name:>8}\t({mnt:>6}) Last dump: "
                             f"Level {r.level}, Date {date}")

    # ------------------------------------------------------------------ the dump
    def run(self) -> None:
        o = self.o
        self.parse()
        assert o.disk is not None
        if o.tape == "-":
            pipe = True
        else:
            pipe = False
            if o.diskette and o.tape == DEFAULT_TAPE:
                o.tape = DISKETTE
        if ":" in o.tape:
            host = o.tape.split(":", 1)[0]
            self.msg(f"Cannot connect to tape host `{host.split('@')[-1]}'\n")
            self.dumpabort()
        error = False
        if o.cartridge and o.diskette:
            error = True
            self.msg("Cannot select both cartridge and diskette\n")
        if o.density and o.diskette:
            error = True
            self.msg("Cannot select density of diskette\n")
        if o.tracks and o.diskette:
            error = True
            self.msg("Cannot select number of tracks of diskette\n")
        if error:
            self.dumpabort()
        if o.density == 0:
            o.density = 100 if o.cartridge else 625
        if o.tracks == 0:
            o.tracks = 9
        if not o.bflag:
            o.ntrec = CARTRIDGETREC if o.cartridge else NTREC if o.diskette else \
                HIGHDENSITYTREC if o.density >= 625 else NTREC
        tsize = o.tsize
        if not o.diskette:
            tsize *= 12 * 10
            if o.cartridge:
                tsize *= o.tracks

        # which device (dumpmain.c: mnttabsearch, rawname, open)
        dt = self.mnttabsearch(o.disk)
        if dt is not None:
            filesystem: str | None = dt.mountp
            disk = self.rawname(dt.special)
            c_dev = dt.special
        else:
            filesystem = None
            c_dev = o.disk
            disk = self.rawname(o.disk)
        err = self.open_error(disk)
        if err:
            self.msg(f"Cannot open dump device `{disk}': {err}\n")
            raise _Exit(X_ABORT)
        level = int(o.incno)
        name = o.dname or disk
        if not self.backups.dumpdates_exists:
            self.msg("Warning - dump record file `/etc/dumpdates' does not exist\n")
        ddate, lastincno = self.backups.last_dump(name, level)
        image = self.image_of(disk)
        if image is None:
            self.msg(f"Warning - super-block on device `{disk}' is corrupt - run fsck\n")
            self.dumpabort()
        entries = list(image.entries())
        ninodes = int(getattr(getattr(image, "geometry", None), "ninodes", 0)) or len(entries)
        clean = bool(getattr(image, "consistent", True))
        damaged = dict(getattr(image, "damaged", {}) or {})

        date = int(self.host.clock.now)
        if not o.printsize:
            self.msg(f"Date of this level {o.incno} dump: {self.prdate(date)}\n")
            self.msg(f"Date of last level {lastincno} dump: {self.prdate(ddate)}\n")
            sdumpdev = "standard output" if pipe else o.tape
            where = f"({self.host.hostname[:64]}:{filesystem}) " if filesystem else ""
            self.msg(f"Dumping {disk} {where}to {sdumpdev}.\n")
            self.msg("Mapping (Pass I) [regular files]\n")
        self.host.advance(0.1 + len(entries) * MAP_SECONDS_PER_INODE)
        plan = plan_dump(entries, ddate, ninodes, o.ntrec)
        for _ in range(plan.pass2_rounds):
            if not o.printsize:
                self.msg("Mapping (Pass II) [directories]\n")
            self.host.advance(0.05 + plan.pass2_rounds * 0.0)
        esize, tp_bsize, fetapes = self.estimate(plan, tsize)
        if tp_bsize != 1024:
            self.msg(f"Forcing larger tape block size ({tp_bsize}).\n")
        if not o.printsize:
            self.msg(f"Writing {o.ntrec * tp_bsize // 1024} Kilobyte records\n")
        if o.printsize:
            self.inv.out(str(esize * tp_bsize))
            raise _Exit(0)
        if tsize:
            what = "diskettes" if o.diskette else "tapes"
            self.msg(f"Estimated {esize * (tp_bsize // 512)} blocks ({mb(esize, tp_bsize)}) "
                     f"on {fetapes:3.2f} {what}.\n")
        else:
            self.msg(f"Estimated {esize * (tp_bsize // 512)} blocks "
                     f"({mb(esize, tp_bsize)}).\n")

        self.header = ArchiveHeader(
            level=level, date=date, ddate=int(ddate), host=self.host.hostname,
            device=c_dev, filesys=filesystem or UNLISTED, label=o.label, volume=1,
            volumes=1, complete=False, ntrec=o.ntrec, tp_bsize=tp_bsize, blocks=0,
            maxino=plan.maxino, clean=clean, damaged=damaged,
            inuse_ranges=ranges(e.inode for e in entries))
        self.archive_entries = plan.entries + plan.names
        Writer(self, plan, esize, tsize, pipe).run()

        # success (dumpmain.c after the state loop)
        if self.o.archivefile:
            self.msg(f"Archiving dump to `{self.o.archivefile}'\n")
            self.write_toc()
        self.msg("DUMP IS DONE\n")
        if o.uflag:
            self.backups.record_dumpdate(name, level, date)
            self.msg(f"Level {o.incno} dump on {self.prdate(date)}\n")

    def prdate(self, when: float) -> str:
        """dumpitime.c prdate: ``the epoch`` for 0, else strftime ``%c`` (C locale)."""
        return "the epoch" if not when else self.host.clock.ctime(when)

    def estimate(self, plan: DumpPlan, tsize: int) -> tuple[int, int, float]:
        """esize, tp_bsize and the estimated number of tapes (dumpmain.c)."""
        o = self.o
        tp_bsize = 1024
        esize = plan.esize
        fetapes = 0.0
        if tsize:
            if o.diskette:
                fetapes = (esize + o.ntrec) / tsize
            else:
                irg = 16 if o.cartridge else (6 if o.density == 625 else 12)
                fetapes = (esize * (tp_bsize / o.density) + esize / o.ntrec * irg) / tsize
            extra = int(fetapes)
            esize += extra * (1 + plan.map_blocks + 1)    # nodemap on each further tape
        if esize > INT_MAX - FUDGE_FACTOR:
            shift = (esize + (INT_MAX - FUDGE_FACTOR) - 1) // (INT_MAX - FUDGE_FACTOR) - 1
            if shift > ESIZE_SHIFT_MAX:
                self.msg(f"Block factor {o.ntrec * 2} ('b' flag) is too small for this "
                         "size dump.")
                self.dumpabort()
            tp_bsize = 1024 << shift
            esize = -(-esize // (1 << shift))
            o.ntrec = max(1, o.ntrec * 2 // (tp_bsize // 512))
        return esize, tp_bsize, fetapes

    # ------------------------------------------------------------------ devices
    def open_error(self, disk: str) -> str | None:
        """Why open64(disk) fails, or None (the device exists and may be read)."""
        if not self.device_exists(disk):
            return ENOENT
        if self.inv.uid != 0:
            return EACCES
        return None

    def rawname(self, path: str) -> str:
        """dumpmain.c rawname: an existing block device's character device, else as is."""
        raw = rawname(path)
        return raw if raw != path and self.device_exists(path) else path

    def device_exists(self, path: str) -> bool:
        vm = self.host.md
        parts = path.split("/")
        if path.startswith("/dev/md/"):
            if len(parts) == 5 and parts[3] in ("dsk", "rdsk"):
                return parts[4] in vm.sets[""].units
            if len(parts) == 6 and parts[4] in ("dsk", "rdsk"):
                s = vm.sets.get(parts[3])
                return s is not None and parts[5] in s.units
            return False
        if path.startswith(("/dev/dsk/", "/dev/rdsk/")) and len(parts) == 4:
            from simulator.core.names import split_slice
            sl = split_slice(parts[3])
            disk = self.host.disks.get(sl[0]) if sl else None
            return disk is not None and sl is not None and sl[1] in disk.slices
        return False

    def image_of(self, disk: str) -> Any:
        fs = self.host.fs
        if fs is None or not hasattr(fs, "image_of"):
            return None
        try:
            return fs.image_of(disk)
        except (KeyError, ValueError, LookupError):
            return None

    def open_output(self) -> None:
        """otape: open the output, asking the operator to retry when it cannot be opened."""
        o = self.o
        if o.tape == "-":
            self.out = Output("pipe", "standard output")
            return
        while True:
            err = self._try_open()
            if err is None:
                return
            dumpdev = f"{self.host.hostname}:{o.tape}"
            if not self.query(f"Cannot open `{dumpdev}'.  Do you want to retry the open?: "
                              '("yes" or "no") '):
                self.dumpabort()

    def _try_open(self) -> str | None:
        o = self.o
        if o.tape == "/dev/null":
            self.out = Output("null", o.tape)
            return None
        unit = tape_unit(o.tape)
        if unit is not None:
            drive = self.backups.tape(o.tape)
            if drive is None:
                return ENOENT
            cart = drive.cartridge
            if cart is None:
                return EIO
            if cart.write_protected:
                return EACCES
            self.out = Output("tape", o.tape, drive, unit[1])
            return None
        if o.tape.startswith("/dev/"):
            return ENOENT
        try:
            handle = self.inv.files.open_write(o.tape, self.inv.cwd)
        except OSError as e:
            return e.strerror or EIO
        self.out = Output("file", o.tape, handle=handle)
        return None

    # ------------------------------------------------------------------ results
    def archive(self, complete: bool, upto: int | None = None, volume: int = 1) -> Archive:
        assert self.header is not None
        h = ArchiveHeader(**{**self.header.to_dict(), "complete": complete, "volume": volume})
        dumped = [e for e in self.archive_entries if e.dumped]
        names = [e for e in self.archive_entries if not e.dumped]
        if upto is not None and upto < len(dumped):
            h.written = upto
            ndirs = sum(1 for e in dumped if e.kind == "d")
            if upto < ndirs:              # died among the directories: nothing more is there
                return Archive(h, dumped[:upto])
        return Archive(h, dumped + names)

    def write_toc(self) -> None:
        assert self.o.archivefile is not None
        try:
            with self.inv.files.open_write(self.o.archivefile, self.inv.cwd) as f:
                f.write(self.archive(True).to_bytes())
        except OSError as e:
            self.msg(f"Cannot open archive file `{self.o.archivefile}': "
                     f"{e.strerror or EIO}\n")
            self.dumpabort()

    def finish_output(self) -> None:
        """Leave what was written behind: a partial archive when the dump died."""
        out = self.out
        if out is None or self.header is None:
            return
        if not self.complete:
            arch = self.archive(False, self.written_entries)
            if out.kind == "file" and out.handle is not None:
                out.handle.write(arch.to_bytes())
            elif out.kind == "pipe":
                self.inv.stdout.write(arch.to_bytes())
            elif out.kind == "tape" and out.volumes:
                for i, tf in enumerate(out.volumes):
                    tf.text = self.archive(False, self.written_entries, i + 1).to_text()
            self.backups.dumps.append(DumpRecord(out.path, self.header.device,
                                                 self.header.level, self.header.date, False,
                                                 max(1, len(out.volumes))))
        if out.handle is not None:
            out.handle.close()
            out.handle = None


class Writer:
    """The tape writer and the master's volume handling (dumptape.c), in virtual time."""

    def __init__(self, dump: Dump, plan: DumpPlan, esize: int, tsize: int, pipe: bool) -> None:
        self.d = dump
        self.plan = plan
        self.esize = esize
        self.tsize = tsize
        self.pipe = pipe
        o = dump.o
        self.ntrec = o.ntrec
        mapr = plan.map_blocks + -(-plan.map_blocks // 512)
        # the record stream after each volume's TS_TAPE header: maps, inodes, TS_END
        self.offsets: list[int] = []
        pos = mapr + (0 if plan.empty else mapr)
        for r in plan.records:
            self.offsets.append(pos)
            pos += r
        self.stream = pos + self.ntrec
        ndirs = sum(1 for e in plan.entries if e.kind == "d")
        dirs_end = self.offsets[ndirs] if ndirs < len(self.offsets) else pos
        # the master queues records up to NBUF tape blocks ahead of the writer
        self.pass4_at = max(0, dirs_end - NBUF * self.ntrec)
        self.phase = 0
        self.irg = 16 if o.cartridge else (6 if o.density == 625 else 12)
        self.asize_per = (self.ntrec * 1024) // o.density + self.irg

    def rate(self) -> float:
        d = self.d
        out = d.out
        dest = d.backups.file_rate_kbs
        if out is not None and out.drive is not None:
            dest = out.drive.rate_kbs
        return max(1.0, min(d.backups.disk_rate_kbs, dest))

    def inode_at(self, rec: int) -> int:
        ino = 2
        for off, e in zip(self.offsets, self.plan.entries, strict=False):
            if off > rec:
                break
            ino = e.inode
        return ino

    def entries_before(self, rec: int) -> int:
        """Entries whose every record was written before stream record ``rec``."""
        n = 0
        for off, r in zip(self.offsets, self.plan.records, strict=False):
            if off + r <= rec:
                n += 1
            else:
                break
        return n

    def run(self) -> None:
        d = self.d
        host = d.host
        d.open_output()
        out = d.out
        assert out is not None
        d.telapsed = 0.0
        fail_at: int | None = None
        if d.backups.fail_after_fraction is not None:
            fail_at = max(1, int(self.esize * d.backups.fail_after_fraction))
            d.backups.fail_after_fraction = None
        tapea = 0            # records generated (spcl.c_tapea)
        done = 0             # stream records on earlier volumes
        volno = 0
        vol_start_entries: list[int] = []
        first_ino = 2
        while True:
            volno += 1
            vol_start_entries.append(first_ino)
            if volno > 1:
                d.msg(f"Volume {volno} begins with blocks from inode {first_ino}\n")
            d.tstart_writing = host.clock.now
            if not d.tschedule:
                d.tschedule = int(host.clock.now) + EST_SEC
            self.timeest(False, tapea)           # otape: timeest(0, spcl.c_tapea)
            cap = self.capacity(out)
            phase_at_start = self.phase
            written = 1                  # the TS_TAPE header
            tapea += 1
            self.phase_messages(done)
            k, outcome = self.write_volume(cap, fail_at, tapea, done)
            part = min(k * self.ntrec, self.stream - done)
            written += part
            tapea += part
            asize = k * self.asize_per
            stream_done = done + written - 1
            d.written_entries = self.entries_before(stream_done)
            if outcome == "done":
                self.store_volume(out, volno, written)
                break
            if outcome == "error":
                self.write_error(out, volno, asize, written)
                self.phase = phase_at_start      # the checkpoint predates these messages
                fail_at = None
                tapea -= written
                volno -= 1
                vol_start_entries.pop()
                continue
            # end of media: rollforward -> close_rewind -> changevol -> otape(0)
            d.msg("End-of-tape detected\n" if out.tapeout else "End-of-file detected\n")
            self.store_volume(out, volno, written)
            self.close_rewind(out)
            done = stream_done
            first_ino = self.inode_at(done)
            self.changevol(out, volno + 1, tapea)
        self.trewind(out)
        d.complete = True
        # the writer reports the address of the last TS_END record of the last full block
        final = (tapea // self.ntrec) * self.ntrec - 1 if tapea >= self.ntrec else tapea
        d.header.volumes = volno                                     # type: ignore[union-attr]
        d.header.blocks = final * 2                                  # type: ignore[union-attr]
        d.header.complete = True                                     # type: ignore[union-attr]
        d.header.volume_inodes = vol_start_entries                   # type: ignore[union-attr]
        for e in d.archive_entries:
            e.volume = self.volume_of(e, vol_start_entries)
        self.publish(out)
        vols = f"on {volno} volumes" if volno > 1 else "on 1 volume"
        line = f"{final * 2} blocks ({mb(final, 1024)}) {vols}"
        ms = int(d.clock_ms)
        if ms:
            line += f" at {int(f32(f32(float(final)) / f32(float(ms))) * 1000.0)} KB/sec"
        d.msg(line + "\n")

    def write_volume(self, cap: int | None, fail_at: int | None, tapea: int,
                     done: int) -> tuple[int, str]:
        """Write tape blocks until the dump ends, the volume is full, the tape size (``s``)
        is used up or a write fails; -> (blocks of ``ntrec`` records written, outcome).

        Time passes in one step per event (a progress estimate, the Pass IV message, the
        end), not per block: a terabyte dump costs a few hundred steps.
        """
        d = self.d
        host = d.host
        n = self.ntrec
        inf = 1 << 62
        n_end = -(-(self.stream - done) // n)
        cap_max = (cap - 1) // n if cap is not None else inf
        fault_max = max(0, (fail_at - tapea) // n) if fail_at is not None else inf
        tsize_k = self.tsize // self.asize_per + 1 if self.tsize > 0 and not self.pipe \
            else inf
        limit = min(n_end, cap_max, fault_max, tsize_k)
        dt = n / self.rate()
        t0 = host.clock.now
        k = 0
        while k < limit:
            nxt = limit
            if self.phase == 1:
                k_p = max(k + 1, -(-(self.pass4_at - done) // n))
                nxt = min(nxt, k_p)
            w = max(k + 1, int(-(-(d.tschedule - t0) // dt)) if dt > 0 else k + 1)
            w = -(-w // NBUF) * NBUF
            nxt = min(nxt, w)
            host.advance(t0 + nxt * dt - host.clock.now)
            d.clock_ms += (nxt - k) * dt * 1000
            k = nxt
            if k % NBUF == 0:
                self.timeest(False, tapea + 1 + min(k * n, self.stream - done))
            self.phase_messages(done + k * n)
        if limit == n_end:
            return k, "done"
        if limit == fault_max:
            return k, "error"
        return k, "eot"

    def phase_messages(self, position: int) -> None:
        """The master's "Dumping (Pass III/IV)" lines, once each, as it gets there."""
        if self.d.o.verify and self.phase >= 2:
            return
        if self.phase == 0:
            self.d.msg("Dumping (Pass III) [directories]\n")
            self.phase = 1
        if self.phase == 1 and position >= self.pass4_at:
            self.d.msg("Dumping (Pass IV) [regular files]\n")
            self.phase = 2

    def volume_of(self, e: ArchiveEntry, starts: list[int]) -> int:
        vol = 1
        for i, ino in enumerate(starts[1:], start=2):
            if e.kind != "d" and e.inode >= ino:
                vol = i
        return vol

    def capacity(self, out: Output) -> int | None:
        """Records this volume can hold (None: a file or pipe, limited only by ``s``)."""
        if out.drive is None:
            return None
        cart = out.drive.cartridge
        if cart is None:
            return None
        free = cart.capacity - cart.used_before(out.drive.position)
        return max(0, free // 2)

    def timeest(self, force: bool, blkswritten: int) -> None:
        """dumpoptr.c timeest: percent done and time left, every ten minutes."""
        d = self.d
        tnow = int(d.host.clock.now)
        if (force or tnow >= d.tschedule) and blkswritten:
            d.tschedule = tnow + EST_SEC
            if not force and blkswritten < 50 * self.ntrec:
                return
            elapsed = d.telapsed + (tnow - int(d.tstart_writing))
            deltat = int(elapsed * (self.esize / blkswritten - 1.0))
            d.msg(f"{blkswritten * 100.0 / self.esize:3.2f}% done, finished in "
                  f"{deltat // 3600}:{(deltat % 3600) // 60:02d}\n")

    def store_volume(self, out: Output, volno: int, records: int) -> None:
        """Put this volume's archive on the cartridge (tape) as a tape file."""
        if out.drive is None:
            return
        cart = out.drive.cartridge
        assert cart is not None
        tf = TapeFile(self.d.archive(False, self.d.written_entries, volno).to_text(),
                      records * 2)
        del cart.files[out.drive.position:]
        cart.files.append(tf)
        out.volumes.append(tf)
        out.drive.position += 1

    def publish(self, out: Output) -> None:
        """The dump finished: write the complete archive where it belongs."""
        d = self.d
        arch = d.archive(True)
        if out.kind == "file" and out.handle is not None:
            out.handle.write(arch.to_bytes())
        elif out.kind == "pipe":
            d.inv.stdout.write(arch.to_bytes())
        for i, tf in enumerate(out.volumes):
            tf.text = d.archive(True, None, i + 1).to_text()
        assert d.header is not None
        d.backups.dumps.append(DumpRecord(out.path, d.header.device, d.header.level,
                                          d.header.date, True, d.header.volumes,
                                          d.header.blocks))

    def _rewinding(self, out: Output) -> bool:
        return out.tapeout and not out.norewind

    def close_rewind(self, out: Output) -> None:
        if self._rewinding(out) or (out.tapeout and self.d.o.offline):
            self.d.msg("Tape rewinding\n")
            self.d.host.advance(REWIND_SECONDS)
        if out.drive is not None:
            if not out.norewind:
                out.drive.rewind()
            if self.d.o.offline or self.d.o.autoload:
                out.drive.rewind()

    def trewind(self, out: Output) -> None:
        """End of the dump: rewind (or take offline with ``o``)."""
        o = self.d.o
        if o.offline and not o.verify:
            self.close_rewind(out)
            if out.drive is not None:
                out.drive.loaded = -1
            return
        if self._rewinding(out):
            self.d.msg("Tape rewinding\n")
            self.d.host.advance(REWIND_SECONDS)
        if out.drive is not None and not out.norewind:
            out.drive.rewind()
        if o.verify:
            self.verify(out)

    def verify(self, out: Output) -> None:
        """``v``: read the volume back (costs the same time again)."""
        d = self.d
        d.msg("Finished writing last dump volume\n")
        d.msg("Starting verify pass\n")
        secs = self.stream / self.rate()
        d.host.advance(secs)
        d.clock_ms += secs * 1000
        if self._rewinding(out):
            d.msg("Tape rewinding\n")
            d.host.advance(REWIND_SECONDS)
        if d.o.offline and out.drive is not None:
            out.drive.loaded = -1

    def changevol(self, out: Output, volno: int, tapea: int) -> None:
        """dumptape.c changevol: ask for the next volume (or autoload it)."""
        d = self.d
        o = d.o
        dumpdev = f"{d.host.hostname}:{o.tape}"
        volname = f"#{volno}" if o.label == "none" else o.label
        if o.autoload:
            d.telapsed += d.host.clock.now - d.tstart_writing
            d.msg(f"Mounting volume #{volno} on {dumpdev}\n")
            drive = out.drive
            if drive is not None and drive.loaded + 1 < len(drive.cartridges):
                d.host.advance(AUTOLOAD_PERIOD)
                drive.load_next()
                return
            d.host.advance(AUTOLOAD_PERIOD * o.autoload_tries)
            d.tstart_writing = d.host.clock.now
        self.timeest(True, tapea)
        d.msg(f"Change Volumes: Mount volume `{volname}' on `{dumpdev}'\n")
        while not d.query(f"Is the new volume ({volname}) mounted on `{dumpdev}' and ready "
                          'to go?: ("yes" or "no") '):
            if d.query('Do you want to abort dump?: ("yes" or "no") '):
                d.dumpabort()
        d.host.advance(TAPE_CHANGE_SECONDS)
        if out.drive is not None:
            out.drive.load_next()
        elif out.kind == "file" and out.handle is not None:
            out.handle.seek(0)
            out.handle.truncate()

    def write_error(self, out: Output, volno: int, asize: int, written: int) -> None:
        """dowrite's write error, then tperror in the master (restart or abort)."""
        d = self.d
        o = d.o
        if out.tapeout:
            feet = (asize // o.tracks if o.cartridge else asize) // 120
            d.msg(f"Write error {feet} feet into tape {volno}\n")
        else:
            d.msg(f"Write error {asize * 2} blocks into volume {volno}\n")
        if self.pipe:
            d.msg("Write error on standard output\n")
            d.msg("Cannot recover\n")
            d.dumpabort()
        if not d.query('Do you want to restart?: ("yes" or "no") '):
            d.dumpabort()
        if out.tapeout and (not out.norewind or o.offline):
            d.msg("This tape will rewind.  After it is rewound,\nreplace the faulty tape "
                  "with a new one;\nthis dump volume will be rewritten.\n")
        self.trewind_only(out)
        # the parent (otape, X_REWRITE) asks for a volume and rewrites this one
        self.changevol(out, volno, 0)
        if out.drive is not None:
            cart = out.drive.cartridge
            if cart is not None:
                del cart.files[out.drive.position:]

    def trewind_only(self, out: Output) -> None:
        if self._rewinding(out):
            self.d.msg("Tape rewinding\n")
            self.d.host.advance(REWIND_SECONDS)
        if out.drive is not None and not out.norewind:
            out.drive.rewind()


def mb(blks: int, tp_bsize: int) -> str:
    """dumpmain.c mb(): ``NKB`` below 1024 tape blocks, else ``%.2fMB``."""
    if blks < 1024:
        return f"{blks}KB"
    return f"{blks * tp_bsize / (1024 * 1024):.2f}MB"


def rawname(path: str) -> str:
    """The character device of a block device (``/dev/md/dsk/d1`` -> ``/dev/md/rdsk/d1``);
    anything else unchanged (dumpmain.c rawname: only block devices are renamed)."""
    parts = path.split("/")
    if path.startswith("/dev/") and "dsk" in parts[2:-1]:
        i = parts.index("dsk", 2)
        parts[i] = "rdsk"
        return "/".join(parts)
    return path


def _text(obj: Any, method: str) -> str:
    fn = getattr(obj, method, None)
    try:
        return str(fn()) if callable(fn) else ""
    except Exception:   # a table the fs model cannot render is an empty table
        return ""


def _table(text: str, vfstab: bool) -> list[tuple[str, str]]:
    """(special, mount point) of the ufs lines of /etc/vfstab or /etc/mnttab."""
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        f = line.split()
        if vfstab:
            if len(f) >= 4 and f[3] == "ufs":
                rows.append((f[0], f[2]))
        elif len(f) >= 3 and f[2] == "ufs":
            rows.append((f[0], f[1]))
    return rows

