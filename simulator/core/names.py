"""The Solaris device grammar, once: disk, slice, DID, metadevice and hot spare pool names,
their ``/dev`` paths, tape names, and raw <-> block.

Every module that reads or writes a device name goes through here (model, scenario, programs,
fronts); none keeps a regular expression of its own. What the grammar accepts:

- a disk ``cXtYdZ`` or ``cXdZ`` (no target on IDE/ATA); the target may be an MPxIO WWN in
  upper-case hex (``c5t600A0B80002929FC0000842E5251EE71d0s7``, as in the metadb output quoted by
  centreon-plugins os/solaris/local/mode/svmdisks.pm; /dev/dsk names are made by devfsadm's
  disk_link.c from the WWN in upper case, so lower case never appears);
- a slice: a disk and ``s0``..``s7`` (VTOC; illumos uts/common/sys/vtoc.h V_NUMPAR is 8);
- a Sun Cluster DID slice ``dNsM`` (``/dev/did/[r]dsk``), legal components in disksets;
- a metadevice ``dN`` and a hot spare pool ``hspNNN``, either with an optional ``set/`` prefix
  (libmeta meta_name.c: ``is_metaname``/``is_hspname``); ``dN``'s number is a decimal
  ``%lu`` (``d010`` is unit 10, as sscanf reads it in meta_name.c parse_mdname);
- their paths: ``/dev/dsk/…``, ``/dev/rdsk/…``, ``/dev/md/[set/]dsk/dN``,
  ``/dev/md/[set/]rdsk/dN``, ``/dev/did/[r]dsk/…``;
- tapes ``/dev/rmt/N`` with the density letter ``l m h c u``, ``b`` (BSD) and ``n`` (no rewind)
  suffixes in that order (st(7D)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_DISK = r"c\d+(?:t[0-9A-F]+)?d\d+"
_SET = r"[A-Za-z0-9_.-]+"

DISK_RE = re.compile(rf"^{_DISK}$")
SLICE_RE = re.compile(rf"^(?P<disk>{_DISK})s(?P<slice>[0-7])$")
DID_SLICE_RE = re.compile(r"^(?P<disk>d\d+)s(?P<slice>[0-7])$")
UNIT_RE = re.compile(rf"^(?:(?P<set>{_SET})/)?d(?P<num>\d+)$")
HSP_RE = re.compile(rf"^(?:(?P<set>{_SET})/)?hsp(?P<num>\d{{3}})$")
LOCAL_UNIT_RE = re.compile(r"^d\d+$")           # a metadevice of the local set
LOCAL_HSP_RE = re.compile(r"^hsp\d{3}$")        # a hot spare pool of the local set
MD_DEVICE_RE = re.compile(rf"^/dev/md/(?:(?P<set>{_SET})/)?(?P<raw>r?)dsk/(?P<unit>d\d+)$")
SLICE_DEVICE_RE = re.compile(rf"^/dev/(?P<raw>r?)dsk/(?P<slice>{_DISK}s[0-7])$")
DID_DEVICE_RE = re.compile(r"^/dev/did/(?P<raw>r?)dsk/(?P<slice>d\d+s[0-7])$")
# a host name: what the scenario format and a saved state accept (uname -n, RFC 1123 letters)
HOSTNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,254})$")
TAPE_RE = re.compile(r"^(/dev/rmt/)(\d+)([lmhcu]?)(b?)(n?)$")

_SLICE_PREFIXES = ("/dev/dsk/", "/dev/rdsk/", "/dev/did/dsk/", "/dev/did/rdsk/")

# The parsers below are pure functions of an immutable string, asked of the same few names
# again and again (each command resolves its operands, each open check and lookup of the md
# driver parses the name it is given: ~50 parses per backup procedure); their answers
# (immutable: a string, a tuple, a frozen UnitName, None) are kept for the names asked most
# recently. Nothing can make a kept answer stale. Bounded (64), so 8,192 metadevices' names
# do not stay.
_PARSED = 64


def is_disk(name: str) -> bool:
    """``c1t0d0`` (a disk, not a slice)."""
    return DISK_RE.match(name) is not None


def is_slice(name: str) -> bool:
    """``c1t0d0s3`` or a DID slice ``d4s0``."""
    return split_slice(name) is not None


@lru_cache(maxsize=_PARSED)
def split_slice(name: str) -> tuple[str, int] | None:
    """``c1t0d0s3`` -> (``c1t0d0``, 3); None when it is not a slice name."""
    m = SLICE_RE.match(name) or DID_SLICE_RE.match(name)
    if not m:
        return None
    return m.group("disk"), int(m.group("slice"))


def short_name(name: str) -> str:
    """``/dev/dsk/c1t0d0s0`` or ``/dev/rdsk/c1t0d0s0`` -> ``c1t0d0s0`` (others unchanged)."""
    for prefix in _SLICE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@dataclass(frozen=True)
class UnitName:
    """A metadevice name: its set (``""`` for the local set) and unit number."""

    setname: str
    number: int

    @property
    def short(self) -> str:
        """``d10`` (without the set)."""
        return f"d{self.number}"

    def __str__(self) -> str:
        return f"{self.setname}/d{self.number}" if self.setname else f"d{self.number}"


@lru_cache(maxsize=_PARSED)
def parse_unit(name: str) -> UnitName | None:
    """``d10``, ``blue/d10``, ``/dev/md/dsk/d10``, ``/dev/md/blue/rdsk/d10`` -> a UnitName;
    None when ``name`` is not a metadevice name. ``d010`` is unit 10 (meta_name.c)."""
    m = MD_DEVICE_RE.match(name)
    if m:
        return UnitName(m.group("set") or "", int(m.group("unit")[1:]))
    m = UNIT_RE.match(name)
    if m:
        return UnitName(m.group("set") or "", int(m.group("num")))
    return None


def is_unit(name: str) -> bool:
    """A metadevice name in any of the forms :func:`parse_unit` takes."""
    return parse_unit(name) is not None


@lru_cache(maxsize=_PARSED)
def parse_hsp(name: str) -> tuple[str, str] | None:
    """``hsp001`` or ``blue/hsp001`` -> (set, ``hsp001``); None otherwise."""
    m = HSP_RE.match(name)
    if not m:
        return None
    return m.group("set") or "", f"hsp{m.group('num')}"


def md_device(unit: str, raw: bool = False) -> str:
    """``d1`` -> ``/dev/md/dsk/d1``; ``blue/d1`` -> ``/dev/md/blue/dsk/d1``; ``raw`` gives rdsk."""
    setname, _, short = unit.rpartition("/")
    kind = "rdsk" if raw else "dsk"
    return f"/dev/md/{setname}/{kind}/{short}" if setname else f"/dev/md/{kind}/{short}"


def slice_device(slice_name: str, raw: bool = False) -> str:
    """``c1t0d0s0`` -> ``/dev/dsk/c1t0d0s0`` (``raw``: ``/dev/rdsk/...``)."""
    return f"/dev/{'rdsk' if raw else 'dsk'}/{slice_name}"


@lru_cache(maxsize=_PARSED)
def block_device(device: str) -> str:
    """The block device a name stands for: ``d1`` and ``/dev/md/rdsk/d1`` ->
    ``/dev/md/dsk/d1``; ``c1t0d0s0`` and ``/dev/rdsk/c1t0d0s0`` -> ``/dev/dsk/c1t0d0s0``;
    any other path unchanged."""
    if UNIT_RE.match(device):
        return md_device(device)
    if SLICE_RE.match(device):
        return slice_device(device)
    return _swap(device, "rdsk", "dsk")


@lru_cache(maxsize=_PARSED)
def raw_device(device: str) -> str:
    """The character device of a block device (``/dev/md/dsk/d1`` -> ``/dev/md/rdsk/d1``,
    ``/dev/dsk/c1t0d0s0`` -> ``/dev/rdsk/c1t0d0s0``); anything else unchanged, as dumpmain.c
    ``rawname`` and fsck's ``rawname`` rename only block devices."""
    return _swap(device, "dsk", "rdsk")


