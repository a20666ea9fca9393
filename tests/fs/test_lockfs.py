"""lockfs(1M) against lockfs.c: listing format, requests, errors, exit codes."""

from __future__ import annotations

from fshelpers import make_host

from simulator.host import HostHung
from tests.conftest import sample_text


def test_lockfs_a_sample_content() -> None:
    """samples/lockfs-a.txt: the man page renders a table (tabs); lockfs.c prints each row
    with "%-20s %-10s %s", so rows are compared on their fields, not their spacing."""
    sample = sample_text("lockfs-a.txt").splitlines()
    h, fs = make_host()
    fs.filesystems["/var"] = fs.filesystems.pop("/home1")
    fs.filesystems["/var"].mount = "/var"
    fs.mount_order = ["/var"]
    ours: list[str] = []
    for line in sample:
        if line.startswith("example#"):
            cmd = line.split("#", 1)[1].strip()
            r = h.run(cmd)
            assert r.exit_code == 0 and r.stderr == ""
            ours += r.stdout.splitlines()
    theirs = [ln for ln in sample if not ln.startswith("example#")]
    assert [ln.split(None, 2) for ln in ours] == [ln.replace("\t", " ").split(None, 2)
                                                   for ln in theirs]
    assert ours[0] == "Filesystem           Locktype   Comment"
    assert ours[1] == "/                    unlock     "


def test_usage_no_s_flag_and_errors() -> None:
    h, _ = make_host()
    r = h.run("lockfs -s /home1")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "usage: lockfs [-dfhnuw] [-c string] [-a] [file system ...]\n", "", 1)
    r = h.run("lockfs -w /nonexistent")
    assert (r.stderr, r.exit_code) == ("/nonexistent: No such file or directory\n", 2)
    r = h.run("lockfs -w /proc")
    assert (r.stderr, r.exit_code) == ("/proc: Inappropriate ioctl for device\n", 2)
    r = h.run("lockfs -w /home1", uid=100)
    assert (r.stderr, r.exit_code) == ("/home1: Not owner\n", 2)
    assert h.run("lockfs -f /home1", uid=100).exit_code == 0     # flush needs no privilege
    assert h.run("lockfs /home1", uid=100).exit_code == 0


def test_listing_only_locked_without_arguments() -> None:
    h, fs = make_host()
    assert h.run("lockfs").stdout == ""
    h.run("lockfs -w /home1")
    assert h.run("lockfs").stdout == ("Filesystem           Locktype   Comment\n"
                                      "/home1               write      \n")
    assert fs.lock_of("/home1") == "write"
    h.run("lockfs -u /home1")
    assert fs.lock_of("/home1") == "unlock"


def test_hard_lock_cannot_be_undone_and_error_lock_rules() -> None:
    h, fs = make_host()
    assert h.run("lockfs -h /home1").exit_code == 0
    r = h.run("lockfs -u /home1")
    assert (r.stderr, r.exit_code) == ("/home1: I/O error\n", 2)
    h2, _ = make_host()
    h2.run("lockfs -n /home1")
    r = h2.run("lockfs -e /home1")
    assert (r.stderr, r.exit_code) == ("/home1: Device busy\n", 2)


def test_write_lock_on_root_hangs_host() -> None:
    h, _ = make_host()
    assert h.run("lockfs -w /").exit_code == 0
    try:
        h.run("metastat")
    except HostHung as e:
        assert "root file system write-locked" in str(e)
    else:
        raise AssertionError("host did not hang")


def test_write_lock_stalls_writers_and_flushes() -> None:
    h, fs = make_host(rate=10.0, creates=1.0)
    h.advance(20)
    f = fs.filesystems["/home1"]
    assert f.pending
    h.run("lockfs -w /home1")
    assert not f.pending and f.image.digest() == f.live.digest()
    before = f.live.digest()
    h.advance(120)
    assert f.live.digest() == before
    h.run("lockfs -u /home1")
    h.advance(5)
    assert f.live.digest() != before
