"""The seed procedure typed command by command on the seed-example scenario."""

from __future__ import annotations

from pathlib import Path

from simulator import build_host

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed-example.toml"


def test_seed_procedure_leaves_fs_unlocked_and_d3_resyncing() -> None:
    h = build_host(str(SCENARIO))
    fs = h.fs
    steps = ["metastat d1", "/usr/sbin/lockfs -w /home1", "metadetach d1 d3",
             "/usr/sbin/lockfs -u /home1", "/usr/sbin/fsck /dev/md/rdsk/d3",
             "metattach d1 d3"]
    results = [h.run(s) for s in steps]
    assert [r.exit_code for r in results] == [0] * len(steps)
    assert results[4].stdout.startswith("** /dev/md/rdsk/d3\n** Last Mounted on /home1\n")
    assert "?" not in results[4].stdout
    assert fs.lock_of("/home1") == "unlock"
    assert "Resyncing" in h.run("metastat d1").stdout
    rec = fs.detach_records[-1]
    assert rec.locked and rec.disk_image.digest() == rec.app_image.digest()
