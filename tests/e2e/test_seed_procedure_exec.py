"""The seed procedure typed command by command with ``svmsim exec`` (one process per command).

Admin Guide example 11-23 on scenarios/seed-example.toml: metastat d1, lockfs -w /home1,
metadetach d1 d3, lockfs -u /home1, fsck /dev/md/rdsk/d3, a ufsdump of /dev/md/rdsk/d3,
metattach d1 d3. Afterwards /home1 is unlocked, d3 is attached and resyncing, and the
archive lists with ufsrestore t and matches the file system as it was at detach time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def svmsim(state: Path, *argv: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *argv], cwd=cwd,
                          input=stdin, capture_output=True, timeout=120,
                          env={"SVMSIM_STATE": str(state), "PATH": "/usr/bin:/bin"})


def exec_(state: Path, cmd: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return svmsim(state, "exec", "--", *cmd.split(), cwd=cwd, stdin=stdin)


def test_seed_procedure_through_svmsim_exec(tmp_path: Path) -> None:
    state = tmp_path / "host"
    assert svmsim(state, "init", "-q", "--scenario", "seed-example", "--state", str(state),
                  cwd=tmp_path).returncode == 0

    r = exec_(state, "metastat d1", tmp_path)
    assert r.returncode == 0
    assert r.stdout.decode().count("      State: Okay") == 3          # step 1: all Okay

    assert exec_(state, "/usr/sbin/lockfs -w /home1", tmp_path).returncode == 0
    r = exec_(state, "metadetach d1 d3", tmp_path)
    assert (r.returncode, r.stdout) == (0, b"d1: submirror d3 is detached\n")
    assert exec_(state, "/usr/sbin/lockfs -u /home1", tmp_path).returncode == 0

    r = exec_(state, "/usr/sbin/fsck /dev/md/rdsk/d3", tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(b"** /dev/md/rdsk/d3\n")
    assert b"** Phase 5 - Check Cylinder Groups\n" in r.stdout

    r = exec_(state, "ufsdump 0f home1.dump /dev/md/rdsk/d3", tmp_path)
    assert r.returncode == 0, r.stderr
    assert b"  DUMP: DUMP IS DONE\n" in r.stderr
    assert (tmp_path / "home1.dump").stat().st_size > 0

    r = exec_(state, "metattach d1 d3", tmp_path)
    assert (r.returncode, r.stdout) == (0, b"d1: submirror d3 is attached\n")

    # afterwards: unlocked, d3 back and resyncing
    listing = exec_(state, "lockfs", tmp_path)
    assert listing.returncode == 0 and b"write" not in listing.stdout
    status = exec_(state, "metastat d1", tmp_path).stdout.decode()
    # Solaris 10 puts a re-attached submirror back in the slot it left (libmeta/release.py)
    assert "    Submirror 1: d3\n      State: Resyncing" in status
    assert "Resync in progress:" in status

    # the archive lists, and equals the file system at detach time
    r = exec_(state, "ufsrestore tf home1.dump", tmp_path)
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[0].split() == ["2", "."] and len(lines) > 1000
    r = svmsim(state, "verify-backup", "--state", str(state), "home1.dump", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
