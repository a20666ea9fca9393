"""What a harness run costs, against its goals, in one run of this script.

1. Per-call cost of a fake command, as a ratio to exec'ing ``/bin/true`` measured the same
   way in the same run (goal: <= 2x). The transport rows reuse ``bench_shims.py`` (a shell
   loop calling the C shim / the Python shim against a ShimServer with a trivial dispatch,
   on the host and inside a Sandbox). The last row is a real fake call through a whole
   harness run: a driver looping ``/usr/sbin/metastat d1`` against a loop of ``/bin/true``
   in the same sandbox, the simulation answering.
2. The seed procedure (``tests/harness/drivers/seed.sh`` under dash: metastat, lockfs -w,
   metadetach, lockfs -u, fsck, ufsdump, metattach) through
   ``run_driver("seed-example", ...)``: median wall time of several runs (goal: <= 0.25 s).
   When it is over the goal, one more run is timed phase by phase and profiled (cProfile of
   the main thread and of the server threads' dispatches), to show where the time goes.

    python benchmarks/bench_harness.py [--runs 7] [--calls 200] [--shim-runs 300] [--no-profile]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.harness import build
from simulator.harness.runner import HarnessRun, run_driver
from simulator.harness.server import ShimCall, ShimServer

HERE = Path(__file__).resolve().parent
SEED_DRIVER = HERE.parent / "tests" / "harness" / "drivers" / "seed.sh"
CALL_GOAL = 2.0       # a fake call costs at most twice /bin/true
SEED_GOAL = 0.25      # seconds for the whole seed procedure through the harness

Row = tuple[str, float, float]    # name, seconds per call, baseline seconds per call


def shell() -> str:
    return shutil.which("dash") or "/bin/sh"


# -- 1. per-call cost --------------------------------------------------------------------
def transport_rows(runs: int, rounds: int) -> list[Row]:
    """C and Python shim calls against /bin/true, with bench_shims' loops and sandbox."""
    sys.path.insert(0, str(HERE))
    bench_shims = importlib.import_module("bench_shims")
    art = build.build()
    clock = [1e9]

    def dispatch(call: ShimCall) -> int:
        return 0

    def on_sleep(seconds: float) -> None:
        clock[0] += seconds

    tmp = Path(tempfile.mkdtemp(prefix="svmsim-bench-"))
    try:
        bindir = tmp / "bin"
        bindir.mkdir()
        if art.shim:
            (bindir / "metastat").symlink_to(art.shim)
        wrapper = bindir / "pymetastat"
        wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -IS {bench_shims.CLIENT} '
                           '"$0" "$@"\n')
        wrapper.chmod(0o755)
        true = shutil.which("true") or "/bin/true"
        with ShimServer(tmp / "sock", dispatch, on_sleep, lambda: clock[0]) as srv:
            env = dict(os.environ, SVMSIM_SOCKET=str(srv.socket_path),
                       SVMSIM_CLOCK=str(srv.clock_path))
            run = bench_shims.host_runner(env)
            base = "/bin/true (host)"
            specs = [(base, run, true, runs, 0.0, base)]
            if art.shim:
                specs.append(("C shim call (host)", run, f"{bindir}/metastat d1", runs, 0.0,
                              base))
            specs.append(("Python shim call (host)", run, f"{wrapper} d1", max(20, runs // 10),
                          0.0, base))
            rows: list[Row] = bench_shims.measure(specs, rounds)
        rows += [r for r in bench_shims.sandboxed(art, runs, rounds, dispatch, on_sleep, clock)
                 if not r[0].startswith("sandbox start-up")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if art.problem:
        print(f"(C programs: {art.problem})")
    return rows


def harness_call_row(calls: int, rounds: int) -> Row:
    """``/usr/sbin/metastat d1`` answered by the simulation, inside a real harness run."""
    def loop(cmd: str) -> float:
        script = f"i=0; while [ $i -lt {calls} ]; do {cmd} >/dev/null; i=$((i+1)); done"
        r = run_driver("seed-example", [shell(), "-c", script], capture=True, stdin=b"")
        assert r.driver_exit == 0, r.notes
        return r.real_seconds

    cmds = (":", "/bin/true", "/usr/sbin/metastat d1")
    best = {cmd: loop(cmd) for cmd in cmds}     # warm up
    for _ in range(rounds):     # interleaved: a burst of outside load hits all alike
        for cmd in cmds:
            best[cmd] = min(best[cmd], loop(cmd))
    empty, true, fake = (best[c] for c in cmds)
    return ("metastat d1 via harness run", (fake - empty) / calls, (true - empty) / calls)


# -- 2. the seed procedure -----------------------------------------------------------------
def seed_run(dump: str) -> float:
    t0 = time.perf_counter()
    r = run_driver("seed-example", [shell(), str(SEED_DRIVER), dump], capture=True, stdin=b"")
    elapsed = time.perf_counter() - t0
    if not r.passed:
        raise SystemExit(f"seed procedure failed: {[(c.name, c.summary) for c in r.failed()]}")
    return elapsed


def empty_run() -> float:
    t0 = time.perf_counter()
    r = run_driver("seed-example", ["true"], capture=True, stdin=b"")
    elapsed = time.perf_counter() - t0
    assert r.driver_exit == 0 and not r.transcript.calls
    return elapsed


class Phases:
    """Wall time spent in chosen functions during runs (wrappers, undone on exit)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attr: str, label: str,
             split: Callable[[tuple[Any, ...]], str | None] | None = None) -> None:
        orig = getattr(owner, attr)

        def timed(*args: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return orig(*args, **kw)
            finally:
                dt = time.perf_counter() - t0
                with self.lock:
                    self.total[label] += dt
                    sub = split(args) if split else None
                    if sub:
                        self.total[sub] += dt

        setattr(owner, attr, timed)
        self._undo.append(lambda: setattr(owner, attr, orig))

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()


@contextmanager
def phases() -> Iterator[Phases]:
    import simulator.scenario
    from simulator.harness import sandbox
    from simulator.scenario import build as scenario_build
    from simulator.session import checks, session
    p = Phases()
    p.wrap(simulator.scenario, "load_scenario", "load scenario (TOML)")
    p.wrap(scenario_build, "build_scenario", "build the host from the scenario")
    p.wrap(build, "build", "build.build() (C shim cache check)")
    p.wrap(sandbox.Sandbox, "__init__", "sandbox set-up (files, shims, /dev)")
    p.wrap(sandbox.Sandbox, "run", "driver process, start to exit")
    p.wrap(HarnessRun, "dispatch", "  fake-call dispatch (simulation)",
           lambda a: f"    of which {a[1].name}" if a[1].name in ("ufsdump", "fsck") else None)
    p.wrap(HarnessRun, "on_sleep", "  virtual sleeps")
    p.wrap(sandbox.Sandbox, "close", "sandbox teardown")
    p.wrap(session, "run_checks", "verdict (run_checks)")
    p.wrap(checks, "backup_outcome", "  of which backup_outcome (verify_backup)")
    try:
        yield p
    finally:
        p.undo()


def profile_seed(dump: str, top: int) -> None:
    """Phase timings (mean of 3 runs), then cProfile of one run, both threads."""
    n = 3
    with phases() as p:
        t0 = time.perf_counter()
        for _ in range(n):
            seed_run(dump)
        wall = (time.perf_counter() - t0) / n
    print(f"\nwhere the time goes (mean of {n} runs, {wall * 1e3:.0f} ms each):")
    order = ["load scenario (TOML)", "build the host from the scenario",
             "build.build() (C shim cache check)", "sandbox set-up (files, shims, /dev)",
             "driver process, start to exit", "  fake-call dispatch (simulation)",
             "    of which ufsdump", "    of which fsck", "  virtual sleeps",
             "sandbox teardown", "verdict (run_checks)",
             "  of which backup_outcome (verify_backup)"]
    for label in order:
        if label in p.total:
            print(f"  {label:44s} {p.total[label] / n * 1e3:7.1f} ms")
    proc = p.total["driver process, start to exit"] - p.total["  fake-call dispatch (simulation)"]
    print(f"  {'  processes (unshare, shell, shim execs)':44s} {proc / n * 1e3:7.1f} ms")

    main_prof, disp_prof = cProfile.Profile(), cProfile.Profile()
    orig = HarnessRun.dispatch

    def dispatch(self: HarnessRun, call: ShimCall) -> int:
        disp_prof.enable()     # dispatches run one at a time, on server threads
        try:
            return orig(self, call)
        finally:
            disp_prof.disable()

    HarnessRun.dispatch = dispatch  # type: ignore[method-assign]
    try:
        main_prof.enable()
        seed_run(dump)
        main_prof.disable()
    finally:
        HarnessRun.dispatch = orig  # type: ignore[method-assign]
    for title, prof in (("main thread", main_prof), ("fake-call dispatch threads", disp_prof)):
        stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        rows = sorted(((ct, nc, f"{os.path.relpath(file, HERE.parent)}:{line}({func})")
                       for (file, line, func), (_cc, nc, _tt, ct, _callers) in stats.items()
                       if "/simulator/" in file), reverse=True)
        print(f"\ncProfile, {title} (cumulative, simulator functions, top {top}; "
              "times inflated by profiling):")
        for ct, nc, where in rows[:top]:
            print(f"  {nc:7d} calls {ct * 1e3:7.1f} ms  {where}")


# -- main ----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="seed procedure runs (median)")
    parser.add_argument("--calls", type=int, default=200,
                        help="metastat calls per harness loop")
    parser.add_argument("--shim-runs", type=int, default=300, help="shell-loop iterations")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    dump = f"/var/tmp/svmsim-bench-{os.getpid()}.dump"
    try:
        rows = transport_rows(args.shim_runs, args.rounds)
        rows.append(harness_call_row(args.calls, args.rounds))
        print("1. per-call cost of a fake command (goal: <= "
              f"{CALL_GOAL:g}x /bin/true measured the same way)")
        for name, secs, ref in rows:
            ratio = secs / ref
            verdict = "" if name.startswith("/bin/true") else \
                ("  ok" if ratio <= CALL_GOAL else "  OVER GOAL")
            print(f"  {name:32s} {secs * 1e3:8.3f} ms  {ratio:6.2f} x /bin/true{verdict}")

        seed_run(dump)     # warm: build cache, imports, Faker vocabulary
        times = sorted(seed_run(dump) for _ in range(args.runs))
        median = statistics.median(times)
        print(f"\n2. seed procedure through run_driver('seed-example', [dash, seed.sh]): "
              f"median of {args.runs} runs")
        print(f"  {median * 1e3:.0f} ms (min {times[0] * 1e3:.0f}, max {times[-1] * 1e3:.0f}); "
              f"goal <= {SEED_GOAL * 1e3:.0f} ms: "
              f"{'ok' if median <= SEED_GOAL else f'OVER GOAL by {median / SEED_GOAL:.1f}x'}")
        empty = statistics.median(empty_run() for _ in range(args.runs))
        print(f"  the same harness run with an empty driver (`true`): {empty * 1e3:.0f} ms "
              "(sandbox, server, host and verdict, no fake call)")
        if median > SEED_GOAL and not args.no_profile:
            profile_seed(dump, args.top)
    finally:
        Path(dump).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
