"""ufsrestore's symbol table (illumos ``usr/src/cmd/backup/restore/symtab.c``, restore.h).

Each inode ufsrestore knows is a :class:`Sym`: its name in the restored tree, whether it is a
leaf or a node (directory), and its flags (``NEW``: to be extracted, ``KEEP``, ``EXTRACT``,
``TMPNAME``). ``r`` and ``R`` keep the table between runs in ``./restoresymtable``
(dumpsymtable); initsymtable reads it back and checks the level: "Incremental volume too
low/high" (the 2005 source says *volume*). The saved table is svmsim's own format (JSON
with a magic line), not the C structures. Hand-written messages match Solaris byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.core.strerror import ENOENT, oserror_text

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore

SYMTABLE = "./restoresymtable"
SYMTAB_MAGIC = "svmsim-restoresymtable 1"
LEAF, NODE = "leaf", "node"        # restore.h entry types


@dataclass
class Sym:
    """A symbol-table entry: an inode's name in the restored tree."""

    ino: int
    path: str
    kind: str
    flags: set[str] = field(default_factory=set)


def initsymtable(r: Restore) -> None:
    """symtab.c initsymtable(./restoresymtable): the restore so far."""
    arch = r.arch
    assert arch is not None
    r.vprintf("Initialize symbol table.\n")
    path = r.local(SYMTABLE)
    try:
        data = json.loads(path.read_text())
        if data.get("magic") != SYMTAB_MAGIC:
            raise ValueError("magic")
    except FileNotFoundError:
        r.err(f"open: {ENOENT}\n")
        r.err(f"cannot open symbol table file {SYMTABLE}\n")
        r.done(1)
        return
    except (OSError, ValueError):
        r.err(f"cannot read symbol table file {SYMTABLE}\n")
        r.done(1)
        return
    if r.command == "r" and int(data["dumpdate"]) != arch.header.ddate:
        if int(data["dumpdate"]) < arch.header.ddate:
            r.err("Incremental volume too low\n")
        else:
            r.err("Incremental volume too high\n")
        r.done(1)
    r.syms = {int(i): Sym(int(i), str(p), str(k)) for i, p, k in data["entries"]}


def dumpsymtable(r: Restore, volno: int) -> None:
    r.vprintf("Check pointing the restore\n")
    arch = r.arch
    assert arch is not None
    data = {"magic": SYMTAB_MAGIC, "volno": volno, "dumptime": arch.header.ddate,
            "dumpdate": arch.header.date, "maxino": arch.header.maxino,
            "ntrec": arch.header.ntrec,
            "entries": [[s.ino, s.path, s.kind] for s in sorted(r.syms.values(),
                                                                 key=lambda s: s.ino)]}
    try:
        r.local(SYMTABLE).write_text(json.dumps(data))
    except OSError as e:
        r.err(f"fopen: {oserror_text(e)}\n")
        r.err(f"cannot create save file {SYMTABLE} for symbol table\n")
        r.done(1)
