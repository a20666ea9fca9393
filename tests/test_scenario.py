"""Scenario files: units, validation messages, shipped scenarios and what they build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator import Host, build_host
from simulator.core.units import parse_duration, parse_rate, parse_size
from simulator.lvm.md.records import Mirror, Stripe
from simulator.lvm.md.replicas import is_stale
from simulator.lvm.md.states import CompState, SmState
from simulator.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)

EXPECTED_SHIPPED = {"seed-example", "two-way-mirror", "maintenance", "resyncing", "last-erred",
                    "hot-spare", "offline-submirror", "big-16tb", "root-mirror",
                    "stale-metadb"}

BASE = """
[host]
hostname = "host1"
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
"""
TWO_WAY = BASE + """
[[stripe]]
name = "d10"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d20"
rows = [["c2t0d0s0"]]
[[mirror]]
name = "d0"
submirrors = ["d10", "d20"]
"""


def has_command(name: str) -> bool:
    from simulator.core.registry import PROGRAMS
    return name in PROGRAMS


def build(sc: Scenario) -> Host:
    return sc.build_host()


def slot_states(host: Host, mirror: str) -> dict[str, SmState]:
    s = host.md.sets[""]
    m = s.units[mirror]
    assert isinstance(m, Mirror)
    return {slot.name: host.md.slot_state(s, slot) for slot in m.submirrors}


def comp(host: Host, stripe: str, index: int = 0) -> Any:
    st = host.md.sets[""].units[stripe]
    assert isinstance(st, Stripe)
    return st.components[index]


# ---------------------------------------------------------------------------- units
@pytest.mark.parametrize("text,blocks", [
    ("36GB", 36 * 2**21), ("512k", 1024), ("2TB", 2 * 2**31), (100, 100), ("32b", 32),
    ("1.5k", 3), ("16 TB", 16 * 2**31), ("1024 bytes", 2), ("0", 0)])
def test_parse_size(text: Any, blocks: int) -> None:
    assert parse_size(text) == blocks


@pytest.mark.parametrize("text,seconds", [
    ("30s", 30), ("5m", 300), ("2h", 7200), ("1h30m", 5400), (12, 12), ("2.5", 2.5),
    ("1d", 86400), ("250ms", 0.25)])
def test_parse_duration(text: Any, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text,rate", [("20MB/s", 40960), (100, 100), ("512k/sec", 1024),
                                       ("1GB / s", 2097152)])
def test_parse_rate(text: Any, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("func,value,message", [
    (parse_size, "36QB", "unknown size unit 'qb'"),
    (parse_size, "lots", "not a size: 'lots'"),
    (parse_size, -5, "must not be negative"),
    (parse_size, True, "not a boolean"),
    (parse_size, 1.5, "whole number"),
    (parse_duration, "5x", "unknown duration unit 'x'"),
    (parse_duration, "5m30", "needs a unit"),
    (parse_duration, "", "not a duration"),
    (parse_rate, "20MB", "not a rate"),
    (parse_rate, "fast/s", "not a rate"),
])
def test_unit_errors(func: Any, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        func(value)


# ---------------------------------------------------------------------------- shipped
def test_shipped_scenarios_found_with_one_line_descriptions() -> None:
    shipped = shipped_scenarios()
    assert EXPECTED_SHIPPED <= set(shipped)
    for name, path in shipped.items():
        sc = load_scenario(name)
        assert sc.name == name == path.stem
        assert sc.description and "\n" not in sc.description and len(sc.description) < 100


@pytest.mark.parametrize("name", sorted(EXPECTED_SHIPPED))
def test_shipped_scenario_builds_and_round_trips(name: str) -> None:
    sc = load_scenario(name)
    if any(step.commands for step in sc.setup):
        for cmd in (c.split()[0] for step in sc.setup for c in step.commands):
            if not has_command(cmd):
                pytest.skip(f"{cmd} is not implemented yet")
    host = build(sc)
    again = Host.from_dict(host.to_dict())
    assert again.to_dict() == host.to_dict()


def test_seed_example_is_the_guides_example() -> None:
    sc = load_scenario("seed-example")
    host = build(sc)
    assert host.hostname == "host1"
    assert len(host.md.sets[""].replicas) == 3
    assert slot_states(host, "d1") == {"d2": SmState.RUNNING, "d3": SmState.RUNNING,
                                       "d4": SmState.RUNNING}
    assert [c.name for c in (comp(host, "d2"), comp(host, "d3"), comp(host, "d4"))] == \
        ["c1t0d0s0", "c2t0d0s0", "c3t0d0s0"]
    fs = sc.filesystems[0]
    assert (fs.mount, fs.device, fs.fstype, fs.logging, fs.mounted) == \
        ("/home1", "/dev/md/dsk/d1", "ufs", True, True)
    assert fs.raw_device == "/dev/md/rdsk/d1"
    assert fs.workload is not None and fs.workload.writes_per_second > 0


def test_maintenance_and_last_erred_states() -> None:
    host = build(load_scenario("maintenance"))
    assert slot_states(host, "d10") == {"d11": SmState.RUNNING, "d12": SmState.COMP_ERRED}
    assert comp(host, "d12").state == CompState.ERRED
    host = build(load_scenario("last-erred"))
    assert comp(host, "d20").state == CompState.ERRED
    assert comp(host, "d10").state == CompState.LAST_ERRED


def test_hot_spare_in_use_after_resync() -> None:
    host = build(load_scenario("hot-spare"))
    c = comp(host, "d12")
    assert (c.state, c.hot_spare) == (CompState.OKAY, "c3t1d0s0")
    pool = host.md.sets[""].hsps["hsp001"]
    assert [(sp.name, sp.status) for sp in pool.spares] == [("c3t1d0s0", "In use")]


def test_stale_metadb_and_big_mirror() -> None:
    host = build(load_scenario("stale-metadb"))
    reps = host.md.sets[""].replicas
    assert is_stale(reps) and sum("W" in r.flags for r in reps) == 3 and len(reps) == 5
    host = build(load_scenario("big-16tb"))
    m = host.md.sets[""].units["d100"]
    assert isinstance(m, Mirror) and m.size == 16 * 2**31 and m.big


def test_root_mirror_mounts_root_on_d10() -> None:
    sc = load_scenario("root-mirror")
    assert [(f.mount, f.device) for f in sc.filesystems][0] == ("/", "/dev/md/dsk/d10")
    assert slot_states(build(sc), "d10") == {"d11": SmState.RUNNING, "d12": SmState.RUNNING}


@pytest.mark.skipif(not has_command("metattach"), reason="metattach not implemented yet")
def test_resyncing_is_40_percent() -> None:
    host = build(load_scenario("resyncing"))
    m = host.md.sets[""].units["d0"]
    assert isinstance(m, Mirror) and m.resync_active
    assert m.percent_done() == 40
    assert slot_states(host, "d0")["d20"] == SmState.ATTACHED_RESYNC


@pytest.mark.skipif(not has_command("metaoffline"), reason="metaoffline not implemented yet")
def test_offline_submirror() -> None:
    host = build(load_scenario("offline-submirror"))
    assert slot_states(host, "d10")["d12"] == SmState.OFFLINE


# ---------------------------------------------------------------------------- validation
def expect_error(text: str, message: str, source: str = "scenarios/x.toml") -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source=source).build_host()
    assert str(info.value) == f"{source}: {message}"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text,message", [
    (TWO_WAY.replace('submirrors = ["d10", "d20"]', 'submirrors = ["d10", "d20"]\nread = "fast"'),
     "mirror[0].read: must be one of roundrobin, geometric, first (got 'fast')"),
    (TWO_WAY.replace('name = "c1t0d0"\nsize = "36GB"', 'name = "c1t0d0"\nsize = "36QB"'),
     "disk[1].size: unknown size unit 'qb' in '36QB' (use b, k, KB, MB, GB, TB or PB)"),
    (TWO_WAY.replace('submirrors = ["d10", "d20"]', 'submirrors = "d10"'),
     "mirror[0].submirrors: must be a list of strings (got a string)"),
    (TWO_WAY.replace('submirrors = ["d10", "d20"]', 'submirrors = ["d10", "d99"]'),
     "mirror[0].submirrors[1]: d99 must be a [[stripe]] (d99 is not declared)"),
    (TWO_WAY.replace('submirrors = ["d10", "d20"]', 'submirrors = ["d10", "d20"]\npass = 10'),
     "mirror[0].pass: must be from 0 to 9 (got 10)"),
    (TWO_WAY.replace('name = "d0"\nsubmirrors', 'name = "d0"\nsubmirors = []\nsubmirrors'),
     "mirror[0].submirors: unknown key (did you mean 'submirrors'?)"),
    (TWO_WAY + "[[disks]]\nname = 'c9t0d0'\n",
     "disks: unknown table (did you mean 'disk'?)"),
    (TWO_WAY.replace('rows = [["c2t0d0s0"]]', 'rows = [["c7t0d0s0"]]'),
     "stripe[1].rows[0][0]: c7t0d0s0: disk c7t0d0 is not declared in [[disk]]"),
    (TWO_WAY.replace('rows = [["c2t0d0s0"]]', 'rows = [["c2t0d0s9"]]'),
     "stripe[1].rows[0][0]: not a slice or metadevice (got 'c2t0d0s9')"),
    (TWO_WAY.replace('rows = [["c2t0d0s0"]]', 'rows = []'),
     'stripe[1].rows: must be a non-empty list of rows, each a list of components '
     '(e.g. [["c1t0d0s0"]])'),
    (TWO_WAY.replace('hostname = "host1"', 'hostname = "host1"\ntimezone = "Mars/Base"'),
     "host.timezone: unknown time zone 'Mars/Base'"),
    (TWO_WAY.replace('hostname = "host1"', 'hostname = "host1"\nstart = "yesterday"'),
     "host.start: not an ISO-8601 date-time (got 'yesterday', expected e.g. "
     "'2026-11-24T10:00:00Z')"),
    (TWO_WAY.replace('[[replica]]\ndevice = "c0t0d0s7"\ncount = 3\n', ''),
     "replica: metadevices need state database replicas: add [[replica]]"),
    (TWO_WAY + '[[stripe]]\nname = "d10"\nrows = [["c0t0d0s0"]]\n',
     "stripe[2].name: d10 is already declared as a stripe"),
    (TWO_WAY + '[[stripe]]\nname = "d30"\nrows = [["d31"]]\n'
     '[[stripe]]\nname = "d31"\nrows = [["d30"]]\n',
     "stripe[2]: d30 is part of a cycle of metadevices (d30, d31)"),
    (TWO_WAY + '[[filesystem]]\nmount = "/home1"\ndevice = "/dev/md/rdsk/d0"\n',
     "filesystem[0].device: must be the block device, not the raw one "
     "(got '/dev/md/rdsk/d0')"),
    (TWO_WAY + '[[filesystem]]\nmount = "home1"\ndevice = "/dev/md/dsk/d0"\n',
     "filesystem[0].mount: not an absolute path (got 'home1')"),
    (TWO_WAY + '[[filesystem]]\nmount = "/home1"\ndevice = "/dev/md/dsk/d5"\n',
     "filesystem[0].device: d5 is not declared ([[stripe]], [[mirror]] or [[softpart]])"),
    (TWO_WAY + '[[tape]]\ndevice = "/dev/tape0"\ncapacity = "1GB"\n',
     "tape[0].device: not a tape device like /dev/rmt/0 (got '/dev/tape0')"),
    (TWO_WAY + '[[tape]]\ncapacity = "1GB"\n[[tape]]\ndevice = "/dev/rmt/0n"\ncapacity = 5\n',
     "tape[1].device: drive /dev/rmt/0 is declared twice"),
    (TWO_WAY + '[[fault]]\nkind = "disk-fail"\nat = "5m"\n',
     "fault[0]: disk-fail has no parameter 'at' (its parameters: duration)"),
    (TWO_WAY + '[setup]\nadvance = "soon"\n',
     "setup.advance: not a duration: 'soon' (expected e.g. '30s', '5m', '2h', '1h30m' or a "
     "number of seconds)"),
    (TWO_WAY + '[setup]\nio_errors = ["c8t0d0s0"]\n',
     "setup.io_errors[0]: c8t0d0s0: disk c8t0d0 is not declared in [[disk]]"),
    (TWO_WAY + "[expect]\n", ""),   # an empty [expect] table is fine
    ('[scenario]\ndescription = """two\nlines"""\n', "scenario.description: must be one line"),
    ("[host]\nhostname = 'a b'\n", "host.hostname: not a host name (got 'a b')"),
    ('[[disk]]\nname = "c1t0d0"\nsize = "1GB"\nslices = { "0" = "2GB" }\n',
     "disk[0].slices.0: slice is larger than the disk"),
    ('[[disk]]\nname = "c1t0d0"\nsize = "1GB"\nslices = { "8" = "2MB" }\n',
     "disk[0].slices.8: slice numbers are 0 to 7"),
    ('[[disk]]\nname = "sda"\nsize = "1GB"\n',
     "disk[0].name: not a disk name like c1t0d0 (got 'sda')"),
    ("[disk]\nname = 'c1t0d0'\n", "disk: must be an array of tables: write [[disk]], not [disk]"),
])
def test_validation_messages(text: str, message: str) -> None:
    if not message:
        parse_scenario(text, source="scenarios/x.toml")
        return
    expect_error(text, message)


def test_toml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario('[host]\nhostname = "host1\n', source="bad.toml")
    text = str(info.value)
    assert text.startswith("bad.toml: TOML syntax error: ") and "line 2" in text
    assert "column" in text


@pytest.mark.parametrize("extra,message", [
    ('[[softpart]]\nname = "d80"\ncomponent = "d0"\nsize = "40GB"\n',
     "softpart[0]: d80: "),
    ('[[replica]]\ndevice = "c1t0d0s7"\nlength = "64MB"\n',
     "replica[1]: c1t0d0s7: "),
    ('[[hsp]]\nname = "hsp001"\nspares = ["c2t0d0s0"]\n',
     "stripe[1]: c2t0d0s0: "),
])
def test_model_refusals_name_the_table(extra: str, message: str) -> None:
    """The model's own text (its business) after the table and the object named."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TWO_WAY + extra, source="x.toml").build_host()
    assert str(info.value).startswith(f"x.toml: {message}")
    assert "\n" not in str(info.value)


