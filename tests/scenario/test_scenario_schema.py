"""The typed scenario format: [expect] and [[fault]] at load, one-line messages for pydantic's
errors, the shipped JSON Schema, and Scenario.to_toml() round trips."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from simulator.scenario import (
    Expect,
    Scenario,
    ScenarioError,
    WorkloadSpec,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)
from simulator.scenario.schema import SCHEMA_FILE, TOP_KEYS, json_schema_text, to_toml

BASE = """
[[disk]]
name = "c0t0d0"
size = "36GB"
[[disk]]
name = "c1t0d0"
size = "36GB"
[[replica]]
device = "c0t0d0s7"
count = 3
[[stripe]]
name = "d10"
rows = [["c1t0d0s0"]]
[[mirror]]
name = "d0"
submirrors = ["d10"]
"""


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="x.toml")
    assert "\n" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("table,message", [
    ("[expect]\nbakup = true\n", "expect.bakup: unknown key (did you mean 'backup'?)"),
    ("[expect]\ndriver_exit = 'sometimes'\n",
     "expect.driver_exit: must be \"zero\", \"nonzero\" or an exit status (got 'sometimes')"),
    ("[expect]\ndriver_exit = 256\n", "expect.driver_exit: must be from 0 to 255 (got 256)"),
    ("[expect]\nbackup = 'yes'\n", "expect.backup: must be true or false (got 'yes')"),
    ("[expect]\nmay_stay_detached = 'd10'\n",
     "expect.may_stay_detached: must be a list of strings (got a string)"),
    ("[expect]\nmin_okay_submirrors = -1\n",
     "expect.min_okay_submirrors: must be from 0 to 4 (got -1)"),
    ("[expect]\nhang = 1\n", "expect.hang: must be true or false (got 1)"),
    ("expect = 5\n", "expect: must be a table (got an integer)"),
])
def test_a_typo_in_expect_fails_at_load(table: str, message: str) -> None:
    assert error_of(table + BASE) == f"x.toml: {message}"


def test_expect_reads_as_the_harness_reads_it() -> None:
    checks = pytest.importorskip("simulator.session.checks")
    sc = parse_scenario(BASE + "[expect]\ndriver_exit = 3\nmay_stay_detached = ['d10']\n")
    assert sc.expect.to_dict() == {"driver_exit": 3, "may_stay_detached": ["d10"]}
    exp = checks.Expectations.from_dict(sc.expect.to_dict())
    assert (exp.driver_exit, exp.may_stay_detached, exp.min_okay_submirrors) == (3, ["d10"], 1)
    assert checks.Expectations.from_dict(sc.expect) is sc.expect   # the one class
    assert checks.Expectations is Expect
    with pytest.raises(ValueError, match="expect.bakup"):
        Expect.from_dict({"bakup": True})
    assert parse_scenario(BASE).expect.to_dict() == {}


@pytest.mark.parametrize("text,message", [
    ("[[fault]]\nkind = 'disk-fial'\n", "fault[0].kind: unknown fault kind 'disk-fial' (did "
     "you mean 'disk-fail'? svmsim fault kinds lists them)"),
    ("[[fault]]\n", "fault[0].kind: missing (required)"),
    ("[[fault]]\nkind = 'panic'\ntrigger = 'ufsdump:101%'\n",
     "fault[0].trigger: bad trigger 'ufsdump:101%': ufsdump: needs a percentage 0-100%"),
    ("[[faults]]\nkind = 'x'\n", "faults: unknown table (did you mean 'fault'?)"),
    ("zzz = 3\n", "zzz: unknown table (known: " + ", ".join(TOP_KEYS) + ")"),
    ("[host]\nhostnme = 'h'\n", "host.hostnme: unknown key (did you mean 'hostname'?)"),
    ("[host]\nzz = 1\n", "host.zz: unknown key (known: boot_script, hostname, release, "
     "resync_rate, start, timezone)"),
    ("[host]\nstart = true\n", "host.start: must be an ISO-8601 date-time (got a boolean)"),
    ("[host]\nresync_rate = '0/s'\n", "host.resync_rate: must be more than 0 (got '0/s')"),
    ("[scenario]\nversion = 2\n", "scenario.version: must be from 1 to 1 (got 2)"),
    ("[scenario]\nname = 5\n", "scenario.name: must be a string (got an integer)"),
    ("scenario = 5\n", "scenario: must be a table (got an integer)"),
    ("disk = 3\n", "disk: must be an array of tables (got an integer)"),
    ("disk = [3]\n", "disk[0]: must be a table (got an integer)"),
    ("[[disk]]\nname = 'c1t0d0'\n", "disk[0].size: missing (required)"),
    ("[[disk]]\nname = 'c1t0d0'\nsize = 0\n", "disk[0].size: must be at least 1 block (got 0)"),
    ("[[disk]]\nname = 'c1t0d0'\nsize = '1g'\nslices = {}\n",
     "disk[0].slices: must name at least one slice"),
    ("[[disk]]\nname = 'c1t0d0'\nsize = '1g'\nslices = { 0 = '600m', 1 = '600m' }\n",
     "disk[0].slices: slices add up to 2457600 blocks, more than the disk's 2097152"),
    ("[[replica]]\ndevice = '/dev/did/dsk/d1s7'\n",
     "replica[0].device: not a slice like c0t0d0s7 (got '/dev/did/dsk/d1s7')"),
    ("[[replica]]\ndevice = 'c0t0d0s7'\ncount = 51\n",
     "replica[0].count: must be from 1 to 50 (got 51)"),
    ("[[hsp]]\nname = 'blue/hsp001'\n",
     "hsp[0].name: not a pool name like hsp001 (got 'blue/hsp001')"),
    ("[[mirror]]\nname = 'blue/d5'\nsubmirrors = ['d1']\n",
     "mirror[0].name: not a metadevice name like d10 (got 'blue/d5')"),
    ("[[mirror]]\nname = 'd9000'\nsubmirrors = ['d1']\n",
     "mirror[0].name: metadevice numbers go from d0 to d8191 (got 'd9000')"),
    ("[[mirror]]\nname = 'd5'\nsubmirrors = []\n", "mirror[0].submirrors: must not be empty"),
    ("[[mirror]]\nname = 'd5'\nsubmirrors = ['d1', 'd2', 'd3', 'd4', 'd6']\n",
     "mirror[0].submirrors: a mirror has at most 4 submirrors (got 5)"),
    ("[[mirror]]\nname = 'd5'\nsubmirrors = ['d1', 'd1']\n",
     "mirror[0].submirrors: names a submirror twice"),
    ("[[mirror]]\nname = 'd5'\nsubmirrors = ['d1', 5]\n",
     "mirror[0].submirrors[1]: must be a string (got an integer)"),
    ("[[mirror]]\nname = 'd5'\nsubmirrors = ['d1']\npass = true\n",
     "mirror[0].pass: must be an integer (got a boolean)"),
    ("[[stripe]]\nname = 'd5'\nrows = [['c1t0d0s1'], 'x']\n",
     "stripe[0].rows[1]: must be a non-empty list of components (got 'x')"),
    ("[[stripe]]\nname = 'd5'\nrows = [['c1t0d0s1']]\ninterlace = '1b'\n",
     "stripe[0].interlace: must be from 16 blocks (8k) to 100MB"),
    ("[[softpart]]\nname = 'd5'\ncomponent = '/dev/dsk/c1t0d0s9'\nsize = '1g'\n",
     "softpart[0].component: not a slice or metadevice (got 'c1t0d0s9')"),
    ("[[filesystem]]\nmount = '/a/'\ndevice = '/dev/md/dsk/d0'\n",
     "filesystem[0].mount: must not end with '/' (got '/a/')"),
    ("[[filesystem]]\nmount = '/a'\ndevice = '/dev/md/dsk/d0'\nfstype = 'zfs'\n",
     "filesystem[0].fstype: must be one of ufs (got 'zfs')"),
    ("[[filesystem]]\nmount = '/a'\ndevice = '/dev/md/dsk/d0'\n[filesystem.workload]\n"
     "writes_per_second = -1\n",
     "filesystem[0].workload.writes_per_second: must be a number >= 0 (got -1)"),
    ("[[filesystem]]\nmount = '/a'\ndevice = '/dev/md/dsk/d0'\n[filesystem.workload]\n"
     "write = 1\n", "filesystem[0].workload.write: unknown key (did you mean 'write_size'?)"),
    ("[[tape]]\ncapacity = '1g'\ncartridges = 0\n",
     "tape[0].cartridges: must be from 1 to 1000 (got 0)"),
    ("[setup]\ncommands = ['  ']\n", "setup.commands[0]: empty command"),
    ("[setup]\nio_erors = ['x']\n", "setup.io_erors: unknown key (did you mean 'io_errors'?)"),
    ("[[setup]]\nadvance = 1\n[[setup]]\nio_errors = ['x']\n",
     "setup[1].io_errors[0]: not a slice like c2t0d0s0 (got 'x')"),
    ("setup = 5\n", "setup: must be an array of tables (got an integer)"),
])
def test_messages_for_each_kind_of_problem(text: str, message: str) -> None:
    assert error_of(text) == f"x.toml: {message}"


def test_schema_hint_key_is_accepted() -> None:
    sc = parse_scenario('"$schema" = "./scenario.schema.json"\n' + BASE)
    assert sc.schema_url == "./scenario.schema.json" and sc.mirrors[0].name == "d0"


def test_spec_classes_build_from_python_with_the_same_checks() -> None:
    assert WorkloadSpec(writes_per_second=4.0).paths == ["**"]
    with pytest.raises(ValueError, match="must be a number >= 0"):
        WorkloadSpec(writes_per_second=-1.0)


# ---------------------------------------------------------------------------- JSON Schema
def test_shipped_json_schema_is_current() -> None:
    """Regenerate with: python -m simulator.scenario > simulator/scenario/scenario.schema.json"""
    import simulator.scenario as package
    shipped = Path(package.__file__).parent / SCHEMA_FILE
    assert shipped.read_text(encoding="utf-8") == json_schema_text(), \
        "stale: python -m simulator.scenario > simulator/scenario/scenario.schema.json"


def test_json_schema_knows_every_key_of_the_shipped_scenarios() -> None:
    schema = json.loads(json_schema_text())
    assert schema["$schema"].startswith("https://json-schema.org/")
    defs = schema["$defs"]
    assert schema["additionalProperties"] is False
    for path in shipped_scenarios().values():
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(doc) <= set(schema["properties"]), path
        for key in ("mirror", "stripe", "disk", "filesystem", "tape"):
            ref = schema["properties"][key]["items"]["$ref"].rsplit("/", 1)[-1]
            for table in doc.get(key, []):
                assert set(table) <= set(defs[ref]["properties"]), (path, key)
    assert defs["MirrorSpec"]["properties"]["read"]["enum"] == ["roundrobin", "geometric",
                                                                 "first"]


# ---------------------------------------------------------------------------- TOML out
@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_shipped_scenarios_round_trip_through_to_toml(name: str) -> None:
    sc = load_scenario(name)
    again = parse_scenario(sc.to_toml(), default_name="other")
    assert again.model_dump() == sc.model_dump()
    assert again.name == name


def test_to_toml_quotes_what_needs_quoting() -> None:
    text = to_toml({"$schema": "x", "scenario": {"description": 'a "b" \\ c\x7f'},
                    "disk": [{"name": "c1t0d0", "slices": {0: 5}}]})
    assert tomllib.loads(text) == {"$schema": "x", "scenario": {"description": 'a "b" \\ c\x7f'},
                                   "disk": [{"name": "c1t0d0", "slices": {"0": 5}}]}


def test_scenario_from_python_prints_as_a_file() -> None:
    sc = Scenario.model_validate(tomllib.loads(BASE))      # no [scenario] name given
    again = parse_scenario(sc.to_toml())
    assert again.model_dump(exclude={"meta"}) == sc.model_dump(exclude={"meta"})
    assert again.name == sc.name == "scenario"
