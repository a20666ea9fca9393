"""The image ``dd`` makes of a raw device: a small, self-describing stand-in for its bytes.

A real ``dd if=/dev/md/rdsk/d22 of=/backup/orders.img`` copies every byte of the volume;
svmsim models the content of a volume (a database's writes, a UFS image) by digest, so the
image it writes holds what was copied, not the copy (a 2 TB volume costs a few hundred
bytes). The layout (text, UTF-8)::

    svmsim-raw-image 1
    {"device": "/dev/md/rdsk/d22", "size": 21474836480, "copied": 21474836480, ...}

The header (:class:`RawHeader`) says which device was read, its size and how much of it was
copied (a ``count=`` or a failure cuts a copy short), the content read (``kind``: a
database's, a UFS's, or nothing the model knows), its digest, whether that content stayed
the same while it was read (a point-in-time copy: a detached submirror, or a volume nothing
wrote to meanwhile), whether a database was quiesced at that point (else the copy is
crash-consistent: usable after the database's own log recovery, as after a power cut), how
many input blocks were unreadable and zero-filled (``conv=noerror``), when, and from which
host. :func:`verify_image` is what a site's restore test would find.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from simulator.core.errors import Error

MAGIC = "svmsim-raw-image"
VERSION = 1


class RawImageError(Error):
    """The bytes are not an svmsim raw image."""


@dataclass
class RawHeader:
    """What a dd of a raw device copied (see the module docstring)."""

    device: str
    size: int                  # the device's size, in bytes
    copied: int                # bytes copied from its start (after skip=)
    skipped: int = 0           # bytes skipped at its start (skip=, iseek=)
    kind: str = "none"         # "database", "ufs" or "none"
    content: str = ""          # the database's or UFS's name / device
    digest: str = ""
    writes: int = 0            # a database's writes the copy holds
    consistent: bool = True    # nothing changed the content while it was read
    quiesced: bool = True      # a database's copy: it was quiesced (or idle) at that point
    zero_filled: int = 0       # input blocks unreadable and zero-filled (conv=noerror)
    date: float = 0.0
    host: str = ""

    @property
    def whole(self) -> bool:
        """Every byte of the device, from its first, is in the image."""
        return self.skipped == 0 and self.copied >= self.size

    def to_bytes(self) -> bytes:
        return f"{MAGIC} {VERSION}\n{json.dumps(asdict(self), sort_keys=True)}\n".encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> RawHeader:
        lines = data.split(b"\n", 2)
        if len(lines) < 2 or lines[0] != f"{MAGIC} {VERSION}".encode():
            raise RawImageError("not an svmsim raw image")
        try:
            fields: dict[str, Any] = json.loads(lines[1])
            return cls(**fields)
        except (ValueError, TypeError) as e:
            raise RawImageError(f"damaged raw image header: {e}") from e


def is_raw_image(data: bytes) -> bool:
    return data.startswith(f"{MAGIC} ".encode())


@dataclass
class RawVerdict:
    """Is a raw image a usable backup? ``problems`` says why not (empty: usable)."""

    header: RawHeader
    problems: list[str]

    @property
    def usable(self) -> bool:
        return not self.problems


def verify_image(header: RawHeader) -> RawVerdict:
    """What restoring the image would give: the whole device, no zero-filled blocks, and a
    point-in-time content (a volume copied while a database wrote to it holds blocks of
    different moments: no recovery makes that whole). A database copy split off while it
    was not quiesced is crash-consistent, which its own recovery handles: not a problem."""
    problems = []
    if not header.whole:
        problems.append(f"incomplete: {header.copied} of {header.size} bytes of "
                        f"{header.device}" + (f" (from byte {header.skipped})"
                                              if header.skipped else ""))
    if header.zero_filled:
        problems.append(f"{header.zero_filled} unreadable block(s) of {header.device} "
                        "zero-filled")
    if not header.consistent:
        what = f"database {header.content}" if header.kind == "database" else header.device
        problems.append(f"{what} changed while it was copied: not a point-in-time copy")
    return RawVerdict(header, problems)