def test_setup_command_failure_names_command_and_stderr() -> None:
    expect_error(TWO_WAY + '[setup]\ncommands = ["nosuchcmd -x"]\n',
                 "setup.commands[0]: 'nosuchcmd -x' failed (exit 127): nosuchcmd: not found")


def test_setup_steps_apply_in_order() -> None:
    sc = parse_scenario(TWO_WAY + '[[setup]]\nio_errors = ["c2t0d0s0"]\nadvance = "1m"\n'
                        '[[setup]]\nio_errors = ["c1t0d0s0"]\n')
    assert [s.advance for s in sc.setup] == [60.0, 0.0]
    host = sc.build_host()
    assert comp(host, "d20").state == CompState.ERRED
    assert comp(host, "d10").state == CompState.LAST_ERRED


def test_failed_disk_errs_components_and_replicas() -> None:
    text = TWO_WAY.replace('name = "c2t0d0"\nsize = "36GB"',
                           'name = "c2t0d0"\nsize = "36GB"\nfailed = true')
    text += '[[replica]]\ndevice = "c2t0d0s7"\n'
    host = parse_scenario(text).build_host()
    assert host.disks["c2t0d0"].failed
    assert comp(host, "d20").state == CompState.ERRED
    bad = [r for r in host.md.sets[""].replicas if r.device == "c2t0d0s7"]
    assert bad and all("W" in r.flags for r in bad)


