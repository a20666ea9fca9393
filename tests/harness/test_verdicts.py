"""Negative verdicts: each mistake a backup driver can make fails the check named for it.

A careless driver (``drivers/careless.sh``: ignores exit codes, always exits 0) leaves out a
step or survives a dump that dies; ``drivers/lock-root.sh`` write-locks ``/``. The
reference driver must refuse a mirror in maintenance and fail loudly when its dump dies.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.harness.runner import HarnessRun, run_driver
from simulator.scenario import Scenario, load_scenario, shipped_scenarios
from simulator.session.checks import HANG_REASON
from simulator.session.verdict import RunResult

REPO = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).resolve().parent / "drivers"
REFERENCE = REPO / "drivers" / "svm-online-backup.sh"


def sh() -> str:
    path = shutil.which("dash") or shutil.which("sh")
    if path is None:
        pytest.skip("no POSIX shell")
    return path


def check(r: RunResult, name: str) -> bool:
    found = [c for c in r.checks if c.name == name]
    assert len(found) == 1, f"no single check {name!r} in {[c.name for c in r.checks]}"
    return found[0].held


def summary(r: RunResult, name: str) -> str:
    return next(c.summary for c in r.checks if c.name == name)


@pytest.fixture
def dump(request: pytest.FixtureRequest) -> Iterator[str]:
    path = Path(f"/var/tmp/svmsim-test-{os.getpid()}-{request.node.name}.dump")
    path.unlink(missing_ok=True)
    yield str(path)
    path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def small_tape(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """seed-example with a 1 GB cartridge and no spare: a 20 GB dump to /dev/rmt/0 hits
    the end of the tape, asks for the next volume, has no terminal and aborts."""
    text = shipped_scenarios()["seed-example"].read_text()
    assert 'capacity = "400GB"' in text
    path = tmp_path_factory.mktemp("scenarios") / "small-tape.toml"
    path.write_text(text.replace('capacity = "400GB"', 'capacity = "1GB"'))
    return load_scenario(str(path))


def careless(scenario: str | Scenario, dest: str, *skip: str) -> RunResult:
    return run_driver(scenario, [sh(), str(DRIVERS / "careless.sh"), dest, *skip],
                      capture=True, stdin=b"", timeout=60)


def test_forgotten_unlock_fails_filesystems_unlocked(dump: str) -> None:
    r = careless("seed-example", dump, "no-unlock")
    assert r.driver_exit == 0 and not r.passed
    assert not check(r, "filesystems-unlocked")
    assert summary(r, "filesystems-unlocked") == (
        "still locked at the end: /home1 (write); /home1 write-locked 420 virtual s (limit "
        "30): 2186 application write(s) stalled")   # 5.2 writes/s of seed-example's workload
    assert r.outcome == "left-degraded" and r.exit_code == 1
    lock = next(c for c in r.checks if c.name == "filesystems-unlocked")
    assert [e.argv for e in lock.evidence] == [["/usr/sbin/lockfs", "-w", "/home1"]]
    assert not check(r, "driver-told-truth")     # it said OK with writers stalled
    assert check(r, "no-hang") and check(r, "submirrors-reattached")
    assert check(r, "backup-made")


def test_forgotten_metattach_fails_submirrors_reattached(dump: str) -> None:
    r = careless("seed-example", dump, "no-attach")
    assert r.driver_exit == 0 and not r.passed
    assert not check(r, "submirrors-reattached")
    assert summary(r, "submirrors-reattached") == "left detached: d3 (from d1)"
    assert r.outcome == "left-degraded" and "d3 (from d1) left detached" in r.reason
    assert not check(r, "driver-told-truth")
    assert check(r, "filesystems-unlocked") and check(r, "backup-made")
    assert not r.transcript.calls_named("metattach")


def test_dump_that_dies_with_exit_0_fails_driver_told_truth(small_tape: Scenario) -> None:
    r = careless(small_tape, "/dev/rmt/0")
    assert r.driver_exit == 0 and not r.passed
    (dump_call,) = r.transcript.calls_named("ufsdump")
    assert dump_call.exit_code != 0
    assert "End-of-tape detected" in dump_call.stderr
    assert "The ENTIRE dump is aborted." in dump_call.stderr
    assert not check(r, "backup-made")
    assert not check(r, "driver-told-truth")
    assert summary(r, "driver-told-truth") == "driver exited 0 although the backup failed"
    assert check(r, "filesystems-unlocked") and check(r, "submirrors-reattached")
    assert r.outcome == "silent-failure" and r.reason.endswith("the dump did not complete")


def test_lockfs_w_root_hangs_the_host_and_ends_the_run() -> None:
    t0 = time.monotonic()
    run = HarnessRun(load_scenario("seed-example"), [sh(), str(DRIVERS / "lock-root.sh")],
                     timeout=30)
    r, proc = run.run(capture=True, stdin=b"")
    assert time.monotonic() - t0 < 10          # killed at the hang, not at the timeout
    assert r.hung == HANG_REASON == "root file system write-locked"
    assert r.driver_exit is None and not r.passed
    assert not check(r, "no-hang")
    hang = next(c for c in r.checks if c.name == "no-hang")
    assert [e.argv for e in hang.evidence] == [["/usr/sbin/lockfs", "-w", "/"]]
    assert not check(r, "driver-exit")
    assert r.outcome == "hung" and r.exit_code == 3
    # the lock that hung it is the driver's: filesystems-unlocked says so, not "yes"
    assert summary(r, "filesystems-unlocked").startswith("still locked at the end: / (write)")
    # the driver never got an answer from lockfs: nothing after it ran
    assert b"still running" not in proc.stdout
    assert [c.name for c in r.transcript.calls] == ["metastat", "lockfs"]


def test_reference_driver_refuses_a_mirror_in_maintenance(dump: str) -> None:
    r = run_driver("maintenance", [sh(), str(REFERENCE), "-f", dump, "d10", "d12",
                                   "/export/data"], capture=True, stdin=b"", timeout=60)
    assert r.driver_exit == 2
    assert [c.name for c in r.transcript.calls] == ["metastat"]   # nothing changed
    assert r.passed, [(c.name, c.summary) for c in r.failed()]
    assert check(r, "driver-exit") and "backup-made" not in {c.name for c in r.checks}
    assert r.outcome == "refused" and r.expected == ("refused",)
    assert not Path(dump).exists()


def test_reference_driver_fails_loudly_when_its_dump_dies(small_tape: Scenario) -> None:
    r = run_driver(small_tape, [sh(), str(REFERENCE), "d1", "d3", "/home1"],
                   capture=True, stdin=b"", timeout=60)
    assert r.driver_exit == 1
    assert not check(r, "backup-made")
    assert check(r, "driver-told-truth")
    assert summary(r, "driver-told-truth") == "driver exited 1, and the backup did fail"
    # it cleaned up: unlocked, and d3 is back in d1
    assert check(r, "filesystems-unlocked") and check(r, "submirrors-reattached")
    assert r.transcript.calls[-1].argv == ["/usr/sbin/metattach", "d1", "d3"]
    # the dump's failure is the outcome's; the run is judged against what it expects
    assert r.outcome == "failed-cleanly" and not r.passed      # seed-example expects backed-up
    assert run_driver(small_tape, [sh(), str(REFERENCE), "d1", "d3", "/home1"], capture=True,
                      stdin=b"", timeout=60, expected=["failed-cleanly"]).passed


def test_detach_without_write_lock_fails_detached_under_write_lock(tmp_path: Path) -> None:
    driver = tmp_path / "nolock.sh"
    driver.write_text("/usr/sbin/metadetach d1 d3 && /usr/sbin/metattach d1 d3\n")
    driver.chmod(0o755)
    r = run_driver("seed-example", [sh(), str(driver)], capture=True)
    assert not check(r, "detached-under-write-lock")
    assert "d3 from d1 (/home1)" in summary(r, "detached-under-write-lock")
    assert not check(r, "backup-made")     # a mirror was split and nothing was dumped


def test_internal_simulator_error_fails_simulator_sound(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    import simulator.lvm.cmd.metastat as metastat

    def broken(inv: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(metastat, "main", broken)
    r = run_driver("seed-example", [sh(), "-c", "/usr/sbin/metastat d1; exit 0"], capture=True)
    assert not check(r, "simulator-sound")
    assert "RuntimeError: boom" in summary(r, "simulator-sound")
    assert not r.passed
