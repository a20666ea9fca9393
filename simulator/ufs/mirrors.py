"""The images submirrors hold: divergence, detach records and the image a detach leaves.

Every attached, in-sync submirror holds the mirror's image. A submirror that stops taking
writes (offline, detached, or being attached: md_mirror.c sends writes only to submirrors in
``SMS_RUNNING``/``SMS_RESYNC``-with-``resync_done``) gets its own frozen image the moment it
diverges; a detached one keeps the image it had at detach time -- a consistent copy of the
file system when it was write-locked, and otherwise one with half-applied changes
(:func:`detached_image`). A finished resync makes it follow the mirror again.

:class:`Mirrors` is a part of :class:`simulator.ufs.filesystems.FileSystems` (a mixin); it
answers the md model's ``on_detached``/``on_resynced`` hooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.core.names import device_slice, md_device
from simulator.lvm.md.records import MDSet, Mirror, SubmirrorSlot
from simulator.lvm.md.states import SmState
from simulator.ufs.image import Image, rnd
from simulator.ufs.workload import PendingOp, SampledOps, apply_op

if TYPE_CHECKING:
    from simulator.ufs.filesystems import FileSystem
    from simulator.ufs.parts import FsCore


# submirror state bits as plain ints (an IntFlag's ``&`` makes an enum member, ~8x slower:
# these are tested at every step of virtual time, simulator/ufs/locks.py)
OFFLINE_STATES = int(SmState.OFFLINE | SmState.OFFLINE_RESYNC)
ATTACHED_STATE = int(SmState.ATTACHED)
RUNNING = SmState.RUNNING


@dataclass
class DetachRecord:
    """What ``metadetach`` left: the submirror's image and the file system applications saw."""

    mirror: str
    submirror: str
    time: float
    locked: bool
    disk_image: Image
    app_image: Image


def _set_holding(sets: dict[str, MDSet], m: Mirror) -> MDSet | None:
    """The set whose units hold the mirror ``m`` (None: none does), for the md hooks."""
    name = m.name
    for st in sets.values():
        if st.units.get(name) is m:
            return st
    return None


def qualified(setname: str, unit: str) -> str:
    """``blue/d1`` for a unit of a named set, ``d1`` for the local set (``frozen`` keys)."""
    return f"{setname}/{unit}" if setname else unit