def test_host_settings_and_layout() -> None:
    text = BASE.replace('hostname = "host1"', 'hostname = "host1"\ntimezone = "Europe/Berlin"\n'
                        'start = "2026-07-01T12:00:00"\nresync_rate = "10MB/s"')
    text = text.replace('name = "c2t0d0"\nsize = "36GB"',
                        'name = "c2t0d0"\nsize = "36GB"\nslices = { "0" = "10GB", "6" = "1GB" }')
    host = parse_scenario(text).build_host()
    assert host.clock.timezone == "Europe/Berlin"
    assert host.clock.now == 1782900000.0       # 10:00 UTC (CEST is UTC+2)
    assert host.md.resync_rate == 20480
    sl = host.disks["c2t0d0"].slices
    assert (sl[0].size, sl[6].size, sl[6].start, sl[2].size) == \
        (10 * 2**21, 2**21, 10 * 2**21, 36 * 2**21)


def test_stripe_interlace_concat_softparts_and_hsp() -> None:
    text = BASE + """
[[hsp]]
name = "hsp001"
spares = ["c0t0d0s0"]
[[stripe]]
name = "d30"
rows = [["c1t0d0s0", "c2t0d0s0"]]
interlace = "32k"
hsp = "hsp001"
[[softpart]]
name = "d80"
component = "d30"
size = "1GB"
[[softpart]]
name = "d81"
component = "d30"
size = "1GB"
"""
    sc = parse_scenario(text)
    host = sc.build_host()
    s = host.md.sets[""]
    st = s.units["d30"]
    assert isinstance(st, Stripe) and st.rows[0].interlace == 64 and st.hsp == "hsp001"
    assert s.units["d80"].size == 2**21 and s.units["d81"].size == 2**21
    assert "hsp001" in s.hsps


