"""Where the ``inproc`` figure's time goes: each part of the seed procedure in-process.

    python benchmarks/bench_inproc_parts.py [--hosts 300]

Builds ``--hosts`` fresh seed hosts and runs the procedure of ``bench_goals.py``'s ``inproc``
row on each (the build, each of the 7 commands, then one hour of virtual time), timing each
part; prints each part's median in ms and the sum of the medians as procedures per second.
Medians, not means, so that a garbage collection or the machine's other work falls out: the
figure to compare with ``inproc`` (a mean) is therefore a little higher. Run it from two
trees alternately to compare them (the package byte-compiled first, as bench_goals does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_goals import SEED_PROCEDURE  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=300)
    args = ap.parse_args()
    from simulator.scenario import load_scenario
    sc = load_scenario("seed-example")
    parts: dict[str, list[float]] = {}

    def procedure(keep: bool) -> None:
        t = time.perf_counter()
        h = sc.build_host()
        marks = [("build", time.perf_counter() - t)]
        for c in SEED_PROCEDURE:
            t = time.perf_counter()
            h.run(c)
            marks.append((c, time.perf_counter() - t))
        t = time.perf_counter()
        h.advance(3600)
        marks.append(("advance 3600", time.perf_counter() - t))
        if keep:
            for name, s in marks:
                parts.setdefault(name, []).append(s)

    for _ in range(20):                 # modules loaded, caches made
        procedure(False)
    for _ in range(max(1, args.hosts)):
        procedure(True)
    total = 0.0
    for name, times in parts.items():
        ms = statistics.median(times) * 1000
        total += ms
        print(f"{name:45s} {ms:8.3f} ms")
    print(f"{'sum of the medians':45s} {total:8.3f} ms = {1000 / total:,.0f} procedures/s")


if __name__ == "__main__":
    main()
