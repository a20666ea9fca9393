"""``svmsim run`` as a process: reports (text, JSON, JUnit), ``--out``, exit codes, and the
driver's own output passing through unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import build_host

REPO = Path(__file__).resolve().parents[2]
DRIVERS = Path(__file__).resolve().parent / "drivers"
CHECKS = {"no-hang", "filesystems-unlocked", "submirrors-reattached", "redundancy",
          "backup-made", "driver-exit", "driver-told-truth"}


def svmsim(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """The ``svmsim`` CLI as a separate process (main() with sys.argv, as the script)."""
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=REPO,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def dump(request: pytest.FixtureRequest) -> Iterator[str]:
    path = Path(f"/var/tmp/svmsim-test-{os.getpid()}-{request.node.name}.dump")
    path.unlink(missing_ok=True)
    yield str(path)
    path.unlink(missing_ok=True)


def test_json_report_to_out_file(tmp_path: Path, dump: str) -> None:
    out = tmp_path / "report.json"
    p = svmsim("run", "--scenario", "seed-example", "--report", "json", "--out", str(out),
               "--", "sh", str(DRIVERS / "seed.sh"), dump)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    data = json.loads(out.read_text())
    # stdout holds the driver's output only: what the fake commands printed, then its own
    # (metastat's went into a variable)
    calls = data["transcript"]["calls"]
    assert p.stdout.decode() == "".join(c["stdout"] for c in calls[1:]) + "seed.sh: done\n"
    assert data["passed"] is True and data["driver_exit"] == 0 and data["hung"] is None
    assert data["scenario"] == "seed-example" and data["hostname"] == "host1"
    assert data["sandbox"] in ("unshare", "proot") and data["shim"] in ("c", "python")
    names = [c["name"] for c in data["checks"]]
    assert set(names) >= CHECKS and len(names) == len(set(names))
    for c in data["checks"]:
        assert c["held"] is True and isinstance(c["summary"], str) and c["summary"]
        assert isinstance(c["evidence"], list)
        for e in c["evidence"]:
            assert set(e) >= {"index", "call", "exit_code"}
    backup = next(c for c in data["checks"] if c["name"] == "backup-made")
    assert [e["call"] for e in backup["evidence"]] == [
        "/usr/sbin/fsck -y /dev/md/rdsk/d3", f"/usr/sbin/ufsdump 0ucf {dump} /dev/md/rdsk/d3"]
    assert [c["argv"][0] for c in data["transcript"]["calls"]] == [
        "/usr/sbin/metastat", "/usr/sbin/lockfs", "/usr/sbin/metadetach", "/usr/sbin/lockfs",
        "/usr/sbin/fsck", "/usr/sbin/ufsdump", "/usr/sbin/metattach"]


def test_junit_report_of_a_failing_run(tmp_path: Path, dump: str) -> None:
    out = tmp_path / "report.xml"
    p = svmsim("run", "--scenario", "seed-example", "--report", "junit", "--out", str(out),
               "--", "sh", str(DRIVERS / "careless.sh"), dump, "no-unlock")
    assert p.returncode == 1, p.stderr.decode()[-2000:]
    assert p.stdout.endswith(b"\nbackup OK\n") and b"<?xml" not in p.stdout
    text = out.read_text()
    assert text.startswith("<?xml")
    suite = ET.fromstring(text)
    assert suite.tag == "testsuite" and suite.get("name") == "svmsim.seed-example"
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    assert set(names) >= CHECKS and len(names) == len(set(names))
    assert suite.get("tests") == str(len(cases)) and names[0] == "outcome"
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert suite.get("failures") == str(len(failed))
    assert {"outcome", "filesystems-unlocked", "driver-told-truth"} <= set(failed)
    outcome = failed["outcome"]
    assert outcome is not None
    assert outcome.get("message") == "outcome left-degraded (expected backed-up)"
    assert "submirrors-reattached" not in failed and "no-hang" not in failed
    unlocked = failed["filesystems-unlocked"]
    assert unlocked is not None
    assert unlocked.get("message", "").startswith("still locked at the end: /home1 (write); "
                                                  "/home1 write-locked 420 virtual s")
    assert "/usr/sbin/lockfs -w /home1" in (unlocked.text or "")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["sandbox"] in ("unshare", "proot") and props["shim"] in ("c", "python")
    assert props["driver_exit"] == "0" and props["outcome"] == "left-degraded"


def test_driver_output_passes_through_unchanged(tmp_path: Path) -> None:
    host = build_host("seed-example")
    ok, bad = host.run("metastat d1"), host.run("metastat d99")
    assert ok.exit_code == 0 and bad.exit_code == 1
    want_out = (b"driver stdout line\n" + ok.stdout_bytes + bad.stdout_bytes
                + b"\xffraw bytes, no newline")
    want_err = b"driver stderr line\n" + bad.stderr.encode() + b"\xferaw stderr"
    argv = ["--scenario", "seed-example", "--", "sh", str(DRIVERS / "noisy.sh")]
    # every report to a file: stdout and stderr are the driver's, byte for byte
    p = svmsim("run", "--report", "json", "--out", str(tmp_path / "r.json"), *argv)
    assert (p.stdout, p.stderr) == (want_out, want_err)
    assert p.returncode == 1        # no backup was made
    # the text report follows the driver's output on stdout
    p = svmsim("run", *argv)
    assert p.returncode == 1 and p.stderr == want_err
    assert p.stdout.startswith(want_out)
    report = p.stdout[len(want_out):].decode()
    assert report.startswith("svmsim run: scenario seed-example: FAILED\n")
    assert "backup-made" in report and "no ufsdump was run" in report


@pytest.mark.parametrize("case", ["bad-name", "bad-key", "bad-toml", "no-command",
                                  "empty-command"])
def test_usage_and_scenario_errors_exit_2(case: str, tmp_path: Path) -> None:
    scenario = "seed-example"
    command = ["--", "true"]
    if case == "bad-name":
        scenario = "no-such-scenario"
    elif case in ("bad-key", "bad-toml"):
        path = tmp_path / f"{case}.toml"
        path.write_text('[host]\nhostnme = "x"\n' if case == "bad-key" else "[host\n")
        scenario = str(path)
    elif case == "no-command":
        command = []
    else:
        command = ["--"]
    p = svmsim("run", "--scenario", scenario, *command)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err and p.stdout == b""
    if case == "bad-key":
        assert "hostnme" in err
    if case in ("no-command", "empty-command"):
        assert "no COMMAND" in err


def test_reader_quitting_early_does_not_kill_svmsim_run(tmp_path: Path, dump: str) -> None:
    """``metastat | true``: the harness's write hits a closed pipe. ``svmsim`` restores
    the default SIGPIPE action for ``svmsim exec | head``; ``run`` must survive it."""
    out = tmp_path / "r.json"
    p = svmsim("run", "--scenario", "seed-example", "--report", "json", "--out", str(out),
               "--", "sh", str(DRIVERS / "pipes.sh"), dump)
    assert p.returncode == 0, (p.returncode, p.stderr.decode()[-2000:])
    assert p.stdout.endswith(b"d1: submirror d3 is attached\npipes.sh: done\n")
    assert b"server" not in p.stderr            # "svmsim server not reachable"
    data = json.loads(out.read_text())
    assert data["passed"] and len(data["transcript"]["calls"]) == 10


def test_hung_host_report_via_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    p = svmsim("run", "--scenario", "seed-example", "--report", "json", "--out", str(out),
               "--timeout", "30", "--", "sh", str(DRIVERS / "lock-root.sh"))
    assert p.returncode == 3, (p.returncode, p.stderr.decode()[-2000:])   # hung: not 1
    data = json.loads(out.read_text())
    assert data["hung"] == "root file system write-locked" and data["driver_exit"] is None
    assert data["outcome"] == "hung" and data["exit_status"] == 3
    held = {c["name"]: c["held"] for c in data["checks"]}
    assert held["no-hang"] is False and held["driver-exit"] is False
