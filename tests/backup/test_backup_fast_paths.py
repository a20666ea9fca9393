"""The dump's and the verdict's shortcuts give what the plain computations give (issue 17):
a base tree's archive lines kept with its dump index, an archive recalled by the very bytes
ufsdump wrote instead of parsed again, and the view of an image made from its base tree's
and its overlay instead of walking it in order."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator.backup.archive as archive_mod
import simulator.backup.backups as backups
import simulator.backup.verify as verify
from simulator import Host
from simulator.backup.archive import Archive, ArchiveError, parse
from simulator.backup.verify import compare, compare_image, verify_backup
from simulator.scenario import WorkloadSpec
from simulator.ufs.image import S_IFDIR, S_IFREG, FileEntry

SAID: list[str] = []
# (seed, files, writes a second, creates a second)
CASES = [(3, 300, 0.0, 0.0), (5, 600, 4.0, 0.5), (11, 150, 2.0, 1.0), (7, 1200, 8.0, 0.0)]


def dumped(case: tuple[int, int, float, float], tmp_path: Path, name: str,
           dump: str = "ufsdump 0uf {out} /dev/md/rdsk/d3") -> tuple[Host, Path]:
    """A host whose d3 was detached from a mirror written to, then dumped to ``name``
    (what ufsdump said is in ``SAID``)."""
    seed, files, rate, creates = case
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    wl = WorkloadSpec(writes_per_second=rate, creates_per_second=creates) \
        if rate or creates else None
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=70000, files=files, seed=seed, workload=wl)
    h.advance(600)
    out = tmp_path / name
    for step in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1",
                 dump.format(out=out), "metattach d1 d3"):
        r = h.run(step, cwd=str(tmp_path))
        assert r.exit_code == 0, (step, r.stderr)
        if step.startswith("ufsdump"):
            SAID.append(r.stderr)
    h.advance(300)
    return h, out


def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut off: plans from every entry (no index, no kept lines), archives always
    parsed, views walked in order."""
    monkeypatch.setattr(backups, "INDEX_LIMIT", -1)
    monkeypatch.setattr(archive_mod, "_recall", lambda data: None)
    monkeypatch.setattr(verify, "compare_image",
                        lambda arch, image: compare(arch, image.entries()))


