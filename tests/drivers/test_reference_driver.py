"""The reference driver's options (drivers/svm-online-backup.sh, issue 11): each one run
under `svmsim run`, its exit status as the script's header documents it, and what it did to
the host. The every-scenario, every-shell matrix is tests/verdict/test_driver_matrix.py; the
every-fault campaign is tests/campaign/test_campaign_seed.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.harness.runner import run_driver

DRIVER = Path(__file__).resolve().parents[2] / "drivers" / "svm-online-backup.sh"


def sh() -> str:
    return shutil.which("dash") or "/bin/sh"


def run(scenario: str, *args: str, faults: tuple[str, ...] = (), **kw: object):  # noqa: ANN201
    return run_driver(scenario, [sh(), str(DRIVER), *args], capture=True, stdin=b"",
                      timeout=120, faults=list(faults), **kw)


def test_shellcheck_is_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (.ci/run installs it)")
    p = subprocess.run(["shellcheck", "-s", "sh", str(DRIVER)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout


def test_help_documents_every_option_and_exit_status() -> None:
    p = subprocess.run([sh(), str(DRIVER), "-h"], capture_output=True, text=True)
    assert p.returncode == 0
    for opt in ("-l level", "-f dumpfile", "-w", "-m n", "-t spare", "-y", "-r", "-q hook",
                "-b size", "-n", "-R", "-h"):
        assert f"  {opt}" in p.stdout, opt
    assert "Exit status: 0 backup done" in p.stdout and "3 the submirror could not" in p.stdout


def test_bad_usage_exits_2() -> None:
    p = subprocess.run([sh(), str(DRIVER), "d1"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.startswith("usage: ")


def test_dry_run_changes_nothing() -> None:
    r = run("seed-example", "-n", "d1", "d3", "/home1")
    assert r.driver_exit == 0
    assert [c.name for c in r.transcript.calls] == ["metastat"]
    assert r.transcript.detached == {}


def test_fsck_errors_stop_the_backup_unless_y_allows_repairs() -> None:
    """Without -y the copy is checked with fsck -n: fixable errors stop the backup (exit 1,
    d3 reattached); with -y fsck repairs them and the backup is made."""
    r = run("seed-example", "d1", "d3", "/home1", faults=("fsck-errors:d3",))
    assert r.driver_exit == 1 and r.outcome == "failed-cleanly", r.reason
    assert "ufsdump" not in [c.name for c in r.transcript.calls]
    r = run("seed-example", "-y", "d1", "d3", "/home1", faults=("fsck-errors:d3",))
    assert r.driver_exit == 0 and r.outcome == "backed-up", r.reason


def test_unreadable_sectors_fail_the_backup_though_ufsdump_said_done() -> None:
    r = run("seed-example", "d1", "d3", "/home1",
            faults=("dump-read-error,sectors=2@ufsdump:50%",))
    assert r.transcript.calls_named("ufsdump")[-1].exit_code == 0
    assert r.driver_exit == 1 and r.outcome == "failed-cleanly", r.reason


def test_a_refused_metattach_is_retried() -> None:
    r = run("seed-example", "d1", "d3", "/home1", faults=("metattach-refused:d1",))
    assert [c.exit_code for c in r.transcript.calls_named("metattach")] == [1, 0]
    assert r.driver_exit == 0 and r.outcome == "backed-up", r.reason


def test_the_tip_keeps_redundancy_and_leaves_the_mirror_as_found() -> None:
    r = run("third-submirror", "-t", "d4", "d1", "/home1")
    assert r.passed and r.outcome == "backed-up", r.reason
    names = [(c.name, c.argv[1:]) for c in r.transcript.calls]
    assert ("metattach", ["d1", "d4"]) in names and ("metadetach", ["d1", "d4"]) in names
    assert r.transcript.min_okay["d1"][0] == 2


def test_root_is_backed_up_unlocked_with_a_warning() -> None:
    """The guide's Caution: never lockfs -w /."""
    r = run("root-mirror", "d10", "d12", "/")
    assert "lockfs" not in [c.name for c in r.transcript.calls]
    assert any("/ is not write-locked" in n for n in r.notes), r.notes


