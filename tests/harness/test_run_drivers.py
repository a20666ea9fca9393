"""End-to-end: real driver scripts run by the harness against a simulated host.

The seed procedure (Admin Guide Example 11-23) written in sh, bash, ksh93, mksh, perl and
Python must pass every check on ``seed-example``; drivers must reach the fake commands by
every path a Solaris script uses, see the host's /etc and /dev, and sleep in virtual time.
Drivers live in ``tests/harness/drivers``; a test skips only when an interpreter is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.harness.runner import HarnessRun, run_driver
from simulator.harness.sandbox import SandboxError, SandboxResult, python_for
from simulator.scenario import load_scenario
from simulator.session.hostfiles import etc_files
from simulator.session.verdict import RunResult

DRIVERS = Path(__file__).resolve().parent / "drivers"
CHECKS = {"no-hang", "filesystems-unlocked", "submirrors-reattached", "redundancy",
          "backup-made", "driver-exit", "driver-told-truth"}


def seed_calls(dump: str) -> list[list[str]]:
    """The seven fake calls of the seed procedure, in order, by absolute path."""
    return [["/usr/sbin/metastat", "d1"], ["/usr/sbin/lockfs", "-w", "/home1"],
            ["/usr/sbin/metadetach", "d1", "d3"], ["/usr/sbin/lockfs", "-u", "/home1"],
            ["/usr/sbin/fsck", "-y", "/dev/md/rdsk/d3"],
            ["/usr/sbin/ufsdump", "0ucf", dump, "/dev/md/rdsk/d3"],
            ["/usr/sbin/metattach", "d1", "d3"]]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def ksh93() -> str:
    for name in ("ksh93", "ksh"):
        path = shutil.which(name)
        if path and "93" in subprocess.run([path, "-c", "echo ${.sh.version}"],
                                           capture_output=True, text=True).stdout:
            return path
    pytest.skip("ksh93 is not installed")


def driver_python() -> str:
    """A python3 the driver's uid can run (uid 65534 when the harness runs as root)."""
    uid, gid = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    try:
        return python_for(uid, gid)
    except SandboxError:
        pytest.skip(f"no python3 that uid {uid} can run")


INTERPRETERS = {"seed.sh": lambda: tool("dash"), "seed.bash": lambda: tool("bash"),
                "seed.ksh": ksh93, "seed.mksh": lambda: tool("mksh"),
                "seed.pl": lambda: tool("perl"), "seed.py": driver_python}


@pytest.fixture
def dump(request: pytest.FixtureRequest) -> Iterator[str]:
    """A dump file in /var/tmp unique to this test, removed afterwards."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    path = Path(f"/var/tmp/svmsim-test-{os.getpid()}-{name}.dump")
    path.unlink(missing_ok=True)
    yield str(path)
    path.unlink(missing_ok=True)


def harness(scenario: str, argv: list[str], **kw: object) -> tuple[HarnessRun, RunResult,
                                                                   SandboxResult]:
    """One run with the driver's output captured; the HarnessRun keeps the final host."""
    run = HarnessRun(load_scenario(scenario), argv, timeout=60, **kw)  # type: ignore[arg-type]
    result, proc = run.run(capture=True, stdin=b"")
    return run, result, proc


@pytest.mark.parametrize("driver", sorted(INTERPRETERS))
def test_seed_procedure_passes_in_every_language(driver: str, dump: str,
                                                 tmp_path: Path) -> None:
    interpreter = INTERPRETERS[driver]()
    r = run_driver("seed-example", [interpreter, str(DRIVERS / driver), dump],
                   capture=True, stdin=b"", timeout=60, keep=tmp_path)
    assert r.driver_exit == 0, r.notes
    assert [c.argv for c in r.transcript.calls] == seed_calls(dump)
    assert all(c.exit_code == 0 for c in r.transcript.calls)
    assert {c.name for c in r.checks} >= CHECKS
    assert r.passed, [(c.name, c.summary) for c in r.failed()]
    assert r.hung is None and r.method in ("unshare", "proot") and r.shim in ("c", "python")
    # the archive is a real file, written where the driver asked in its own view: kept
    # for the caller, never on the machine's /var/tmp
    assert (tmp_path / dump.lstrip("/")).stat().st_size > 0
    assert dump in r.left_files and r.kept_in == str(tmp_path)
    assert not Path(dump).exists()
    backup = next(c for c in r.checks if c.name == "backup-made")
    assert backup.summary == f"archive {dump} complete"
    # the detach was visible to the verdict: d1 ran on two submirrors for a while
    assert r.transcript.detached == {"d1": ["d3"]}
    assert r.transcript.min_okay["d1"][0] == 2


def test_every_way_to_reach_the_fakes_and_the_host_files() -> None:
    run, r, proc = harness("seed-example", [tool("dash"), str(DRIVERS / "paths.sh")])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    # command -v: first the harness's shim directory, then /usr/sbin once PATH says so
    assert out[0] == "/usr/lib/svmsim/bin/metastat"
    assert out[1] == "d1: Mirror"
    assert out[2] == "/usr/sbin/metastat"
    assert out[3:6] == ["d1: Mirror"] * 3
    # bare name (twice), $CMD and /sbin: each reached the simulation; old DiskSuite's
    # /usr/opt/SUNWmd is not on a Solaris 10 host (simulator/sunos/release.py)
    assert out[6] == "no /usr/opt/SUNWmd on 5.10"
    assert [c.argv for c in r.transcript.calls[:4]] == [
        ["metastat", "d1"], ["metastat", "d1"], ["/usr/sbin/metastat", "d1"],
        ["/sbin/metastat", "d1"]]
    assert out[7] == "char /dev/md/rdsk/d1"
    files = etc_files(run.host)
    vfstab, mnttab = out[8], out[9]
    assert vfstab in files["/etc/vfstab"].splitlines()
    assert vfstab.split()[:4] == ["/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/home1", "ufs"]
    assert mnttab in files["/etc/mnttab"].splitlines()
    assert mnttab.split()[:3] == ["/dev/md/dsk/d1", "/home1", "ufs"]
    # a metadevice made during the run gets its device nodes at once
    assert out[10:] == ["no /dev/md/rdsk/d50", "d50: Concat/Stripe is setup",
                        "char /dev/md/rdsk/d50", "char /dev/md/dsk/d50"]
    assert r.transcript.calls[4].argv == ["metainit", "d50", "1", "1", "c0t0d0s0"]
    assert r.transcript.calls[4].exit_code == 0 and len(r.transcript.calls) == 5


def test_polling_a_resync_costs_virtual_time_only() -> None:
    t0 = time.monotonic()
    run, r, proc = harness("resyncing", [tool("dash"), str(DRIVERS / "poll.sh"), "d0"])
    real = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    m = re.fullmatch(r"polls=(\d+) waited=(\d+)\n", proc.stdout.decode())
    assert m, proc.stdout
    polls, waited = int(m[1]), int(m[2])
    # 60 % of a 16 GB resync at 20 MB/s is left: about 490 virtual seconds
    assert polls >= 8 and waited == 60 * polls
    assert [s.seconds for s in r.transcript.sleeps] == [60.0] * polls
    virtual = r.virtual_end - r.virtual_start
    assert virtual >= 480 and real < 5 and r.real_seconds < 5
    metastats = r.transcript.calls_named("metastat")
    assert len(metastats) == polls + 1
    assert all("Resync in progress" in c.stdout for c in metastats[:-1])
    assert "Resync in progress" not in metastats[-1].stdout
    final = run.host.run("metastat d0").stdout
    assert final.count("State: Okay") >= 2 and "Resync" not in final