def _swap(path: str, old: str, new: str) -> str:
    if not path.startswith("/dev/"):
        return path
    parts = path.split("/")
    if old in parts[2:-1]:
        parts[parts.index(old, 2)] = new
        return "/".join(parts)
    return path


def is_raw(device: str) -> bool:
    """A character-device path (``/dev/rdsk/…``, ``/dev/md/[set/]rdsk/…``)."""
    return device.startswith("/dev/") and "rdsk" in device.split("/")[2:-1]


@lru_cache(maxsize=_PARSED)
def device_unit(device: str) -> UnitName | None:
    """The metadevice a ``/dev/md`` path names (None for other paths)."""
    m = MD_DEVICE_RE.match(device)
    return UnitName(m.group("set") or "", int(m.group("unit")[1:])) if m else None


def device_slice(device: str) -> str | None:
    """The slice a ``/dev/[r]dsk`` or ``/dev/did/[r]dsk`` path names (None otherwise)."""
    m = SLICE_DEVICE_RE.match(device) or DID_DEVICE_RE.match(device)
    return m.group("slice") if m else None


def split_tape(device: str) -> tuple[str, int, str, str, str] | None:
    """``/dev/rmt/0cbn`` -> (``/dev/rmt/``, 0, ``c``, ``b``, ``n``); None when not a tape."""
    m = TAPE_RE.match(device)
    if not m:
        return None
    return m.group(1), int(m.group(2)), m.group(3), m.group(4), m.group(5)


def is_tape(device: str) -> bool:
    return TAPE_RE.match(device) is not None
