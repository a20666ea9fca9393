"""The scenario builder's kept configurations (build._MADE): a host built again from the same
configuration gets a copy of what metainit made the first time. Against the plain path (the
calls through the model, nothing kept): the same saved state and records for every shipped
scenario; a scenario changed in place after a build is built afresh; a refusal is never kept
and refuses again in the same words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.scenario import ScenarioError, build, load_scenario, shipped_scenarios
from simulator.scenario.schema import Scenario


def _plain(sc: Scenario) -> Any:
    build._MADE.clear()
    host = sc.build_host()
    build._MADE.clear()
    return host


def _state(host: Any) -> str:
    return json.dumps(host.to_dict(), sort_keys=True)


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_a_kept_configuration_builds_the_same_host(name: str) -> None:
    sc = load_scenario(name)
    plain = _plain(sc)
    first = sc.build_host()                  # plain, and kept
    assert build._MADE
    again = sc.build_host()                  # from the kept set
    assert _state(plain) == _state(first) == _state(again)
    for h in (first, again):
        for sname, s in plain.md.sets.items():
            theirs = h.md.sets[sname]
            assert list(theirs.units) == list(s.units)
            assert list(theirs.units.values()) == list(s.units.values())
            assert theirs.hsps == s.hsps and theirs.replicas == s.replicas
    # and the hosts share no record
    ids = {id(u) for u in first.md.sets[""].units.values()}
    assert not ids & {id(u) for u in again.md.sets[""].units.values()}


def _change_stripe(sc: Scenario) -> None:
    sc.stripes[-1].rows[0][0] = "c3t0d0s1"


def _change_mirror(sc: Scenario) -> None:
    sc.mirrors[0].read = "geometric"


def _change_disk(sc: Scenario) -> None:
    sc.disks[3].size = sc.disks[3].size * 2


def _change_start(sc: Scenario) -> None:
    sc.host.start = (sc.host.start or 0) + 60


def _change_replica(sc: Scenario) -> None:
    sc.replicas[0].count = 4


def _change_order(sc: Scenario) -> None:
    sc.mirrors[0].submirrors.reverse()


@pytest.mark.parametrize("change", [_change_stripe, _change_mirror, _change_disk,
                                    _change_start, _change_replica, _change_order])
def test_a_scenario_changed_in_place_is_built_afresh(change: Any) -> None:
    sc = load_scenario("seed-example")
    build._MADE.clear()
    sc.build_host()
    change(sc)
    try:
        kept: str | Exception = _state(sc.build_host())
    except ScenarioError as e:
        kept = e
    try:
        plain: str | Exception = _state(_plain(sc))
    except ScenarioError as e:
        plain = e
    assert str(kept) == str(plain)
    assert kept != _state(_plain(load_scenario("seed-example")))


def test_a_refusal_is_not_kept() -> None:
    sc = load_scenario("seed-example")
    sc.stripes[1].rows[0][0] = sc.stripes[0].rows[0][0]      # a slice used twice
    build._MADE.clear()
    messages = []
    for _ in range(2):
        with pytest.raises(ScenarioError) as e:
            sc.build_host()
        messages.append(str(e.value))
        assert not build._MADE
    assert messages[0] == messages[1]
    assert "stripe[1]" in messages[0]


def test_the_kept_configurations_are_bounded() -> None:
    sc = load_scenario("seed-example")
    build._MADE.clear()
    for i in range(build._MADE_MAX + 3):
        sc.host.start = 1_700_000_000 + i
        sc.build_host()
        assert 1 <= len(build._MADE) <= build._MADE_MAX
    build._MADE.clear()


def test_the_key_reads_every_field_the_calls_and_disks_have() -> None:
    """The kept configuration's key is what metainit is given and what it reads of the
    disks: every field of the unit, pool and replica tables and of a disk and its slices.
    A field added to one of them must be added to the key (build._metadevices) and here."""
    from dataclasses import fields

    from simulator.core.devices import Disk, Slice
    from simulator.scenario.schema import (
        HspSpec,
        MirrorSpec,
        ReplicaSpec,
        SoftPartSpec,
        StripeSpec,
    )
    read = {ReplicaSpec: ["device", "count", "length", "flags"], HspSpec: ["name", "spares"],
            StripeSpec: ["name", "rows", "interlace", "hsp"],
            MirrorSpec: ["name", "submirrors", "pass_num", "read", "write"],
            SoftPartSpec: ["name", "component", "size", "extents"]}
    for cls, names in read.items():
        assert [f.name for f in cls._fields] == names, cls.__name__
    assert [f.name for f in fields(Disk)] == ["name", "size", "slices", "devid", "failed",
                                              "nhead", "nsect"]
    assert [f.name for f in fields(Slice)] == ["number", "size", "start"]


@pytest.mark.parametrize("field", ["size", "devid", "failed", "nhead", "nsect",
                                   "slice.size", "slice.start", "slice.number"])
def test_a_disk_changed_before_the_units_is_another_key(field: str) -> None:
    """Built disks that differ in any field give another configuration (no kept copy)."""
    sc = load_scenario("seed-example")
    build._MADE.clear()
    sc.build_host()
    (key,) = build._MADE
    real_add = build.Host.add_disk

    def add_disk(self: Any, *args: Any, **kwargs: Any) -> Any:
        disk = real_add(self, *args, **kwargs)
        if disk.name == "c3t0d0":
            if field.startswith("slice."):
                sl = disk.slices[0]
                what = field.split(".")[1]
                setattr(sl, what, getattr(sl, what) + (1 if what != "size" else -100))
            else:
                setattr(disk, field, {"size": disk.size + 1, "devid": "x", "failed": True,
                                      "nhead": 1, "nsect": 1}[field])
        return disk

    build.Host.add_disk = add_disk      # type: ignore[method-assign]
    try:
        sc.build_host()
    finally:
        build.Host.add_disk = real_add  # type: ignore[method-assign]
    assert len(build._MADE) == 2 and key in build._MADE
    build._MADE.clear()
