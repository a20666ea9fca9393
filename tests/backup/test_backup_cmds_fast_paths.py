"""The seed procedure's shortcuts (issue 17) give what the plain computations give: the
header copied by hand, the writer's archives taken in the plan's order, a tape's archive
read back without rendering its text, the vocabulary cache found without
importlib.metadata, and Host.run splitting a plain line without shlex."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import random
import shlex
from pathlib import Path

import pytest

import simulator.backup.archive as archive_mod
from simulator import Host
from simulator.backup.archive import Archive, ArchiveHeader, WrittenText, parse
from simulator.backup.cmd.ufsdump.tape import Writer
from simulator.backup.verify import verify_backup
from simulator.host import split_command
from simulator.scenario import WorkloadSpec
from simulator.ufs import image as image_mod


def make_host(files: int = 300, size: int = 70000, rate: float = 0.0) -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    wl = WorkloadSpec(writes_per_second=rate, creates_per_second=rate / 8) if rate else None
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=size, files=files, seed=5, workload=wl)
    return h


def test_a_headers_dict_is_asdicts_and_its_copy_the_dataclasss() -> None:
    """ArchiveHeader.to_dict is dataclasses.asdict: the same keys in the same order, the
    same values, the containers copies of the header's; ArchiveHeader.copy is the header
    made again from that dict with the changes."""
    plain = ArchiveHeader(0, 1, 0, "h", "/dev/md/rdsk/d3", "/home1")
    full = ArchiveHeader(1, 1795600000, 1795500000, "h", "/dev/md/rdsk/d3", "/home1", "lbl",
                         2, 3, False, 126, 2048, 9999, 4096, False, {"a/b": "unref"},
                         [2, 300, 900], [[2, 8], [10, 4000]], 17, 3)
    for h in (plain, full):
        d = h.to_dict()
        assert d == dataclasses.asdict(h)
        assert list(d) == [f.name for f in dataclasses.fields(h)]
        assert d["damaged"] is not h.damaged and d["volume_inodes"] is not h.volume_inodes
        assert all(a is not b for a, b in zip(d["inuse_ranges"], h.inuse_ranges, strict=True))
        assert ArchiveHeader.from_dict(d) == h
        c = h.copy(complete=True, volume=4)
        assert c == ArchiveHeader(**{**dataclasses.asdict(h), "complete": True, "volume": 4})
        assert h.copy() == h and c.damaged is not h.damaged
        assert c.volume_inodes is not h.volume_inodes
        assert all(a is not b for a, b in zip(c.inuse_ranges, h.inuse_ranges, strict=True))
        with pytest.raises(TypeError):
            h.copy(colour="red")


def _plain_archive(w: Writer, complete: bool, upto: int | None, volume: int) -> Archive:
    """Writer.archive as it was: the entries split by ``dumped`` at every call."""
    h = ArchiveHeader(**{**dataclasses.asdict(w.header), "complete": complete,
                         "volume": volume})
    dumped = [e for e in w.entries if e.dumped]
    names = [e for e in w.entries if not e.dumped]
    if upto is not None and upto < len(dumped):
        h.written = upto
        ndirs = sum(1 for e in dumped if e.kind == "d")
        if upto < ndirs:
            return Archive(h, dumped[:upto])
    return Archive(h, dumped + names)


def test_the_writers_archives_are_the_plain_split(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every archive a writer makes -- a level 0, an incremental (names of unchanged files),
    a dump that dies among the directories and in Pass IV, one over two volumes -- equals
    the one splitting the entries by ``dumped`` gives; the plans keep their order (dumped
    entries, directories first, then the names only)."""
    made: list[tuple[Archive, Archive]] = []
    real = Writer.archive

    def checked(self: Writer, complete: bool, upto: int | None = None,
                volume: int = 1) -> Archive:
        arch = real(self, complete, upto, volume)
        made.append((arch, _plain_archive(self, complete, upto, volume)))
        kinds = [e.kind == "d" for e in self.plan.entries]
        assert all(e.dumped for e in self.plan.entries)
        assert not any(e.dumped for e in self.plan.names)
        assert kinds == sorted(kinds, reverse=True)
        return arch
    monkeypatch.setattr(Writer, "archive", checked)
    h = make_host(files=400, rate=0.2)
    assert h.run(f"ufsdump 0uf {tmp_path}/l0 /home1").exit_code == 0
    h.advance(900)
    h.fs.sync(h.fs.filesystems["/home1"])
    assert h.run(f"ufsdump 1uf {tmp_path}/l1 /home1").exit_code == 0
    assert any(not e.dumped for e in parse((tmp_path / "l1").read_bytes()).entries)
    for fraction in (0.02, 0.5, 0.9):
        h.backups.fail_after_fraction = fraction
        assert h.run(f"ufsdump 0uf {tmp_path}/x /home1").exit_code == 3
    big = make_host(files=300, size=200000)
    big.backups.add_tape(device="/dev/rmt/0", capacity=150000)
    r = big.run("ufsdump 0ucf /dev/rmt/0 /home1", interactive=True, stdin="sure\nyes\n")
    assert r.exit_code == 0 and "on 2 volumes" in r.stderr
    for cart in big.backups.tape("/dev/rmt/0").cartridges:      # type: ignore[union-attr]
        for tf in cart.files:
            assert tf.text
    assert len(made) > 8
    for fast, slow in made:
        assert fast == slow
        assert fast.to_text() == slow.to_text()
    assert any(not fast.complete and len(fast.entries) < 40 for fast, _ in made)


