"""UFS on metadevices: the host's file systems, their mounts, and where a path lives.

``host.fs`` is a :class:`FileSystems`. Each mounted or configured UFS is a
:class:`FileSystem` with two images: ``image`` (what the device holds) and ``live`` (what
applications see: the device plus writes still in the page cache or not yet rolled from the
UFS log). A workload changes ``live`` at once and reaches ``image``
:data:`~simulator.ufs.workload.ROLL_DELAY` seconds later (fsflush), or at once on
``lockfs -w``/``-f``, umount or sync.

:class:`FileSystems` is made of parts, one per reason to change: this module (building,
names, lookup, mount(2)/umount2(2), reboot, persistence), :mod:`simulator.ufs.locks` (lockfs,
flush, the log roll), :mod:`simulator.ufs.mirrors` (the images submirrors hold, detach
records, :func:`detached_image`) and :mod:`simulator.ufs.tables` (vfstab and mnttab).

Errors are :class:`simulator.core.strerror.SysError` (an errno and its Solaris strerror
text, ufs_vfsops.c's errnos); commands print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from simulator.core.hostref import HostPart
from simulator.core.names import (
    block_device,
    device_slice,
    device_unit,
    is_slice,
    is_unit,
    raw_device,
)
from simulator.core.strerror import SysError
from simulator.ufs.image import (
    ROOT,
    Geometry,
    Image,
    base_tree,
    known_vocabulary,
    norm_path,
    remember_vocabulary,
)
from simulator.ufs.locks import LOCKS, SETTLED, Locks, OwedStep, replay_owed
from simulator.ufs.mirrors import DetachRecord, Mirrors, detached_image, qualified
from simulator.ufs.tables import LATE_MOUNTS, PSEUDO_MOUNTS, Tables
from simulator.ufs.workload import PendingOp, Workload, WorkloadParams, WorkloadSpec

if TYPE_CHECKING:
    from simulator.host import Host

DEFAULT_ROOT_DEVICE = "/dev/dsk/c0t0d0s0"

# Directories every Solaris 10 root file system has (for paths that are not mount points).
ROOT_DIRS = frozenset({
    "/", "/bin", "/dev", "/devices", "/etc", "/export", "/export/home", "/home", "/kernel",
    "/lib", "/mnt", "/net", "/opt", "/platform", "/proc", "/sbin", "/system", "/tmp", "/usr",
    "/var", "/var/adm", "/var/tmp", "/var/run", "/lost+found", "/etc/mnttab", "/backup"})


class FileSystemParams(Protocol):
    """What :meth:`FileSystems.configure` reads: a scenario's ``[[filesystem]]``
    (``simulator.scenario.FileSystemSpec``) or any object with these fields."""

    @property
    def device(self) -> str: ...
    @property
    def mount(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def files(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def logging(self) -> bool: ...
    @property
    def mounted(self) -> bool: ...
    @property
    def in_vfstab(self) -> bool: ...
    @property
    def options(self) -> str: ...
    @property
    def workload(self) -> WorkloadParams | None: ...


@lru_cache(maxsize=256)
def _device_opened(name: str) -> str | None:
    """The block device a metadevice or slice name opens (None for any other name): asked
    of each name metainit, metattach and metaclear check, a dozen times a command."""
    return block_device(name) if is_unit(name) or is_slice(name) else None


# the mount points of the pseudo file systems (/proc, /tmp, ...) and what is under each
# (``/proc/``), as resolve() tries them
_PSEUDO_POINTS = tuple((m, m + "/") for _, m, *_ in PSEUDO_MOUNTS + LATE_MOUNTS)
# their first components (``proc``, ``etc``): a path under none of these is on none of them
_PSEUDO_TOPS = frozenset(m.split("/", 2)[1] for m, _ in _PSEUDO_POINTS)


# the synthetic root of a host booted at a given time, as made: kept (never handed out) for
# the few boot times a process sees, each host getting a copy (FileSystem.fresh_copy), as
# lockfs, fsck and ufsdump each ask for the root once per host; kept while its base tree is
# the one base_tree shares (a root made anew shares it too, and no tree outlives that bound)
_SYNTHETIC_ROOTS: dict[int, FileSystem] = {}


def _synthetic_root(boot_time: int) -> FileSystem:
    """The root file system nobody configured on a host booted at ``boot_time``: a plain UFS
    on c0t0d0s0 made a month before, mounted at boot."""
    kept = _SYNTHETIC_ROOTS.get(boot_time)
    base = base_tree(0, 20000, 9000000, float(boot_time - 86400 * 30))
    if kept is None or kept.unsettled("image").base is not base:
        geo = Geometry.for_device(16777216, base.max_ino)
        img = Image(base, geo, logging=True, last_mounted="/")
        kept = FileSystem("/", DEFAULT_ROOT_DEVICE, img, img.copy(), mounted=True,
                          mount_time=boot_time, fsck_pass="1", options="-", synthetic=True)
        if len(_SYNTHETIC_ROOTS) >= 64:
            _SYNTHETIC_ROOTS.clear()
        _SYNTHETIC_ROOTS[boot_time] = kept
    return kept


@lru_cache(maxsize=64)
def _unit_named(device: str) -> tuple[str, str] | None:
    """(set, unit) of the metadevice ``device`` names (a name's meaning never changes: kept
    for the few devices file systems are on, as every step of virtual time asks it of each
    file system)."""
    unit = device_unit(block_device(device))
    return (unit.setname, unit.short) if unit is not None else None


def mount_point(path: str) -> str:
    """``home1/``, ``/home1``, ``//home1/.`` -> ``/home1``; the root is ``/``."""
    if path[:1] == "/" and path[-1] != "/" and "//" not in path and "/." not in path:
        return path          # already one: no empty or ``.`` component (a command's operand)
    rel = norm_path(path)
    return "/" if rel == ROOT else "/" + rel


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
        return raw_device(self.device)

    @property
    def logging(self) -> bool:
        opts = (self.mount_opts or self.options).split(",")
        # the image's logging flag is the file system's (no write changes it): read without
        # settling what the workload owes
        return self.unsettled("image").logging and "nologging" not in opts

    # ------------------------------------------------------------------ time owed
    # Virtual time that passed while nothing looked at this file system is kept as a list
    # of steps (:meth:`owe_steps`), each with every decision it needs taken when the time
    # passed (the lock then, whether the workload was held), and replayed in order when
    # anything reads or sets ``image``, ``live``, ``pending``, ``workload`` or
    # ``lock_modified`` (the properties below): an hour nobody looks at costs nothing, and
    # one looked at costs what it cost before, with the same draws in the same order.
    def owe_steps(self, steps: list[OwedStep]) -> None:
        """Keep ``steps`` to be replayed when something looks (:func:`replay_owed`)."""
        owed = self.__dict__.get("owed_steps")
        if owed is None:
            self.__dict__["owed_steps"] = list(steps)
        else:
            owed.extend(steps)

    def settle(self) -> None:
        """Replay every step still owed, in order (see :meth:`owe_steps`)."""
        d = self.__dict__
        while d.get("owed_steps"):
            steps, d["owed_steps"] = d["owed_steps"], []
            replay_owed(self, steps)

    @property
    def owes(self) -> bool:
        """Whether steps are owed (nothing replayed to answer)."""
        return bool(self.__dict__.get("owed_steps"))

    @property
    def written(self) -> bool:
        """Whether applications write to it (a workload that runs): nothing owed changes
        that, so nothing is replayed to answer."""
        wl = self.__dict__["workload"]
        return wl is not None and wl.active

    @property
    def operations_per_second(self) -> float:
        """Application operations (writes, creates, deletes) per virtual second; 0 when none
        run. Nothing owed changes the rates, so nothing is replayed to answer."""
        wl = self.__dict__["workload"]
        if wl is None or wl.stopped:
            return 0.0
        return float(wl.writes_per_second + wl.creates_per_second + wl.deletes_per_second)

    def unsettled(self, name: str) -> Any:
        """A field as it stands, the steps owed not replayed: for deciding, when time
        passes, what a step will do (the workload's rates and whether it is held)."""
        return self.__dict__[name]

    def fresh_copy(self) -> FileSystem:
        """A file system with the same fields, its images copied and a pending list of its
        own, made without the field-by-field constructor call (``FileSystem(...)`` sets its
        images, pending list, workload and lock flag through the properties that settle
        what is owed, ~1.5 us): for one with nothing owed, nothing pending and no workload
        (the synthetic root, :func:`_synthetic_root`)."""
        d = self.__dict__
        assert not d.get("owed_steps") and not d["pending"] and d["workload"] is None
        new = object.__new__(FileSystem)
        nd = new.__dict__
        nd.update(d)
        nd["image"] = d["image"].copy()
        nd["live"] = d["live"].copy()
        nd["pending"] = []
        return new

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


