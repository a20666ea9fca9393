"""The shortcuts of the file system side (issue 17) answer what the plain ways answer.

``mount_point`` takes an already normal absolute path as it is; ``FileSystems.resolve`` finds
the longest mount point in one pass and skips the pseudo mount points a path's first
component rules out; device names are kept as worked out (core/names.py ``block_device``,
``raw_device``, ``device_unit``; ``_unit_named``) and geometries per size
(``Geometry.for_device``); an image's ``copy`` and ``snapshot`` copy its fields without
``dataclasses.replace``. Each is compared here with the plain computation it stands for.
"""

from __future__ import annotations

import dataclasses

import pytest
from fshelpers import make_host
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator.core.names import block_device, device_unit, raw_device
from simulator.core.strerror import SysError
from simulator.ufs import filesystems as fsmod
from simulator.ufs.filesystems import ROOT_DIRS, FileSystem, FileSystems, mount_point
from simulator.ufs.image import ROOT, Geometry, Image, norm_path
from simulator.ufs.tables import LATE_MOUNTS, PSEUDO_MOUNTS

SEGMENTS = ["", ".", "..", "a", "home1", "home", "proc", "tmp", "x.y", ".x", "var", "run",
            "etc", "mnttab", "net", "data"]
paths = st.lists(st.sampled_from(SEGMENTS), max_size=5).map("/".join)


def plain_mount_point(path: str) -> str:
    rel = norm_path(path)
    return "/" if rel == ROOT else "/" + rel


@given(st.booleans(), paths)
def test_mount_point_is_the_normal_form(absolute: bool, path: str) -> None:
    p = ("/" + path) if absolute else path
    assert mount_point(p) == plain_mount_point(p)


def plain_resolve(core: FileSystems, path: str, cwd: str = "/"
                  ) -> tuple[FileSystem | None, str]:
    """``resolve`` as it was written before its shortcuts (every candidate compared)."""
    if not path.startswith("/"):
        path = cwd.rstrip("/") + "/" + path
    full = plain_mount_point(path)
    best: FileSystem | None = None
    for fs in core.mounted_ufs():
        if full == fs.mount or full.startswith(fs.mount.rstrip("/") + "/"):
            if best is None or len(fs.mount) > len(best.mount):
                best = fs
    pseudo = [m for _, m, *_ in PSEUDO_MOUNTS + LATE_MOUNTS
              if (full == m or full.startswith(m + "/")) and not core._shadowed(m)]
    if pseudo and (best is None or len(max(pseudo, key=len)) > len(best.mount)):
        return None, full
    assert best is not None
    rel = norm_path(full[len(best.mount):]) if best.mount != "/" else norm_path(full)
    if best.mount == "/":
        known = full in ROOT_DIRS or any(
            (fs.mount == full or fs.mount.startswith(full.rstrip("/") + "/"))
            for fs in core.filesystems.values())
        if not known and (best.synthetic or best.live.get(rel) is None):
            raise SysError("ENOENT")
    elif best.lock == "hard" and rel != ROOT:
        raise SysError("EIO")
    elif best.live.get(rel) is None:
        raise SysError("ENOENT")
    return best, rel


def _answer(f, *args):  # type: ignore[no-untyped-def]
    try:
        fs, rel = f(*args)
    except SysError as e:
        return "error", e.errno
    return (fs.mount if fs is not None else None), rel


@pytest.fixture(scope="module")
def core() -> FileSystems:
    """/home1 on d1, a UFS mounted over /tmp (shadowing the pseudo one) and one under
    /home1; /home1/data exists."""
    h, fs = make_host(files=50)
    h.add_stripe("d20", "c5t0d0s0")
    h.add_stripe("d21", "c6t0d0s0")
    fs.add_ufs("/dev/md/dsk/d20", "/tmp", size=20000, files=5, seed=3)
    fs.add_ufs("/dev/md/dsk/d21", "/home1/data", size=20000, files=5, seed=4)
    return fs


@settings(max_examples=300, deadline=None)
@given(st.booleans(), paths, st.sampled_from(["/", "/home1", "/tmp", "/var"]))
def test_resolve_answers_as_the_plain_walk(core: FileSystems, absolute: bool, path: str,
                                           cwd: str) -> None:
    p = ("/" + path) if absolute else path
    assert _answer(core.resolve, p, cwd) == _answer(plain_resolve, core, p, cwd)


NAMES = ["d1", "d010", "blue/d3", "/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/dev/md/blue/rdsk/d7",
         "/dev/md/blue/dsk/d7", "c1t0d0s0", "/dev/dsk/c1t0d0s0", "/dev/rdsk/c1t0d0s0",
         "/dev/did/rdsk/d3s0", "/dev/rmt/0", "/home1", "", "hsp001", "/dev/md/dsk/x"]


