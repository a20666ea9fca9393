"""Solaris strerror(3C) texts, once (illumos usr/src/lib/libc/port/gen/errlst.c).

Fake programs never print Python's or Linux's wording: an ``OSError`` from a real file the
driver named goes through :func:`oserror_text`, which gives the Solaris text for its errno
(Linux says "Operation not permitted" where Solaris says "Not owner"). :class:`SysError` is
a failed system call inside the model, carrying the errno name.
"""

from __future__ import annotations

import errno as _errno

from simulator.core.errors import Error

TEXTS: dict[str, str] = {
    "EPERM": "Not owner",
    "ENOENT": "No such file or directory",
    "ESRCH": "No such process",
    "EINTR": "Interrupted system call",
    "EIO": "I/O error",
    "ENXIO": "No such device or address",
    "E2BIG": "Arg list too long",
    "EBADF": "Bad file number",
    "EAGAIN": "Resource temporarily unavailable",
    "ENOMEM": "Not enough space",
    "EACCES": "Permission denied",
    "EFAULT": "Bad address",
    "EBUSY": "Device busy",
    "EEXIST": "File exists",
    "EXDEV": "Cross-device link",
    "ENODEV": "No such device",
    "ENOTDIR": "Not a directory",
    "EISDIR": "Is a directory",
    "EINVAL": "Invalid argument",
    "ENFILE": "File table overflow",
    "EMFILE": "Too many open files",
    "ENOTTY": "Inappropriate ioctl for device",
    "EFBIG": "File too large",
    "ENOSPC": "No space left on device",
    "ESPIPE": "Illegal seek",
    "EROFS": "Read-only file system",
    "EMLINK": "Too many links",
    "EPIPE": "Broken pipe",
    "EDEADLK": "Deadlock situation detected/avoided",
    "ENAMETOOLONG": "File name too long",
    "ELOOP": ("Number of symbolic links encountered during path name traversal "
              "exceeds MAXSYMLINKS"),
    "ENOTEMPTY": "Directory not empty",
    "EDQUOT": "Disc quota exceeded",
}


def strerror(name: str) -> str:
    """The Solaris text for an errno name (``"EBUSY"`` -> ``"Device busy"``)."""
    return TEXTS.get(name, name)


def oserror_text(e: OSError) -> str:
    """The Solaris text for an OSError raised by this (Linux) machine."""
    name = _errno.errorcode.get(e.errno or 0)
    if name in TEXTS:
        return TEXTS[name]
    return e.strerror or TEXTS["EIO"]


class SysError(Error):
    """A system call failed in the model: ``errno`` (``"EBUSY"``) and its Solaris text."""

    def __init__(self, errno: str) -> None:
        super().__init__(strerror(errno))
        self.errno = errno
        self.text = strerror(errno)


ENOENT = TEXTS["ENOENT"]
EIO = TEXTS["EIO"]
EACCES = TEXTS["EACCES"]
EPERM = TEXTS["EPERM"]
EBUSY = TEXTS["EBUSY"]
ENOTTY = TEXTS["ENOTTY"]