@pytest.mark.parametrize("case", CASES)
def test_dump_bytes_and_messages_equal_the_plain_ones(case, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same host dumped three times -- the index and its lines made afresh, then kept,
    then with every shortcut off -- writes the same bytes and says the same thing; the
    archive a reader gets back for them is the one parsing them gives."""
    backups._INDEXES.clear()
    SAID.clear()
    _, a1 = dumped(case, tmp_path, "fresh.dump")
    _, a2 = dumped(case, tmp_path, "kept.dump")
    with monkeypatch.context() as m:
        plain(m)
        _, a3 = dumped(case, tmp_path, "plain.dump")
    data = a1.read_bytes()
    assert data == a2.read_bytes() == a3.read_bytes()
    said = [s.replace(str(tmp_path), "TMP").replace("fresh.dump", "X").replace(
        "kept.dump", "X").replace("plain.dump", "X") for s in SAID]
    assert len(said) == 3 and said[0] == said[1] == said[2]
    assert parse(data) == archive_mod._parse(data)
    assert archive_mod._parse(data).to_bytes() == data
    assert data in archive_mod._WRITTEN                      # the shortcuts were taken
    assert any(index._lines for index in backups._INDEXES.values())


@pytest.mark.parametrize("case", CASES)
def test_the_verdict_equals_the_plain_one_and_catches_a_changed_archive(
        case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify_backup with the archive recalled and the views made from the base tree gives
    the report the plain reading and walking give -- for the archive as written, and for
    one a driver changed by one byte, cut short, or replaced -- and the changed ones are
    caught (a difference, an incomplete archive, not an archive)."""
    h, path = dumped(case, tmp_path, "d3.dump")
    data = path.read_bytes()
    assert parse(data) is not parse(data)              # a fresh copy for every reader
    at = data.rindex(b'", null, 1]')                  # the last dumped entry's digest
    flipped = data[:at - 1] + (b"0" if data[at - 1:at] != b"0" else b"1") + data[at:]
    cut = data[:len(data) // 2]
    variants = {"written": data, "flipped": flipped, "cut": cut,
                "replaced": b"not a dump\n"}

    def reports() -> dict[str, object]:
        out: dict[str, object] = {}
        for name, b in variants.items():
            try:
                r = verify_backup(h, b)
                out[name] = (r.to_dict(), r.text(h))
            except ArchiveError as e:
                out[name] = str(e)
        return out
    assert archive_mod._recall(data) is not None
    assert all(archive_mod._recall(b) is None for b in (flipped, cut))
    assert verify._image_view(h.fs.detach_records[-1].app_image) is not None
    fast = reports()
    with monkeypatch.context() as m:
        plain(m)
        slow = reports()
    assert fast == slow
    written = fast["written"]
    assert isinstance(written, tuple) and written[0]["complete"]
    flipped_report = fast["flipped"]
    assert isinstance(flipped_report, tuple)
    assert flipped_report[0]["differences_now"] != written[0]["differences_now"] or \
        flipped_report[0]["differences_at_detach"] != written[0]["differences_at_detach"]
    cut_report = fast["cut"]
    assert isinstance(cut_report, tuple) and not cut_report[0]["complete"]
    assert fast["replaced"] == "not an svmsim dump archive"


def test_a_tapes_archive_is_recalled_and_equals_its_parse(tmp_path: Path) -> None:
    """The text a dump put on a tape, read back by the verdict, is the archive parsing it
    gives; a text changed on the tape is parsed afresh."""
    h, _ = dumped(CASES[1], tmp_path, "unused", dump="ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3")
    tf = h.backups.tape("/dev/rmt/0").cartridges[0].files[0]
    text = tf.text
    assert parse(text) == archive_mod._parse(text)
    report = verify_backup(h, "/dev/rmt/0")
    assert report.complete
    tf.rewrite(text.replace("end ", "end  "))           # what a changed tape holds
    assert parse(tf.text) == archive_mod._parse(tf.text)


def test_the_view_of_an_image_equals_its_walk(tmp_path: Path) -> None:
    """compare_image (the base tree's view plus the overlay) finds what compare finds
    walking image.entries(): after a workload, removals, a new directory and file, a file
    become a directory, and an overlay entry not at its own path (then it walks)."""
    h, path = dumped(CASES[2], tmp_path, "d3.dump")
    arch = parse(path.read_bytes())
    img = h.fs.app_view("/home1").copy()
    assert img.overlay
    docs = [e for e in img.base.entries() if e.kind == "f"]
    img.remove(docs[3].path)
    img.remove(docs[-1].path)
    t = h.clock.now
    d = img.get(docs[10].path.rsplit("/", 1)[0])
    assert d is not None
    new = FileEntry(d.path + "/new", img.alloc_ino(), "d", 512, t, t, 0, 0, S_IFDIR | 0o755, "")
    img.put(new)
    img.put(FileEntry(new.path + "/f", img.alloc_ino(), "f", 7000, t, t, 0, 0,
                      S_IFREG | 0o644, "x"))
    old = docs[20]
    img.put(FileEntry(old.path, old.inode, "d", 512, t, t, 0, 0, S_IFDIR | 0o755, ""))
    found = compare_image(arch, img)
    assert found == compare(arch, img.entries())
    assert {d.change for d in found} == {"missing", "extra", "changed"}
    img.overlay[docs[30].path] = FileEntry(docs[31].path, 99999, "f", 1, t, t, 0, 0,
                                           S_IFREG | 0o644, "y")
    assert verify._image_view(img) is None
    assert compare_image(arch, img) == compare(arch, img.entries())
    for seed_case in CASES:
        hh, pp = dumped(seed_case, tmp_path, f"{seed_case[0]}.dump")
        a = parse(pp.read_bytes())
        for view in (hh.fs.app_view("/home1"), hh.fs.detach_records[-1].app_image):
            assert compare_image(a, view) == compare(a, view.entries())


def test_an_archive_cut_short_is_kept_as_parse_reads_it(tmp_path: Path) -> None:
    """A dump that died leaves an archive without its end line: recalled, it is the
    incomplete archive parsing gives (truncated, the header saying so)."""
    seed, files, rate, creates = CASES[1]
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=70000, files=files, seed=seed)
    h.backups.fail_after_fraction = 0.5
    out = tmp_path / "died.dump"
    r = h.run(f"ufsdump 0f {out} /dev/md/rdsk/d1", cwd=str(tmp_path), stdin="no\n")
    assert r.exit_code != 0
    data = out.read_bytes()
    kept = parse(data)
    assert kept == archive_mod._parse(data)
    assert not kept.complete
    assert isinstance(kept, Archive)


@pytest.mark.parametrize("case", CASES[1:3])
def test_the_verdict_not_looking_now_finds_what_looking_finds_at_detach(
        case: tuple[int, int, float, float], tmp_path: Path) -> None:
    """``verify_backup(now=False)`` (the verdict's): with a detach recorded, the same report
    but the differences now, which it leaves empty, and the file system's owed time is not
    replayed; with none recorded (a dump of the mounted mirror), the same report."""
    h, out = dumped(case, tmp_path, "a.dump")
    h.advance(3600)
    fs = h.fs.filesystems["/home1"]
    assert fs.owes
    quick = verify_backup(h, str(out), now=False)
    assert fs.owes                        # nothing looked at the file system now
    full = verify_backup(h, str(out))
    assert full.differences_now and not quick.differences_now
    assert {**quick.to_dict(), "differences_now": None} == \
        {**full.to_dict(), "differences_now": None}
    mounted = tmp_path / "m.dump"
    assert h.run(f"ufsdump 0f {mounted} /home1").exit_code == 0
    assert verify_backup(h, str(mounted), now=False).to_dict() == \
        verify_backup(h, str(mounted)).to_dict()
