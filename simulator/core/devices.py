"""Physical disks and slices of the simulated host.

SVM components are slices (``c1t0d0s0``) of disks (``c1t0d0``). Sizes are counts of 512-byte
blocks and are never allocated. A disk may be marked failed, which makes every I/O to its
slices fail (the volume manager then moves components to Maintenance / Last Erred).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
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


@dataclass
class Disk:
    """A disk ``cXtYdZ`` with its slices, a device ID and a failure flag."""

    name: str
    size: int
    slices: dict[int, Slice] = field(default_factory=dict)
    devid: str = ""
    failed: bool = False
    # Blocks per cylinder (nhead * nsect). libmeta metagetstart (meta_name.c) rounds a
    # component's start up to a cylinder; the default is the SUN72G format.dat geometry
    # (24 heads x 424 sectors), the drive the default devid names.
    cyl_blocks: int = 24 * 424

    def __post_init__(self) -> None:
        if not self.devid:
            digest = hashlib.sha1(self.name.encode()).hexdigest()[:16].upper()
            self.devid = f"id1,sd@SSEAGATE_ST373307LSUN72G_{digest}"

    def slice_name(self, number: int) -> str:
        return f"{self.name}s{number}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "devid": self.devid, "failed": self.failed,
                "cyl_blocks": self.cyl_blocks,
                "slices": [s.to_dict() for s in self.slices.values()]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Disk:
        disk = cls(name=d["name"], size=int(d["size"]), devid=d.get("devid", ""),
                   failed=bool(d.get("failed", False)),
                   cyl_blocks=int(d.get("cyl_blocks", 24 * 424)))
        for s in d.get("slices", []):
            sl = Slice.from_dict(s)
            disk.slices[sl.number] = sl
        return disk


def default_slices(size: int) -> dict[int, Slice]:
    """A disk laid out as many sites do: s2 the whole disk, s7 small (replicas), s0 the rest."""
    small = min(65536, max(size // 100, 16384))
    return {
        0: Slice(0, size - small, 0),
        2: Slice(2, size, 0),
        7: Slice(7, small, size - small),
    }
