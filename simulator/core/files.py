"""How a fake command reaches real files (dump archives, md.tab copies, scripts' outputs).

The model never does I/O; a command that must write or read a real file (``ufsdump f
/var/tmp/home1.dump``, ``ufsrestore tf ...``) goes through the invocation's ``FileAccess``.
The default resolves paths against the caller's working directory on this machine; the
harness swaps in one whose every operation is done by the calling client, as the driver, in
the driver's view (:class:`simulator.harness.runner.SandboxFiles`).

The operations are the port: ``open_write``/``open_read`` (a file object), ``exists``,
``kind`` (what is there: ``"dir"``, ``"file"``, ``"link"``, ``"other"``, or ``""``),
``unlink``, ``readlink``, and what ufsrestore's extraction does to a tree: ``mkdir``,
``rmdir``, ``chmod``, ``utime``, ``symlink``, ``rename``.  ``resolve`` gives a
:class:`~pathlib.Path` for callers that need one; in the harness its file operations are
the port's, and a path that reaches ``os`` directly is refused (nothing of the machine is
touched by a path the driver names).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class FileAccess:
    """Real files, resolved relative to the caller's cwd."""

    def resolve(self, path: str, cwd: str) -> Path:
        return Path(path if os.path.isabs(path) else os.path.join(cwd, path))

    def open_write(self, path: str, cwd: str) -> BinaryIO:
        return open(self.resolve(path, cwd), "wb")

    def open_read(self, path: str, cwd: str) -> BinaryIO:
        return open(self.resolve(path, cwd), "rb")

    def exists(self, path: str, cwd: str) -> bool:
        return self.kind(path, cwd) != ""

    def kind(self, path: str, cwd: str, follow: bool = True) -> str:
        """What is at ``path``: "dir", "file", "link" (only with ``follow=False``),
        "other", or "" when nothing is (or it cannot be looked at)."""
        try:
            st = os.stat(self.resolve(path, cwd), follow_symlinks=follow)
        except (OSError, ValueError):
            return ""
        return kind_of(st.st_mode)

    def unlink(self, path: str, cwd: str) -> None:
        os.unlink(self.resolve(path, cwd))

    def readlink(self, path: str, cwd: str) -> str:
        return os.readlink(self.resolve(path, cwd))

    def mkdir(self, path: str, cwd: str, mode: int = 0o777) -> None:
        os.mkdir(self.resolve(path, cwd), mode)

    def rmdir(self, path: str, cwd: str) -> None:
        os.rmdir(self.resolve(path, cwd))

    def chmod(self, path: str, cwd: str, mode: int) -> None:
        os.chmod(self.resolve(path, cwd), mode)

    def utime(self, path: str, cwd: str, when: float) -> None:
        """Set the access and modification times to ``when`` (epoch seconds)."""
        os.utime(self.resolve(path, cwd), (when, when))

    def symlink(self, target: str, path: str, cwd: str) -> None:
        """``path`` becomes a symbolic link whose text is ``target``."""
        os.symlink(target, self.resolve(path, cwd))

    def rename(self, old: str, new: str, cwd: str) -> None:
        os.rename(self.resolve(old, cwd), self.resolve(new, cwd))


def kind_of(mode: int) -> str:
    """``kind``'s word for an ``st_mode``."""
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "link" if stat.S_ISLNK(mode) else "other"
