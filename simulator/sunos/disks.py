"""Disk facts several SunOS programs print: geometry, inquiry data, paths, slice use.

One home for what ``format``, ``prtvtoc``, ``iostat -En`` and ``eeprom`` must agree on.

Geometry: the disk's own (``Disk.nhead`` x ``Disk.nsect``: a scenario's ``[[disk]] cylinder``
or ``heads``/``sectors``, else :func:`simulator.core.devices.fit_geometry` of its size; the
SUN72G format.dat geometry, 24 heads x 424 sectors, for a disk a builder adds without one),
the same cylinder libmeta's metagetstart rounds to in the model: one rule. The label holds the
whole cylinders of the disk (dk_geom ``dkg_ncyl`` = size / cylinder, at most 65533); a
remainder smaller than a cylinder is left out, as a real label leaves it. Two alternate
cylinders follow the data cylinders, as format.dat gives every SCSI disk (``acyl = 2``).

Inquiry data come from the disk's device ID (``id1,sd@S<vendor>_<product>_<serial>``, the
form devid_scsi_encode builds from the inquiry strings); revision ``0707`` is decided here.
Physical paths (decided, a Sun Fire V240 layout): ``cN`` is ``/pci@1c,600000/scsi@<2+N>``,
target (decimal in the name) and LUN the ``sd@t,l`` unit address (target in hex; ``disk@t,l``
for the PROM), an MPxIO WWN target ``/scsi_vhci/ssd@g<wwn>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.core.names import device_slice, device_unit, md_device, slice_device, split_slice
from simulator.lvm.md.records import Mirror, Stripe

if TYPE_CHECKING:
    from simulator.core.devices import Disk
    from simulator.host import Host

ALT_CYLINDERS = 2                       # format.dat: acyl = 2 for SCSI disks
MAX_CYLINDERS = 65535 - ALT_CYLINDERS   # dk_geom dkg_pcyl is an unsigned short
REVISION = "0707"
DEFAULT_VENDOR, DEFAULT_PRODUCT = "SEAGATE", "ST373307LSUN72G"
_DEVID = re.compile(r"^id1,s?sd@S(?P<vid>[^_]+)_(?P<pid>[^_]+)_(?P<serial>\S+)$")
_CTD = re.compile(r"^c(?P<c>\d+)(?:t(?P<t>[0-9A-F]+))?d(?P<d>\d+)$")
_WWN_TARGET = 16                        # targets this long are MPxIO WWNs, not SCSI ids

# vtoc.h partition tags and flags (V_ROOT, V_SWAP, ...; V_UNMNT)
V_UNASSIGNED, V_ROOT, V_SWAP, V_USR, V_BACKUP, V_VAR, V_HOME = 0, 2, 3, 4, 5, 7, 8
V_UNMNT = 0x01
_MOUNT_TAGS = {"/": V_ROOT, "/usr": V_USR, "/var": V_VAR, "/export/home": V_HOME,
               "/home": V_HOME}


@dataclass(frozen=True)
class Geometry:
    """A VTOC label's geometry (dk_geom): heads, sectors/track, data and alternate cylinders."""

    nhead: int
    nsect: int
    ncyl: int
    acyl: int = ALT_CYLINDERS

    @property
    def cylsize(self) -> int:
        return self.nhead * self.nsect

    @property
    def pcyl(self) -> int:
        return self.ncyl + self.acyl


