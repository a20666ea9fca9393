"""File system locks, flushes and the log roll: lockfs(1M)'s ioctls and fsflush.

``_FIOLFS`` (lock), ``_FIOLFSS`` (lock status) and ``_FIOFFS`` (flush) follow
uts/common/fs/ufs/ufs_lockfs.c (``ufs__fiolfs``: its checks, in order) and sys/lockfs.h.
Writes applications make reach the device :data:`simulator.ufs.workload.ROLL_DELAY` seconds
later (fsflush's autoup), or at once on a lock, a flush, umount or sync; while a lock is
held, the operations it blocks wait (ufs_lockfs.c ``ufs_check_lockfs`` masks).

Replaying the workload costs what changed, not how often the clock moved: a command that
lets time pass in many small steps (ufsdump writing 16 TB advances the clock at every
estimate, 390 times over 64 virtual hours) holds the workloads in :meth:`Locks.long_stretch`,
and the time owed is replayed as one stretch when it ends, sampled as any long stretch is
(:meth:`~simulator.ufs.workload.Workload.sample`: the files' end state drawn at once, when
more than :data:`SAMPLE_OVER` operations fall before the writes still in flight at its end,
which are replayed write by write). The files a sampled stretch writes get their end state
when something looks at them (:class:`~simulator.ufs.workload.SampledWrites`,
:meth:`~simulator.ufs.image.Image.put_stretch`). A file system whose
mirror has a submirror offline or being attached is not held (each write decides what that
submirror misses, so it is replayed at its time); neither is one when that starts mid-stretch
(what is owed is replayed first).

Time nobody looks at is not replayed at all until something does: where fsflush's writes stay
in the file system's own image (:func:`_local`: no submirror of its mirror takes writes
differently), each step of time (:data:`OwedStep`) is kept on the file system with the
decisions of its moment (the lock, whether the workload is held) and replayed, in order, when
anything reads or sets what it changes (``FileSystem.settle``; :data:`SETTLED`). An hour after
a backup that nothing looks at costs nothing; looked at, it costs what it cost before and gives
the same files (``tests/fs/test_time_owed.py`` compares the two under every fault kind).

:class:`Locks` is a part of :class:`simulator.ufs.filesystems.FileSystems` (a mixin).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from simulator.core.clock import ALWAYS, StepWindow
from simulator.core.strerror import SysError
from simulator.lvm.md.records import MDSet, Mirror
from simulator.ufs.mirrors import ATTACHED_STATE, OFFLINE_STATES, RUNNING
from simulator.ufs.workload import ROLL_DELAY, PendingOp, Workload, apply_op

if TYPE_CHECKING:
    from simulator.ufs.filesystems import FileSystem
    from simulator.ufs.parts import FsCore

LOCKS = ("unlock", "write", "name", "delete", "hard", "error")
LOCKFS_MAXCOMMENTLEN = 1024          # sys/lockfs.h

# a stretch with more operations than this before its last ROLL_DELAY seconds (the writes
# still in flight at its end) has them sampled (Workload.due, Workload.sample), not replayed
# one by one
SAMPLE_OVER = 64


# the fields of a FileSystem that the time owed changes: reading or setting one replays the
# steps owed first (FileSystem.settle)
SETTLED = ("image", "live", "pending", "workload", "lock_modified")

# A step of time owed to a file system (FileSystem.owe_steps), with what was decided when the
# time passed: ("run", start, dt, lock, held) -- the workload's operations of that stretch
# under that lock (``held``: added to a long stretch's time owed); ("settle", lock, upto) -- a
# long stretch's end: the time owed replayed as one stretch, and written out up to ``upto``;
# ("drop",) -- a long stretch's time owed forgotten (the file system unmounted meanwhile);
# ("flush", upto) -- fsflush writing out what is older than ``upto``.
OwedStep = tuple[object, ...]


def may(lock: str, kind: str) -> bool:
    """Which operations a lock lets through (lockfs.1m; ufs_lockfs.c masks)."""
    if lock in ("write", "hard", "error"):
        return False
    if lock == "name" and kind in ("create", "delete"):
        return False
    return not (lock == "delete" and kind == "delete")


def replay(fs: FileSystem, wl: Workload, start: float, dt: float, lock: str) -> None:
    """The workload's operations from ``start`` for ``dt`` seconds under ``lock``, into
    ``fs.live`` and pending: a long stretch sampled up to its last ROLL_DELAY seconds (all of
    which fsflush writes out at its end), those write by write (Workload.due,
    Workload.sample)."""
    tail = ROLL_DELAY          # the writes in flight at the end; the rest is flushed then
    counts, ops = wl.due(dt, tail=tail, sample_over=SAMPLE_OVER)
    counts = {kind: n for kind, n in counts.items() if n and may(lock, kind)}
    if counts:
        sampled = wl.sample(fs.live, start, dt - tail, counts)
        if sampled is not None:
            _done(fs, sampled, lock)
    for frac, kind in ops:
        if not may(lock, kind):
            continue
        op = wl.make_op(fs.live, kind, start + frac * dt)
        if op is not None:
            _done(fs, op, lock)


def _done(fs: FileSystem, op: PendingOp, lock: str) -> None:
    """``op`` is what applications see now, and pending until fsflush writes it."""
    apply_op(fs.live, op)
    fs.pending.append(op)
    if lock != "unlock":
        fs.lock_modified = True


def _settle(fs: FileSystem, wl: Workload, lock: str) -> bool:
    """Replay what a held workload owes; whether there was any."""
    owed = wl.take_owed()
    if owed is None:
        return False
    replay(fs, wl, *owed, lock)
    return True


def flush_local(fs: FileSystem, upto: float | None) -> None:
    """fsflush's part that stays in the file system: pending changes made at or before
    ``upto`` (all when None) written to its image (``Locks._flush`` first tells the
    submirrors that take no writes)."""
    # the fields as they stand: what is owed is being replayed (replay_owed), or was
    # replayed by the caller reading ``pending`` (Locks._flush)
    d = fs.__dict__
    pending = d["pending"]
    if not pending:
        return
    due = [op for op in pending if upto is None or op.time <= upto]
    if not due:
        return
    image = d["image"]
    for op in due:
        apply_op(image, op)
    d["pending"] = [op for op in pending if upto is not None and op.time > upto]
    if not d["pending"]:
        image.clean = True


def replay_owed(fs: FileSystem, steps: list[OwedStep],
                flush: Callable[[FileSystem, float], None] = flush_local) -> None:
    """The steps of time ``fs`` owes (:data:`OwedStep`), in order, with the decisions taken
    when the time passed: what ``_advance`` and ``long_stretch`` do, owed or at once.
    ``flush`` writes pending changes out: :func:`flush_local` for owed steps (which stay in
    the file system's image), ``Locks._flush`` for steps replayed as the time passes."""
    # the workload as it stands: the steps replayed are all that was owed (FileSystem.settle
    # took them, or the caller settled first), and replaying them never replaces it
    wl: Workload | None = fs.__dict__["workload"]
    for step in steps:
        what = step[0]
        if what == "run":
            _, start, dt, lock, held = step
            assert wl is not None
            if held:
                wl.owe(start, dt)                       # type: ignore[arg-type]
            else:
                _settle(fs, wl, lock)                   # type: ignore[arg-type]
                replay(fs, wl, start, dt, lock)         # type: ignore[arg-type]
        elif what == "settle":
            _, lock, upto = step
            assert wl is not None
            if _settle(fs, wl, lock):                   # type: ignore[arg-type]
                flush(fs, upto)                         # type: ignore[arg-type]
        elif what == "drop":
            assert wl is not None
            wl.take_owed()
        else:
            flush(fs, step[1])                          # type: ignore[arg-type]


class Locks:
    """lockfs, flush and the write-back of pending changes."""

    stretch_from: float | None      # when the long stretch in progress began (long_stretch)

    # ------------------------------------------------------------------ ioctls
    # lockfs.c opens each file system once (open64(fn, O_RDONLY)) and makes its ioctls on
    # that descriptor: :meth:`open_fs` is the open, the ioctls take what it found.
    def open_fs(self: FsCore, path: str, cwd: str = "/") -> FileSystem | None:
        """``open(path)``: the mounted UFS holding ``path`` (None for a path on a pseudo
        file system, whose ioctls fail ENOTTY); ENOENT or EIO as :meth:`resolve` finds."""
        return self.resolve(path, cwd)[0]

    def lockfs(self: FsCore, fs: FileSystem | None, lock: str, comment: str | None,
               uid: int = 0) -> bool:
        """``ioctl(_FIOLFS)`` on the file system ``fs`` (:meth:`open_fs`; ufs_lockfs.c
        ufs__fiolfs checks, in order). Returns whether it was modified while locked
        (lockfs -v warns). ``lockfs -w /`` hangs the host (the seed procedure's caution)."""
        if fs is None:
            raise SysError("ENOTTY")
        if uid != 0:
            raise SysError("EPERM")
        refused = self.lock_refusals.pop(fs.mount, None)     # an injected fault, once
        if refused is not None:
            raise SysError(refused)
        if comment is not None and len(comment) + 1 > LOCKFS_MAXCOMMENTLEN:
            raise SysError("ENAMETOOLONG")
        if fs.lock == "hard":
            raise SysError("EIO")
        if fs.lock == "error" and lock not in ("unlock", "error"):
            raise SysError("EBUSY")
        if fs.lock not in ("unlock", "error") and lock == "error":
            raise SysError("EBUSY")
        if lock in ("write", "error") and (fs.accounting or fs.swapfile):
            raise SysError("EDEADLK")
        if fs.lock == "error" and lock == "unlock" and not fs.image.clean:
            raise SysError("EBUSY")
        was_mod = fs.lock_modified
        self.sync(fs)                       # ufs_flush: at least what is dirty goes out
        if lock == "error":
            fs.image.clean = False
        previous = fs.lock
        fs.lock = lock
        fs.lock_comment = comment or ""
        fs.lock_key += 1
        if previous != "write":
            fs.lock_modified = False
        if lock == "write" and fs.mount == "/":
            self.host.hang("root file system write-locked")
        return was_mod

    def flushfs(self: FsCore, fs: FileSystem | None) -> None:
        """``ioctl(_FIOFFS)`` on ``fs`` (:meth:`open_fs`): push dirty data to disk (no
        privilege needed)."""
        if fs is None:
            raise SysError("ENOTTY")
        if fs.lock in ("hard", "error"):
            raise SysError("EIO")
        self.sync(fs)

    def lock_status(self: FsCore, fs: FileSystem | None) -> tuple[str, str, bool]:
        """``ioctl(_FIOLFSS)`` on ``fs`` (:meth:`open_fs`): (lock, comment,
        modified-while-locked)."""
        if fs is None:
            raise SysError("ENOTTY")
        return fs.lock, fs.lock_comment, fs.lock_modified

    def lock_of(self: FsCore, mount: str) -> str:
        fs = self._find(mount)
        return fs.lock if fs is not None else "unlock"

    # ------------------------------------------------------------------ time
    def _advance(self: FsCore, dt: float) -> None:
        """Virtual time passes: workloads run (as far as locks let them), fsflush rolls.

        Where fsflush's writes reach only the file system's own image (:func:`_local`), the
        stretch is owed (:meth:`FileSystem.owe_steps`) and replayed when something looks;
        elsewhere what is owed is replayed now and the stretch with it."""
        start = self.host.clock.now
        for fs in list(self.filesystems.values()):
            work = _step_work(fs)
            if work is None:
                continue
            wl, runs = work
            on = self._mirror_on(fs)
            # a steady mirror's writes are local too (its stale submirrors are among the
            # ones that make it unsteady): the submirrors are looked at once, most often
            steady = _steady(on)
            flush: OwedStep = ("flush", start + dt - ROLL_DELAY)
            steps: list[OwedStep] = [
                ("run", start, dt, fs.lock, wl is not None and wl.held and steady), flush
            ] if runs else [flush]
            if self.owe_unseen and (steady or _local(self, on)):
                fs.owe_steps(steps)
            else:
                fs.settle()
                replay_owed(fs, steps, self._flush)

    def _merge_window(self: FsCore) -> StepWindow | None:
        """Where steps of time may be taken as one (``Host.merge_window``): every file
        system a step touches (as :meth:`_advance` decides) has its workload held, or none
        running, and its mirror steady. Each step then owes the held workload one stretch
        (``Workload.owe``: the sums come out the same while the clock stays below twice the
        stretch's start) and fsflush's writes stay in the file system's image; and since a
        held workload adds no pending change, a merged step that ends ``ROLL_DELAY`` or more
        from now flushes everything pending at its first flush, as the steps it stands for
        would have done at theirs."""
        now = self.host.clock.now
        lo, hi = ALWAYS
        for fs in self.filesystems.values():
            work = _step_work(fs)
            if work is None:
                continue
            wl, runs = work
            if runs and wl is not None and not wl.held:
                return None
            if not _steady(self._mirror_on(fs)):
                return None
            lo = now + ROLL_DELAY
            if runs and self.stretch_from is not None:
                hi = min(hi, 2 * self.stretch_from)
        return lo, hi

    @contextmanager
    def long_stretch(self: FsCore) -> Iterator[None]:
        """Hold the workloads while the block lets time pass in many steps; at its end (or
        its exception) the time owed is replayed as one stretch and fsflush catches up."""
        held = [fs for fs in self.filesystems.values()
                if fs.unsettled("workload") is not None and not fs.unsettled("workload").held]
        for fs in held:
            fs.unsettled("workload").held = True
        outer = self.stretch_from is None
        if outer:
            self.stretch_from = self.host.clock.now
        try:
            yield
        finally:
            if outer:
                self.stretch_from = None
            now = self.host.clock.now
            for fs in held:
                wl = fs.unsettled("workload")
                wl.held = False
                step: OwedStep = ("drop",)
                if fs.mounted and not fs.readonly and wl.active:
                    step = ("settle", fs.lock, now - ROLL_DELAY)
                if self.owe_unseen and _local(self, self._mirror_on(fs)):
                    fs.owe_steps([step])
                else:
                    fs.settle()
                    replay_owed(fs, [step], self._flush)

    def _flush(self: FsCore, fs: FileSystem, upto: float | None = None) -> None:
        """Write pending changes (those made at or before ``upto``; all when None) to disk,
        reaching every in-sync submirror and no other."""
        pending = fs.pending
        if not pending:
            return                           # nothing to write (each lockfs asks: ~0.3 us)
        due = pending if upto is None else [op for op in pending if op.time <= upto]
        if not due:
            return
        self._diverge_stale_submirrors(fs, sum(op.blocks for op in due))
        flush_local(fs, upto)

    def sync(self: FsCore, fs: FileSystem) -> None:
        self._flush(fs, None)


def _step_work(fs: FileSystem) -> tuple[Workload | None, bool] | None:
    """What a step of virtual time does to ``fs``: None when nothing (not mounted
    read-write, or nothing to write now and nothing to write out later); else (its workload,
    whether it runs). The fields are read as they stand (``FileSystem.unsettled``), at once:
    every step asks them of every file system."""
    d = fs.__dict__
    if not d["mounted"] or d["readonly"]:
        return None
    wl = d["workload"]
    runs = wl is not None and wl.active
    if not runs and not d.get("owed_steps") and not d["pending"]:
        return None
    return wl, runs


def _local(core: FsCore, on: tuple[MDSet, Mirror] | None) -> bool:
    """Whether fsflush's writes to a file system (``on``: its set and mirror, when it is on
    one, ``Mirrors._mirror_on``) stay in its own image whenever they are made: no submirror
    to tell (``Mirrors._stale_submirrors``), so replaying them later gives what replaying
    them now gives."""
    return on is None or not core._stale_submirrors(on)


def _steady(on: tuple[MDSet, Mirror] | None) -> bool:
    """Whether every write to a file system (``on``: its set and mirror, when it is on one)
    reaches the same devices whenever it is made: not a mirror with a submirror offline or
    being attached (mirrors.py diverges those per flush)."""
    if on is None:
        return True
    for slot in on[1].submirrors:
        state = slot.state
        if state is not RUNNING and int(state) & _MOVING:
            return False
    return True


# what a submirror that takes writes differently is in (offline, or being attached)
_MOVING = OFFLINE_STATES | ATTACHED_STATE
