"""ufsrestore: list, extract and rebuild from svmsim dump archives (files, tapes, stdin).

Follows illumos ``usr/src/cmd/backup/restore/``, one module per C file:

- here, ``main.c``: the key letters and their arguments, the usage text, and the ``t``,
  ``x``, ``r``/``R`` modes (``i`` is :mod:`.interactive`); the run's state (restore.h's
  globals) is :class:`Restore`;
- :mod:`.tape` (tape.c): the input, the volume checks, the header, volume changes, extracting
  a file;
- :mod:`.dirs` (dirs.c): the dumped directories, treescan, setdirmodes;
- :mod:`.restore` (restore.c): listing, marking, the ``r`` passes, createfiles;
- :mod:`.symtab` (symtab.c): the symbol table and ``./restoresymtable``;
- :mod:`.utilities` (utilities.c): pathcheck, newnode, removeleaf, renameit, reply;
- :mod:`.interactive` (interactive.c): ``i``.

Restored regular files are small placeholders naming their digest (``archive.placeholder``);
directories, symbolic links, modes and times are real. Exit status 0, or 1 (done(1)), by
:class:`simulator.core.errors.CommandExit`. Hand-written messages match Solaris byte for
byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from simulator.backup.archive import Archive, ArchiveEntry
from simulator.backup.backups import Backups
from simulator.backup.cmd.ufsrestore.dirs import dirlookup, setdirmodes, treescan
from simulator.backup.cmd.ufsrestore.interactive import canon, expand, runcmdshell
from simulator.backup.cmd.ufsrestore.restore import (
    addfile,
    createfiles,
    createleaves,
    findunreflinks,
    listfile,
    nodeupdates,
    removeoldleaves,
    removeoldnodes,
)
from simulator.backup.cmd.ufsrestore.symtab import NODE, Sym, dumpsymtable, initsymtable
from simulator.backup.cmd.ufsrestore.tape import close, printdumpinfo, setup
from simulator.backup.cmd.ufsrestore.utilities import pathcheck
from simulator.backup.tapes import DEFAULT_TAPE, Medium
from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit
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
LBLSIZE = 15                       # a tape label (L), dumprestore.h
COMMANDS = "tRrxi"
MISSING = {"T": "Missing autoload timeout period\n", "a": "missing archive file name\n",
           "f": "missing device specifier\n", "b": "missing block size\n",
           "s": "missing dump number\n"}


COVERAGE = Coverage(
    source=("usr/src/cmd/backup/restore/main.c", "usr/src/cmd/backup/restore/tape.c",
            "usr/src/cmd/backup/restore/dirs.c", "usr/src/cmd/backup/restore/restore.c",
            "usr/src/cmd/backup/restore/symtab.c", "usr/src/cmd/backup/restore/utilities.c",
            "usr/src/cmd/backup/restore/interactive.c"),
    options=(
        "t: list the archive",
        "x: extract the named files",
        "r: rebuild a file system (R: resume it)",
        "i: interactive restore",
        "f dump-file: the input: a file, a tape drive, or - for standard input",
        "a archive-file: the table of contents ufsdump a wrote",
        "s n: the dump file on the tape",
        "L label: the tape label to check",
        "v: verbose",
        "y: do not ask about errors",
        "d: debug",
        "h: a directory alone, not its contents",
        "m: extract by inode number",
        "o: take the drive offline when done",
    ),
    not_simulated=(
        "b factor: checked, then not used (the archive has its own records)",
        "T timeout: checked, then not used",
        "c, D, l: accepted and ignored",
        "remote input (host:device): 'unknown host'",
        "the contents of regular files: restored files are placeholders naming their "
        "digest",
    ),
    messages=(
        USAGE,
        *MISSING.values(),
        "Missing tape label name",
        "must specify i, t, r, R, or x",
        "<c> and <c> are mutually exclusive",
        "Bad key character <c>",
        "Unreasonable autoload timeout period `<value>'",
        "Unknown timeout units indicator `<c>'",
        "empty archive file name",
        "empty device specifier",
        "Block size must be a positive, even integer",
        "Dump number must be a positive integer",
        "Truncating label to maximum supported length: `<label>'",
        "<host>: unknown host",
        "Cannot specify an archive file when reading from a pipe",
    ),
    notes="The messages of the modes (volume checks, extraction, the i shell) are in "
          "tape.py, restore.py, dirs.py, utilities.py and interactive.py beside this module.",
)


def usage(inv: Invocation) -> None:
    inv.err(USAGE.format(p=inv.prog), end="")


def main(inv: Invocation) -> int:
    r = Restore(inv)
    try:
        r.run()
    finally:
        close(r)
    return 0


class Restore:
    """One run of ufsrestore: its options and what it has read (restore.h's globals)."""

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
        self.source: Medium | None = None
        self.arch: Archive | None = None
        self.volno = 0
        self.tapesread: set[int] = set()
        self.dirs: dict[str, list[ArchiveEntry]] = {}
        self.by_path: dict[str, ArchiveEntry] = {}
        self.dumpmap: set[int] = set()
        self.syms: dict[int, Sym] = {}
        self.existed: set[str] = set()
        self.removed_dirs: list[Sym] = []     # r: directories whose inodes are free now

    # ------------------------------------------------------------------ helpers
    def vprintf(self, text: str) -> None:
        if self.vflag:
            self.inv.out(text, end="")

    def err(self, text: str) -> None:
        self.inv.err(text, end="")

    def done(self, code: int) -> NoReturn:
        """done(code): leave ufsrestore."""
        raise CommandExit(code)

    def root(self) -> Path:
        return self.inv.files.resolve(".", self.inv.cwd)

    def local(self, name: str) -> Path:
        """``./a/b`` under the current directory."""
        return self.root() / name[2:] if name != "." else self.root()

    def at(self, name: str) -> str:
        """``./a/b`` under the current directory, as the path the file port takes: every
        change to the restored tree goes through ``inv.files`` (in the harness, the driver's
        own client does it, as the driver, in its view)."""
        return str(self.local(name))

    def psearch(self, name: str) -> int:
        """dirs.c psearch: the inode ``name`` has in the dump's directories (0: none)."""
        e = self.by_path.get(name)
        return e.inode if e is not None else 0

    # ------------------------------------------------------------------ options
    def parse(self) -> None:
        """The key letters, each letter's argument in key order, then the names."""
        args = list(self.inv.args)
        if not args:
            usage(self.inv)
            self.done(1)
        key = args.pop(0)
        for c in key:
            if c in MISSING:
                if not args:
                    self.err(MISSING[c])
                    self.done(1)
                self.option(c, args.pop(0))
            elif c == "L":
                if not args or args[0] == "":
                    self.err("Missing tape label name\n")
                    self.done(1)
                self.option(c, args.pop(0))
            else:
                self.flag(c)
        if not self.command:
            self.err("must specify i, t, r, R, or x\n")
            usage(self.inv)
            self.done(1)
        self.names = args or ["." if self.mflag else "2"]

    def option(self, c: str, value: str) -> None:
        """A key letter with an argument."""
        if c == "T":
            if atoi(value) < 1:
                self.err(f"Unreasonable autoload timeout period `{value}'\n")
                self.done(1)
            units = value[-1]
            if units not in "shm" and not units.isdigit():
                self.err(f"Unknown timeout units indicator `{units}'\n")
                self.done(1)
        elif c == "a":
            if value == "":
                self.err("empty archive file name\n")
                self.done(1)
            self.archivefile = value
        elif c == "f":
            if value == "":
                self.err("empty device specifier\n")
                self.done(1)
            self.inputdev = value
        elif c == "b":
            n = atoi(value)
            if n <= 0 or n & 1:
                self.err("Block size must be a positive, even integer\n")
                self.done(1)
        elif c == "s":
            self.dumpnum = atoi(value)
            if self.dumpnum <= 0:
                self.err("Dump number must be a positive integer\n")
                self.done(1)
        elif c == "L":
            if len(value) > LBLSIZE:
                value = value[:LBLSIZE]
                self.err(f"Truncating label to maximum supported length: `{value}'\n")
            self.label = value

    def flag(self, c: str) -> None:
        """A key letter without an argument."""
        if c in "lcD-":
            return
        if c in COMMANDS:
            if self.command:
                self.err(f"{c} and {self.command} are mutually exclusive\n")
                usage(self.inv)
                self.done(1)
            self.command = c
            return
        if c == "o":
            self.offline = True
        elif c == "d":
            self.dflag = True
        elif c == "v":
            self.vflag = True
        elif c == "y":
            self.yflag = True
        elif c == "h":
            self.hflag = False
        elif c == "m":
            self.mflag = False
        else:
            self.err(f"Bad key character {c}\n")
            usage(self.inv)
            self.done(1)

    # ------------------------------------------------------------------ modes
    def run(self) -> None:
        self.parse()
        if ":" in self.inputdev:
            self.err(f"{self.inputdev.split(':', 1)[0]}: unknown host\n")
            self.done(1)
        if self.inputdev == "-" and self.archivefile:
            self.err("Cannot specify an archive file when reading from a pipe\n")
            self.done(1)
        if self.command == "i":
            runcmdshell(self)
        elif self.command == "t":
            self.cmd_t()
        elif self.command == "x":
            self.cmd_x()
        else:
            self.cmd_r()

    def cmd_t(self) -> None:
        """``t``: list the names on the dump."""
        arch = setup(self)
        self.vprintf("Extract directories from tape\n")
        self.vprintf("Initialize symbol table.\n")
        if self.vflag:
            printdumpinfo(self, arch)
        if not arch.dumped():
            self.done(0)
        for raw in self.names:
            name = canon(raw)
            if dirlookup(self, name) == 0:
                continue
            treescan(self, name, listfile)
        self.done(0)

    def cmd_x(self) -> None:
        """``x``: extract the names (or, with ``m``, the inode numbers) given."""
        arch = setup(self)
        self.vprintf("Extract directories from tape\n")
        self.vprintf("Initialize symbol table.\n")
        if not arch.dumped():
            self.done(0)
        self.syms = {2: Sym(2, ".", NODE, {"NEW"})}
        for raw in self.names:
            if self.mflag:
                for name in expand(self, canon(raw)):
                    if dirlookup(self, name) == 0:
                        continue
                    pathcheck(self, name)
                    treescan(self, name, addfile)
            else:
                ino = atoi(raw)
                if raw.startswith("-") or ino < 2:
                    self.err(f"bad inode number: {ino}\n")
                    self.done(1)
                e = next((x for x in arch.entries if x.inode == ino), None)
                if e is not None:
                    treescan(self, e.path, addfile)
        createfiles(self)
        self.vprintf("Add links\n")
        setdirmodes(self)
        if self.dflag:
            self.vprintf("Check the symbol table.\n")
        self.done(0)

    def cmd_r(self) -> None:
        """``r``: rebuild the tree (a level 0, then each incremental); ``R``: go on."""
        arch = setup(self)
        h = arch.header
        if not arch.dumped():                 # an empty dump: only the maps were written
            initsymtable(self)
            dumpsymtable(self, 1)
            self.done(0)
        if self.command == "R":
            initsymtable(self)
            self.vprintf("Continue extraction of new leaves\n")
        elif h.ddate > 0:
            self.vprintf("Begin incremental restore\n")
            initsymtable(self)
            self.vprintf("Extract directories from tape\n")
            removeoldleaves(self)
            self.vprintf("Calculate node updates.\n")
            treescan(self, ".", nodeupdates)
            findunreflinks(self)
            removeoldnodes(self)
        else:
            self.vprintf("Begin level 0 restore\n")
            self.vprintf("Initialize symbol table.\n")
            self.syms = {2: Sym(2, ".", NODE, {"NEW"})}
            self.vprintf("Extract directories from tape\n")
            self.vprintf("Calculate extraction list.\n")
            treescan(self, ".", nodeupdates)
        createleaves(self)
        self.vprintf("Add links\n")
        setdirmodes(self)
        self.vprintf("Check the symbol table.\n")
        if self.dflag:
            self.vprintf("Verify the directory structure\n")
        dumpsymtable(self, 1)
        self.done(0)
