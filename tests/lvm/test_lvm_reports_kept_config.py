"""metastat's reports shared by the hosts built from one kept configuration
(simulator/lvm/libmeta/report_cache.py's shared reports, ``SetContents.held_by`` in
simulator/lvm/md/records.py, ``build._MADE``): what a host prints from them is byte for byte
what a twin host built the same way prints with the kept reports disabled.

Every shipped scenario is built a first time (its calls made through the model, its set
kept), then twice from the kept configuration, and every option form is compared on each;
a write after the build (a component's state, a detach, io_error, a set's name, a disk's
device ID, a soft partition) falls back to a report of the host's own records; scenarios
with the same configuration but other disks' device IDs or another time zone do not print
each other's text.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.lvm.libmeta import report_cache
from simulator.lvm.md.records import MDSet, SetContents
from simulator.lvm.md.states import CompState
from simulator.scenario import build, load_scenario, shipped_scenarios
from simulator.scenario.schema import Scenario

FORMS = ("", "-p", "-t", "-p -t", "-q", "-c", "-a", "-B", "-D")

Outputs = dict[str, tuple[str, str, int]]


def forms(h: Host) -> list[str]:
    """Every whole-set form, then each unit and pool named alone (plain, -p, -t), then all
    the units named together."""
    s = h.md.sets[""]
    names = list(s.units) + list(s.hsps)
    out = list(FORMS)
    for n in names:
        out += [n, f"-p {n}", f"-t {n}"]
    out.append(" ".join(names))
    return out


def run(h: Host, commands: list[str]) -> Outputs:
    out: Outputs = {}
    for opts in commands:
        r = h.run(f"metastat {opts}".strip())
        out[opts] = (r.stdout, r.stderr, r.exit_code)
    return out


def fresh(twin: Host, commands: list[str]) -> Outputs:
    with report_cache.disabled():
        return run(twin, commands)


def contents(h: Host) -> SetContents:
    made_from = h.md.sets[""].made_from
    assert made_from is not None
    return made_from[0]


@pytest.fixture(autouse=True)
def _no_kept_configuration() -> Any:
    build._MADE.clear()
    yield
    build._MADE.clear()


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_scenario_first_and_copied_builds_print_as_fresh(name: str) -> None:
    """The first build (kept), then two copies: each prints, form after form, what a twin
    built alike prints without kept reports; the third host also in the reverse order (its
    first call of each form finds what the earlier hosts shared)."""
    sc = load_scenario(name)
    first = sc.build_host()                          # the calls made, its set kept
    assert build._MADE and first.md.sets[""].made_from is not None
    commands = forms(first)
    expected = fresh(sc.build_host(), commands)
    assert run(first, commands) == expected
    second = sc.build_host()
    assert contents(second) is contents(first)
    assert run(second, commands) == fresh(sc.build_host(), commands) == expected
    third = sc.build_host()
    backwards = commands[::-1]
    assert run(third, backwards) == fresh(sc.build_host(), backwards)


def test_a_copied_host_prints_the_shared_text() -> None:
    """The seed: the second host's first ``metastat d1`` prints the very text the first
    host's made (the unit is not printed again), and so do the whole-set report and its
    relocation section."""
    sc = load_scenario("seed-example")
    first = sc.build_host()
    a = first.run("metastat d1").stdout
    b = first.run("metastat").stdout
    shared = contents(first).reports
    assert len(shared) == 1
    (texts,) = shared.values()
    assert set(texts) == {"d1", None}
    second = sc.build_host()
    assert second.run("metastat d1").stdout == a
    assert second.run("metastat").stdout == b
    (kept,) = report_cache._KEPT[second.md].values()
    assert kept.units["d1"][2] is texts["d1"]
    assert kept.reloc is not None and kept.reloc[1] is texts[None]


def _component(h: Host) -> None:
    h.md.sets[""].units["d2"].rows[0].components[0].state = CompState.ERRED  # type: ignore


def _detach(h: Host) -> None:
    assert h.run("metadetach d1 d3").exit_code == 0


def _io_error(h: Host) -> None:
    build.io_error(h, "c2t0d0s0")


def _devid(h: Host) -> None:
    h.disks["c1t0d0"].devid = "id1,sd@SOTHER_DISK_0000000000000001"


def _no_devid(h: Host) -> None:
    h.disks["c3t0d0"].devid = ""


def _replace(h: Host) -> None:
    """A component's slice replaced: the set itself is not written, its relocation is."""
    assert h.run("metareplace d1 c1t0d0s0 c0t0d0s0").exit_code == 0


