"""Physical disks and slices of the simulated host.

SVM components are slices (``c1t0d0s0``) of disks (``c1t0d0``). Sizes are counts of 512-byte
blocks and are never allocated. A disk may be marked failed, which makes every I/O to its
slices fail (the volume manager then moves components to Maintenance / Last Erred). A disk
has one geometry (heads x sectors, a scenario's ``[[disk]] cylinder`` or ``heads``/``sectors``)
and a device ID (``[[disk]] devid``), read by the model and by the SunOS programs alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass
class Slice:
    """One VTOC slice: its size in blocks; slice 2 conventionally covers the whole disk."""

    number: int
    size: int
    start: int = 0  # first block on the disk

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "size": self.size, "start": self.start}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Slice:
        return cls(number=int(d["number"]), size=int(d["size"]), start=int(d.get("start", 0)))


# format.dat's SUN72G geometry (24 heads x 424 sectors), the drive the default devid names
DEFAULT_HEADS, DEFAULT_SECTORS = 24, 424
# head counts tried, in order, when only a cylinder size is known (format.dat's common ones)
HEADS = (24, 27, 19, 16, 32, 64, 255, 8, 4, 2, 1)


@lru_cache(maxsize=1024)
def split_cylinder(blocks: int) -> tuple[int, int]:
    """(heads, sectors/track) of a cylinder of ``blocks`` blocks: the first head count of
    :data:`HEADS` that divides it (decided: ``cylinder = 20352`` gives 24 x 848). Kept per
    size (a pure function of it; a campaign builds the same disks again and again)."""
    for nhead in HEADS:
        if blocks % nhead == 0:
            return nhead, blocks // nhead
    return 1, blocks


MAX_DATA_CYLINDERS = 65535 - 2          # dk_geom dkg_pcyl is an unsigned short; acyl = 2


@lru_cache(maxsize=1024)
def fit_geometry(size: int) -> tuple[int, int]:
    """(heads, sectors/track) for a disk of ``size`` blocks that a scenario gives no geometry
    (decided): the SUN72G's 24 x 424 when the size is whole cylinders of it (the default
    143349312-block disk: 14087), else the heads kept and the largest sectors/track not above
    424 that divides the size per head, so that the label's cylinders cover the whole disk
    (a 36 GB disk: 24 x 384, 8192 cylinders); 24 x 424 when no such divisor exists.
    Kept per size: a pure function of it, whose search costs a few microseconds a disk."""
    cyl = DEFAULT_HEADS * DEFAULT_SECTORS
    if size % cyl == 0 and size // cyl <= MAX_DATA_CYLINDERS:
        return DEFAULT_HEADS, DEFAULT_SECTORS
    for heads in (DEFAULT_HEADS, *HEADS):
        if size % heads:
            continue
        per_head = size // heads
        for sect in range(min(DEFAULT_SECTORS, per_head), 0, -1):
            if per_head % sect == 0:
                if per_head // sect <= MAX_DATA_CYLINDERS:
                    return heads, sect
                break
    return DEFAULT_HEADS, DEFAULT_SECTORS


@lru_cache(maxsize=4096)
def default_devid(name: str) -> str:
    """The device ID of a disk a scenario gives none: a SEAGATE ST373307LSUN72G (the SUN72G
    drive), serial from the disk's name, as devid_scsi_encode builds ``id1,sd@S<vid>_<pid>_
    <serial>`` from the inquiry strings. Kept per name (a SHA-1 a disk, for every build)."""
    digest = hashlib.sha1(name.encode()).hexdigest()[:16].upper()
    return f"id1,sd@SSEAGATE_ST373307LSUN72G_{digest}"


@dataclass
class Disk:
    """A disk ``cXtYdZ`` with its slices, geometry, device ID and a failure flag.

    ``devid``: ``""`` (the default) asks for :func:`default_devid`; ``None`` is a disk without
    a device ID (metastat's Reloc ``No``). Geometry: ``nhead`` x ``nsect`` blocks make one
    cylinder (``cyl_blocks``), the unit libmeta metagetstart (meta_name.c) rounds a
    label-holding component's start up to and the label format/prtvtoc print
    (:func:`simulator.sunos.disks.geometry`).
    """

    name: str
    size: int
    slices: dict[int, Slice] = field(default_factory=dict)
    devid: str | None = ""
    failed: bool = False
    nhead: int = DEFAULT_HEADS
    nsect: int = DEFAULT_SECTORS

    def __post_init__(self) -> None:
        if self.devid == "":
            self.devid = default_devid(self.name)

    @property
    def cyl_blocks(self) -> int:
        """Blocks per cylinder (nhead * nsect)."""
        return self.nhead * self.nsect

    @cyl_blocks.setter
    def cyl_blocks(self, blocks: int) -> None:
        self.nhead, self.nsect = split_cylinder(blocks)

    def slice_name(self, number: int) -> str:
        return f"{self.name}s{number}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "devid": self.devid, "failed": self.failed,
                "nhead": self.nhead, "nsect": self.nsect,
                "slices": [s.to_dict() for s in self.slices.values()]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Disk:
        disk = cls(name=d["name"], size=int(d["size"]), devid=d.get("devid", ""),
                   failed=bool(d.get("failed", False)))
        if "nhead" in d:
            disk.nhead, disk.nsect = int(d["nhead"]), int(d["nsect"])
        elif "cyl_blocks" in d:           # states saved before the geometry was typed
            disk.cyl_blocks = int(d["cyl_blocks"])
        for s in d.get("slices", []):
            sl = Slice.from_dict(s)
            disk.slices[sl.number] = sl
        return disk


def default_slices(size: int) -> dict[int, Slice]:
    """A disk laid out as many sites do: s2 the whole disk, s7 small (replicas), s0 the rest."""
    small = size // 100                  # min(65536, max(size // 100, 16384)), no calls
    if small < 16384:
        small = 16384
    elif small > 65536:
        small = 65536
    return {
        0: Slice(0, size - small, 0),
        2: Slice(2, size, 0),
        7: Slice(7, small, size - small),
    }
