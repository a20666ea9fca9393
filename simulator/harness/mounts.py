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
* **Made once, moved in** (:class:`TreeCache`). Making a tree is one inode per entry (the
  seed's 2,000 files cost ~30 ms to make and ~15 ms to remove, nearly all of it the
  kernel's), and every run of a scenario shows the same tree. So a tree is made in a cache
  directory beside the runs (same file system: ``rename(2)`` moves it), moved into the view
  by one ``rename`` (which atomically replaces the empty mount point, and fails on anything
  else), and at the end of a run moved back -- only when nothing in it changed: every
  entry's ``lstat`` (inode, mode, owner, size, blocks, link count, times, *ctime*, which
  the kernel sets on any change and no one can set back) equals what it was before the
  driver could see it, every directory lists the same names, the top carries no extended
  attribute, and the run's every process is known to be gone (``Sandbox.ended``: no one
  left to write after the check). Anything else is emptied as before. A tree made in this
  run goes back only if every entry's ctime is older than the time the kernel stamped on
  the rename that showed it (file times come from a clock that ticks every few ms: a
  driver's change in the same tick as the tree was made could leave a ctime as it was).
  The signature is read before the driver can see the tree (the one it was put back with
  is kept beside it) with ``O_NOATIME``: reading a directory would set its atime. The key
  is every shown field of every entry plus the owner, so another tree (another scenario, a
  workload's writes, another uid) never takes it. A tree unmounted while the driver runs is
  emptied in place, as before: the driver could still be writing in it. Only the trees
  shown when the run starts go through the cache: they are the scenario's, the same in
  every run of it, while one mounted later depends on what the run did (and a directory
  renamed into an overlay's upper layer while it is mounted would not show: overlayfs
  keeps the upper directory it looked up).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import marshal
import os
import secrets
import stat
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.harness.sandbox import DIR_FLAGS, open_beneath, scratch_base
from simulator.ufs.image import _cache_root

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
    # moved in from (or made for) the TreeCache: its key and its signature before the
    # driver could see it; None when the tree may not go back (see TreeCache)
    cached: tuple[str, Signature] | None = None


class MountedTrees:
    """The trees of the host's mounted UFSs in a sandbox (see the module docstring)."""

    def __init__(self, host: Host, sandbox: Sandbox, cache: TreeCache | None = None) -> None:
        self.host = host
        self.sandbox = sandbox
        self.cache = cache
        self.shown: dict[str, Shown] = {}
        self.passed: dict[str, tuple[int, int, str]] = {}   # mounts not shown, and noted
        self.notes: list[str] = []
        self._points_made = False

    @classmethod
    def with_cache(cls, host: Host, sandbox: Sandbox) -> MountedTrees:
        """Trees shown through the :class:`TreeCache` where the sandbox allows one."""
        return cls(host, sandbox, TreeCache.for_sandbox(sandbox))

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
        """Empty every directory shown (the end of the run): a tree unchanged since it was
        shown goes back to the cache when no process of the run is left."""
        for mp in sorted(self.shown, reverse=True):
            self._hide(mp, final=self.cache is not None and self.sandbox.ended)

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
        if self.cache is not None and self.sandbox.pid is None \
                and len(entries) <= TreeCache.MAX_ENTRIES and self.sandbox.root in where.parents:
            try:
                placed = self._move_in(fs, where, st, entries)
            except OSError:
                placed = False
            if placed:
                return
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

    def _move_in(self, fs: FileSystem, where: Path, st: os.stat_result,
                 entries: list[FileEntry]) -> bool:
        """Show the tree by moving it from the cache (made there first when missing): True
        when shown, False to make it in place (no cache dir, or the mount point changed)."""
        cache = self.cache
        assert cache is not None
        owner = self._chown_to()
        key = tree_key(entries, owner or (os.geteuid(), os.getegid()))
        base = cache.open()
        if base is None:
            return False
        try:
            name, kept = cache.take(base, key)
            if name is None:    # made under a claimed name: no other run takes it half made
                name = cache.new_name(key) + ".taken"
                os.mkdir(name, 0o700, dir_fd=base)
                top = os.open(name, DIR_FLAGS, dir_fd=base)
                try:
                    self._populate(top, entries)
                finally:
                    os.close(top)
            top = os.open(name, DIR_FLAGS | os.O_NOATIME, dir_fd=base)
            try:
                sig = kept if kept is not None else signature(top, cache.lib)
                # the top is the mount point's: its mode and owner; the model's times
                os.fchmod(top, stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.fstat(top).st_uid, os.fstat(top).st_gid):
                    os.fchown(top, st.st_uid, st.st_gid)
                root = next((e for e in entries if e.path.strip("/") in ("", ".")), None)
                if root is not None:
                    os.utime(top, (root.mtime, root.mtime))
                placed = os.fstat(top)
            finally:
                os.close(top)
            parent = open_beneath(self.sandbox.root, where.parent)
            try:
                pst = os.fstat(parent)
                cur = os.stat(where.name, dir_fd=parent, follow_symlinks=False)
                if (cur.st_dev, cur.st_ino) != (st.st_dev, st.st_ino):
                    cache.give_back(base, name)
                    return False
                # replaces the empty mount point in one step; a file or link there, or a
                # directory with files in it (the driver's, since), makes it fail
                os.rename(name, where.name, src_dir_fd=base, dst_dir_fd=parent)
                # The kernel's file time at the moment the driver could first see the tree
                # (the rename stamped the cache directory with it): every change from now
                # on is stamped no earlier. An entry changed in the same tick could keep
                # its ctime: such a tree never goes back.
                shown_at = os.fstat(base).st_ctime_ns
                mine = sig.newest < shown_at
                with contextlib.suppress(OSError):    # its times, as before the move
                    os.utime(parent, ns=(pst.st_atime_ns, pst.st_mtime_ns))
            except OSError:
                cache.give_back(base, name)
                raise
            finally:
                os.close(parent)
        finally:
            os.close(base)
        self.shown[fs.mount] = Shown(self._key(fs), where, (placed.st_dev, placed.st_ino),
                                     (key, sig) if mine else None)
        self.sandbox.owned_trees.add(os.fspath(where))
        return True

    # ------------------------------------------------------------------ hiding
    def _hide(self, mp: str, final: bool = False) -> None:
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
            if final and shown.cached is not None and self._move_out(fd, shown, st):
                return
            _empty(fd)
        finally:
            os.close(fd)

    def _move_out(self, fd: int, shown: Shown, st: os.stat_result) -> bool:
        """At the end of a run whose processes are all gone: put a tree nothing changed
        back in the cache, an empty directory in its place. False: empty it in place."""
        assert self.cache is not None and shown.cached is not None
        key, sig = shown.cached
        try:
            if os.listxattr(fd) or signature(fd, self.cache.lib) != sig:
                return False
        except OSError:
            return False
        base = self.cache.open()
        if base is None:
            return False
        try:
            parent = open_beneath(self.sandbox.root, shown.where.parent)
        except OSError:
            os.close(base)
            return False
        name = shown.where.name
        try:
            cur = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if (cur.st_dev, cur.st_ino) != shown.inode:
                return False
            kept = self.cache.new_name(key)
            self.cache.keep_signature(base, kept, sig)
            os.rename(name, kept, src_dir_fd=parent, dst_dir_fd=base)
            # the mount point again, empty, as emptying it in place leaves it
            with contextlib.suppress(OSError):
                os.mkdir(name, 0o700, dir_fd=parent)
                os.chmod(name, stat.S_IMODE(st.st_mode) | 0o700, dir_fd=parent,
                         follow_symlinks=False)
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    os.chown(name, st.st_uid, st.st_gid, dir_fd=parent, follow_symlinks=False)
            self.cache.trim(base)
            return True
        except OSError:
            return False
        finally:
            os.close(parent)
            os.close(base)


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
                _remove_dir(name, fd)
            else:
                os.unlink(name, dir_fd=fd)


def _remove_dir(name: str, dir_fd: int) -> None:
    """Remove directory ``name`` of the directory open at ``dir_fd`` with everything in it
    (:func:`_empty`: ``*at`` calls, links never followed)."""
    sub = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    try:
        _empty(sub)
    finally:
        os.close(sub)
    os.rmdir(name, dir_fd=dir_fd)


# ---------------------------------------------------------------------- the tree cache
_STAT = struct.Struct("<QQqqqqqqqq")


@dataclass(frozen=True)
class Signature:
    """What :func:`signature` read of a tree: equal digests, equal trees (as ``lstat``
    sees them); ``newest``: the newest ctime of an entry."""

    digest: bytes
    newest: int


def tree_key(entries: list[FileEntry], owner: tuple[int, int]) -> str:
    """Everything :meth:`MountedTrees._populate` makes a tree from, hashed: two trees with
    the same key are made alike."""
    # marshal's version 2 writes values only (no back-references, whose bytes depend on
    # reference counts), floats in binary: a third of repr()'s time for 2,000 entries
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(owner).encode())
    h.update(marshal.dumps([(e.path, e.kind, e.size, e.mtime, e.mode, e.target)
                            for e in entries], 2))
    return h.hexdigest()


def signature(top: int, lib: Path | None = None) -> Signature:
    """Every entry under the directory open at ``top`` (by ``*at`` calls, no link followed,
    in byte order of names): a digest of its path and ``lstat`` fields, and of each
    directory's names; with the newest ctime among them. ``lib``: the C walk
    (``csrc/svmsim_tree.c``, same records), else this one."""
    if lib is not None:
        records, newest = _c_records(lib, top)
        return Signature(hashlib.blake2b(records, digest_size=32).digest(), newest)
    h = hashlib.blake2b(digest_size=32)
    newest = 0

    def walk(fd: int, rel: bytes) -> None:
        nonlocal newest
        with os.scandir(fd) as it:
            found = sorted((os.fsencode(e.name), e.is_dir(follow_symlinks=False)) for e in it)
        for name, _is_dir in found:
            s = os.stat(name, dir_fd=fd, follow_symlinks=False)
            h.update(rel + b"/" + name + b"\0" + _STAT.pack(
                s.st_ino, s.st_mode, s.st_uid, s.st_gid, s.st_size, s.st_blocks, s.st_nlink,
                s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns))
            newest = max(newest, s.st_ctime_ns)
        h.update(b"\1")        # the end of a directory's names
        for name, is_dir in found:
            if is_dir:
                # O_NOATIME: reading a directory would set its atime (relatime, atime no
                # later than mtime), which the signature holds (we own it, or are root)
                sub = os.open(name, DIR_FLAGS | os.O_NOATIME, dir_fd=fd)
                try:
                    walk(sub, rel + b"/" + name)
                finally:
                    os.close(sub)

    os.lseek(top, 0, os.SEEK_SET)   # from its first entry, whoever read it before
    walk(top, b"")
    return Signature(h.digest(), newest)


_LIBS: dict[Path, ctypes.CDLL] = {}


def _c_records(lib: Path, top: int) -> tuple[bytes, int]:
    """``svmsim_tree_records`` of the library at ``lib`` (loaded once): the records and the
    newest ctime; OSError with its errno."""
    cdll = _LIBS.get(lib)
    if cdll is None:
        cdll = _LIBS[lib] = ctypes.CDLL(os.fspath(lib))
        cdll.svmsim_tree_records.argtypes = [
            ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(ctypes.c_int64)]
        cdll.svmsim_tree_records.restype = ctypes.c_int
        cdll.svmsim_tree_free.argtypes = [ctypes.c_void_p]
        cdll.svmsim_tree_free.restype = None
    out, size, newest = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_int64()
    err = cdll.svmsim_tree_records(top, ctypes.byref(out), ctypes.byref(size),
                                   ctypes.byref(newest))
    if err:
        raise OSError(err, os.strerror(err))
    try:
        return ctypes.string_at(out, size.value) if size.value else b"", newest.value
    finally:
        cdll.svmsim_tree_free(out)


class TreeCache:
    """Trees made once, shown by moving them (the module docstring, "Made once, moved in").

    One directory per euid beside the runs (``svmsim-trees-UID`` in :func:`scratch_base`),
    mode 0700, holding trees named ``KEY.TOKEN``. A tree is taken by renaming it away, so two
    runs never share one; at most ``KEEP`` trees of at most ``MAX_ENTRIES`` entries are
    kept, the least recently put removed.
    ``$SVMSIM_CACHE=off`` (svmsim's switch for its caches) turns it off."""

    KEEP = 6                # trees kept
    MAX_ENTRIES = 20_000    # a bigger tree is made in place: the cache holds its inodes in
    #                         memory (tmpfs, ~1 KB each) between runs, at most KEEP x this

    def __init__(self, base: Path, lib: Path | None = None) -> None:
        self.base = base
        self.lib = lib      # the C walk of signature() (build.Artifacts.tree), if built

    @classmethod
    def for_sandbox(cls, sandbox: Sandbox) -> TreeCache | None:
        """The cache for a sandbox's trees: only under ``unshare`` (where a run's end is
        known, :attr:`Sandbox.ended`) and on the sandbox's file system."""
        if sandbox.method != "unshare" or _cache_root() is None:
            return None
        cache = cls(Path(scratch_base()) / f"svmsim-trees-{os.geteuid()}",
                    sandbox.artifacts.tree)
        try:
            fd = cache.open(create=True)
        except OSError:
            return None
        if fd is None:
            return None
        try:
            if os.fstat(fd).st_dev != os.stat(sandbox.root).st_dev:
                return None
        finally:
            os.close(fd)
        return cache

    def open(self, create: bool = False) -> int | None:
        """An fd of the cache directory, or None when it is not ours alone (another user's,
        a link, group or world access)."""
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(self.base, 0o700)
        try:
            fd = os.open(self.base, DIR_FLAGS)
        except OSError:
            return None
        st = os.fstat(fd)
        if st.st_uid != os.geteuid() or stat.S_IMODE(st.st_mode) & 0o077:
            os.close(fd)
            return None
        return fd

    @staticmethod
    def new_name(key: str) -> str:
        return f"{key}.{secrets.token_hex(6)}"

    def take(self, base: int, key: str) -> tuple[str | None, Signature | None]:
        """Claim a tree of ``key`` (renamed to a name of this run's): its name and the
        signature it was put back with (None: none kept, to be taken again), or None."""
        for name in os.listdir(base):
            if name.startswith(key + ".") and name.count(".") == 1:
                mine = self.new_name(key) + ".taken"
                try:
                    os.rename(name, mine, src_dir_fd=base, dst_dir_fd=base)
                except OSError:
                    continue        # another run took it first
                return mine, self._kept_signature(base, name)
        return None, None

    @staticmethod
    def keep_signature(base: int, name: str, sig: Signature) -> None:
        """Keep the signature a tree is put back with, as ``NAME.sig`` (written before the
        tree is renamed to ``NAME``): the next run need not take it again."""
        tmp = f".{name}.sig"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600, dir_fd=base)
        try:
            data = sig.digest + sig.newest.to_bytes(8, "little")
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)
        os.rename(tmp, f"{name}.sig", src_dir_fd=base, dst_dir_fd=base)

    @staticmethod
    def _kept_signature(base: int, name: str) -> Signature | None:
        """The signature kept for the tree that was ``name``, removed (None: none, or not a
        signature)."""
        try:
            fd = os.open(f"{name}.sig", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=base)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as f:
                data = f.read(64)
            os.unlink(f"{name}.sig", dir_fd=base)
        except OSError:
            return None
        if len(data) != 40:
            return None
        return Signature(data[:32], int.from_bytes(data[32:], "little"))

    def give_back(self, base: int, name: str) -> None:
        """A tree claimed but not shown, still as made: back under a plain name."""
        with contextlib.suppress(OSError):
            os.rename(name, self.new_name(name.split(".")[0]), src_dir_fd=base,
                      dst_dir_fd=base)

    def trim(self, base: int) -> None:
        """Remove the trees put longest ago (their ctime: the rename that put them) beyond
        ``KEEP``, and any claimed by a run that died before showing it."""
        trees, gone = [], []
        names = os.listdir(base)
        for name in names:
            with contextlib.suppress(OSError):
                st = os.stat(name, dir_fd=base, follow_symlinks=False)
                if name.count(".") == 1:
                    trees.append((st.st_ctime_ns, name))
                elif not name.endswith(".sig") and st.st_ctime < time.time() - 3600:
                    # claimed (or being kept) by a run that died an hour ago
                    gone.append(name)
        trees.sort()
        gone += [name for _, name in trees[: max(0, len(trees) - self.KEEP)]]
        gone += [n for n in names if n.endswith(".sig") and n[:-4] not in names]
        for name in gone:
            if name.endswith(".sig"):
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=base)
                continue
            with contextlib.suppress(OSError):
                _remove_dir(name, base)
