"""The backup verdict: does an archive hold what applications saw when the submirror left?

The seed procedure warns that "some files on the backup might not correspond to the actual
files on disk". :func:`verify_backup` makes that visible: it compares an archive (a dump file,
a tape, or bytes) with

* the file system as applications saw it when the dumped submirror was detached (the
  matching ``DetachRecord.app_image`` of ``host.fs``: the disk plus writes still in
  the page cache or the UFS log), and
* the file system as it is now (``app_view`` of the live mount),

and says whether the dump completed and whether the dumped image was fsck-clean.

It never claims a detach that did not happen: with no detach of the dumped submirror
recorded before the dump, the archive is compared with the file system now only, and the
report says so. When that submirror is attached to a mirror that holds a file system (so a
detach would have been recorded), or the dump read the volume of a mounted file system, the
archive is not a consistent image -- a live submirror takes every write the mirror takes,
and a mounted file system that applications write to (a workload) changes while ufsdump
reads it (the Admin Guide's reason for
detaching under ``lockfs -w``) -- and the report says that too: ``consistent`` is False.

A difference is named from the backup's point of view: ``missing`` (the file system had the
entry, the archive does not), ``extra`` (the archive has an entry the file system did not),
``changed`` (both have it; ``fields`` says which of kind, size, mode, uid, gid, mtime, digest,
target differ). A level-N archive is held to what changed since the dump it is based on: an
unchanged file that is absent is not missing.

``svmsim verify-backup --state DIR ARCHIVE [--json]`` prints the report; exit 0 when the
archive is complete, a consistent image, and equals the detach-time view (or, with no
detach, the file system now), 1 when it is incomplete, inconsistent or differs, 2 on bad
usage or an unreadable archive.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.backup.archive import Archive, ArchiveEntry, ArchiveError, WrittenText, parse
from simulator.backup.backups import indexed_entries
from simulator.backup.tapes import tape_unit
from simulator.core.names import device_unit, md_device
from simulator.core.strerror import oserror_text

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.ufs.filesystems import FileSystems
    from simulator.ufs.image import BaseTree, FileEntry, Image

FIELDS = ("kind", "size", "mode", "uid", "gid", "mtime", "digest", "target")


@dataclass(frozen=True)
class Difference:
    """One entry where the archive and a view of the file system disagree."""

    path: str                     # as restore names it: ``./home/u/file``
    change: str                   # "missing" | "extra" | "changed"
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.change == "missing":
            return f"{self.path}: not in the archive"
        if self.change == "extra":
            return f"{self.path}: in the archive only"
        return f"{self.path}: differs ({', '.join(self.fields)})"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "change": self.change, "fields": list(self.fields)}


@dataclass
class BackupReport:
    """What :func:`verify_backup` found."""

    archive: str
    complete: bool
    clean: bool                   # the dumped image was fsck-clean
    level: int
    device: str
    filesys: str
    date: int
    entries: int                  # inodes the archive holds
    detach: dict[str, Any] | None = None
    differences_at_detach: list[Difference] = field(default_factory=list)
    differences_now: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    consistent: bool | None = None   # False: a live submirror or a mounted volume was read
    inconsistency: str = ""
    unreadable: int = 0              # sectors dumped as zeros (bread could not read them)

    @property
    def matches(self) -> bool:
        """Complete, not known to be inconsistent, no sector dumped as zeros, and equal to
        what applications saw at detach time (with no detach: to the file system now)."""
        return self.complete and self.consistent is not False and not self.unreadable \
            and not self.differences_at_detach

    def to_dict(self) -> dict[str, Any]:
        return {"archive": self.archive, "complete": self.complete, "clean": self.clean,
                "level": self.level, "device": self.device, "filesys": self.filesys,
                "date": self.date, "entries": self.entries, "detach": self.detach,
                "matches": self.matches, "consistent": self.consistent,
                "inconsistency": self.inconsistency,
                "differences_at_detach": [d.to_dict() for d in self.differences_at_detach],
                "differences_now": [d.to_dict() for d in self.differences_now],
                "notes": self.notes}

    def text(self, host: Host | None = None) -> str:
        """A report for people."""
        ck = host.clock.ctime if host is not None else str
        lines = [f"archive:   {self.archive}",
                 f"dump:      level {self.level} of {self.device} ({self.filesys}) "
                 f"on {ck(self.date)}",
                 f"complete:  {'yes' if self.complete else 'NO (the dump did not finish)'}",
                 f"clean:     {'yes' if self.clean else 'NO (fsck would find problems)'}",
                 f"entries:   {self.entries}"]
        if self.detach:
            d = self.detach
            lines.append(f"detached:  {d['submirror']} from {d['mirror']} on "
                         f"{ck(d['time'])} ({'write-locked' if d['locked'] else 'NOT locked'})")
            lines.append(f"at detach: {len(self.differences_at_detach)} difference(s)")
            lines += [f"  {d}" for d in self.differences_at_detach]
        else:
            lines.append("detached:  no detach of the dumped device was recorded")
        lines.append(f"now:       {len(self.differences_now)} difference(s)")
        lines += [f"  {d}" for d in self.differences_now[:50]]
        if len(self.differences_now) > 50:
            lines.append(f"  ... {len(self.differences_now) - 50} more")
        lines += [f"note:      {n}" for n in self.notes]
        if self.consistent is False:
            verdict = f"the archive is NOT a consistent image: {self.inconsistency}"
        elif not self.matches:
            verdict = "the archive does NOT match"
        elif self.detach:
            verdict = "the archive matches the file system at detach time"
        else:
            verdict = "the archive matches the file system now (there was no detach)"
        lines.append("verdict:   " + verdict)
        return "\n".join(lines) + "\n"


def load_archive(host: Host, archive: str | bytes | Archive, cwd: str = "/") -> Archive:
    """An archive from a file, a tape drive of the host (``/dev/rmt/0``...), or bytes."""
    if isinstance(archive, Archive):
        return archive
    if isinstance(archive, bytes):
        return parse(archive)
    if tape_unit(archive) is not None:
        return _from_tape(host, archive)
    path = archive if os.path.isabs(archive) else os.path.join(cwd, archive)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ArchiveError(f"{archive}: {oserror_text(e)}") from None
    try:
        return parse(data)
    except ArchiveError as e:
        raise ArchiveError(f"{archive}: {e}") from None


def _from_tape(host: Host, device: str) -> Archive:
    """The last dump written to a drive: volume 1 of it, wherever that cartridge is."""
    drive = host.backups.tape(device)
    if drive is None:
        raise ArchiveError(f"{device}: no such tape drive")
    found: list[Archive] = []
    for cart in drive.cartridges:
        for tf in cart.files:
            render = tf.pending()
            if isinstance(render, WrittenText):     # a dump's archive, not yet rendered
                found.append(render.parsed())
                continue
            try:
                found.append(parse(tf.text))
            except ArchiveError:
                continue
    firsts = [a for a in found if a.header.volume == 1]
    if not firsts:
        raise ArchiveError(f"{device}: no dump on the tape")
    return max(firsts, key=lambda a: a.header.date)


def _fs_path(path: str) -> str:
    return "." if path in (".", "./", "") else path[2:] if path.startswith("./") else path


def _dump_path(path: str) -> str:
    return "." if path in (".", "") else path if path.startswith("./") else "./" + path


Fields = tuple[str, int, int, int, int, float, str, "str | None"]


def _fields(e: FileEntry) -> Fields:
    """What an archive entry holds of ``e``, in :data:`FIELDS` order."""
    return (e.kind, int(e.size), int(e.mode), int(e.uid), int(e.gid), float(e.mtime),
            str(e.digest or ""), (e.target or None) if e.kind == "l" else None)


def _compare_fields(a: ArchiveEntry, e: FileEntry, theirs: Fields | None = None
                    ) -> tuple[str, ...]:
    """The :data:`FIELDS` in which ``a`` differs from ``e`` (in that order); ``theirs`` is
    ``_fields(e)`` when already known."""
    if theirs is None:
        theirs = _fields(e)
    ours = (a.kind, a.size, a.mode, a.uid, a.gid, a.mtime, a.digest, a.target)
    if ours == theirs:
        return ()
    return tuple([f for f, x, y in zip(FIELDS, ours, theirs, strict=True) if x != y])


View = dict[str, tuple["FileEntry", Fields]]      # restore's name -> entry, its fields


def compare(arch: Archive, entries: Iterable[FileEntry]) -> list[Difference]:
    """Differences between an archive and a file-system view (its ``entries()``)."""
    return _differences(arch, {_dump_path(e.path): (e, _fields(e)) for e in entries})


def compare_image(arch: Archive, image: Image) -> list[Difference]:
    """:func:`compare` with ``image.entries()``, the view made from its base tree's (kept
    per tree) and its overlay, without walking the image in order."""
    view = _image_view(image)
    return compare(arch, image.entries()) if view is None else _differences(arch, view)


# A base tree never changes: its view (each entry by the name restore gives it, with the
# fields an archive holds of it) is made once per tree and kept while the tree lives.
_BASE_VIEWS: weakref.WeakKeyDictionary[BaseTree, View] = weakref.WeakKeyDictionary()


def _image_view(image: Image) -> View | None:
    """What :func:`compare` makes of ``image.entries()``: the base tree's entries less the
    paths the overlay holds, plus the overlay's entries. None when an overlay entry is not
    at its own path (then the image is walked)."""
    base = image.base
    view = _BASE_VIEWS.get(base)
    if view is None:
        # the dump index's entries when a dump made one (the tree's entries, already made;
        # in another order, which a view by name does not keep), else the tree walked
        entries = indexed_entries(base)
        view = _BASE_VIEWS[base] = {_dump_path(e.path): (e, _fields(e)) for e in (
            base.entries() if entries is None else entries)}
    view = dict(view)
    for path, e in image.overlay.items():
        if e is not None and e.path != path:
            return None
        name = _dump_path(path)
        if e is None:
            view.pop(name, None)
        else:
            view[name] = (e, _fields(e))
    return view


def _differences(arch: Archive, ref: View) -> list[Difference]:
    ddate = arch.header.ddate
    dumped = {e.path: e for e in arch.dumped()}
    diffs: list[Difference] = []
    for path, (e, theirs) in ref.items():
        a = dumped.get(path)
        if a is None:
            expected = ddate <= 0 or float(e.ctime) >= ddate
            if expected:
                diffs.append(Difference(path, "missing"))
            continue
        fields = _compare_fields(a, e, theirs)
        if fields:
            diffs.append(Difference(path, "changed", fields))
    for path in {e.path for e in arch.entries}:
        if path not in ref:
            diffs.append(Difference(path, "extra"))
    return sorted(diffs, key=lambda d: d.path)


def _unit_of(device: str) -> str:
    """``/dev/md/rdsk/d3`` -> ``d3``; ``/dev/md/set/rdsk/d3`` -> ``set/d3``; another
    device -> its last component."""
    unit = device_unit(device)
    return str(unit) if unit is not None else device.rsplit("/", 1)[-1]


def verify_backup(host: Host, archive: str | bytes | Archive, cwd: str = "/", *,
                  now: bool = True) -> BackupReport:
    """Compare ``archive`` with the file system at detach time and now (see module doc).

    ``now=False``: not with the file system now where a detach was recorded (the verdict
    reads only the differences at detach time; looking at the file system now would replay
    every second of workload it owes, simulator/ufs/locks.py, and draw every file)."""
    arch = load_archive(host, archive, cwd)
    h = arch.header
    name = archive if isinstance(archive, str) else "<archive>"
    report = BackupReport(name, arch.complete, h.clean and not h.unreadable, h.level, h.device,
                          h.filesys, h.date, len(arch.dumped()))
    if not arch.complete:
        report.notes.append("the dump did not complete: the archive holds "
                            f"{report.entries} inode(s) written before it died")
    if not h.clean:
        bad = ", ".join(f"{p} ({k})" for p, k in sorted(h.damaged.items())[:10])
        report.notes.append("the dumped image was not fsck-clean" + (f": {bad}" if bad else ""))
    report.unreadable = h.unreadable
    if h.unreadable:
        report.notes.append(f"{h.unreadable} sector(s) of {h.device} could not be read and "
                            "were dumped as zeros (dumptraverse.c bread)")
    fs = host.fs
    unit = _unit_of(h.device)
    records = [r for r in fs.detach_records if r.submirror == unit and r.time <= h.date + 1]
    mount = h.filesys if h.filesys.startswith("/") else None
    if records:
        rec = records[-1]
        report.detach = {"mirror": rec.mirror, "submirror": rec.submirror, "time": rec.time,
                         "locked": rec.locked}
        report.differences_at_detach = compare_image(arch, rec.app_image)
        if not rec.locked:
            report.notes.append(f"{rec.submirror} was detached without a write lock")
        mount = mount or _mount_of_mirror(fs, rec.mirror)
    else:
        report.notes.append(f"no detach of {unit} recorded before the dump: "
                            "compared with the file system now only")
        _judge_live_source(host, report, unit)
    if mount is not None and (now or not records):
        try:
            report.differences_now = compare_image(arch, fs.app_view(mount))
        except LookupError:
            report.notes.append(f"{mount}: no such file system now")
    if not records:
        report.differences_at_detach = list(report.differences_now) if mount else []
    return report


def _judge_live_source(host: Host, report: BackupReport, unit: str) -> None:
    """With no detach recorded: was the dumped device a live submirror, or the volume of a
    mounted file system? Then the archive is not a consistent image (module doc)."""
    setname, _, short = unit.rpartition("/")
    s = host.md.sets.get(setname)
    u = s.units.get(short) if s is not None else None
    fs = host.fs
    if u is not None and u.parent is not None:
        mirror = s.display(u.parent) if s is not None else u.parent
        if fs.fs_on_device(md_device(mirror)) is not None:
            report.consistent = False
            report.inconsistency = (f"{unit} was dumped while attached to {mirror} (a live "
                                    "submirror: it takes every write the mirror takes)")
        return
    mount = fs.mount_of(report.device) if report.device.startswith("/dev/") else None
    mounted = fs.fs_on_device(report.device) if mount is not None else None
    busy = mounted is not None and mounted.written
    if mount is not None and busy and fs.lock_of(mount) != "write":
        report.consistent = False
        report.inconsistency = (f"{report.device} is the volume of {mount}, mounted and "
                                "written to while it was dumped")


def _mount_of_mirror(fs: FileSystems, mirror: str) -> str | None:
    """Where the mirror a submirror left is mounted (None: not mounted)."""
    return fs.mount_of(md_device(mirror)) or None

