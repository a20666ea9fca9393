"""libc as the Solaris programs see it: getopt(3C), atoi(3C) and C integer parsing.

Hand-written on purpose: the programs' messages must match Solaris byte for byte
(``<argv0>: illegal option -- x``, ``option requires an argument -- x``, ``-?`` handling,
continuing after an error), which Python's getopt cannot give. The port follows illumos
usr/src/lib/libc/port/gen/getopt.c.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.core.errors import UsageError

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation


def getopt(inv: Invocation, optstring: str, args: list[str] | None = None
           ) -> tuple[list[tuple[str, str]], list[str]]:
    """Solaris getopt(3C) for commands that stop at the first bad option.

    Returns ``(("-x", value), ...)`` pairs and the operands, like Python's getopt; a bad
    option has been reported as libc does (see :func:`sun_getopt`) and raises
    :class:`UsageError`.
    """
    opts, operands = sun_getopt(inv, inv.args if args is None else args, optstring,
                                stop_at_error=True)
    last = opts[-1] if opts else None
    if last is not None and last.char == "?" and (last.optopt != "?" or "?" not in optstring):
        raise UsageError(f"illegal option -- {last.optopt}")
    return [(f"-{o.char}", o.arg or "") for o in opts], operands


def atoi(text: str) -> int:
    """libc atoi(3C) on a 32-bit int: blanks, a sign, leading digits (0 when none); wraps."""
    rest = text.lstrip(" \t\n\v\f\r")
    negative = rest[:1] == "-"
    if rest[:1] in "+-":
        rest = rest[1:]
    n = 0
    for ch in rest:
        if not "0" <= ch <= "9":
            break
        n = (n * 10 + ord(ch) - 48) & 0xFFFFFFFF
    if negative:
        n = -n & 0xFFFFFFFF
    return n - (1 << 32) if n & 0x80000000 else n


def parse_int(text: str) -> int | None:
    """C-style integer (decimal, 0x hex, leading-0 octal); None if not a number."""
    try:
        return int(text, 0) if not (text.startswith("0") and text[1:].isdigit()) \
            else int(text, 8)
    except ValueError:
        return None


@dataclass
class Opt:
    """One getopt(3C) return: the option letter ("?" on an error), its argument, optopt,
    and, when the caller asked for ``deferred`` complaints, the line libc prints for it."""

    char: str
    arg: str | None
    optopt: str
    complaint: str = ""

    def complain(self, inv: Invocation) -> None:
        """Print libc's complaint now (a program whose loop reached this return)."""
        if self.complaint:
            inv.err(self.complaint)


def sun_getopt(inv: Invocation, args: list[str], optstring: str,
               stop_at_error: bool = False, deferred: bool = False
               ) -> tuple[list[Opt], list[str]]:
    """Every getopt(3C) return for ``args``, then the operands (libc port/gen/getopt.c).

    Errors are printed the way libc prints them (``argv[0]`` as typed, not its basename)
    and come back as ``Opt("?", None, c)``; the caller decides whether they are fatal,
    as the C programs do. ``-?`` with ``?`` in ``optstring`` is ``Opt("?", None, "?")``.

    A C program acts on each return in turn and may stop before a later bad option (a
    second ``-F``: ``usage()``), so libc's complaint for that option must never appear.
    With ``deferred`` nothing is printed here: each error return carries its line in
    ``complaint`` for the program to print (``Opt.complain``) when its loop reaches it;
    a program that sets ``opterr = 0`` simply never prints it.
    """
    argv0 = inv.argv[0] if inv.argv else inv.prog
    opts: list[Opt] = []

    def complain(text: str) -> str:
        if deferred:
            return text
        inv.err(text)
        return ""

    i, sp = 0, 1
    while i < len(args):
        a = args[i]
        if sp == 1:
            if not a.startswith("-") or a == "-":
                break
            if a == "--":
                i += 1
                break
            if a.startswith("--"):          # a long option: none is known here
                opts.append(Opt("?", None, "-", complain(f"{argv0}: illegal option -- {a[2:]}")))
                i += 1
                if stop_at_error:
                    break
                continue
        c = a[sp]
        pos = -1 if c in ":(" else optstring.find(c)
        if pos < 0:
            text = complain(f"{argv0}: illegal option -- {c}")
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
            opts.append(Opt("?", None, c, text))
            if stop_at_error:
                break
            continue
        if optstring[pos + 1:pos + 2] == ":":
            if sp + 1 < len(a):
                opts.append(Opt(c, a[sp + 1:], c))
                i += 1
            elif i + 1 >= len(args):
                opts.append(Opt("?", None, c,
                                complain(f"{argv0}: option requires an argument -- {c}")))
                i += 1
                if stop_at_error:
                    break
            else:
                opts.append(Opt(c, args[i + 1], c))
                i += 2
            sp = 1
        else:
            opts.append(Opt(c, None, c))
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
    return opts, args[i:]
