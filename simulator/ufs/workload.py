"""What applications keep doing to a mounted file system: writes, creates and deletes.

A workload is deterministic: operation *n* of a file system is drawn from a hash of
``(seed, n)``, and the number of operations in an interval from the rates and the virtual
time that passed. Operations stall while the file system is write-locked (writers block in
``ufs_check_lockfs``; ufs_lockfs.c), namespace changes stall under a name lock, deletes under
a delete lock, and nothing happens on a hard- or error-locked file system.
"""

from __future__ import annotations

import fnmatch
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulator.ufs.image import (
    S_IFREG,
    FileEntry,
    Image,
    content_digest,
    norm_path,
    parent_of,
    rnd,
)

ROLL_DELAY = 30.0      # fsflush writes dirty pages older than autoup (30 s)


class WorkloadParams(Protocol):
    """What a workload is made from: a :class:`WorkloadSpec`, or any object with its fields
    (the scenario's ``[filesystem.workload]``, ``simulator.testing.strategies.Workload``)."""

    @property
    def writes_per_second(self) -> float: ...
    @property
    def creates_per_second(self) -> float: ...
    @property
    def deletes_per_second(self) -> float: ...
    @property
    def write_size(self) -> int: ...
    @property
    def paths(self) -> Sequence[str]: ...


@dataclass
class WorkloadSpec:
    """What applications keep doing to a mounted file system: operations per virtual second
    and the files they touch (globs relative to the mount point, or absolute under it).

    The fields of a scenario's ``[filesystem.workload]``; ``FileSystems.add_ufs`` takes it.
    """

    writes_per_second: float = 0.0
    creates_per_second: float = 0.0
    deletes_per_second: float = 0.0
    write_size: int = 16                # blocks per write (8 KB)
    paths: list[str] = field(default_factory=lambda: ["**"])


@dataclass
class PendingOp:
    """A change applications made that is not on disk yet (page cache / UFS log)."""

    opid: int
    time: float
    kind: str                      # create | modify | delete
    path: str
    old: FileEntry | None
    new: FileEntry | None
    parent_old: FileEntry | None
    parent_new: FileEntry | None
    blocks: int                    # 512-byte blocks of data written
    grows: bool = False

    def to_dict(self) -> dict[str, Any]:
        def el(e: FileEntry | None) -> list[Any] | None:
            return e.to_list() if e else None
        return {"opid": self.opid, "time": self.time, "kind": self.kind, "path": self.path,
                "old": el(self.old), "new": el(self.new), "parent_old": el(self.parent_old),
                "parent_new": el(self.parent_new), "blocks": self.blocks, "grows": self.grows}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PendingOp:
        def le(x: Any) -> FileEntry | None:
            return FileEntry.from_list(x) if x else None
        return cls(int(d["opid"]), float(d["time"]), d["kind"], d["path"], le(d["old"]),
                   le(d["new"]), le(d["parent_old"]), le(d["parent_new"]), int(d["blocks"]),
                   bool(d.get("grows", False)))


