"""Mounted simulated file systems, shown in the driver's view as their trees.

On a real host ``mount /dev/md/dsk/d3 /var/tmp/m`` makes ``ls -l /var/tmp/m`` list the file
system's files. Under the harness the mount happens in the model, so after every call the
harness brings the driver's view up to date: the directory of each mounted UFS holds the
model's tree (:meth:`simulator.ufs.image.Image.entries` of what applications see, ``live``):
directories with their modes and times, files as sparse files (``ftruncate`` to the modelled
size: no block is allocated, no data written; ``cat`` reads zeros), symbolic links with their
targets, every entry with the model's mtime. When the file system is unmounted (``umount``,
a reboot that does not mount it again) the directory is emptied; at the end of the run every
directory shown is emptied, so nothing is left behind.

What was decided, and why:

* **Where a tree is shown.** Only in a directory that is already empty and that belongs to
  the driver: a directory it made (owned by the uid the driver runs as) or one in the
  sandbox's own overlay layers. A mount point that is the machine's own (``/mnt`` of the
  Linux host, a directory with files in it) is never written; a scenario's mount point
  whose directory does not exist on this machine (``/export/home``: the sandbox cannot
  create top-level directories) shows nothing. Solaris would hide a non-empty directory's
  files under the mount; the harness does not move the machine's files aside.
* **The driver's writes into a shown tree** are the driver's own files in that directory,
  as if written to the mounted file system, but the model never sees them: ``fsck``,
  ``ufsdump``, ``df`` and the verdict know only the model's tree, and a later mount of the
  same file system shows the model's tree again, without them. They disappear when the file
  system is unmounted, like everything written to a file system leaves its mount point with
  it. A read-only mount (``-o ro``) is read-only in the model; the shown files are not
  (inside its namespace the driver is root and owns them).
* **Owners.** The files belong to the uid the driver runs as (root inside its namespace):
  the model's uids and gids have no counterpart in the sandbox.
* **When.** The tree is the model's at the moment of the mount (or of the run's start);
  writes a simulated workload makes afterwards are in the model (``ufsdump`` sees them),
  not in the shown tree.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.harness.sandbox import Sandbox
    from simulator.host import Host
    from simulator.ufs.filesystems import FileSystem
    from simulator.ufs.image import FileEntry

# A tree larger than this is not shown (a note says so): a view costs one inode per entry.
MAX_ENTRIES = 250_000


@dataclass
class Shown:
    """One mount point the driver's view shows a tree in."""

    key: tuple[int, int, str]          # which mount it shows (fs, mount time, device)
    where: Path                         # the directory, as the harness reaches it
    inode: tuple[int, int]              # (st_dev, st_ino) of that directory


