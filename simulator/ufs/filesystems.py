"""UFS on metadevices: mounts, write activity, lockfs, and the images submirrors hold.

``host.fs`` is a :class:`FileSystems`. Each mounted or configured UFS is a
:class:`FileSystem` with two images: ``image`` (what the device holds) and ``live`` (what
applications see: the device plus writes still in the page cache or not yet rolled from the
UFS log). A workload changes ``live`` at once and reaches ``image`` :data:`ROLL_DELAY`
seconds later (fsflush), or at once on ``lockfs -w``/``-f``, umount or sync.

Mirrors: every attached, in-sync submirror holds the mirror's ``image``. A submirror that
stops taking writes (offline, detached, or being attached) gets its own frozen image the
moment it diverges; a detached one keeps the image it had at detach time -- a consistent
copy of the file system when it was write-locked, and otherwise one with half-applied
changes (:func:`detached_image`). A finished resync makes it follow the mirror again.

Errors are :class:`FsErrno` (an errno and its Solaris strerror text); commands print them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.core.strerror import SysError
from simulator.lvm.md.records import Mirror
from simulator.lvm.md.states import SmState
from simulator.ufs.image import (
    ROOT,
    Geometry,
    Image,
    base_tree,
    known_vocabulary,
    norm_path,
    remember_vocabulary,
    rnd,
)
from simulator.ufs.workload import ROLL_DELAY, PendingOp, Workload, apply_op

if TYPE_CHECKING:
    from simulator.host import Host

# most workload operations of each kind replayed per stretch of virtual time (see Workload.due)
WORKLOAD_CAP = 2000

LOCKS = ("unlock", "write", "name", "delete", "hard", "error")
LOCKFS_MAXCOMMENTLEN = 1024          # sys/lockfs.h
MD_MAJOR = 85                        # /dev/md: major 85 (name_to_major)
SD_MAJOR = 32
MD_DEV_RE = re.compile(r"^/dev/md/(?:(?P<set>[^/]+)/)?r?dsk/(?P<unit>d\d+)$")
SLICE_DEV_RE = re.compile(r"^/dev/r?dsk/(?P<slice>c\d+(?:t[0-9A-F]+)?d\d+s[0-7])$")
DEFAULT_ROOT_DEVICE = "/dev/dsk/c0t0d0s0"

# Directories every Solaris 10 root file system has (for paths that are not mount points).
ROOT_DIRS = frozenset({
    "/", "/bin", "/dev", "/devices", "/etc", "/export", "/export/home", "/home", "/kernel",
    "/lib", "/mnt", "/net", "/opt", "/platform", "/proc", "/sbin", "/system", "/tmp", "/usr",
    "/var", "/var/adm", "/var/tmp", "/var/run", "/lost+found", "/etc/mnttab", "/backup"})

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


FsErrno = SysError   # a failed system call on a file system (core.strerror)


@dataclass
class DetachRecord:
    """What ``metadetach`` left: the submirror's image and the file system applications saw."""

    mirror: str
    submirror: str
    time: float
    locked: bool
    disk_image: Image
    app_image: Image


@dataclass
class FileSystem:
    """One UFS: where it is mounted, its lock, its images and what writes to it."""

    mount: str
    device: str                    # block device: /dev/md/dsk/d1, /dev/dsk/c0t0d0s0
    image: Image
    live: Image
    fstype: str = "ufs"
    mounted: bool = False
    readonly: bool = False
    options: str = "-"             # vfstab mount options
    mount_opts: str = ""           # options given at mount time (-o)
    mount_time: int = 0
    in_vfstab: bool = True
    fsck_pass: str = "2"
    lock: str = "unlock"
    lock_comment: str = ""
    lock_key: int = 0
    lock_modified: bool = False
    pending: list[PendingOp] = field(default_factory=list)
    workload: Workload | None = None
    busy: bool = False             # applications hold files open (umount: busy)
    accounting: bool = False       # process accounting file on it (lockfs -w: EDEADLK)
    swapfile: bool = False         # a swap file on it (lockfs -w: EDEADLK)
    synthetic: bool = False        # the root file system nobody configured

    @property
    def raw_device(self) -> str:
        return self.device.replace("/dsk/", "/rdsk/", 1)

    @property
    def logging(self) -> bool:
        opts = (self.mount_opts or self.options).split(",")
        return self.image.logging and "nologging" not in opts

    def mnt_options(self, dev: str) -> str:
        """Options as the kernel reports them in /etc/mnttab (ufs_vfsops.c option table)."""
        user = [o for o in (self.mount_opts or self.options).split(",")
                if o and o not in ("-", "rw", "ro", "logging", "nologging", "intr",
                                   "largefiles", "xattr") and not o.startswith("onerror")]
        opts = ["ro" if self.readonly else "rw", "intr", "largefiles"]
        if self.logging and not self.readonly:
            opts.append("logging")
        opts.append("xattr")
        opts += user
        opts.append("onerror=panic")
        opts.append(f"dev={dev}")
        return ",".join(opts)


