"""Fault campaigns (issue #10): a driver run against every fault kind at every step.

``svmsim campaign --scenario NAME -- COMMAND...`` (:mod:`simulator.cli.campaign`) runs the
driver once clean to learn its steps (:mod:`.points`), then once for every fault kind at
every injection point (:mod:`.matrix`), plus random schedules of faults drawn and shrunk by
Hypothesis (:mod:`.explore`), on local processes or a Dask cluster (:mod:`.executors`), and
reports the matrix with a reproducer for every bad cell (:mod:`.report`).
"""

from __future__ import annotations

from simulator.campaign.campaign import (
    Campaign,
    CampaignError,
    CampaignResult,
    choose_kinds,
    kind_names,
    spec_of,
)
from simulator.campaign.executors import (
    DaskExecutor,
    Executor,
    ExecutorError,
    LocalExecutor,
    make_executor,
)
from simulator.campaign.explore import Explorer, Finding, draw_schedules
from simulator.campaign.jobs import Job, JobResult, run_job
from simulator.campaign.matrix import BAD, Cell, KindChoice, Matrix, build_matrix, reproducer
from simulator.campaign.points import Point, Trace, injection_points

__all__ = [
    "BAD", "Campaign", "CampaignError", "CampaignResult", "Cell", "DaskExecutor", "Executor",
    "ExecutorError", "Explorer", "Finding", "Job", "JobResult", "KindChoice", "LocalExecutor",
    "Matrix", "Point", "Trace", "build_matrix", "choose_kinds", "draw_schedules",
    "injection_points", "kind_names", "make_executor", "reproducer", "run_job", "spec_of",
]