class Mirrors:
    """Which image each metadevice and slice holds, and what a detach leaves."""

    def image_of(self: FsCore, device: str) -> Image | None:
        """The image ``device`` holds (``/dev/md/rdsk/d3``, ``d3``, ``/dev/dsk/c1t0d0s0``)."""
        dev = self.block_name(device)
        fs = self.fs_on_device(dev)
        if fs is not None:
            return fs.image
        unit = self._unit(dev)
        if unit is not None:
            return self._unit_image(*unit)
        sl = device_slice(dev)
        if sl is not None:
            owner = self.host.md.component_owner(sl)
            if owner is not None:
                return self._unit_image(owner[0].name, owner[1].name)
        return None

    def _unit_image(self: FsCore, setname: str, unit: str) -> Image | None:
        key = qualified(setname, unit)
        if key in self.frozen:
            return self.frozen[key]
        s = self.host.md.sets.get(setname)
        u = s.units.get(unit) if s else None
        if u is None:
            return None
        fs = self.fs_on_device(md_device(key))
        if fs is not None:
            return fs.image
        if u.parent is not None:
            return self._unit_image(setname, u.parent)
        return None

    def _mirror_on(self: FsCore, fs: FileSystem) -> tuple[MDSet, Mirror] | None:
        """(its set, the mirror) when ``fs`` is on a mirror; None otherwise (every step of
        virtual time asks, of each file system: the kept name is read directly)."""
        unit = self._unit(fs.device)
        if unit is None:
            return None
        s = self.host.md.sets.get(unit[0])
        if s is None:
            return None
        m = s.units.get(unit[1])
        return (s, m) if isinstance(m, Mirror) else None

    def _stale_submirrors(self: FsCore, on: tuple[MDSet, Mirror]
                          ) -> list[tuple[SubmirrorSlot, str]]:
        """(submirror, its key in ``frozen``) of each submirror of the mirror ``on`` that a
        write to it must tell: an offline one (each write is a region it misses) and one
        being attached that has no image of its own yet (it keeps what it had). None: the
        mirror's writes stay in its own image whenever they are made."""
        s, m = on
        out = []
        for slot in m.submirrors:
            if slot.state is RUNNING:
                continue                 # in sync (neither offline nor attaching): the most
            state = int(slot.state)      # often, asked at every step of virtual time
            if state & OFFLINE_STATES:
                out.append((slot, s.display(slot.name)))
            elif state & ATTACHED_STATE:
                key = s.display(slot.name)
                if key not in self.frozen:
                    out.append((slot, key))
        return out

    def _diverge_stale_submirrors(self: FsCore, fs: FileSystem, blocks: int) -> None:
        """Submirrors that take no writes (offline, being attached) keep what they had."""
        on = self._mirror_on(fs)
        if on is None:
            return
        for slot, key in self._stale_submirrors(on):
            if int(slot.state) & OFFLINE_STATES:
                slot.dirty_blocks += max(1, blocks)
            if key not in self.frozen:
                self.frozen[key] = fs.image.snapshot()

    # ------------------------------------------------------------------ md hooks
    def _on_detached(self: FsCore, m: Mirror, sub: str) -> None:
        s = _set_holding(self.host.md.sets, m)
        setname = s.name if s else ""
        key = qualified(setname, sub)
        fs = self.fs_on_device(md_device(qualified(setname, m.name)))
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
        how = self.damage_on_detach.pop(key, None)
        if how is not None:
            _damage_image(disk, how)
        self.detach_records.append(DetachRecord(s.display(m.name) if s else m.name,
                                                key, self.host.clock.now, locked,
                                                disk.snapshot(), app))

    def damage(self: FsCore, unit: str, how: str) -> str:
        """An injected fault leaves damage on ``unit``'s copy (simulator.faults.kinds.ufs):
        ``fixable`` (fsck finds block counts and unreferenced files to repair, Phase 1/4,
        and the summaries wrong, Phase 5), ``torn`` (the same, with the clean flag off: writes
        bypassing the lock were in flight), ``unfixable`` (fsck cannot repair it: exit 36),
        ``superblock`` (the superblock cannot be read: exit 39). On a detached submirror it
        is there now; on one still attached it is left there when it is detached (the
        mirror's other copies are whole). Returns the note the fault log shows."""
        if unit not in self.frozen:
            self.damage_on_detach[unit] = how
            return f"{unit}'s copy will be damaged ({how}) when it is detached"
        _damage_image(self.frozen[unit], how)
        return f"{unit}'s copy is damaged ({how})"

    def _on_resynced(self: FsCore, m: Mirror, sub: str) -> None:
        s = _set_holding(self.host.md.sets, m)
        key = s.display(sub) if s else sub
        self.frozen.pop(key, None)


def _damage_image(img: Image, how: str) -> None:
    """What an injected fault leaves on a copy (see ``Mirrors.damage``): a few regular files
    with wrong block counts or unreferenced, the summaries wrong, or an unfixable mark."""
    if how in ("unfixable", "superblock"):
        img.unfixable = "bad" if how == "unfixable" else "superblock"
        img.clean = False
        return
    files = [e.path for _, e in zip(range(400), img.entries(), strict=False) if e.kind == "f"]
    for i, path in enumerate(files[3:6]):
        img.damaged[path] = ("blockcount", "unref", "unref-zero")[i % 3]
    img.summary_wrong = True
    if how == "torn":
        img.clean = False


def detached_image(disk: Image, pending: list[PendingOp], logging: bool, now: float,
                   crash: bool = False) -> Image:
    """The image a submirror holds when it stops taking writes with ``pending`` in flight.

    Logging UFS: metadata of committed transactions is in the on-disk log (fsck rolls it,
    setup.c logsetup/rl_roll_log, so fsck finds nothing), the data of in-flight writes is not
    on disk: those files have their new size and times but torn contents. Without logging,
    each in-flight operation is half applied and fsck will find it (``damaged``), the cylinder
    group summaries are stale and the superblock is not clean.
    """
    if not pending:
        return disk.snapshot()                   # what it holds, as it is
    img = disk.copy()
    for op in pending:
        r = rnd(op.opid, 0xD37)
        if isinstance(op, SampledOps):           # older than any write in flight: on disk
            apply_op(img, op)
            continue
        if logging:
            if r % 10 < 7:                       # committed to the log: metadata is there
                apply_op(img, op, torn=op.kind != "delete")
            continue
        _half_apply(img, op, r)
    if not logging:
        img.clean = False
        if any(op.kind in ("create", "delete") or op.grows for op in pending
               if not isinstance(op, SampledOps)):
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
