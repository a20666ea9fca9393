"""ufsdump against the model: messages, /etc/dumpdates, levels, tapes, faults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import sample_text

from simulator import Host
from simulator.backup.archive import parse
from simulator.backup.backups import _INDEXES, DumpPlan, plan_dump, plan_image_dump
from simulator.backup.verify import verify_backup
from simulator.scenario import WorkloadSpec
from simulator.ufs.filesystems import FileSystems
from simulator.ufs.image import S_IFDIR, S_IFREG, FileEntry, Image

DATE = r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}"


def make_host(files: int = 300, size: int = 70000, rate: float = 0.0,
              creates: float = 0.0) -> tuple[Host, FileSystems]:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    wl = WorkloadSpec(writes_per_second=rate, creates_per_second=creates) \
        if rate or creates else None
    fs = h.fs
    fs.add_ufs("/dev/md/dsk/d1", "/home1", size=size, files=files, seed=3, workload=wl)
    return h, fs


def dump_lines(stderr: str) -> list[str]:
    assert all(line.startswith("  DUMP: ") for line in stderr.splitlines()), stderr
    return [line[len("  DUMP: "):] for line in stderr.splitlines()]


def shape(line: str) -> str:
    """A line with its figures, dates and names replaced (what must match a sample)."""
    line = re.sub(DATE, "DATE", line)
    line = re.sub(r"^Dumping \S+ \(\S+:\S+\) to \S+\.$", "Dumping DEV (HOST:FS) to TAPE.", line)
    return re.sub(r"\d+", "N", line)


def test_level0_to_tape_matches_sample_ufsdump_level0() -> None:
    """samples/ufsdump-level0.txt (Solaris 8 guide, 1999; the document kept the leading
    blanks). Every line has the sample's format, in the sample's order, except "Writing N
    Kilobyte records": illumos dumpmain.c prints it from alloctape(), after the mapping
    passes and before the estimate (the sample's older release printed it first)."""
    sample = [line.strip() for line in sample_text("ufsdump-level0.txt").splitlines()
              if line.strip().startswith("DUMP:")]
    sample = [line[len("DUMP: "):] for line in sample]
    h, _ = make_host(files=800, size=68000)
    r = h.run("ufsdump 0ucf /dev/rmt/0 /home1")
    assert r.exit_code == 0 and r.stdout == ""
    ours = dump_lines(r.stderr)
    want = [shape(s) for s in sample]
    writing = want.pop(want.index("Writing N Kilobyte records"))
    want.insert(want.index("Mapping (Pass II) [directories]") + 1, writing)
    assert [shape(s) for s in ours] == want
    rec = h.backups.dumps[-1]
    assert ours[0] == "Date of this level 0 dump: " + h.clock.ctime(rec.date)
    assert ours[1] == "Date of last level 0 dump: the epoch"
    assert ours[2] == "Dumping /dev/md/rdsk/d1 (host1:/home1) to /dev/rmt/0."
    assert ours[5] == "Writing 63 Kilobyte records"      # c: cartridge blocking (CARTRIDGETREC)
    est = re.match(r"Estimated (\d+) blocks \((\d+\.\d\d)MB\)\.$", ours[6])
    done = re.match(r"(\d+) blocks \((\d+\.\d\d)MB\) on 1 volume at (\d+) KB/sec$", ours[10])
    assert est and done
    for m in (est, done):
        assert f"{int(m.group(1)) * 512 / 1048576:.2f}" == m.group(2)
    # a few dozen blocks apart, as in the sample (71058 estimated, 70936 written)
    assert 0 <= int(est.group(1)) - int(done.group(1)) < 1000
    assert ours[-1] == "Level 0 dump on " + ours[0].split(": ", 1)[1]


def test_dumpdates_lines_are_dumpoutfmt() -> None:
    h, _ = make_host()
    b = h.backups
    assert b.dumpdates_text() == ""
    h.run("ufsdump 0uf /dev/null /dev/md/rdsk/d1")
    t0 = h.backups.dumps[-1].date
    h.advance(3 * 86400)
    h.run("ufsdump 5uf /dev/null /home1")
    t5 = h.backups.dumps[-1].date
    h.advance(60)
    h.run("ufsdump 0uf /dev/null /dev/md/rdsk/d1")    # replaces the level 0 record
    t0b = h.backups.dumps[-1].date
    text = b.dumpdates_text()
    assert text == (f"{'/dev/md/rdsk/d1':<32} 0 {h.clock.ctime(t0b)}\n"
                    f"{'/dev/md/rdsk/d1':<32} 5 {h.clock.ctime(t5)}\n")
    assert t0b > t5 > t0
    # without u nothing is recorded; N names the record
    h.run("ufsdump 3fN /dev/null mine /home1")
    assert b.dumpdates_text() == text
    h.run("ufsdump 3ufN /dev/null mine /home1")
    assert b.dumpdates_text().splitlines()[-1].startswith(f"{'mine':<32} 3 ")
    w = h.run("ufsdump W")
    assert w.exit_code == 0 and w.stdout.splitlines()[0] == \
        "Last dump(s) done (Dump '>' file systems):"
    assert re.match(r"^  /dev/md/rdsk/d1\t\(/home1\) Last dump: Level 0, Date "
                    r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d$", w.stdout.splitlines()[1])
    assert w.stdout.splitlines()[2].startswith("      mine\t(      ) Last dump: Level 3, ")


def test_level1_holds_only_changes_and_their_directories(tmp_path: Path) -> None:
    h, fs = make_host(files=400, rate=0.1, creates=0.02)
    r0 = h.run(f"ufsdump 0uf {tmp_path}/l0 /home1")
    assert r0.exit_code == 0
    level0 = parse((tmp_path / "l0").read_bytes())
    h.advance(600)
    fs.sync(fs.filesystems["/home1"])
    r1 = h.run(f"ufsdump 1uf {tmp_path}/l1 /home1")
    lines = dump_lines(r1.stderr)
    assert lines[1] == f"Date of last level 0 dump: {h.clock.ctime(level0.header.date)}"
    level1 = parse((tmp_path / "l1").read_bytes())
    assert level1.header.ddate == level0.header.date and level1.header.level == 1
    image = h.fs.image_of("/dev/md/dsk/d1")
    assert image is not None
    changed = {"./" + e.path for e in image.entries() if e.ctime >= level0.header.date}
    assert changed                                   # the workload did change files
    want = set(changed)
    for p in changed:                                # and the directories leading there
        while p != ".":
            p = p.rsplit("/", 1)[0]
            want.add(p)
    got = {e.path for e in level1.dumped()}
    assert got == want and len(got) < len(level0.dumped())
    # unchanged files of dumped directories are named, not dumped
    assert any(not e.dumped for e in level1.entries)
    # more Pass II rounds for an incremental (directories added level by level)
    assert lines.count("Mapping (Pass II) [directories]") >= 2
    t = h.run(f"ufsrestore tf {tmp_path}/l1")
    assert {line.split("\t")[1] for line in t.stdout.splitlines()} == want


def test_plan_pass2_rounds_follow_inode_order() -> None:
    def E(path: str, ino: int, kind: str, ctime: float) -> FileEntry:   # noqa: N802
        return FileEntry(path, ino, kind, 512, ctime, ctime, 0, 0, 0, "")
    # a/b/c: parent directories with LOWER inode numbers than their children need a
    # round each (dumptraverse.c add() sees a child's bit only after it was set)
    tree = [E(".", 2, "d", 0), E("a", 3, "d", 0), E("a/b", 4, "d", 0),
            E("a/b/c", 5, "d", 0), E("a/b/c/f", 6, "f", 100)]
    plan = plan_dump(tree, 50, 64, 63)
    assert [e.path for e in plan.entries] == [".", "./a", "./a/b", "./a/b/c", "./a/b/c/f"]
    assert plan.pass2_rounds == 5
    rev = [E(".", 9, "d", 0), E("a", 8, "d", 0), E("a/b", 7, "d", 0),
           E("a/b/c", 6, "d", 0), E("a/b/c/f", 5, "f", 100)]
    assert plan_dump(rev, 50, 64, 63).pass2_rounds == 2
    assert plan_dump(tree, 0, 64, 63).pass2_rounds == 1       # level 0: all marked at once


def test_seed_procedure_archive_lists_the_locked_file_system(tmp_path: Path) -> None:
    h, fs = make_host(files=250, rate=3.0, creates=0.3)
    h.advance(120)
    steps = ["metastat d1", "/usr/sbin/lockfs -w /home1", "metadetach d1 d3",
             "/usr/sbin/lockfs -u /home1", "/usr/sbin/fsck /dev/md/rdsk/d3",
             "ufsdump 0ucf /var/tmp/d3.dump /dev/md/rdsk/d3", "metattach d1 d3"]
    results = [h.run(s, cwd=str(tmp_path)) if "ufsdump" not in s else
               h.run(s.replace("/var/tmp/", "./"), cwd=str(tmp_path)) for s in steps]
    assert [r.exit_code for r in results] == [0] * len(steps)
    lines = dump_lines(results[5].stderr)
    assert lines[2] == "Dumping /dev/md/rdsk/d3 to ./d3.dump."     # not in vfstab/mnttab
    assert lines[-1].startswith("Level 0 dump on ")
    t = h.run("ufsrestore tf d3.dump", cwd=str(tmp_path))
    assert t.exit_code == 0
    names = [line.split("\t")[1] for line in t.stdout.splitlines()]
    rec = fs.detach_records[-1]
    assert rec.locked
    assert sorted(names) == sorted("./" + e.path if e.path != "." else "."
                                   for e in rec.app_image.entries())
    report = verify_backup(h, str(tmp_path / "d3.dump"))
    assert report.complete and report.clean and report.matches
    assert report.differences_at_detach == []
    assert report.differences_now                  # the workload went on afterwards
    assert h.backups.dumpdates_text().startswith("/dev/md/rdsk/d3 ")


def test_detach_with_writes_in_flight_shows_in_verdict(tmp_path: Path) -> None:
    h, fs = make_host(files=250, rate=5.0, creates=1.0)
    h.advance(60)
    for s in ["metadetach d1 d3", "fsck -y /dev/md/rdsk/d3"]:
        assert h.run(s).exit_code == 0
    r = h.run(f"ufsdump 0f {tmp_path}/d3.dump /dev/md/rdsk/d3")
    assert r.exit_code == 0
    report = verify_backup(h, str(tmp_path / "d3.dump"))
    assert report.complete and not report.matches
    assert report.detach is not None and not report.detach["locked"]
    kinds = {d.change for d in report.differences_at_detach}
    assert kinds & {"changed", "missing"}
    changed = [d for d in report.differences_at_detach if d.change == "changed"]
    assert all(set(d.fields) <= {"kind", "size", "mode", "uid", "gid", "mtime", "digest",
                                 "target"} for d in changed)
    assert any(str(d).endswith(")") for d in changed)


def test_end_of_tape_without_terminal_aborts() -> None:
    h, _ = make_host(files=300, size=200000)
    h.backups.add_tape(device="/dev/rmt/0", capacity=60000)
    r = h.run("ufsdump 0ucf /dev/rmt/0 /home1")
    assert r.exit_code == 3
    lines = dump_lines(r.stderr)
    tail = r.stderr.split("  DUMP: End-of-tape detected\n", 1)[1]
    assert re.fullmatch(
        r"  DUMP: Tape rewinding\n"
        r"(  DUMP: \d+\.\d\d% done, finished in \d+:\d\d\n)?"
        r"  DUMP: Change Volumes: Mount volume `#2' on `host1:/dev/rmt/0'\n"
        r"  DUMP: NEEDS ATTENTION: Is the new volume \(#2\) mounted on `host1:/dev/rmt/0' "
        r"and ready to go\?: \(\"yes\" or \"no\"\)   DUMP: The ENTIRE dump is aborted\.\n",
        tail), tail
    assert "DUMP IS DONE" not in r.stderr and lines
    assert h.backups.dumpdates_text() == ""
    report = verify_backup(h, "/dev/rmt/0")
    assert not report.complete and not report.matches
    image = h.fs.image_of("d1")
    assert image is not None and 0 < report.entries < len(list(image.entries()))


def test_end_of_tape_with_operator_continues_on_volume_two(tmp_path: Path) -> None:
    h, _ = make_host(files=300, size=200000)
    h.backups.add_tape(device="/dev/rmt/0", capacity=150000)
    r = h.run("ufsdump 0ucf /dev/rmt/0 /home1", interactive=True, stdin="sure\nyes\n")
    assert r.exit_code == 0, r.stderr
    assert '  DUMP: "yes" or "no"?\n\n  DUMP: NEEDS ATTENTION: Is the new volume (#2)' \
        in r.stderr
    assert re.search(r"  DUMP: Volume 2 begins with blocks from inode \d+\n", r.stderr)
    assert re.search(r"\d+ blocks \(\d+\.\d\dMB\) on 2 volumes at \d+ KB/sec\n", r.stderr)
    drive = h.backups.tape("/dev/rmt/0")
    assert drive is not None
    assert drive.loaded == 1 and len(drive.cartridges) == 2
    # volume 2 is in the drive: restore wants volume 1 first
    t = h.run("ufsrestore tf /dev/rmt/0")
    assert (t.exit_code, t.stderr) == (1, "This is not volume 1 of the dump\n")
    assert verify_backup(h, "/dev/rmt/0").matches


def test_write_error_halfway_leaves_incomplete_archive(tmp_path: Path) -> None:
    h, _ = make_host(files=300, size=200000)
    h.backups.fail_after_fraction = 0.5
    r = h.run(f"ufsdump 0uf {tmp_path}/x.dump /home1")
    assert r.exit_code == 3
    assert re.search(r"  DUMP: Write error \d+ blocks into volume 1\n"
                     r"  DUMP: NEEDS ATTENTION: Do you want to restart\?: "
                     r"\(\"yes\" or \"no\"\)   DUMP: The ENTIRE dump is aborted\.\n$",
                     r.stderr)
    arch = parse((tmp_path / "x.dump").read_bytes())
    assert not arch.complete and 0 < len(arch.dumped()) < sum(e.dumped for e in arch.entries)
    # it died in Pass IV: the directories were written, so t names every file ...
    t = h.run(f"ufsrestore tf {tmp_path}/x.dump")
    image = h.fs.image_of("d1")
    assert image is not None
    assert t.exit_code == 0 and len(t.stdout.splitlines()) == len(list(image.entries()))
    # ... but a file past the end is on a "next volume" that does not exist
    lost = next(e for e in arch.entries if e.dumped and not arch.on_media(e))
    out = tmp_path / "out"
    out.mkdir()
    x = h.run(f"ufsrestore xf {tmp_path}/x.dump {lost.path}", cwd=str(out), stdin="1\n\n")
    assert x.exit_code == 1 and x.stderr.endswith(
        "Specify next volume #: Mount volume 2\nthen enter volume name (default: "
        f"{tmp_path}/x.dump) Wrong volume (1)\nMount volume 2\nthen enter volume name "
        f"(default: {tmp_path}/x.dump) ")
    report = verify_backup(h, str(tmp_path / "x.dump"))
    assert not report.complete and not report.matches
    # the fault fired once: the next dump completes
    assert h.run(f"ufsdump 0uf {tmp_path}/y.dump /home1").exit_code == 0
    # to standard output: no question, the writer cannot recover
    h.backups.fail_after_fraction = 0.3
    p = h.run("ufsdump 0f - /home1")
    assert p.exit_code == 3 and p.stderr.endswith(
        "  DUMP: Write error on standard output\n  DUMP: Cannot recover\n"
        "  DUMP: The ENTIRE dump is aborted.\n")
    assert not parse(p.stdout_bytes).complete


def test_dump_to_stdout_is_an_archive_and_S_prints_bytes() -> None:
    h, _ = make_host()
    r = h.run("ufsdump 0f - /home1")
    assert r.exit_code == 0
    lines = dump_lines(r.stderr)
    assert lines[2] == "Dumping /dev/md/rdsk/d1 (host1:/home1) to standard output."
    assert "Tape rewinding" not in lines
    arch = parse(r.stdout_bytes)
    assert arch.complete and arch.header.filesys == "/home1"
    s = h.run("ufsdump 0S /home1")
    m = re.search(r"Estimated (\d+) blocks", r.stderr)
    assert m is not None
    est = int(m.group(1))
    assert (s.exit_code, s.stderr) == (0, "") and s.stdout == f"{est * 512}\n"


@pytest.mark.parametrize("cmd, err", [
    ("ufsdump", "Usage: ufsdump [0123456789fustdWwnNDCcbavloS [argument]] filesystem\n"),
    ("ufsdump 0uf /dev/null", "Usage: ufsdump [0123456789fustdWwnNDCcbavloS [argument]] "
                              "filesystem\n"),
    ("ufsdump 0x /home1", "  DUMP: Bad option `x'\n  DUMP: The ENTIRE dump is aborted.\n"),
    ("ufsdump /home1", "  DUMP: Bad option `/'\n  DUMP: The ENTIRE dump is aborted.\n"),
    ("ufsdump 0uf", "  DUMP: Missing output device name\n"
                    "  DUMP: The ENTIRE dump is aborted.\n"),
    ("ufsdump 0b 7 /home1", "  DUMP: Block size must be a positive, even integer <= 512\n"
                            "  DUMP: The ENTIRE dump is aborted.\n"),
    ("ufsdump 0f /dev/null /dev/md/rdsk/d9",
     "  DUMP: Cannot open dump device `/dev/md/rdsk/d9': No such file or directory\n"),
    ("ufsdump 0f /dev/null /export/nothere",
     "  DUMP: Cannot open dump device `/export/nothere': No such file or directory\n"),
    ("ufsdump 0Df /dev/null /home1", None),
])
def test_errors_and_usage(cmd: str, err: str | None) -> None:
    h, _ = make_host()
    r = h.run(cmd)
    if err is None:
        assert r.exit_code == 0
        return
    assert (r.exit_code, r.stdout, r.stderr) == (3, "", err)


def test_device_without_file_system_and_non_root() -> None:
    h, _ = make_host()
    h.add_stripe("d20", "c4t0d0s0")
    r = h.run("ufsdump 0f /dev/null /dev/md/rdsk/d20")
    assert r.exit_code == 3 and r.stderr.endswith(
        "  DUMP: Warning - super-block on device `/dev/md/rdsk/d20' is corrupt - run fsck\n"
        "  DUMP: The ENTIRE dump is aborted.\n")
    u = h.run("ufsdump 0f /dev/null /dev/md/rdsk/d1", uid=100)
    assert (u.exit_code, u.stderr) == (
        3, "  DUMP: Cannot open dump device `/dev/md/rdsk/d1': Permission denied\n")


def test_unwritable_output_asks_to_retry_then_aborts(tmp_path: Path) -> None:
    h, _ = make_host()
    r = h.run(f"ufsdump 0f {tmp_path}/no/such/dir/x /home1")
    assert r.exit_code == 3 and r.stderr.endswith(
        f"  DUMP: NEEDS ATTENTION: Cannot open `host1:{tmp_path}/no/such/dir/x'.  Do you "
        "want to retry the open?: (\"yes\" or \"no\")   DUMP: The ENTIRE dump is aborted.\n")
    assert "Estimated" in r.stderr


def test_progress_lines_every_ten_minutes() -> None:
    h, _ = make_host(files=300, size=8 * 2 ** 21)           # 8 GB of data
    h.backups.file_rate_kbs = 4096.0
    h.backups.disk_rate_kbs = 4096.0
    start = h.clock.now
    r = h.run("ufsdump 0f /dev/null /home1")
    assert r.exit_code == 0
    progress = [line for line in dump_lines(r.stderr) if "% done" in line]
    assert len(progress) >= 2
    pct = [float(p.split("%")[0]) for p in progress]
    assert pct == sorted(pct) and all(0 < p < 100 for p in pct)
    assert all(re.fullmatch(r"\d+\.\d\d% done, finished in \d+:\d\d", p) for p in progress)
    assert h.clock.now - start > 1800                        # 8 GB at 4 MB/s: over half an hour


def test_progress_of_a_dump_with_a_forced_larger_tape_block_stays_within_100_percent() -> None:
    """dumpmain.c forces a larger tape block (esize_shift) for a dump over INT_MAX records,
    and dumpoptr.c timeest divides spcl.c_tapea, counted in those blocks, by esize: the
    percentage only grows towards 100 and the time left is never negative."""
    import re

    from simulator import build_host
    h = build_host("big-16tb")
    for line in ("lockfs -w /export/archive", "metadetach d100 d102",
                 "lockfs -u /export/archive"):
        assert h.run(line).exit_code == 0, line
    r = h.run("ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d102")
    assert r.exit_code == 0 and "Forcing larger tape block size" in r.stderr
    done = [(float(p), t) for p, t in
            re.findall(r"DUMP: ([\d.]+)% done, finished in (-?\d+:\d+)", r.stderr)]
    assert len(done) > 10
    assert all(0 < p <= 100 and not t.startswith("-") for p, t in done)
    assert [p for p, _ in done] == sorted(p for p, _ in done)


def _same_plan(fast: DumpPlan, slow: DumpPlan) -> None:
    assert [e.to_line() for e in fast.entries] == [e.to_line() for e in slow.entries]
    assert [e.to_line() for e in fast.names] == [e.to_line() for e in slow.names]
    for f in ("pass2_rounds", "esize", "map_blocks", "maxino", "empty", "data_records",
              "dir_records", "count", "inuse_ranges", "records"):
        assert getattr(fast, f) == getattr(slow, f), f


def test_a_dump_plan_from_the_base_tree_index_equals_one_from_every_entry() -> None:
    """plan_image_dump reuses what the base tree's index knows and merges the overlay in:
    after a workload, removals, a new directory, new files and a replaced file of another
    kind, it plans exactly what plan_dump plans from the image's entries, for a level 0 and
    for dumps of every age (the incrementals take the entry-by-entry path)."""
    h, fs = make_host(files=600, rate=4.0, creates=0.5)
    h.advance(1800)
    img: Image = fs.filesystems["/home1"].live.copy()
    assert img.overlay
    base = img.base
    docs = [e for e in base.entries() if e.kind == "f"]
    img.remove(docs[3].path)
    img.remove(docs[-1].path)                       # the highest inode goes
    img.remove(docs[40].path)
    t = h.clock.now
    d = img.get(docs[10].path.rsplit("/", 1)[0])
    assert d is not None
    newdir = FileEntry(d.path + "/new", img.alloc_ino(), "d", 512, t, t, 0, 0, S_IFDIR | 0o755, "")
    img.put(newdir)
    img.put(FileEntry(newdir.path + "/f", img.alloc_ino(), "f", 70000, t, t, 0, 0,
                      S_IFREG | 0o644, "x"))
    old = docs[20]                                   # a file becomes a directory
    img.put(FileEntry(old.path, old.inode, "d", 512, t, t, 0, 0, S_IFDIR | 0o755, ""))
    _INDEXES.pop(base, None)
    for ddate in (0, base.created - 10 * 365 * 86400, base.created - 86400, t - 1, t + 1):
        fast = plan_image_dump(img, ddate, img.geometry.ninodes, 63)
        slow = plan_dump(list(img.entries()), ddate, img.geometry.ninodes, 63)
        _same_plan(fast, slow)
    index = _INDEXES[base]                           # the level 0 did use the index
    level0 = plan_image_dump(img, 0, img.geometry.ninodes, 63)
    assert any(e is index.entries[0] for e in level0.entries)
    assert len(level0.entries) == img.nfiles
    # an unchanged image: the base tree's own entries
    clean = fs.filesystems["/home1"].live.copy()
    clean.overlay.clear()
    _same_plan(plan_image_dump(clean, 0, 0, 10), plan_dump(clean.entries(), 0, 0, 10))
