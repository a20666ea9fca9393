"""A simulated host kept in a directory, so that one fake command per process can change it.

A backup script runs ``metastat``, then ``lockfs``, then ``metadetach`` as separate processes;
each is ``svmsim exec --state DIR -- CMD`` and must see what the previous one did. The host
lives in ``DIR/state.json`` (``Host.to_dict()`` as JSON, with the armed faults' plan under
``faults`` when there is one). Every change is

* locked: ``fcntl.flock`` on ``DIR/lock`` is held from load to save, so two concurrent
  commands run one after the other, as SVM's own ``/etc/lvm/lock`` makes them;
* atomic: written to a temporary file in DIR, fsynced, renamed over ``state.json`` with
  ``os.replace``, then the directory is fsynced. A process killed at any moment leaves the
  old state or the new one, never a torn file (leftover temporary files are swept later);
* not redirected: ``DIR/lock`` is opened with ``O_NOFOLLOW``, so a symbolic link planted
  there is refused instead of creating or locking the file it points to.

A loaded state is checked for what the scenario loader also refuses and what no SVM command
can leave behind (:func:`model_problem`), so a hand-edited or damaged file fails here, once,
instead of in whichever command reads it. ``state.json`` is read only if it is a regular file
(not followed if it is a symbolic link, opened without blocking: a FIFO or ``/dev/zero``
would never end, and the lock is held meanwhile) of at most :data:`MAX_STATE_BYTES`, and JSON
nested too deeply for the parser is corrupt state, not a crash.

Problems are :class:`StateError` with a one-line message (the CLI exits 2 on them).
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from simulator.core.errors import Error

if TYPE_CHECKING:
    from simulator.host import Host

STATE_FILE = "state.json"
LOCK_FILE = "lock"
TMP_PREFIX = ".state."
TMP_SUFFIX = ".tmp"
# The largest state.json read: the biggest hosts the scenario bounds allow (a million files,
# a long workload's pending operations) save well under this; /dev/zero read 1.87 GB.
MAX_STATE_BYTES = 256 << 20
LAST_TIME = 253402300799.0      # 9999-12-31T23:59:59Z: the last second a date can be shown


class StateError(Error):
    """A state directory that is missing, unreadable, corrupt or cannot be written."""


def model_problem(host: Host) -> str | None:
    """What a loaded host has that no SVM command leaves behind, checked as the scenario
    loader checks it (scenario/schema.py, refs.py), or None when the host is sound:

    - a host name, time zone and release the scenario format accepts, a finite clock;
    - a mirror of 1 to NMIRROR submirrors (metadetach refuses the last one: MDE_LAST_SM,
      meta_error.c), each an existing concat/stripe whose parent is that mirror, none in
      two mirrors, with known sm_state bits (md_mirror.h), read/write options and pass
      number the format knows, resync jobs with 0 <= done <= total;
    - a concat/stripe of at least one row, each of at least one component of >= 0 blocks;
    - parents that exist, and no metadevice that is its own ancestor.
    """
    from simulator.core.clock import known_timezone
    from simulator.core.names import HOSTNAME_RE
    from simulator.lvm.libmeta.release import Release
    from simulator.lvm.md.records import (
        MAX_SUBMIRRORS,
        MD_PASS_MAX,
        READ_OPTIONS,
        WRITE_OPTIONS,
        Mirror,
        Stripe,
    )
    from simulator.lvm.md.states import SmState
    if not isinstance(host.hostname, str) or not HOSTNAME_RE.match(host.hostname):
        return f"hostname {host.hostname!r} is not a host name"
    clock = host.clock
    if not isinstance(clock.timezone, str) or not known_timezone(clock.timezone):
        return f"unknown time zone {clock.timezone!r}"
    if not math.isfinite(clock.now) or not 0 <= clock.now <= LAST_TIME:
        return f"clock {clock.now!r} is not a date from 1970 to 9999"
    if host.release not in get_args(Release):
        return f"unknown release {host.release!r}"
    if host.hung_reason is not None and not isinstance(host.hung_reason, str):
        return f"hung reason {host.hung_reason!r} is not a text"
    known = SmState(0)
    for bit in SmState:
        known |= bit
    for s in host.md.sets.values():
        owner: dict[str, str] = {}
        for unit in s.units.values():
            name = s.display(unit.name)
            if unit.parent is not None and unit.parent not in s.units:
                return f"{name}: parent {s.display(unit.parent)} does not exist"
            seen, up = {unit.name}, unit.parent
            while up is not None and up in s.units:
                if up in seen:
                    return f"{name} is part of itself (parents form a cycle)"
                seen.add(up)
                up = s.units[up].parent
            if isinstance(unit, Stripe):
                if not unit.rows or any(not row.components for row in unit.rows):
                    return f"{name} has an empty row or no rows"
                if any(c.size < 0 or c.start_block < 0 for row in unit.rows
                       for c in row.components):
                    return f"{name} has a component of negative size"
            if not isinstance(unit, Mirror):
                continue
            if not unit.submirrors:
                return f"mirror {name} has no submirrors"
            if len(unit.submirrors) > MAX_SUBMIRRORS:
                return f"mirror {name} has more than {MAX_SUBMIRRORS} submirrors"
            if unit.read_option not in READ_OPTIONS or unit.write_option not in WRITE_OPTIONS:
                return f"mirror {name}: unknown read or write option"
            if not 0 <= unit.pass_num <= MD_PASS_MAX:
                return f"mirror {name}: pass {unit.pass_num} is not 0 to {MD_PASS_MAX}"
            for slot in unit.submirrors:
                sub = s.units.get(slot.name)
                if sub is None:
                    return (f"mirror {name}: submirror {s.display(slot.name)} "
                            "does not exist")
                if not isinstance(sub, Stripe):
                    return f"mirror {name}: submirror {s.display(slot.name)} is not a stripe"
                if slot.name in owner:
                    return (f"{s.display(slot.name)} is a submirror of both "
                            f"{s.display(owner[slot.name])} and {name}")
                owner[slot.name] = unit.name
                if sub.parent != unit.name:
                    return (f"mirror {name}: submirror {s.display(slot.name)} has parent "
                            f"{sub.parent!r}")
                if not int(slot.state) or int(slot.state) & ~int(known):
                    return (f"mirror {name}: submirror {s.display(slot.name)} has an "
                            f"unknown state {int(slot.state)}")
            for job in unit.jobs:
                if not 0 <= job.done <= job.total:
                    return (f"mirror {name}: resync done {job.done} is not within 0 to "
                            f"{job.total}")
    return None


class StateStore:
    """The state directory ``directory``: load, save and lock the host kept there."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)
        self.path = self.dir / STATE_FILE
        self.lock_path = self.dir / LOCK_FILE

    def __repr__(self) -> str:
        return f"StateStore({str(self.dir)!r})"

    def exists(self) -> bool:
        return self.path.is_file()

    # ------------------------------------------------------------------ locking
    @contextmanager
    def locked(self, exclusive: bool = True) -> Iterator[None]:
        """Hold DIR/lock (shared for readers, exclusive for writers) for the block."""
        if not self.dir.is_dir():
            raise StateError(f"{self.dir}: no such state directory (create it with "
                             "'svmsim init --scenario NAME --state DIR')")
        fd = self._open_lock()
        if fd is None:
            if exclusive:
                raise StateError(f"{self.lock_path}: cannot open lock for writing")
            yield              # a read-only directory: readers still see a whole file
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)       # closing drops the lock

    def _open_lock(self) -> int | None:
        """A descriptor of DIR/lock (read-only when that is all we may), None if none."""
        flags = os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            return os.open(self.lock_path, os.O_RDWR | os.O_CREAT | flags, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise StateError(f"{self.lock_path}: cannot open lock: it is a symbolic link "
                                 "(not followed)") from None
            if e.errno not in (errno.EACCES, errno.EROFS, errno.EPERM):
                raise StateError(f"{self.lock_path}: cannot open lock: {e.strerror}") from None
        try:
            return os.open(self.lock_path, os.O_RDONLY | flags)
        except OSError:
            return None

    # ------------------------------------------------------------------ reading
    def read_dict(self) -> dict[str, Any]:
        """The saved host as a dict (the caller holds the lock if it matters)."""
        try:
            text = self._read_state()
        except FileNotFoundError:
            if not self.dir.is_dir():
                raise StateError(f"{self.dir}: no such state directory (create it with "
                                 "'svmsim init --scenario NAME --state DIR')") from None
            raise StateError(f"{self.dir}: no svmsim state here (no {STATE_FILE}; create "
                             "it with 'svmsim init --scenario NAME --state DIR')") from None
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise StateError(f"{self.path}: cannot read: it is a symbolic link (not "
                                 "followed)") from None
            raise StateError(f"{self.path}: cannot read: {e.strerror}") from None
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            raise StateError(f"{self.path}: corrupt state (not JSON: {e})") from None
        except RecursionError:
            raise StateError(f"{self.path}: corrupt state (JSON nested too deeply)") from None
        if not isinstance(data, dict) or "hostname" not in data or "md" not in data:
            raise StateError(f"{self.path}: corrupt state (not an svmsim host)")
        from simulator.host import STATE_VERSION
        version = data.get("version")
        if version != STATE_VERSION:
            raise StateError(f"{self.path}: state version {version!r} is not supported "
                             f"(this svmsim writes {STATE_VERSION}; run 'svmsim init' again)")
        return data

    def _read_state(self) -> bytes:
        """state.json's bytes: a regular file (a link is not followed, a FIFO's open does
        not wait) of at most MAX_STATE_BYTES; OSError otherwise."""
        fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise StateError(f"{self.path}: cannot read: not a regular file")
            if st.st_size > MAX_STATE_BYTES:
                raise StateError(f"{self.path}: cannot read: larger than "
                                 f"{MAX_STATE_BYTES >> 20} MB")
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_STATE_BYTES:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > MAX_STATE_BYTES:
                raise StateError(f"{self.path}: cannot read: larger than "
                                 f"{MAX_STATE_BYTES >> 20} MB")
            return b"".join(chunks)
        finally:
            os.close(fd)

    def load(self) -> Host:
        """The saved host (the caller holds the lock if it matters)."""
        from simulator.core.errors import Error
        from simulator.host import Host
        data = self.read_dict()
        try:
            host = Host.from_dict(data)
            if data.get("faults") is not None:      # the armed faults, saved with the host
                from simulator.faults import FaultPlan  # only then: its import is ~0.1 s
                host.faults = FaultPlan.from_dict(host, data["faults"])
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
                RecursionError, Error) as e:
            raise StateError(f"{self.path}: corrupt state ({type(e).__name__}: {e})") from None
        problem = model_problem(host)
        if problem is not None:
            raise StateError(f"{self.path}: corrupt state ({problem})")
        return host

    # ------------------------------------------------------------------ writing
    def save(self, host: Host) -> None:
        """Write ``host`` atomically (the caller holds the exclusive lock)."""
        from simulator.core.faulthooks import FaultHooks
        data = host.to_dict()
        if type(host.faults) is not FaultHooks:     # a FaultPlan is armed: it is saved too
            data["faults"] = host.faults.to_dict()   # type: ignore[attr-defined]
        self.write_dict(data)

    def write_dict(self, data: dict[str, Any]) -> None:
        """Atomically replace state.json with ``data`` as JSON."""
        payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        self._sweep_temporaries()
        tmp = self.dir / f"{TMP_PREFIX}{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise StateError(f"{self.dir}: cannot write state: {e.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise StateError(f"{self.path}: cannot write state: {e.strerror}") from None
        self._fsync_dir()

    def _fsync_dir(self) -> None:
        try:
            dfd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass          # some file systems cannot fsync a directory; the rename stands
        finally:
            os.close(dfd)

    def _sweep_temporaries(self) -> None:
        """Remove temporary files left by writers that were killed (we hold the lock)."""
        for p in self.dir.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
            try:
                p.unlink()
            except OSError:
                pass

    # ------------------------------------------------------------------ whole operations
    def create(self, host: Host) -> None:
        """Make DIR if needed and save ``host`` there (replacing any earlier state)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise StateError(f"{self.dir}: exists and is not a directory") from None
        except OSError as e:
            raise StateError(f"{self.dir}: cannot create state directory: "
                             f"{e.strerror}") from None
        if not self.dir.is_dir():
            raise StateError(f"{self.dir}: exists and is not a directory")
        with self.locked():
            self.save(host)

    @contextmanager
    def transaction(self) -> Iterator[Host]:
        """Lock, load, let the block change the host, save (not saved if the block raises)."""
        with self.locked():
            host = self.load()
            yield host
            self.save(host)

    def snapshot(self) -> dict[str, Any]:
        """The saved host as a dict, read under a shared lock."""
        with self.locked(exclusive=False):
            return self.read_dict()