def test_filesystems_and_tapes_are_built_on_the_host() -> None:
    text = TWO_WAY + """
[[filesystem]]
mount = "/export/home"
device = "/dev/md/dsk/d0"
size = "20GB"
files = 10
logging = false
[filesystem.workload]
writes_per_second = 2.5
paths = ["home/**"]
[[tape]]
device = "/dev/rmt/1"
capacity = "20GB"
rate = "30MB/s"
"""
    host = parse_scenario(text).build_host()
    fs = host.fs.filesystems["/export/home"]
    assert (fs.device, fs.logging, fs.mounted) == ("/dev/md/dsk/d0", False, True)
    assert fs.workload is not None and fs.workload.writes_per_second == 2.5
    tape = host.backups.tape("/dev/rmt/1")
    assert tape.capacity == 20 * 2**21
    expect_error(text.replace('size = "20GB"\nfiles', 'size = "40GB"\nfiles'),
                 "filesystem[0].size: 83886080 blocks of data do not fit on /dev/md/dsk/d0 "
                 "(75431936 blocks)")


def test_expect_is_typed_and_faults_are_refused() -> None:
    sc = parse_scenario(TWO_WAY + '[expect]\nbackup = false\ndriver_exit = "nonzero"\n')
    assert sc.expect.to_dict() == {"backup": False, "driver_exit": "nonzero"}
    assert (sc.expect.backup, sc.expect.driver_exit, sc.expect.min_okay_submirrors) == \
        (False, "nonzero", 1)
    expect_error(TWO_WAY + '[[fault]]\nkind = "disk-fail"\nat = "5m"\ndisk = "c1t0d0"\n',
                 "fault[0]: disk-fail has no parameter 'at' (its parameters: duration)")


def test_load_scenario_by_name_path_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "mine.toml"
    p.write_text(TWO_WAY)
    sc = load_scenario(str(p))
    assert sc.name == "mine" and sc.source == str(p)
    assert build_host(str(p)).hostname == "host1"
    with pytest.raises(ScenarioError, match=r"unknown scenario 'seed-exampel' \(did you mean "
                       r"'seed-example'\?"):
        load_scenario("seed-exampel")
    with pytest.raises(ScenarioError, match="cannot read scenario: No such file or directory"):
        load_scenario(str(tmp_path / "none.toml"))


def test_shipped_expectations_are_valid_for_the_harness() -> None:
    checks = pytest.importorskip("simulator.session.checks")
    for name in shipped_scenarios():
        exp = checks.Expectations.from_dict(load_scenario(name).expect)
        if name in ("maintenance", "last-erred"):
            assert exp.backup is False and exp.driver_exit == "nonzero"
