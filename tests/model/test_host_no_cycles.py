"""A host is no reference cycle: dropping its last reference frees it and everything it made
at once, by reference counting, with the cyclic garbage collector switched off
(simulator/core/hostref.py). Checked through each shipped scenario's procedure, with a fault
plan armed, after the files were materialised, and after a panic and a reboot."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.core.errors import HostHung, HostPanic
from simulator.faults import arm
from simulator.host import Host
from simulator.lvm.md.records import Mirror
from simulator.scenario import load_scenario

SCENARIOS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "scenarios")
                   .glob("*.toml"))


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(h: Host, command: str) -> None:
    try:
        h.run(command)
    except HostHung:
        h.reboot()
    except HostPanic as e:
        h.crash(e)


def procedure(h: Host) -> None:
    """metastat, a split-mirror backup of the first mounted mirror, an hour, and looks that
    materialise the files and every report."""
    units = h.md.sets[""].units
    for c in ("metastat", "metastat -p", "metadb -i", "df -k", "mount"):
        run(h, c)
    for fs in h.fs.mounted_ufs():
        m = units.get(fs.device.rsplit("/", 1)[-1])
        if isinstance(m, Mirror) and len(m.submirrors) > 1:
            sub = m.submirrors[-1].name
            for c in (f"lockfs -w {fs.mount}", f"metadetach {m.name} {sub}",
                      f"lockfs -u {fs.mount}", f"fsck -n /dev/md/rdsk/{sub}",
                      f"ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/{sub}", "ufsrestore tf /dev/rmt/0",
                      f"metattach {m.name} {sub}"):
                run(h, c)
            break
    try:
        h.advance(3600)
    except HostPanic as e:
        h.crash(e)
    except HostHung:
        h.reboot()
    for c in ("metastat", "df -k", "ls -l /"):
        run(h, c)


def freed(make: Callable[[], Host]) -> bool:
    """Whether the host ``make`` returns, used by :func:`procedure`, is freed as soon as the
    last reference to it goes (with its volume manager and file systems)."""
    h = make()
    procedure(h)
    refs = [weakref.ref(h), weakref.ref(h.md), weakref.ref(h.fs), weakref.ref(h.faults)]
    # and its records: each unit, and a set (records and their lists are no cycle either)
    refs += [weakref.ref(u) for s in h.md.sets.values() for u in s.units.values()]
    refs += [weakref.ref(s) for s in h.md.sets.values()]
    del h
    return all(r() is None for r in refs)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scenario_host_is_freed_by_reference_counting(name: str, no_collector: None) -> None:
    sc = load_scenario(name)
    assert freed(sc.build_host)


@pytest.mark.parametrize("fault", ["panic@after:metadetach", "disk-fail@ufsdump:50%",
                                   "reboot@resync:50%", "component-error@before:metattach"])
def test_a_host_with_a_fault_plan_is_freed_by_reference_counting(fault: str,
                                                                 no_collector: None) -> None:
    sc = load_scenario("seed-example")

    def make() -> Host:
        h = sc.build_host()
        arm(h, [fault], seed=3)
        return h

    assert freed(make)


def test_the_check_sees_a_cycle(no_collector: None) -> None:
    """The check above fails for a host something inside it points back at strongly."""
    sc = load_scenario("seed-example")

    def make() -> Host:
        h = sc.build_host()
        h.fs.cycle = h              # type: ignore[attr-defined]
        return h

    assert not freed(make)
    gc.collect()


def test_the_check_sees_a_record_cycle(no_collector: None) -> None:
    sc = load_scenario("seed-example")

    def make() -> Host:
        h = sc.build_host()
        d1 = h.md.sets[""].units["d1"]
        d1.__dict__["cycle"] = d1
        return h

    assert not freed(make)
    gc.collect()


def test_a_part_whose_host_is_gone_says_so() -> None:
    fs = load_scenario("seed-example").build_host().fs
    with pytest.raises(ReferenceError, match="the host of this FileSystems is gone"):
        fs.host.clock  # noqa: B018 - reading the host is what raises
