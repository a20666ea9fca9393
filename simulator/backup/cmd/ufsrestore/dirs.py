"""ufsrestore's view of the dumped directories (illumos ``usr/src/cmd/backup/restore/dirs.c``).

The directory table read from the volume names every entry of a dumped directory (dumped
inode or not); dirlookup finds a name in it (``<name> is not on volume``), treescan visits a
name and descends a dumped directory in directory order, and setdirmodes (``x``, ``i``) sets
the modes and times of the directories restored, asking ``set owner/mode for '.'? [yn] ``
first (and ``Directories already exist, set modes anyway? [yn] `` when some did). Lookup by
name in the table (psearch) is :meth:`Restore.psearch`. Hand-written messages match Solaris
byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.backup.archive import ArchiveEntry
from simulator.backup.cmd.ufsrestore.symtab import LEAF, NODE
from simulator.backup.cmd.ufsrestore.utilities import reply

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore

# treescan's visitor: (restore, name, entry, LEAF or NODE) -> descend into a node?
Visit = Callable[["Restore", str, ArchiveEntry, str], bool]


def dirlookup(r: Restore, name: str) -> int:
    """The inode of ``name`` if the dump holds it; else 0 or an undumped inode, after
    saying ``<name> is not on volume``."""
    ino = r.psearch(name)
    if ino == 0 or ino not in r.dumpmap:
        r.err(f"{name} is not on volume\n")
    return ino


def is_node(e: ArchiveEntry) -> bool:
    """A dumped directory (in the directory table read from the volume)."""
    return e.kind == "d" and e.dumped


def treescan(r: Restore, name: str, visit: Visit) -> None:
    """Visit ``name``; descend a dumped directory in directory order."""
    e = r.by_path.get(name)
    if e is None:
        return
    if not is_node(e):
        visit(r, name, e, LEAF)
        return
    if not visit(r, name, e, NODE):
        return
    for child in r.dirs.get(name, []):
        treescan(r, child.path, visit)


def setdirmodes(r: Restore) -> None:
    """(x/i): ask about '.', then set directory modes and times."""
    r.vprintf("Set directory mode, owner, and times.\n")
    arch = r.arch
    assert arch is not None
    override: bool | None = None
    for e in arch.entries:
        if not is_node(e):
            continue
        sym = r.syms.get(e.inode)
        if sym is None:
            continue
        if r.command in "xi":
            if sym.path in r.existed:
                if override is None:
                    override = reply(r, "Directories already exist, set modes anyway")
                if not override:
                    continue
            if e.inode == 2 and not reply(r, "set owner/mode for '.'"):
                continue
        set_modes(r, sym.path, e)


def set_modes(r: Restore, name: str, e: ArchiveEntry) -> None:
    """The mode and times of one restored directory (the owner is the caller's)."""
    path = r.at(name)
    try:
        r.inv.files.chmod(path, "/", (e.mode & 0o7777) | 0o700)
        r.inv.files.utime(path, "/", e.mtime)
    except OSError:
        pass
