"""Shared test fixtures: where the reference samples are, and a fresh seed-like host."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("SVMSIM_SAMPLES", REPO.parent / "shared" / "reference" / "samples"))


def sample_text(name: str) -> str:
    """A reference sample without its ``# source:`` header line(s)."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"reference sample {name} not available at {SAMPLES}")
    lines = path.read_text().splitlines()
    while lines and lines[0].startswith("# source:"):
        lines.pop(0)
    return "\n".join(lines) + "\n"


@pytest.fixture
def host():
    """A host named host1 with three replicas on c0t0d0s7 and nothing else."""
    from simulator import Host
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    return h