class FileSystems:
    """The host's file systems: the ``fs`` subsystem (see module docstring)."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.filesystems: dict[str, FileSystem] = {}      # mount point -> fs
        self.frozen: dict[str, Image] = {}                # unit name -> diverged image
        self.detach_records: list[DetachRecord] = []
        self.mount_order: list[str] = []                  # mnttab order of ufs mounts
        self.boot_time = int(host.clock.now) - 86400
        host.on_advance(self._advance)
        host.add_open_check(self._open_check)
        host.md.on_detached.append(self._on_detached)
        host.md.on_resynced.append(self._on_resynced)

    # ------------------------------------------------------------------ building
    def configure(self, spec: Any) -> FileSystem:
        """A ``FileSystemSpec`` (scenario.py, duck-typed) -> a file system on its device."""
        wl = getattr(spec, "workload", None)
        return self.add_ufs(str(spec.device), str(spec.mount), size=int(spec.size or 0),
                            files=int(spec.files or 0), seed=int(spec.seed),
                            logging=bool(getattr(spec, "logging", True)),
                            mounted=bool(getattr(spec, "mounted", True)),
                            in_vfstab=bool(getattr(spec, "in_vfstab", True)),
                            options=str(getattr(spec, "options", "") or ""),
                            workload=wl)

    def add_ufs(self, device: str, mount: str, size: int = 0, files: int = 0, seed: int = 1,
                logging: bool = True, mounted: bool = True, workload: Any = None,
                in_vfstab: bool = True, options: str = "", busy: bool = False,
                data_frags: int = 0, loose_frags: int = -1) -> FileSystem:
        """Builder: a UFS of ``files`` files and ``size`` blocks of data on ``device``
        (``/dev/md/dsk/d1``, ``d1`` or a slice), mounted on ``mount`` if ``mounted``."""
        device = self.block_name(device)
        mount = "/" + norm_path(mount) if norm_path(mount) != ROOT else "/"
        if mount in self.filesystems and not self.filesystems[mount].synthetic:
            raise ValueError(f"{mount} is already configured")
        dev_blocks = self.device_size(device)
        if dev_blocks is None:
            raise ValueError(f"{device}: no such device")
        created = float(int(self.host.clock.now) - 3600)
        base = base_tree(seed, files, size, created)
        geo = Geometry.for_device(dev_blocks, base.max_ino)
        img = Image(base, geo, logging=logging, last_mounted=mount)
        if data_frags:
            img.dsize_override = data_frags
        img.loose_frags = loose_frags
        fs = FileSystem(mount=mount, device=device, image=img, live=img.copy(),
                        options=options or ("logging" if logging else "-"),
                        in_vfstab=in_vfstab, busy=busy)
        fs.fsck_pass = "1" if mount == "/" else "2"
        if workload is not None:
            fs.workload = workload if isinstance(workload, Workload) else \
                Workload.from_spec(workload, seed, mount)
        self.filesystems[mount] = fs
        if mounted:
            fs.mounted = True
            fs.mount_time = self.boot_time + 30 + len(self.mount_order)
            self.mount_order.append(mount)
        return fs

    def root(self) -> FileSystem:
        """The root file system; a plain one on c0t0d0s0 unless a scenario configured '/'."""
        fs = self.filesystems.get("/")
        if fs is None:
            base = base_tree(0, 20000, 9000000, float(self.boot_time - 86400 * 30))
            geo = Geometry.for_device(16777216, base.max_ino)
            img = Image(base, geo, logging=True, last_mounted="/")
            fs = FileSystem("/", DEFAULT_ROOT_DEVICE, img, img.copy(), mounted=True,
                            mount_time=self.boot_time, fsck_pass="1", options="-",
                            synthetic=True)
            fs.image.last_mounted = "/"
            self.filesystems["/"] = fs
        return fs

    # ------------------------------------------------------------------ names
    @staticmethod
    def block_name(device: str) -> str:
        """``d1``, ``/dev/md/rdsk/d1`` -> ``/dev/md/dsk/d1``; slices likewise."""
        if re.match(r"^(?:[^/]+/)?d\d+$", device):
            setname, _, unit = device.rpartition("/")
            return f"/dev/md/{setname}/dsk/{unit}" if setname else f"/dev/md/dsk/{unit}"
        if re.match(r"^c\d+(?:t[0-9A-F]+)?d\d+s[0-7]$", device):
            return f"/dev/dsk/{device}"
        return device.replace("/rdsk/", "/dsk/", 1)

    def device_size(self, device: str) -> int | None:
        """Blocks of a metadevice or slice; None when it does not exist."""
        m = MD_DEV_RE.match(device)
        if m:
            s = self.host.md.sets.get(m.group("set") or "")
            u = s.units.get(m.group("unit")) if s else None
            return u.size if u is not None else None
        m2 = SLICE_DEV_RE.match(device)
        if m2:
            try:
                return self.host.md.slice_size(m2.group("slice"))
            except Exception:
                return None
        return None

    def _unit(self, device: str) -> tuple[str, str] | None:
        m = MD_DEV_RE.match(self.block_name(device))
        if m:
            return (m.group("set") or "", m.group("unit"))
        return None

    def fs_on_device(self, device: str) -> FileSystem | None:
        dev = self.block_name(device)
        for fs in self.filesystems.values():
            if fs.device == dev:
                return fs
        return None

    def device_exists(self, device: str) -> bool:
        return self.device_size(self.block_name(device)) is not None

    # ------------------------------------------------------------------ shared API
    def image_of(self, device: str) -> Image | None:
        """The image ``device`` holds (``/dev/md/rdsk/d3``, ``d3``, ``/dev/dsk/c1t0d0s0``)."""
        dev = self.block_name(device)
        fs = self.fs_on_device(dev)
        if fs is not None:
            return fs.image
        unit = self._unit(dev)
        if unit is not None:
            return self._unit_image(*unit)
        m = SLICE_DEV_RE.match(dev)
        if m:
            owner = self.host.md.component_owner(m.group("slice"))
            if owner is not None:
                return self._unit_image(owner[0].name, owner[1].name)
        return None

    def _unit_image(self, setname: str, unit: str) -> Image | None:
        key = f"{setname}/{unit}" if setname else unit
        if key in self.frozen:
            return self.frozen[key]
        s = self.host.md.sets.get(setname)
        u = s.units.get(unit) if s else None
        if u is None:
            return None
        fs = self.fs_on_device(f"/dev/md/{setname}/dsk/{unit}" if setname
                               else f"/dev/md/dsk/{unit}")
        if fs is not None:
            return fs.image
        if u.parent is not None:
            return self._unit_image(setname, u.parent)
        return None

    def app_view(self, mount_or_device: str) -> Image:
        """What applications see on a mounted file system (disk plus pending writes)."""
        fs = self._find(mount_or_device)
        if fs is None:
            img = self.image_of(mount_or_device)
            if img is None:
                raise KeyError(mount_or_device)
            return img.snapshot()
        return fs.live.snapshot()

    def mount_of(self, device: str) -> str | None:
        dev = self.block_name(device)
        for fs in self.filesystems.values():
            if fs.mounted and fs.device == dev:
                return fs.mount
        if dev == self.root().device:
            return "/"
        return None

    def lock_of(self, mount: str) -> str:
        fs = self._find(mount)
        return fs.lock if fs is not None else "unlock"

    def mounts(self) -> list[tuple[str, str]]:
        """(mount point, block device) of every mounted UFS, in mnttab order."""
        return [(fs.mount, fs.device) for fs in self.mounted_ufs()]

    def mounted_ufs(self) -> list[FileSystem]:
        out = [self.root()]
        out += [self.filesystems[m] for m in self.mount_order
                if m != "/" and m in self.filesystems and self.filesystems[m].mounted]
        return out

    def _find(self, name: str) -> FileSystem | None:
        if name.startswith("/dev/") or re.match(r"^(?:[^/]+/)?d\d+$", name):
            return self.fs_on_device(name)
        mount = "/" + norm_path(name) if norm_path(name) != ROOT else "/"
        if mount == "/":
            return self.root()
        return self.filesystems.get(mount)

    # ------------------------------------------------------------------ paths
    def resolve(self, path: str, cwd: str = "/") -> tuple[FileSystem | None, str]:
        """The mounted file system holding ``path`` and the path inside it; raises ENOENT.

        ``(None, path)`` for a path on a pseudo file system (/proc, /tmp...)."""
        if not path.startswith("/"):
            path = cwd.rstrip("/") + "/" + path
        full = "/" + norm_path(path) if norm_path(path) != ROOT else "/"
        best: FileSystem | None = None
        for fs in self.mounted_ufs():
            if full == fs.mount or full.startswith(fs.mount.rstrip("/") + "/"):
                if best is None or len(fs.mount) > len(best.mount):
                    best = fs
        pseudo = [m for _, m, *_ in PSEUDO_MOUNTS + LATE_MOUNTS
                  if not self._shadowed(m) and (full == m or full.startswith(m + "/"))]
        if pseudo and (best is None or len(max(pseudo, key=len)) > len(best.mount)):
            return None, full
        assert best is not None
        rel = norm_path(full[len(best.mount):]) if best.mount != "/" else norm_path(full)
        if best.mount == "/":
            known = full in ROOT_DIRS or any(
                (fs.mount == full or fs.mount.startswith(full.rstrip("/") + "/"))
                for fs in self.filesystems.values())
            if not known and (best.synthetic or best.live.get(rel) is None):
                raise FsErrno("ENOENT")
        elif best.lock == "hard" and rel != ROOT:
            raise FsErrno("EIO")
        elif best.live.get(rel) is None:
            raise FsErrno("ENOENT")
        return best, rel

    def _shadowed(self, mount: str) -> bool:
        fs = self.filesystems.get(mount)
        return fs is not None and fs.mounted

    # ------------------------------------------------------------------ time
    def _advance(self, dt: float) -> None:
        start = self.host.clock.now
        for fs in list(self.filesystems.values()):
            if not fs.mounted or fs.readonly:
                continue
            wl = fs.workload
            if wl is not None and wl.active:
                for frac, kind in wl.due(dt, cap=WORKLOAD_CAP, tail=2 * ROLL_DELAY):
                    if not self._may(fs, kind):
                        continue
                    op = wl.make_op(fs.live, kind, start + frac * dt)
                    if op is not None:
                        apply_op(fs.live, op)
                        fs.pending.append(op)
                        if fs.lock != "unlock":
                            fs.lock_modified = True
            self._flush(fs, start + dt - ROLL_DELAY)

    @staticmethod
    def _may(fs: FileSystem, kind: str) -> bool:
        """Which operations a lock lets through (lockfs.1m; ufs_lockfs.c masks)."""
        if fs.lock in ("write", "hard", "error"):
            return False
        if fs.lock == "name" and kind in ("create", "delete"):
            return False
        if fs.lock == "delete" and kind == "delete":
            return False
        return True

    def _flush(self, fs: FileSystem, upto: float | None = None) -> None:
        """Write pending changes (those made at or before ``upto``; all when None) to disk,
        reaching every in-sync submirror and no other."""
        due = [op for op in fs.pending if upto is None or op.time <= upto]
        if not due:
            return
        self._diverge_stale_submirrors(fs, sum(op.blocks for op in due))
        for op in due:
            apply_op(fs.image, op)
        fs.pending = [op for op in fs.pending if upto is not None and op.time > upto]
        if not fs.pending:
            fs.image.clean = True

    def sync(self, fs: FileSystem) -> None:
        self._flush(fs, None)

    def _diverge_stale_submirrors(self, fs: FileSystem, blocks: int) -> None:
        """Submirrors that take no writes (offline, being attached) keep what they had."""
        unit = self._unit(fs.device)
        if unit is None:
            return
        s = self.host.md.sets.get(unit[0])
        m = s.units.get(unit[1]) if s else None
        if not isinstance(m, Mirror):
            return
        for slot in m.submirrors:
            key = s.display(slot.name) if s else slot.name
            if slot.state & (SmState.OFFLINE | SmState.OFFLINE_RESYNC):
                slot.dirty_blocks += max(1, blocks)
                if key not in self.frozen:
                    self.frozen[key] = fs.image.snapshot()
            elif slot.state & SmState.ATTACHED and key not in self.frozen:
                self.frozen[key] = fs.image.snapshot()

    # ------------------------------------------------------------------ mirror hooks
    def _on_detached(self, m: Mirror, sub: str) -> None:
        s = next((st for st in self.host.md.sets.values() if st.units.get(m.name) is m), None)
        setname = s.name if s else ""
        key = f"{setname}/{sub}" if setname else sub
        fs = self.fs_on_device(f"/dev/md/{setname}/dsk/{m.name}" if setname
                               else f"/dev/md/dsk/{m.name}")
        if fs is None:
            if key not in self.frozen:
                img = self._unit_image(setname, m.name)
                if img is not None:
                    self.frozen[key] = img.snapshot()
            return
        locked = fs.lock == "write"
        app = fs.live.snapshot()
        if key in self.frozen:
            disk = self.frozen[key]
        else:
            pending = fs.pending if fs.mounted and not fs.readonly else []
            disk = detached_image(fs.image, pending, fs.logging, self.host.clock.now)
            self.frozen[key] = disk
        self.detach_records.append(DetachRecord(s.display(m.name) if s else m.name,
                                                key, self.host.clock.now, locked,
                                                disk.snapshot(), app))

    def _on_resynced(self, m: Mirror, sub: str) -> None:
        s = next((st for st in self.host.md.sets.values() if st.units.get(m.name) is m), None)
        key = s.display(sub) if s else sub
        self.frozen.pop(key, None)

    def _open_check(self, name: str) -> str | None:
        """Mounted devices are open (metainit/metattach/metaclear refuse them)."""
        if re.match(r"^(?:[^/]+/)?d\d+$", name):
            dev = self.block_name(name)
        elif re.match(r"^c\d+(?:t[0-9A-F]+)?d\d+s[0-7]$", name):
            dev = f"/dev/dsk/{name}"
        else:
            return None
        for fs in self.filesystems.values():
            if fs.mounted and fs.device == dev and not fs.synthetic:
                return fs.mount
        return None

    # ------------------------------------------------------------------ lockfs
    def lockfs(self, path: str, lock: str, comment: str | None, uid: int = 0,
               cwd: str = "/") -> bool:
        """``ioctl(_FIOLFS)`` on the file system holding ``path`` (ufs_lockfs.c
        ufs__fiolfs checks, in order). Returns whether it was modified while locked
        (lockfs -v warns). ``lockfs -w /`` hangs the host (the seed procedure's caution)."""
        fs, _ = self.resolve(path, cwd)
        if fs is None:
            raise FsErrno("ENOTTY")
        if uid != 0:
            raise FsErrno("EPERM")
        if comment is not None and len(comment) + 1 > LOCKFS_MAXCOMMENTLEN:
            raise FsErrno("ENAMETOOLONG")
        if fs.lock == "hard":
            raise FsErrno("EIO")
        if fs.lock == "error" and lock not in ("unlock", "error"):
            raise FsErrno("EBUSY")
        if fs.lock not in ("unlock", "error") and lock == "error":
            raise FsErrno("EBUSY")
        if lock in ("write", "error") and (fs.accounting or fs.swapfile):
            raise FsErrno("EDEADLK")
        if fs.lock == "error" and lock == "unlock" and not fs.image.clean:
            raise FsErrno("EBUSY")
        was_mod = fs.lock_modified
        self.sync(fs)                       # ufs_flush: at least what is dirty goes out
        if lock == "error":
            fs.image.clean = False
        previous = fs.lock
        fs.lock = lock
        fs.lock_comment = comment or ""
        fs.lock_key += 1
        if previous != "write":
            fs.lock_modified = False
        if lock == "write" and fs.mount == "/":
            self.host.hang("root file system write-locked")
        return was_mod

    def flushfs(self, path: str, cwd: str = "/") -> None:
        """``ioctl(_FIOFFS)``: push dirty data to disk (no privilege needed)."""
        fs, _ = self.resolve(path, cwd)
        if fs is None:
            raise FsErrno("ENOTTY")
        if fs.lock in ("hard", "error"):
            raise FsErrno("EIO")
        self.sync(fs)

    def lock_status(self, path: str, cwd: str = "/") -> tuple[str, str, bool]:
        """``ioctl(_FIOLFSS)``: (lock, comment, modified-while-locked)."""
        fs, _ = self.resolve(path, cwd)
        if fs is None:
            raise FsErrno("ENOTTY")
        return fs.lock, fs.lock_comment, fs.lock_modified

    # ------------------------------------------------------------------ mount
    def vfstab_entry(self, name: str) -> FileSystem | None:
        """The vfstab line whose mount point or special is ``name``."""
        for fs in self.vfstab_filesystems():
            if name in (fs.mount, fs.device, fs.raw_device):
                return fs
        return None

    def vfstab_filesystems(self) -> list[FileSystem]:
        root = self.root()
        return [root] + [fs for fs in self.filesystems.values()
                         if fs.in_vfstab and fs is not root]

    def mount(self, device: str, mount: str, readonly: bool = False, options: str = "",
              uid: int = 0, overlay: bool = False) -> FileSystem:
        """mount(2) of a UFS, with the errno the kernel gives (ufs_vfsops.c)."""
        fs: FileSystem
        if uid != 0:
            raise FsErrno("EPERM")
        dev = self.block_name(device)
        mp = "/" + norm_path(mount) if norm_path(mount) != ROOT else "/"
        if not dev.startswith("/dev/") or not self.device_exists(dev):
            raise FsErrno("ENOENT")
        if not self._dir_exists(mp):
            raise FsErrno("ENOENT")
        for fs in self.filesystems.values():
            if fs.mounted and (fs.device == dev or (fs.mount == mp and not overlay)):
                raise FsErrno("EBUSY")
        if dev == self.root().device:
            raise FsErrno("EBUSY")
        img = self.image_of(dev)
        unit = self._unit(dev)
        if unit is not None:
            s = self.host.md.sets[unit[0]]
            u = s.units[unit[1]]
            if u.parent is not None:
                raise FsErrno("EBUSY")
        if img is None:
            raise FsErrno("EINVAL")
        if not readonly and (not img.clean or img.unfixable):
            raise FsErrno("ENOSPC")
        existing = self.fs_on_device(dev)
        if existing is not None:
            fs = existing
        else:
            key = s.display(unit[1]) if unit is not None else dev
            own = self.frozen.pop(key, None) if unit is not None else None
            img = own if own is not None else img
            if img.frozen:
                img = img.copy()
            fs = FileSystem(mount=mp, device=dev, image=img, live=img.copy(), in_vfstab=False)
            old = self.filesystems.get(mp)
            if old is not None and not old.mounted:
                fs.in_vfstab = False
            self.filesystems[self._slot_key(mp)] = fs
        fs.mount = mp
        fs.mounted = True
        fs.readonly = readonly
        fs.mount_opts = options
        fs.mount_time = int(self.host.clock.now)
        fs.lock, fs.lock_comment, fs.lock_modified = "unlock", "", False
        fs.image.last_mounted = mp
        fs.live = fs.image.copy()
        if mp in self.mount_order:
            self.mount_order.remove(mp)
        self.mount_order.append(mp)
        return fs

    def _slot_key(self, mp: str) -> str:
        """Where a newly mounted fs is kept (an unmounted vfstab entry keeps its slot)."""
        key, n = mp, 0
        while key in self.filesystems and self.filesystems[key].mounted:
            n += 1
            key = f"{mp}#{n}"
        if key in self.filesystems and not self.filesystems[key].mounted:
            old = self.filesystems.pop(key)
            if old.in_vfstab:
                self.filesystems[f"{mp}#vfstab"] = old
        return key

    def _dir_exists(self, path: str) -> bool:
        try:
            fs, rel = self.resolve(path)
        except FsErrno:
            return False
        if fs is None:
            return True
        e = fs.live.get(rel)
        return e is None or e.kind == "d"

    def umount(self, name: str, force: bool = False, uid: int = 0) -> FileSystem:
        """umount2(2): EBUSY while applications hold files open (unless forced)."""
        if uid != 0:
            raise FsErrno("EPERM")
        fs = None
        for cand in self.filesystems.values():
            if cand.mounted and name in (cand.mount, cand.device):
                fs = cand
        if fs is None:
            if name == "/" or name == self.root().device:
                raise FsErrno("EBUSY")
            if self._dir_exists(name) or self.device_exists(self.block_name(name)):
                raise FsErrno("EINVAL")
            raise FsErrno("ENOENT")
        if any(o.mounted and o is not fs and o.mount.startswith(fs.mount.rstrip("/") + "/")
               for o in self.filesystems.values()):
            raise FsErrno("EBUSY")
        if not force and (fs.busy or (fs.workload is not None and fs.workload.active)):
            raise FsErrno("EBUSY")
        if fs.lock in ("write", "name", "delete") and not force:
            raise FsErrno("EBUSY")
        self.sync(fs)
        fs.mounted = False
        fs.readonly = False
        fs.lock, fs.lock_comment = "unlock", ""
        fs.image.clean = fs.image.consistent
        fs.live = fs.image.copy()
        if fs.mount in self.mount_order:
            self.mount_order.remove(fs.mount)
        return fs

    # ------------------------------------------------------------------ files
    def mnttab_entries(self) -> list[tuple[str, str, str, str, int]]:
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

    def _late(self, t: int) -> list[tuple[str, str, str, str, int]]:
        return [(sp, mp, typ, f"{o},dev={d}", t + 60) for sp, mp, typ, o, d in LATE_MOUNTS
                if not self._shadowed(mp)]

    def mnttab_text(self) -> str:
        return "".join(f"{sp}\t{mp}\t{typ}\t{o}\t{t}\n"
                       for sp, mp, typ, o, t in self.mnttab_entries())

    def vfstab_text(self) -> str:
        root = self.root()
        lines = ["fd\t-\t/dev/fd\tfd\t-\tno\t-", "/proc\t-\t/proc\tproc\t-\tno\t-",
                 "/dev/dsk/c0t0d0s1\t-\t-\tswap\t-\tno\t-",
                 f"{root.device}\t{root.raw_device}\t/\tufs\t1\tno\t{root.options}",
                 "/devices\t-\t/devices\tdevfs\t-\tno\t-",
                 "sharefs\t-\t/etc/dfs/sharetab\tsharefs\t-\tno\t-",
                 "ctfs\t-\t/system/contract\tctfs\t-\tno\t-",
                 "objfs\t-\t/system/object\tobjfs\t-\tno\t-",
                 "swap\t-\t/tmp\ttmpfs\t-\tyes\t-"]
        for fs in self.vfstab_filesystems():
            if fs is root:
                continue
            at_boot = "yes"
            lines.append(f"{fs.device}\t{fs.raw_device}\t{fs.mount}\tufs\t{fs.fsck_pass}\t"
                         f"{at_boot}\t{fs.options or '-'}")
        return VFSTAB_HEADER + "\n".join(lines) + "\n"

    def dev_number(self, device: str) -> str:
        """The ``dev=`` of a device in mnttab (major << 18 | minor, in hex)."""
        m = MD_DEV_RE.match(device)
        if m:
            setno = sorted(self.host.md.sets).index(m.group("set") or "")
            return f"{(MD_MAJOR << 18) | (setno << 13) | int(m.group('unit')[1:]):x}"
        m2 = SLICE_DEV_RE.match(device)
        if m2:
            disk, sl = m2.group("slice")[:-2], int(m2.group("slice")[-1])
            names = sorted(self.host.disks) or [disk]
            idx = names.index(disk) if disk in names else len(names)
            return f"{(SD_MAJOR << 18) | (idx * 8 + sl):x}"
        return "0"

    # ------------------------------------------------------------------ reboot
    def reboot(self) -> None:
        """Locks drop, pending writes are lost (the log replays on mount), vfstab mounts."""
        for fs in list(self.filesystems.values()):
            if fs.mounted and fs.pending:
                fs.image = detached_image(fs.image, fs.pending, fs.logging,
                                          self.host.clock.now, crash=True).copy()
            fs.pending = []
            fs.lock, fs.lock_comment, fs.lock_modified = "unlock", "", False
            fs.mounted = fs.in_vfstab and fs.image.clean
            fs.readonly = False
            fs.mount_opts = ""
            fs.live = fs.image.copy()
        self.boot_time = int(self.host.clock.now)
        self.mount_order = [fs.mount for fs in self.filesystems.values() if fs.mounted]
        for i, m in enumerate(self.mount_order):
            self.filesystems[m].mount_time = self.boot_time + 30 + i

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        def fsd(fs: FileSystem) -> dict[str, Any]:
            return {"mount": fs.mount, "device": fs.device, "image": fs.image.to_dict(),
                    "live": fs.live.to_dict(), "mounted": fs.mounted, "readonly": fs.readonly,
                    "options": fs.options, "mount_opts": fs.mount_opts,
                    "mount_time": fs.mount_time, "in_vfstab": fs.in_vfstab,
                    "fsck_pass": fs.fsck_pass, "lock": fs.lock, "lock_comment": fs.lock_comment,
                    "lock_key": fs.lock_key, "lock_modified": fs.lock_modified,
                    "pending": [op.to_dict() for op in fs.pending],
                    "workload": fs.workload.to_dict() if fs.workload else None,
                    "busy": fs.busy, "accounting": fs.accounting, "swapfile": fs.swapfile,
                    "synthetic": fs.synthetic}
        return {"filesystems": {k: fsd(v) for k, v in self.filesystems.items()},
                "frozen": {k: v.to_dict() for k, v in self.frozen.items()},
                "mount_order": list(self.mount_order), "boot_time": self.boot_time,
                "detach_records": [[r.mirror, r.submirror, r.time, r.locked,
                                    r.disk_image.to_dict(), r.app_image.to_dict()]
                                   for r in self.detach_records],
                "vocabularies": self._vocabularies()}

    def _vocabularies(self) -> list[list[Any]]:
        """The Faker-drawn names this host's trees use, saved so a reload needs no Faker."""
        bases = {(fs.image.base.seed, fs.image.base.nusers) for fs in self.filesystems.values()}
        out = []
        for seed, nusers in sorted(bases):
            known = known_vocabulary(seed, nusers)   # never draw one just to save it
            if known is not None:
                out.append([seed, nusers, list(known[0]), list(known[1])])
        return out

    def load_dict(self, data: dict[str, Any]) -> None:
        for seed, nusers, words, users in data.get("vocabularies", []):
            remember_vocabulary(int(seed), int(nusers), words, users)
        self.filesystems = {}
        for k, d in data.get("filesystems", {}).items():
            fs = FileSystem(d["mount"], d["device"], Image.from_dict(d["image"]),
                            Image.from_dict(d["live"]), mounted=d["mounted"],
                            readonly=d["readonly"], options=d["options"],
                            mount_opts=d["mount_opts"], mount_time=d["mount_time"],
                            in_vfstab=d["in_vfstab"], fsck_pass=d["fsck_pass"],
                            lock=d["lock"], lock_comment=d["lock_comment"],
                            lock_key=d["lock_key"], lock_modified=d["lock_modified"],
                            pending=[PendingOp.from_dict(p) for p in d["pending"]],
                            workload=Workload.from_dict(d["workload"]) if d["workload"]
                            else None, busy=d["busy"], accounting=d["accounting"],
                            swapfile=d["swapfile"], synthetic=d["synthetic"])
            self.filesystems[k] = fs
        self.frozen = {k: Image.from_dict(v) for k, v in data.get("frozen", {}).items()}
        self.mount_order = list(data.get("mount_order", []))
        self.boot_time = int(data.get("boot_time", self.boot_time))
        self.detach_records = [DetachRecord(m, s, float(t), bool(lk), Image.from_dict(a),
                                            Image.from_dict(b))
                               for m, s, t, lk, a, b in data.get("detach_records", [])]




def detached_image(disk: Image, pending: list[PendingOp], logging: bool, now: float,
                   crash: bool = False) -> Image:
    """The image a submirror holds when it stops taking writes with ``pending`` in flight.

    Logging UFS: metadata of committed transactions is in the on-disk log (fsck rolls it,
    setup.c logsetup/rl_roll_log, so fsck finds nothing), the data of in-flight writes is not
    on disk: those files have their new size and times but torn contents. Without logging,
    each in-flight operation is half applied and fsck will find it (``damaged``), the cylinder
    group summaries are stale and the superblock is not clean.
    """
    img = disk.copy()
    if not pending:
        return img.snapshot()
    for op in pending:
        r = rnd(op.opid, 0xD37)
        if logging:
            if r % 10 < 7:                       # committed to the log: metadata is there
                apply_op(img, op, torn=op.kind != "delete")
            continue
        _half_apply(img, op, r)
    if not logging:
        img.clean = False
        if any(op.kind in ("create", "delete") or op.grows for op in pending):
            img.summary_wrong = True
    return img.snapshot()


def _half_apply(img: Image, op: PendingOp, r: int) -> None:
    """One in-flight operation of a non-logging UFS, cut at a point chosen from ``r``."""
    if op.kind == "modify":
        if op.grows and op.old is not None and op.new is not None:
            apply_op(img, op, torn=True)
            img.damaged[op.path] = "blockcount"
        return                                   # an overwrite in place: old data on disk
    if op.kind == "create" and op.new is not None:
        if r % 5 == 0:                           # the entry made it, the inode did not
            apply_op(img, op, torn=True)
            img.damaged[op.path] = "unallocated"
        else:                                    # the inode made it, the entry did not
            img.lost[op.path] = op.new
            img.damaged[op.path] = "unref"
            if op.new.inode >= img.next_ino and not img.frozen:
                img.next_ino = op.new.inode + 1
        return
    if op.kind == "delete" and op.old is not None:
        apply_op(img, op)
        img.lost[op.path] = op.old
        img.damaged[op.path] = "unref" if r % 2 else "unref-zero"


def iter_problems(img: Image) -> Iterator[tuple[str, str]]:
    """(path, kind) of what fsck finds, in the order of its passes (1, 2, 4)."""
    order = {"blockcount": 1, "unallocated": 2, "unref": 4, "unref-zero": 4}
    yield from sorted(img.damaged.items(), key=lambda kv: (order.get(kv[1], 9), kv[0]))


__all__ = ["FileSystems", "FileSystem", "DetachRecord", "FsErrno", "Image", "detached_image",
           "iter_problems", "LOCKS"]
