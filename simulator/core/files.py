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

import io
import os
import stat
from pathlib import Path, PosixPath
from typing import Any, BinaryIO


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


# the FileAccess of this machine's own files (it keeps no state: one serves every command)
LOCAL_FILES = FileAccess()


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A small file's bytes by plain system calls (no file object): the harness reads a few
    /proc files and the view's md.tab for every fake call, and opening a file object costs
    more than the read itself."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def kind_of(mode: int) -> str:
    """``kind``'s word for an ``st_mode``."""
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "link" if stat.S_ISLNK(mode) else "other"


class AccessPath(PosixPath):
    """A path whose file operations are a :class:`FileAccess`'s, never this machine's.

    What ``FileAccess.resolve`` gives when the files are not the machine's: the harness's
    driver view (every operation done by the shim client) and the lab's in-memory host.
    ``os.fspath`` raises, so a caller that would reach ``os`` directly fails loudly (an
    internal error) instead of touching the machine running svmsim."""

    access: FileAccess

    def __fspath__(self) -> str:
        raise PermissionError(f"svmsim: the path {str(self)!r} is the simulated host's, "
                              "reached only through its file access, never as a path of "
                              "this machine")

    def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        if parents:
            raise ValueError("svmsim: mkdir(parents=True) of a simulated host's path is not "
                             "simulated")
        try:
            self.access.mkdir(str(self), "/", mode)
        except FileExistsError:
            if not exist_ok or not self.is_dir():
                raise

    def exists(self) -> bool:
        return self.access.kind(str(self), "/") != ""

    def is_dir(self) -> bool:
        return self.access.kind(str(self), "/") == "dir"

    def is_file(self) -> bool:
        return self.access.kind(str(self), "/") == "file"

    def is_symlink(self) -> bool:
        return self.access.kind(str(self), "/", follow=False) == "link"

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.access.unlink(str(self), "/")
        except FileNotFoundError:
            if not missing_ok:
                raise

    def readlink(self) -> AccessPath:
        return type(self)(self.access.readlink(str(self), "/"))

    def open(self, mode: str = "r", buffering: int = -1, encoding: str | None = None,
             errors: str | None = None, newline: str | None = None) -> Any:
        if mode.strip("bt") not in ("r", "w"):
            raise ValueError(f"svmsim: opening a simulated host's file with mode {mode!r} is not"
                             " simulated")
        raw = (self.access.open_read if mode.startswith("r") else self.access.open_write)(
            str(self), "/")
        if "b" in mode:
            return raw
        return io.TextIOWrapper(raw, encoding=encoding or "utf-8", errors=errors,
                                newline=newline)

    def read_bytes(self) -> bytes:
        with self.access.open_read(str(self), "/") as f:
            return f.read()

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def write_bytes(self, data: Any) -> int:
        with self.access.open_write(str(self), "/") as f:
            return f.write(bytes(data))

    def write_text(self, data: str, encoding: str | None = None, errors: str | None = None,
                   newline: str | None = None) -> int:
        self.write_bytes(data.encode(encoding or "utf-8", errors or "strict"))
        return len(data)


def access_path_type(access: FileAccess, name: str = "AccessPath") -> type[AccessPath]:
    """A subclass of :class:`AccessPath` bound to ``access`` (``resolve`` returns these)."""
    return type(name, (AccessPath,), {"access": access})
