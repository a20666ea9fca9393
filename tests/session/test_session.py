"""The one session both fronts run on: dispatch, record, sleep, hang, files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from simulator import HostHung, build_host
from simulator.session.checks import Expectations
from simulator.session.hostfiles import (
    MD_TAB,
    MD_TAB_HEADER,
    FileMirror,
    device_nodes,
    view_files,
)
from simulator.session.session import Session


class DictView:
    """A driver's view held in a dict: what FileMirror writes, and what a driver left."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.nodes: set[str] = set()
        self.writes: list[str] = []

    def prepare(self, host: object) -> None:
        return None

    def exists(self, path: str) -> bool:
        return path in self.files

    def read(self, path: str) -> str | None:
        return self.files.get(path)

    def write(self, path: str, text: str) -> None:
        self.files[path] = text
        self.writes.append(path)

    def add_node(self, path: str) -> None:
        self.nodes.add(path)

    def remove_node(self, path: str) -> None:
        self.nodes.discard(path)


def test_a_call_is_recorded_with_its_changes() -> None:
    session = Session(build_host("seed-example"))
    call = session.dispatch(["/usr/sbin/metadetach", "d1", "d3"], cwd="/var/tmp")
    assert (call.index, call.name, call.exit_code, call.cwd) == (1, "metadetach", 0, "/var/tmp")
    assert call.stdout == "d1: submirror d3 is detached\n"
    assert call.stdout_bytes == call.stdout.encode() and call.stderr == ""
    assert call.changes == ["d1: submirror d3 detached"]
    assert call.end > call.start
    assert session.transcript.detached == {"d1": ["d3"]}
    assert session.transcript.min_okay["d1"][0] == 2
    assert session.transcript.calls == [call]


def test_lazy_stdin_is_recorded_as_read() -> None:
    session = Session(build_host("seed-example"))
    dump = session.dispatch(["ufsdump", "0f", "-", "/dev/md/rdsk/d3"])
    assert dump.exit_code == 0 and dump.stdout_bytes
    listing = session.dispatch(["ufsrestore", "tf", "-"],
                               stdin_file=io.BytesIO(dump.stdout_bytes))
    assert listing.exit_code == 0 and "./lost+found" in listing.stdout
    assert listing.stdin == dump.stdout_bytes


def test_a_call_that_hangs_the_host_returns_and_later_calls_raise() -> None:
    session = Session(build_host("seed-example"))
    call = session.dispatch(["lockfs", "-w", "/"])
    assert call.exit_code == 0 and session.hung
    with pytest.raises(HostHung):
        session.dispatch(["metastat"])
    assert len(session.transcript.calls) == 1
    (hang,) = [c for c in session.verdict(None, Expectations()) if c.name == "no-hang"]
    assert not hang.held and hang.evidence == [call]


def test_sleep_is_recorded_and_advance_is_not() -> None:
    session = Session(build_host("seed-example"))
    t0 = session.host.clock.now
    session.sleep(60)
    session.sleep(0)
    session.advance(30)
    assert [(s.start, s.seconds) for s in session.transcript.sleeps] == [(t0, 60)]
    assert session.host.clock.now == t0 + 90


def test_a_dump_file_is_kept_as_the_dump_left_it(tmp_path: Path) -> None:
    session = Session(build_host("seed-example"))
    dest = tmp_path / "home1.dump"
    call = session.dispatch(["ufsdump", "0Mf", str(tmp_path), str(dest), "/dev/md/rdsk/d3"])
    assert call.exit_code == 0
    assert call.archive == dest.read_bytes()


# ---------------------------------------------------------------------------- the mirror
def test_the_mirror_writes_what_changed_and_what_the_driver_removed() -> None:
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view, messages=True)
    mirror.push()
    assert set(view.files) == {"/etc/vfstab", "/etc/mnttab", MD_TAB, "/etc/lvm/mddb.cf",
                               "/etc/dumpdates", "/etc/nodename", "/var/adm/messages",
                               "/etc/release", "/etc/system"}
    assert view.nodes == set(device_nodes(host))
    view.writes.clear()
    mirror.push()
    assert view.writes == []                       # nothing changed: nothing written
    del view.files["/etc/vfstab"]
    host.run("umount -f /home1")
    mirror.push()
    assert sorted(view.writes) == ["/etc/mnttab", "/etc/vfstab"]


def test_the_mirror_adds_and_removes_metadevice_nodes() -> None:
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view)
    mirror.push()
    assert "/var/adm/messages" not in view.files
    host.run("metainit d50 1 1 c1t0d0s7")
    mirror.push()
    assert {"/dev/md/dsk/d50", "/dev/md/rdsk/d50"} <= view.nodes
    host.run("metaclear d50")
    mirror.push()
    assert not {"/dev/md/dsk/d50", "/dev/md/rdsk/d50"} & view.nodes


