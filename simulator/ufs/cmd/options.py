"""getopt(3C) for the UFS programs, one return at a time, as their C loops see it.

The C programs (fsck.c, mount.c, umount.c, df.c, lockfs.c) act on each getopt(3C) return in
turn and may stop in the middle (``usage()`` on a second ``-F``, a second ``-V``...), so the
complaint libc prints for a bad option must come out when the loop reaches that option, not
all at once before it; df and lockfs set ``opterr = 0`` and print none. This adapter runs
:func:`simulator.core.libc.sun_getopt` (the one getopt port) into a scratch invocation,
then pairs each ``'?'`` return with the line libc printed for it, which the program prints
(:meth:`Option.complain`) when its loop gets there.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt


@dataclass(frozen=True)
class Option:
    """One getopt(3C) return: the letter (``?`` on an error), its argument, ``optopt``,
    and what libc printed for it (``<argv0>: illegal option -- x``, or ``""``)."""

    char: str
    arg: str
    optopt: str
    complaint: str = ""

    def complain(self, inv: Invocation) -> None:
        """Print libc's complaint (a program with ``opterr`` left at 1)."""
        if self.complaint:
            inv.err(self.complaint)


def getopt_returns(inv: Invocation, optstring: str) -> tuple[list[Option], list[str]]:
    """Every getopt(3C) return for ``inv``'s arguments, then the operands."""
    scratch = Invocation(inv.host, list(inv.argv))
    opts, operands = sun_getopt(scratch, inv.args, optstring)
    lines = iter(scratch.stderr.text().splitlines())
    out = []
    for o in opts:
        legal_question = o.optopt == "?" and "?" in optstring
        complaint = next(lines, "") if o.char == "?" and not legal_question else ""
        out.append(Option(o.char, o.arg or "", o.optopt, complaint))
    return out, operands