class MountedTrees:
    """The trees of the host's mounted UFSs in a sandbox (see the module docstring)."""

    def __init__(self, host: Host, sandbox: Sandbox) -> None:
        self.host = host
        self.sandbox = sandbox
        self.shown: dict[str, Shown] = {}
        self.passed: dict[str, tuple[int, int, str]] = {}   # mounts not shown, and noted
        self.notes: list[str] = []

    @staticmethod
    def _key(fs: FileSystem) -> tuple[int, int, str]:
        return (id(fs), fs.mount_time, fs.device)

    def sync(self) -> None:
        """Show every mounted UFS's tree, empty the directories of unmounted ones."""
        want = {fs.mount: fs for fs in self.host.fs.mounted_ufs()
                if fs.mount != "/" and not fs.synthetic}
        for mp, shown in list(self.shown.items()):
            fs = want.get(mp)
            if fs is None or self._key(fs) != shown.key:
                self._hide(mp)
        for mp in list(self.passed):
            fs = want.get(mp)
            if fs is None or self._key(fs) != self.passed[mp]:
                del self.passed[mp]
        for mp in sorted(want):     # a parent before the mounts under it
            if mp not in self.shown and mp not in self.passed:
                self._show(mp, want[mp])

    def close(self) -> None:
        """Empty every directory shown (the end of the run)."""
        for mp in sorted(self.shown, reverse=True):
            self._hide(mp)

    # ------------------------------------------------------------------ showing
    def _place(self, mp: str) -> tuple[Path, os.stat_result] | str | None:
        """Where ``mp``'s tree may go, why not (a note), or None (nothing to show there)."""
        try:
            where = self.sandbox.host_path(mp)
            st = os.lstat(where)
        except (OSError, ValueError):
            return None     # no such directory in the driver's view
        if not stat.S_ISDIR(st.st_mode):
            return None
        inside = self.sandbox.root in where.parents
        if not inside and st.st_uid != self.sandbox.uid:
            return f"{mp} is this machine's own directory; the harness does not write there"
        try:
            with os.scandir(where) as it:
                if any(True for _ in it):
                    return (f"{mp} already holds files in the driver's view; the mounted "
                            "file system's tree is not shown over them")
        except OSError as exc:
            return f"{mp} cannot be read: {exc.strerror}"
        return where, st

    def _show(self, mp: str, fs: FileSystem) -> None:
        place = self._place(mp)
        if not isinstance(place, tuple):
            self.passed[mp] = self._key(fs)
            if place is not None:
                self.notes.append(f"mount {fs.device} on {mp}: not shown in the driver's"
                                  f" view: {place}")
            return
        where, st = place
        entries: list[FileEntry] = []
        for n, entry in enumerate(fs.live.entries()):
            if n > MAX_ENTRIES:
                self.passed[mp] = self._key(fs)
                self.notes.append(f"mount {fs.device} on {mp}: not shown in the driver's"
                                  f" view: more than {MAX_ENTRIES} entries")
                return
            entries.append(entry)
        self.shown[mp] = Shown(self._key(fs), where, (st.st_dev, st.st_ino))
        try:
            self._populate(where, entries)
        except OSError as exc:
            self.notes.append(f"mount {fs.device} on {mp}: its tree could not be shown in"
                              f" the driver's view: {exc.strerror or exc}")
            self._hide(mp)
            self.passed[mp] = self._key(fs)

    def _populate(self, where: Path, entries: list[FileEntry]) -> None:
        owner = self._chown_to()
        dirs: list[tuple[Path, FileEntry]] = []
        for e in entries:
            rel = e.path.strip("/")
            if not rel or rel == ".":
                dirs.append((where, e))
                continue
            path = where / rel
            if e.kind == "d":
                path.mkdir(mode=0o700)
                dirs.append((path, e))
            elif e.kind == "l":
                os.symlink(e.target or ".", path)
                if owner is not None:
                    os.lchown(path, *owner)
            else:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                try:
                    os.ftruncate(fd, e.size)        # sparse: nothing allocated
                    os.fchmod(fd, stat.S_IMODE(e.mode))
                    if owner is not None:
                        os.fchown(fd, *owner)
                finally:
                    os.close(fd)
                os.utime(path, (e.mtime, e.mtime))
        for path, e in reversed(dirs):      # children first: their creation moved mtimes
            if path != where:
                os.chmod(path, stat.S_IMODE(e.mode) | 0o700)
                if owner is not None:
                    os.lchown(path, *owner)
            os.utime(path, (e.mtime, e.mtime))

    def _chown_to(self) -> tuple[int, int] | None:
        """A root harness gives the files to the unprivileged uid the driver runs as."""
        if os.geteuid() == 0 and self.sandbox.uid != 0:
            return self.sandbox.uid, self.sandbox.gid
        return None

    # ------------------------------------------------------------------ hiding
    def _hide(self, mp: str) -> None:
        shown = self.shown.pop(mp)
        try:
            st = os.lstat(shown.where)
        except OSError:
            return      # the driver removed the directory (rm -rf of a mounted tree)
        if (st.st_dev, st.st_ino) != shown.inode or not stat.S_ISDIR(st.st_mode):
            return      # not the directory the tree was shown in any more
        _empty(shown.where)


def _empty(directory: Path) -> None:
    """Remove everything inside ``directory`` (modes the tree or the driver set included)."""
    with contextlib.suppress(OSError):
        os.chmod(directory, stat.S_IMODE(os.lstat(directory).st_mode) | 0o700)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                _empty(path)
                path.rmdir()
            else:
                path.unlink()
