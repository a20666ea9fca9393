"""The files a Solaris host shows for its volume manager and file systems, and their mirror.

Scripts read ``/etc/vfstab``, ``/etc/mnttab``, ``/etc/lvm/md.tab``, ``/etc/dumpdates`` and test
``[ -c /dev/md/rdsk/d3 ]``. Both the process harness (a sandboxed view of / ) and the pytest
plugin (a pyfakefs file system) show the same texts, taken from here: one
:class:`FileMirror` brings the driver's view up to date after every call (and hands a
driver-written ``/etc/lvm/md.tab`` to the host before the next one), over one of two small
views: :class:`SandboxView` (the harness's overlay directories) and :class:`FakeFsView`
(pyfakefs).
"""

from __future__ import annotations

import ctypes
import functools
import locale
import os
import stat
import sys
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from simulator.core.files import read_bytes
from simulator.sunos.disks import root_mirror
from simulator.sunos.files import release_text, system_text
from simulator.sunos.syslog import messages_text

if TYPE_CHECKING:
    from pathlib import Path

    from pyfakefs.fake_filesystem import FakeFilesystem

    from simulator.harness.sandbox import Sandbox
    from simulator.host import Host

ETC_FILES = ("/etc/vfstab", "/etc/mnttab", "/etc/lvm/md.tab", "/etc/lvm/mddb.cf",
             "/etc/dumpdates", "/etc/nodename", "/etc/release", "/etc/system")


def etc_files(host: Host, memo: Memo | None = None) -> dict[str, str]:
    """Path -> content of every /etc file the simulation owns.

    Only /etc: the process harness overlays /etc, while /var stays the host's own so that
    a dump the driver writes to /var/tmp is where both the driver and the harness look.
    ``/etc/release`` is the host's release's (:func:`simulator.sunos.files.release_text`),
    ``/etc/system`` carries metaroot's lines when ``/`` is on a mirror
    (:func:`simulator.sunos.files.system_text`). ``memo`` (a :class:`FileMirror`'s, kept
    from one call to the next) keeps ``/etc/mnttab``'s text while what it is made of is
    unchanged (``FileSystems.mnttab_inputs``): the dearest file to render, and the same
    after almost every call.
    """
    root = root_mirror(host)
    files: dict[str, str] = {"/etc/nodename": host.hostname + "\n",
                             "/etc/release": release_text(host.release),
                             "/etc/system": system_text(root[0] if root else None),
                             "/etc/lvm/mddb.cf": mddb_cf(host),
                             "/etc/lvm/md.tab": host.md.mdtab or MD_TAB_HEADER,
                             "/etc/vfstab": host.fs.vfstab_text(),
                             "/etc/mnttab": _mnttab(host, memo),
                             "/etc/dumpdates": host.backups.dumpdates_text()}
    return files


# path -> (the inputs a file's text was made of, that text)
Memo = dict[str, tuple[object, str]]


def _mnttab(host: Host, memo: Memo | None) -> str:
    """``/etc/mnttab``'s text: the memo's while its inputs are equal, else made anew."""
    if memo is None:
        return host.fs.mnttab_text()
    seen = memo.get("/etc/mnttab")
    if seen is not None and seen[0] == host.fs.mnttab_inputs():
        return seen[1]
    text = host.fs.mnttab_text()
    # the inputs as the text was made (making it may add the root file system)
    memo["/etc/mnttab"] = (host.fs.mnttab_inputs(), text)
    return text


MD_TAB_HEADER = """\
#
# Copyright 2006 Sun Microsystems, Inc.  All rights reserved.
# Use is subject to license terms.
#
# md.tab
#
# Metadevice configuration file. Use it with metainit -a to create
# the metadevices described here. See md.tab(4).
#
"""


