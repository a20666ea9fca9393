"""drivers/svm-capture.sh: shellcheck -s sh clean, -h says what it runs, and what it writes
under `svmsim run` imports back to a host whose metastat is the scenario's own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.harness.runner import run_driver
from simulator.importer import import_scenario, round_trip
from simulator.importer.captures import CAPTURE_FILES, read_archive
from simulator.scenario import build_host

SCRIPT = Path(__file__).resolve().parents[2] / "drivers" / "svm-capture.sh"


def sh() -> str:
    return shutil.which("dash") or "/bin/sh"


def test_shellcheck_is_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (.ci/run installs it)")
    p = subprocess.run(["shellcheck", "-s", "sh", str(SCRIPT)], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout


def test_help_lists_every_command_it_runs() -> None:
    """-h names each command and the file it goes to: exactly the captures the importer
    reads (simulator.importer.captures.CAPTURE_FILES) and one prtvtoc per disk."""
    p = subprocess.run([sh(), str(SCRIPT), "-h"], capture_output=True, text=True)
    assert p.returncode == 0
    for member, (_, command) in CAPTURE_FILES.items():
        assert f"> {member}" in " ".join(p.stdout.split()), member
        assert command.split()[0] in p.stdout, command
    assert "prtvtoc /dev/rdsk/DISKs2" in p.stdout and "> prtvtoc.DISK" in p.stdout


def test_bad_usage_exits_2() -> None:
    p = subprocess.run([sh(), str(SCRIPT), "extra"], capture_output=True, text=True)
    assert p.returncode == 2 and "no operands" in p.stderr


def test_shellcheck_as_ksh_is_clean() -> None:
    """Solaris admins run it with ksh too (the issue 16 review): clean as ksh as well."""
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (.ci/run installs it)")
    p = subprocess.run(["shellcheck", "-s", "ksh", str(SCRIPT)], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout


@pytest.mark.parametrize(("scenario", "shell"), [("hot-spare", "sh"), ("resyncing", "sh"),
                                                 ("hot-spare", "ksh"),
                                                 ("resyncing", "ksh")])
def test_captured_host_round_trips(scenario: str, shell: str, tmp_path: Path) -> None:
    """Run under the harness against a shipped scenario (by POSIX sh, and by ksh as on
    Solaris), the script's archive imports to a host that prints the scenario host's
    metastat, metastat -p, metadb and metahs -i."""
    interpreter = sh() if shell == "sh" else shutil.which("ksh")
    if interpreter is None:
        pytest.skip("ksh is not installed (.ci/run installs it)")
    keep = tmp_path / "keep"
    r = run_driver(scenario, [interpreter, str(SCRIPT), "-o", "/var/tmp/cap.tar"],
                   capture=True,
                   stdin=b"", timeout=120, keep=str(keep))
    assert r.driver_exit == 0, r.reason
    archive = keep / "var" / "tmp" / "cap.tar"
    caps = read_archive(str(archive))
    assert caps.metastat_p is not None and caps.prtvtoc
    _, _, sc = import_scenario(caps, scenario)
    total, mismatches = round_trip(sc.build_host(), caps)
    assert total > 20 and mismatches == []
    original = build_host(scenario)
    assert sc.build_host().run("metastat").stdout == original.run("metastat").stdout
