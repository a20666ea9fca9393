"""Databases on raw volumes: the application that writes a volume with no file system.

The Admin Guide's online backup procedure says (step 2, "How to Perform an Online Backup of a
RAID-1 Volume"): *Only a UFS volume needs to be write-locked. If the volume is set up as a raw
device for database management software or some other application, running the lockfs
command is not necessary. You might, however, want to run the appropriate vendor-supplied
utility to flush any buffers and lock access.* This module is that application and what its
vendor utility does to the volume; the utility itself is ``simulator/ufs/cmd/dbctl.py``.

A database writes its volume (a mirror, usually) at ``writes_per_hour`` while it is open and
not quiesced; its content is a digest of how many writes it has applied (a 2 TB tablespace
costs a counter, not 2 TB). Quiescing flushes its buffers and holds new writes back (they
wait, as writers wait on a write-locked UFS), so while quiesced the content does not change
and every copy of it is consistent.

A submirror detached from the database's mirror keeps the content it had at that moment
(:class:`RawCopy`): *consistent* when the database was quiesced (or never writes), and
otherwise a crash-consistent copy -- writes in flight were torn, and the database will need
its own crash recovery from its logs when the copy is restored (the same state as after a
power cut). A finished resync makes the submirror follow the mirror again (md_mirror.c: a
resynced submirror takes every write).

Where the sources are silent -- no Solaris program knows what a database is -- this module
decides: one database per volume, its writes spread evenly over time, and a crash (panic,
reboot) leaves it running again after boot, not quiesced (an rc script restarts it; its
vendor's own recovery replays the log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.core.clock import ALWAYS, StepWindow
from simulator.core.hostref import HostPart
from simulator.core.names import md_device
from simulator.lvm.md.base import short_unit
from simulator.lvm.md.records import Mirror
from simulator.ufs.image import content_digest

if TYPE_CHECKING:
    from simulator.host import Host


@dataclass
class Database:
    """One database on raw volume ``volume`` (a metadevice name, ``d20``)."""

    name: str
    volume: str
    writes_per_hour: float = 3600.0
    seed: int = 0
    active_seconds: float = 0.0          # virtual seconds it has been writing
    quiesced_at: float | None = None     # when its vendor utility quiesced it

    @property
    def quiesced(self) -> bool:
        return self.quiesced_at is not None

    @property
    def writes(self) -> int:
        """How many writes it has applied so far."""
        return int(self.active_seconds * self.writes_per_hour / 3600.0)

    def digest(self) -> str:
        """Its content now: a digest of its name, seed and the writes applied."""
        return content_digest("database", self.name, self.seed, self.writes)

    @property
    def idle(self) -> bool:
        """Nothing changes its content: quiesced, or an application that never writes."""
        return self.quiesced or self.writes_per_hour <= 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "volume": self.volume, "wph": self.writes_per_hour,
                "seed": self.seed, "active": self.active_seconds, "q": self.quiesced_at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Database:
        q = d.get("q")
        return cls(str(d["name"]), str(d["volume"]), float(d["wph"]), int(d["seed"]),
                   float(d["active"]), None if q is None else float(q))


@dataclass
class RawCopy:
    """What a device holds of a database: its name, the writes it holds, and whether the
    database was quiesced (or idle) at that point -- a clean copy -- or writing (a
    crash-consistent one)."""

    database: str
    writes: int
    digest: str
    quiesced: bool
    time: float

    def to_list(self) -> list[Any]:
        return [self.database, self.writes, self.digest, self.quiesced, self.time]

    @classmethod
    def from_list(cls, d: list[Any]) -> RawCopy:
        return cls(str(d[0]), int(d[1]), str(d[2]), bool(d[3]), float(d[4]))


@dataclass
class RawDetach:
    """A submirror detached from a database's mirror: when, and whether it was quiesced."""

    mirror: str
    submirror: str
    time: float
    copy: RawCopy


