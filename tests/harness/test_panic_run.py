"""A panic under ``svmsim run``: the driver and every process of the run die with the host;
after the boot, the scenario's ``[host] boot_script`` runs in the same view (issue 10: "system
panic and reboot at any instant (the driver and its processes die with the host ...; a scenario
may name a boot-time script to run)")."""

from __future__ import annotations

import shutil
from pathlib import Path

from simulator.harness.runner import run_driver
from simulator.scenario import load_scenario

DRIVER = Path(__file__).resolve().parents[2] / "drivers" / "svm-online-backup.sh"


def sh() -> str:
    return shutil.which("dash") or "/bin/sh"


def seed_with_boot_script(tmp_path: Path, line: str) -> str:
    """seed-example with another ``[host] boot_script`` line ("" for none)."""
    text = Path(load_scenario("seed-example").source).read_text()
    old = next(x for x in text.splitlines() if x.startswith("boot_script = "))
    path = tmp_path / "seed.toml"
    path.write_text(text.replace(old, line))
    return str(path)


def test_a_panic_after_the_detach_kills_the_driver_and_leaves_d3_detached(tmp_path: Path
                                                                        ) -> None:
    """With no rc script to recover it, the submirror the driver detached stays detached
    after the boot: left-degraded."""
    r = run_driver(seed_with_boot_script(tmp_path, ""), [sh(), str(DRIVER), "d1", "d3",
                                                          "/home1"], capture=True,
                   faults=["panic@after:metadetach"], timeout=60)
    assert [c.name for c in r.transcript.calls] == ["metastat", "lockfs", "metadetach"]
    assert r.driver_exit is None and r.outcome == "left-degraded"
    # the lock died with the host: it lasted until the panic, not through the downtime
    unlocked = next(c for c in r.checks if c.name == "filesystems-unlocked")
    assert unlocked.held, unlocked.summary


def test_the_boot_script_runs_after_the_reboot_in_the_same_view(tmp_path: Path) -> None:
    """The driver leaves a note in /var/tmp before the panic; the boot script (an rc script
    of the site's) finds it there after the reboot and reattaches d3: the host is whole, the
    outcome is ``crashed``."""
    rc = "sh -c 'test -f /var/tmp/detached && /usr/sbin/metattach d1 d3'"
    sc = seed_with_boot_script(tmp_path, f'boot_script = "{rc}"')
    r = run_driver(sc, [sh(), "-c", "/usr/sbin/metadetach d1 d3 && touch /var/tmp/detached"
                             " && /usr/sbin/metastat d1 >/dev/null; echo never"],
                   capture=True, faults=["panic@before:metastat"], timeout=60,
                   expected=["crashed"])
    assert [c.name for c in r.transcript.calls] == ["metadetach", "metattach"]
    assert r.transcript.calls[1].exit_code == 0
    assert r.outcome == "crashed", r.reason
    assert any(n.startswith("boot script ") and n.endswith(": exit 0") for n in r.notes), r.notes


def test_a_timed_panic_during_a_sleep_ends_the_run() -> None:
    r = run_driver("seed-example", [sh(), "-c", "sleep 600; /usr/sbin/metastat d1"],
                   capture=True, faults=["panic@time:5m"], timeout=60)
    assert r.transcript.calls == []
    assert r.driver_exit is None and r.outcome == "crashed"
