"""Fault kinds of the ufs part of the model (see :mod:`simulator.faults.kinds`)."""

from __future__ import annotations

from simulator.faults.kind import FaultKind

KINDS: tuple[FaultKind, ...] = ()
