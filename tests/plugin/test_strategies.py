"""The Hypothesis strategies: drawn hosts build and report, drawn command lines never crash.

The command-line test doubles as a robustness test of every fake command: whatever the
argv, on whatever host, no Python exception may escape into ``host.internal_errors``.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path

import example_driver
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from simulator import Host, HostHung, build_host
from simulator.core.registry import PROGRAMS
from simulator.inprocess import RoutedCall, route_subprocess
from simulator.lvm.md.records import Mirror
from simulator.scenario import Scenario, parse_scenario
from simulator.testing.strategies import (
    WORDS,
    ConfinedFiles,
    command_lines,
    hosts,
    scenarios,
    words_for,
    workloads,
)

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REPORTS = ["metastat", "metastat -p", "metastat -c", "metastat -i", "metastat -a",
           "metadb", "metadb -i", "metahs -i", "df -k", "mount", "lockfs"]


def mirrors_of(host: Host) -> dict[str, Mirror]:
    return {n: u for n, u in host.md.sets[""].units.items() if isinstance(u, Mirror)}


def components(sc: Scenario) -> list[str]:
    """Every slice the scenario uses (spares first)."""
    return [c for p in sc.hsps for c in p.spares] + \
        [c for s in sc.stripes for row in s.rows for c in row]


@FAST
@given(scenarios())
def test_scenarios_build_what_they_describe(sc: Scenario) -> None:
    host = sc.build_host()
    built = mirrors_of(host)
    assert sorted(built) == sorted(m.name for m in sc.mirrors)
    late = {cmd.split()[1]: cmd.split()[2] for step in sc.setup for cmd in step.commands
            if cmd.startswith("metattach ")}
    for spec in sc.mirrors:
        m = built[spec.name]
        assert [s.name for s in m.submirrors] == spec.submirrors + \
            ([late[spec.name]] if spec.name in late else [])
        assert (m.pass_num, m.read_option, m.write_option) == \
            (spec.pass_num, spec.read, spec.write)
    for fs_spec in sc.filesystems:
        fs = host.fs.filesystems[fs_spec.mount]
        assert fs.device == fs_spec.device and fs.mounted
    used = {c.device for s in host.md.sets[""].units.values()
            for c in getattr(s, "components", [])}
    assert {c for step in sc.setup for c in step.io_errors} <= set(components(sc))
    assert used <= set(components(sc))


@FAST
@given(scenarios())
def test_drawn_scenarios_round_trip_through_toml(sc: Scenario) -> None:
    again = parse_scenario(sc.to_toml())
    assert again.model_dump() == sc.model_dump()


@pytest.mark.parametrize("make,message", [
    (lambda: hosts(max_mirrors=0), "hosts(max_mirrors=0): max_mirrors must be at least 1"),
    (lambda: scenarios(max_mirrors=99),
     "scenarios(max_mirrors=99): max_mirrors must be at most 25"),
    (lambda: hosts(max_mirrors="2"),
     "hosts(max_mirrors='2'): max_mirrors must be an integer (got str)"),
    (lambda: hosts(allow_failures=None),
     "hosts(allow_failures=None): allow_failures must be True or False (got NoneType)"),
    (lambda: command_lines(programs=["nosuchcmd"]),
     "command_lines(programs=['nosuchcmd']): 'nosuchcmd' is not a fake command (known: "),
    (lambda: command_lines(programs=["metastta"]),
     "command_lines(programs=['metastta']): 'metastta' is not a fake command (did you mean "
     "'metastat'? known: "),
    (lambda: command_lines(programs="metastat"),
     "command_lines(programs='metastat'): programs must be a list of program names (got str)"),
    (lambda: command_lines(programs=[]),
     "command_lines(programs=[]): programs must name at least one program"),
    (lambda: command_lines(words=["d1", 2]),
     "command_lines(words=['d1', 2]): words must be strings (got 2)"),
])
def test_bad_arguments_fail_when_the_strategy_is_made(make, message: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        make()
    assert str(info.value).startswith(message)


@FAST
@given(hosts())
def test_hosts_always_report_cleanly(host: Host) -> None:
    for line in REPORTS:
        r = host.run(line)
        assert "internal error" not in r.stderr, (line, r.stderr)
        assert r.exit_code in (0, 1), (line, r.stdout, r.stderr)
    out = host.run("metastat").stdout
    for name in mirrors_of(host):
        assert f"{name}: Mirror\n" in out
    assert host.run("metastat -p").exit_code == 0
    assert host.internal_errors == []


@FAST
@given(hosts(max_mirrors=2))
def test_hosts_survive_a_json_round_trip(host: Host) -> None:
    copy = Host.from_dict(json.loads(json.dumps(host.to_dict())))
    assert copy.run("metastat").stdout == host.run("metastat").stdout
    assert copy.run("metastat -p").stdout == host.run("metastat -p").stdout


@FAST
@given(hosts(max_mirrors=1, allow_failures=False, filesystems=False))
def test_options_turn_things_off(host: Host) -> None:
    assert len(mirrors_of(host)) == 1
    assert "Maintenance" not in host.run("metastat").stdout
    assert "Last Erred" not in host.run("metastat").stdout
    assert not [m for m in host.fs.filesystems if m != "/"]


@FAST
@given(st.lists(command_lines(), min_size=1, max_size=10))
def test_command_lines_split_back_into_fake_commands(lines: list[str]) -> None:
    for line in lines:
        argv = shlex.split(line)
        assert argv[0].rsplit("/", 1)[-1] in PROGRAMS


@FAST
@given(hosts(), st.data())
def test_command_lines_never_cause_an_internal_error(host: Host, data: st.DataObject) -> None:
    lines = data.draw(st.lists(command_lines(words=words_for(host)), max_size=8))
    with tempfile.TemporaryDirectory() as tmp:
        files = ConfinedFiles(tmp)
        for line in lines:
            try:
                r = host.run(line, files=files)
            except HostHung:            # lockfs -w /: nothing answers any more (documented)
                assert host.hung_reason
                break
            assert host.internal_errors == [], (line, host.internal_errors)
            assert "Traceback" not in r.stderr
            assert r.exit_code != 70, (line, r.stderr)
        if not host.hung_reason:        # and whatever happened, time can pass
            host.advance(60)
            assert host.run("metastat").exit_code in (0, 1)
    assert host.internal_errors == []


@FAST
@given(workloads(), st.integers(1, 120))
def test_workloads_run_on_a_file_system(workload, seconds: int) -> None:
    host = Host("host1")
    host.add_mirror("d1", ["d2", "d3"])
    fs = host.fs
    fs.add_ufs("/dev/md/dsk/d1", "/data", size=200000, files=100, workload=workload)
    host.advance(seconds)
    r = host.run("fsck -n /dev/md/rdsk/d1")
    assert r.exit_code in (0, 32, 33, 34, 36, 39, 40), r.stdout
    busy = workload.writes_per_second or workload.creates_per_second or \
        workload.deletes_per_second
    assert (host.run("umount /data").exit_code != 0) == bool(busy)


def test_words_for_names_what_the_host_has() -> None:
    host = build_host("seed-example")
    words = words_for(host)
    for name in ("d1", "d3", "/dev/md/rdsk/d3", "c2t0d0s0", "/home1"):
        assert name in words
    assert not set(words) & {"d99"}
    assert "d99" in WORDS


def test_confined_files_stay_under_their_root(tmp_path: Path) -> None:
    files = ConfinedFiles(tmp_path)
    assert files.resolve("/var/tmp/x.dump", "/") == tmp_path / "var/tmp/x.dump"
    assert files.resolve("../../../etc/passwd", "/var/tmp") == tmp_path / "etc/passwd"
    assert files.resolve("x", "/home1") == tmp_path / "home1/x"
    host = build_host("seed-example")
    r = host.run("ufsdump 0f /var/tmp/d3.dump /dev/md/rdsk/d3", files=files)
    assert r.exit_code == 0 and (tmp_path / "var/tmp/d3.dump").stat().st_size > 0


@FAST
@given(hosts(max_mirrors=2), st.data())
def test_the_example_driver_on_drawn_hosts(host: Host, data: st.DataObject) -> None:
    """The driver backs up exactly the healthy mirrors, and always cleans up after itself."""
    mirror = data.draw(st.sampled_from(sorted(mirrors_of(host))))
    m = mirrors_of(host)[mirror]
    sub = data.draw(st.sampled_from([s.name for s in m.submirrors]))
    mounts = [fs for fs in host.fs.filesystems.values()
              if fs.device == f"/dev/md/dsk/{mirror}"]
    mount = mounts[0].mount if mounts else "/export/none"
    status = host.run(f"metastat {mirror}").stdout
    healthy = (status.count("      State: Okay") == len(m.submirrors) >= 2
               and "Resync in progress" not in status)
    before = host.run("metastat -p").stdout
    subs_before = sorted(s.name for s in m.submirrors)
    calls: list[RoutedCall] = []
    with tempfile.TemporaryDirectory() as tmp, route_subprocess(host, calls):
        rc = example_driver.main(["-f", f"{tmp}/x.dump", mirror, sub, mount])
    assert rc != example_driver.NEEDS_ADMIN
    assert (rc == example_driver.REFUSED) == (not healthy)
    if rc == example_driver.REFUSED:
        assert len(calls) == 1 and host.run("metastat -p").stdout == before
    else:
        assert rc == (example_driver.DONE if mounts else example_driver.FAILED)
        assert calls[-1].argv == ["/usr/sbin/metattach", mirror, sub] or not mounts
    assert sorted(s.name for s in mirrors_of(host)[mirror].submirrors) == subs_before
    for fs in mounts:
        assert host.fs.lock_of(fs.mount) == "unlock"
    assert host.internal_errors == []
