"""Scenario files: a simulated host described in TOML, checked up front, built through the model.

A scenario says what a site's host looks like before its backup script runs (disks, state
database replicas, metadevices, file systems, tapes, faults already present, what the verdict
expects). Everything is validated before anything is built, so a bad file gets one message
naming the file, the key and what is wrong, e.g. ``scenarios/x.toml: mirror[0].read: must be
one of roundrobin, geometric, first (got 'fast')``. Unknown keys are errors too (they are
usually typos).

The package, in the order a scenario goes through it:

- ``table.py``: typed tables, their checks and the first error (what pydantic did before);
- ``schema.py``: the format (the tables of a scenario file, documented there),
  the one-line error messages, ``Scenario.to_toml()`` and the shipped JSON Schema
  ``scenario.schema.json`` for editors;
- ``refs.py``: cross-references between tables (declared once, slices on declared disks...);
- ``catalog.py``: TOML text and files to a Scenario, shipped scenarios, did-you-mean;
- ``build.py``: the one builder of a Host from a Scenario (also used by the Hypothesis
  strategies).
"""

from __future__ import annotations

from simulator.lvm.md.records import READ_OPTIONS, WRITE_OPTIONS
from simulator.scenario.build import build_host, build_scenario
from simulator.scenario.catalog import (
    SCENARIO_DIR,
    load_scenario,
    parse_scenario,
    scenario_dirs,
    shipped_scenarios,
)
from simulator.scenario.schema import (
    FSTYPES,
    SCHEMA_VERSION,
    DatabaseSpec,
    DiskSpec,
    Expect,
    FileSystemSpec,
    HostSpec,
    HspSpec,
    MirrorSpec,
    ReplicaSpec,
    Scenario,
    ScenarioError,
    ScenarioMeta,
    SetupStep,
    SoftPartSpec,
    StripeSpec,
    TapeSpec,
    WorkloadSpec,
)

__all__ = [
    "FSTYPES", "READ_OPTIONS", "SCENARIO_DIR", "SCHEMA_VERSION", "WRITE_OPTIONS", "DatabaseSpec",
    "DiskSpec",
    "Expect", "FileSystemSpec", "HostSpec", "HspSpec", "MirrorSpec", "ReplicaSpec", "Scenario",
    "ScenarioError", "ScenarioMeta", "SetupStep", "SoftPartSpec", "StripeSpec", "TapeSpec",
    "WorkloadSpec", "build_host", "build_scenario", "load_scenario", "parse_scenario",
    "scenario_dirs", "shipped_scenarios",
]