def mddb_cf(host: Host) -> str:
    """``/etc/lvm/mddb.cf``: one line per replica of the local set (driver, minor, block)."""
    lines = ["#metadevice database location file do not hand edit",
             "#driver\tminor_t\tdaddr_t\tdevice id\tchecksum"]
    for r in host.md.sets[""].replicas:
        disk = host.disks.get(r.device.rsplit("s", 1)[0])
        devid = (disk.devid or "") if disk else ""
        lines.append(f"sd\t{_minor(r.device)}\t{r.first_block}\t{devid}\t-{_cksum(r.device)}")
    return "\n".join(lines) + "\n"


# both are functions of the device name alone: each name is summed once (mddb.cf is
# rendered after every fake call to see whether it changed)
@functools.cache
def _minor(device: str) -> int:
    return sum(ord(c) for c in device) * 8 % 4096


@functools.cache
def _cksum(device: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(device)) % 9973


def device_nodes(host: Host) -> list[str]:
    """``/dev/md/dsk/dN`` and ``/dev/md/rdsk/dN`` for every metadevice (sets under
    ``/dev/md/<set>/``), plus the tape drives."""
    nodes = []
    for s in host.md.sets.values():
        base = f"/dev/md/{s.name}" if s.name else "/dev/md"
        for name in s.units:
            nodes += [f"{base}/dsk/{name}", f"{base}/rdsk/{name}"]
    for disk in host.disks.values():
        for num in disk.slices:
            nodes += [f"/dev/dsk/{disk.name}s{num}", f"/dev/rdsk/{disk.name}s{num}"]
    nodes += sorted(host.backups.tapes) or ["/dev/rmt/0"]
    return nodes


def device_node_inputs(host: Host) -> tuple[object, ...]:
    """Everything :func:`device_nodes` reads: equal inputs, the same nodes (a mirror keeps
    its nodes while they stay equal). A new input of device_nodes' must be added here."""
    return (tuple((s.name, tuple(s.units)) for s in host.md.sets.values()),
            tuple((d.name, tuple(d.slices)) for d in host.disks.values()),
            tuple(host.backups.tapes))


MD_TAB = "/etc/lvm/md.tab"
MESSAGES = "/var/adm/messages"


class View(Protocol):
    """Where the driver sees the host's files: a few primitive operations."""

    def prepare(self, host: Host) -> None:
        """Make the directories the files go into (before every update)."""

    def exists(self, path: str) -> bool: ...

    def read(self, path: str) -> str | None:
        """The text the driver left at ``path``, None when there is none."""

    def write(self, path: str, text: str) -> None: ...

    def add_node(self, path: str) -> None: ...

    def remove_node(self, path: str) -> None: ...


def view_files(host: Host, messages: bool = False, memo: Memo | None = None
               ) -> dict[str, str]:
    """Path -> text of every file a driver's view shows of ``host``: ``etc_files``, and with
    ``messages`` ``/var/adm/messages`` (syslog lines, sunos/syslog.py; a real host always
    has the file, empty or not)."""
    files = etc_files(host, memo)
    if messages:
        files[MESSAGES] = messages_text(host)
    return files