def _metainit(h: Host) -> None:
    assert h.run("metainit d9 1 1 c0t0d0s0").exit_code == 0


def _set_name(h: Host) -> None:
    h.md.sets[""].name = ""           # the same value, written: the set is stamped


def _resync_step(h: Host) -> None:
    h.md.sets[""].units["d1"].jobs.clear()                                  # type: ignore


@pytest.mark.parametrize("write", [_component, _detach, _io_error, _devid, _no_devid,
                                   _replace, _metainit, _set_name, _resync_step])
def test_a_write_after_the_build_falls_back(write: Callable[[Host], None]) -> None:
    """Hosts built from the seed's kept configuration after another printed every form: a
    write to one (and its twin) makes it print its own records, as the twin does without
    kept reports; an unwritten copy still prints the shared text."""
    sc = load_scenario("seed-example")
    commands = forms(sc.build_host())
    before = run(sc.build_host(), commands)          # shared now
    h, twin = sc.build_host(), sc.build_host()
    write(h)
    write(twin)
    after = run(h, commands)
    assert after == fresh(twin, commands)
    if write is _metainit:                           # d1 unchanged, the set not
        assert after["d1"] == before["d1"] and after[""] != before[""]
    elif write is not _set_name and write is not _resync_step:
        assert after[""] != before[""] and after["d1"] != before["d1"]
    assert run(sc.build_host(), commands) == before


def test_the_same_configuration_with_other_device_ids_shares_no_text() -> None:
    """Two scenarios alike but for one disk's device ID: two kept configurations, and each
    host prints its own disk's ID; a device ID changed after the build is another outside
    input under the same configuration."""
    sc = load_scenario("seed-example")
    other = load_scenario("seed-example")
    other.disks[1].devid = "id1,sd@SOTHER_DISK_0000000000000002"
    a, b = sc.build_host(), other.build_host()
    assert contents(a) is not contents(b)
    ta, tb = a.run("metastat d1").stdout, b.run("metastat d1").stdout
    assert "SOTHER_DISK_0000000000000002" in tb and "SOTHER_DISK" not in ta
    assert sc.build_host().run("metastat d1").stdout == ta
    assert other.build_host().run("metastat d1").stdout == tb
    c = sc.build_host()
    c.disks["c1t0d0"].devid = "id1,sd@SOTHER_DISK_0000000000000003"
    tc = c.run("metastat d1").stdout
    assert "SOTHER_DISK_0000000000000003" in tc
    assert tc == fresh(_with_devid(sc, "id1,sd@SOTHER_DISK_0000000000000003"),
                       ["d1"])["d1"][0]
    assert len(contents(c).reports) == 2


def _with_devid(sc: Scenario, devid: str) -> Host:
    h = sc.build_host()
    h.disks["c1t0d0"].devid = devid
    return h


def test_another_time_zone_shares_the_configuration_not_the_times() -> None:
    """The kept configuration does not read the zone; ``-t`` prints in the host's own."""
    sc = load_scenario("seed-example")
    east = load_scenario("seed-example")
    east.host.timezone = "Asia/Tokyo"
    commands = ["-t", "-t d1", "d1", ""]
    utc = run(sc.build_host(), commands)
    h = east.build_host()
    assert contents(h) is contents(sc.build_host())
    tokyo = run(h, commands)
    assert tokyo == fresh(east.build_host(), commands)
    assert tokyo["-t d1"] != utc["-t d1"] and tokyo["d1"] == utc["d1"]


SOFT_PARTITIONS = """
[scenario]
description = "a mirror, a soft partition and a concat on it"
[host]
hostname = "host1"
timezone = "UTC"
start = "2026-11-24T02:00:00Z"
[[disk]]
name = "c0t0d0"
size = "36GB"
[[disk]]
name = "c1t0d0"
size = "36GB"
[[disk]]
name = "c2t0d0"
size = "36GB"
[[replica]]
device = "c0t0d0s7"
count = 3
[[softpart]]
name = "d50"
component = "c0t0d0s0"
size = "1GB"
[[stripe]]
name = "d60"
rows = [["d50"]]
[[stripe]]
name = "d2"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d3"
rows = [["c2t0d0s0"]]
[[mirror]]
name = "d1"
submirrors = ["d2", "d3"]
"""