def geometry(disk: Disk) -> Geometry:
    """The label geometry of ``disk``: its heads and sectors, its whole cylinders."""
    return Geometry(disk.nhead, disk.nsect,
                    min(disk.size // max(1, disk.cyl_blocks), MAX_CYLINDERS))


@dataclass(frozen=True)
class Inquiry:
    """SCSI inquiry strings as sd keeps them (vendor 8, product 16, revision 4 characters)."""

    vendor: str
    product: str
    revision: str
    serial: str


def inquiry(disk: Disk) -> Inquiry:
    m = _DEVID.match(disk.devid or "")
    if m is None:
        return Inquiry(DEFAULT_VENDOR, DEFAULT_PRODUCT, REVISION, disk.name.upper()[:16])
    return Inquiry(m.group("vid")[:8], m.group("pid")[:16], REVISION, m.group("serial")[:16])


def disk_key(name: str) -> tuple[int, int, int, str]:
    """Controller, target, LUN order (how devfsadm lists /dev/rdsk and sd instances go)."""
    m = _CTD.match(name)
    if m is None:
        return (1 << 30, 0, 0, name)
    target = m.group("t") or "0"
    number = int(target) if target.isdigit() else int(target, 16)   # a WWN is hex
    return (int(m.group("c")), number, int(m.group("d")), name)


def physical_path(name: str, prom: bool = False) -> str:
    """``/pci@1c,600000/scsi@2/sd@1,0`` for ``c0t1d0`` (``disk@1,0`` in PROM form)."""
    m = _CTD.match(name)
    if m is None:
        return f"/pseudo/{name}"
    node = "disk" if prom else "sd"
    target = m.group("t")
    if target is not None and len(target) >= _WWN_TARGET:
        return f"/scsi_vhci/{'disk' if prom else 'ssd'}@g{target.lower()}"
    if target is None:
        return f"/pci@1f,0/ide@d/{'disk' if prom else 'dad'}@{m.group('d')},0"
    return f"/pci@1c,600000/scsi@{2 + int(m.group('c'))}/{node}@{int(target):x}," \
           f"{m.group('d')}"


def slice_letter(number: int) -> str:
    """The minor name of a VTOC slice: ``a`` for slice 0 ... ``h`` for slice 7."""
    return chr(ord("a") + number)


def swap_devices(host: Host) -> list[str]:
    """The block devices /etc/vfstab swaps on (swapadd adds them at boot), in vfstab order."""
    out = []
    for line in host.fs.vfstab_text().splitlines():
        fields = line.split()
        if len(fields) >= 4 and not line.startswith("#") and fields[3] == "swap" \
                and fields[0].startswith("/dev/"):
            out.append(fields[0])
    return out


def slice_mount(host: Host, slice_name: str) -> str | None:
    """Where the data of ``slice_name`` is mounted: directly, or through the top metadevice
    it is a component of; ``swap`` for a swap slice."""
    if slice_device(slice_name) in swap_devices(host):
        return "swap"
    owner = host.md.component_owner(slice_name)
    if owner is None:
        return host.fs.mount_of(slice_device(slice_name))
    s, unit = owner
    while unit.parent is not None and unit.parent in s.units:
        unit = s.units[unit.parent]
    return host.fs.mount_of(md_device(s.display(unit.name)))


def slice_tag(host: Host, disk: Disk, number: int) -> tuple[int, int]:
    """(tag, flag) of a slice in the label: backup for slice 2, swap, root, usr, var, home
    by what is mounted from it, unassigned otherwise (decided: the installer's tags)."""
    if number == 2:
        return V_BACKUP, V_UNMNT
    where = slice_mount(host, disk.slice_name(number))
    if where == "swap":
        return V_SWAP, V_UNMNT
    return _MOUNT_TAGS.get(where or "", V_UNASSIGNED), 0


def direct_mounts(host: Host, disk: Disk) -> dict[int, str]:
    """Slices of ``disk`` named in /etc/mnttab or /etc/vfstab with a mount point, as
    prtvtoc's getmntpt finds them (a slice under a metadevice has none)."""
    out: dict[int, str] = {}
    entries = [(special, mp) for special, mp, _t, _o, _w in host.fs.mnttab_entries()]
    entries += [(fs.device, fs.mount) for fs in host.fs.vfstab_filesystems()]
    for special, mp in entries:
        name = device_slice(special)
        parsed = split_slice(name) if name is not None else None
        if parsed is None or parsed[0] != disk.name:
            continue
        out.setdefault(parsed[1], mp)
    return out


def root_mirror(host: Host) -> tuple[str, list[str]] | None:
    """The mirror ``/`` is mounted from and the first slice of each of its submirrors
    (in submirror order), or None when the root file system is not on a mirror."""
    unit = device_unit(host.fs.root().device)
    if unit is None or unit.setname not in host.md.sets:
        return None
    s = host.md.sets[unit.setname]
    m = s.units.get(unit.short)
    if not isinstance(m, Mirror):
        return None
    slices = []
    for slot in m.submirrors:
        sub = s.units.get(slot.name)
        if isinstance(sub, Stripe) and sub.rows:
            slices.append(sub.rows[0].components[0].name)
    return s.display(m.name), slices


def _on_disk(slice_name: str, disk: Disk) -> bool:
    parsed = split_slice(slice_name)
    return parsed is not None and parsed[0] == disk.name


def hard_errors(host: Host, disk: Disk) -> int:
    """Hard errors sd has counted on ``disk`` (decided): one per component on it that the md
    model holds in Maintenance or Last Erred, one per broken hot spare on it; a failed disk
    has at least one."""
    count = 0
    for _s, unit in host.md.all_units():
        if isinstance(unit, Stripe):
            count += sum(1 for c in unit.components if _on_disk(c.name, disk) and c.state.erred)
    for s in host.md.sets.values():
        for pool in s.hsps.values():
            count += sum(1 for sp in pool.spares
                         if _on_disk(sp.name, disk) and sp.status == "Broken")
    return max(count, 1) if disk.failed else count
