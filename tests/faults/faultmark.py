"""A test-only fault kind that records what it was asked to do (used by conftest and the
Hypothesis round trip)."""

from __future__ import annotations

from simulator.faults import FaultKind, Param


def make_mark_kind(calls: list[tuple[str, str, float]]) -> FaultKind:
    """A kind ``test-mark`` whose apply/clear append to ``calls`` (a test double: the real
    kinds are tested against what Solaris shows in test_kinds_*.py)."""

    def apply(host, fault):
        calls.append(("apply", fault.target, host.clock.now))
        return f"marked {fault.target}"

    def clear(host, fault):
        calls.append(("clear", fault.target, host.clock.now))

    kind = FaultKind(
        name="test-mark", summary="test", event="test", shows="test", sources=(),
        target="component", apply=apply, clear=clear,
        params=(Param("op", str, "read", "read or write", ("read", "write")),
                Param("factor", float, 2.0, "a number"), Param("fixable", bool, True, "b"),
                Param("signal", int, 9, "a number")),
        targets=lambda host: sorted(f"{d}s0" for d in host.disks), needs_target=True)
    return kind
