"""The catalogue of fault kinds, by name: one import line per kind module, nothing registered
from elsewhere."""

from __future__ import annotations

from simulator.faults.kind import FaultKind
from simulator.faults.kinds import backup as _backup
from simulator.faults.kinds import host as _host
from simulator.faults.kinds import lvm as _lvm
from simulator.faults.kinds import ufs as _ufs

KINDS: dict[str, FaultKind] = {}
for _kind in (*_lvm.KINDS, *_host.KINDS, *_ufs.KINDS, *_backup.KINDS):
    if _kind.name in KINDS:
        raise RuntimeError(f"fault kind {_kind.name} defined twice")
    KINDS[_kind.name] = _kind
