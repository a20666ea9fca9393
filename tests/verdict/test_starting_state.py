"""A run is judged against the host as it began: what was wrong before the driver ran is
never its fault (issue "Verdicts you can trust"). A pre-existing lock, Maintenance or Last
Erred state that the driver leaves as it found it fails nothing; ``redundancy`` compares
with the start and with ``[expect] min_okay_submirrors``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from simulator.harness.runner import run_driver
from simulator.scenario import Scenario, load_scenario, shipped_scenarios
from simulator.session.checks import Expectations
from simulator.session.session import Session
from simulator.session.verdict import RunResult

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "drivers" / "svm-online-backup.sh"
MONITOR = REPO / "tests" / "harness" / "drivers" / "monitor.sh"


def sh() -> str:
    path = shutil.which("dash") or shutil.which("sh")
    if path is None:
        pytest.skip("no POSIX shell")
    return path


def variant(tmp_path: Path, base: str, setup: str, expect: str) -> Scenario:
    """A shipped scenario with extra ``[setup]`` commands and its own ``[expect]``."""
    text = shipped_scenarios()[base].read_text()
    text = re.sub(r"\n\[expect\]\n[\s\S]*$", "\n", text)
    path = tmp_path / f"{base}-variant.toml"
    path.write_text(text + f"\n[[setup]]\ncommands = [{setup}]\n\n[expect]\n{expect}\n")
    return load_scenario(str(path))


def held(r: RunResult, name: str) -> bool:
    return next(c for c in r.checks if c.name == name).held


def test_an_error_lock_there_before_the_run_is_not_the_drivers(tmp_path: Path) -> None:
    """lockfs -e (ufs_lockfs.c): an error-locked /home1 refuses the driver's write lock;
    the reference driver gives up, and leaves the lock it found."""
    sc = variant(tmp_path, "seed-example", '"lockfs -e /home1"',
                 'outcome = ["refused", "failed-cleanly"]')
    r = run_driver(sc, [sh(), str(REFERENCE), "-f", str(tmp_path / "d.dump"), "d1", "d3",
                        "/home1"], capture=True, stdin=b"", timeout=60)
    assert r.driver_exit == 1
    assert r.passed and r.outcome == "refused", (r.outcome, r.reason, r.failed())
    unlocked = next(c for c in r.checks if c.name == "filesystems-unlocked")
    assert unlocked.held and unlocked.summary == "every file system unlocked"
    assert unlocked.notes == ["/home1 was already error-locked when the run began"]


def test_a_write_lock_there_before_the_run_fails_no_monitor(tmp_path: Path) -> None:
    sc = variant(tmp_path, "seed-example", '"lockfs -w /home1"', 'outcome = ["read-only"]')
    r = run_driver(sc, [sh(), str(MONITOR)], capture=True, stdin=b"", timeout=60)
    assert r.passed and r.outcome == "read-only", (r.outcome, r.reason, r.failed())
    assert held(r, "filesystems-unlocked")


@pytest.mark.parametrize("scenario", ["last-erred", "maintenance", "offline-submirror"])
def test_a_broken_mirror_there_before_the_run_fails_no_monitor(scenario: str) -> None:
    r = run_driver(scenario, [sh(), str(MONITOR)], capture=True, stdin=b"", timeout=60,
                   expected=["read-only"])
    assert r.passed and r.outcome == "read-only", (r.outcome, r.reason, r.failed())
    red = next(c for c in r.checks if c.name == "redundancy")
    assert red.held and red.notes      # the starting state is named, not blamed


def test_last_erred_starts_with_no_okay_submirror_and_redundancy_holds() -> None:
    session = Session(load_scenario("last-erred").build_host())
    assert session.transcript.initial is not None
    assert session.transcript.initial["mirrors"]["d0"]["okay"] == 0
    session.dispatch(["metastat", "d0"])
    j = session.judge(2, Expectations.from_dict({"outcome": ["refused"]}))
    assert (j.outcome, j.passed) == ("refused", True)
    (red,) = [c for c in j.checks if c.name == "redundancy"]
    # submirror states, as metastat prints them (Last Erred is the component's state)
    assert red.held and red.notes == [
        "d0 began with d10 Needs maintenance, d20 Needs maintenance (0 Okay)"]


def test_redundancy_holds_the_floor_below_the_start() -> None:
    """seed-example starts with 3 Okay submirrors; a floor of 3 fails the procedure's
    detach (2 Okay while d3 is out), the default floor of 1 does not."""
    session = Session(load_scenario("seed-example").build_host())
    for argv in (["lockfs", "-w", "/home1"], ["metadetach", "d1", "d3"],
                 ["lockfs", "-u", "/home1"], ["metattach", "d1", "d3"]):
        assert session.dispatch(argv).exit_code == 0
    low = [c for c in session.verdict(1, Expectations()) if c.name == "redundancy"]
    assert low[0].held
    high = Expectations.from_dict({"min_okay_submirrors": 3})
    (red,) = [c for c in session.verdict(1, high) if c.name == "redundancy"]
    assert not red.held and red.summary.startswith("lowest Okay submirrors: d1: 2 Okay at ")
    assert red.summary.endswith("(3 at the start)")
