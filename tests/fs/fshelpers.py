"""Hosts with a UFS on a three-way mirror, built through the model's builders."""

from __future__ import annotations

from typing import Any

from simulator import Host
from simulator.ufs.workload import WorkloadSpec


def make_host(logging: bool = True, rate: float = 0.0, creates: float = 0.0,
              deletes: float = 0.0, files: int = 300, seed: int = 1) -> tuple[Host, Any]:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    wl = WorkloadSpec(writes_per_second=rate, creates_per_second=creates,
                      deletes_per_second=deletes) if rate or creates or deletes else None
    fs = h.fs
    fs.add_ufs("/dev/md/dsk/d1", "/home1", size=200000, files=files, seed=seed,
               logging=logging, workload=wl)
    return h, fs
