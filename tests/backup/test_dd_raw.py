"""dd(1M) and raw volumes (issue 11, the Admin Guide's Caution: a raw volume needs no lockfs,
the vendor's utility quiesces the application). Texts from illumos usr/src/cmd/dd/dd.c
(match(), number(), term(), stats(), the open and read error paths); the database model and
its utility are svmsim's own (simulator/ufs/databases.py, simulator/ufs/cmd/dbctl.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.backup.rawimage import RawHeader, verify_image
from simulator.core.files import FileAccess
from simulator.host import Host
from simulator.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DBCTL = "/opt/svmsim/bin/dbctl"


def host(release: str | None = None) -> Host:
    sc = load_scenario(SCENARIOS / "raw-database-volume.toml")
    if release is not None:
        sc.host.release = release
    return sc.build_host()


@pytest.mark.parametrize(("argv", "text", "code"), [
    ("dd foo", 'dd: bad argument: "foo"\n', 2),
    ("dd bs=1q", 'dd: bad numeric argument: "1q"\n', 2),
    ("dd bs=0", "dd: buffer sizes cannot be zero\n", 2),
    ("dd conv=bogus", 'dd: bad argument: "bogus"\n', 2),
    ("dd if=/dev/md/rdsk/d99", "dd: /dev/md/rdsk/d99: open: No such device or address\n", 2),
    ("dd if=/nonexistent", "dd: /nonexistent: open: No such file or directory\n", 2),
    ("dd if=/dev/md/rdsk/d33 skip=99999999999", "dd: cannot skip past end-of-file\n", 3),
])
def test_bad_operands_answer_as_dd_c(argv: str, text: str, code: int) -> None:
    """dd.c: badarg, number()'s default case, the zero-size check, open(2) failures through
    perror, and the skip past the end (exit 3)."""
    r = host().run(argv, files=FileAccess())
    assert (r.stderr, r.exit_code) == (text, code)


def test_not_simulated_parts_say_so() -> None:
    h = host()
    for argv in ("dd conv=ascii", "dd if=/dev/rmt/0 of=/tmp/x", "dd if=/tmp/x of=/dev/md/rdsk/d30"):
        r = h.run(argv)
        assert r.exit_code == 2 and "not simulated by svmsim" in r.stderr, argv


def test_number_grammar_suffixes_and_products(tmp_path: Path) -> None:
    """number(): k, b, w and x/* products (2x512 is 1024)."""
    src = tmp_path / "in"
    src.write_bytes(bytes(range(256)) * 12)      # 3072 bytes
    h = host()
    r = h.run(f"dd if={src} of={tmp_path / 'out'} bs=2x512 count=2")
    assert r.exit_code == 0 and r.stderr == "2+0 records in\n2+0 records out\n"
    assert (tmp_path / "out").read_bytes() == src.read_bytes()[:2048]
    r = h.run(f"dd if={src} of={tmp_path / 'out2'} ibs=1k obs=2b conv=ucase")
    assert r.stderr == "3+0 records in\n3+0 records out\n"
    assert (tmp_path / "out2").read_bytes() == src.read_bytes().upper()


def test_a_partial_last_record_is_counted_apart(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.write_bytes(b"x" * 1500)
    r = host().run(f"dd if={src} of={tmp_path / 'o'} bs=1k")
    assert r.stderr == "1+1 records in\n1+1 records out\n"


def test_illumos_prints_the_bytes_transferred_line(tmp_path: Path) -> None:
    """stats(): illumos (2014 and later) adds the bytes line; Solaris 10 does not."""
    r = host("illumos").run(f"dd if=/dev/md/rdsk/d33 of={tmp_path / 'i'} bs=1024k count=10")
    lines = r.stderr.splitlines()
    assert lines[:2] == ["10+0 records in", "10+0 records out"]
    assert lines[2].startswith("10485760 bytes transferred in ") and lines[2].endswith(
        " bytes/sec)")


def test_a_detached_quiesced_submirror_copies_whole_and_clean(tmp_path: Path) -> None:
    h = host()
    assert h.run(f"{DBCTL} quiesce d30").exit_code == 0
    assert h.run("metadetach d30 d33").exit_code == 0
    r = h.run(f"{DBCTL} resume orders")
    assert r.stdout.startswith("orders: writes resumed after ")
    t0 = h.clock.now
    r = h.run(f"dd if=/dev/md/rdsk/d33 of={tmp_path / 'o.img'} bs=1024k")
    assert r.exit_code == 0
    size = h.fs.device_size("/dev/md/rdsk/d33") * 512
    full, part = divmod(size, 1024 * 1024)
    rec = f"{full}+{1 if part else 0}"
    assert r.stderr == f"{rec} records in\n{rec} records out\n"
    assert h.clock.now - t0 > 60            # a 35 GB copy takes virtual minutes
    header = RawHeader.from_bytes((tmp_path / "o.img").read_bytes())
    assert header.kind == "database" and header.content == "orders"
    assert header.whole and header.consistent and header.quiesced
    assert verify_image(header).usable
    # the mirror went on writing: the copy is the database as it was at the split
    assert h.databases.named("orders").writes > header.writes


def test_the_live_volume_copied_while_the_database_writes_is_not_point_in_time(
        tmp_path: Path) -> None:
    h = host()
    h.run(f"dd if=/dev/md/rdsk/d30 of={tmp_path / 'live.img'} bs=1024k")
    header = RawHeader.from_bytes((tmp_path / "live.img").read_bytes())
    assert not header.consistent and not header.quiesced
    assert any("not a point-in-time copy" in p for p in verify_image(header).problems)


def test_an_unquiesced_split_is_crash_consistent() -> None:
    h = host()
    h.run("metadetach d30 d33")
    copy = h.databases.copy_of("/dev/md/rdsk/d33")
    assert copy is not None and not copy.quiesced


def test_dd_stops_at_a_read_error_unless_noerror() -> None:
    """dd.c: perror("read") then term(2); with conv=noerror the statistics after each bad
    read and a give-up past BADLIMIT (5) bad reads in a row."""
    from simulator.faults import arm
    h = host()
    h.run("metadetach d30 d33")
    arm(h, ["dump-read-error,sectors=2@dd:50%"])
    r = h.run("dd if=/dev/md/rdsk/d33 of=/dev/rmt/0 bs=1024k")
    assert r.exit_code == 2 and r.stderr.startswith("read: I/O error\n")
    assert r.stderr.count("records in") == 1
    h2 = host()
    h2.run("metadetach d30 d33")
    arm(h2, ["dump-read-error,sectors=2@dd:50%"])
    r = h2.run("dd if=/dev/md/rdsk/d33 of=/dev/rmt/0 bs=1024k conv=noerror")
    assert r.exit_code == 0 and r.stderr.count("read: I/O error") == 2
    assert r.stderr.count("records in") == 3       # after each bad read, and at the end
    assert h2.backups.raw_images[-1][1].zero_filled == 2
    h3 = host()
    h3.run("metadetach d30 d33")
    arm(h3, ["disk-fail:c3t0d0@dd:50%"])
    r = h3.run("dd if=/dev/md/rdsk/d33 of=/dev/rmt/0 bs=1024k conv=noerror")
    assert r.exit_code == 2 and r.stderr.count("read: I/O error") == 6


def test_a_tape_too_small_ends_the_copy_with_enospc() -> None:
    sc = load_scenario(SCENARIOS / "raw-database-volume.toml")
    sc.tapes[0].capacity = 2 * 1024 * 1024 * 2       # 2 GB
    h = sc.build_host()
    h.run("metadetach d30 d33")
    r = h.run("dd if=/dev/md/rdsk/d33 of=/dev/rmt/0 bs=1024k")
    assert r.exit_code == 2 and r.stderr.startswith("write: No space left on device\n")
    assert r.stderr.splitlines()[1] == "2048+0 records in"


def test_dbctl_status_quiesce_resume_and_errors() -> None:
    h = host()
    assert h.run(f"{DBCTL} status").stdout == "orders\t/dev/md/rdsk/d30\topen, writing\n"
    assert h.run(f"{DBCTL}").exit_code == 2
    r = h.run(f"{DBCTL} quiesce nosuch")
    assert (r.stderr, r.exit_code) == ("dbctl: nosuch: no such database\n", 1)
    h.run(f"{DBCTL} quiesce")
    before = h.databases.named("orders").writes
    h.advance(3600)
    assert h.databases.named("orders").writes == before     # writes held while quiesced
    assert "quiesced since" in h.run(f"{DBCTL} status orders").stdout
    assert h.run(f"{DBCTL} resume").stdout == "orders: writes resumed after 3600 seconds\n"
    h.advance(60)
    assert h.databases.named("orders").writes > before
    # the database holds its volume open, as a mount does
    r = h.run("metaclear d30")
    assert r.exit_code == 1 and "metadevice is open" in r.stderr


def test_a_crash_leaves_the_database_running_again() -> None:
    from simulator.core.errors import HostPanic
    h = host()
    h.run(f"{DBCTL} quiesce")
    h.crash(HostPanic("test"))
    assert not h.databases.named("orders").quiesced


def test_state_round_trips_through_the_saved_host() -> None:
    h = host()
    h.run(f"{DBCTL} quiesce")
    h.run("metadetach d30 d33")
    h2 = Host.from_dict(h.to_dict())
    assert h2.databases.named("orders").quiesced
    assert h2.databases.copy_of("d33") == h.databases.copy_of("d33")


def test_a_database_on_a_file_system_volume_is_refused() -> None:
    from simulator.scenario import ScenarioError, parse_scenario
    text = (SCENARIOS / "two-way-mirror.toml").read_text() + \
        '\n[[database]]\nname = "x"\nvolume = "d0"\n'
    with pytest.raises(ScenarioError, match="holds the file system /export/home"):
        parse_scenario(text, "t.toml").build_host()


def test_verify_backup_reports_a_raw_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    """svmsim verify-backup on what dd wrote: a file holding a raw image, or the tape a dd
    wrote last; exit 0 usable, 1 not (a live volume copied while the database wrote)."""
    from simulator.cli import main
    state = str(tmp_path / "st")
    assert main(["init", "--scenario", "raw-database-volume", "--state", state, "-q"]) == 0
    assert main(["exec", "--state", state, "--", "metadetach", "d30", "d33"]) == 0
    img = tmp_path / "o.img"
    assert main(["exec", "--state", state, "--", "dd", "if=/dev/md/rdsk/d33", f"of={img}",
                 "bs=1024k"]) == 0
    capsys.readouterr()
    assert main(["verify-backup", "--state", state, str(img)]) == 0
    out = capsys.readouterr().out
    assert "content: database orders" in out and "usable: yes" in out
    assert main(["exec", "--state", state, "--", "dd", "if=/dev/md/rdsk/d30",
                 "of=/dev/rmt/0", "bs=1024k"]) == 0
    capsys.readouterr()
    assert main(["verify-backup", "--state", state, "/dev/rmt/0", "--json"]) == 1
    assert '"usable": false' in capsys.readouterr().out


def test_a_ufs_submirror_copied_with_dd_is_judged_as_a_dump_of_it() -> None:
    """dd of a detached UFS submirror: a backup when detached under lockfs -w (fsck before it
    noted when missing, as for ufsdump); detached without the lock, the detach check fails."""
    from simulator.harness.runner import run_driver
    steps = "metadetach d1 d3; {unlock}dd if=/dev/md/rdsk/d3 of=/backup/d3.img bs=1024k; " \
        "metattach d1 d3"
    r = run_driver("seed-example", ["sh", "-c", "lockfs -w /home1; " + steps.format(
        unlock="lockfs -u /home1; ")], capture=True, stdin=b"")
    made = next(c for c in r.checks if c.name == "backup-made")
    assert r.outcome == "backed-up" and made.held, r.reason
    assert "no fsck of the dumped device" in made.summary
    r = run_driver("seed-example", ["sh", "-c", steps.format(unlock="")], capture=True,
                   stdin=b"")
    lock = next(c for c in r.checks if c.name == "detached-under-write-lock")
    assert not lock.held and r.outcome != "backed-up"
