"""Core costs of svmsim, as ratios measured in one run (so the machine's speed cancels out).

(a) one ``svmsim exec --state DIR -- metastat d1`` process on the seed scenario vs one
    ``/bin/true`` process: what a backup script pays per fake command;
(b) in-process ``host.run("metastat")`` on a host with 1,000 metadevices vs the seed host:
    how the report scales with the configuration;
(c) memory held by a host with a 16 TB two-way mirror vs an empty host: sizes are numbers,
    so terabytes must cost nothing.

    python benchmarks/bench_core.py [--runs N]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from simulator import Host
from simulator.scenario import ScenarioError, load_scenario
from simulator.state_store import StateStore


def seed_host() -> tuple[Host, str]:
    """The seed scenario's host (its topology alone if this build lacks a subsystem)."""
    sc = load_scenario("seed-example")
    try:
        return sc.build_host(), "seed-example"
    except ScenarioError as e:
        print(f"note: {e}; using the seed topology without file systems and tapes")
        return dataclasses.replace(sc, filesystems=[], tapes=[]).build_host(), \
            "seed-example (topology only)"


def wall(argv: list[str], runs: int) -> float:
    """Mean wall time of ``runs`` runs of a process (after one warm-up run)."""
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.mean(times)


def mean_call(fn: Callable[[], object], runs: int) -> float:
    fn()
    t0 = time.perf_counter()
    for _ in range(runs):
        fn()
    return (time.perf_counter() - t0) / runs


def host_with_units(total: int = 1000) -> Host:
    """333 two-way mirrors (999 units) plus one concat: ``total`` metadevices."""
    h = Host("bighost")
    h.add_replicas("c0t0d0s7", count=3)
    n = 0
    while n + 3 <= total:
        m = n // 3
        h.add_disk(f"c1t{m}d0")
        h.add_disk(f"c2t{m}d0")
        h.add_stripe(f"d{n + 1}", f"c1t{m}d0s0")
        h.add_stripe(f"d{n + 2}", f"c2t{m}d0s0")
        h.add_mirror(f"d{n}", [f"d{n + 1}", f"d{n + 2}"])
        n += 3
    while n < total:
        h.add_disk(f"c3t{n}d0")
        h.add_stripe(f"d{n}", f"c3t{n}d0s0")
        n += 1
    assert len(h.md.sets[""].units) == total
    return h


def retained(build: Callable[[], object]) -> tuple[int, int, object]:
    """(bytes still held by what ``build`` returns, peak bytes while building, the object)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    obj = build()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current - base, peak - base, obj


def big_mirror_host() -> Host:
    h = Host("bighost")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_disk("c4t0d0", 16 * 2**31 + 2**21, {0: 16 * 2**31})
    h.add_disk("c5t0d0", 16 * 2**31 + 2**21, {0: 16 * 2**31})
    h.add_stripe("d101", "c4t0d0s0")
    h.add_stripe("d102", "c5t0d0s0")
    h.add_mirror("d100", ["d101", "d102"])
    return h


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="process runs per side (a)")
    ap.add_argument("--calls", type=int, default=20, help="in-process calls per side (b)")
    args = ap.parse_args()

    # (a) a fake command as a process vs the cheapest real process
    host, label = seed_host()
    beside = Path(sys.executable).parent / "svmsim"     # the script itself, not a shim
    svmsim = str(beside) if beside.exists() else shutil.which("svmsim")
    exe = [svmsim] if svmsim else [sys.executable, "-m", "simulator.cli"]
    with tempfile.TemporaryDirectory() as d:
        StateStore(d).create(host)
        check = subprocess.run(exe + ["exec", "--state", d, "--", "metastat", "d1"],
                               capture_output=True)
        if check.returncode != 0:
            print(f"svmsim exec metastat d1 failed ({check.returncode}): "
                  f"{check.stderr.decode().strip()}")
            return 1
        t_exec = wall(exe + ["exec", "--state", d, "--", "metastat", "d1"], args.runs)
        state_bytes = os.path.getsize(Path(d) / "state.json")
    t_true = wall(["/bin/true"], args.runs)
    print(f"(a) svmsim exec -- metastat d1 [{label}, state {state_bytes} bytes]: "
          f"{t_exec * 1000:.1f} ms/run; /bin/true: {t_true * 1000:.2f} ms/run; "
          f"ratio {t_exec / t_true:.0f}x  (mean of {args.runs} runs each)")
    t_py = wall([sys.executable, "-c", "pass"], args.runs)
    t_imp = wall([sys.executable, "-c", "import simulator.cli"], args.runs)
    print(f"    of which: python start-up {t_py * 1000:.1f} ms, import simulator.cli "
          f"{(t_imp - t_py) * 1000:.1f} ms, loading the state and running the command "
          f"{(t_exec - t_imp) * 1000:.1f} ms")

    # (b) metastat over 1,000 metadevices vs over the seed host
    big = host_with_units(1000)
    out = big.run("metastat")
    assert out.exit_code == 0, out.stderr
    t_big = mean_call(lambda: big.run("metastat"), args.calls)
    t_seed = mean_call(lambda: host.run("metastat"), args.calls)
    print(f"(b) host.run('metastat'): 1,000 metadevices {t_big * 1000:.1f} ms "
          f"({len(out.stdout.splitlines())} lines); seed host {t_seed * 1000:.2f} ms; "
          f"ratio {t_big / t_seed:.0f}x  (mean of {args.calls} calls each)")

    # (c) memory of a 16 TB two-way mirror vs an empty host
    held_big, peak_big, h16 = retained(big_mirror_host)
    held_empty, peak_empty, _ = retained(lambda: Host("empty"))
    assert isinstance(h16, Host) and h16.md.sets[""].units["d100"].size == 16 * 2**31
    print(f"(c) memory held: host with a 16 TB two-way mirror {held_big / 1024:.1f} KiB "
          f"(peak {peak_big / 1024:.1f} KiB); empty host {held_empty / 1024:.1f} KiB "
          f"(peak {peak_empty / 1024:.1f} KiB); ratio {held_big / max(held_empty, 1):.1f}x")
    try:
        sc = load_scenario("big-16tb")
        sc.build_host()                      # warm up: imports and caches are not the host's
        held_sc, peak_sc, _ = retained(sc.build_host)
        print(f"    whole big-16tb scenario (file system with {sc.filesystems[0].files} files, "
              f"workload, tape): {held_sc / 1024:.1f} KiB held (peak {peak_sc / 1024:.1f} KiB)")
    except ScenarioError as e:
        print(f"    whole big-16tb scenario: not built ({e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
