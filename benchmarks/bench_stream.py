"""Peak memory of the harness while a driver streams 1 GB through a pipe.

Issue 8 / hostile-probe D5: ``head -c 1G /dev/zero | ufsrestore tf -`` made the harness hold
3.85 GB. A fake command now reads at most ``simulator.harness.runner.MAX_INPUT`` of its
standard input, in chunks, so the harness's peak stays near its baseline. Prints the
harness's peak resident size (VmHWM) after a baseline run and after the 1 GB run; runs in a
few seconds (``python benchmarks/bench_stream.py [bytes]``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHILD = r"""
import sys, time
from simulator.harness.runner import run_driver
t = time.monotonic()
script = sys.argv[1]
r = run_driver("seed-example", ["sh", "-c", script], capture=True)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(hwm // 1024, r.transcript.calls[-1].exit_code, f"{time.monotonic() - t:.2f}")
"""


def measure(script: str) -> tuple[int, int, str]:
    p = subprocess.run([sys.executable, "-c", CHILD, script], capture_output=True, text=True,
                       cwd="/", env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                       timeout=300, check=True)
    peak, code, real = p.stdout.split()
    return int(peak), int(code), real


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 30
    t0 = time.monotonic()
    base = measure("ufsrestore tf - </dev/null")
    big = measure(f"head -c {size} /dev/zero | ufsrestore tf -")
    print(f"harness peak (VmHWM), baseline run        : {base[0]:5d} MB  ({base[2]} s)")
    print(f"harness peak (VmHWM), {size:>13,d} bytes piped: {big[0]:5d} MB  ({big[2]} s,"
          f" ufsrestore exit {big[1]})")
    print(f"total {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
