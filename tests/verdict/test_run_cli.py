"""``svmsim run`` around the verdict (issue "Verdicts you can trust"): usage errors for a
missing or non-executable driver, exit statuses 0/1/2/3, a JSON or JUnit report alone on
stdout, reports that survive any output encoding, colour only on a terminal, the
terminal's width, a subcommand's own usage with a suggestion on a typo, --expect, and the
summary line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simulator.cli import main

REPO = Path(__file__).resolve().parents[2]
DRIVERS = REPO / "tests" / "harness" / "drivers"


def svmsim(*args: str, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    full = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR",
                                                               "COLUMNS", "TERM")}
    full.update({"PYTHONPATH": str(REPO), **(env or {})})
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=REPO, env=full,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_a_missing_driver_is_a_usage_error_that_leaks_no_sandbox_path() -> None:
    p = svmsim("run", "--scenario", "seed-example", "--", "/nonexistent/driver.sh")
    assert (p.returncode, p.stdout) == (2, b"")
    assert p.stderr == b"svmsim run: /nonexistent/driver.sh: no such file\n"
    p = svmsim("run", "--scenario", "seed-example", "--", "sh", "no-such-script.sh")
    assert (p.returncode, p.stderr) == (2, b"svmsim run: no-such-script.sh: no such file\n")


def test_a_non_executable_driver_is_a_usage_error(tmp_path: Path) -> None:
    script = tmp_path / "backup.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)
    p = svmsim("run", "--scenario", "seed-example", "--", str(script))
    assert p.returncode == 2 and p.stderr.decode().startswith(
        f"svmsim run: {script}: not executable (chmod +x it, or name its interpreter")
    assert b"svmsim-run-" not in p.stderr


def test_json_on_stdout_is_valid_while_the_driver_prints() -> None:
    """noisy.sh writes text and raw non-UTF-8 bytes to stdout: with --report json and no
    --out they go to stderr, and stdout is the report alone."""
    p = svmsim("run", "--scenario", "seed-example", "--report", "json", "--", "sh",
               str(DRIVERS / "noisy.sh"))
    data = json.loads(p.stdout)
    assert data["outcome"] == "silent-failure" and data["exit_status"] == p.returncode == 1
    assert b"driver stdout line\n" in p.stderr and b"\xffraw bytes" in p.stderr
    p = svmsim("run", "--scenario", "seed-example", "--report", "junit", "--", "sh",
               str(DRIVERS / "noisy.sh"))
    suite = ET.fromstring(p.stdout)
    assert suite.find("testcase").get("name") == "outcome"   # type: ignore[union-attr]


def test_a_non_utf8_stdout_never_loses_the_verdict() -> None:
    env = {"PYTHONIOENCODING": "ascii"}
    args = ["run", "--scenario", "seed-example", "--", "sh", str(DRIVERS / "noop-ok.sh")]
    p = svmsim(*args, env=env)
    assert p.returncode == 1 and b"internal error" not in p.stderr
    text = p.stdout.decode("ascii")
    assert "svmsim run: scenario seed-example: FAILED" in text
    assert "outcome: silent-failure" in text and "+--" in text     # ASCII box for ASCII
    p = svmsim(*args[:3], "--report", "junit", *args[3:], env=env)
    assert ET.fromstring(p.stdout).get("failures") != "0"


def test_colour_on_a_terminal_none_in_a_pipe_and_the_terminals_width() -> None:
    args = ["run", "--scenario", "seed-example", "--", "sh", str(DRIVERS / "noop-ok.sh")]
    plain = svmsim(*args, env={"COLUMNS": "200"})
    assert b"\x1b[" not in plain.stdout
    assert max(len(line) for line in plain.stdout.decode().splitlines()) > 100
    forced = svmsim(*args, env={"FORCE_COLOR": "1", "COLUMNS": "120"})
    assert b"\x1b[" in forced.stdout and b"FAILED" in forced.stdout


def test_a_typo_gets_the_subcommands_usage_and_a_suggestion() -> None:
    p = svmsim("run", "--scenario", "seed-example", "--reprot", "json", "--", "true")
    err = p.stderr.decode()
    assert p.returncode == 2 and err.startswith("usage: svmsim run ")
    assert err.endswith("svmsim run: error: unrecognized arguments: --reprot (did you mean "
                        "--report?)\n")
    p = svmsim("run", "--scenario", "seed-example", "--expect", "backedup", "--", "true")
    assert p.returncode == 2 and b"unknown outcome 'backedup' (did you mean 'backed-up'?" \
        in p.stderr


def test_expect_overrides_the_scenario_and_the_summary_line_says_where_and_how_long() -> None:
    p = svmsim("run", "--scenario", "seed-example", "--expect", "read-only,refused", "--",
               "sh", str(DRIVERS / "monitor.sh"))
    assert p.returncode == 0, p.stdout.decode()[-3000:]
    last = p.stdout.decode().rstrip("\n").splitlines()[-1]
    assert last.startswith("svmsim run: seed-example: PASSED (read-only) in ")
    assert " real s, 0 virtual s; sandbox " in last and last.endswith(" shims")


def test_a_timeout_exits_3() -> None:
    p = svmsim("run", "--scenario", "seed-example", "--timeout", "2", "--report", "json",
               "--", "sh", "-c", "while :; do :; done")
    data = json.loads(p.stdout)
    assert p.returncode == 3 and data["outcome"] == "timed-out"
    assert data["reason"] == "the driver was killed after 2 real seconds"


def test_help_documents_the_exit_statuses(capsys) -> None:   # type: ignore[no-untyped-def]
    assert main(["run", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "0 passed, 1 failed, 2 usage or scenario error" in out
    assert "3 the host hung or the driver timed out" in out


@pytest.mark.parametrize(("argv", "hint"), [
    (["run", "--scenaro", "seed-example", "--", "true"],
     "(--scenaro: did you mean --scenario?)"),
    (["init", "--stat", "d"], "(--stat: did you mean --state?)"),
])
def test_a_mistyped_required_option_gets_a_suggestion(argv: list[str], hint: str,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """argparse reports the required option missing before the unknown one; the typo still
    gets its suggestion, with the subcommand's usage and exit 2."""
    from simulator.cli import main
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(hint) and f"usage: svmsim {argv[0]}" in err