def _settled(name: str) -> property:
    """``FileSystem.<name>``: the steps owed replayed first (:meth:`FileSystem.settle`),
    before it is read or set."""
    def get(fs: FileSystem) -> Any:
        d = fs.__dict__
        if d.get("owed_steps"):
            fs.settle()
        return d[name]

    def put(fs: FileSystem, value: Any) -> None:
        d = fs.__dict__
        if d.get("owed_steps"):
            fs.settle()
        d[name] = value
    return property(get, put, doc=f"``{name}``, what is owed replayed first")


for _name in SETTLED:
    setattr(FileSystem, _name, _settled(_name))


class FileSystems(HostPart, Locks, Mirrors, Tables):
    """The host's file systems: the ``fs`` part of a host (see module docstring)."""

    def __init__(self, host: Host) -> None:
        HostPart.__init__(self, host)               # self.host: weak (simulator.core.hostref)
        self.filesystems: dict[str, FileSystem] = {}      # mount point -> fs
        self.frozen: dict[str, Image] = {}                # unit name -> diverged image
        self.made: dict[str, Image] = {}                  # slice -> UFS newfs made there
        self.detach_records: list[DetachRecord] = []
        self.mount_order: list[str] = []                  # mnttab order of ufs mounts
        self.boot_time = int(host.clock.now) - 86400
        # injected refusals (simulator.faults.kinds.ufs): mount point -> the errno the next
        # _FIOLFS ioctl on it returns, once (EBUSY, EIO, ENOTTY ...)
        self.lock_refusals: dict[str, str] = {}
        # injected damage (Mirrors.damage): submirror -> what its copy gets at its detach
        self.damage_on_detach: dict[str, str] = {}
        # time that passes while nothing looks is owed and replayed when something does
        # (FileSystem.owe_steps); False replays it at once (the tests compare the two)
        self.owe_unseen = True
        # when the long stretch in progress began (Locks.long_stretch); None: none is
        self.stretch_from: float | None = None
        host.on_advance(self._advance, self._merge_window)
        host.add_open_check(self._open_check)
        host.md.on_detached.append(self._on_detached)
        host.md.on_resynced.append(self._on_resynced)

    # ------------------------------------------------------------------ building
    def configure(self, spec: FileSystemParams) -> FileSystem:
        """A scenario's ``[[filesystem]]`` (``simulator.scenario.FileSystemSpec``) -> a file
        system on its device (:meth:`add_ufs` with its fields)."""
        return self.add_ufs(spec.device, spec.mount, size=spec.size, files=spec.files,
                            seed=spec.seed, logging=spec.logging, mounted=spec.mounted,
                            in_vfstab=spec.in_vfstab, options=spec.options,
                            workload=spec.workload)

    def add_ufs(self, device: str, mount: str, size: int = 0, files: int = 0, seed: int = 1,
                logging: bool = True, mounted: bool = True,
                workload: WorkloadSpec | WorkloadParams | Workload | None = None,
                in_vfstab: bool = True, options: str = "", busy: bool = False,
                data_frags: int = 0, loose_frags: int = -1) -> FileSystem:
        """Builder: a UFS of ``files`` files and ``size`` blocks of data on ``device``
        (``/dev/md/dsk/d1``, ``d1`` or a slice), mounted on ``mount`` if ``mounted``.

        ``workload`` is a :class:`~simulator.ufs.workload.WorkloadSpec` (or an object with
        its fields), or a ready :class:`~simulator.ufs.workload.Workload`."""
        device = self.block_name(device)
        mount = mount_point(mount)
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
        if isinstance(workload, Workload):
            fs.workload = workload
        elif workload is not None:
            fs.workload = Workload.from_spec(workload, seed, mount)
        self.filesystems[mount] = fs
        if mounted:
            fs.mounted = True
            fs.mount_time = self.boot_time + 30 + len(self.mount_order)
            self.mount_order.append(mount)
        return fs

    def make_ufs(self, device: str, minfree: int = -1) -> Image:
        """mkfs(1M) of ``device`` (a metadevice or slice): an empty UFS -- ``.`` and
        ``lost+found``, clean, never mounted (``fs_fsmnt`` empty) -- laid out as
        :meth:`Geometry.for_device` says newfs makes one; ``minfree`` is ``newfs -m`` (-1:
        newfs's default, which the geometry has). The caller has refused a mounted device and
        a slice SVM uses; a submirror is refused here with EROFS, as md.c mdopen refuses to
        open a subdevice for writing.

        The new image replaces whatever the device held: the file system record of the
        device (an unmounted vfstab entry), else the image a metadevice holds (a detached
        submirror's included, ``frozen``), else the image kept for a slice (``made``) until
        it is mounted or becomes part of a metadevice. Decided: the image carries its UFS log
        at once (the model allocates the log with the image; Solaris 10 mounts with logging).
        """
        dev = self.block_name(device)
        size = self.device_size(dev)
        if size is None:
            raise SysError("ENXIO")
        unit = self._unit(dev)
        if unit is not None and self.host.md.sets[unit[0]].units[unit[1]].parent is not None:
            raise SysError("EROFS")          # md.c mdopen: no opens for write of a subdevice
        base = base_tree(0, 0, 0, float(int(self.host.clock.now)))
        geo = Geometry.for_device(size, base.max_ino)
        if minfree >= 0:
            geo = replace(geo, minfree=minfree)
        img = Image(base, geo, logging=True)
        fs = self.fs_on_device(dev)
        if fs is not None:
            fs.image, fs.live, fs.pending = img, img.copy(), []
        elif unit is not None:
            self.frozen[qualified(*unit)] = img
        else:
            self.made[dev] = img
        return img

    def image_of(self, device: str) -> Image | None:
        """The image ``device`` holds (:meth:`Mirrors.image_of`), or the UFS newfs made on a
        slice no file system record and no metadevice has taken since."""
        dev = self.block_name(device)
        if dev in self.made and self.fs_on_device(dev) is None:
            sl = device_slice(dev)
            if sl is not None and self.host.md.component_owner(sl) is None:
                return self.made[dev]
        return super().image_of(dev)

    def root(self) -> FileSystem:
        """The root file system; a plain one on c0t0d0s0 unless a scenario configured '/'."""
        fs = self.filesystems.get("/")
        if fs is None:
            fs = self.filesystems["/"] = _synthetic_root(self.boot_time).fresh_copy()
        return fs

    # ------------------------------------------------------------------ names
    @staticmethod
    def block_name(device: str) -> str:
        """``d1``, ``/dev/md/rdsk/d1`` -> ``/dev/md/dsk/d1``; slices likewise
        (:func:`simulator.core.names.block_device`)."""
        return block_device(device)

    @staticmethod
    def raw_name(device: str) -> str:
        """``/dev/md/dsk/d1`` -> ``/dev/md/rdsk/d1``; slices likewise, other names unchanged
        (:func:`simulator.core.names.raw_device`)."""
        return raw_device(device)

    def device_size(self, device: str) -> int | None:
        """Blocks of a metadevice or slice; None when it does not exist."""
        unit = device_unit(device)
        if unit is not None:
            s = self.host.md.sets.get(unit.setname)
            u = s.units.get(unit.short) if s else None
            return u.size if u is not None else None
        sl = device_slice(device)
        if sl is not None:
            try:
                return self.host.md.slice_size(sl)
            except Exception:
                return None
        return None

    def _unit(self, device: str) -> tuple[str, str] | None:
        """(set, unit) of the metadevice ``device`` names; None for other devices."""
        return _unit_named(device)

    def fs_on_device(self, device: str) -> FileSystem | None:
        dev = self.block_name(device)
        for fs in self.filesystems.values():
            if fs.device == dev:
                return fs
        return None

    def device_exists(self, device: str) -> bool:
        return self.device_size(self.block_name(device)) is not None

    def _open_check(self, name: str) -> str | None:
        """Mounted devices are open (metainit/metattach/metaclear refuse them)."""
        dev = _device_opened(name) if self.filesystems else None
        if dev is None:
            return None
        for fs in self.filesystems.values():
            if fs.mounted and fs.device == dev and not fs.synthetic:
                return fs.mount
        return None

    # ------------------------------------------------------------------ lookup
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

    def mounts(self) -> list[tuple[str, str]]:
        """(mount point, block device) of every mounted UFS, in mnttab order."""
        return [(fs.mount, fs.device) for fs in self.mounted_ufs()]

    def mounted_ufs(self) -> list[FileSystem]:
        """The root and every mounted UFS in mnttab order. A file system is kept under the
        mount point it was first mounted on (or ``<mp>#n``), so one remounted on another
        directory (``umount /mnt; mount d3 /var/tmp/m``) is found by its mount point, as
        :meth:`mnttab_entries` finds it."""
        out = [self.root()]
        for m in self.mount_order:
            if m == "/":
                continue
            fs = self.filesystems.get(m)
            if fs is None or not fs.mounted or fs.mount != m:
                fs = next((f for f in self.filesystems.values() if f.mount == m and f.mounted),
                          None)
            if fs is not None:
                out.append(fs)
        return out

    def _find(self, name: str) -> FileSystem | None:
        if name.startswith("/dev/") or is_unit(name):
            return self.fs_on_device(name)
        mount = mount_point(name)
        if mount == "/":
            return self.root()
        return self.filesystems.get(mount)

    def resolve(self, path: str, cwd: str = "/") -> tuple[FileSystem | None, str]:
        """The mounted file system holding ``path`` and the path inside it; raises ENOENT.

        ``(None, path)`` for a path on a pseudo file system (/proc, /tmp...)."""
        if not path.startswith("/"):
            path = cwd.rstrip("/") + "/" + path
        full = mount_point(path)
        best: FileSystem | None = None
        best_len = -1                    # the longest mount point holding it (the first)
        root = self.root()
        at = self.filesystems.get(full)
        if at is not None and at.mounted and at.mount == full and root.mount != full \
                and full in self.mount_order:
            # ``full`` is the mount point of the UFS kept under it (lockfs's operand): the
            # first of mounted_ufs() with that mount point (each other one listed has the
            # mount point it is listed under), none longer holds it and no pseudo file
            # system's mount point is longer (the loops below, answered at once)
            best, best_len = at, len(full)
        else:
            for fs in self.mounted_ufs():
                m = fs.mount
                if (full == m or full.startswith(m.rstrip("/") + "/")) and len(m) > best_len:
                    best, best_len = fs, len(m)
        pseudo_len = 0                   # the longest pseudo mount point holding it
        if best_len < len(full) and full.split("/", 2)[1] in _PSEUDO_TOPS:
            for m, under in _PSEUDO_POINTS:
                if (full == m or full.startswith(under)) and len(m) > pseudo_len \
                        and not self._shadowed(m):
                    pseudo_len = len(m)
        if pseudo_len and (best is None or pseudo_len > best_len):
            return None, full
        assert best is not None
        if best.mount == "/":
            rel = norm_path(full)
        else:
            rel = ROOT if best_len == len(full) else norm_path(full[best_len:])
        if best.mount == "/":
            known = full in ROOT_DIRS or any(
                (fs.mount == full or fs.mount.startswith(full.rstrip("/") + "/"))
                for fs in self.filesystems.values())
            if not known and (best.synthetic or best.live.get(rel) is None):
                raise SysError("ENOENT")
        elif best.lock == "hard" and rel != ROOT:
            raise SysError("EIO")
        elif best.live.get(rel) is None:
            raise SysError("ENOENT")
        return best, rel

    # ------------------------------------------------------------------ mount(2)
    def mount(self, device: str, mount: str, readonly: bool = False, options: str = "",
              uid: int = 0, overlay: bool = False, in_view: str = "") -> FileSystem:
        """mount(2) of a UFS, with the errno the kernel gives (ufs_vfsops.c).

        The mount point must be a directory, as mount(2) looks it up (vfs.c domount():
        ENOTDIR unless ``v_type == VDIR``): the model's own directories (the root file
        system's, mounted file systems' trees), or what the caller found at ``mount`` in the
        driver's view (``in_view``: ``"dir"`` for a directory the driver made, ``"other"`` for
        a file there; the model keeps no record of the driver's own files)."""
        fs: FileSystem
        if uid != 0:
            raise SysError("EPERM")
        dev = self.block_name(device)
        mp = mount_point(mount)
        if in_view == "other":
            raise SysError("ENOTDIR")
        if not dev.startswith("/dev/") or not self.device_exists(dev):
            raise SysError("ENOENT")
        if in_view != "dir" and not self.dir_exists(mp):
            raise SysError("ENOENT")
        for fs in self.filesystems.values():
            if fs.mounted and (fs.device == dev or (fs.mount == mp and not overlay)):
                raise SysError("EBUSY")
        if dev == self.root().device:
            raise SysError("EBUSY")
        img = self.image_of(dev)
        unit = self._unit(dev)
        if unit is not None:
            s = self.host.md.sets[unit[0]]
            u = s.units[unit[1]]
            if u.parent is not None:
                raise SysError("EBUSY")
        if img is None:
            raise SysError("EINVAL")
        if not readonly and (not img.clean or img.unfixable):
            raise SysError("ENOSPC")
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
            self.made.pop(dev, None)
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

    def dir_exists(self, path: str) -> bool:
        """Whether the model has a directory at ``path`` (the root file system's known
        directories, mount points, directories of mounted trees; pseudo file systems)."""
        try:
            fs, rel = self.resolve(path)
        except SysError:
            return False
        if fs is None:
            return True
        e = fs.live.get(rel)
        return e is None or e.kind == "d"

    def umount(self, name: str, force: bool = False, uid: int = 0,
               in_view: bool = False) -> FileSystem:
        """umount2(2): EBUSY while applications hold files open (unless forced); EINVAL for
        an existing path that is not a mount point (``in_view``: the caller found ``name``
        in the driver's view), ENOENT for none."""
        if uid != 0:
            raise SysError("EPERM")
        fs = None
        for cand in self.filesystems.values():
            if cand.mounted and name in (cand.mount, cand.device):
                fs = cand
        if fs is None:
            if name == "/" or name == self.root().device:
                raise SysError("EBUSY")
            if in_view or self.dir_exists(name) or self.device_exists(self.block_name(name)):
                raise SysError("EINVAL")
            raise SysError("ENOENT")
        if any(o.mounted and o is not fs and o.mount.startswith(fs.mount.rstrip("/") + "/")
               for o in self.filesystems.values()):
            raise SysError("EBUSY")
        if not force and (fs.busy or (fs.workload is not None and fs.workload.active)):
            raise SysError("EBUSY")
        if fs.lock in ("write", "name", "delete") and not force:
            raise SysError("EBUSY")
        self.sync(fs)
        fs.mounted = False
        fs.readonly = False
        fs.lock, fs.lock_comment = "unlock", ""
        fs.image.clean = fs.image.consistent
        fs.live = fs.image.copy()
        if fs.mount in self.mount_order:
            self.mount_order.remove(fs.mount)
        return fs

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
                "made": {k: v.to_dict() for k, v in self.made.items()},
                "mount_order": list(self.mount_order), "boot_time": self.boot_time,
                "detach_records": [[r.mirror, r.submirror, r.time, r.locked,
                                    r.disk_image.to_dict(), r.app_image.to_dict()]
                                   for r in self.detach_records],
                "vocabularies": self._vocabularies(),
                **({"lock_refusals": dict(self.lock_refusals)} if self.lock_refusals else {}),
                **({"damage_on_detach": dict(self.damage_on_detach)}
                   if self.damage_on_detach else {})}

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
        self.made = {k: Image.from_dict(v) for k, v in data.get("made", {}).items()}
        self.mount_order = list(data.get("mount_order", []))
        self.lock_refusals = {str(k): str(v) for k, v in data.get("lock_refusals", {}).items()}
        self.damage_on_detach = {str(k): str(v)
                                 for k, v in data.get("damage_on_detach", {}).items()}
        self.boot_time = int(data.get("boot_time", self.boot_time))
        self.detach_records = [DetachRecord(m, s, float(t), bool(lk), Image.from_dict(a),
                                            Image.from_dict(b))
                               for m, s, t, lk, a, b in data.get("detach_records", [])]


__all__ = ["FileSystems", "FileSystem", "FileSystemParams", "DetachRecord",
           "Image", "detached_image", "mount_point", "LOCKS"]
