"""What a campaign costs: runs per second, and the full seed campaign's wall time.

1. Runs per second of the campaign's executor: ``--runs`` clean runs of the careless seed
   driver (``tests/campaign/drivers/careless.sh`` on ``seed-example``) through a
   :class:`~simulator.campaign.executors.LocalExecutor` with 1 worker and with every core
   (worker processes started and warmed first: a campaign pays that once).
2. The full seed campaign: every fault kind at every injection point of that driver (the
   issue's goal: <= 30 s on 2 cores), with its runs per second and how many runs the shared
   instants saved (``simulator.campaign.points``). Skipped, with the reason, when the fault
   catalogue (``simulator.faults``) is not installed.

    python benchmarks/bench_campaign.py [--runs 16] [--workers N] [--no-full]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simulator.campaign import Campaign, Job, LocalExecutor
from simulator.campaign.executors import default_workers

HERE = Path(__file__).resolve().parent
DRIVER = ("sh", str(HERE.parent / "tests" / "campaign" / "drivers" / "careless.sh"))
GOAL = 30.0


def runs_per_second(workers: int, runs: int) -> float:
    with LocalExecutor(workers) as ex:
        ex.run([Job("seed-example", DRIVER)] * workers)       # start and warm the workers
        t0 = time.monotonic()
        results = ex.run([Job("seed-example", DRIVER)] * runs)
        dt = time.monotonic() - t0
    bad = [r for r in results if r.error or r.outcome != "backed-up"]
    if bad:
        raise SystemExit(f"bench_campaign: a clean run failed: {bad[0].error or bad[0].reason}")
    return runs / dt


def full_campaign(workers: int) -> None:
    try:
        import simulator.faults  # noqa: F401
    except ImportError:
        print("full seed campaign: skipped (the fault catalogue, simulator.faults, is not "
              "installed)")
        return
    with LocalExecutor(workers) as ex:
        t0 = time.monotonic()
        result = Campaign("seed-example", DRIVER, executor=ex).run()
        wall = time.monotonic() - t0
    m = result.matrix
    cells = sum(1 for c in m.cells.values() if c.applicable)
    verdict = "within" if wall <= GOAL else "OVER"
    print(f"full seed campaign: {len(m.kinds)} kinds x {len(m.points)} points = {cells} "
          f"cells in {result.runs} runs ({cells - len(m.jobs)} saved by shared instants), "
          f"{wall:.1f} s wall, {result.runs / wall:.2f} runs/s on {workers} workers; "
          f"goal {GOAL:.0f} s: {verdict}; {len(m.bad_cells)} bad cells")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--no-full", action="store_true", help="skip the full seed campaign")
    args = ap.parse_args()
    one = runs_per_second(1, args.runs)
    print(f"runs/s, 1 worker:   {one:6.2f}  ({1 / one:.3f} s a run)")
    if args.workers > 1:
        many = runs_per_second(args.workers, args.runs)
        print(f"runs/s, {args.workers} workers: {many:6.2f}  (x{many / one:.2f})")
    if not args.no_full:
        full_campaign(args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
