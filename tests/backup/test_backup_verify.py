"""``svmsim verify-backup``: the verdict on an archive, from a saved state directory."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from simulator import Host
from simulator.backup.archive import parse
from simulator.backup.verify import Difference, compare, verify_backup
from simulator.cli import main
from simulator.scenario import WorkloadSpec
from simulator.state_store import StateStore


def saved_host(tmp_path: Path, lock: bool) -> tuple[StateStore, Path]:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    fs = h.fs
    fs.add_ufs("/dev/md/dsk/d1", "/home1", size=50000, files=150, seed=9,
               workload=WorkloadSpec(writes_per_second=4.0, creates_per_second=1.0))
    h.advance(90)
    steps = (["lockfs -w /home1"] if lock else []) + ["metadetach d1 d3"] + \
        (["lockfs -u /home1"] if lock else []) + \
        ["fsck -y /dev/md/rdsk/d3", "ufsdump 0uf d3.dump /dev/md/rdsk/d3", "metattach d1 d3"]
    for s in steps:
        assert h.run(s, cwd=str(tmp_path)).exit_code == 0, s
    store = StateStore(tmp_path / "state")
    store.create(h)
    return store, tmp_path / "d3.dump"


def test_cli_exit_0_when_locked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, archive = saved_host(tmp_path, lock=True)
    code = main(["verify-backup", "--state", str(store.dir), str(archive)])
    out = capsys.readouterr().out
    assert code == 0
    assert "at detach: 0 difference(s)" in out and "(write-locked)" in out
    assert out.endswith("verdict:   the archive matches the file system at detach time\n")
    code = main(["verify-backup", "--state", str(store.dir), str(archive), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["matches"] and data["complete"] and data["clean"]
    assert data["detach"]["submirror"] == "d3" and data["differences_at_detach"] == []


def test_cli_exit_1_when_writes_were_in_flight(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    store, archive = saved_host(tmp_path, lock=False)
    code = main(["verify-backup", "--state", str(store.dir), str(archive), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and not data["matches"] and data["differences_at_detach"]
    assert "d3 was detached without a write lock" in data["notes"]


def test_cli_usage_and_bad_archives(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store, archive = saved_host(tmp_path, lock=True)
    monkeypatch.delenv("SVMSIM_STATE", raising=False)
    assert main(["verify-backup"]) == 2
    assert main(["verify-backup", str(archive)]) == 2
    assert "no state directory" in capsys.readouterr().err
    (tmp_path / "junk").write_text("x")
    assert main(["verify-backup", "--state", str(store.dir), str(tmp_path / "junk")]) == 2
    assert capsys.readouterr().err == \
        f"svmsim verify-backup: {tmp_path}/junk: not an svmsim dump archive\n"
    assert main(["verify-backup", "--state", str(store.dir), "/no/such"]) == 2
    # a truncated archive is incomplete: exit 1
    text = archive.read_text()
    (tmp_path / "cut").write_text(text[:len(text) // 2])
    assert main(["verify-backup", "--state", str(store.dir), str(tmp_path / "cut")]) == 1


def test_incremental_archive_is_held_to_changes_only(tmp_path: Path) -> None:
    h = Host("host1")
    h.add_mirror("d1", ["d2", "d3"])
    fs = h.fs
    fs.add_ufs("/dev/md/dsk/d1", "/home1", size=20000, files=40, seed=2)
    assert h.run(f"ufsdump 0uf {tmp_path}/l0 /home1").exit_code == 0
    h.advance(30)
    assert h.run(f"ufsdump 1uf {tmp_path}/l1 /home1").exit_code == 0
    report = verify_backup(h, str(tmp_path / "l1"))
    assert report.level == 1 and report.entries == 0 and report.differences_now == []
    level0 = verify_backup(h, str(tmp_path / "l0"))
    img = fs.image_of("d1")
    assert img is not None
    assert level0.differences_now == [] and level0.entries == len(list(img.entries()))
    # the archive has "." but the view given has not: an entry in the archive only
    arch = parse((tmp_path / "l0").read_bytes())
    assert compare(arch, list(img.entries())[1:]) == [Difference(".", "extra")]
    # a file whose digest and size differ in the view
    e = next(x for x in img.entries() if x.kind == "f")
    view = [x if x.path != e.path else replace(x, size=x.size + 1, digest="0")
            for x in img.entries()]
    assert [(d.change, d.fields) for d in compare(arch, view)] == \
        [("changed", ("size", "digest"))]
