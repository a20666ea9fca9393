"""/etc/vfstab and /etc/mnttab of the simulated host, as data and as text.

Hand-written to match Solaris byte for byte: the mnttab line is ``special\\tmount point\\t
fstype\\toptions\\ttime`` (mntfs, uts/common/fs/mntfs/mntvnops.c), the options of a UFS are
the kernel's option table (ufs_vfsops.c) with ``dev=`` (major << 18 | minor, in hex:
sys/mkdev.h L_BITSMINOR32 is 18); the vfstab is the one a Solaris 10 install writes
(usr/src/cmd/fs.d/vfstab header), then one line per configured UFS. The boot-time pseudo
file systems come before the UFS mounts, the automounter's after the boot mounts.

:class:`Tables` is a part of :class:`simulator.ufs.filesystems.FileSystems` (a mixin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import device_slice, device_unit, split_slice

if TYPE_CHECKING:
    from simulator.ufs.filesystems import FileSystem
    from simulator.ufs.parts import FsCore

MD_MAJOR = 85                        # /dev/md: major 85 (name_to_major)
SD_MAJOR = 32

# Boot-time pseudo file systems of a Solaris 10 host: (special, mount point, type, opts, dev)
PSEUDO_MOUNTS = [
    ("/devices", "/devices", "devfs", "", "4a80000"),
    ("ctfs", "/system/contract", "ctfs", "", "4ac0001"),
    ("proc", "/proc", "proc", "", "4b00000"),
    ("mnttab", "/etc/mnttab", "mntfs", "", "4b40001"),
    ("swap", "/etc/svc/volatile", "tmpfs", "xattr", "4b80001"),
    ("objfs", "/system/object", "objfs", "", "4bc0001"),
    ("sharefs", "/etc/dfs/sharetab", "sharefs", "", "4c00001"),
    ("fd", "/dev/fd", "fd", "rw", "4d00001"),
    ("swap", "/tmp", "tmpfs", "xattr", "4b80002"),
    ("swap", "/var/run", "tmpfs", "xattr", "4b80003"),
]
LATE_MOUNTS = [
    ("-hosts", "/net", "autofs", "nosuid,indirect,ignore,nobrowse", "4d40001"),
    ("auto_home", "/home", "autofs", "indirect,ignore,nobrowse", "4d40002"),
]

VFSTAB_HEADER = ("#device\t\tdevice\t\tmount\t\tFS\tfsck\tmount\tmount\n"
                 "#to mount\tto fsck\t\tpoint\t\ttype\tpass\tat boot\toptions\n#\n")

# The fixed lines of a Solaris 10 vfstab before the root file system and after it.
_VFSTAB_BEFORE_ROOT = ["fd\t-\t/dev/fd\tfd\t-\tno\t-", "/proc\t-\t/proc\tproc\t-\tno\t-",
                       "/dev/dsk/c0t0d0s1\t-\t-\tswap\t-\tno\t-"]
_VFSTAB_AFTER_ROOT = ["/devices\t-\t/devices\tdevfs\t-\tno\t-",
                      "sharefs\t-\t/etc/dfs/sharetab\tsharefs\t-\tno\t-",
                      "ctfs\t-\t/system/contract\tctfs\t-\tno\t-",
                      "objfs\t-\t/system/object\tobjfs\t-\tno\t-",
                      "swap\t-\t/tmp\ttmpfs\t-\tyes\t-"]

MnttabEntry = tuple[str, str, str, str, int]   # special, mount point, fstype, options, time


class Tables:
    """vfstab and mnttab: the lines, their text, and the ``dev=`` numbers."""

    # ------------------------------------------------------------------ vfstab
    def vfstab_entry(self: FsCore, name: str) -> FileSystem | None:
        """The vfstab line whose mount point or special is ``name``."""
        for fs in self.vfstab_filesystems():
            if name == fs.mount or name == fs.device or name == fs.raw_device:
                return fs
        return None

    def vfstab_filesystems(self: FsCore) -> list[FileSystem]:
        root = self.root()
        return [root] + [fs for fs in self.filesystems.values()
                         if fs.in_vfstab and fs is not root]

    def vfstab_text(self: FsCore) -> str:
        root = self.root()
        lines = _VFSTAB_BEFORE_ROOT + [
            f"{root.device}\t{root.raw_device}\t/\tufs\t1\tno\t{root.options}"
        ] + _VFSTAB_AFTER_ROOT
        for fs in self.vfstab_filesystems():
            if fs is root:
                continue
            lines.append(f"{fs.device}\t{fs.raw_device}\t{fs.mount}\tufs\t{fs.fsck_pass}\t"
                         f"yes\t{fs.options or '-'}")
        return VFSTAB_HEADER + "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ mnttab
    def mnttab_entries(self: FsCore) -> list[MnttabEntry]:
        """(special, mount point, fstype, options, time) in /etc/mnttab order."""
        root = self.root()
        out = [(root.device, "/", "ufs", root.mnt_options(self.dev_number(root.device)),
                root.mount_time or self.boot_time)]
        t = self.boot_time
        for special, mp, typ, opts, dev in PSEUDO_MOUNTS:
            if mp == "/" or self._shadowed(mp):
                continue
            o = f"{opts},dev={dev}" if opts else f"dev={dev}"
            out.append((special, mp, typ, o, t + 5))
        late_done = False
        for mp in self.mount_order:
            fs = self.filesystems.get(mp) or next(
                (f for f in self.filesystems.values() if f.mount == mp and f.mounted), None)
            if fs is None or not fs.mounted or fs.mount == "/":
                continue
            if not late_done and fs.mount_time > self.boot_time + 3600:
                out += self._late(t)
                late_done = True
            out.append((fs.device, fs.mount, fs.fstype,
                        fs.mnt_options(self.dev_number(fs.device)), fs.mount_time))
        if not late_done:
            out += self._late(t)
        return out

    def _late(self: FsCore, t: int) -> list[MnttabEntry]:
        return [(sp, mp, typ, f"{o},dev={d}", t + 60) for sp, mp, typ, o, d in LATE_MOUNTS
                if not self._shadowed(mp)]

    def _shadowed(self: FsCore, mount: str) -> bool:
        """A UFS is mounted where a pseudo file system would be."""
        fs = self.filesystems.get(mount)
        return fs is not None and fs.mounted

    def mnttab_inputs(self: FsCore) -> tuple[object, ...]:
        """Everything :meth:`mnttab_entries` reads (and :meth:`dev_number` for it): equal
        inputs give the same text, so a caller that renders mnttab after every fake call
        (the driver's view, :class:`simulator.session.hostfiles.FileMirror`) keeps the last
        text while they stay equal. A new input of mnttab's must be added here."""
        return (self.boot_time, tuple(self.mount_order), tuple(self.host.md.sets),
                tuple(self.host.disks),
                tuple((key, fs.mount, fs.device, fs.fstype, fs.mounted, fs.readonly,
                       fs.mount_opts, fs.options, fs.unsettled("image").logging,
                       fs.mount_time)         # (no write changes logging: nothing settled)
                      for key, fs in self.filesystems.items()))

    def mnttab_text(self: FsCore) -> str:
        return "".join(f"{sp}\t{mp}\t{typ}\t{o}\t{t}\n"
                       for sp, mp, typ, o, t in self.mnttab_entries())

    def dev_number(self: FsCore, device: str) -> str:
        """The ``dev=`` of a device in mnttab (major << 18 | minor, in hex)."""
        unit = device_unit(device)
        if unit is not None:
            setno = sorted(self.host.md.sets).index(unit.setname)
            return f"{(MD_MAJOR << 18) | (setno << 13) | unit.number:x}"
        sl = device_slice(device)
        parts = split_slice(sl) if sl is not None else None
        if parts is not None:
            disk, slice_no = parts
            names = sorted(self.host.disks) or [disk]
            idx = names.index(disk) if disk in names else len(names)
            return f"{(SD_MAJOR << 18) | (idx * 8 + slice_no):x}"
        return "0"
