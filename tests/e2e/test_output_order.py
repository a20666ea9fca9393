"""stdout and stderr keep the order the command wrote them in, as with a real process.

``metastat d99 d1`` reports d99 on stderr before it prints d1 on stdout; a driver that logs
with ``2>&1`` must see the error first, through ``svmsim exec`` and ``svmsim run`` alike.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simulator import build_host
from simulator.harness.runner import run_driver

ERROR = "metastat: host1: d99: unit not set up\n\n"


def test_result_chunks_follow_the_write_order() -> None:
    result = build_host("seed-example").run("metastat d99 d1")
    assert result.chunks[0] == (2, ERROR.encode())
    assert result.chunks[1][0] == 1 and result.chunks[1][1].startswith(b"d1: Mirror")
    assert b"".join(d for fd, d in result.chunks if fd == 1) == result.stdout_bytes


def test_svmsim_exec_interleaves_like_the_real_command(tmp_path: Path) -> None:
    state = tmp_path / "s"
    cli = [sys.executable, "-m", "simulator.cli"]
    subprocess.run([*cli, "init", "-q", "--scenario", "seed-example", "--state", str(state)],
                   check=True)
    r = subprocess.run(f"{' '.join(cli)} exec --state {state} -- metastat d99 d1 2>&1",
                       shell=True, capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert r.stdout.startswith(ERROR + "d1: Mirror\n")


def test_svmsim_run_interleaves_like_the_real_command(tmp_path: Path) -> None:
    r = run_driver("seed-example", ["sh", "-c", "/usr/sbin/metastat d99 d1 > /tmp/log 2>&1"],
                   capture=True, keep=tmp_path)
    assert r.driver_exit == 1
    assert (tmp_path / "tmp/log").read_text().startswith(ERROR + "d1: Mirror\n")
