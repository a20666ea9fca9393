"""Fixtures of the fault tests."""

from __future__ import annotations

import pytest
from faultmark import make_mark_kind

from simulator.faults import KINDS


@pytest.fixture
def mark_kind(monkeypatch):
    """The test-mark kind in the catalogue for one test; what it did, in order."""
    calls: list[tuple[str, str, float]] = []
    monkeypatch.setitem(KINDS, "test-mark", make_mark_kind(calls))
    return calls
