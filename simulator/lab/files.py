"""The lab host's files: an in-memory file system, never the machine running svmsim.

A trainee's ``cat /etc/vfstab``, ``ls /var/tmp``, ``metastat -p > /etc/lvm/md.tab``,
``ufsdump 0f /var/tmp/home1.dump ...`` and ``ufsrestore tf /var/tmp/home1.dump`` all reach
one pyfakefs :class:`~pyfakefs.fake_filesystem.FakeFilesystem` (pyfakefs is a dependency
already, for the pytest plugin; here it is used as a plain object, never patched in, so the
shell's own Python keeps the real ``os``). :class:`LabFiles` is the host's
:class:`~simulator.core.files.FileAccess` over it (fake programs write their archives through
it), :class:`LabView` the :class:`~simulator.session.hostfiles.View` the session's file
mirror keeps current (``/etc/vfstab``, ``/etc/mnttab``, ``/var/adm/messages``, the
``/dev/md`` nodes). The skeleton is a Solaris root's top directories, so ``ls /`` shows a
Solaris host and nothing of Linux.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from pyfakefs import fake_filesystem, fake_open, fake_os

from simulator.core.files import FileAccess, access_path_type, kind_of
from simulator.session.hostfiles import SKELETON_DIRS

if TYPE_CHECKING:
    from simulator.host import Host

# a Solaris 10 root's top level (what ``ls /`` shows besides the mount points)
ROOT_DIRS = ("/bin", "/dev", "/devices", "/etc", "/export", "/home", "/kernel", "/lib",
             "/mnt", "/net", "/opt", "/platform", "/proc", "/sbin", "/system", "/tmp",
             "/usr", "/var", "/usr/sbin", "/usr/bin", "/var/adm", "/var/tmp", "/var/log",
             "/etc/lvm", "/root")


class LabFiles(FileAccess):
    """Files of the lab host (the FileAccess its fake programs and the shell use)."""

    def __init__(self) -> None:
        self.fs = fake_filesystem.FakeFilesystem(path_separator="/")
        self.fs.is_windows_fs = self.fs.is_macos = False
        self.os = fake_os.FakeOsModule(self.fs)
        self._open = fake_open.FakeFileOpen(self.fs)
        self._path = access_path_type(self, "HostPath")
        for d in ROOT_DIRS + SKELETON_DIRS:
            if not self.fs.exists(d):
                self.fs.create_dir(d, perm_bits=0o1777 if d.endswith("tmp") else 0o755)
        if not self.fs.exists("/dev/null"):
            self.fs.create_file("/dev/null", st_mode=stat.S_IFCHR | 0o666)

    @staticmethod
    def absolute(path: str, cwd: str) -> str:
        joined = path if path.startswith("/") else f"{cwd.rstrip('/')}/{path}"
        parts: list[str] = []
        for part in joined.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return "/" + "/".join(parts)

    def resolve(self, path: str, cwd: str) -> Path:
        return self._path(self.absolute(path, cwd))

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        where = self.absolute(path, cwd)
        if where == "/dev/null":
            return cast(BinaryIO, _Null())
        return cast(BinaryIO, self._open(where, "wb"))
    def open_append(self, path: str, cwd: str) -> BinaryIO:
        where = self.absolute(path, cwd)
        if where == "/dev/null":
            return cast(BinaryIO, _Null())
        return cast(BinaryIO, self._open(where, "ab"))
    def open_read(self, path: str, cwd: str) -> BinaryIO:
        where = self.absolute(path, cwd)
        if where == "/dev/null":
            return cast(BinaryIO, _Null())
        if self.kind(where, "/") == "dir":
            raise IsADirectoryError(errno.EISDIR, "Is a directory", where)
        return cast(BinaryIO, self._open(where, "rb"))
    def kind(self, path: str, cwd: str, follow: bool = True) -> str:
        try:
            st = self.os.stat(self.absolute(path, cwd), follow_symlinks=follow)
        except (OSError, ValueError):
            return ""
        return kind_of(st.st_mode)

    def unlink(self, path: str, cwd: str) -> None:
        self.os.unlink(self.absolute(path, cwd))

    def readlink(self, path: str, cwd: str) -> str:
        return str(self.os.readlink(self.absolute(path, cwd)))

    def mkdir(self, path: str, cwd: str, mode: int = 0o777) -> None:
        self.os.mkdir(self.absolute(path, cwd), mode)

    def rmdir(self, path: str, cwd: str) -> None:
        self.os.rmdir(self.absolute(path, cwd))

    def chmod(self, path: str, cwd: str, mode: int) -> None:
        self.os.chmod(self.absolute(path, cwd), mode)

    def utime(self, path: str, cwd: str, when: float) -> None:
        self.os.utime(self.absolute(path, cwd), (when, when))

    def symlink(self, target: str, path: str, cwd: str) -> None:
        self.os.symlink(target, self.absolute(path, cwd))

    def rename(self, old: str, new: str, cwd: str) -> None:
        self.os.rename(self.absolute(old, cwd), self.absolute(new, cwd))

    # what the shell's ls and cat need besides the port
    def listdir(self, path: str, cwd: str) -> list[str]:
        return sorted(self.os.listdir(self.absolute(path, cwd)))

    def stat(self, path: str, cwd: str) -> object:
        return self.os.lstat(self.absolute(path, cwd))

    def read_bytes(self, path: str, cwd: str) -> bytes:
        with self.open_read(path, cwd) as f:
            return f.read()


class _Null:
    """``/dev/null``: reads end at once, writes vanish."""

    def write(self, data: bytes) -> int:
        return len(data)

    def read(self, n: int = -1) -> bytes:
        return b""

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def seek(self, *_: object) -> int:
        return 0

    def truncate(self, *_: object) -> int:
        return 0

    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *_: object) -> None:
        return None


class LabView:
    """The session's file mirror's view of the lab host (``View`` in hostfiles.py)."""

    def __init__(self, files: LabFiles) -> None:
        self.files = files
        self.fs = files.fs

    def prepare(self, host: Host) -> None:
        for mount in host.fs.filesystems:
            if mount != "/" and not self.fs.exists(mount):
                self.fs.create_dir(mount)

    def exists(self, path: str) -> bool:
        return bool(self.fs.exists(path))

    def read(self, path: str) -> str | None:
        if not self.fs.exists(path) or self.files.kind(path, "/") != "file":
            return None
        return self.files.read_bytes(path, "/").decode("utf-8", errors="replace")

    def write(self, path: str, text: str) -> None:
        if self.fs.exists(path):
            self.fs.remove_object(path)
        self.fs.create_file(path, contents=text.encode(), st_mode=stat.S_IFREG | 0o644)

    def add_node(self, path: str) -> None:
        if not self.fs.exists(path):
            kind = stat.S_IFBLK if "/dsk/" in path else stat.S_IFCHR
            self.fs.create_file(path, st_mode=kind | 0o640, create_missing_dirs=True)

    def remove_node(self, path: str) -> None:
        if self.fs.exists(path):
            self.fs.remove_object(path)