def test_soft_partitions_keep_the_rules_of_what_is_kept(tmp_path: Path) -> None:
    """A unit over a soft partition is never kept, so never shared; the mirror beside it
    and the relocation section are; writing the soft partition falls back for all."""
    path = tmp_path / "sp.toml"
    path.write_text(SOFT_PARTITIONS)
    sc = load_scenario(str(path))
    commands = forms(sc.build_host())
    before = run(sc.build_host(), commands)
    assert before == fresh(sc.build_host(), commands)
    shared = contents(sc.build_host()).reports
    assert len(shared) == 4                           # long and -p, with and without -t
    for (key, _), texts in shared.items():
        assert set(texts) == ({"d1"} if key[1] else {"d1", None}), key
    h, twin = sc.build_host(), sc.build_host()
    for x in (h, twin):
        x.md.sets[""].units["d50"].status = "Errored"
    after = run(h, commands)
    assert after == fresh(twin, commands) and after[""] != before[""]


def test_a_set_filled_from_kept_contents_only_when_empty_is_marked() -> None:
    """make_in marks a set it filled from empty; one that held something is not marked
    (its other records are not what the contents make)."""
    src = load_scenario("seed-example").build_host().md.sets[""]
    kept = SetContents.of(src)
    empty = MDSet("")
    kept.make_in(empty)
    assert empty.made_from is not None and empty.made_from[0] is kept
    assert empty.units["d1"]._gen <= empty.made_from[1]
    empty.units["d1"].pass_num = 2
    assert empty.units["d1"]._gen > empty.made_from[1]
    other = MDSet("")
    kept.make_in(other)
    kept.make_in(other)
    assert other.made_from is None
    assert MDSet("").made_from is None and MDSet.from_dict(src.to_dict()).made_from is None


def test_the_shared_forms_are_bounded() -> None:
    sc = load_scenario("seed-example")
    for i in range(report_cache.SHARED_FORMS + 5):
        h = sc.build_host()
        h.disks["c1t0d0"].devid = f"id1,sd@SOTHER_DISK_{i:016d}"
        h.run("metastat d1")
        assert 1 <= len(contents(h).reports) <= report_cache.SHARED_FORMS


STEPS = ("metadetach d1 d3", "metattach d1 d3", "metaoffline d1 d4", "metaonline d1 d4",
         "metadetach -f d1 d2", "metattach d1 d2", "metasync d1", "metainit d9 1 1 c0t0d0s0",
         "metaclear d9", "io_error c2t0d0s0", "io_error c0t0d0s7", "devid c1t0d0",
         "advance 5", "advance 600", "metastat", "metastat d1", "metastat -p", "metastat -t d1")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(STEPS), max_size=6),
       st.sampled_from(["seed-example", "third-submirror", "two-way-mirror"]))
def test_random_steps_on_copied_hosts_print_as_fresh(steps: list[str], name: str) -> None:
    """Hosts built from a kept configuration (sharing what earlier examples' hosts kept),
    taken through random steps with a twin: after each step, what the host prints equals
    what its twin prints without kept reports."""
    sc = load_scenario(name)
    h, twin = sc.build_host(), sc.build_host()
    commands = forms(h)[:12]
    for step in [*steps, "metastat"]:
        outs = []
        for x in (h, twin):
            with report_cache.disabled() if x is twin else nullcontext():
                if step.startswith("io_error "):
                    build.io_error(x, step.split()[1])
                elif step.startswith("devid "):
                    x.disks[step.split()[1]].devid = "id1,sd@SOTHER_DISK_0000000000000009"
                elif step.startswith("advance "):
                    x.advance(int(step.split()[1]))
                else:
                    r = x.run(step)
                    outs.append((r.stdout, r.stderr, r.exit_code))
        if outs:
            assert outs[0] == outs[1], step
        assert run(h, commands) == fresh(twin, commands), step
