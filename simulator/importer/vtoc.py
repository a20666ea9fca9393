"""``prtvtoc`` and ``format``: the disks, their geometry and slices.

prtvtoc(1M) (usr/src/cmd/prtvtoc/prtvtoc.c puttable): ``* /dev/rdsk/cXtYdZs2 partition
map``, the ``Dimensions:`` block (``sectors/track``, ``tracks/cylinder``,
``accessible cylinders``; an EFI label has ``accessible sectors`` instead), then one line
per slice: number, tag, flags, first sector, sector count, last sector, mount directory.
format(1M)'s disk list (usr/src/cmd/format/menu_command.c, ``format </dev/null``):
``   0. c0t0d0 <SUN36G cyl 24620 alt 2 hd 27 sec 107>``, the geometry of disks whose VTOC
was not captured. Slices 8 and 9 (the x86 boot slices) are outside what a scenario can
describe (``[[disk]] slices`` 0 to 7): they are noted, not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.core.names import DISK_RE
from simulator.importer.captures import Capture, CaptureError

_MAP = re.compile(r"^\*\s+/dev/rdsk/(?P<disk>c\d+(?:t\d+)?d\d+)s\d+ partition map")
_DIM = re.compile(r"^\*\s+(?P<n>\d+) (?P<what>bytes/sector|sectors/track|tracks/cylinder|"
                  r"sectors/cylinder|cylinders|accessible cylinders|sectors|"
                  r"accessible sectors)\s*$")
_PART = re.compile(r"^\s+(?P<num>\d+)\s+(?P<tag>\d+)\s+(?P<flags>[0-9a-fA-F]+)\s+"
                   r"(?P<first>\d+)\s+(?P<count>\d+)\s+(?P<last>\d+)(?:\s+(?P<mnt>\S+))?\s*$")
_FORMAT = re.compile(r"^\s*\d+\. (?P<disk>c\d+(?:t\d+)?d\d+) <.*?cyl (?P<cyl>\d+) alt \d+ "
                     r"hd (?P<hd>\d+) sec (?P<sec>\d+)>")


@dataclass
class DiskLayout:
    """A disk as its label shows it."""

    name: str
    size: int                                  # blocks
    heads: int | None = None
    sectors: int | None = None
    slices: dict[int, tuple[int, int]] = field(default_factory=dict)   # num -> first, count
    dropped: list[int] = field(default_factory=list)                   # slices 8, 9
    source: str = ""


def parse_prtvtoc(cap: Capture, disk: str | None = None) -> DiskLayout:
    dims: dict[str, int] = {}
    parts: dict[int, tuple[int, int]] = {}
    name = disk
    for line in cap.lines():
        m = _MAP.match(line)
        if m:
            name = name or m["disk"]
            continue
        m = _DIM.match(line)
        if m:
            dims[m["what"]] = int(m["n"])
            continue
        m = _PART.match(line)
        if m:
            parts[int(m["num"])] = (int(m["first"]), int(m["count"]))
    if name is None or not DISK_RE.match(name):
        raise CaptureError(f"{cap.source}: not prtvtoc output (no '* /dev/rdsk/cXtYdZs2 "
                           "partition map' line)")
    if not parts:
        raise CaptureError(f"{cap.source}: not prtvtoc output (no slice lines)")
    heads, sectors = dims.get("tracks/cylinder"), dims.get("sectors/track")
    if "accessible cylinders" in dims and "sectors/cylinder" in dims:
        size = dims["accessible cylinders"] * dims["sectors/cylinder"]
    elif "accessible sectors" in dims:
        size = dims["accessible sectors"]
    else:
        size = max(first + count for first, count in parts.values())
    if 2 in parts and parts[2][0] == 0:
        size = max(size, parts[2][1])
    layout = DiskLayout(name, size, heads, sectors, source=cap.source)
    for num, (first, count) in sorted(parts.items()):
        if num > 7:
            layout.dropped.append(num)
        elif num != 2 and count > 0:
            layout.slices[num] = (first, count)
    return layout


def parse_format(cap: Capture) -> dict[str, DiskLayout]:
    """The disks format lists, with their geometry (size: data cylinders x hd x sec)."""
    out: dict[str, DiskLayout] = {}
    for line in cap.lines():
        m = _FORMAT.match(line)
        if m:
            hd, sec = int(m["hd"]), int(m["sec"])
            out[m["disk"]] = DiskLayout(m["disk"], int(m["cyl"]) * hd * sec, hd, sec,
                                        source=cap.source)
    return out
