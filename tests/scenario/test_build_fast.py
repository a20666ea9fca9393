"""The scenario build's shortcuts (issue 17) against the plain rules they replace: the creation
order asked each unit's parts once, the geometry and device ID kept per disk size and name,
a replica's health without building a set each time. Same answers, same built hosts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.core.devices import default_devid, fit_geometry, split_cylinder
from simulator.lvm.md.replicas import FLAGS_STRING, Replica, is_stale
from simulator.scenario import ScenarioError, load_scenario, shipped_scenarios
from simulator.scenario.refs import creation_order


@dataclass
class _Unit:
    name: str
    parts: list[str]

    def deps(self) -> list[str]:
        return list(self.parts)


@dataclass
class _Units:
    """What creation_order reads of a Scenario: the three unit tables and ``error``."""

    stripes: list[_Unit] = field(default_factory=list)
    softparts: list[_Unit] = field(default_factory=list)
    mirrors: list[_Unit] = field(default_factory=list)

    def error(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"x.toml: {where}: {message}")


def _plain_order(sc: _Units) -> list[tuple[str, int, _Unit]] | str:
    """The rule as it was written before (each round asks every pending unit's parts)."""
    pending = [("stripe", i, s) for i, s in enumerate(sc.stripes)]
    pending += [("softpart", i, p) for i, p in enumerate(sc.softparts)]
    pending += [("mirror", i, m) for i, m in enumerate(sc.mirrors)]
    done: set[str] = set()
    order = []
    while pending:
        ready = [p for p in pending if all(d in done for d in p[2].deps())]
        if not ready:
            kind, i, spec = pending[0]
            return str(sc.error(f"{kind}[{i}]", f"{spec.name} is part of a cycle of "
                                f"metadevices ({', '.join(p[2].name for p in pending)})"))
        for p in ready:
            order.append(p)
            done.add(p[2].name)
            pending.remove(p)
    return order


@st.composite
def _unit_tables(draw: st.DrawFn) -> _Units:
    n = draw(st.integers(1, 9))
    names = [f"d{i}" for i in range(n)]
    sc = _Units()
    for name in names:
        parts = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        table = draw(st.sampled_from([sc.stripes, sc.softparts, sc.mirrors]))
        table.append(_Unit(name, parts))
    return sc


@settings(max_examples=300, deadline=None)
@given(_unit_tables())
def test_creation_order_is_the_plain_rule(sc: _Units) -> None:
    _check_order(sc)


def _check_order(sc: _Units) -> None:
    """creation_order gives the plain rule's order, or its cycle error."""
    want = _plain_order(sc)
    try:
        got: list[tuple[str, int, _Unit]] | str = creation_order(sc)  # type: ignore[arg-type]
    except ScenarioError as e:
        got = str(e)
    assert got == want


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(1, 2**40), st.sampled_from([143349312, 75497472, 10176 * 100 + 7,
                                                         20352, 1, 2, 424, 10176])))
def test_kept_geometry_is_the_computed_one(size: int) -> None:
    assert fit_geometry(size) == fit_geometry.__wrapped__(size)
    assert split_cylinder(size) == split_cylinder.__wrapped__(size)


@given(st.from_regex(r"\Ac[0-9]{1,2}t[0-9]{1,2}d0\Z"))
def test_kept_devid_is_the_computed_one(name: str) -> None:
    assert default_devid(name) == default_devid.__wrapped__(name)


_LETTERS = sorted(set(FLAGS_STRING) - {" "})


@given(st.lists(st.sets(st.sampled_from(_LETTERS)), max_size=7))
def test_replica_health_is_the_plain_rule(flag_sets: list[set[str]]) -> None:
    replicas = [Replica("c0t0d0s7", flags=set(f)) for f in flag_sets]
    plain = [("a" in f and not (f & set("WMDFSRB"))) for f in flag_sets]
    assert [r.healthy for r in replicas] == plain
    assert is_stale(replicas) == (bool(plain) and sum(plain) * 2 < len(plain))


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_a_build_with_cold_caches_is_the_same_host(name: str) -> None:
    """The kept geometry and device IDs change nothing a host says: built with them kept
    and built after emptying them, the saved states are equal."""
    sc = load_scenario(name)
    warm = json.dumps(sc.build_host().to_dict(), sort_keys=True)
    for kept in (fit_geometry, split_cylinder, default_devid):
        kept.cache_clear()
    cold = json.dumps(sc.build_host().to_dict(), sort_keys=True)
    assert warm == cold


@st.composite
def _ordered_unit_tables(draw: st.DrawFn) -> _Units:
    """Unit tables whose parts are mostly declared before them (the builds' usual case,
    which creation_order answers in one pass), with names now and then used twice."""
    n = draw(st.integers(1, 9))
    sc = _Units()
    made: list[str] = []
    for i in range(n):
        name = draw(st.sampled_from(made)) if made and draw(st.integers(0, 9)) == 0 \
            else f"d{i}"
        pool = made + [f"d{n + 1}"] if draw(st.integers(0, 9)) == 0 else made
        parts = draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)) if pool else []
        table = draw(st.sampled_from([sc.stripes, sc.stripes, sc.softparts, sc.mirrors]))
        table.append(_Unit(name, parts))
        made.append(name)
    return sc


@settings(max_examples=500, deadline=None)
@given(_ordered_unit_tables())
def test_creation_order_in_one_pass_is_the_plain_rule(sc: _Units) -> None:
    """The one-pass answer (parts declared first, rounds never going down) and its fallback
    to the rounds give the plain rule's order, or its cycle error, for the same tables."""
    _check_order(sc)


def test_creation_order_one_pass_cases() -> None:
    """Declared in order: the declared order; a round going down (a stripe on a soft
    partition declared before the stripe it is carved from) or a part declared later:
    the rounds' order."""
    a = _Units(stripes=[_Unit("d2", []), _Unit("d3", [])], mirrors=[_Unit("d1", ["d2", "d3"])])
    assert [p[2].name for p in creation_order(a)] == ["d2", "d3", "d1"]  # type: ignore[arg-type]
    b = _Units(stripes=[_Unit("d5", ["d10"]), _Unit("d6", [])],
               softparts=[_Unit("d10", ["d6"])])
    assert creation_order(b) == _plain_order(b)  # type: ignore[arg-type]
    assert [p[2].name for p in creation_order(b)] == ["d6", "d10", "d5"]  # type: ignore[arg-type]


@given(st.one_of(st.integers(0, 2**40), st.sampled_from([1638399, 1638400, 1638499, 1638500,
                                                         6553599, 6553600, 6553700])))
def test_default_slices_small_slice_is_the_plain_rule(size: int) -> None:
    from simulator.core.devices import default_slices
    small = min(65536, max(size // 100, 16384))
    layout = default_slices(size)
    assert [(s.number, s.size, s.start) for s in layout.values()] == \
        [(0, size - small, 0), (2, size, 0), (7, small, size - small)]
