"""The verdict over a suite of drivers and every shipped scenario (issue "Verdicts you can
trust: outcomes judged against the starting state").

The reference driver (``drivers/svm-online-backup.sh``, the Solaris Volume Manager
Administration Guide's "How to Perform an Online Backup of a RAID-1 Volume") reaches an
outcome its scenario accepts on every shipped scenario. Five bad drivers
(``tests/harness/drivers``) fail wherever what they do is wrong, each with the outcome that
names the mistake: a no-op that says "backup OK" (silent-failure), one that leaves the
write lock on an error (left-degraded), one that never reattaches (left-degraded), one that
dumps the still-attached submirror (silent-failure: a live submirror is not a consistent
image), and one that holds ``lockfs -w`` through the dump (backed-up, but
``filesystems-unlocked`` fails: writers stalled for the whole dump).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.harness.runner import run_driver
from simulator.scenario import load_scenario, shipped_scenarios
from simulator.session.verdict import RunResult

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "drivers" / "svm-online-backup.sh"
DRIVERS = REPO / "tests" / "harness" / "drivers"

# mirror, submirror, mount point of each shipped scenario (root-mirror: /export/home on d20,
# since / is never write-locked); the reference driver dumps there or to the tape
TARGETS: dict[str, tuple[str, str, str | None]] = {
    "seed-example": ("d1", "d3", "/home1"), "two-way-mirror": ("d0", "d20", "/export/home"),
    "hot-spare": ("d10", "d12", "/export/data"), "last-erred": ("d0", "d20", "/export/home"),
    "maintenance": ("d10", "d12", "/export/data"),
    "offline-submirror": ("d10", "d12", "/export/data"),
    "resyncing": ("d0", "d20", "/export/home"), "root-mirror": ("d20", "d22", "/export/home"),
    "stale-metadb": ("d1", "d3", "/home1"), "big-16tb": ("d100", "d102", "/export/archive"),
    "tape-too-small": ("d1", "d3", "/home1"),
    # the fault scenarios (issue 10): the Admin Guide's layout, a fault during the run
    "component-fails-mid-dump": ("d1", "d3", "/home1"),
    "source-disk-fails-mid-dump": ("d1", "d3", "/home1"), "lock-busy": ("d1", "d3", "/home1"),
    "fsck-errors-detached": ("d1", "d3", "/home1"), "last-submirror": ("d1", "d3", "/home1"),
    "panic-during-dump": ("d1", "d3", "/home1"), "panic-during-resync": ("d1", "d3", "/home1"),
    "tape-write-error": ("d1", "d3", "/home1"),
    # the Tip: the spare d4 is attached, resynced and detached for the backup (-t d4)
    "third-submirror": ("d1", "d4", "/home1"),
    # the Caution's raw volume: no mount point, the database quiesced by its utility (-r -q)
    "raw-database-volume": ("d30", "d33", None),
}
BACKUP = ["seed-example", "two-way-mirror", "hot-spare", "root-mirror"]
REFUSE = ["maintenance", "last-erred", "offline-submirror", "resyncing", "stale-metadb",
          "tape-too-small"]


def sh() -> str:
    path = shutil.which("dash") or shutil.which("sh")
    if path is None:
        pytest.skip("no POSIX shell")
    return path


@pytest.fixture
def dump(request: pytest.FixtureRequest) -> Iterator[str]:
    name = request.node.name.replace("[", "-").replace("]", "")
    path = Path(f"/var/tmp/svmsim-verdict-{os.getpid()}-{name}.dump")
    path.unlink(missing_ok=True)
    yield str(path)
    path.unlink(missing_ok=True)


def run(scenario: str, argv: list[str]) -> RunResult:
    return run_driver(scenario, [sh(), *argv], capture=True, stdin=b"", timeout=120)


def explain(r: RunResult) -> str:
    return f"{r.outcome}: {r.reason}; failed: {[(c.name, c.summary) for c in r.failed()]}"


def test_every_shipped_scenario_has_a_target_and_states_its_outcomes() -> None:
    assert set(TARGETS) == set(shipped_scenarios())
    for name in shipped_scenarios():
        sc = load_scenario(name)
        assert sc.expect.outcome, f"{name}: no [expect] outcome"
        assert ":" in sc.description, f"{name}: the description says what it tests"


def shells() -> list[str]:
    """The POSIX shells the reference driver must run under here (issue 11: dash, ksh93,
    mksh), those installed."""
    return [s for s in ("dash", "ksh93", "mksh") if shutil.which(s)] or ["sh"]


@pytest.mark.parametrize("shell", shells())
@pytest.mark.parametrize("scenario", [
    name
    for name in sorted(TARGETS)])
def test_the_reference_driver_reaches_an_acceptable_outcome(scenario: str,
                                                            shell: str) -> None:
    """Issue 11: with the arguments the scenario gives it (``[reference_driver] args``),
    under each shell."""
    spec = load_scenario(scenario).reference_driver
    assert spec is not None, f"{scenario}: no [reference_driver] args"
    mirror, sub, mount = TARGETS[scenario]
    assert spec.args[-1] == (mount or sub) and mirror in spec.args and sub in spec.args
    r = run_driver(scenario, [shutil.which(shell) or shell, str(REFERENCE), *spec.args],
                   capture=True, stdin=b"", timeout=120)
    assert r.passed, explain(r)
    assert r.outcome in load_scenario(scenario).expect.outcomes() and r.exit_code == 0


@pytest.mark.parametrize("scenario", sorted(TARGETS))
def test_a_noop_backup_ok_is_a_silent_failure(scenario: str) -> None:
    r = run(scenario, [str(DRIVERS / "noop-ok.sh")])
    assert (r.outcome, r.passed, r.exit_code) == ("silent-failure", False, 1), explain(r)
    assert r.reason == "exit 0 without a valid backup: no ufsdump was run"


@pytest.mark.parametrize("scenario", BACKUP + REFUSE)
def test_a_lock_left_on_error_leaves_the_host_degraded(scenario: str) -> None:
    mirror, sub, mount = TARGETS[scenario]
    r = run(scenario, [str(DRIVERS / "lock-left-on-error.sh"), mirror, sub, mount])
    assert r.driver_exit == 1
    assert (r.outcome, r.passed, r.exit_code) == ("left-degraded", False, 1), explain(r)
    assert r.reason == f"left behind: {mount} (write) write-locked"
    unlocked = next(c for c in r.checks if c.name == "filesystems-unlocked")
    assert not unlocked.held and f"still locked at the end: {mount} (write)" in unlocked.summary


@pytest.mark.parametrize("scenario", BACKUP)
def test_never_reattaching_leaves_the_host_degraded(scenario: str, dump: str) -> None:
    mirror, sub, mount = TARGETS[scenario]
    r = run(scenario, [str(DRIVERS / "never-reattach.sh"), mirror, sub, mount, dump])
    assert r.driver_exit == 0
    assert (r.outcome, r.passed) == ("left-degraded", False), explain(r)
    assert f"{sub} (from {mirror}) left detached" in r.reason
    assert not next(c for c in r.checks if c.name == "submirrors-reattached").held


@pytest.mark.parametrize("scenario", BACKUP)
def test_dumping_the_attached_submirror_is_a_silent_failure(scenario: str, dump: str) -> None:
    mirror, sub, mount = TARGETS[scenario]
    r = run(scenario, [str(DRIVERS / "dump-attached.sh"), mirror, sub, mount, dump])
    assert r.driver_exit == 0
    assert (r.outcome, r.passed) == ("silent-failure", False), explain(r)
    assert f"{sub} was attached to {mirror} (a live submirror" in r.reason
    matches = next(c for c in r.checks if c.name == "archive-matches-detach-view")
    assert not matches.held and matches.summary.startswith("not a consistent image: ")
    told = next(c for c in r.checks if c.name == "driver-told-truth")
    assert not told.held and told.summary == "driver exited 0 although the backup failed"


@pytest.mark.parametrize("scenario", BACKUP)
def test_holding_the_lock_through_the_dump_fails(scenario: str, dump: str) -> None:
    mirror, sub, mount = TARGETS[scenario]
    r = run(scenario, [str(DRIVERS / "lock-through-dump.sh"), mirror, sub, mount, dump])
    assert r.driver_exit == 0
    # the archive is good; the writers' nine minutes are not
    assert (r.outcome, r.passed, r.exit_code) == ("backed-up", False, 1), explain(r)
    (failed,) = r.failed()
    assert failed.name == "filesystems-unlocked"
    assert failed.summary.startswith(f"{mount} write-locked ")
    assert "(limit 30): " in failed.summary and "application write(s) stalled" in failed.summary