class Databases(HostPart):
    """The host's databases on raw volumes, and the copies submirrors keep of them."""

    def __init__(self, host: Host) -> None:
        HostPart.__init__(self, host)               # self.host: weak (simulator.core.hostref)
        self.databases: dict[str, Database] = {}      # by volume
        self.frozen: dict[str, RawCopy] = {}          # submirror -> the copy it keeps
        self.detaches: list[RawDetach] = []
        # a database's next quiesce is refused with this text (a fault: quiesce-refused)
        self.refusals: dict[str, str] = {}
        host.on_advance(self._tick, self._merge_window)
        host.add_open_check(self._open_check)
        host.md.on_detached.append(self._on_detached)
        host.md.on_resynced.append(self._on_resynced)

    # ------------------------------------------------------------------ building
    def add(self, name: str, volume: str, writes_per_hour: float = 3600.0,
            seed: int = 0) -> Database:
        """A database ``name`` opening raw volume ``volume`` (``d20``)."""
        unit = short_unit(volume.rsplit("/", 1)[-1])
        if self.named(name) is not None:
            raise ValueError(f"database {name} is declared twice")
        if unit in self.databases:
            raise ValueError(f"{unit} already holds database {self.databases[unit].name}")
        if unit not in self.host.md.sets[""].units:
            raise ValueError(f"database {name}: {unit} is not a metadevice")
        db = Database(name, unit, writes_per_hour, seed)
        self.databases[unit] = db
        return db

    def named(self, name: str) -> Database | None:
        return next((d for d in self.databases.values() if d.name == name), None)

    def on_volume(self, device: str) -> Database | None:
        """The database whose volume is ``device`` (``/dev/md/rdsk/d20``, ``d20``)."""
        return self.databases.get(short_unit(device.rsplit("/", 1)[-1]))

    # ------------------------------------------------------------------ the vendor utility
    def quiesce(self, db: Database) -> bool:
        """Flush its buffers and hold new writes back; False when it already was."""
        if db.quiesced:
            return False
        db.quiesced_at = self.host.clock.now
        return True

    def resume(self, db: Database) -> float | None:
        """Let writes go on again; how long it was quiesced (None: it was not)."""
        if db.quiesced_at is None:
            return None
        held = self.host.clock.now - db.quiesced_at
        db.quiesced_at = None
        return held

    # ------------------------------------------------------------------ what a device holds
    def copy_of(self, device: str) -> RawCopy | None:
        """What reading ``device`` now gets of a database: the volume itself or a submirror
        following it (the database's content now), or a submirror that stopped following
        it (the copy it kept). None when no database is on it."""
        unit = short_unit(device.rsplit("/", 1)[-1])
        if unit in self.frozen:
            return self.frozen[unit]
        db = self._database_of(unit)
        if db is None:
            return None
        return RawCopy(db.name, db.writes, db.digest(), db.idle, self.host.clock.now)

    def _database_of(self, unit: str) -> Database | None:
        """The database on ``unit`` or on the mirror ``unit`` is a submirror of."""
        if unit in self.databases:
            return self.databases[unit]
        u = self.host.md.sets[""].units.get(unit)
        return self.databases.get(u.parent) if u is not None and u.parent else None

    # ------------------------------------------------------------------ md and host hooks
    def _tick(self, seconds: float) -> None:
        for db in self.databases.values():
            if not db.quiesced:
                db.active_seconds += seconds

    def _merge_window(self) -> StepWindow | None:
        """Steps of time may be taken as one while every database is quiesced (a running
        one counts its active seconds step by step: ``Host.merge_window``)."""
        for db in self.databases.values():
            if not db.quiesced:
                return None
        return ALWAYS

    def _open_check(self, name: str) -> str | None:
        """A database holds its volume open (metaclear refuses it, as for a mount)."""
        if not self.databases:
            return None               # no database: nothing held open (metainit asks often)
        db = self.databases.get(short_unit(name.rsplit("/", 1)[-1]))
        return md_device(db.volume, raw=True) if db is not None else None

    def _on_detached(self, m: Mirror, sub: str) -> None:
        db = self.databases.get(m.name)
        if db is None or sub in self.frozen:
            return
        copy = RawCopy(db.name, db.writes, db.digest(), db.idle, self.host.clock.now)
        self.frozen[sub] = copy
        self.detaches.append(RawDetach(m.name, sub, self.host.clock.now, copy))

    def _on_resynced(self, m: Mirror, sub: str) -> None:
        self.frozen.pop(sub, None)

    def reboot(self) -> None:
        """After a crash the databases run again, not quiesced (see the module docstring)."""
        for db in self.databases.values():
            db.quiesced_at = None

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        return {"databases": [d.to_dict() for d in self.databases.values()],
                "frozen": {k: v.to_list() for k, v in self.frozen.items()},
                "detaches": [[r.mirror, r.submirror, r.time, r.copy.to_list()]
                             for r in self.detaches],
                **({"refusals": dict(self.refusals)} if self.refusals else {})}

    def load_dict(self, data: dict[str, Any]) -> None:
        self.databases = {}
        for d in data.get("databases", []):
            db = Database.from_dict(d)
            self.databases[db.volume] = db
        self.frozen = {str(k): RawCopy.from_list(v) for k, v in data.get("frozen", {}).items()}
        self.detaches = [RawDetach(str(m), str(s), float(t), RawCopy.from_list(c))
                         for m, s, t, c in data.get("detaches", [])]
        self.refusals = {str(k): str(v) for k, v in data.get("refusals", {}).items()}
