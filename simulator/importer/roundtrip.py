"""The round trip: the imported host's own printouts against the captures, line by line.

On the host the scenario builds, ``metastat``, ``metastat -p``, ``metadb`` (``metadb -i``
when the capture has its legend) and ``metahs -i`` run through the existing fake programs;
each output is compared with its capture with blanks aside (runs of blanks and tabs are one
blank, leading and trailing blanks are dropped: a capture pasted from a terminal has lost
its tabs), line by line in order (difflib's longest matching blocks). Every captured line
the host does not print, and every line it prints that the capture does not have, is a
:class:`Mismatch`. A captured line the host prints at another place (the same text, missing
here and extra there) is one Mismatch that says where: the order differs, the line does not
(a real capture, the Admin Guide's "Final Solaris Volume Manager Configuration", lists the
soft partitions d80-d85 before their mirror d70, which illumos's meta_sp.c meta_sp_print
prints right after the first soft partition on it).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from simulator.host import Host
from simulator.importer.captures import Capture, Captures

_LEGEND = "r - replica does not have device relocation information"


@dataclass
class Mismatch:
    """A captured line the imported host does not print as captured (or an extra one)."""

    source: str
    command: str
    lineno: int | None       # the capture's line; None for a line only the host prints
    captured: str | None
    printed: str | None
    moved_to: int | None = None    # the host prints the captured line as its line N

    def text(self) -> str:
        if self.moved_to is not None:
            return (f"{self.source} line {self.lineno}: {self.captured!r}: the imported "
                    f"host's {self.command} prints it as its line {self.moved_to}: the "
                    "order of lines differs")
        if self.captured is None:
            return (f"{self.source}: after line {self.lineno or 0}: the imported host's "
                    f"{self.command} prints a line the capture does not have: "
                    f"{self.printed!r}")
        why = (f"the imported host's {self.command} prints {self.printed!r} instead"
               if self.printed is not None else
               f"the imported host's {self.command} does not print it")
        return f"{self.source} line {self.lineno}: {self.captured!r}: {why}"


def _norm(line: str) -> str:
    return " ".join(line.split())


def commands(caps: Captures) -> list[tuple[Capture, str]]:
    """(capture, the command that printed it) for each capture the round trip compares."""
    out: list[tuple[Capture, str]] = []
    if caps.metastat is not None:
        out.append((caps.metastat, "metastat"))
    if caps.metastat_p is not None:
        out.append((caps.metastat_p, "metastat -p"))
    if caps.metadb is not None:
        legend = any(_norm(line) == _LEGEND for line in caps.metadb.lines())
        out.append((caps.metadb, "metadb -i" if legend else "metadb"))
    if caps.metahs is not None:
        out.append((caps.metahs, "metahs -i"))
    return out


def compare(cap: Capture, command: str, printed: str) -> list[Mismatch]:
    """The mismatches between one capture and what the host printed for it."""
    want = [_norm(x) for x in cap.lines()]
    got = [_norm(x) for x in printed.splitlines()]
    while want and not want[-1]:
        want.pop()
    while got and not got[-1]:
        got.pop()
    out: list[Mismatch] = []
    missing: list[tuple[int, int]] = []          # (index in out, captured line index)
    extras: dict[str, list[tuple[int, int]]] = {}  # printed text -> (index in out, line)
    matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(i1, i2):
            j = j1 + (k - i1)
            if not (tag == "replace" and j < j2):
                missing.append((len(out), k))
            out.append(Mismatch(cap.source, command, k + 1, cap.lines()[k].rstrip(),
                                got[j] if tag == "replace" and j < j2 else None))
        extra = range(j1 + (i2 - i1), j2) if tag == "replace" else range(j1, j2)
        for j in extra:
            extras.setdefault(got[j], []).append((len(out), j))
            out.append(Mismatch(cap.source, command, i2, None, got[j]))
    # a captured line the host prints elsewhere: one mismatch saying where, not two
    paired: set[int] = set()
    for at, k in missing:
        places = extras.get(want[k])
        if want[k] and places:
            extra_at, j = places.pop(0)
            paired.add(extra_at)
            out[at] = Mismatch(cap.source, command, k + 1, cap.lines()[k].rstrip(), got[j],
                               moved_to=j + 1)
    return [m for i, m in enumerate(out) if i not in paired]


def round_trip(host: Host, caps: Captures) -> tuple[int, list[Mismatch]]:
    """(captured lines compared, mismatches) of the host against the captures."""
    total = 0
    out: list[Mismatch] = []
    for cap, command in commands(caps):
        res = host.run(command)
        total += len(cap.lines())
        out += compare(cap, command, res.stdout + res.stderr)
    return total, out
