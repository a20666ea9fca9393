"""What applications keep doing to a mounted file system: writes, creates and deletes.

A workload is deterministic: operation *n* of a file system is drawn from a hash of
``(seed, n)``, and the number of operations in an interval from the rates and the virtual
time that passed. Operations stall while the file system is write-locked (writers block in
``ufs_check_lockfs``; ufs_lockfs.c), namespace changes stall under a name lock, deletes under
a delete lock, and nothing happens on a hard- or error-locked file system.
"""

from __future__ import annotations

import fnmatch
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Protocol

from simulator.ufs.image import (
    S_IFREG,
    BaseTree,
    FileEntry,
    Image,
    content_digest,
    drawn_digest,
    mix64,
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


class Seen(Protocol):
    """What applications see: an :class:`Image`, or one with a sampled stretch's changes so
    far (:class:`_View`)."""

    @property
    def base(self) -> BaseTree: ...
    def get(self, path: str) -> FileEntry | None: ...
    def kind_of(self, path: str) -> str | None: ...
    def alloc_ino(self) -> int: ...


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
        if d["kind"] == "sampled":
            return SampledOps(int(d["opid"]), float(d["time"]), "sampled", "", None, None, None,
                              None, int(d["blocks"]), bool(d["grows"]),
                              {p: FileEntry.from_list(e) if e else None
                               for p, e in d["changes"]},
                              {str(p): float(t) for p, t in d["dirs"]})

        def le(x: Any) -> FileEntry | None:
            return FileEntry.from_list(x) if x else None
        return cls(int(d["opid"]), float(d["time"]), d["kind"], d["path"], le(d["old"]),
                   le(d["new"]), le(d["parent_old"]), le(d["parent_new"]), int(d["blocks"]),
                   bool(d.get("grows", False)))


@dataclass
class SampledOps(PendingOp):
    """A sampled stretch (:meth:`Workload.sample`): the end state of its files (``changes``,
    None for a file deleted) and the directories whose content changed, with when.

    The writes of a sampled stretch are ``writes``, each file's end state drawn when it is
    looked up (:class:`SampledWrites`); ``made`` holds the rest, made at once: the creates
    (its first ``head`` entries), then the deletes."""

    made: dict[str, FileEntry | None] = field(default_factory=dict)
    dirs: dict[str, float] = field(default_factory=dict)
    writes: SampledWrites | None = None
    head: int = 0

    @property
    def changes(self) -> dict[str, FileEntry | None]:
        """Every file's end state: the creates, the writes, then the deletes (one entry per
        path, in the order of its first change); each file's drawn if it was not yet."""
        w = self.writes
        if w is None:
            return self.made
        items = list(self.made.items())
        out = dict(items[:self.head])
        for path in w.spans:
            out[path] = None if path in w.gone else w.drawn(path)
        out.update(items[self.head:])
        return out

    def __eq__(self, other: object) -> bool:
        """The same stretch: the same saved form (each file's end state drawn)."""
        if not isinstance(other, SampledOps):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def to_dict(self) -> dict[str, Any]:
        return {"opid": self.opid, "time": self.time, "kind": self.kind,
                "blocks": self.blocks, "grows": self.grows,
                "changes": [[p, e.to_list() if e else None]
                            for p, e in self.changes.items()],
                "dirs": [[d, t] for d, t in self.dirs.items()]}


class SampledWrites:
    """The writes of a sampled stretch (:meth:`Workload.sample`): how many each file got and
    over which time, drawn at once; the end state they left (size, time of the last,
    contents) drawn when the file is first looked up (:class:`simulator.ufs.image.Stretch`),
    from that file's own numbers and what it was before (``before``, a snapshot of what
    applications saw, and the files the stretch ``created``). Which file is looked up first,
    and in which image (applications' view, then the disk's at the flush), makes no
    difference: each end state is what drawing them all at once gives. A file the stretch
    deleted after writing it (``gone``) is the deletes' (:class:`SampledOps` ``made``)."""

    def __init__(self, before: Image, created: dict[str, FileEntry | None],
                 spans: dict[str, tuple[int, float, float]], mix0: int, nbytes: int) -> None:
        self.before = before
        self.created = created
        self.spans = spans            # path -> (writes, from, to), each an existing file's
        self.mix0 = mix0
        self.nbytes = nbytes
        self.gone: set[str] = set()
        self._drawn: dict[str, FileEntry] = {}

    def entry(self, path: str) -> FileEntry | None:
        drawn = self._drawn.get(path)
        if drawn is not None:
            return None if path in self.gone else drawn
        if path not in self.spans or path in self.gone:
            return None
        return self.drawn(path)

    def drawn(self, path: str) -> FileEntry:
        """The end state the writes to ``path`` (one of ``spans``) left."""
        drawn = self._drawn.get(path)
        if drawn is not None:
            return drawn
        c, lo, hi = self.spans[path]
        old = self._old(path)
        assert old is not None and old.kind == "f"     # kept only so; a stretch keeps it
        r = mix64(self.mix0 ^ old.inode)                # rnd(seed, first, 0x5E, inode)
        r2 = mix64(r)
        size = _grown(old.size, c, self.nbytes, r)
        last = lo + (hi - lo) * _unit(r2) ** (1.0 / c)
        drawn = self._drawn[path] = FileEntry(path, old.inode, "f", size, last, last, old.uid,
                                              old.gid, old.mode, drawn_digest(r, r2))
        return drawn

    def _old(self, path: str) -> FileEntry | None:
        created = self.created
        return created[path] if path in created else self.before.get(path)

    def paths(self) -> Iterable[str]:
        return self.spans.keys()

    def items(self) -> Iterator[tuple[str, FileEntry]]:
        gone, got, draw = self.gone, self._drawn.get, self.drawn
        for path in self.spans:
            if path not in gone:
                yield path, got(path) or draw(path)

    def blocks(self, write_size: int) -> int:
        """Blocks written: ``write_size`` per write (nothing drawn)."""
        return sum(c for c, _, _ in self.spans.values()) * write_size

    def grows(self) -> bool:
        """Whether a file is bigger after the writes (each drawn, the deleted ones too)."""
        for path in self.spans:
            e = self.drawn(path)
            old = self._old(path)
            if old is not None and e.size > old.size:
                return True
        return False


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
        owed before them, as one stretch (sampled as any long one is: ``due``, ``sample``)."""
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

    def due(self, dt: float, tail: float = 0.0, sample_over: int | None = None
            ) -> tuple[dict[str, int], list[tuple[float, str]]]:
        """What falls in the next ``dt`` seconds: (operations of each kind to sample, the
        operations replayed one by one as (fraction of dt, kind)).

        A stretch is replayed write by write unless, with ``sample_over``, more than that
        many operations fall before its last ``tail`` seconds: those are then sampled (their
        end state drawn at once, :meth:`sample`, over the first ``dt - tail`` seconds) and
        only the tail (the writes still in memory or the log at the end) is replayed. The
        rates carry their fractions from one stretch to the next, so the count over many
        stretches is the rate times the time either way.
        """
        # each kind's total: the fraction carried from the last stretch plus what falls in
        # this one (a kind that does not run carries its fraction unchanged)
        acc = self.acc
        w, c, d = self.writes_per_second, self.creates_per_second, self.deletes_per_second
        t0, t1, t2 = acc
        if w > 0:
            t0 += w * dt
        if c > 0:
            t1 += c * dt
        if d > 0:
            t2 += d * dt
        # the most frequent answer, at once: no operation falls in the stretch (a command's
        # step of time, 0.05 s, gets a quarter of a write at 5 writes a second):
        # ``int(total)`` is 0 exactly when -1 < total < 1, and the fraction carried is then
        # ``total`` itself
        if -1.0 < t0 < 1.0 and -1.0 < t1 < 1.0 and -1.0 < t2 < 1.0 \
                and (sample_over is None or sample_over >= 0):
            acc[0], acc[1], acc[2] = t0, t1, t2
            return {}, []
        totals = (t0, t1, t2)
        rates = ((w, "modify"), (c, "create"), (d, "delete"))
        spans = []
        for i, (rate, kind) in enumerate(rates):
            if rate <= 0:
                continue
            start = acc[i]
            total = totals[i]
            n = int(total)
            k0 = max(0, min(n, int(start + rate * max(0.0, dt - tail))))
            spans.append((i, rate, kind, start, total, n, k0))
        sample = sample_over is not None and sum(s[6] for s in spans) > sample_over
        counts: dict[str, int] = {}
        out: list[tuple[float, str]] = []
        for i, rate, kind, start, total, n, k0 in spans:
            first = 0
            if sample:
                counts[kind] = first = k0
            for k in range(first, n):
                out.append((((k + 1) - start) / (rate * dt) if dt > 0 else 1.0, kind))
            acc[i] = total - n
        out.sort()
        return counts, out

    # ------------------------------------------------------------ a sampled stretch
    def sample(self, app: Image, start: float, length: float,
               counts: dict[str, int]) -> SampledOps | None:
        """The end state of ``counts`` operations of each kind made over ``length`` seconds
        from ``start``, drawn per file instead of write by write, with the statistics of
        the write-by-write replay (:meth:`make_op`):

        * creates are made one by one, evenly spread, as :meth:`make_op` makes them;
        * writes: a quarter go to the files the workload created (while it has any), spread
          evenly over the time each existed, the rest to the base tree's files as
          :meth:`BaseTree.random_file` picks them (database file 2 %, mail spools 10 %,
          documents 88 %). Each file's number of writes is drawn (Poisson with its share
          of the writes as mean, exact picks when the writes are few against the files),
          its last write's time as the last of that many uniform times, its size by
          applying each write's grow-or-overwrite in turn; its contents are new. The counts
          are drawn here, each file's end state when it is first looked up
          (:class:`SampledWrites`: from the file's own numbers, so in any order);
        * deletes are picked one by one after the writes, as :meth:`make_op` picks them.

        Writes are spread over the files matching the workload's globs only (as
        :meth:`_pick` draws again when a pick does not match); a deleted base file's share
        of them is lost. Files created during the stretch are exposed to writes from their
        creation on; the pool of created files is taken whole (not trimmed to the last 512
        as :meth:`_create` keeps it for later stretches).
        """
        first = self.counter + 1
        self.counter += sum(counts.values())
        view = _View(app)
        end = start + length
        blocks = 0
        ncreate = counts.get("create", 0)
        pool = {p: start for p in self.created}          # created files: since when
        dirs = app.base.dirs()
        for k in range(ncreate):
            n = first + k
            when = start + (k + 1) / ncreate * length
            made = self._new_file(view, n, rnd(self.seed, n, 0xA11), when, dirs)
            if made is not None:
                path = made[0].path
                view.changes[path] = made[0]
                view.dirs[parent_of(path)] = when
                pool[path] = when
                blocks += made[0].size // 512
        nwrite = counts.get("modify", 0)
        writes: dict[str, tuple[int, float, float]] = {}       # path: (writes, from, to)
        if nwrite:
            mark = first + ncreate
            if pool and length > 0:
                busy = (end - min(pool.values())) / length      # while it has created files
                to_created = nwrite / 4 * busy
                exposure = {p: (end - t) / length for p, t in pool.items()}
                total = sum(exposure.values()) or 1.0
                for j, (path, f) in enumerate(exposure.items()):
                    c = _poisson(to_created * f / total, rnd(self.seed, mark, j, 0xC4))
                    if c and self.matches(path):
                        writes[path] = (c, pool[path], end)
                nbase = nwrite - to_created
            else:
                nbase = float(nwrite)
            self._sample_base(view, nbase, mark, start, end, writes)
        # each written file's end state is drawn when it is looked up (SampledWrites), from
        # what it was after the creates; only what exists as a file is written
        head = len(view.changes)
        spans = {p: w for p, w in writes.items() if view.kind_of(p) == "f"}
        lazy = None
        if spans:
            lazy = SampledWrites(app.snapshot(), dict(view.changes), spans,
                                 rnd(self.seed, first, 0x5E), self.write_size * 512)
            blocks += lazy.blocks(self.write_size)
        ndelete = counts.get("delete", 0)
        for k in range(ndelete):
            n = first + ncreate + nwrite + k
            when = start + (k + 1) / ndelete * length
            gone = self._pick(view, rnd(self.seed, n, 0xA11))
            if gone is None:
                continue
            view.changes[gone] = None
            view.dirs[parent_of(gone)] = when
            if lazy is not None and gone in lazy.spans:
                lazy.gone.add(gone)
            if gone in self.created:
                self.created.remove(gone)
        if not view.changes and lazy is None:
            return None
        # (whether a file grew: drawn only when no create answers it)
        grows = bool(ncreate) or (lazy is not None and lazy.grows())
        return SampledOps(first, end, "sampled", "", None, None, None, None, blocks,
                          grows, view.changes, view.dirs, lazy, head)

    def _sample_base(self, view: _View, nbase: float, mark: int, start: float, end: float,
                     writes: dict[str, tuple[int, float, float]]) -> None:
        """Writes to the base tree's files (see :meth:`sample`) into ``writes``."""
        base = view.base
        classes = base.pick_classes()
        nfiles = sum(count for _, count, _ in classes)
        if not nfiles or nbase <= 0:
            return
        if nbase * 8 < nfiles:
            # few writes against many files: each pick drawn as _pick draws it
            for k in range(round(nbase)):
                rr = rnd(self.seed, mark, k, 0x9B)
                for attempt in range(24):
                    path = base.random_file(rnd(rr, attempt))
                    if path is not None and self.matches(path):
                        break
                else:
                    continue
                when = start + (end - start) * _unit(rnd(rr, 0x71))
                c, _, last = writes.get(path, (0, when, when))
                last = max(last, when)                 # the last of its writes, exactly
                writes[path] = (c + 1, last, last)
            return
        # many writes: each file's count drawn from its share (re-drawn onto matching files)
        everything = "**" in self.paths or "*" in self.paths
        shares: list[tuple[int, int, Callable[[int], FileEntry], Sequence[int]]] = []
        for share, count, entry in classes:
            if everything:
                shares.append((share, count, entry, range(count)))
            else:
                keep = [i for i in range(count) if self.matches(entry(i).path)]
                shares.append((share, len(keep), entry, keep))
        weight = sum(share for share, count, _, _ in shares if count)
        remember = base.remember
        for ci, (share, count, entry, idx) in enumerate(shares):
            if not count:
                continue
            lam = nbase * share / weight / count
            seed = rnd(rnd(self.seed, mark, ci, 0x7A))
            draw = _poisson_of(lam)
            for i in idx:
                c = draw(mix64(seed ^ i))      # rnd(rnd(self.seed, mark, ci, 0x7A), i)
                if c:
                    e = entry(i)
                    remember(e)           # the images it is put in look it up by path next
                    writes[e.path] = (c, start, end)

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

    def _pick(self, app: Seen, r: int) -> str | None:
        for attempt in range(24):
            rr = rnd(r, attempt)
            path: str | None
            if self.created and rr % 4 == 0:
                path = self.created[(rr >> 8) % len(self.created)]
            else:
                path = app.base.random_file(rr)
            if path is not None and self.matches(path) and app.kind_of(path) is not None:
                return path
        return None

    def _create(self, app: Seen, n: int, r: int, when: float) -> PendingOp | None:
        made = self._new_file(app, n, r, when, app.base.dirs())
        if made is None:
            return None
        new, par_old = made
        return PendingOp(n, when, "create", new.path, None, new, par_old,
                         _touch(par_old, when), new.size // 512, True)

    def _new_file(self, app: Seen, n: int, r: int, when: float, dirs: Sequence[str]
                  ) -> tuple[FileEntry, FileEntry] | None:
        """Create number ``n`` among the base tree's ``dirs``: (the file, its directory
        before), or None when no name was free."""
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
            if not self.matches(path) or app.kind_of(path) is not None:
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
            return new, par_old
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


class _View:
    """What applications see while a stretch is sampled: ``app`` with the stretch's changes
    so far (what :meth:`Workload._create` and :meth:`Workload._pick` look at)."""

    def __init__(self, app: Image) -> None:
        self.app = app
        self.base = app.base
        self.changes: dict[str, FileEntry | None] = {}
        self.dirs: dict[str, float] = {}

    def get(self, path: str) -> FileEntry | None:
        changes = self.changes
        return changes[path] if path in changes else self.app.get(path)

    def kind_of(self, path: str) -> str | None:
        changes = self.changes
        if path in changes:
            e = changes[path]
            return None if e is None else e.kind
        return self.app.kind_of(path)

    def alloc_ino(self) -> int:
        return self.app.alloc_ino()


def _unit(r: int) -> float:
    """A uniform number in (0, 1) from a 64-bit one."""
    return ((r >> 11) + 0.5) / (1 << 53)


_NORMAL = NormalDist()


def _normal_count(mean: float, sd: float, r: int) -> int:
    """A count near ``mean`` (normal, of deviation ``sd``, rounded, at least 0) from the
    64-bit number ``r``: what a Poisson or binomial count of a large mean approaches."""
    return max(0, int(mean + sd * _NORMAL.inv_cdf(_unit(r)) + 0.5))


def _poisson_of(lam: float) -> Callable[[int], int]:
    """:func:`_poisson` of mean ``lam`` for many numbers: its distribution function worked
    out once and searched (the same counts)."""
    if lam <= 0 or lam > 30:
        return lambda r: _poisson(lam, r)
    p = math.exp(-lam)
    cdf = [p]
    k = 0
    while k < 200 and cdf[-1] < 1.0:
        k += 1
        p *= lam / k
        s = cdf[-1] + p
        if s == cdf[-1]:
            break
        cdf.append(s)

    def draw(r: int) -> int:
        return min(bisect_left(cdf, _unit(r)), 200)
    return draw


def _poisson(lam: float, r: int) -> int:
    """A Poisson-distributed count of mean ``lam`` from the 64-bit number ``r`` (inverse
    distribution function; a normal approximation above a mean of 30)."""
    if lam <= 0:
        return 0
    u = _unit(r)
    if lam > 30:
        return _normal_count(lam, math.sqrt(lam), r)
    p = math.exp(-lam)
    s, k = p, 0
    while u > s and k < 200:
        k += 1
        p *= lam / k
        s += p
    return k


def _grown(size: int, writes: int, nbytes: int, r: int) -> int:
    """A file's size after ``writes`` writes of ``nbytes``, each growing it (half of them,
    and any write to an empty file) or overwriting in place (:meth:`Workload.make_op`)."""
    if writes > 60:                   # many: how many grew, drawn at once (binomial, normal)
        grew = min(writes, max(_normal_count(writes / 2, math.sqrt(writes) / 2, r),
                               1 if size == 0 else 0))
        return max(size + grew * nbytes, nbytes)
    for k in range(writes):
        if r >> k & 1 or size == 0:
            size += nbytes
        else:
            size = max(size, nbytes)
    return size


def apply_op(img: Image, op: PendingOp, torn: bool = False) -> None:
    """Put ``op`` into ``img`` (a flush); ``torn``: the metadata made it, the data did not
    (a sampled stretch is older than any write in flight: never torn)."""
    if isinstance(op, SampledOps):
        changes = list(op.made.items())
        if op.writes is not None:
            # in the order the stretch made them (the overlay's order is the saved host's);
            # the writes are to base files, whose inode numbers are below any image's next
            # free one
            img.put_many(changes[:op.head])
            img.put_stretch(op.writes)
            img.put_many(changes[op.head:])
        else:
            img.put_many(changes)
        if not img.frozen:
            img.next_ino = max([img.next_ino] + [e.inode + 1 for e in op.made.values()
                                                 if e is not None])
        touched = [(d, img.get(d)) for d in op.dirs]
        img.put_many((d, _touch(cur, op.dirs[d])) for d, cur in touched if cur is not None)
        return
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


__all__ = ["Workload", "WorkloadSpec", "WorkloadParams", "PendingOp", "SampledOps", "SampledWrites",
           "apply_op", "ROLL_DELAY", "norm_path"]