@pytest.mark.parametrize("name", NAMES)
def test_kept_names_are_the_names(name: str) -> None:
    assert block_device(name) == block_device.__wrapped__(name)
    assert raw_device(name) == raw_device.__wrapped__(name)
    unit = device_unit(name)
    assert unit == device_unit.__wrapped__(name)
    blk = device_unit.__wrapped__(block_device.__wrapped__(name))
    assert fsmod._unit_named(name) == ((blk.setname, blk.short) if blk else None)


@pytest.mark.parametrize("size", [2048, 409600, 4194304, 16777216, 71674880, 2**31 + 7,
                                  34359738368])
@pytest.mark.parametrize("min_inodes", [0, 2000, 10**6])
def test_kept_geometry_is_the_worked_out_one(size: int, min_inodes: int) -> None:
    from simulator.ufs.image import _geometry
    kept = Geometry.for_device(size, min_inodes)
    assert kept == _geometry.__wrapped__(size, min_inodes)
    assert type(kept.size_blocks) is int


def test_image_copies_are_replace_copies() -> None:
    h, fs = make_host(rate=5.0, creates=1.0, files=50)
    h.advance(120.0)
    img = fs.filesystems["/home1"].live
    img.damaged["a"] = "unref"
    for frozen, made in ((True, img.snapshot()), (False, img.copy())):
        plain = dataclasses.replace(img, _overlay=dict(img._overlay),
                                    damaged=dict(img.damaged), lost=dict(img.lost),
                                    frozen=frozen, _made=dict(img._made))
        assert type(made) is Image
        assert made.__dict__ == plain.__dict__
        for name in ("_overlay", "damaged", "lost", "_made"):
            assert getattr(made, name) is not getattr(img, name)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**40])
def test_kept_loose_draw_is_the_draw(seed: int) -> None:
    from simulator.ufs.image import _loose_draw, rnd
    assert _loose_draw(seed) == rnd(seed, 99)


MOVES = ["remount", "umount", "tmp_on_data", "forget_order", "rekey", "root_elsewhere"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(MOVES), max_size=4),
       st.lists(st.sampled_from(["/home1", "/tmp", "/home1/data", "/var/tmp/m", "/mnt",
                                 "/", "/proc", "/home1/data/x", "/tmp/"]), min_size=1,
                max_size=6))
@example(["remount", "tmp_on_data"], ["/home1/data", "/mnt", "/tmp"])
@example(["forget_order"], ["/home1", "/home1/data", "/tmp"])
@example(["rekey", "root_elsewhere"], ["/var/tmp/m", "/home1/data", "/mnt"])
def test_resolve_of_a_mount_point_answers_as_the_plain_walk(moves: list[str],
                                                            asked: list[str]) -> None:
    """The mount point shortcut (a path that is the mount point of the UFS kept under it)
    against the plain walk, in states where the kept file system is not the one mounted
    there: remounted elsewhere, unmounted, another mounted there, missing from the mount
    order, kept under another key, the root record's mount point changed."""
    h, fs = make_host(files=20)
    h.add_stripe("d20", "c5t0d0s0")
    h.add_stripe("d21", "c6t0d0s0")
    fs.add_ufs("/dev/md/dsk/d20", "/tmp", size=20000, files=5, seed=3)
    fs.add_ufs("/dev/md/dsk/d21", "/home1/data", size=20000, files=5, seed=4)
    for move in moves:
        data = fs.filesystems.get("/home1/data")
        if move in ("remount", "umount", "tmp_on_data"):
            try:                                 # (refused where the state does not allow)
                if move == "remount":
                    fs.umount("/dev/md/dsk/d21")
                    fs.mount("/dev/md/dsk/d21", "/mnt", in_view="dir")
                elif move == "umount":
                    fs.umount("/tmp")
                else:                            # kept as /home1/data#1 while the one kept
                    fs.umount("/dev/md/dsk/d20")    # as /home1/data is mounted elsewhere
                    fs.mount("/dev/md/dsk/d20", "/home1/data", in_view="dir")
            except (SysError, AssertionError):   # (no file system: the root moved off /)
                pass
        elif move == "forget_order" and fs.mount_order:
            fs.mount_order.pop(0)
        elif move == "rekey" and data is not None:
            fs.filesystems["/var/tmp/m"] = fs.filesystems.pop("/home1/data")
        elif move == "root_elsewhere":
            fs.root().mount = "/mnt"
    for p in asked:
        assert _any_answer(fs.resolve, p) == _any_answer(plain_resolve, fs, p)


def _any_answer(f, *args):  # type: ignore[no-untyped-def]
    """:func:`_answer`, or the kind of failure (a root record moved off ``/`` leaves a path
    under no file system: both ways fail alike)."""
    try:
        return _answer(f, *args)
    except AssertionError:
        return "no file system"
