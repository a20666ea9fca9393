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
  the driver: one in the run's own layers of its view (:class:`~simulator.harness.sandbox.
  Sandbox`: every simulated mount point, ``/home1``, ``/export/home``, mounted or only in
  vfstab, is made there as a directory at the first ``sync``), or one it made. A directory
  that is only the machine's in the view (the lower layer of an overlay) or one with files
  in it is never written. Solaris would hide a non-empty directory's files under the mount;
  the harness does not move the driver's files aside. Every entry is made by ``*at`` calls
  from a directory reached with ``O_NOFOLLOW`` (:func:`~simulator.harness.sandbox.
  open_beneath`), and emptied the same way: a link the driver plants in a shown tree, or in
  place of a directory on the way to it, is never followed.
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

from simulator.harness.sandbox import DIR_FLAGS, open_beneath

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
        self._points_made = False

    @staticmethod
    def _key(fs: FileSystem) -> tuple[int, int, str]:
        return (id(fs), fs.mount_time, fs.device)

    def sync(self) -> None:
        """Show every mounted UFS's tree, empty the directories of unmounted ones."""
        if not self._points_made:
            self._make_mount_points()
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

    # ------------------------------------------------------------------ where
    def _make_mount_points(self) -> None:
        """Every simulated mount point (``/home1``, ``/export/home``, mounted or only in
        vfstab) exists as a directory in the driver's view, made in the run's own layers
        (issue 8: "simulated mount points exist as directories"), as on the Solaris host."""
        self._points_made = True
        for mp in sorted(self.host.fs.filesystems):
            fs = self.host.fs.filesystems[mp]
            if mp == "/" or fs.synthetic or not mp.startswith("/"):
                continue
            try:
                where = self.sandbox.host_path(mp)
                if self.sandbox.root not in where.parents or os.path.lexists(where):
                    continue
                os.close(open_beneath(self.sandbox.root, where, create=True,
                                      owner=self._chown_to()))
            except (OSError, ValueError):
                continue    # the driver's view has a file or a link there: left as it is

    def _open(self, where: Path) -> int:
        """An fd of directory ``where``: reached with ``O_NOFOLLOW`` from the run's
        directory (a link the driver planted is never followed), or, for a directory outside
        it, with its last component not followed."""
        if self.sandbox.root in where.parents:
            return open_beneath(self.sandbox.root, where)
        return os.open(where, DIR_FLAGS)

    # ------------------------------------------------------------------ showing
    def _place(self, mp: str) -> tuple[Path, os.stat_result] | str | None:
        """Where ``mp``'s tree may go, why not (a note), or None (nothing to show there)."""
        try:
            where = self.sandbox.host_path(mp)
            fd = self._open(where)
        except (OSError, ValueError):
            return None     # no such directory in the driver's view (or a link, a file)
        try:
            st = os.fstat(fd)
            inside = self.sandbox.root in where.parents
            if not inside and st.st_uid != self.sandbox.uid:
                return f"{mp} is this machine's own directory; the harness does not write there"
            try:
                if os.listdir(fd):
                    return (f"{mp} already holds files in the driver's view; the mounted "
                            "file system's tree is not shown over them")
            except OSError as exc:
                return f"{mp} cannot be read: {exc.strerror}"
        finally:
            os.close(fd)
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
            fd = self._open(where)
            try:
                if (os.fstat(fd).st_dev, os.fstat(fd).st_ino) != (st.st_dev, st.st_ino):
                    raise OSError(0, "the directory changed")
                self._populate(fd, entries)
                self.sandbox.owned_trees.add(os.fspath(where))
            finally:
                os.close(fd)
        except OSError as exc:
            self.notes.append(f"mount {fs.device} on {mp}: its tree could not be shown in"
                              f" the driver's view: {exc.strerror or exc}")
            self._hide(mp)
            self.passed[mp] = self._key(fs)

    def _populate(self, top: int, entries: list[FileEntry]) -> None:
        """Make the entries under the directory open at ``top``, every one by ``*at`` calls
        relative to a directory reached with ``O_NOFOLLOW``: the driver, which may run other
        processes meanwhile, cannot redirect a write with a link. Each directory is opened
        once, right after it is made, and kept open for its children (a tree of thousands
        of files costs one open per file, not one per path component)."""
        owner = self._chown_to()
        umask = os.umask(0)
        os.umask(umask)
        dirs: list[tuple[str, FileEntry]] = []
        with _DirCache(top) as cache:
            for e in entries:
                rel = e.path.strip("/")
                if not rel or rel == ".":
                    dirs.append(("", e))
                    continue
                parent, name = os.path.split(rel)
                pfd = cache.get(parent)
                if e.kind == "d":
                    os.mkdir(name, 0o700, dir_fd=pfd)
                    cache.add(rel, os.open(name, DIR_FLAGS, dir_fd=pfd))
                    dirs.append((rel, e))
                elif e.kind == "l":
                    os.symlink(e.target or ".", name, dir_fd=pfd)
                    if owner is not None:
                        os.chown(name, *owner, dir_fd=pfd, follow_symlinks=False)
                    os.utime(name, (e.mtime, e.mtime), dir_fd=pfd, follow_symlinks=False)
                else:
                    mode = stat.S_IMODE(e.mode)
                    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                                 | os.O_CLOEXEC, mode & 0o777, dir_fd=pfd)
                    try:
                        if e.size:
                            os.ftruncate(fd, e.size)        # sparse: nothing allocated
                        if mode & (umask | 0o7000):         # what open's mode could not set
                            os.fchmod(fd, mode)
                        if owner is not None:
                            os.fchown(fd, *owner)
                        os.utime(fd, (e.mtime, e.mtime))
                    finally:
                        os.close(fd)
            for rel, e in reversed(dirs):      # children first: their creation moved mtimes
                dfd = cache.get(rel)
                if rel:
                    os.fchmod(dfd, stat.S_IMODE(e.mode) | 0o700)
                    if owner is not None:
                        os.fchown(dfd, *owner)
                os.utime(dfd, (e.mtime, e.mtime))

    def _chown_to(self) -> tuple[int, int] | None:
        """A root harness gives the files to the unprivileged uid the driver runs as."""
        if os.geteuid() == 0 and self.sandbox.uid != 0:
            return self.sandbox.uid, self.sandbox.gid
        return None

    # ------------------------------------------------------------------ hiding
    def _hide(self, mp: str) -> None:
        shown = self.shown.pop(mp)
        self.sandbox.owned_trees.discard(os.fspath(shown.where))
        try:
            fd = self._open(shown.where)
        except OSError:
            return      # the driver removed the directory (rm -rf of a mounted tree)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != shown.inode:
                return      # not the directory the tree was shown in any more
            _empty(fd)
        finally:
            os.close(fd)


class _DirCache:
    """Descriptors of the directories of a tree being made, by path relative to its top,
    at most ``limit`` open at once (a missing one is reopened by an ``O_NOFOLLOW`` walk)."""

    def __init__(self, top: int, limit: int = 256) -> None:
        self.fds: dict[str, int] = {"": os.dup(top)}
        self.limit = limit

    def __enter__(self) -> _DirCache:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()

    def add(self, rel: str, fd: int) -> None:
        if len(self.fds) >= self.limit:
            for key in [k for k in self.fds if k][: self.limit // 2]:
                os.close(self.fds.pop(key))
        self.fds[rel] = fd

    def get(self, rel: str) -> int:
        fd = self.fds.get(rel)
        if fd is None:
            fd = _open_rel(self.fds[""], rel)
            self.add(rel, fd)
        return fd


def _open_rel(top: int, rel: str) -> int:
    """An fd of ``rel`` below the directory open at ``top``, no link followed."""
    fd = os.dup(top)
    try:
        for name in (p for p in rel.split("/") if p):
            nxt = os.open(name, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _empty(fd: int) -> None:
    """Remove everything inside the directory open at ``fd`` (modes the tree or the driver
    set included), by ``*at`` calls: a link in it is removed, never followed."""
    with contextlib.suppress(OSError):
        os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) | 0o700)
    try:
        with os.scandir(fd) as it:        # each entry's type from the directory: no stat
            found = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    except OSError:
        return
    for name, is_dir in found:
        with contextlib.suppress(OSError):
            if is_dir:
                sub = os.open(name, DIR_FLAGS, dir_fd=fd)
                try:
                    _empty(sub)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)
