"""Simulate your own host: a scenario built from what a real host's commands print.

An admin captures, on the real host, ``metastat -p`` (required), ``metastat``, ``metadb``,
``metahs -i``, ``prtvtoc`` of each disk (or ``format``), ``/etc/vfstab``, ``/etc/mnttab``,
``uname -a``, ``/etc/release`` and ``df -k`` (``drivers/svm-capture.sh`` collects them into
one tar archive), and ``svmsim import`` turns them into an ordinary, commented scenario file
whose host prints, through the existing fake programs, what the captures say.

The package, in the order an import goes through it:

- :mod:`~simulator.importer.captures`: the captures, given as files or one archive (tar, or
  a directory holding the same files);
- one parser per capture: :mod:`~simulator.importer.mdtab` (``metastat -p``, over libmeta's
  md.tab grammar), :mod:`~simulator.importer.metastat` (``metastat`` and ``metahs -i``),
  :mod:`~simulator.importer.metadb`, :mod:`~simulator.importer.vtoc` (``prtvtoc``,
  ``format``), :mod:`~simulator.importer.tables` (vfstab, mnttab, ``df -k``),
  :mod:`~simulator.importer.release` (``uname -a``, ``/etc/release``);
- :mod:`~simulator.importer.plan`: what the host is (disks, replicas, units, states) and
  how the scenario makes it so (tables in creation order, setup steps for the states seen);
- :mod:`~simulator.importer.writer`: the commented TOML, validated by the scenario loader;
- :mod:`~simulator.importer.roundtrip`: the imported host's ``metastat``, ``metastat -p``,
  ``metadb`` and ``metahs -i`` against the captures, line by line.

Layer (pyproject.toml's import-linter contract): between ``simulator.session`` and
``simulator.state_store``. The importer builds hosts from scenarios (scenario, host and
below) and needs nothing of the session or the fronts; only the CLI uses it.
"""

from __future__ import annotations

from simulator.importer.captures import CAPTURE_FILES, CaptureError, Captures, Unimportable
from simulator.importer.plan import HostPlan, plan_host
from simulator.importer.roundtrip import Mismatch, round_trip
from simulator.importer.writer import import_scenario, scenario_text

__all__ = ["CAPTURE_FILES", "CaptureError", "Captures", "HostPlan", "Mismatch", "Unimportable",
           "import_scenario", "plan_host", "round_trip", "scenario_text"]
