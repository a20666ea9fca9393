"""ufsrestore: list, extract and rebuild from svmsim dump archives (files, tapes, stdin).

Follows ``usr/src/cmd/backup/restore/``: key parsing and usage (main.c), the input setup
(tape.c setinput/setup: ``perror(<device>)``, "Volume is not in dump format", "This is not
volume 1 of the dump", ``Media block size``), directory scans (dirs.c treescan: an entry of a
dumped directory is visited, a dumped directory is descended), the listing
``"%10lu\\t%s\\n"`` (restore.c listfile; ``v`` prefixes ``leaf``/``dir ``), extraction
(restore.c createfiles, tape.c extractfile, utilities.c pathcheck/newnode), the volume
prompts (tape.c getvol) and ``set owner/mode for '.'? [yn] `` (dirs.c setdirmodes,
utilities.c reply), and ``r``'s symbol table ``./restoresymtable`` with its level check
(symtab.c initsymtable: "Incremental volume too low/high" -- the 2005 source says *volume*).

Restored regular files are small placeholders naming their digest (``archive.placeholder``);
directories, symbolic links, modes and times are real. Exit status 0, or 1 (done(1)).
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.backup.archive import Archive, ArchiveEntry, ArchiveError, parse, placeholder
from simulator.backup.backups import DEFAULT_TAPE, Backups, TapeDrive, tape_unit
from simulator.core.invocation import Invocation
from simulator.core.libc import atoi

if TYPE_CHECKING:
    from simulator.host import Host

NAME = "ufsrestore"
USAGE = ("Usage:\n\t{p} tabcdfhsvyLloT [file file ...]\n\t{p} xabcdfhmsvyLloT [file file ...]\n"
         "\t{p} iabcdfhmsvyLloT\n\t{p} rabcdfsvyLloT\n\t{p} RabcdfsvyLloT\n\n"
         "a requires an archive file name\nb requires a blocking factor\n"
         "f requires a dump file\ns requires a file number\nL requires a tape label\n"
         "If set, the envar TMPDIR selects where temporary files are kept\n")
SYMTABLE = "./restoresymtable"
SYMTAB_MAGIC = "svmsim-restoresymtable 1"
TMPHDR = "RSTTMP"
MAXTAPES = 128
ENOENT, EIO, ENOTTY = "No such file or directory", "I/O error", \
    "Inappropriate ioctl for device"
REWIND_SECONDS = 30.0
LEAF, NODE = "leaf", "node"


class _Done(Exception):
    """done(code): leave ufsrestore."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def usage(inv: Invocation) -> int:
    inv.err(USAGE.format(p=inv.prog), end="")
    return 1


def main(inv: Invocation) -> int:
    r = Restore(inv)
    try:
        r.run()
    except _Done as e:
        r.close()
        return e.code
    r.close()
    return 0


def canon(raw: str) -> str:
    """interactive.c canon: ``./``-rooted, no doubled or trailing ``/``, no ``.``/``..``."""
    if raw == "." or raw.startswith("./"):
        name = raw
    elif raw.startswith("/"):
        name = "." + raw
    else:
        name = "./" + raw
    while "//" in name:
        name = name.replace("//", "/")
    if len(name) > 1 and name.endswith("/"):
        name = name[:-1]
    parts: list[str] = []
    for p in name.split("/")[1:]:
        if p == ".":
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return "/".join(["."] + parts)


@dataclass
class Source:
    """Where the dump is read from."""

    kind: str                       # "file" | "tape" | "pipe" | "archive"
    path: str
    drive: TapeDrive | None = None
    norewind: bool = False


@dataclass
class Sym:
    """A symbol-table entry: an inode's name in the restored tree."""

    ino: int
    path: str
    kind: str
    flags: set[str] = field(default_factory=set)


