"""The file-system and dump fault kinds: what real Solaris shows after each (messages, exit
codes, the archive and /etc/dumpdates), each case naming its illumos source."""

from __future__ import annotations

import pytest

from simulator import build_host
from simulator.backup.verify import verify_backup
from simulator.faults import KINDS, arm
from simulator.host import Host

SPLIT = ["lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1"]
DUMP = "ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3"


def seed(*specs: str) -> Host:
    h = build_host("seed-example")
    arm(h, list(specs))
    return h


def split(h: Host) -> None:
    for c in SPLIT:
        assert h.run(c).exit_code == 0, c


def test_every_media_kind_is_in_the_catalogue_with_its_sources() -> None:
    for name in ("lockfs-busy", "lockfs-locked", "lockfs-not-mounted", "lockfs-eio",
                 "fsck-errors", "torn-fs", "dump-read-error", "tape-eom", "tape-write-error",
                 "dest-full", "dump-killed"):
        kind = KINDS[name]
        assert kind.sources and kind.event and kind.shows


@pytest.mark.parametrize("kind, text", [
    ("lockfs-busy", "Device busy"), ("lockfs-locked", "Device busy"),
    ("lockfs-not-mounted", "Inappropriate ioctl for device"), ("lockfs-eio", "I/O error")])
def test_lockfs_refused_prints_perror_and_exits_2_once(kind: str, text: str) -> None:
    """lockfs.c: perror(path), exit 2 (ufs_lockfs.c ufs__fiolfs returns the errno); only the
    next request fails, and nothing was locked by it."""
    h = seed(f"{kind}:/home1")
    r = h.run("lockfs -w /home1")
    assert (r.exit_code, r.stderr) == (2, f"/home1: {text}\n")
    assert "unlock" in h.run("lockfs /home1").stdout
    assert h.run("lockfs -w /home1").exit_code == 0


def test_fsck_errors_fixable_are_repaired_with_y() -> None:
    """fsck pass1.c/pass4.c/pass5.c: -n answers no and leaves errors (exit 36); -y repairs
    and says so (exit 0)."""
    h = seed("fsck-errors:d3")
    split(h)
    r = h.run("fsck -n /dev/md/rdsk/d3")
    assert r.exit_code == 36 and "SALVAGE?  no" in r.stdout
    assert "***** FILE SYSTEM IS BAD *****" in r.stdout
    r = h.run("fsck -y /dev/md/rdsk/d3")
    assert r.exit_code == 0 and "***** FILE SYSTEM WAS MODIFIED *****" in r.stdout
    assert h.run("fsck -n /dev/md/rdsk/d3").exit_code == 0


def test_fsck_errors_unfixable_stay_bad_with_y() -> None:
    h = seed("fsck-errors:d3,fixable=false")
    split(h)
    r = h.run("fsck -y /dev/md/rdsk/d3")
    assert r.exit_code == 36 and "CANNOT FIX" in r.stdout


def test_torn_copy_is_found_by_fsck() -> None:
    h = seed("torn-fs:d3")
    split(h)
    assert h.run("fsck -n /dev/md/rdsk/d3").exit_code == 36


def test_a_disk_failing_under_the_detached_submirror_fails_fsck() -> None:
    """utilities.c rwerror(): "CANNOT READ: DISK BLOCK n: I/O error", CONTINUE?; -y goes on
    and the file system stays bad (36), -n stops: "Program terminated" (39)."""
    h = seed("disk-fail:c2t0d0@after:metadetach")
    split(h)
    r = h.run("fsck -n /dev/md/rdsk/d3")
    assert r.exit_code == 39
    assert "CANNOT READ: DISK BLOCK 32: I/O error\nCONTINUE?  no\n\nProgram terminated\n" \
        in r.stdout
    assert h.run("fsck -y /dev/md/rdsk/d3").exit_code == 36


def dump(h: Host) -> tuple[int, str]:
    r = h.run(DUMP)
    return r.exit_code, r.stderr


