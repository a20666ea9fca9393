"""State database replicas as the driver keeps them: ``metadb -a`` / ``-d`` and write errors.

The replica records and the rules about them (stale, master, where data starts) are in
:mod:`simulator.lvm.md.replicas`; this is md_mddb.c's side with libmeta meta_db.c
meta_db_attach / meta_db_detach's checks in their order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import short_name
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.base import VolumeBase
from simulator.lvm.md.replicas import (
    BOOT_FLAGS,
    DEFAULT_LENGTH,
    FIRST_BLOCK,
    LIVE_FLAGS,
    Replica,
    mark_master,
)

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet


class ReplicasMixin(VolumeBase):
    """add_replicas, delete_replicas and replica_error."""

    def add_replicas(self, s: MDSet, devices: list[str], count: int = 1,
                     length: int = DEFAULT_LENGTH, force: bool = False,
                     live: bool = False) -> None:
        """``metadb -a`` in meta_db.c meta_db_attach order: the replica limit, then per
        slice the in-use check, the size check, then the kernel's "exists" refusal.

        ``live``: added to the running kernel (``metadb -a``), flags ``a u`` until the next
        reboot; the default places replicas that were there at boot (a scenario's), with
        the boot flags (:mod:`simulator.lvm.md.replicas`).
        """
        if not s.replicas and not force:
            raise MDError(E.NO_DB)
        names = [short_name(d) for d in devices]
        if len(s.replicas) + count * len(names) > E.MDDB_NLB:
            raise MDError(E.TOO_MANY_REPLICAS % (len(s.replicas) + count * len(names),
                                                 E.MDDB_NLB))
        for dev in names:
            size = self.slice_size(dev)
            # meta_check.c meta_check_inmeta (via meta_check_replica): MDE_ALREADY
            user = self.slice_user(dev)
            if user is not None:
                raise E.already(dev, user)
            if size < count * length + FIRST_BLOCK:
                raise MDError(E.REPLICA_TOO_SMALL % size, name=dev)
        flags = LIVE_FLAGS if live else BOOT_FLAGS
        for dev in names:
            for r in s.replicas:
                if r.device == dev:
                    raise MDError(E.DB_EXISTS, name=dev)
            s.replicas.extend([Replica(dev, FIRST_BLOCK + i * length, length, set(flags))
                               for i in range(count)])
        mark_master(s.replicas)

    def delete_replicas(self, s: MDSet, devices: list[str], force: bool = False) -> None:
        """``metadb -d`` as meta_db.c meta_db_detach decides it: every slice must hold a
        replica; keeping none needs -f (and is never allowed in a diskset); deleting healthy
        replicas so that errored ones outnumber the healthy rest needs -f."""
        if not s.replicas:
            raise MDError(E.NO_DB)
        names = [short_name(d) for d in devices]
        for dev in names:
            if not any(r.device == dev for r in s.replicas):
                raise MDError(E.NO_REPLICA_ON_DEVICE, name=dev)
        doomed = [r for r in s.replicas if r.device in names]
        remaining = [r for r in s.replicas if r.device not in names]
        if not remaining:
            if not force:
                raise MDError(E.DB_LAST)
            if s.name:
                raise MDError(E.DB_LAST_DISKSET)
        errored = set("RWSFDM")
        invalid_doomed = sum(1 for r in doomed if r.flags & errored)
        invalid_kept = sum(1 for r in remaining if r.flags & errored)
        if invalid_doomed != len(doomed) and invalid_kept > len(remaining) - invalid_kept \
                and not (force and not s.name):
            raise MDError(E.DB_STALE_DELETE)
        s.replicas = remaining
        mark_master(s.replicas)

    def replica_error(self, device: str) -> None:
        """Replicas on a failed slice get write errors (flag W, no longer active)."""
        for s in self.sets.values():
            for r in s.replicas:
                if r.device == device:
                    r.flags -= {"a", "u", "o", "m"}
                    r.flags.add("W")
            mark_master(s.replicas)
