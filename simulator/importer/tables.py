"""``/etc/vfstab``, ``/etc/mnttab`` and ``df -k``: the UFS file systems and their use.

vfstab(4): seven blank-separated fields (device to mount, device to fsck, mount point,
FS type, fsck pass, mount at boot, mount options; ``-`` for none), ``#`` comments.
mnttab(4): five tab-separated fields (special, mount point, type, options, time): what is
mounted now. df(1M) -k (usr/src/cmd/fs.d/df.c): ``Filesystem kbytes used avail capacity
Mounted on``; a special too long for its column puts the numbers on the next line.
Only UFS on a metadevice or slice is imported; swap, NFS and the pseudo file systems are
the host's own business.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.names import MD_DEVICE_RE, SLICE_DEVICE_RE
from simulator.importer.captures import Capture


@dataclass
class Mount:
    device: str                # /dev/md/dsk/d10
    mount: str
    options: str               # as written ("" for "-")
    in_vfstab: bool = False
    mounted: bool = False
    mnt_options: str = ""      # mnttab's options, when mounted


def _local_block_device(dev: str) -> bool:
    m = MD_DEVICE_RE.match(dev)
    if m is not None:
        return m.group("set") is None and "/rdsk/" not in dev
    return SLICE_DEVICE_RE.match(dev) is not None and dev.startswith("/dev/dsk/")


def parse_vfstab(cap: Capture) -> list[Mount]:
    out = []
    for line in cap.lines():
        fields = line.split()
        if len(fields) != 7 or fields[0].startswith("#") or fields[3] != "ufs":
            continue
        if not _local_block_device(fields[0]):
            continue
        out.append(Mount(fields[0], fields[2], "" if fields[6] == "-" else fields[6],
                         in_vfstab=True))
    return out


def parse_mnttab(cap: Capture) -> list[Mount]:
    out = []
    for line in cap.lines():
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 4 or fields[2] != "ufs" or not _local_block_device(fields[0]):
            continue
        out.append(Mount(fields[0], fields[1], "", mounted=True, mnt_options=fields[3]))
    return out


def parse_df(cap: Capture) -> dict[str, tuple[int, int]]:
    """Mount point -> (kilobytes, kilobytes used)."""
    out: dict[str, tuple[int, int]] = {}
    pending: list[str] = []
    for line in cap.lines()[1:]:
        fields = pending + line.split()
        if len(fields) == 1:
            pending = fields
            continue
        pending = []
        if len(fields) >= 6 and fields[1].isdigit() and fields[2].isdigit():
            out[fields[5]] = (int(fields[1]), int(fields[2]))
    return out
