"""The files a Solaris host shows for its volume manager and file systems.

Scripts read ``/etc/vfstab``, ``/etc/mnttab``, ``/etc/lvm/md.tab``, ``/etc/dumpdates`` and test
``[ -c /dev/md/rdsk/d3 ]``. Both the process harness (a sandboxed view of / ) and the pytest
plugin (a pyfakefs file system) show the same texts, taken from here after every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.host import Host

ETC_FILES = ("/etc/vfstab", "/etc/mnttab", "/etc/lvm/md.tab", "/etc/lvm/mddb.cf",
             "/etc/dumpdates", "/etc/nodename")


def etc_files(host: Host) -> dict[str, str]:
    """Path -> content of every /etc file the simulation owns.

    Only /etc: the process harness overlays /etc, while /var stays the host's own so that
    a dump the driver writes to /var/tmp is where both the driver and the harness look.
    """
    files: dict[str, str] = {"/etc/nodename": host.hostname + "\n",
                             "/etc/lvm/mddb.cf": mddb_cf(host),
                             "/etc/lvm/md.tab": host.md.mdtab or MD_TAB_HEADER,
                             "/etc/vfstab": host.fs.vfstab_text(),
                             "/etc/mnttab": host.fs.mnttab_text(),
                             "/etc/dumpdates": host.backups.dumpdates_text()}
    return files


MD_TAB_HEADER = """\
#
# Copyright 2006 Sun Microsystems, Inc.  All rights reserved.
# Use is subject to license terms.
#
# md.tab
#
# Metadevice configuration file. Use it with metainit -a to create
# the metadevices described here. See md.tab(4).
#
"""


def mddb_cf(host: Host) -> str:
    """``/etc/lvm/mddb.cf``: one line per replica of the local set (driver, minor, block)."""
    lines = ["#metadevice database location file do not hand edit",
             "#driver\tminor_t\tdaddr_t\tdevice id\tchecksum"]
    for r in host.md.sets[""].replicas:
        disk = host.disks.get(r.device.rsplit("s", 1)[0])
        devid = disk.devid if disk else ""
        lines.append(f"sd\t{_minor(r.device)}\t{r.first_block}\t{devid}\t-{_cksum(r.device)}")
    return "\n".join(lines) + "\n"


def _minor(device: str) -> int:
    return sum(ord(c) for c in device) * 8 % 4096


def _cksum(device: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(device)) % 9973


def messages(host: Host) -> str:
    """Console messages the kernel logged (``/var/adm/messages`` lines)."""
    out = []
    for e in host.md.events:
        stamp = host.clock.ctime(e.time)[4:19]
        out.append(f"{stamp} {host.hostname} md_mirror: [ID 104909 kern.warning] {e.text}")
    return "\n".join(out) + ("\n" if out else "")


def device_nodes(host: Host) -> list[str]:
    """``/dev/md/dsk/dN`` and ``/dev/md/rdsk/dN`` for every metadevice (sets under
    ``/dev/md/<set>/``), plus the tape drives."""
    nodes = []
    for s in host.md.sets.values():
        base = f"/dev/md/{s.name}" if s.name else "/dev/md"
        for name in s.units:
            nodes += [f"{base}/dsk/{name}", f"{base}/rdsk/{name}"]
    for disk in host.disks.values():
        for num in disk.slices:
            nodes += [f"/dev/dsk/{disk.name}s{num}", f"/dev/rdsk/{disk.name}s{num}"]
    backup = host.backups
    tapes = getattr(backup, "tapes", {}) if backup is not None else {}
    nodes += sorted(tapes) or ["/dev/rmt/0"]
    return nodes
