"""Backup media: tape drives, their cartridges, and the medium a dump goes to or comes from.

A drive (``/dev/rmt/N``, st(7D)) holds the stack of cartridges an operator would feed it,
each with the dump files written on it; :class:`Medium` is what ufsdump writes to and
ufsrestore reads from: a tape, a file, a pipe (standard output or input), ``/dev/null``, or
ufsrestore's ``a`` archive file. :func:`open_tape` is open(2) of a tape name, with the errno
both programs print (``perror``-style, through :mod:`simulator.core.strerror`).

Tape names follow the one grammar in :mod:`simulator.core.names` (``TAPE_RE``): the unit
number, then the optional density, BSD and no-rewind letters.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol

from simulator.core.names import TAPE_RE
from simulator.core.strerror import SysError

DEFAULT_TAPE = "/dev/rmt/0"                  # DEFTAPE
DEFAULT_TAPE_CAPACITY = 400 * 2 ** 30 // 512   # an LTO-3 cartridge, in 512-byte blocks
DEFAULT_TAPE_RATE = 40960.0                  # KB/s a tape drive streams at (LTO-3: ~40 MB/s)


class TapeConfig(Protocol):
    """A scenario's ``[[tape]]`` (``simulator.scenario.TapeSpec``), as ``add_tape`` takes it."""

    @property
    def device(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def rate_kbs(self) -> float | None: ...
    @property
    def cartridges(self) -> int: ...


class TapeFile:
    """One dump file on a cartridge: the archive text and the modelled blocks it fills.

    The text may be given as a function that makes it: ufsdump puts a volume's archive on
    the tape as it finishes the volume, and nothing reads it back in most runs, so the
    archive is serialized when first read (``text``), once. A function given must be pure
    (the archive it renders is fixed when the tape file is written)."""

    __slots__ = ("_text", "_render", "blocks")

    def __init__(self, text: str | Callable[[], str], blocks: int) -> None:
        self._text: str | None = None
        self._render: Callable[[], str] | None = None
        self.rewrite(text)
        self.blocks = blocks

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._render is not None
            self._text = self._render()
            self._render = None
        return self._text

    def pending(self) -> Callable[[], str] | None:
        """The function that will make the text, while it has not been made (None once
        it has, or when the text was given)."""
        return self._render

    def rewrite(self, text: str | Callable[[], str]) -> None:
        """Replace the file's contents (ufsdump rewriting a volume's archive at the end)."""
        self._text = text if isinstance(text, str) else None
        self._render = None if isinstance(text, str) else text

    def __repr__(self) -> str:
        return f"TapeFile(<{'text' if self._text is not None else 'unread'}>, {self.blocks})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TapeFile) and (self.text, self.blocks) == \
            (other.text, other.blocks)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """Compressed: a dump of a big file system lists every file, and the state is
        read and written by every fake command."""
        packed = base64.b64encode(zlib.compress(self.text.encode(), 6)).decode()
        return {"z": packed, "blocks": self.blocks}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TapeFile:
        if "z" in d:
            text = zlib.decompress(base64.b64decode(d["z"])).decode()
        else:
            text = str(d["text"])
        return cls(text, int(d["blocks"]))


@dataclass
class Cartridge:
    """A tape cartridge: its capacity (512-byte blocks) and the files written on it."""

    capacity: int
    files: list[TapeFile] = field(default_factory=list)
    write_protected: bool = False

    def used_before(self, fileno: int) -> int:
        return sum(f.blocks for f in self.files[:fileno])

    def to_dict(self) -> dict[str, Any]:
        return {"capacity": self.capacity, "files": [f.to_dict() for f in self.files],
                "write_protected": self.write_protected}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cartridge:
        return cls(int(d["capacity"]), [TapeFile.from_dict(f) for f in d.get("files", [])],
                   bool(d.get("write_protected", False)))


@dataclass
class TapeDrive:
    """``/dev/rmt/N``: a drive, the cartridge loaded (index into the operator's stack) and
    the tape file the head is at. Mounting the next volume loads a fresh cartridge."""

    device: str
    capacity: int
    rate_kbs: float = DEFAULT_TAPE_RATE
    cartridges: list[Cartridge] = field(default_factory=list)
    loaded: int = 0               # -1: no cartridge in the drive
    position: int = 0             # tape file number under the head

    @property
    def cartridge(self) -> Cartridge | None:
        if 0 <= self.loaded < len(self.cartridges):
            return self.cartridges[self.loaded]
        return None

    def load_next(self) -> Cartridge:
        """The operator mounts the next volume (a blank cartridge unless one is stacked)."""
        self.loaded = max(self.loaded, -1) + 1
        while len(self.cartridges) <= self.loaded:
            self.cartridges.append(Cartridge(self.capacity))
        self.position = 0
        return self.cartridges[self.loaded]

    def rewind(self) -> None:
        self.position = 0

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device, "capacity": self.capacity, "rate_kbs": self.rate_kbs,
                "cartridges": [c.to_dict() for c in self.cartridges], "loaded": self.loaded,
                "position": self.position}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TapeDrive:
        return cls(str(d["device"]), int(d["capacity"]),
                   float(d.get("rate_kbs", DEFAULT_TAPE_RATE)),
                   [Cartridge.from_dict(c) for c in d.get("cartridges", [])],
                   int(d.get("loaded", 0)), int(d.get("position", 0)))


# a pure function of an immutable name, asked of the same few names again and again (a dump
# asks it three times of its output): the answers (a tuple or None) of the names asked
# most recently are kept, as core/names.py keeps its parsers'
@lru_cache(maxsize=64)
def tape_unit(device: str) -> tuple[str, bool] | None:
    """``/dev/rmt/0cbn`` -> (``/dev/rmt/0``, no-rewind True); None if not a tape name.

    The unit keeps its digits as written: ``/dev/rmt/00`` is no name of ``/dev/rmt/0``
    (devfsadm makes no such link)."""
    m = TAPE_RE.match(device)
    if m is None:
        return None
    return m.group(1) + m.group(2), bool(m.group(5))


MediumKind = Literal["tape", "file", "pipe", "null", "archive"]


@dataclass
class Medium:
    """Where a dump goes or comes from: ``kind`` says which, ``path`` is the name given
    (``standard output`` for ufsdump's ``f -``); a tape carries its drive and whether the
    name was a no-rewind one."""

    kind: MediumKind
    path: str
    drive: TapeDrive | None = None
    norewind: bool = False

    @property
    def is_tape(self) -> bool:
        return self.kind == "tape"


def open_tape(drive: TapeDrive | None, device: str, write: bool) -> Medium:
    """open(2) of the tape name ``device`` whose drive is ``drive`` (None: no such drive).

    :class:`SysError` ``ENOENT`` when the drive does not exist, ``EIO`` when it holds no
    cartridge, ``EACCES`` when writing to a write-protected one (st(7D))."""
    unit = tape_unit(device)
    if unit is None or drive is None:
        raise SysError("ENOENT")
    cart = drive.cartridge
    if cart is None:
        raise SysError("EIO")
    if write and cart.write_protected:
        raise SysError("EACCES")
    return Medium("tape", device, drive, unit[1])