def test_recovery_after_a_panic_reattaches_what_the_run_left() -> None:
    r = run("seed-example", "d1", "d3", "/home1", faults=("panic@ufsdump:50%",))
    assert r.outcome == "crashed", r.reason
    assert [c.argv for c in r.transcript.calls][-1] == ["/usr/sbin/metattach", "d1", "d3"]
    assert any(n.endswith(": exit 0") and n.startswith("boot script") for n in r.notes)


def test_steps_are_logged_with_timestamps_and_to_syslog() -> None:
    r = run("seed-example", "d1", "d3", "/home1")
    logged = [n for n in r.notes if n.startswith("logger: ")]
    assert any("d3 detached from d1" in n for n in logged), logged


RAW = ("-r", "-q", "/opt/svmsim/bin/dbctl")


def test_raw_volume_is_quiesced_for_the_split_and_copied_with_dd() -> None:
    """The Caution: a raw volume is not write-locked; the hook quiesces the database for the
    moment of the detach only, dd copies the detached submirror, d33 goes back."""
    r = run("raw-database-volume", *RAW, "-f", "/dev/rmt/0", "d30", "d33")
    assert r.driver_exit == 0 and r.outcome == "backed-up", r.reason
    names = [c.name for c in r.transcript.calls]
    assert "lockfs" not in names and "fsck" not in names and "ufsdump" not in names
    assert names.index("dbctl") < names.index("metadetach") < names.index("dd")
    quiesce, resume = [c for c in r.transcript.calls if c.name == "dbctl"][:2]
    assert quiesce.argv[1:] == ["quiesce", "d30"] and resume.argv[1:] == ["resume", "d30"]
    assert resume.end - quiesce.start < 1          # held for the split, not the copy
    assert r.transcript.calls[-1].name == "metattach"


def test_raw_volume_without_a_hook_warns_that_the_copy_is_crash_consistent() -> None:
    r = run("raw-database-volume", "-r", "-f", "/backup/orders.img", "d30", "d33")
    assert r.driver_exit == 0 and r.outcome == "backed-up", r.reason
    assert any("crash-consistent" in n for n in r.notes), r.notes


def test_raw_volume_refused_quiesce_changes_nothing() -> None:
    r = run("raw-database-volume", *RAW, "d30", "d33", faults=("quiesce-refused:orders",))
    assert r.driver_exit == 2 and r.outcome == "refused", r.reason
    assert "metadetach" not in [c.name for c in r.transcript.calls]


def test_raw_copy_failing_resumes_and_reattaches_and_exits_1() -> None:
    r = run("raw-database-volume", *RAW, "-f", "/dev/rmt/0", "d30", "d33",
            faults=("disk-fail:c3t0d0@dd:50%",))
    assert r.driver_exit == 1 and r.outcome == "failed-cleanly", r.reason
    dd = [c for c in r.transcript.calls if c.name == "dd"][-1]
    assert dd.exit_code == 2 and dd.stderr.startswith("read: I/O error")


def test_raw_options_that_belong_to_ufs_are_usage_errors() -> None:
    for extra in (("-y",), ("-l", "1"), ("-t", "d34")):
        p = subprocess.run([sh(), str(DRIVER), "-r", *extra, "d30", "d33"],
                           capture_output=True, text=True)
        assert p.returncode == 2 and p.stderr.startswith("usage: "), extra


def test_the_tip_with_a_slice_makes_a_concat_and_clears_it_after() -> None:
    """-t c0t0d0s0: metainit d100 1 1 c0t0d0s0 (the first free dN from d100), attach,
    resync, detach for the backup, then metaclear d100: the host is left as it was."""
    r = run("third-submirror", "-t", "c0t0d0s0", "d1", "/home1")
    assert r.driver_exit == 0 and r.outcome == "backed-up", r.reason
    argv = [c.argv[1:] for c in r.transcript.calls if c.name in ("metainit", "metaclear")]
    assert argv == [["d100", "1", "1", "c0t0d0s0"], ["d100"]]
    assert r.transcript.min_okay["d1"][0] == 2


def test_recovery_clears_the_concat_a_slice_spare_left() -> None:
    r = run("third-submirror", "-t", "c0t0d0s0", "d1", "/home1",
            faults=("panic@ufsdump:50%",))
    assert r.outcome == "crashed", r.reason
    assert [c.argv for c in r.transcript.calls][-1] == ["/usr/sbin/metaclear", "d100"]
