"""fsck(1M) for UFS: formats from main.c/setup.c/utilities.c, exit codes, repairs."""

from __future__ import annotations

from fshelpers import make_host
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Host
from tests.conftest import sample_text

PHASES = ["** Phase 1 - Check Blocks and Sizes", "** Phase 2 - Check Pathnames",
          "** Phase 3a - Check Connectivity", "** Phase 3b - Verify Shadows/ACLs",
          "** Phase 4 - Check Reference Counts", "** Phase 5 - Check Cylinder Groups"]


def test_fsck_clean_sample_reproduced() -> None:
    """samples/fsck-clean.txt: an empty 2.7 GB UFS (root and lost+found only) with the
    sample's data fragments and loose fragments. The document adds a blank after
    "Cylinder Groups" (main.c prints none), so lines are compared stripped."""
    sample = [ln for ln in sample_text("fsck-clean.txt").splitlines()
              if not ln.startswith("#")]
    h = Host("host1")
    h.ensure_slice("c0t0d0s7", 5800000)
    h.fs.add_ufs("/dev/dsk/c0t0d0s7", "/export/home", files=0, logging=False,
                        mounted=False, data_frags=2833549, loose_frags=20)
    r = h.run("fsck /dev/rdsk/c0t0d0s7")
    assert r.exit_code == 0
    assert [ln.rstrip() for ln in r.stdout.splitlines()] == [ln.rstrip() for ln in sample]


def test_modified_old_sample_differs_only_in_old_wording() -> None:
    """samples/fsck-modified-old.txt is an older fsck: "checkfilesys:" instead of "** dev",
    no "Last Mounted" line, "Phase 3"/"Phase 5 - Cylinder Groups", "INCORRECT BLOCK COUNT"
    (the Solaris 10 rewrite of pass1.c says "INCORRECT DISK BLOCK COUNT") and "FILE SYSTEM
    STATE SET TO OKAY" (modern updateclean() is silent). Everything else matches."""
    old = sample_text("fsck-modified-old.txt")
    h, fs = make_host(logging=False, rate=20.0, files=200)
    h.advance(40)
    h.run("metadetach d1 d3")
    out = h.run("fsck -y /dev/md/rdsk/d3").stdout
    assert "checkfilesys:" in old and "checkfilesys:" not in out
    assert "** /dev/md/rdsk/d3\n** Last Mounted on /home1\n" in out
    assert "Phase 3 - Check Connectivity" in old and PHASES[2] in out
    assert "Phase 5 - Cylinder Groups" in old and PHASES[5] in out
    assert "INCORRECT BLOCK COUNT I=2529 (6 should be 2)\nCORRECT? y" in old
    assert "INCORRECT DISK BLOCK COUNT I=" in out and "\nCORRECT?  yes\n\n" in out
    assert "FILE SYSTEM STATE SET TO OKAY" not in out
    assert "\n***** FILE SYSTEM WAS MODIFIED *****\n" in old.replace(" \n", "\n") and \
        out.endswith("\n***** FILE SYSTEM WAS MODIFIED *****\n")


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(1, 10_000), wait=st.floats(5.0, 60.0))
def test_detach_with_writes_in_flight_is_damaged_then_repaired(seed: int, wait: float) -> None:
    """Non-logging UFS, detached while creates/deletes are in flight: fsck -n finds damage
    (exit 36); fsck -y repairs it; then fsck -n is clean (exit 0)."""
    h, fs = make_host(logging=False, rate=5.0, creates=2.0, deletes=1.0, seed=seed)
    h.advance(wait)
    h.run("metadetach d1 d3")
    img = fs.image_of("d3")
    assert img is not None and not img.clean
    r = h.run("fsck -n /dev/md/rdsk/d3")
    assert r.exit_code == 36 and "(NO WRITE)" in r.stdout and " no\n\n" in r.stdout
    assert "***** FILE SYSTEM IS BAD *****" in r.stdout
    assert h.run("fsck -y /dev/md/rdsk/d3").exit_code == 0
    r = h.run("fsck -n /dev/md/rdsk/d3")
    assert r.exit_code == 0 and "?" not in r.stdout
    assert fs.image_of("d3").clean and fs.image_of("d3").consistent


def test_logging_detach_rolls_log_but_data_is_torn() -> None:
    """setup.c logsetup() rolls a logging UFS's log (even with -n): fsck finds nothing,
    but files written in flight differ from what applications saw."""
    h, fs = make_host(logging=True, rate=10.0, creates=2.0)
    h.advance(25)
    h.run("metadetach d1 d3")
    rec = fs.detach_records[-1]
    assert h.run("fsck -n /dev/md/rdsk/d3").exit_code == 0
    assert rec.disk_image.digest() != rec.app_image.digest()


def test_mounted_filesystem_question_and_exit_codes() -> None:
    h, _ = make_host()
    r = h.run("fsck /dev/md/rdsk/d1", stdin="n\n")
    assert r.stdout == ("/dev/md/dsk/d1 IS CURRENTLY MOUNTED READ/WRITE.\nCONTINUE? \n"
                        "Program terminated\n")
    assert r.exit_code == 33
    r = h.run("fsck -n /dev/md/rdsk/d1")      # -n does not ask (setup.c)
    assert r.exit_code == 40 and r.stdout.startswith("** /dev/md/dsk/d1 (NO WRITE)\n"
                                                     "** Currently Mounted on /home1\n")
    r = h.run("fsck /dev/md/rdsk/d1", stdin="")
    assert r.stdout.endswith("CONTINUE? \n") and r.exit_code == 39


def test_sanity_check_and_bad_device() -> None:
    h, fs = make_host()
    r = h.run("fsck -m /dev/md/rdsk/d1")
    assert (r.stderr, r.exit_code) == (
        "ufs fsck: sanity check: /dev/md/rdsk/d1 already mounted\n", 33)
    h.run("lockfs -w /home1")
    h.run("metadetach d1 d3")
    h.run("lockfs -u /home1")
    r = h.run("fsck -m /dev/md/rdsk/d3")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "** /dev/md/rdsk/d3\n", "ufs fsck: sanity check: /dev/md/rdsk/d3 okay\n", 0)
    r = h.run("fsck /dev/md/rdsk/d99")
    assert (r.stdout, r.exit_code) == (
        "fsck: could not stat /dev/md/rdsk/d99: No such file or directory\n", 34)
    r = h.run("fsck -o p /dev/md/rdsk/d3")
    assert (r.stdout, r.exit_code) == ("/dev/md/rdsk/d3: is logging.\n", 0)


def test_unfixable_image() -> None:
    h, fs = make_host()
    h.run("lockfs -w /home1")
    h.run("metadetach d1 d3")
    h.run("lockfs -u /home1")
    fs.image_of("d3").unfixable = "bad"
    r = h.run("fsck -y /dev/md/rdsk/d3")
    assert r.exit_code == 36 and "***** FILE SYSTEM IS BAD *****" in r.stdout
    fs.image_of("d3").unfixable = "superblock"
    r = h.run("fsck -n /dev/md/rdsk/d3")
    assert r.exit_code == 39 and "BAD SUPERBLOCK AT BLOCK 16: MAGIC NUMBER WRONG" in r.stdout