class FileMirror:
    """The host's files and device nodes, shown in a driver's view with the fewest writes.

    ``push`` writes what changed (or what the driver removed) since the last push, adds new
    device nodes and removes the ``/dev/md`` nodes of cleared metadevices; ``pull`` takes an
    ``/etc/lvm/md.tab`` the driver wrote (``metastat -p > /etc/lvm/md.tab``) into the host,
    for ``metainit -a``. ``messages`` adds ``/var/adm/messages`` (both fronts show it).
    ``shown``/``nodes``: what the view already shows (the sandbox is created with the first
    files, :func:`view_files`).
    """

    def __init__(self, host: Host, view: View, *, messages: bool = False,
                 shown: dict[str, str] | None = None, nodes: Iterable[str] = ()) -> None:
        self.host = host
        self.view = view
        self.messages = messages
        self.shown: dict[str, str] = dict(shown or {})
        self.nodes: set[str] = set(nodes)
        self.memo: Memo = {}
        self._node_inputs: tuple[object, ...] | None = None   # at the last push

    def files(self) -> dict[str, str]:
        """Path -> text of every file this mirror shows."""
        return view_files(self.host, self.messages, self.memo)

    def pull(self) -> None:
        """A driver may write /etc/lvm/md.tab: the host takes it."""
        text = self.view.read(MD_TAB)
        if text is not None and text != self.shown.get(MD_TAB):
            self.host.md.mdtab = text
            self.shown[MD_TAB] = text

    def push(self) -> None:
        """Show the host's current files and device nodes."""
        self.view.prepare(self.host)
        for path, text in self.files().items():
            if self.shown.get(path) == text and self.view.exists(path):
                continue
            if path == MD_TAB and self.host.md.mdtab == self.shown.get(MD_TAB):
                continue    # the driver's own md.tab (even empty: ``metastat -p >md.tab``
                #             truncates it before the command runs, and writes it after)
            self.view.write(path, text)
            self.shown[path] = text
        inputs = device_node_inputs(self.host)
        if inputs == self._node_inputs:
            return      # the same nodes as at the last push: nothing to add or remove
        nodes = set(device_nodes(self.host))
        for node in sorted(nodes - self.nodes):
            self.view.add_node(node)
        for node in sorted(self.nodes - nodes):
            if node.startswith("/dev/md/"):
                self.view.remove_node(node)
        self.nodes = nodes
        self._node_inputs = inputs


class _Inotify:
    """An inotify(7) instance watching directories for any change of their entries (or of
    themselves): ``changed`` says whether one happened since it was last asked."""

    # IN_ATTRIB, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE, IN_DELETE_SELF,
    # IN_MOVE_SELF; a link is not followed (IN_DONT_FOLLOW), only a directory is watched
    # (IN_ONLYDIR). Overflow, unmount and a removed watch are always reported.
    MASK = 0x4 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x02000000 | 0x01000000

    def __init__(self, fd: int, libc: ctypes.CDLL) -> None:
        self.fd = fd
        self._libc = libc
        self._close = weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls) -> _Inotify | None:
        """A new instance, or None where inotify cannot be had."""
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            return None
        return cls(fd, libc) if fd >= 0 else None

    def watch(self, directory: Path) -> bool:
        return bool(self._libc.inotify_add_watch(self.fd, os.fsencode(directory),
                                                 self.MASK) >= 0)

    def changed(self) -> bool:
        """Whether any event came since the last call (all of them are read)."""
        seen = False
        while True:
            try:
                if not os.read(self.fd, 65536):
                    return seen
            except BlockingIOError:
                return seen
            seen = True

    def close(self) -> None:
        """Close the instance, in a thread of its own: closing one that watched anything
        waits for the kernel's grace period (``synchronize_srcu``, 7 to 20 ms measured
        here), which the harness spends judging the run instead. The thread is not a
        daemon: the process exits only once the descriptor is closed."""
        if self._close.detach() is not None:
            threading.Thread(target=os.close, args=(self.fd,), name="svmsim-inotify-close"
                             ).start()