class Restore:
    """One run of ufsrestore."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.host: Host = inv.host
        self.backups: Backups = inv.host.backups
        self.command = ""
        self.vflag = self.yflag = self.dflag = False
        self.hflag = self.mflag = True
        self.offline = False
        self.dumpnum = 1
        self.inputdev = DEFAULT_TAPE
        self.archivefile: str | None = None
        self.label: str | None = None
        self.names: list[str] = []
        self.source: Source | None = None
        self.arch: Archive | None = None
        self.volno = 0
        self.tapesread: set[int] = set()
        self.dirs: dict[str, list[ArchiveEntry]] = {}
        self.by_path: dict[str, ArchiveEntry] = {}
        self.dumpmap: set[int] = set()
        self.syms: dict[int, Sym] = {}
        self.existed: set[str] = set()

    # ------------------------------------------------------------------ output
    def vprintf(self, text: str) -> None:
        if self.vflag:
            self.inv.out(text, end="")

    def err(self, text: str) -> None:
        self.inv.err(text, end="")

    def done(self, code: int) -> None:
        raise _Done(code)

    def root(self) -> Path:
        return self.inv.files.resolve(".", self.inv.cwd)

    def local(self, name: str) -> Path:
        """``./a/b`` under the current directory."""
        return self.root() / name[2:] if name != "." else self.root()

    # ------------------------------------------------------------------ options
    def parse(self) -> None:
        args = list(self.inv.args)
        if not args:
            usage(self.inv)
            self.done(1)
        key = args.pop(0)

        def need(missing: str) -> str:
            if not args:
                self.err(missing)
                self.done(1)
            return args.pop(0)

        for c in key:
            if c == "T":
                value = need("Missing autoload timeout period\n")
                if atoi(value) < 1:
                    self.err(f"Unreasonable autoload timeout period `{value}'\n")
                    self.done(1)
                units = value[-1]
                if units not in "shm" and not units.isdigit():
                    self.err(f"Unknown timeout units indicator `{units}'\n")
                    self.done(1)
            elif c in "lcD-":
                pass
            elif c == "o":
                self.offline = True
            elif c == "a":
                name = need("missing archive file name\n")
                if name == "":
                    self.err("empty archive file name\n")
                    self.done(1)
                self.archivefile = name
            elif c == "d":
                self.dflag = True
            elif c == "h":
                self.hflag = False
            elif c == "m":
                self.mflag = False
            elif c == "v":
                self.vflag = True
            elif c == "y":
                self.yflag = True
            elif c == "f":
                dev = need("missing device specifier\n")
                if dev == "":
                    self.err("empty device specifier\n")
                    self.done(1)
                self.inputdev = dev
            elif c == "b":
                n = atoi(need("missing block size\n"))
                if n <= 0 or n & 1:
                    self.err("Block size must be a positive, even integer\n")
                    self.done(1)
            elif c == "s":
                self.dumpnum = atoi(need("missing dump number\n"))
                if self.dumpnum <= 0:
                    self.err("Dump number must be a positive integer\n")
                    self.done(1)
            elif c in "tRrxi":
                if self.command:
                    self.err(f"{c} and {self.command} are mutually exclusive\n")
                    usage(self.inv)
                    self.done(1)
                self.command = c
            elif c == "L":
                if not args or args[0] == "":
                    self.err("Missing tape label name\n")
                    self.done(1)
                label = args.pop(0)
                if len(label) > 15:
                    label = label[:15]
                    self.err(f"Truncating label to maximum supported length: `{label}'\n")
                self.label = label
            else:
                self.err(f"Bad key character {c}\n")
                usage(self.inv)
                self.done(1)
        if not self.command:
            self.err("must specify i, t, r, R, or x\n")
            usage(self.inv)
            self.done(1)
        self.names = args or ["." if self.mflag else "2"]

    # ------------------------------------------------------------------ input
    def run(self) -> None:
        self.parse()
        if ":" in self.inputdev:
            self.err(f"{self.inputdev.split(':', 1)[0]}: unknown host\n")
            self.done(1)
        if self.inputdev == "-" and self.archivefile:
            self.err("Cannot specify an archive file when reading from a pipe\n")
            self.done(1)
        {"t": self.cmd_t, "x": self.cmd_x, "r": self.cmd_r, "R": self.cmd_r,
         "i": self.cmd_i}[self.command]()

    def open_source(self, dev: str) -> tuple[Source, bytes] | str:
        """Open ``dev`` and read the dump file under the head; an error text if it fails."""
        if dev == "-":
            return Source("pipe", dev), self.inv.stdin
        unit = tape_unit(dev)
        if unit is not None:
            drive = self.backups.tape(dev)
            if drive is None:
                return ENOENT
            cart = drive.cartridge
            if cart is None:
                return EIO
            src = Source("tape", dev, drive, unit[1])
            if self.dumpnum > 1 and self.volno <= 1:
                drive.position += self.dumpnum - 1
            if drive.position >= len(cart.files):
                return src, b""
            return src, cart.files[drive.position].text.encode()
        if dev.startswith("/dev/"):
            return ENOENT
        try:
            with self.inv.files.open_read(dev, self.inv.cwd) as f:
                data = f.read()
        except OSError as e:
            return e.strerror or EIO
        if self.dumpnum > 1:
            self.err(f"ioctl MTFSF: {ENOTTY}\n")
        return Source("file", dev), data

    def setup(self) -> Archive:
        """tape.c setup: open, check the volume, read the header and the maps."""
        self.vprintf("Verify volume and initialize maps\n")
        if self.archivefile:
            try:
                with self.inv.files.open_read(self.archivefile, self.inv.cwd) as f:
                    data = f.read()
            except OSError as e:
                self.err(f"{self.archivefile}: {e.strerror or EIO}\n")
                self.done(1)
            src = Source("archive", self.archivefile)
            self.volno = 0
        else:
            opened = self.open_source(self.inputdev)
            if isinstance(opened, str):
                self.err(f"{self.inputdev}: {opened}\n")
                self.done(1)
            assert not isinstance(opened, str)
            src, data = opened
            self.volno = 1
            if src.kind == "pipe" and self.dumpnum > 1:
                self.err("Cannot have multiple dumps on pipe input\n")
                self.done(1)
        self.source = src
        try:
            arch = parse(data)
        except ArchiveError:
            arch = None
        if arch is None or not data:
            if src.kind != "pipe" and data:
                self.vprintf(f"Media block size is {_media(data)}\n")
            self.err("Volume is not in dump format\n")
            self.done(1)
        assert arch is not None
        if src.kind != "pipe":
            self.vprintf(f"Media block size is {arch.header.ntrec * 2}\n")
        h = arch.header
        if self.label is not None and self.label != h.label:
            self.err(f"Incorrect tape label.  Expected `{self.label}', got `{h.label}'\n")
            self.done(1)
        if self.vflag and self.command != "t":
            self.printdumpinfo(arch)
        if src.kind != "archive" and h.volume != 1:
            self.err("This is not volume 1 of the dump\n")
            self.done(1)
        self.arch = arch
        self.tapesread.add(1)
        self.dirs = arch.children()
        self.by_path = arch.by_path()
        self.dumpmap = {e.inode for e in arch.entries if e.dumped}
        blocks = sum(_blocks(e.size) + 1 for e in arch.entries if e.dumped and e.kind == "d")
        self.cost(blocks)
        return arch

    def cost(self, kb: int) -> None:
        """Reading costs virtual time at the medium's rate."""
        rate = self.backups.file_rate_kbs
        if self.source is not None and self.source.drive is not None:
            rate = self.source.drive.rate_kbs
        self.host.advance(kb / max(1.0, rate))

    def close(self) -> None:
        """closemt: a rewinding tape rewinds; a no-rewind one moves past the file read."""
        src = self.source
        if src is None or src.drive is None:
            return
        if self.offline:
            self.err("Rewinding tape\n")
        if src.norewind and not self.offline:
            src.drive.position += 1
        else:
            src.drive.rewind()
            self.host.advance(REWIND_SECONDS)
        if self.offline:
            src.drive.loaded = -1
        self.source = None

    def printdumpinfo(self, arch: Archive) -> None:
        h = arch.header
        ck = self.host.clock.ctime
        self.inv.out(f"Dump   date: {ck(h.date)}")
        self.inv.out(f"Dumped from: {'the epoch' if not h.ddate else ck(h.ddate)}")
        self.inv.out(f"Level {h.level} dump of {h.filesys} on {h.host[:64]}:{h.device}")
        self.inv.out(f"Label: {h.label}")
        if self.source is not None and self.source.kind == "archive" and h.volume_inodes:
            self.inv.out("Starting inode numbers by volume:")
            for i, ino in enumerate(h.volume_inodes, start=1):
                self.inv.out(f"\tVolume {i}: {ino:6d}")

    # ------------------------------------------------------------------ tree
    def psearch(self, name: str) -> int:
        e = self.by_path.get(name)
        return e.inode if e is not None else 0

    def dirlookup(self, name: str) -> int:
        ino = self.psearch(name)
        if ino == 0 or ino not in self.dumpmap:
            self.err(f"{name} is not on volume\n")
        return ino

    def is_node(self, e: ArchiveEntry) -> bool:
        """A dumped directory (in the directory table read from the volume)."""
        return e.kind == "d" and e.dumped

    def treescan(self, name: str, visit: object) -> None:
        """dirs.c treescan: visit ``name``; descend a dumped directory in directory order."""
        e = self.by_path.get(name)
        if e is None:
            return
        fn = visit  # (name, entry, type) -> descend?
        if not self.is_node(e):
            fn(name, e, LEAF)  # type: ignore[operator]
            return
        if not fn(name, e, NODE):  # type: ignore[operator]
            return
        for child in self.dirs.get(name, []):
            self.treescan(child.path, fn)

    def expand(self, name: str) -> list[str]:
        """Shell-style patterns in a name (``*``, ``?``, ``[...]``) against the dump."""
        if not any(ch in name for ch in "*?["):
            return [name]
        return sorted(p for p in self.by_path if fnmatch.fnmatchcase(p, name))

    # ------------------------------------------------------------------ t
    def cmd_t(self) -> None:
        arch = self.setup()
        self.vprintf("Extract directories from tape\n")
        self.vprintf("Initialize symbol table.\n")
        if self.vflag:
            self.printdumpinfo(arch)
        if not arch.dumped():
            self.done(0)
        for raw in self.names:
            name = canon(raw)
            if self.dirlookup(name) == 0:
                continue
            self.treescan(name, self.listfile)
        self.done(0)

    def listfile(self, name: str, e: ArchiveEntry, typ: str) -> bool:
        if e.inode in self.dumpmap:
            self.vprintf("leaf" if typ == LEAF else "dir ")
            self.inv.out(f"{e.inode:10d}\t{name}")
        return self.hflag

    # ------------------------------------------------------------------ x
    def cmd_x(self) -> None:
        arch = self.setup()
        self.vprintf("Extract directories from tape\n")
        self.vprintf("Initialize symbol table.\n")
        if not arch.dumped():
            self.done(0)
        self.syms = {2: Sym(2, ".", NODE, {"NEW"})}
        for raw in self.names:
            if self.mflag:
                for name in self.expand(canon(raw)):
                    if self.dirlookup(name) == 0:
                        continue
                    self.pathcheck(name)
                    self.treescan(name, self.addfile)
            else:
                ino = atoi(raw)
                if raw.startswith("-") or ino < 2:
                    self.err(f"bad inode number: {ino}\n")
                    self.done(1)
                e = next((x for x in arch.entries if x.inode == ino), None)
                if e is not None:
                    self.treescan(e.path, self.addfile)
        self.createfiles()
        self.vprintf("Add links\n")
        self.setdirmodes()
        if self.dflag:
            self.vprintf("Check the symbol table.\n")
        self.done(0)

    def pathcheck(self, name: str) -> None:
        """utilities.c pathcheck: every directory leading to ``name`` exists."""
        parts = name.split("/")
        for i in range(2, len(parts)):
            d = "/".join(parts[:i])
            ino = self.psearch(d)
            if ino not in self.syms:
                self.syms[ino] = Sym(ino, d, NODE)
                self.newnode(d)
            self.syms[ino].flags |= {"NEW", "KEEP"}

    def addfile(self, name: str, e: ArchiveEntry, typ: str) -> bool:
        if e.inode not in self.dumpmap:
            return self.hflag
        if not self.mflag:
            name = f"./{e.inode}"
            if typ == NODE:
                self.local(name).mkdir(exist_ok=True)
                return self.hflag
        sym = self.syms.get(e.inode)
        if sym is not None and sym.path == name:
            sym.flags.add("NEW")
            return self.hflag
        self.syms[e.inode] = Sym(e.inode, name, typ, {"NEW"})
        if typ == NODE:
            self.newnode(name)
        return self.hflag

    def newnode(self, name: str) -> None:
        if name == ".":
            return
        try:
            self.local(name).mkdir()
            self.vprintf(f"Make node {name}\n")
        except FileExistsError:
            self.existed.add(name)
            self.err(f"Warning: {name}: File exists\n")
        except OSError as e:
            self.existed.add(name)
            self.err(f"Warning: {name}: {e.strerror}\n")

    def createfiles(self) -> None:
        """restore.c createfiles: the volume the files are on, then each file in order."""
        arch = self.arch
        assert arch is not None
        self.vprintf("Extract requested files\n")
        wanted = sorted((s for s in self.syms.values() if s.kind == LEAF and "NEW" in s.flags),
                        key=lambda s: s.ino)
        if not wanted:
            return
        src = self.source
        assert src is not None
        if src.kind == "archive":
            self.getvol(1, want=True)
        elif src.kind != "pipe":
            self.getvol(1, want=False)
        total = 0
        for sym in wanted:
            e = next((x for x in arch.entries if x.inode == sym.ino and x.dumped), None)
            if e is None:
                continue
            if e.volume > self.volno and self.source is not None \
                    and self.source.kind != "pipe":
                self.getvol(e.volume, want=True)
            if not arch.on_media(e) and not self.past_end(sym.path):
                continue
            self.extractfile(sym.path, e)
            total += _blocks(e.size) + 1
        self.cost(total)

    def past_end(self, name: str) -> bool:
        """A file past the end of a dump that died: readtape() meets the end of the
        volume and asks for the next one (from a pipe it meets the end-of-tape mark)."""
        src = self.source
        if src is None or src.kind == "pipe":
            self.err(f"{name}: not found on volume\n")
            return False
        self.getvol(self.volno + 1, want=True)
        return False

    def getvol(self, nextvol: int, want: bool) -> None:
        """tape.c getvol: ask which volume to read (or to mount the next one)."""
        if nextvol == 1:
            self.tapesread.clear()
        newvol = nextvol if want else 0
        while newvol <= 0:
            if not self.tapesread:
                self.err("You have not read any volumes yet.\n"
                         "Unless you know which volume your file(s) are on you should start\n"
                         "with the last volume and work towards the first.\n")
            else:
                self.err("You have read volumes: "
                         + ", ".join(str(v) for v in sorted(self.tapesread)) + "\n")
            line = ""
            while True:
                self.err("Specify next volume #: ")
                got = self.inv.readline()
                if got is None:
                    self.done(1)
                    return
                line = got
                if line != "":
                    break
            newvol = atoi(line)
            if newvol <= 0:
                self.err("Volume numbers are positive numerics\n")
            if newvol > MAXTAPES:
                self.err(f"This program can only deal with {MAXTAPES} volumes\n")
                newvol = 0
        if newvol == self.volno:
            self.tapesread.add(newvol)
            return
        while True:
            magtape = self.inputdev
            self.err(f"Mount volume {newvol}\nthen enter volume name (default: {magtape}) ")
            got = self.inv.readline()
            if got is None:
                self.done(1)
                return
            if got:
                magtape = got
            src = self.source
            if src is not None and src.drive is not None and magtape == self.inputdev:
                drive = src.drive
                if drive.loaded + 1 < len(drive.cartridges):
                    drive.loaded += 1
                    drive.position = 0
            opened = self.open_source(magtape)
            if isinstance(opened, str):
                self.err(f"Cannot open {magtape}: {opened}\n")
                continue
            src2, data = opened
            try:
                vol = parse(data)
            except ArchiveError:
                self.err("volume is not in dump format\n")
                continue
            want_vol = newvol if want else vol.header.volume
            if vol.header.volume != want_vol:
                self.err(f"Wrong volume ({vol.header.volume})\n")
                continue
            self.source = src2
            self.volno = vol.header.volume
            self.tapesread.add(self.volno)
            return

    def extractfile(self, name: str, e: ArchiveEntry) -> None:
        """tape.c extractfile for a regular file or symbolic link."""
        path = self.local(name)
        if e.kind == "l":
            try:
                if path.is_symlink() or path.exists():
                    path.unlink()
                os.symlink(e.target or "", path)
                self.vprintf(f"Create symbolic link {name}->{e.target}\n")
            except OSError as err:
                self.err(f"Warning: cannot create symbolic link {name}->{e.target}: "
                         f"{err.strerror}")
            return
        if e.kind == "d":
            return
        self.vprintf(f"extract file {name}\n")
        try:
            with open(path, "wb") as f:
                f.write(placeholder(e))
        except OSError as err:
            self.err(f"{name}: cannot create file: {err.strerror}\n")
            return
        try:
            os.chmod(path, (e.mode & 0o7777) | 0o600)
            os.utime(path, (e.mtime, e.mtime))
        except OSError:
            pass

    def setdirmodes(self) -> None:
        """dirs.c setdirmodes (x/i): ask about '.', then set directory modes and times."""
        self.vprintf("Set directory mode, owner, and times.\n")
        arch = self.arch
        assert arch is not None
        override: bool | None = None
        for e in arch.entries:
            if not self.is_node(e):
                continue
            sym = self.syms.get(e.inode)
            if sym is None:
                continue
            if self.command in "xi":
                if sym.path in self.existed:
                    if override is None:
                        override = self.reply("Directories already exist, set modes anyway")
                    if not override:
                        continue
                if e.inode == 2 and not self.reply("set owner/mode for '.'"):
                    continue
            self.set_modes(sym.path, e)

    def set_modes(self, name: str, e: ArchiveEntry) -> None:
        path = self.local(name)
        try:
            os.chmod(path, (e.mode & 0o7777) | 0o700)
            os.utime(path, (e.mtime, e.mtime))
        except OSError:
            pass

    def reply(self, question: str) -> bool:
        """utilities.c reply: ``<question>? [yn] `` until y or n; end of input is no."""
        while True:
            self.err(f"{question}? [yn] ")
            line = self.inv.readline()
            if line is None:
                return False
            c = line[:1].lower()
            if c in ("y", "n"):
                return c == "y"

    # ------------------------------------------------------------------ r / R
    def cmd_r(self) -> None:
        arch = self.setup()
        h = arch.header
        if not arch.dumped():                 # an empty dump: only the maps were written
            self.initsymtable_file()
            self.dumpsymtable(1)
            self.done(0)
        if self.command == "R":
            self.initsymtable_file()
            self.vprintf("Continue extraction of new leaves\n")
        elif h.ddate > 0:
            self.vprintf("Begin incremental restore\n")
            self.initsymtable_file()
            self.vprintf("Extract directories from tape\n")
            self.removeoldleaves()
            self.vprintf("Calculate node updates.\n")
            self.treescan(".", self.nodeupdates)
            self.findunreflinks()
            self.removeoldnodes()
        else:
            self.vprintf("Begin level 0 restore\n")
            self.vprintf("Initialize symbol table.\n")
            self.syms = {2: Sym(2, ".", NODE, {"NEW"})}
            self.vprintf("Extract directories from tape\n")
            self.vprintf("Calculate extraction list.\n")
            self.treescan(".", self.nodeupdates)
        self.createleaves()
        self.vprintf("Add links\n")
        self.setdirmodes()
        self.vprintf("Check the symbol table.\n")
        if self.dflag:
            self.vprintf("Verify the directory structure\n")
        self.dumpsymtable(1)
        self.done(0)

    def initsymtable_file(self) -> None:
        """symtab.c initsymtable(./restoresymtable): the restore so far."""
        arch = self.arch
        assert arch is not None
        self.vprintf("Initialize symbol table.\n")
        path = self.local(SYMTABLE)
        try:
            data = json.loads(path.read_text())
            if data.get("magic") != SYMTAB_MAGIC:
                raise ValueError("magic")
        except FileNotFoundError:
            self.err(f"open: {ENOENT}\n")
            self.err(f"cannot open symbol table file {SYMTABLE}\n")
            self.done(1)
            return
        except (OSError, ValueError):
            self.err(f"cannot read symbol table file {SYMTABLE}\n")
            self.done(1)
            return
        if self.command == "r" and int(data["dumpdate"]) != arch.header.ddate:
            if int(data["dumpdate"]) < arch.header.ddate:
                self.err("Incremental volume too low\n")
            else:
                self.err("Incremental volume too high\n")
            self.done(1)
        self.syms = {int(i): Sym(int(i), str(p), str(k)) for i, p, k in data["entries"]}

    def dumpsymtable(self, volno: int) -> None:
        self.vprintf("Check pointing the restore\n")
        arch = self.arch
        assert arch is not None
        data = {"magic": SYMTAB_MAGIC, "volno": volno, "dumptime": arch.header.ddate,
                "dumpdate": arch.header.date, "maxino": arch.header.maxino,
                "ntrec": arch.header.ntrec,
                "entries": [[s.ino, s.path, s.kind] for s in sorted(self.syms.values(),
                                                                     key=lambda s: s.ino)]}
        try:
            self.local(SYMTABLE).write_text(json.dumps(data))
        except OSError as e:
            self.err(f"fopen: {e.strerror}\n")
            self.err(f"cannot create save file {SYMTABLE} for symbol table\n")
            self.done(1)

    def removeoldleaves(self) -> None:
        """Entries whose inodes are no longer in use on the dumped file system go."""
        self.vprintf("Mark entries to be removed.\n")
        arch = self.arch
        assert arch is not None
        inuse = arch.header.inuse if arch.header.inuse_ranges else \
            {e.inode for e in arch.entries}
        self._removed_dirs: list[Sym] = []
        for sym in sorted(self.syms.values(), key=lambda s: s.ino):
            if sym.ino == 2 or sym.ino in inuse:
                continue
            if sym.kind == LEAF:
                self.removeleaf(sym.path)
                del self.syms[sym.ino]
            else:
                self._removed_dirs.append(sym)
                del self.syms[sym.ino]

    def removeleaf(self, name: str) -> None:
        path = self.local(name)
        try:
            path.unlink()
            self.vprintf(f"Remove leaf {name}\n")
        except OSError as e:
            self.err(f"Warning: {name}: {e.strerror}\n")

    def renameit(self, old: str, new: str) -> None:
        try:
            os.rename(self.local(old), self.local(new))
            self.vprintf(f"rename {old} to {new}\n")
        except OSError as e:
            self.err(f"Warning: cannot rename {old} to {new}: {e.strerror}\n")

    def nodeupdates(self, name: str, e: ArchiveEntry, typ: str) -> bool:
        """restore.c nodeupdates, by inode and name: keep, rename, add or extract."""
        ontape = e.inode in self.dumpmap
        np = next((s for s in self.syms.values() if s.path == name), None)
        ip = self.syms.get(e.inode)
        if np is not None and ip is not None and np is not ip:
            tmp = f"{name.rsplit('/', 1)[0]}/{TMPHDR}0{np.ino}"
            self.renameit(np.path, tmp)
            np.path = tmp
            np.flags.add("TMPNAME")
            np = None
        if ip is not None and ontape and ip.kind != typ:
            if ip.kind == LEAF:
                self.removeleaf(ip.path)
            del self.syms[e.inode]
            ip = None
        if ip is not None:
            if ip.path != name and "KEEP" not in ip.flags:
                if np is not None and np.kind == LEAF:
                    self.removeleaf(np.path)
                    del self.syms[np.ino]
                self.renameit(ip.path, name)
                ip.path = name
            ip.flags.add("KEEP")
            ip.flags.discard("TMPNAME")
            if ontape and typ == LEAF:
                ip.flags.add("EXTRACT")
            return True
        if np is not None:
            if np.kind == LEAF:
                self.removeleaf(np.path)
            del self.syms[np.ino]
        if not ontape:
            self.err(f"{name}: (inode {e.inode}) not found on volume\n")
            return True
        sym = Sym(e.inode, name, typ, {"NEW", "KEEP"})
        self.syms[e.inode] = sym
        if typ == NODE:
            self.newnode(name)
        return True

    def findunreflinks(self) -> None:
        """Names in dumped directories that the dump no longer lists are removed."""
        self.vprintf("Find unreferenced names.\n")
        for sym in sorted(self.syms.values(), key=lambda s: s.ino):
            if sym.kind == LEAF and "KEEP" not in sym.flags and (
                    "TMPNAME" in sym.flags or self.parent_dumped(sym.path)):
                self.removeleaf(sym.path)
                del self.syms[sym.ino]

    def parent_dumped(self, path: str) -> bool:
        parent = path.rsplit("/", 1)[0]
        e = self.by_path.get(parent)
        return e is not None and self.is_node(e)

    def removeoldnodes(self) -> None:
        self.vprintf("Remove old nodes (directories).\n")
        gone = getattr(self, "_removed_dirs", [])
        gone += [s for s in self.syms.values() if s.kind == NODE and "KEEP" not in s.flags
                 and s.ino != 2 and self.parent_dumped(s.path)]
        for sym in sorted(gone, key=lambda s: -s.path.count("/")):
            self.syms.pop(sym.ino, None)
            try:
                os.rmdir(self.local(sym.path))
                self.vprintf(f"Remove node {sym.path}\n")
            except OSError as e:
                self.err(f"Warning: {sym.path}: {e.strerror}\n")

    def createleaves(self) -> None:
        """restore.c createleaves: extract every new or changed leaf, in inode order."""
        arch = self.arch
        assert arch is not None
        if self.command == "R":
            for e in arch.entries:
                if e.dumped and e.kind != "d" and e.inode not in self.syms:
                    self.syms[e.inode] = Sym(e.inode, e.path, LEAF, {"NEW"})
        else:
            self.vprintf("Extract new leaves.\n")
            self.dumpsymtable(self.volno)
        total = 0
        for e in sorted((x for x in arch.entries if x.dumped and x.kind != "d"),
                        key=lambda x: x.inode):
            sym = self.syms.get(e.inode)
            if sym is None or not ({"NEW", "EXTRACT"} & sym.flags):
                continue
            if e.volume > max(1, self.volno) and self.source is not None \
                    and self.source.kind not in ("pipe", "archive"):
                self.getvol(e.volume, want=True)
            if not arch.on_media(e):
                self.past_end(sym.path)
                continue
            if self.local(sym.path).is_symlink() or (
                    "EXTRACT" in sym.flags and self.local(sym.path).exists()):
                self.local(sym.path).unlink()
            self.extractfile(sym.path, e)
            sym.flags -= {"NEW", "EXTRACT"}
            total += _blocks(e.size) + 1
        self.cost(total)

    # ------------------------------------------------------------------ i
    def cmd_i(self) -> None:
        """interactive.c runcmdshell: the ``ufsrestore >`` prompt."""
        arch = self.setup()
        self.vprintf("Extract directories from tape\n")
        self.vprintf("Initialize symbol table.\n")
        self.syms = {2: Sym(2, ".", NODE, {"NEW"})}
        curdir = "."
        while True:
            self.err(f"{self.inv.prog} > ")
            line = self.inv.readline()
            if line is None:
                self.done(0)
                return
            words = line.split()
            if not words:
                continue
            cmd, rest = words[0], words[1:]
            names = [canon(w if w.startswith("/") else f"{curdir}/{w}") for w in rest] \
                or [curdir]

            def is_(full: str, minlen: int = 1, cmd: str = cmd) -> bool:
                return len(cmd) >= minlen and full.startswith(cmd)

            if is_("add"):
                for name in names:
                    for n in self.expand(name):
                        if self.dirlookup(n):
                            self.pathcheck(n)
                            self.treescan(n, self.addfile)
            elif is_("cd"):
                name = names[0]
                ino = self.dirlookup(name)
                if ino:
                    e = self.by_path[name]
                    if not self.is_node(e):
                        self.err(f"{name}: not a directory\n")
                    else:
                        curdir = name
            elif is_("delete"):
                for name in names:
                    found = self.by_path.get(name)
                    sym = self.syms.get(found.inode) if found else None
                    if sym is None or "NEW" not in sym.flags:
                        self.err(f"{name}: not on extraction list\n")
                        continue
                    self.treescan(name, self.deletefile)
            elif is_("extract"):
                self.createfiles()
                self.vprintf("Add links\n")
                self.setdirmodes()
            elif is_("help") or cmd == "?":
                self.err(HELP)
            elif is_("ls") or is_("marked"):
                for name in names:
                    if self.dirlookup(name):
                        self.printlist(name, curdir, cmd.startswith("m"))
            elif cmd.startswith("p") and len(cmd) < 2:
                self.err(f"{cmd}: ambiguous command; type ? for help\n")
            elif is_("pwd", 2):
                self.err("/\n" if curdir == "." else curdir[1:] + "\n")
            elif is_("quit") or is_("xit"):
                self.done(0)
            elif is_("verbose"):
                self.err("verbose mode off\n" if self.vflag else "verbose mode on\n")
                self.vflag = not self.vflag
            elif cmd.startswith("s") and len(cmd) < 4:
                self.err(f"{cmd}: ambiguous command; type ? for help\n")
            elif is_("setmodes", 4):
                self.setdirmodes()
            elif is_("what"):
                self.printdumpinfo(arch)
            else:
                self.err(f"{cmd}: unknown command; type ? for help\n")

    def deletefile(self, name: str, e: ArchiveEntry, typ: str) -> bool:
        sym = self.syms.get(e.inode)
        if sym is not None:
            sym.flags.discard("NEW")
        return self.hflag

    def printlist(self, name: str, curdir: str, marked_only: bool) -> None:
        """An ``ls``: directory name, then its dumped entries in columns."""
        e = self.by_path[name]
        if not self.is_node(e):
            shown = [(name[len(curdir) + 1:] if name.startswith(curdir + "/") else name, e)]
        else:
            self.err(f"{name}:\n")
            shown = [(c.name, c) for c in self.dirs.get(name, []) if c.inode in self.dumpmap]
        items = []
        for n, x in shown:
            sym = self.syms.get(x.inode)
            marked = sym is not None and "NEW" in sym.flags
            if marked_only and not marked:
                continue
            prefix = "*" if marked else " "
            suffix = "/" if self.is_node(x) else ""
            num = f"{x.inode:6d} " if self.vflag else ""
            items.append(f"{num}{prefix}{n}{suffix}")
        items.sort(key=lambda s: s.lstrip(" 0123456789*"))
        if not items:
            return
        width = max(len(s) for s in items) + 2
        columns = max(1, 80 // width)
        lines = -(-len(items) // columns)
        for i in range(lines):
            row = [items[j] for j in range(i, len(items), lines)]
            self.inv.out("".join(s.ljust(width) for s in row[:-1]) + row[-1])


HELP = ("Available commands are:\n"
        "\tls [arg] - list directory\n"
        "\tmarked [arg] - list items marked for extraction from directory\n"
        "\tcd arg - change directory\n"
        "\tpwd - print current directory\n"
        "\tadd [arg] - add `arg' to list of files to be extracted\n"
        "\tdelete [arg] - delete `arg' from list of files to be extracted\n"
        "\textract - extract requested files\n"
        "\tsetmodes - set modes of requested directories\n"
        "\tquit - immediately exit program\n"
        "\twhat - list dump header information\n"
        "\tverbose - toggle verbose flag (useful with ``ls'')\n"
        "\tpaginate - toggle pagination flag (affects ``ls'' and ``marked'')\n"
        "\tsetpager - set pagination command and arguments\n"
        "\thelp or `?' - print this list\n"
        "If no `arg' is supplied, the current directory is used\n")


def _blocks(size: int) -> int:
    return -(-size // 1024)


def _media(data: bytes) -> int:
    """The block size a non-dump file reads as (its first record, in 512-byte blocks)."""
    return min(len(data), 63 * 1024) // 512


