"""The volume manager: one object, ``host.md``, composed of the md driver's parts.

Split as the driver is (and as moto splits a backend into mixins), one concern per module:
:mod:`.create` (concat/stripes, mirrors, soft partitions), :mod:`.mirror` (submirror states,
attach/detach, offline/online, replace), :mod:`.faults` (I/O errors, hot spare allocation),
:mod:`.resync` (resync progress, checkpoints, reboot, the ``metasync -r`` child),
:mod:`.spares` (hot spare pools) and :mod:`.mddb` (state database replicas), over the shared
lookups of :mod:`.base`. Free of I/O and printing: every refusal raises :class:`MDError` with
the real text, in the order the kernel checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.core.devices import Disk
from simulator.core.faulthooks import FaultHooks
from simulator.lvm.md.create import CreateMixin
from simulator.lvm.md.faults import FaultsMixin
from simulator.lvm.md.mddb import ReplicasMixin
from simulator.lvm.md.mirror import MirrorMixin
from simulator.lvm.md.records import DiskError, Event, MDSet, Mirror
from simulator.lvm.md.resync import ResyncDaemon, ResyncMixin
from simulator.lvm.md.spares import SparesMixin

__all__ = ["Event", "MDSet", "VolumeManager"]


class VolumeManager(CreateMixin, MirrorMixin, FaultsMixin, ResyncMixin, SparesMixin,
                    ReplicasMixin):
    """All sets of a host and the operations on them.

    ``disks`` are the host's disks, ``now`` the virtual clock, ``is_open`` tells whether a
    metadevice is open (mounted, swapped on, in use by an application) and returns where.
    """

    def __init__(self, disks: dict[str, Disk], now: Callable[[], float],
                 is_open: Callable[[str], str | None] | None = None) -> None:
        self.disks = disks
        self.now = now
        self.is_open = is_open or (lambda name: None)
        self.sets = {"": MDSet("")}
        self.resync = ResyncDaemon(self)     # the child ``metasync -r`` leaves running
        self.events = []
        self.disk_errors = []
        self.resync_rate = 40960.0   # blocks per virtual second (20 MB/s)
        # called with (mirror, submirror) whenever a submirror's data is made whole again
        self.on_resynced: list[Callable[[Mirror, str], None]] = []
        self.on_detached: list[Callable[[Mirror, str], None]] = []
        # text of /etc/lvm/md.tab (read by ``metainit -a`` / ``metainit dN``)
        self.mdtab = ""
        # injected faults (simulator.faults): the hooks, and the model state a fault sets
        self.faults = FaultHooks()
        self.bad_slices = {}
        self.slow_disks = {}
        self.refusals = {}

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        return {"resync_rate": self.resync_rate,
                "sets": [s.to_dict() for s in self.sets.values()],
                "events": [{"time": e.time, "text": e.text} for e in self.events],
                **({"disk_errors": [{"time": e.time, "device": e.device, "op": e.op}
                                    for e in self.disk_errors]} if self.disk_errors else {}),
                "mdtab": self.mdtab,
                **({"injected": {"bad_slices": dict(self.bad_slices),
                                 "slow_disks": dict(self.slow_disks),
                                 "refusals": {k: list(v) for k, v in self.refusals.items()}}}
                   if self.bad_slices or self.slow_disks or self.refusals else {})}

    def load_dict(self, d: dict[str, Any]) -> None:
        self.resync_rate = float(d.get("resync_rate", self.resync_rate))
        self.sets = {}
        for sd in d.get("sets", []):
            s = MDSet.from_dict(sd)
            self.sets[s.name] = s
        self.sets.setdefault("", MDSet(""))
        self.events = [Event(float(e["time"]), e["text"]) for e in d.get("events", [])]
        self.disk_errors = [DiskError(float(e["time"]), str(e["device"]), str(e.get("op", "write")))
                            for e in d.get("disk_errors", [])]
        self.mdtab = str(d.get("mdtab", ""))
        inj = d.get("injected", {})
        self.bad_slices = {str(k): str(v) for k, v in inj.get("bad_slices", {}).items()}
        self.slow_disks = {str(k): float(v) for k, v in inj.get("slow_disks", {}).items()}
        self.refusals = {str(k): (str(v[0]), str(v[1]), str(v[2]))
                         for k, v in inj.get("refusals", {}).items()}
