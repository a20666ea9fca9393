"""Benchmark of the fs model: a 1 TB UFS of 1,000,000 files on a two-way mirror.

Measures wall time and resident memory (ru_maxrss; tracemalloc would slow the timed code
tenfold, so it is used only for the build step) of building the host, the first
whole-image statistics pass (df/fsck/digest), an hour of virtual time of workload, a detach
without a write lock, and fsck -n / fsck -y of the detached submirror. Run:

    python benchmarks/bench_fs.py
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from simulator import Host
from simulator.scenario import WorkloadSpec

TB_BLOCKS = 1 << 31


def _measure(label: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {dt:8.2f} s   max RSS {rss:8.1f} MiB")
    return result


def build() -> Host:
    h = Host("bench")
    h.add_replicas("c0t0d0s7", count=3)
    for disk in ("c1t0d0", "c2t0d0"):
        h.add_disk(disk, TB_BLOCKS + 200000, slices={0: TB_BLOCKS + 100000})
    h.add_stripe("d11", "c1t0d0s0")
    h.add_stripe("d12", "c2t0d0s0")
    h.add_mirror("d10", ["d11", "d12"])
    h.fs.add_ufs("/dev/md/dsk/d10", "/data", size=TB_BLOCKS // 2, files=1_000_000,
                        seed=3, logging=False,
                        workload=WorkloadSpec(writes_per_second=20.0, creates_per_second=2.0,
                                              deletes_per_second=0.5))
    return h


def main() -> None:
    tracemalloc.start()
    build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"build host: Python heap peak {peak / 2**20:.1f} MiB (tracemalloc)")
    h = _measure("build host (1 TB, 1,000,000 files)", build)
    fs = h.fs
    # the baseline of the same run: df -k of an empty UFS (issue 17's goal: the 1,000,000-file
    # one costs the same, the counts being kept as the superblock keeps them)
    empty = Host("empty")
    empty.add_replicas("c0t0d0s7", count=3)
    empty.add_disk("c1t0d0", TB_BLOCKS + 200000, slices={0: TB_BLOCKS + 100000})
    empty.fs.add_ufs("/dev/dsk/c1t0d0s0", "/empty", size=0, files=0, seed=3)
    t0 = time.perf_counter()
    empty.run("df -k /empty")
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    _measure("first df -k (no pass over the tree)", lambda: h.run("df -k /data"))
    big = time.perf_counter() - t0
    print(f"    df -k of an empty UFS {base * 1000:.1f} ms; of 1,000,000 files "
          f"{big * 1000:.1f} ms = {big / base:.1f}x (goal: 1x, <= 5 ms)")
    _measure("image digest (cached stats)", lambda: fs.image_of("d10").digest())
    _measure("workload: 1 hour of virtual time", lambda: h.advance(3600))
    _measure("metadetach d10 d12 (writes in flight)", lambda: h.run("metadetach d10 d12"))
    r = _measure("fsck -n /dev/md/rdsk/d12", lambda: h.run("fsck -n /dev/md/rdsk/d12"))
    print(f"    exit {r.exit_code}, {r.stdout.count('?')} questions")
    r = _measure("fsck -y /dev/md/rdsk/d12", lambda: h.run("fsck -y /dev/md/rdsk/d12"))
    print(f"    exit {r.exit_code}; last line: {r.stdout.strip().splitlines()[-1]}")
    img = fs.image_of("d12")
    print(f"overlay entries after an hour: {len(fs.image_of('d10').overlay)}; "
          f"d12 files {img.nfiles}, used {img.used_blocks} KB")


if __name__ == "__main__":
    main()
