"""Faults during a run: the one API scenarios, the CLI, the Python API and campaigns share.

A :class:`Fault` (one schema; :func:`parse_fault`/:func:`format_fault` for the one-line syntax
of :mod:`simulator.faults.spec`) names a kind of the catalogue :data:`KINDS` (each a
:class:`FaultKind`: the real event, what real Solaris shows afterwards, its illumos sources), a
target and a trigger. :func:`arm` puts faults on a host as a :class:`FaultPlan`, the
``host.faults`` hooks the model calls. This package sits above the host and below the scenario:
the model and the programs never import it.
"""

from __future__ import annotations

from simulator.faults.catalog import KINDS
from simulator.faults.kind import FaultKind, Param
from simulator.faults.plan import Armed, FaultPlan, Fired, arm
from simulator.faults.spec import (
    Fault,
    FaultError,
    Trigger,
    format_fault,
    make_fault,
    parse_fault,
    parse_trigger,
)

__all__ = ["KINDS", "Armed", "Fault", "FaultError", "FaultKind", "FaultPlan", "Fired", "Param",
           "Trigger", "arm", "format_fault", "make_fault", "parse_fault", "parse_trigger"]