class SandboxView:
    """The process harness's view: the sandbox's overlay of /etc and its private /dev.

    Whether a file the harness wrote is still there (``exists``, asked of every file after
    every fake call) is one ``lstat``; after that, while no entry of a directory on its way
    from the run's directory has changed (an inotify watch on each says so: a removed,
    renamed or replaced file or directory is an event there), it is known without one. Any
    change at all, the harness's own writes included, and every file is looked at again.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        # where each file the harness wrote is, and its inode: the next look at it is one
        # lstat when it is still that file there (resolving the path in the view, link by
        # link, is ~0.1 ms a file and ran for every file after every fake call)
        self._where: dict[str, tuple[Path, int, int]] = {}
        self._inotify = _Inotify.open()
        self._watched: set[Path] = set()
        # files found where they were remembered since the last change in the watched
        # directories: they are still there
        self._quiet: set[str] = set()

    def _watch_way(self, path: str) -> bool:
        """Watch every directory from the run's directory to the remembered file of
        ``path``; whether all are watched."""
        known = self._where.get(path)
        root = self.sandbox.root
        if known is None or self._inotify is None or root not in known[0].parents:
            return False
        way = [d for d in known[0].parents if d == root or root in d.parents]
        for d in reversed(way):
            if d not in self._watched:
                if not self._inotify.watch(d):
                    return False
                self._watched.add(d)
        return True

    def close(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
        self._quiet.clear()

    def _known(self, path: str) -> Path | None:
        """Where ``path`` is, when it is still the file the harness wrote there."""
        known = self._where.get(path)
        if known is None:
            return None
        where, dev, ino = known
        try:
            st = os.lstat(where)
        except OSError:
            return None
        if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == (dev, ino):
            return where
        return None

    def _remember(self, path: str) -> None:
        self._quiet.discard(path)
        where = self.sandbox.host_path(path)
        try:
            st = os.lstat(where)
        except OSError:
            self._where.pop(path, None)
            return
        if stat.S_ISREG(st.st_mode):
            self._where[path] = (where, st.st_dev, st.st_ino)

    def prepare(self, host: Host) -> None:
        # the sandbox was made with every directory the files need; before each update,
        # anything changed in a watched directory since the last one: look at every file
        if self._inotify is None or self._inotify.changed():
            self._quiet.clear()
            self._watched.clear()   # watched again (a directory may be a new one)

    def exists(self, path: str) -> bool:
        if path in self._quiet:
            return True
        watched = self._watch_way(path)     # before the look: a change after it is seen
        if self._known(path) is not None:
            if watched:
                self._quiet.add(path)
            return True
        if self.sandbox.host_path(path).exists():
            self._remember(path)
            return True
        return False

    def read(self, path: str) -> str | None:
        try:
            return _read_text(self._known(path) or self.sandbox.host_path(path))
        except OSError:
            return None

    def write(self, path: str, text: str) -> None:
        self._quiet.discard(path)
        self.sandbox.update_etc(path, text)
        self._remember(path)

    def add_node(self, path: str) -> None:
        self.sandbox.add_dev_node(path)

    def remove_node(self, path: str) -> None:
        self.sandbox.remove_dev_node(path)


def _read_text(where: Path) -> str:
    """``where.read_text(errors="replace")`` (the locale's encoding, universal newlines), by
    plain system calls and a decode: the view's md.tab is read before every fake call, and
    opening a text file object costs more than the read itself."""
    encoding = "utf-8" if sys.flags.utf8_mode else locale.getencoding()
    text = read_bytes(where).decode(encoding, "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# the directories a pyfakefs view needs before the first file lands
SKELETON_DIRS = ("/tmp", "/var/tmp", "/var/adm", "/etc/lvm", "/dev/md/dsk", "/dev/md/rdsk",
                 "/dev/dsk", "/dev/rdsk", "/dev/rmt")


class FakeFsView:
    """The pytest plugin's view: a pyfakefs file system (the test's ``fs`` fixture)."""

    def __init__(self, fakefs: FakeFilesystem) -> None:
        self.fakefs = fakefs

    def prepare(self, host: Host) -> None:
        fs = self.fakefs
        for d in SKELETON_DIRS:
            if not fs.exists(d):
                fs.create_dir(d, perm_bits=0o1777 if d.endswith("tmp") else 0o755)
        for mount in host.fs.filesystems:
            if mount != "/" and not fs.exists(mount):
                fs.create_dir(mount)

    def exists(self, path: str) -> bool:
        return bool(self.fakefs.exists(path))

    def read(self, path: str) -> str | None:
        if not self.fakefs.exists(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:   # pyfakefs is active
            return f.read()

    def write(self, path: str, text: str) -> None:
        if self.fakefs.exists(path):
            self.fakefs.remove_object(path)
        self.fakefs.create_file(path, contents=text, encoding="utf-8")

    def add_node(self, path: str) -> None:
        if not self.fakefs.exists(path):
            kind = stat.S_IFBLK if "/dsk/" in path else stat.S_IFCHR
            self.fakefs.create_file(path, st_mode=kind | 0o640)

    def remove_node(self, path: str) -> None:
        if self.fakefs.exists(path):
            self.fakefs.remove_object(path)
