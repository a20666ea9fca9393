"""Host.reboot: the way out of a hang, and what a power-cycle does to mirrors and locks."""

from simulator import build_host


def test_reboot_ends_a_root_write_lock_hang_and_drops_locks():
    host = build_host("seed-example")
    assert host.run("lockfs -w /home1").exit_code == 0
    assert host.run("lockfs -w /").exit_code == 0
    assert host.hung_reason == "root file system write-locked"
    host.reboot()
    assert host.hung_reason is None
    listing = host.run("lockfs -a").stdout
    assert "write" not in listing and "/home1" in listing


def test_reboot_mid_resync_resumes_from_the_checkpoint_and_finishes():
    host = build_host("seed-example")
    assert host.run("metadetach d1 d3").exit_code == 0
    assert host.run("metattach d1 d3").exit_code == 0
    host.advance(400)            # past one 5-minute checkpoint, short of the end
    mirror = host.md.sets[""].units["d1"]
    host.reboot()
    assert "Resync in progress" in host.run("metastat d1").stdout
    host.advance(7 * 86400)
    out = host.run("metastat d1").stdout
    assert "Resync in progress" not in out
    assert out.count("State: Okay") >= 3
    assert not mirror.jobs