def test_a_tapes_archive_is_taken_unrendered_as_parsing_gives_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict reads a tape a dump wrote without rendering its text: the archive is
    the one parsing the text gives, and the report the one from the rendered, parsed tape
    (complete and cut short, one and two volumes)."""
    def reports(h: Host) -> tuple[object, str]:
        r = verify_backup(h, "/dev/rmt/0")
        return r.to_dict(), r.text(h)

    def hosts() -> list[Host]:
        a = make_host(files=300, rate=2.0)
        a.advance(300)
        for step in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1",
                     "ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3", "metattach d1 d3"):
            assert a.run(step).exit_code == 0
        b = make_host(files=300, size=200000)
        b.backups.add_tape(device="/dev/rmt/0", capacity=150000)
        assert b.run("ufsdump 0ucf /dev/rmt/0 /home1", interactive=True,
                     stdin="sure\nyes\n").exit_code == 0
        c = make_host(files=300, size=200000)
        c.backups.add_tape(device="/dev/rmt/0", capacity=60000)
        assert c.run("ufsdump 0ucf /dev/rmt/0 /home1").exit_code == 3
        return [a, b, c]
    fast_hosts = hosts()
    pending = 0
    for h in fast_hosts:
        for cart in h.backups.tape("/dev/rmt/0").cartridges:    # type: ignore[union-attr]
            for tf in cart.files:
                render = tf.pending()
                if isinstance(render, WrittenText):
                    pending += 1
                    assert render.parsed() == archive_mod._parse(render())
                    tf.rewrite(render)                       # unrendered again
    assert pending >= 4
    fast = [reports(h) for h in fast_hosts]
    assert all(tf.pending() is not None for h in fast_hosts
               for cart in h.backups.tape("/dev/rmt/0").cartridges  # type: ignore[union-attr]
               for tf in cart.files)
    with monkeypatch.context() as m:
        m.setattr(archive_mod, "_recall", lambda data: None)
        slow_hosts = hosts()
        for h in slow_hosts:
            for cart in h.backups.tape("/dev/rmt/0").cartridges:  # type: ignore[union-attr]
                for tf in cart.files:
                    assert tf.text                               # rendered: parsed
        slow = [reports(h) for h in slow_hosts]
    assert fast == slow


def test_fakers_version_is_importlib_metadatas() -> None:
    """The vocabulary cache's Faker version, read from its dist-info directory's name, is
    the one importlib.metadata gives."""
    assert image_mod._faker_version() == importlib.metadata.version("faker")


def test_a_command_line_splits_as_shlex_splits_it() -> None:
    """split_command is shlex.split for plain lines and for quoted, escaped, oddly spaced
    and unbalanced ones (the same words, the same error)."""
    chars = list("ab /-_.'\"\\\t\r\n\x0b\x0c\x1c\x85\xa0\u2003\u00e9#;|&$()*0")
    rng = random.Random(17)
    lines = ["metastat d1", "  ufsdump 0ucf /dev/rmt/0   /dev/md/rdsk/d3 ", "", " \t ",
             "echo 'a b' c", 'x "y', "a\\ b", "a\u00a0b", "a\x0bb"]
    lines += ["".join(rng.choice(chars) for _ in range(rng.randint(0, 14)))
              for _ in range(20000)]
    for line in lines:
        try:
            want: object = shlex.split(line)
        except ValueError as e:
            want = ("error", str(e))
        try:
            got: object = split_command(line)
        except ValueError as e:
            got = ("error", str(e))
        assert got == want, line


def test_read_error_without_failures_and_with_one() -> None:
    """With no disk failed and no slice erring every device reads (the shortcut); a failed
    disk under a detached submirror still makes it unreadable, the mirror still reads."""
    h = make_host(files=50)
    for dev in ("/dev/md/rdsk/d1", "/dev/md/rdsk/d3", "d2", "c1t0d0s0", "/dev/md/rdsk/d9"):
        assert h.md.read_error(dev) is None
    assert h.run("metadetach d1 d3").exit_code == 0
    comp = h.unit("d3").components[0].device          # type: ignore[attr-defined]
    h.disks[comp[:-2]].failed = True
    assert h.md.read_error("/dev/md/rdsk/d3") is not None
    assert h.md.read_error("/dev/md/rdsk/d1") is None


def test_a_base_trees_view_from_its_dump_index_is_the_walks() -> None:
    """The verdict's view of a base tree, made from the entries a dump's index holds, is
    the one made walking the tree (the same names, entries and fields), and the verdict is
    the same either way."""
    import simulator.backup.backups as backups
    import simulator.backup.verify as verify

    def verdict(h: Host) -> tuple[object, str]:
        r = verify_backup(h, "/dev/rmt/0")
        return r.to_dict(), r.text(h)
    h = make_host(files=500, rate=2.0)
    h.advance(120)
    for step in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1",
                 "ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3"):
        assert h.run(step).exit_code == 0
    base = h.fs.detach_records[-1].app_image.base
    files = backups.indexed_entries(base)
    assert files is not None and len(files) == base.count()
    verify._BASE_VIEWS.pop(base, None)
    from_index = verdict(h)
    view = verify._BASE_VIEWS.pop(base)
    walked = {verify._dump_path(e.path): (e, verify._fields(e)) for e in base.entries()}
    assert view == walked
    backups._INDEXES.pop(base)
    assert backups.indexed_entries(base) is None
    assert verdict(h) == from_index
    assert verify._BASE_VIEWS[base] == walked
