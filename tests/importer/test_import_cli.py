"""``svmsim import`` (simulator/cli/importer.py): archives (tar or directory) and single
files in, a scenario file or the --check list out; bad input is one line and exit 2."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.importer import CaptureError
from simulator.importer.captures import read_archive
from simulator.scenario import load_scenario

CAPTURES = Path(__file__).resolve().parent / "captures"


def tar_of(folder: Path, dest: Path, top: str = ".") -> Path:
    with tarfile.open(dest, "w") as tar:
        for f in sorted(folder.iterdir()):
            if f.name != "make_captures.py":
                tar.add(f, arcname=f"{top}/{f.name}")
    return dest


def test_archive_in_scenario_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tar as svm-capture.sh writes it (members under ./) becomes a scenario file that the
    scenario loader reads, named after the host; the summary says the round trip held."""
    archive = tar_of(CAPTURES / "athena", tmp_path / "cap.tar")
    out = tmp_path / "athena.toml"
    assert main(["import", str(archive), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"svmsim import: wrote {out} (host athena, release 5.11: ")
    assert "round trip: all " in said and "captured lines reproduced" in said
    sc = load_scenario(str(out))
    assert sc.name == "athena" and sc.host.hostname == "athena"
    text = out.read_text()
    assert text.startswith("# athena: a scenario imported from the host's own captures")
    assert f"#   {archive}:metastat-p" in text


def test_files_one_option_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--metastat-p, --metastat, --metadb, --metahs, --prtvtoc (repeated): the same host."""
    d = CAPTURES / "zeus"
    args = ["import", "--metastat-p", str(d / "metastat-p"), "--metastat", str(d / "metastat"),
            "--metadb", str(d / "metadb"), "--metahs", str(d / "metahs-i"),
            "--prtvtoc", str(d / "prtvtoc.c1t0d0"), "--prtvtoc", str(d / "prtvtoc.c1t1d0"),
            "--uname", str(d / "uname-a"), "--name", "site-a", "--out", "-"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# zeus: ") and '[[mirror]]\nname = "d10"' in out
    assert '[scenario]\nname = "site-a"' in out
    assert "round trip: all " in err


def test_check_lists_each_line_not_reproduced(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """--check: one ``not reproduced:`` line per captured line, with what the host prints
    instead, the notes of the import, exit 1."""
    folder = tmp_path / "cap"
    folder.mkdir()
    for f in (CAPTURES / "hermes").iterdir():
        (folder / f.name).write_text(f.read_text())
    metadb = folder / "metadb"
    metadb.write_text(metadb.read_text().replace("\t16400\t", "\t16500\t", 1))
    assert main(["import", str(folder), "--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    listed = [x for x in out if x.startswith("not reproduced: ")]
    assert listed == [
        f"not reproduced: {metadb} line 4: '     a    p  luo    \\t16500\\t\\t8192\\t\\t"
        "/dev/dsk/c1t0d0s7': the imported host's metadb prints 'a p luo 16400 8192 "
        "/dev/dsk/c1t0d0s7' instead (why: replica at block 16500 of 8192 blocks on "
        "c1t0d0s7: the simulator places a slice's replicas of one length from block 16)"]
    assert out[-1].endswith("round trip: 1 of 72 captured lines not reproduced")


@pytest.mark.parametrize(("args", "words"), [
    (["import", "--out", "x.toml"], "no captures"),
    (["import", str(CAPTURES / "zeus")], "nothing to do"),
    (["import", "/nonexistent/cap.tar", "--check"], "No such file"),
])
def test_bad_usage_is_one_line_exit_2(args: list[str], words: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("svmsim import: ") and words in err and err.count("\n") == 1


def test_raid_capture_exits_2_naming_the_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cap"
    folder.mkdir()
    (folder / "metastat-p").write_text("d1 1 1 c0t0d0s0\nd50 -r c1t4d0s5 c1t5d0s5 -k\n")
    assert main(["import", str(folder), "--check"]) == 2
    err = capsys.readouterr().err
    assert err == (f"svmsim import: {folder}/metastat-p line 2: d50 -r c1t4d0s5 c1t5d0s5 -k: "
                   "cannot be imported: a RAID-5 metadevice (-r): not simulated\n")


def test_archive_is_read_within_bounds(tmp_path: Path) -> None:
    """Only regular members are read (a link named metastat-p is refused), never
    extracted; a file that is not a tar archive is one clear error."""
    bad = tmp_path / "link.tar"
    with tarfile.open(bad, "w") as tar:
        info = tarfile.TarInfo("metastat-p")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/shadow"
        tar.addfile(info)
    with pytest.raises(CaptureError, match="metastat-p: not a regular file"):
        read_archive(str(bad))
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar" * 100)
    with pytest.raises(CaptureError, match="not a capture archive"):
        read_archive(str(junk))
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w") as tar:
        data = b"x\n"
        info = tarfile.TarInfo("README")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CaptureError, match="no captures in this archive"):
        read_archive(str(empty))
