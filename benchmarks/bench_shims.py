"""Per-call cost of a fake command, against exec'ing /bin/true.

A backup script may run metastat hundreds of times, so what matters is the
price of one shim call as seen from a shell loop: fork + exec of the client,
the round trip to the harness's ShimServer (a trivial dispatch here) and the
exit.  Each figure is the mean per iteration of a ``/bin/sh`` while loop of
N runs (best of 3 repetitions, to shed noise from other load), printed also
as a ratio to /bin/true measured the same way in the same run, so the
machine's speed cancels out.  The loop overhead is in every figure alike.

Rows: on the host (plain env, then with the virtual-time LD_PRELOAD as a
sandboxed driver has it), then inside a Sandbox, where the ratio is to
/bin/true inside the same sandbox (the sandbox start-up is measured apart).

    python benchmarks/bench_shims.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from simulator.harness import build
from simulator.harness.sandbox import Sandbox, SandboxError
from simulator.harness.server import ShimCall, ShimServer

CLIENT = Path(__file__).resolve().parents[1] / "simulator" / "harness" / "shim_client.py"
Runner = Callable[[str, int], float]  # (command, iterations) -> total seconds


def host_runner(env: dict[str, str]) -> Runner:
    def run(cmd: str, n: int) -> float:
        script = f"i=0; while [ $i -lt {n} ]; do {cmd}; i=$((i+1)); done"
        t0 = time.perf_counter()
        subprocess.run(["/bin/sh", "-c", script], env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    return run


Spec = tuple[str, Runner, str, int, float, str]  # name, runner, cmd, n, overhead, baseline


def measure(specs: list[Spec], rounds: int) -> list[tuple[str, float, float]]:
    """Best per-call time of each spec over interleaved rounds, with its baseline's."""
    best: dict[str, float] = {}
    for _name, run, cmd, n, _, _ in specs:
        run(cmd, min(n, 20))  # warm caches and the server's code paths
    for _ in range(rounds):  # interleaved, so a burst of outside load hits all alike
        for name, run, cmd, n, overhead, _ in specs:
            best[name] = min(best.get(name, float("inf")), (run(cmd, n) - overhead) / n)
    return [(name, best[name], best[base]) for name, _, _, _, _, base in specs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n = args.runs
    py_n = max(20, n // 10)
    art = build.build()
    tmp = Path(tempfile.mkdtemp(prefix="svmsim-bench-"))
    clock = [1e9]

    def dispatch(call: ShimCall) -> int:
        return 0

    def on_sleep(seconds: float) -> None:
        clock[0] += seconds

    try:
        bindir = tmp / "bin"
        bindir.mkdir()
        if art.shim:
            (bindir / "metastat").symlink_to(art.shim)
        wrapper = bindir / "pymetastat"
        wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -IS {CLIENT} "$0" "$@"\n')
        wrapper.chmod(0o755)
        true = shutil.which("true") or "/bin/true"
        with ShimServer(tmp / "sock", dispatch, on_sleep, lambda: clock[0]) as srv:
            env = dict(os.environ, SVMSIM_SOCKET=str(srv.socket_path))
            env["SVMSIM_CLOCK"] = str(srv.clock_path)
            run = host_runner(env)
            base = "/bin/true exec"
            specs: list[Spec] = [(base, run, true, n, 0.0, base)]
            if art.shim:
                specs.append(("C shim call", run, f"{bindir}/metastat d1", n, 0.0, base))
            specs.append(("Python shim call", run, f"{wrapper} d1", py_n, 0.0, base))
            if art.shim and art.preload:
                pre = host_runner(dict(env, LD_PRELOAD=str(art.preload)))
                specs.append(("/bin/true + preload", pre, true, n, 0.0, base))
                specs.append(("C shim + preload", pre, f"{bindir}/metastat d1", n, 0.0, base))
                specs.append(("virtual `sleep 600`", pre, "sleep 600", n, 0.0, base))
            rows = measure(specs, args.rounds)
        rows += sandboxed(art, n, args.rounds, dispatch, on_sleep, clock)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"per-call cost: mean of {n} loop iterations (Python shim: {py_n}),")
    print(f"best of {args.rounds} interleaved rounds")
    for name, secs, ref in rows:
        print(f"  {name:28s} {secs * 1e3:8.3f} ms  {secs / ref:6.2f} x /bin/true")
    if art.problem:
        print(f"  (C programs: {art.problem})")
    return 0


def sandboxed(
    art: build.Artifacts,
    n: int,
    rounds: int,
    dispatch: Callable[[ShimCall], int],
    on_sleep: Callable[[float], None],
    clock: list[float],
) -> list[tuple[str, float, float]]:
    """The same loops inside a Sandbox, against /bin/true inside it."""
    try:
        sb = Sandbox(
            Path(tempfile.gettempdir()), {"metastat": ["/usr/sbin/metastat"]}, artifacts=art
        )
    except SandboxError as exc:
        print(f"(no sandbox: {exc})", file=sys.stderr)
        return []
    with sb, ShimServer(sb.socket_path, dispatch, on_sleep, lambda: clock[0]):

        def run(cmd: str, iterations: int) -> float:
            script = f"i=0; while [ $i -lt {iterations} ]; do {cmd}; i=$((i+1)); done"
            t0 = time.perf_counter()
            sb.run(["/bin/sh", "-c", script], capture=True, cwd="/")
            return time.perf_counter() - t0

        run("true", 0)
        setup = min(run("true", 0) for _ in range(5))
        base = f"/bin/true in {sb.method} sandbox"
        rows = measure(
            [
                (base, run, "/bin/true", n, setup, base),
                (f"C shim in {sb.method} sandbox", run, "/usr/sbin/metastat d1", n, setup, base),
            ],
            rounds,
        )
    return [*rows, (f"sandbox start-up ({sb.method})", setup, setup)]


if __name__ == "__main__":
    sys.exit(main())
