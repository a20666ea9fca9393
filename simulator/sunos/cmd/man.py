"""man(1): the reference manual pages of the simulated programs (illumos usr/src/cmd/man).

The pages are plain text under ``simulator/sunos/manpages/`` (``<name>.<section>``, read as
package data), one for each program of ``simulator/core/registry.py``: each condenses the
Solaris 10 page of the real command, formatted as nroff prints it (a header line, NAME,
SYNOPSIS, ..., SEE ALSO, the ``SunOS 5.10`` footer). A page whose first line is
``.so man1m/<page>`` is the same page under a second name (``metadetach`` is
``metattach(1M)``), followed as man.c format() follows ``.so`` (at most SOLIMIT links).

Two man programs, chosen by ``host.release``:

- 5.9, 5.10 and 5.11 run the Sun man (usr/src/cmd/man/src/man.c, OpenSolaris): getopt
  ``FfkrpP:M:T:ts:lad`` with ``opterr = 0``; a bad option, or no name without ``-p``, prints
  MAN_USAGE on stderr, exit 2. A name with no page prints, on **stdout**, manual()'s
  ``No manual entry for NAME.`` (with ``-s``: ``No entry for NAME in section(s) S of the
  manual.``) and main() still returns 0. ``-l`` lists format()'s ``NAME (SECT)\\t-M DIR``.
- illumos runs the 2014 rewrite (usr/src/cmd/man/man.c): getopt ``FM:P:T:adfklprs:tw``;
  a bad option is usage_man() (three lines, exit 1), no name ``What manual page do you
  want?`` (exit 1); a name with no page ``No manual entry for NAME`` (``... in section(s)
  S``) on stderr, and main() returns 1. ``-l`` prints ``NAME(SECT)\\t-M DIR``.

Both: ``-s`` takes a comma-separated list of sections, lowered (getsect() lower()) and
matched whole against the page's directory suffix (``1m``); ``-a`` shows every match, a
name with a slash is looked up by its last component (manual()); ``-`` is ignored (pages are
never paged: standard output is a pipe, so man.c's ``cat`` is the pager); ``-F``, ``-T`` and
``-P`` are accepted and ignored; ``-M`` names the man directories: only ``/usr/share/man``
holds pages. ``-k`` (apropos) and ``-f`` (whatis) read the windex, as lookup_windex() and
search_whatis() do: a case-insensitive keyword anywhere in the line, or the exact name.

Decided: the host's windex exists (``catman -w`` was run) and holds one line per name,
``name<TAB>page (sect)<TAB>- summary``, made from each page's NAME line; the cat pages are up
to date, so man prints no ``Reformatting page.  Please Wait... done``. The illumos host
keeps the Solaris 10 section 1M (illumos moved it to 8 in 2021; the pages are Solaris 10's).
``-t`` (troff to the printer), ``-r``, ``-d``, ``-p`` and ``-w`` are not simulated: one
``svmsim: man -X: not simulated`` line, exit 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt

NAME = "man"
MANDIR = "/usr/share/man"          # MANDIR / DEFMANDIR
WHATIS = "windex"
SOLIMIT = 10                       # maximum allowed .so chain length (man.c)
DOT_SO = ".so "
SUN_OPTS = "FfkrpP:M:T:ts:lad"     # opts[0], src/man.c
ILLUMOS_OPTS = "FM:P:T:adfklprs:tw"
# MAN_USAGE, src/man.c (printed with "%s\n")
SUN_USAGE = ("usage:\tman [-] [-adFlprt] [-M path] [-T macro-package ] [ -s section ] "
             "name ...\n\tman [-M path] -k keyword ...\n\tman [-M path] -f file ...")
# usage_man(), man.c
ILLUMOS_USAGE = ("usage: man [-alptw] [-M path] [-s section] name ...\n"
                 "       man [-M path] [-s section] -k keyword ...\n"
                 "       man [-M path] [-s section] -f keyword ...")
NOT_SIMULATED = "tdprw"


COVERAGE = Coverage(
    source=("usr/src/cmd/man/src/man.c", "usr/src/cmd/man/man.c"),
    getopt=(SUN_OPTS, ILLUMOS_OPTS),
    options=(
        "-s section: the sections to look in",
        "-a: every matching page",
        "-l: list the pages found",
        "-k keyword: apropos, from the windex",
        "-f file: whatis, from the windex",
        "-M path: the man directories (only /usr/share/man holds pages)",
        "-F: accepted and ignored",
        "-T macro-package: accepted and ignored",
        "-P path: accepted and ignored",
        "name: the page (the Solaris 10 page, condensed)",
    ),
    not_simulated=(
        "-t, -r, -d, -p and -w: 'svmsim: man -<c>: not simulated', exit 1",
        "pages of programs svmsim does not simulate",
    ),
    messages=(
        SUN_USAGE,
        ILLUMOS_USAGE,
        "What manual page do you want?",
        "<prog> what?",
        "No manual entry for <name>.",
        "No entry for <name> in section(s) <s> of the manual.",
        "No manual entry for <name>",
        "No manual entry for <name> in section(s) <s>",
        "svmsim: man -<c>: not simulated",
    ),
    notes="The release decides which man runs: the Sun man (5.9, 5.10, 5.11) or the "
          "illumos rewrite.",
)


@dataclass(frozen=True)
class Page:
    """One file under manpages/: the name it is found by, its section, its text."""

    name: str
    section: str
    text: str


def _manpages() -> Traversable:
    return files("simulator.sunos").joinpath("manpages")


@cache
def pages() -> dict[tuple[str, str], Page]:
    """Every page, by (name, section), ``.so`` links followed."""
    raw = {}
    for entry in _manpages().iterdir():
        name, dot, section = entry.name.rpartition(".")
        if dot and name and entry.is_file():
            raw[(name, section)] = entry.read_text(encoding="utf-8")
    found = {}
    for (name, section), text in raw.items():
        for _ in range(SOLIMIT):
            if not text.startswith(DOT_SO):
                break
            ref = text[len(DOT_SO):].splitlines()[0].strip()   # man1m/metattach.1m
            target = os.path.basename(ref).rpartition(".")
            text = raw.get((target[0], target[2]), "")
        found[(name, section)] = Page(name, section, text)
    return found


@cache
def windex() -> list[str]:
    """The windex lines (module docstring): ``name\\tpage (sect)\\t- summary``, sorted."""
    lines = []
    for (name, section), page in pages().items():
        body = page.text.splitlines()
        at = next((i for i, line in enumerate(body) if line == "NAME"), len(body))
        para = []
        for line in body[at + 1:]:
            if not line.strip():
                break
            para.append(line.strip())
        summary = " ".join(para)
        names, _, what = summary.partition(" - ")
        first = names.split(",")[0].strip() or name
        lines.append(f"{name}\t{first} ({section})\t- {what}")
    return sorted(lines)


def find(name: str, sections: list[str] | None) -> list[Page]:
    """The pages for ``name`` in ``sections`` (every section when None), in that order."""
    found = [p for (n, _), p in sorted(pages().items()) if n == name]
    if sections is None:
        return found
    return [p for s in sections for p in found if p.section == s]


def main(inv: Invocation) -> int:
    illumos = inv.host.release == "illumos"
    args = list(inv.args)
    if illumos and args[:1] == ["-"]:
        args = args[1:]
    opts, operands = sun_getopt(inv, args, ILLUMOS_OPTS if illumos else SUN_OPTS,
                                deferred=True)          # opterr = 0: libc prints nothing
    flags: set[str] = set()
    sections: list[str] | None = None
    mansec = ""                        # as typed: manual() prints mansec, not the lowered copy
    manpath = None
    for o in opts:
        if o.char == "?":
            inv.err(ILLUMOS_USAGE if illumos else SUN_USAGE)
            return 1 if illumos else 2
        flags.add(o.char)
        if o.char == "s":
            mansec = o.arg or ""
            sections = [s.lower() for s in mansec.split(",") if s]
        elif o.char == "M":
            manpath = o.arg or ""
    if not operands and "p" not in flags and "w" not in flags:
        if illumos:
            inv.err(f"{inv.prog} what?" if "k" in flags or "f" in flags
                    else "What manual page do you want?")
            return 1
        inv.err(SUN_USAGE)
        return 2
    for c in NOT_SIMULATED:
        if c in flags:
            inv.err(f"svmsim: man -{c}: not simulated")
            return 1
    if not illumos:
        operands = [a for a in operands if a != "-"]   # main(): "-" only turns the pager off
    here = manpath is None or MANDIR in [os.path.normpath(p.split(",")[0])
                                         for p in manpath.split(":") if p]
    if "k" in flags or "f" in flags:
        return _whatapro(inv, operands, whatis="k" not in flags, here=here, illumos=illumos)
    missing = 0
    first = True
    for operand in operands:
        name = operand.rsplit("/", 1)[-1]
        found = find(name, sections) if here else []
        if found and "a" not in flags:
            found = found[:1]
        if not found:
            missing += 1
            _no_entry(inv, operand, mansec if sections is not None else None, illumos)
            continue
        for page in found:
            if "l" in flags:
                sep = "" if illumos else " "
                inv.out(f"{name}{sep}({page.section})\t-M {MANDIR}")
                continue
            if not first:
                inv.out()
            inv.stdout.write(page.text)
            first = False
    return 1 if illumos and missing else 0


def _no_entry(inv: Invocation, name: str, mansec: str | None, illumos: bool) -> None:
    """manual()'s message when no page is found (module docstring); ``mansec`` is ``-s``'s
    argument as typed, None without ``-s``."""
    if illumos:
        inv.err(f"No manual entry for {name} in section(s) {mansec}" if mansec is not None
                else f"No manual entry for {name}")
    elif mansec is not None:
        inv.out(f"No entry for {name} in section(s) {mansec} of the manual.")
    else:
        inv.out(f"No manual entry for {name}.")


def _whatapro(inv: Invocation, words: list[str], whatis: bool, here: bool,
              illumos: bool) -> int:
    """``-k``/``-f``: the windex lines for each word (lookup_windex, search_whatis)."""
    if not here:
        return 0
    for word in words:
        if whatis:
            key = word.rsplit("/", 1)[-1]
            hits = [line for line in windex() if line.split("\t", 1)[0] == key]
        else:
            low = word.lower()
            # icmp(): a lower-case keyword matches any case; upper case must match exactly
            hits = [line for line in windex()
                    if (word in line) or (word == low and low in line.lower())]
        for line in hits:
            inv.out(line)
    return 0