def test_tape_eom_mid_dump_asks_for_a_volume_and_aborts() -> None:
    """dumptape.c rollforward/changevol: End-of-tape, "Change Volumes", no operator:
    "The ENTIRE dump is aborted." exit 3; dumpdates is not updated."""
    h = seed("tape-eom@ufsdump:50%")
    split(h)
    code, err = dump(h)
    assert code == 3
    assert "  DUMP: End-of-tape detected\n" in err
    assert "Change Volumes: Mount volume `#2'" in err
    assert err.endswith("  DUMP: The ENTIRE dump is aborted.\n")
    assert h.backups.dumpdates == []


def test_tape_write_error_asks_to_restart_and_aborts() -> None:
    h = seed("tape-write-error@ufsdump:30%")
    split(h)
    code, err = dump(h)
    assert code == 3 and "  DUMP: Write error " in err and " feet into tape 1\n" in err
    assert 'Do you want to restart?: ("yes" or "no")' in err


def test_dest_full_is_a_write_error_on_the_file(tmp_path) -> None:
    h = seed("dest-full@ufsdump:50%")
    split(h)
    r = h.run(f"ufsdump 0f {tmp_path}/x.dump /dev/md/rdsk/d3", cwd=str(tmp_path))
    assert r.exit_code == 3 and "blocks into volume 1\n" in r.stderr
    report = verify_backup(h, str(tmp_path / "x.dump"))
    assert not report.complete


def test_a_few_unreadable_sectors_are_zero_filled_and_the_archive_is_not_clean(tmp_path
                                                                             ) -> None:
    """dumptraverse.c bread(): "Warning - cannot read sector N of `dev'" per sector, zeros
    dumped, the dump completes (exit 0) -- the archive is silently wrong, and the verdict's
    verify says so."""
    h = seed("dump-read-error,sectors=3@ufsdump:50%")
    split(h)
    r = h.run(f"ufsdump 0f {tmp_path}/x.dump /dev/md/rdsk/d3", cwd=str(tmp_path))
    assert r.exit_code == 0 and "DUMP IS DONE" in r.stderr
    assert r.stderr.count("Warning - cannot read sector ") == 3
    report = verify_backup(h, str(tmp_path / "x.dump"))
    assert report.complete and not report.clean
    assert any("could not be read" in n for n in report.notes)


def test_more_than_breademax_read_errors_abort_the_dump() -> None:
    """dumptraverse.c: past BREADEMAX (32) errors, dumpailing(): "DUMP IS AILING!" and the
    query; with no operator, dumpabort() exit 3. A disk failing under the detached
    submirror (disk-fail) does the same."""
    for spec in ("dump-read-error,sectors=40@ufsdump:50%", "disk-fail:c2t0d0@ufsdump:50%"):
        h = seed(spec)
        split(h)
        code, err = dump(h)
        assert code == 3, spec
        assert "More than 32 block read errors from dump device `/dev/md/rdsk/d3'\n" in err
        assert "  DUMP: DUMP IS AILING!\n" in err


def test_dump_killed_by_a_signal() -> None:
    h = seed("dump-killed@ufsdump:60%")
    split(h)
    code, err = dump(h)
    assert code == 137 and "DUMP IS DONE" not in err and "aborted" not in err
    assert h.backups.dumpdates == []


def test_a_fault_inside_the_dump_fires_at_its_fraction() -> None:
    """ufsdump reports its progress at each tenth of its record stream: a panic at 50 %
    comes after Pass IV began, before the end."""
    from simulator.core.errors import HostPanic
    h = seed("panic@ufsdump:50%")
    split(h)
    with pytest.raises(HostPanic) as down:
        h.run(DUMP)
    assert down.value.result is not None


def test_the_faults_strategy_draws_armable_faults_for_the_host() -> None:
    """simulator.testing.strategies.faults: every drawn fault parses back from its one-line
    form and arms on the host it was drawn for."""
    from hypothesis import given, settings

    from simulator.faults import format_fault, parse_fault
    from simulator.testing.strategies import faults
    host = build_host("seed-example")

    @settings(max_examples=60, deadline=None, database=None)
    @given(faults(host))
    def check(fault) -> None:  # noqa: ANN001
        assert parse_fault(format_fault(fault)) == fault
        arm(build_host("seed-example"), [fault])

    check()
