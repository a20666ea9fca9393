"""``metadb``: the state database replicas, their places and flags.

metadb.c info() prints a header (``flags``, ``first blk``, ``block count``) and one line
per replica: its flag letters in MDDB_FLAGS_STRING order (``RSFDMaWm  pc luo tBr``, each
letter in its own column: :mod:`simulator.lvm.md.replicas`), the first block, the block
count and the block device. Each letter is unique, so a replica's flags are the letters on
its line whatever the blanks; ``metadb -i``'s legend lines are skipped.

A replica whose disk cannot be read prints ``unknown`` for its first block and block count
(metadb.c info(): ``r_blkno``/``r_nblk`` of -1 print ``unk_str``; a real capture,
unixadminschool.com's failed root disk: ``M     p        unknown         unknown
/dev/dsk/c0t0d0s0``): it is read with its flags and no place (``first``/``count`` None),
never skipped, so that the import does not lose a replica.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.core.names import SLICE_DEVICE_RE
from simulator.importer.captures import Capture, CaptureError, Unimportable, where
from simulator.lvm.md.replicas import FLAGS_STRING

_ROW = re.compile(r"^\s*(?P<flags>[A-Za-z ]*?)\s+(?P<first>\d+|unknown)\s+"
                  r"(?P<count>\d+|unknown)\s+(?P<dev>/\S+)\s*$")
_LETTERS = set(FLAGS_STRING.replace(" ", ""))


@dataclass
class ReplicaLine:
    device: str            # c0t0d0s7
    first: int | None      # None: metadb printed "unknown"
    count: int | None
    flags: str             # the letters, as printed (blanks removed)
    lineno: int


def parse_metadb(cap: Capture) -> list[ReplicaLine]:
    out: list[ReplicaLine] = []
    for lineno, line in enumerate(cap.lines(), 1):
        m = _ROW.match(line)
        if m is None:
            continue
        letters = m["flags"].replace(" ", "")
        if set(letters) - _LETTERS:
            raise CaptureError(f"{where(cap, lineno)}: {letters!r}: not metadb flags")
        dev = SLICE_DEVICE_RE.match(m["dev"])
        if dev is None:
            raise Unimportable(f"{where(cap, lineno)}: cannot be imported: a replica on "
                               f"{m['dev']}, not a slice of a disk")
        out.append(ReplicaLine(dev["slice"], _number(m["first"]), _number(m["count"]),
                               letters, lineno))
    if not out and cap.text.strip():
        raise CaptureError(f"{cap.source}: not metadb output (no replica line)")
    return out


def _number(text: str) -> int | None:
    return None if text == "unknown" else int(text)