@dataclass
class Workload:
    """Rates (per virtual second) and the globs (relative to the mount point) they touch."""

    writes_per_second: float = 0.0
    creates_per_second: float = 0.0
    deletes_per_second: float = 0.0
    write_size: int = 16
    paths: list[str] = field(default_factory=lambda: ["**"])
    seed: int = 1
    counter: int = 0
    acc: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    created: list[str] = field(default_factory=list)
    stopped: bool = False
    # a long stretch in progress (Locks.long_stretch): time owed, replayed as one stretch
    held: bool = field(default=False, compare=False)
    owed_from: float | None = field(default=None, compare=False)
    owed: float = field(default=0.0, compare=False)

    def owe(self, start: float, dt: float) -> None:
        """``dt`` seconds from ``start`` pass while held: replayed later, with the time
        owed before them, as one stretch (thinned as ``due`` thins a long one)."""
        if self.owed_from is None:
            self.owed_from = start
        self.owed += dt

    def take_owed(self) -> tuple[float, float] | None:
        """(start, seconds) owed, now settled; None when nothing is owed."""
        if self.owed_from is None:
            return None
        owed = (self.owed_from, self.owed)
        self.owed_from, self.owed = None, 0.0
        return owed

    @classmethod
    def from_spec(cls, spec: WorkloadParams, seed: int, mount: str) -> Workload:
        """A :class:`WorkloadSpec` (or the like) on ``mount``; globs may be absolute under
        the mount point. An empty ``paths`` means every file; a ``write_size`` of 0, 16."""
        prefix = mount.rstrip("/") + "/"
        globs = []
        for g in list(spec.paths) or ["**"]:
            if g.startswith(prefix):
                g = g[len(prefix):]
            globs.append(g.lstrip("/") or "**")
        return cls(writes_per_second=float(spec.writes_per_second),
                   creates_per_second=float(spec.creates_per_second),
                   deletes_per_second=float(spec.deletes_per_second),
                   write_size=int(spec.write_size or 16), paths=globs, seed=seed)

    @property
    def active(self) -> bool:
        return not self.stopped and (self.writes_per_second + self.creates_per_second
                                     + self.deletes_per_second) > 0

    def matches(self, path: str) -> bool:
        paths = self.paths
        if "**" in paths or "*" in paths:
            return True
        return any(fnmatch.fnmatchcase(path, g) for g in paths)

    def due(self, dt: float, cap: int | None = None,
            tail: float = 0.0) -> list[tuple[float, str]]:
        """(fraction of dt, kind) of the operations falling in the next ``dt`` seconds.

        Over a long stretch (a driver's ``sleep 86400``) only the end state of the files
        matters, not every write: with ``cap``, operations before the last ``tail`` seconds
        are thinned to at most ``cap`` evenly spread ones of each kind, while the tail (the
        writes still in memory or the log at the end) is kept whole.
        """
        out: list[tuple[float, str]] = []
        for i, (rate, kind) in enumerate(((self.writes_per_second, "modify"),
                                          (self.creates_per_second, "create"),
                                          (self.deletes_per_second, "delete"))):
            if rate <= 0:
                continue
            start = self.acc[i]
            total = start + rate * dt
            n = int(total)
            ks: Iterable[int] = range(n)
            if cap is not None and n > cap:
                k0 = max(0, min(n, int(start + rate * max(0.0, dt - tail))))
                step = -(-k0 // cap) if k0 else 1
                ks = itertools.chain(range(0, k0, step), range(k0, n))
            for k in ks:
                out.append((((k + 1) - start) / (rate * dt) if dt > 0 else 1.0, kind))
            self.acc[i] = total - n
        out.sort()
        return out

    # ------------------------------------------------------------ one operation
    def make_op(self, app: Image, kind: str, when: float) -> PendingOp | None:
        """Operation number ``counter`` against what applications see now."""
        self.counter += 1
        n = self.counter
        r = rnd(self.seed, n, 0xA11)
        if kind == "create":
            return self._create(app, n, r, when)
        path = self._pick(app, r)
        if path is None:
            return None
        old = app.get(path)
        if old is None or old.kind != "f":
            return None
        if kind == "delete":
            par_old = app.get(parent_of(path))
            par_new = None if par_old is None else _touch(par_old, when)
            if path in self.created:
                self.created.remove(path)
            return PendingOp(n, when, "delete", path, old, None, par_old, par_new, 0)
        grows = bool(r >> 40 & 1) or old.size == 0
        nbytes = self.write_size * 512
        size = old.size + nbytes if grows else max(old.size, nbytes)
        new = FileEntry(old.path, old.inode, "f", size, when, when, old.uid, old.gid, old.mode,
                        content_digest(self.seed, "w", n))
        return PendingOp(n, when, "modify", path, old, new, None, None, self.write_size,
                         grows or size > old.size)

    def _pick(self, app: Image, r: int) -> str | None:
        for attempt in range(24):
            rr = rnd(r, attempt)
            path: str | None
            if self.created and rr % 4 == 0:
                path = self.created[(rr >> 8) % len(self.created)]
            else:
                path = app.base.random_file(rr)
            if path is not None and self.matches(path) and app.get(path) is not None:
                return path
        return None

    def _create(self, app: Image, n: int, r: int, when: float) -> PendingOp | None:
        dirs = app.base.dirs()
        if not dirs:
            return None
        base = app.base
        for attempt in range(24):
            rr = rnd(r, attempt, 3)
            d = dirs[rr % len(dirs)]
            w = base.words
            name = f"{w[(rr >> 8) % len(w)]}-{n}.tmp" if rr >> 50 & 1 else \
                f"{w[(rr >> 8) % len(w)]}_{w[(rr >> 24) % len(w)]}-{n}.dat"
            path = f"{d}/{name}"
            if not self.matches(path) or app.get(path) is not None:
                continue
            par_old = app.get(d)
            if par_old is None:
                continue
            owner = par_old.uid
            size = self.write_size * 512 * (1 + (rr >> 32) % 8)
            new = FileEntry(path, app.alloc_ino(), "f", size, when, when, owner, par_old.gid,
                            S_IFREG | 0o644, content_digest(self.seed, "c", n))
            self.created.append(path)
            if len(self.created) > 512:
                del self.created[0]
            return PendingOp(n, when, "create", path, None, new, par_old, _touch(par_old, when),
                             size // 512, True)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"writes_per_second": self.writes_per_second,
                "creates_per_second": self.creates_per_second,
                "deletes_per_second": self.deletes_per_second, "write_size": self.write_size,
                "paths": list(self.paths), "seed": self.seed, "counter": self.counter,
                "acc": list(self.acc), "created": list(self.created), "stopped": self.stopped}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Workload:
        w = cls(float(d["writes_per_second"]), float(d["creates_per_second"]),
                float(d["deletes_per_second"]), int(d["write_size"]), list(d["paths"]),
                int(d["seed"]), int(d["counter"]), [float(x) for x in d["acc"]],
                list(d.get("created", [])), bool(d.get("stopped", False)))
        return w


def _touch(d: FileEntry, when: float) -> FileEntry:
    """A directory whose content changed: new mtime/ctime, a little bigger or smaller."""
    return FileEntry(d.path, d.inode, d.kind, d.size, when, when, d.uid, d.gid, d.mode,
                     d.digest, d.target)


def apply_op(img: Image, op: PendingOp, torn: bool = False) -> None:
    """Put ``op`` into ``img`` (a flush); ``torn``: the metadata made it, the data did not."""
    if op.kind == "delete":
        img.remove(op.path)
    elif op.new is not None:
        new = op.new
        if not img.frozen and new.inode >= img.next_ino:
            img.next_ino = new.inode + 1
        if torn:
            old_digest = op.old.digest if op.old is not None else ""
            new = FileEntry(new.path, new.inode, new.kind, new.size, new.mtime, new.ctime,
                            new.uid, new.gid, new.mode,
                            content_digest("torn", old_digest, new.digest), new.target)
        img.put(new)
    if op.parent_new is not None and img.get(op.parent_new.path) is not None:
        cur = img.get(op.parent_new.path)
        assert cur is not None
        img.put(_touch(cur, op.parent_new.mtime))


__all__ = ["Workload", "WorkloadSpec", "WorkloadParams", "PendingOp", "apply_op", "ROLL_DELAY",
           "norm_path"]