def test_a_driver_md_tab_reaches_the_host_and_stays_the_drivers() -> None:
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view)
    session = Session(host, mirror)
    mirror.push()
    assert view.files[MD_TAB] == MD_TAB_HEADER
    view.files[MD_TAB] = ""                   # ``metastat -p > md.tab``: truncated first
    session.dispatch(["metastat", "-p"])
    assert view.files[MD_TAB] == ""           # not the header over the driver's file
    view.files[MD_TAB] = "d60 1 1 c2t0d0s7\n"    # then the shell writes the output
    call = session.dispatch(["metainit", "d60"])
    assert call.stdout == "d60: Concat/Stripe is setup\n"
    assert host.md.mdtab == "d60 1 1 c2t0d0s7\n"


def test_the_mirror_writes_a_file_exactly_when_a_call_changed_it() -> None:
    """After every call the view shows the host's files as made anew (the mirror keeps
    mnttab's text while what it is made of is unchanged: never past a change), and a call
    writes exactly the files whose text it changed: none for metastat."""
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view, messages=True)
    session = Session(host, mirror)
    mirror.push()
    view.writes.clear()
    for _ in range(3):
        session.dispatch(["metastat", "d1"])
        session.dispatch(["metastat", "-p"])
    assert view.writes == []
    steps = [(["umount", "-f", "/home1"], "/etc/mnttab"),
             (["mount", "-o", "ro", "/home1"], "/etc/mnttab"),
             (["lockfs", "-w", "/home1"], None),
             (["umount", "-f", "/home1"], "/etc/mnttab"),
             (["mount", "-o", "nologging", "/dev/md/dsk/d1", "/home1"], "/etc/mnttab"),
             (["metastat", "d1"], None),
             (["metadb", "-a", "-c", "2", "c2t0d0s7"], "/etc/lvm/mddb.cf"),
             (["metadetach", "d1", "d3"], None),
             (["metattach", "d1", "d3"], None)]
    for argv, changed in steps:
        before = dict(view.files)
        view.writes.clear()
        assert session.dispatch(argv).exit_code == 0, argv
        fresh = view_files(host, messages=True)
        assert view.files == fresh, argv
        assert sorted(view.writes) == sorted(p for p in fresh if fresh[p] != before[p]), argv
        assert (changed in view.writes) if changed else (
            "/etc/mnttab" not in view.writes and "/etc/lvm/mddb.cf" not in view.writes), argv


def test_mnttab_is_made_anew_when_anything_it_shows_changes() -> None:
    """Each input of mnttab (FileSystems.mnttab_inputs), changed behind the commands' back:
    the mirror's next push shows the new text."""
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view)
    mirror.push()
    fs = host.fs.filesystems["/home1"]
    pokes = {"logging": lambda: setattr(fs.image, "logging", False),
             "options": lambda: setattr(fs, "mount_opts", "nosuid"),
             "read-only": lambda: setattr(fs, "readonly", True),
             "mount time": lambda: setattr(fs, "mount_time", fs.mount_time + 1),
             "boot time": lambda: setattr(host.fs, "boot_time", host.fs.boot_time - 60),
             "device": lambda: setattr(fs, "device", "/dev/md/dsk/d3"),
             "unmounted": lambda: setattr(fs, "mounted", False)}
    for what, poke in pokes.items():
        before = view.files["/etc/mnttab"]
        poke()
        mirror.push()
        assert view.files["/etc/mnttab"] == host.fs.mnttab_text() != before, what


def test_device_nodes_follow_every_input_changed_behind_the_commands_back() -> None:
    """The mirror keeps its device nodes while device_node_inputs are equal: a new
    metadevice, a disk's new slice and a tape drive each show at the next push."""
    host = build_host("seed-example")
    view = DictView()
    mirror = FileMirror(host, view)
    mirror.push()
    disk = next(iter(host.disks.values()))
    free = next(n for n in range(8) if n not in disk.slices)
    pokes = {"unit": lambda: host.md.sets[""].units.__setitem__(
                 "d77", host.md.sets[""].units["d1"]),
             "slice": lambda: disk.slices.__setitem__(free, next(iter(disk.slices.values()))),
             "tape": lambda: host.backups.tapes.__setitem__(
                 "/dev/rmt/1", next(iter(host.backups.tapes.values())))}
    for what, poke in pokes.items():
        before = set(view.nodes)
        poke()
        mirror.push()
        assert view.nodes == set(device_nodes(host)) != before, what
