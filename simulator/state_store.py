"""A simulated host kept in a directory, so that one fake command per process can change it.

A backup script runs ``metastat``, then ``lockfs``, then ``metadetach`` as separate processes;
each is ``svmsim exec --state DIR -- CMD`` and must see what the previous one did. The host
lives in ``DIR/state.json`` (``Host.to_dict()`` as JSON). Every change is

* locked: ``fcntl.flock`` on ``DIR/lock`` is held from load to save, so two concurrent
  commands run one after the other, as SVM's own ``/etc/lvm/lock`` makes them;
* atomic: written to a temporary file in DIR, fsynced, renamed over ``state.json`` with
  ``os.replace``, then the directory is fsynced. A process killed at any moment leaves the
  old state or the new one, never a torn file (leftover temporary files are swept later);
* not redirected: ``DIR/lock`` is opened with ``O_NOFOLLOW``, so a symbolic link planted
  there is refused instead of creating or locking the file it points to.

A loaded state is checked for what the scenario loader also refuses and what no SVM command
can leave behind (a mirror without submirrors, a submirror that does not exist), so a
hand-edited or damaged file fails here, once, instead of in whichever command reads it.

Problems are :class:`StateError` with a one-line message (the CLI exits 2 on them).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.errors import Error

if TYPE_CHECKING:
    from simulator.host import Host

STATE_FILE = "state.json"
LOCK_FILE = "lock"
TMP_PREFIX = ".state."
TMP_SUFFIX = ".tmp"


class StateError(Error):
    """A state directory that is missing, unreadable, corrupt or cannot be written."""


def model_problem(host: Host) -> str | None:
    """What a loaded host has that no SVM command leaves behind, checked as the scenario
    loader checks it (scenario/schema.py, refs.py): a mirror without submirrors (metadetach
    refuses the last one: MDE_LAST_SM, meta_error.c) or naming a submirror that does not
    exist. None when the host is sound."""
    from simulator.lvm.md.records import Mirror
    for s in host.md.sets.values():
        for unit in s.units.values():
            if not isinstance(unit, Mirror):
                continue
            if not unit.submirrors:
                return f"mirror {s.display(unit.name)} has no submirrors"
            for slot in unit.submirrors:
                if slot.name not in s.units:
                    return (f"mirror {s.display(unit.name)}: submirror "
                            f"{s.display(slot.name)} does not exist")
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
            text = self.path.read_bytes()
        except FileNotFoundError:
            if not self.dir.is_dir():
                raise StateError(f"{self.dir}: no such state directory (create it with "
                                 "'svmsim init --scenario NAME --state DIR')") from None
            raise StateError(f"{self.dir}: no svmsim state here (no {STATE_FILE}; create "
                             "it with 'svmsim init --scenario NAME --state DIR')") from None
        except OSError as e:
            raise StateError(f"{self.path}: cannot read: {e.strerror}") from None
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            raise StateError(f"{self.path}: corrupt state (not JSON: {e})") from None
        if not isinstance(data, dict) or "hostname" not in data or "md" not in data:
            raise StateError(f"{self.path}: corrupt state (not an svmsim host)")
        return data

    def load(self) -> Host:
        """The saved host (the caller holds the lock if it matters)."""
        from simulator.host import STATE_VERSION, Host
        data = self.read_dict()
        version = data.get("version")
        if version != STATE_VERSION:
            raise StateError(f"{self.path}: state version {version!r} is not supported "
                             f"(this svmsim writes {STATE_VERSION}; run 'svmsim init' again)")
        try:
            host = Host.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise StateError(f"{self.path}: corrupt state ({type(e).__name__}: {e})") from None
        problem = model_problem(host)
        if problem is not None:
            raise StateError(f"{self.path}: corrupt state ({problem})")
        return host

    # ------------------------------------------------------------------ writing
    def save(self, host: Host) -> None:
        """Write ``host`` atomically (the caller holds the exclusive lock)."""
        self.write_dict(host.to_dict())

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
