"""ufsrestore on svmsim archives: listings, key errors, extraction, rebuilds, tapes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import sample_text

from simulator import Host
from simulator.backup.archive import parse, placeholder_digest
from simulator.ufs.filesystems import FileSystems

USAGE = ("Usage:\n\tufsrestore tabcdfhsvyLloT [file file ...]\n"
         "\tufsrestore xabcdfhmsvyLloT [file file ...]\n\tufsrestore iabcdfhmsvyLloT\n"
         "\tufsrestore rabcdfsvyLloT\n\tufsrestore RabcdfsvyLloT\n\n"
         "a requires an archive file name\nb requires a blocking factor\n"
         "f requires a dump file\ns requires a file number\nL requires a tape label\n"
         "If set, the envar TMPDIR selects where temporary files are kept\n")
VOLUME_PROMPT = ("You have not read any volumes yet.\n"
                 "Unless you know which volume your file(s) are on you should start\n"
                 "with the last volume and work towards the first.\n"
                 "Specify next volume #: ")


def make_host(files: int = 120) -> tuple[Host, FileSystems]:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    fs = h.fs
    fs.add_ufs("/dev/md/dsk/d1", "/home1", size=60000, files=files, seed=5)
    return h, fs


@pytest.fixture
def dumped(tmp_path: Path) -> tuple[Host, FileSystems, Path]:
    h, fs = make_host()
    r = h.run(f"ufsdump 0uf {tmp_path}/a.dump /home1")
    assert r.exit_code == 0
    return h, fs, tmp_path


def test_t_listing_matches_sample_ufsrestore_tf(dumped: tuple[Host, FileSystems, Path]) -> None:
    """samples/ufsrestore-tf.txt (Solaris 8 guide): the document turned the tab after the
    inode into spaces and elided lines (".") -- compared on content: the inode right-aligned
    in ten columns, a tab, the ``./`` name; ``.`` and lost+found first; a directory's
    entries right after it (a depth-first walk of the dumped directories)."""
    rows = [re.match(r"^\s*(\d+)\s+(\.\S*)$", line.strip())
            for line in sample_text("ufsrestore-tf.txt").splitlines()[1:]]
    sample = [(int(m.group(1)), m.group(2)) for m in rows if m]
    assert sample[:2] == [(2, "."), (3, "./lost+found")]
    h, fs, d = dumped
    r = h.run(f"ufsrestore tf {d}/a.dump")
    assert (r.exit_code, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    assert all(re.fullmatch(r" *\d+\t\.(/\S.*)?", line) and len(line.split("\t")[0]) == 10
               for line in lines)
    ours = [(int(a), b) for a, b in (line.split("\t") for line in lines)]
    assert ours[:2] == [(2, "."), (3, "./lost+found")]
    seen: list[str] = []
    for _, path in ours:                      # pre-order: every parent just visited
        if path != ".":
            parent = path.rsplit("/", 1)[0]
            assert parent in seen
            assert all(s == parent or s.startswith(parent + "/") or parent.startswith(s)
                       for s in seen[seen.index(parent):])
        seen.append(path)
    image = fs.image_of("d1")
    assert image is not None
    assert sorted(p for _, p in ours) == sorted(
        "./" + e.path if e.path != "." else "." for e in image.entries())
    assert {i for i, _ in ours} == {e.inode for e in image.entries()}


def test_tv_and_names(dumped: tuple[Host, FileSystems, Path]) -> None:
    h, _, d = dumped
    r = h.run(f"ufsrestore tvf {d}/a.dump /db nothere")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[:9] == [
        "Verify volume and initialize maps", "Media block size is 64",
        "Extract directories from tape", "Initialize symbol table.",
        f"Dump   date: {h.clock.ctime(parse((d / 'a.dump').read_bytes()).header.date)}",
        "Dumped from: the epoch", "Level 0 dump of /home1 on host1:/dev/md/dsk/d1",
        "Label: none", "dir          4\t./db"]
    assert r.stdout.splitlines()[9] == "leaf         5\t./db/appdb.dbf"
    assert r.stderr == "./nothere is not on volume\n"
    h_ = h.run(f"ufsrestore thf {d}/a.dump ./db")
    assert h_.stdout == "         4\t./db\n"


@pytest.mark.parametrize("args, err", [
    ("", USAGE),
    ("tx", "x and t are mutually exclusive\n" + USAGE),
    ("rtf", "t and r are mutually exclusive\n" + USAGE),
    ("f x", "must specify i, t, r, R, or x\n" + USAGE),
    ("tq", "Bad key character q\n" + USAGE),
    ("tf", "missing device specifier\n"),
    ("ts 0", "Dump number must be a positive integer\n"),
    ("tb 3", "Block size must be a positive, even integer\n"),
    ("tf /no/such/file", "/no/such/file: No such file or directory\n"),
    ("tf /dev/rmt/7", "/dev/rmt/7: No such file or directory\n"),
    ("taf x -", "Cannot specify an archive file when reading from a pipe\n"),
])
def test_key_errors(args: str, err: str) -> None:
    h, _ = make_host(files=5)
    r = h.run(("ufsrestore " + args).strip())
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", err)


def test_not_a_dump(tmp_path: Path) -> None:
    h, _ = make_host(files=5)
    (tmp_path / "junk").write_text("hello\n")
    r = h.run(f"ufsrestore tf {tmp_path}/junk")
    assert (r.exit_code, r.stderr) == (1, "Volume is not in dump format\n")
    empty = h.run("ufsrestore tf /dev/rmt/0")           # a blank cartridge
    assert (empty.exit_code, empty.stderr) == (1, "Volume is not in dump format\n")


def test_x_extracts_placeholders_and_asks(dumped: tuple[Host, FileSystems, Path]) -> None:
    h, fs, d = dumped
    out = d / "restore"
    out.mkdir()
    r = h.run(f"ufsrestore xf {d}/a.dump ./db", cwd=str(out), stdin="1\nn\n")
    assert r.exit_code == 0
    assert r.stderr == VOLUME_PROMPT + "set owner/mode for '.'? [yn] "
    image = fs.image_of("d1")
    e = image.get("db/appdb.dbf") if image is not None else None
    assert e is not None
    data = (out / "db" / "appdb.dbf").read_bytes()
    assert placeholder_digest(data) == e.digest and len(data) < 200
    assert int((out / "db" / "appdb.dbf").stat().st_mtime) == int(e.mtime)
    # no answer to the volume question: nothing extracted, exit 1
    again = h.run(f"ufsrestore xf {d}/a.dump ./db", cwd=str(out))
    assert again.exit_code == 1
    assert again.stderr == "Warning: ./db: File exists\n" + VOLUME_PROMPT
    # from a pipe there is no volume question
    p = h.run("ufsrestore xf - ./db", cwd=str(out), stdin=(d / "a.dump").read_bytes())
    assert p.exit_code == 0 and "Specify next volume" not in p.stderr


def test_r_rebuilds_tree_and_incrementals_in_order(tmp_path: Path) -> None:
    h, fs = make_host(files=80)
    fsys = fs.filesystems["/home1"]
    assert h.run(f"ufsdump 0uf {tmp_path}/l0 /home1").exit_code == 0
    # change the file system: a file rewritten, one removed, one created
    from simulator.ufs.image import FileEntry
    img = fsys.image
    victim = next(e for e in img.entries() if e.kind == "f" and e.path.startswith("home/"))
    img.remove(victim.path)
    h.advance(60)
    now = h.clock.now
    changed = next(e for e in img.entries() if e.kind == "f" and e.path.startswith("home/")
                   and e.path != victim.path)
    img.put(FileEntry(changed.path, changed.inode, "f", changed.size + 10, now, now,
                      changed.uid, changed.gid, changed.mode, "feedface"))
    parent = changed.path.rsplit("/", 1)[0]
    pe = img.get(parent)
    assert pe is not None
    img.put(FileEntry(parent, pe.inode, "d", pe.size, now, now, pe.uid, pe.gid, pe.mode, ""))
    new = FileEntry(parent + "/fresh.txt", img.alloc_ino(), "f", 5, now, now, 0, 0,
                    0o100644, "c0ffee")
    img.put(new)
    fsys.live = img.copy()
    h.advance(60)
    assert h.run(f"ufsdump 1uf {tmp_path}/l1 /home1").exit_code == 0
    h.advance(60)
    assert h.run(f"ufsdump 2uf {tmp_path}/l2 /home1").exit_code == 0

    out = tmp_path / "fs"
    out.mkdir()
    # an incremental first: no symbol table yet
    bad = h.run(f"ufsrestore rf {tmp_path}/l1", cwd=str(out))
    assert (bad.exit_code, bad.stderr) == (
        1, "open: No such file or directory\ncannot open symbol table file "
           "./restoresymtable\n")
    r0 = h.run(f"ufsrestore rvf {tmp_path}/l0", cwd=str(out))
    assert r0.exit_code == 0, r0.stderr
    assert "Begin level 0 restore\n" in r0.stdout
    assert (out / "restoresymtable").exists()
    assert placeholder_digest((out / victim.path).read_bytes()) == victim.digest
    # level 2 before level 1: the symbol table says the dates do not follow
    skip = h.run(f"ufsrestore rf {tmp_path}/l2", cwd=str(out))
    assert (skip.exit_code, skip.stderr) == (1, "Incremental volume too low\n")
    r1 = h.run(f"ufsrestore rf {tmp_path}/l1", cwd=str(out))
    assert r1.exit_code == 0, r1.stderr
    assert not (out / victim.path).exists()
    assert placeholder_digest((out / changed.path).read_bytes()) == "feedface"
    assert placeholder_digest((out / new.path).read_bytes()) == "c0ffee"
    again = h.run(f"ufsrestore rf {tmp_path}/l1", cwd=str(out))
    assert (again.exit_code, again.stderr) == (1, "Incremental volume too high\n")
    # the rebuilt tree is the file system, file by file
    for e in img.entries():
        p = out / e.path if e.path != "." else out
        if e.kind == "f":
            assert placeholder_digest(p.read_bytes()) == e.digest, e.path
        elif e.kind == "d":
            assert p.is_dir(), e.path
    table = json.loads((out / "restoresymtable").read_text())
    assert table["dumpdate"] == parse((tmp_path / "l1").read_bytes()).header.date


def test_tapes_norewind_and_s(tmp_path: Path) -> None:
    h, fs = make_host(files=20)
    assert h.run("ufsdump 0uf /dev/rmt/0n /home1").exit_code == 0
    assert h.run("ufsdump 0uf /dev/rmt/0n /dev/md/rdsk/d1").exit_code == 0
    drive = h.backups.tape("/dev/rmt/0")
    assert drive is not None and drive.cartridge is not None
    assert drive.position == 2 and len(drive.cartridge.files) == 2
    drive.rewind()
    first = h.run("ufsrestore tvf /dev/rmt/0n")
    assert "Level 0 dump of /home1 on host1:/dev/md/dsk/d1" in first.stdout
    assert drive.position == 1                              # moved past the file read
    second = h.run("ufsrestore tvf /dev/rmt/0")
    assert drive.position == 0                              # a rewinding device
    assert "Level 0 dump of /home1 on host1:/dev/md/dsk/d1" in second.stdout
    third = h.run("ufsrestore tvfs /dev/rmt/0 2")
    assert third.exit_code == 0 and "Media block size is 64" in third.stdout
    # rewriting at the start of the tape erases what followed
    assert h.run("ufsdump 0uf /dev/rmt/0 /home1").exit_code == 0
    assert drive.cartridge is not None and len(drive.cartridge.files) == 1


def test_interactive_shell(dumped: tuple[Host, FileSystems, Path]) -> None:
    h, _, d = dumped
    out = d / "i"
    out.mkdir()
    r = h.run(f"ufsrestore if {d}/a.dump", cwd=str(out),
              stdin="pwd\ncd db\npwd\nls\nadd appdb.dbf\nmarked\nbogus\nextract\n1\nn\nquit\n")
    assert r.exit_code == 0
    assert r.stderr.startswith("ufsrestore > /\nufsrestore > ufsrestore > /db\n"
                               "ufsrestore > ./db:\nufsrestore > ")
    assert "bogus: unknown command; type ? for help\n" in r.stderr
    assert r.stdout.splitlines() == [" appdb.dbf", "*appdb.dbf"]
    assert os.path.exists(out / "db" / "appdb.dbf")
