"""ufsrestore's helpers (illumos ``usr/src/cmd/backup/restore/utilities.c``).

pathcheck makes the directories leading to a name; newnode makes a directory, removeleaf
removes a file, renameit renames (each with the ``Warning: ...`` the C prints when the
system call fails, in Solaris strerror wording); reply asks ``<question>? [yn] `` until it
gets ``y`` or ``n``. Hand-written messages match Solaris byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.backup.cmd.ufsrestore.symtab import NODE, Sym
from simulator.core.strerror import oserror_text

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore


def pathcheck(r: Restore, name: str) -> None:
    """utilities.c pathcheck: every directory leading to ``name`` exists."""
    parts = name.split("/")
    for i in range(2, len(parts)):
        d = "/".join(parts[:i])
        ino = r.psearch(d)
        if ino not in r.syms:
            r.syms[ino] = Sym(ino, d, NODE)
            newnode(r, d)
        r.syms[ino].flags |= {"NEW", "KEEP"}


def newnode(r: Restore, name: str) -> None:
    """Make the directory ``name`` (``Make node``), or warn that it cannot be made."""
    if name == ".":
        return
    try:
        r.local(name).mkdir()
        r.vprintf(f"Make node {name}\n")
    except FileExistsError:
        r.existed.add(name)
        r.err(f"Warning: {name}: File exists\n")
    except OSError as e:
        r.existed.add(name)
        r.err(f"Warning: {name}: {oserror_text(e)}\n")


def removeleaf(r: Restore, name: str) -> None:
    """Remove the file ``name`` (``Remove leaf``), or warn."""
    path = r.local(name)
    try:
        path.unlink()
        r.vprintf(f"Remove leaf {name}\n")
    except OSError as e:
        r.err(f"Warning: {name}: {oserror_text(e)}\n")


def renameit(r: Restore, old: str, new: str) -> None:
    """Rename ``old`` to ``new``, or warn."""
    try:
        r.inv.files.rename(r.at(old), r.at(new), "/")
        r.vprintf(f"rename {old} to {new}\n")
    except OSError as e:
        r.err(f"Warning: cannot rename {old} to {new}: {oserror_text(e)}\n")


def reply(r: Restore, question: str) -> bool:
    """utilities.c reply: ``<question>? [yn] `` until y or n; end of input is no."""
    while True:
        r.err(f"{question}? [yn] ")
        line = r.inv.readline()
        if line is None:
            return False
        c = line[:1].lower()
        if c in ("y", "n"):
            return c == "y"
