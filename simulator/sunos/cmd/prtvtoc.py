"""prtvtoc(1M): a disk's VTOC (usr/src/cmd/prtvtoc/prtvtoc.c, the Solaris 10 revision).

Hand-written to match prtvtoc.c byte for byte: puttable's header block (``* <dev> partition
map``, Dimensions with ``* %7u`` bytes/sector, sectors/track, tracks/cylinder,
sectors/cylinder, cylinders, accessible cylinders; the Flags legend), the ``Unallocated
space`` block when findfree finds a gap (``*   %9llu %9llu %9llu``; slice 2, the backup tag,
does not count), the column header and one ``      %2u  %5u    %02x  %9llu %9llu %9llu`` row
per non-empty slice with its mount point from /etc/mnttab or /etc/vfstab (getmntpt: only a
slice mounted directly, not one under a metadevice). ``-h`` omits the headers, ``-s`` all but
the column header, ``-f`` prints putfree's ``FREE_START=... FREE_PART=...`` line. Errors are
warn()'s ``prtvtoc: <name>: <why>`` and the exit status is 1 when any device failed; a bad
option or no operand prints the usage, exit 1.

Geometry, tags and flags come from :mod:`simulator.sunos.disks`. A metadevice's fake VTOC
(md's DKIOCGVTOC) is not simulated; a failed disk answers ``I/O error`` (decided).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import sun_getopt
from simulator.core.names import device_slice, device_unit, raw_device, split_slice
from simulator.core.strerror import strerror
from simulator.sunos.disks import V_BACKUP, direct_mounts, geometry, slice_tag

NAME = "prtvtoc"
SECTOR_SIZE = 512


COVERAGE = Coverage(
    source=("usr/src/cmd/prtvtoc/prtvtoc.c",),
    getopt=("fhst:m:",),
    options=(
        "-h: no headers",
        "-s: no headers but the column header",
        "-f: the free space line (FREE_START=...)",
        "rawdisk: each disk's VTOC",
    ),
    not_simulated=(
        "-t fstab and -m mnttab: read, with no effect (the host's tables are used)",
        "a metadevice's VTOC: 'svmsim: prtvtoc of a metadevice (<dN>): not simulated'",
    ),
    messages=(
        "Usage:\t<prog> [ -fhs ] [ -t fstab ] [ -m mnttab ] rawdisk ...",
        "<prog>: <name>: <strerror>",
        "svmsim: prtvtoc of a metadevice (<name>): not simulated",
    ),
)


def usage(inv: Invocation) -> int:
    inv.err(f"Usage:\t{inv.prog} [ -fhs ] [ -t fstab ] [ -m mnttab ] rawdisk ...")
    return 1


def _warn(inv: Invocation, what: str, why: str) -> int:
    inv.err(f"{inv.prog}: {what}: {why}")
    return 1


def findfree(parts: list[tuple[int, int, int]], fullsize: int) -> list[tuple[int, int]]:
    """prtvtoc.c findfree over (start, size, tag) slices: [(first sector, count)]."""
    used = sorted((start, size) for start, size, tag in parts if size and tag != V_BACKUP)
    free: list[tuple[int, int]] = []
    start = 0
    for p_start, p_size in used:
        if p_start <= start:
            start += p_size
        else:
            free.append((start, p_start - start))
            start = p_start + p_size
    if start < fullsize:
        free.append((start, fullsize - start))
    return free


def prtvtoc(inv: Invocation, devname: str, flags: set[str]) -> int:
    name = raw_device(devname) if devname.startswith("/dev/") else devname
    if device_unit(name) is not None:
        inv.err(f"svmsim: prtvtoc of a metadevice ({name}): not simulated")
        return 1
    parsed = split_slice(device_slice(name) or "") if name.startswith("/dev/rdsk/") else None
    disk = inv.host.disks.get(parsed[0]) if parsed else None
    if disk is None or parsed is None or parsed[1] not in disk.slices:
        return _warn(inv, name, strerror("ENOENT"))
    if disk.failed:
        return _warn(inv, name, strerror("EIO"))
    geo = geometry(disk)
    parts = [(num, disk.slices[num].start, disk.slices[num].size, *slice_tag(inv.host, disk, num))
             for num in sorted(disk.slices)]
    free = findfree([(start, size, tag) for _n, start, size, tag, _f in parts],
                    geo.ncyl * geo.cylsize)
    if "f" in flags:
        first = free[0] if free else (0, 0)
        unused = "".join(f"{n:x}" for n in range(8)
                         if n != 2 and (n not in disk.slices or disk.slices[n].size == 0))
        inv.out(f"FREE_START={first[0]} FREE_SIZE={first[1]} FREE_COUNT={len(free)} "
                f"FREE_PART={unused}")
        return 0
    if not flags & {"h", "s"}:
        inv.out(f"* {devname} partition map\n*\n* Dimensions:")
        inv.out(f"* {SECTOR_SIZE:7d} bytes/sector\n* {geo.nsect:7d} sectors/track")
        inv.out(f"* {geo.nhead:7d} tracks/cylinder\n* {geo.cylsize:7d} sectors/cylinder")
        inv.out(f"* {geo.pcyl:7d} cylinders\n* {geo.ncyl:7d} accessible cylinders")
        inv.out("*\n* Flags:\n*   1: unmountable\n*  10: read-only\n*")
        if free:
            inv.out("* Unallocated space:\n*\tFirst     Sector    Last\n"
                    "*\tSector     Count    Sector ")
            for start, size in free:
                inv.out(f"*   {start:9d} {size:9d} {start + size - 1:9d}")
            inv.out("*")
    if "h" not in flags:
        inv.out("*                          First     Sector    Last\n"
                "* Partition  Tag  Flags    Sector     Count    Sector  Mount Directory")
    mounts = direct_mounts(inv.host, disk)
    for num, start, size, tag, flag in parts:
        if size == 0:
            continue
        row = f"      {num:2d}  {tag:5d}    {flag:02x}  {start:9d} {size:9d} {start + size - 1:9d}"
        if num in mounts:
            row += f"   {mounts[num]}"
        inv.out(row)
    return 0


def main(inv: Invocation) -> int:
    opts, rest = sun_getopt(inv, inv.args, "fhst:m:", stop_at_error=True)
    flags = set()
    for o in opts:
        if o.char == "?":
            return usage(inv)
        flags.add(o.char)
    if not rest:
        return usage(inv)
    status = 0
    for devname in rest:
        status |= prtvtoc(inv, devname, flags)
    return 1 if status else 0
