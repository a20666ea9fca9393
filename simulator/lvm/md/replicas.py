"""State database replicas (``metadb``).

A replica is ``count`` blocks at ``first_block`` of a slice. Its flags are the letters of
MDDB_FLAGS_STRING (metadb.c) ``RSFDMaWm  pc luo tBr``: lower case is normal, upper case a
problem. The set of replicas decides whether the database is stale: SVM needs more than half
of the replicas healthy to run, and exactly half to stay up without a panic.

Which flags a healthy replica carries depends on whether it was there when the host booted
(md_mddb.h MDDB_F_*, in MDDB_FLAGS_STRING order): at boot the md driver reads the replica
locations patched into the kernel from md.conf's mddb_bootlist (``p``, MDDB_F_PTCHED),
reads each locator block (``l``, MDDB_F_LOCACC), records which replicas were active when
the database was loaded (``o``, MDDB_F_OLDACT; md_mddb.c compares ACTIVE with OLDACT to
see whether the configuration changed) and takes one copy as input (``m``, MDDB_F_MASTER).
A replica added to the running kernel (``metadb -a``: the MD_DB_NEWDEV ioctl) is written
with the current database, so it is active and up to date (``a``, ``u``) and nothing
else: ``a        u`` until the next reboot, as three real machines (Solaris 9, 10 and 11)
print it (issue 14). At the next boot it is read like the others: :func:`boot`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FLAGS_STRING = "RSFDMaWm  pc luo tBr"
DEFAULT_LENGTH = 8192
FIRST_BLOCK = 16
BOOT_FLAGS = frozenset("apluo")      # read at boot: active, patched, locator read, up to date
LIVE_FLAGS = frozenset("au")         # added since boot: active, up to date
# the problem letters: a replica carrying any of them is not healthy (nor one not active)
PROBLEM_FLAGS = frozenset("WMDFSRB")


@dataclass
class Replica:
    """One replica: where it is and which flag letters are set."""

    device: str              # short slice name, c0t0d0s7
    first_block: int = FIRST_BLOCK
    count: int = DEFAULT_LENGTH
    flags: set[str] = field(default_factory=lambda: set(BOOT_FLAGS))

    @property
    def healthy(self) -> bool:
        flags = self.flags
        return "a" in flags and flags.isdisjoint(PROBLEM_FLAGS)

    def flag_field(self) -> str:
        return "".join(ch if ch != " " and ch in self.flags else " " for ch in FLAGS_STRING)

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device, "first_block": self.first_block, "count": self.count,
                "flags": "".join(sorted(self.flags))}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Replica:
        return cls(device=d["device"], first_block=int(d["first_block"]),
                   count=int(d["count"]), flags=set(d["flags"]))


def end_block(replicas: list[Replica], device: str) -> int:
    """First block after the replicas on ``device`` (0 when it holds none). One pass, no
    list: metainit asks it of every component, most on slices with no replica."""
    end = None
    for r in replicas:
        if r.device == device:
            e = r.first_block + r.count
            if end is None or e > end:
                end = e
    return 0 if end is None else end


def data_start(replicas: list[Replica], device: str) -> int:
    """metagetstart (libmeta meta_name.c): where a component's data starts on a slice that
    holds replicas: after the last of them, never before block 16; 0 without replicas."""
    start = end_block(replicas, device)
    return max(start, FIRST_BLOCK) if start else 0


def is_stale(replicas: list[Replica]) -> bool:
    """Fewer than half of the replicas healthy: the database is stale (read-only)."""
    if not replicas:
        return False
    good = 0
    for r in replicas:
        if r.healthy:
            good += 1
    return good * 2 < len(replicas)


def mark_master(replicas: list[Replica]) -> None:
    """The first healthy replica read at boot is the master (flag ``m``, the copy the
    database was loaded from); a replica added since boot never is."""
    for r in replicas:
        r.flags.discard("m")
    for r in replicas:
        if r.healthy and "l" in r.flags:
            r.flags.add("m")
            return


def boot(replicas: list[Replica]) -> None:
    """A reboot: every healthy replica is read at boot and carries the boot flags (a
    replica added with ``metadb -a`` since the last boot included); the master is chosen
    again. Errored replicas keep their flags."""
    for r in replicas:
        if r.healthy:
            r.flags |= BOOT_FLAGS
    mark_master(replicas)
