"""ufsrestore ``i``: the interactive shell (illumos ``usr/src/cmd/backup/restore/interactive.c``).

runcmdshell prompts ``ufsrestore > `` on stderr and reads one command a line until end of
input or ``quit``; commands may be abbreviated (``p`` and ``s``..``set`` are ambiguous, as in
the C table); ``help`` prints the table. Names are made canonical (canon: ``./``-rooted, no
``.``/``..``) relative to the current directory, and shell patterns are expanded against
the dump. ``ls`` prints in columns, marking names to be extracted with ``*``. Hand-written
messages match Solaris byte for byte.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from simulator.backup.cmd.ufsrestore.dirs import dirlookup, is_node, setdirmodes, treescan
from simulator.backup.cmd.ufsrestore.restore import addfile, createfiles, deletefile
from simulator.backup.cmd.ufsrestore.symtab import NODE, Sym
from simulator.backup.cmd.ufsrestore.tape import printdumpinfo, setup
from simulator.backup.cmd.ufsrestore.utilities import pathcheck

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsrestore import Restore

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


def expand(r: Restore, name: str) -> list[str]:
    """Shell-style patterns in a name (``*``, ``?``, ``[...]``) against the dump."""
    if not any(ch in name for ch in "*?["):
        return [name]
    return sorted(p for p in r.by_path if fnmatch.fnmatchcase(p, name))


def runcmdshell(r: Restore) -> None:
    """The ``ufsrestore >`` prompt, one command a line, until end of input or ``quit``."""
    setup(r)
    r.vprintf("Extract directories from tape\n")
    r.vprintf("Initialize symbol table.\n")
    r.syms = {2: Sym(2, ".", NODE, {"NEW"})}
    curdir = "."
    while True:
        r.err(f"{r.inv.prog} > ")
        line = r.inv.readline()
        if line is None:
            r.done(0)
        words = line.split()
        if not words:
            continue
        cmd, rest = words[0], words[1:]
        names = [canon(w if w.startswith("/") else f"{curdir}/{w}") for w in rest] \
            or [curdir]
        curdir = docmd(r, cmd, names, curdir)


def docmd(r: Restore, cmd: str, names: list[str], curdir: str) -> str:
    """One command on its (canonical) names; -> the current directory after it."""

    def is_(full: str, minlen: int = 1) -> bool:
        return len(cmd) >= minlen and full.startswith(cmd)

    if is_("add"):
        for name in names:
            for n in expand(r, name):
                if dirlookup(r, n):
                    pathcheck(r, n)
                    treescan(r, n, addfile)
    elif is_("cd"):
        name = names[0]
        ino = dirlookup(r, name)
        if ino:
            e = r.by_path[name]
            if not is_node(e):
                r.err(f"{name}: not a directory\n")
            else:
                curdir = name
    elif is_("delete"):
        for name in names:
            found = r.by_path.get(name)
            sym = r.syms.get(found.inode) if found else None
            if sym is None or "NEW" not in sym.flags:
                r.err(f"{name}: not on extraction list\n")
                continue
            treescan(r, name, deletefile)
    elif is_("extract"):
        createfiles(r)
        r.vprintf("Add links\n")
        setdirmodes(r)
    elif is_("help") or cmd == "?":
        r.err(HELP)
    elif is_("ls") or is_("marked"):
        for name in names:
            if dirlookup(r, name):
                printlist(r, name, curdir, cmd.startswith("m"))
    elif cmd.startswith("p") and len(cmd) < 2:
        r.err(f"{cmd}: ambiguous command; type ? for help\n")
    elif is_("pwd", 2):
        r.err("/\n" if curdir == "." else curdir[1:] + "\n")
    elif is_("quit") or is_("xit"):
        r.done(0)
    elif is_("verbose"):
        r.err("verbose mode off\n" if r.vflag else "verbose mode on\n")
        r.vflag = not r.vflag
    elif cmd.startswith("s") and len(cmd) < 4:
        r.err(f"{cmd}: ambiguous command; type ? for help\n")
    elif is_("setmodes", 4):
        setdirmodes(r)
    elif is_("what"):
        assert r.arch is not None
        printdumpinfo(r, r.arch)
    else:
        r.err(f"{cmd}: unknown command; type ? for help\n")

    return curdir


def printlist(r: Restore, name: str, curdir: str, marked_only: bool) -> None:
    """An ``ls``: directory name, then its dumped entries in columns."""
    e = r.by_path[name]
    if not is_node(e):
        shown = [(name[len(curdir) + 1:] if name.startswith(curdir + "/") else name, e)]
    else:
        r.err(f"{name}:\n")
        shown = [(c.name, c) for c in r.dirs.get(name, []) if c.inode in r.dumpmap]
    items = []
    for n, x in shown:
        sym = r.syms.get(x.inode)
        marked = sym is not None and "NEW" in sym.flags
        if marked_only and not marked:
            continue
        prefix = "*" if marked else " "
        suffix = "/" if is_node(x) else ""
        num = f"{x.inode:6d} " if r.vflag else ""
        items.append(f"{num}{prefix}{n}{suffix}")
    items.sort(key=lambda s: s.lstrip(" 0123456789*"))
    if not items:
        return
    width = max(len(s) for s in items) + 2
    columns = max(1, 80 // width)
    lines = -(-len(items) // columns)
    for i in range(lines):
        row = [items[j] for j in range(i, len(items), lines)]
        r.inv.out("".join(s.ljust(width) for s in row[:-1]) + row[-1])
