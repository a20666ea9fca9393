"""What ufsrestore restores (illumos ``usr/src/cmd/backup/restore/restore.c``).

The treescan visitors: listfile (``t``: ``"%10lu\\t%s\\n"``, ``v`` prefixing ``leaf`` or
``dir ``), addfile and deletefile (``x``, ``i``: mark or unmark for extraction); the ``r``
passes: removeoldleaves, nodeupdates (keep, rename, add or extract each name, by inode and
by name), findunreflinks, removeoldnodes, createleaves; and createfiles, which extracts the
marked files volume by volume. Restored regular files are small placeholders naming their
digest (``archive.placeholder``). Hand-written messages match Solaris byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.backup.archive import ArchiveEntry
from simulator.backup.cmd.ufsrestore.dirs import is_node
from simulator.backup.cmd.ufsrestore.symtab import LEAF, NODE, Sym, dumpsymtable
from simulator.backup.cmd.ufsrestore.tape import blocks, cost, extractfile, getvol, past_end
from simulator.backup.cmd.ufsrestore.utilities import newnode, removeleaf, renameit
from simulator.core.strerror import oserror_text

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore

TMPHDR = "RSTTMP"                  # restore.h: a name moved out of the way


def listfile(r: Restore, name: str, e: ArchiveEntry, typ: str) -> bool:
    """``t``: a dumped inode's number and name."""
    if e.inode in r.dumpmap:
        r.vprintf("leaf" if typ == LEAF else "dir ")
        r.inv.out(f"{e.inode:10d}\t{name}")
    return r.hflag


def addfile(r: Restore, name: str, e: ArchiveEntry, typ: str) -> bool:
    """Mark a dumped inode for extraction (``x`` by inode number: named ``./<ino>``)."""
    if e.inode not in r.dumpmap:
        return r.hflag
    if not r.mflag:
        name = f"./{e.inode}"
        if typ == NODE:
            r.local(name).mkdir(exist_ok=True)
            return r.hflag
    sym = r.syms.get(e.inode)
    if sym is not None and sym.path == name:
        sym.flags.add("NEW")
        return r.hflag
    r.syms[e.inode] = Sym(e.inode, name, typ, {"NEW"})
    if typ == NODE:
        newnode(r, name)
    return r.hflag


def deletefile(r: Restore, name: str, e: ArchiveEntry, typ: str) -> bool:
    """Unmark an inode (``i``'s ``delete``)."""
    sym = r.syms.get(e.inode)
    if sym is not None:
        sym.flags.discard("NEW")
    return r.hflag


def nodeupdates(r: Restore, name: str, e: ArchiveEntry, typ: str) -> bool:
    """nodeupdates, by inode and name: keep, rename, add or extract."""
    ontape = e.inode in r.dumpmap
    np = next((s for s in r.syms.values() if s.path == name), None)
    ip = r.syms.get(e.inode)
    if np is not None and ip is not None and np is not ip:
        tmp = f"{name.rsplit('/', 1)[0]}/{TMPHDR}0{np.ino}"
        renameit(r, np.path, tmp)
        np.path = tmp
        np.flags.add("TMPNAME")
        np = None
    if ip is not None and ontape and ip.kind != typ:
        if ip.kind == LEAF:
            removeleaf(r, ip.path)
        del r.syms[e.inode]
        ip = None
    if ip is not None:
        if ip.path != name and "KEEP" not in ip.flags:
            if np is not None and np.kind == LEAF:
                removeleaf(r, np.path)
                del r.syms[np.ino]
            renameit(r, ip.path, name)
            ip.path = name
        ip.flags.add("KEEP")
        ip.flags.discard("TMPNAME")
        if ontape and typ == LEAF:
            ip.flags.add("EXTRACT")
        return True
    if np is not None:
        if np.kind == LEAF:
            removeleaf(r, np.path)
        del r.syms[np.ino]
    if not ontape:
        r.err(f"{name}: (inode {e.inode}) not found on volume\n")
        return True
    sym = Sym(e.inode, name, typ, {"NEW", "KEEP"})
    r.syms[e.inode] = sym
    if typ == NODE:
        newnode(r, name)
    return True


