"""Which file system a ufsdump argument names (illumos ``usr/src/cmd/backup/dump/dumpfstab.c``).

mnttabread builds one table from the ufs entries of /etc/vfstab and then /etc/mnttab, each
marked mounted or not; mnttabsearch finds an entry by mount point, special or raw special
(or either without its leading ``/``), preferring a mounted one. The tables come from the
typed ``host.fs`` (:class:`simulator.ufs.filesystems.FileSystems`), the same model the
/etc/vfstab and /etc/mnttab texts are printed from.

rawname (dumpmain.c) is here beside its caller: the character device of a block device that
exists (open64 of the block device succeeds), any other name as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from simulator.core.names import device_slice, device_unit, raw_device, split_slice

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.ufs.filesystems import FileSystems


@dataclass(frozen=True)
class MountEntry:
    """One ufs line of /etc/vfstab or /etc/mnttab: special, mount point, mounted now
    (shared by every search of the same table: never changed)."""

    special: str
    mountp: str
    mounted: bool


def mnttabread(fs: FileSystems) -> list[MountEntry]:
    """The vfstab ufs entries (mounted when mnttab lists the same pair), then mnttab's."""
    return list(_table(fs).entries)


class _Table:
    """mnttabread's entries for one vfstab and mnttab, and for each key searched the
    entries it names (in order), each marked when only its raw special matched (which
    holds only while the block device exists: rawname, asked at each search)."""

    __slots__ = ("entries", "named")

    def __init__(self, vfstab: tuple[tuple[str, str], ...],
                 mnttab: tuple[tuple[str, str], ...]) -> None:
        mounted = set(mnttab)
        self.entries = tuple([MountEntry(s, m, (s, m) in mounted) for s, m in vfstab]
                             + [MountEntry(s, m, True) for s, m in mnttab])
        self.named: dict[str, tuple[tuple[MountEntry, bool], ...]] = {}

    def candidates(self, key: str) -> tuple[tuple[MountEntry, bool], ...]:
        found = self.named.get(key)
        if found is None:
            relative = not key.startswith("/")
            out = []
            for mnt in self.entries:
                special = mnt.special
                plain = key == mnt.mountp or key == special or (
                    relative and (special[1:] == key or mnt.mountp[1:] == key))
                if plain or key == raw_device(special):
                    out.append((mnt, not plain))
            found = tuple(out)
            if len(self.named) >= _NAMED_KEEP:
                self.named.clear()
            self.named[key] = found
        return found


# The tables by what they are made of (vfstab's ufs pairs, and mnttab's by
# ``FileSystems.mnttab_inputs``: equal inputs give the same table, whichever host they are
# of): rendering mnttab is the dearest part of finding a dump's file system, and a host
# built from a scenario has the tables of every other built from it. A few are kept.
_MNTTAB_UFS: dict[tuple[object, ...], tuple[tuple[str, str], ...]] = {}
_MNTTAB_KEEP = 16
_NAMED_KEEP = 64


def mnttab_ufs(fs: FileSystems) -> tuple[tuple[str, str], ...]:
    """(special, mount point) of each ufs line of /etc/mnttab, in order."""
    fs.root()                     # made before the inputs are read (mnttab_entries makes it)
    key = fs.mnttab_inputs()
    pairs = _MNTTAB_UFS.get(key)
    if pairs is None:
        pairs = tuple((special, mountp) for special, mountp, fstype, _opts, _time
                      in fs.mnttab_entries() if fstype == "ufs")
        if len(_MNTTAB_UFS) >= _MNTTAB_KEEP:
            _MNTTAB_UFS.clear()
        _MNTTAB_UFS[key] = pairs
    return pairs


def _table(fs: FileSystems) -> _Table:
    return _table_of(tuple([(f.device, f.mount) for f in fs.vfstab_filesystems()]),
                     mnttab_ufs(fs))


@lru_cache(maxsize=_MNTTAB_KEEP)
def _table_of(vfstab: tuple[tuple[str, str], ...],
              mnttab: tuple[tuple[str, str], ...]) -> _Table:
    return _Table(vfstab, mnttab)


def mnttabsearch(host: Host, key: str, mounted: bool = False) -> MountEntry | None:
    """The entry ``key`` names: a mounted one first, else (unless ``mounted``) the first.
    An entry matches by mount point or special (or either without its leading ``/`` for a
    relative key), or by the raw special when the key is the special's raw name: rawname
    asks whether the block device exists, which no other match needs."""
    first = None
    for mnt, raw_only in _table(host.fs).candidates(key):
        if raw_only and key != rawname(host, mnt.special):
            continue
        if mnt.mounted:
            return mnt
        if first is None:
            first = mnt
    return None if mounted else first


def rawname(host: Host, path: str) -> str:
    """dumpmain.c rawname: an existing block device's character device, else ``path``."""
    raw = raw_device(path)
    return raw if raw != path and device_exists(host, path) else path


def device_exists(host: Host, path: str) -> bool:
    """A ``/dev/md/[set/][r]dsk/dN`` of an existing metadevice, or a ``/dev/[r]dsk`` slice
    of an existing disk: the device nodes devfsadm makes (``d010`` has none)."""
    unit = device_unit(path)
    if unit is not None:
        mdset = host.md.sets.get(unit.setname)
        return mdset is not None and path.rsplit("/", 1)[1] in mdset.units
    name = device_slice(path)
    parsed = split_slice(name) if name is not None else None
    if parsed is None:
        return False
    disk = host.disks.get(parsed[0])
    return disk is not None and parsed[1] in disk.slices