def findunreflinks(r: Restore) -> None:
    """Names in dumped directories that the dump no longer lists are removed."""
    r.vprintf("Find unreferenced names.\n")
    for sym in sorted(r.syms.values(), key=lambda s: s.ino):
        if sym.kind == LEAF and "KEEP" not in sym.flags and (
                "TMPNAME" in sym.flags or parent_dumped(r, sym.path)):
            removeleaf(r, sym.path)
            del r.syms[sym.ino]


def parent_dumped(r: Restore, path: str) -> bool:
    """The directory holding ``path`` was dumped (so it lists what it holds now)."""
    parent = path.rsplit("/", 1)[0]
    e = r.by_path.get(parent)
    return e is not None and is_node(e)


def removeoldnodes(r: Restore) -> None:
    """Directories no longer on the dumped file system go, deepest first."""
    r.vprintf("Remove old nodes (directories).\n")
    gone = r.removed_dirs
    gone += [s for s in r.syms.values() if s.kind == NODE and "KEEP" not in s.flags
             and s.ino != 2 and parent_dumped(r, s.path)]
    for sym in sorted(gone, key=lambda s: -s.path.count("/")):
        r.syms.pop(sym.ino, None)
        try:
            r.inv.files.rmdir(r.at(sym.path), "/")
            r.vprintf(f"Remove node {sym.path}\n")
        except OSError as e:
            r.err(f"Warning: {sym.path}: {oserror_text(e)}\n")


def removeoldleaves(r: Restore) -> None:
    """Entries whose inodes are no longer in use on the dumped file system go."""
    r.vprintf("Mark entries to be removed.\n")
    arch = r.arch
    assert arch is not None
    inuse = arch.header.inuse if arch.header.inuse_ranges else \
        {e.inode for e in arch.entries}
    r.removed_dirs = []
    for sym in sorted(r.syms.values(), key=lambda s: s.ino):
        if sym.ino == 2 or sym.ino in inuse:
            continue
        if sym.kind == LEAF:
            removeleaf(r, sym.path)
            del r.syms[sym.ino]
        else:
            r.removed_dirs.append(sym)
            del r.syms[sym.ino]


def createleaves(r: Restore) -> None:
    """createleaves: extract every new or changed leaf, in inode order."""
    arch = r.arch
    assert arch is not None
    if r.command == "R":
        for e in arch.entries:
            if e.dumped and e.kind != "d" and e.inode not in r.syms:
                r.syms[e.inode] = Sym(e.inode, e.path, LEAF, {"NEW"})
    else:
        r.vprintf("Extract new leaves.\n")
        dumpsymtable(r, r.volno)
    total = 0
    for e in sorted((x for x in arch.entries if x.dumped and x.kind != "d"),
                    key=lambda x: x.inode):
        sym = r.syms.get(e.inode)
        if sym is None or not ({"NEW", "EXTRACT"} & sym.flags):
            continue
        if e.volume > max(1, r.volno) and r.source is not None \
                and r.source.kind not in ("pipe", "archive"):
            getvol(r, e.volume, want=True)
        if not arch.on_media(e):
            past_end(r, sym.path)
            continue
        if r.local(sym.path).is_symlink() or (
                "EXTRACT" in sym.flags and r.local(sym.path).exists()):
            r.local(sym.path).unlink()
        extractfile(r, sym.path, e)
        sym.flags -= {"NEW", "EXTRACT"}
        total += blocks(e.size) + 1
    cost(r, total)


def createfiles(r: Restore) -> None:
    """createfiles: the volume the files are on, then each file in order."""
    arch = r.arch
    assert arch is not None
    r.vprintf("Extract requested files\n")
    wanted = sorted((s for s in r.syms.values() if s.kind == LEAF and "NEW" in s.flags),
                    key=lambda s: s.ino)
    if not wanted:
        return
    src = r.source
    assert src is not None
    if src.kind == "archive":
        getvol(r, 1, want=True)
    elif src.kind != "pipe":
        getvol(r, 1, want=False)
    total = 0
    for sym in wanted:
        e = next((x for x in arch.entries if x.inode == sym.ino and x.dumped), None)
        if e is None:
            continue
        if e.volume > r.volno and r.source is not None \
                and r.source.kind != "pipe":
            getvol(r, e.volume, want=True)
        if not arch.on_media(e) and not past_end(r, sym.path):
            continue
        extractfile(r, sym.path, e)
        total += blocks(e.size) + 1
    cost(r, total)
