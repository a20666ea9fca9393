"""The scenario tables without pydantic (simulator.core.table): the same first error in the
same words as the pydantic models gave, the Fault's saved form, and a run that never imports
pydantic (issue 17: its import and validator build were ~1/5 of a run)."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from simulator.faults.spec import FaultError, make_fault, parse_fault
from simulator.scenario import (
    DiskSpec,
    Expect,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)
from simulator.scenario.schema import validate_document

REPO = Path(__file__).resolve().parents[2]
# Mutated shipped scenarios and the message each got from the pydantic models (recorded at
# 6e293f2 by validating each document with them: one case per kind of message and key).
CASES = json.loads((Path(__file__).parent / "pydantic_messages.json").read_text())


def _apply(doc: dict[str, Any], ops: list[list[Any]]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for op, path, value in ops:
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        if op == "set":
            parent[path[-1]] = copy.deepcopy(value)
        else:
            del parent[path[-1]]
    return doc


def test_every_recorded_message_is_the_same() -> None:
    assert len(CASES) > 300
    docs = {name: tomllib.loads(path.read_text(encoding="utf-8"))
            for name, path in shipped_scenarios().items()}
    wrong = []
    for case in CASES:
        doc = _apply(docs[case["scenario"]], case["ops"])
        try:
            validate_document(doc, "x.toml")
            got = "(no error)"
        except ScenarioError as e:
            got = str(e)
        if got != case["message"]:
            wrong.append((case, got))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("text,message", [
    # a field's problem comes before an unknown key beside it, whatever the file's order
    ('[[disk]]\nbogus = 1\nname = "c1t0d0"\nsize = "x"\n',
     "disk[0].size: not a size: 'x' (expected e.g. '36GB', '512k', '2TB', '32b' or a number "
     "of blocks)"),
    # an unknown top-level table comes before everything
    ('[[disk]]\nname = "c1t0d0"\nsize = "x"\n[zzz]\n', "zzz: unknown table (known: "
     "scenario, host, disk, replica, hsp, stripe, mirror, softpart, filesystem, tape, "
     "database, setup, fault, expect, reference_driver)"),
    # the tables in the models' order ([host] before [[disk]]), not the file's
    ('[[disk]]\nname = "c1"\nsize = 1\n[host]\nhostname = "-x"\n',
     "host.hostname: not a host name (got '-x')"),
    # a table's own check only when its keys are sound
    ('[[disk]]\nname = "c1t0d0"\nsize = 100\nheads = 2\nnope = 1\n',
     "disk[0].nope: unknown key (known: cylinder, devid, failed, heads, name, sectors, size, "
     "slices, starts)"),
    ('[[disk]]\nname = "c1t0d0"\nsize = 100\nheads = 2\n',
     "disk[0].sectors: heads and sectors go together (or give cylinder)"),
    # no coercion: a bool is not an integer, an integer is a number
    ('[[replica]]\ndevice = "c0t0d0s7"\ncount = true\n',
     "replica[0].count: must be an integer (got a boolean)"),
    ('[[fault]]\nkind = "panic"\nnote = [1]\n',
     "fault[0].params.note.str: must be a string (got an array)"),
    ('[[fault]]\ntarget = "x"\n', "fault[0].kind: missing (required)"),
    ("[reference_driver]\nargs = []\n",
     "reference_driver.args: List should have at least 1 item after validation, not 0"),
])
def test_which_problem_comes_first(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="x.toml")
    assert str(info.value) == f"x.toml: {message}"


def test_values_defaults_and_what_the_file_set() -> None:
    sc = parse_scenario('[[disk]]\nname = "c1t0d0"\nsize = "1GB"\n[expect]\noutcome = '
                        '["backed-up"]\n[[mirror]]\nname = "d1"\nsubmirrors = ["d2"]\n'
                        '[[replica]]\ndevice = "c1t0d0s7"\n'
                        '[[stripe]]\nname = "d2"\nrows = [["/dev/dsk/c1t0d0s0"]]\n'
                        '[[setup]]\nadvance = "5m"\n', default_name="t")
    assert (sc.name, sc.disks[0].size, sc.setup[0].advance) == ("t", 2097152, 300.0)
    assert sc.stripes[0].rows == [["c1t0d0s0"]] and sc.mirrors[0].pass_num == 1
    assert (sc.expect.backup, sc.expect.driver_exit) == (True, "zero")
    assert sc.expect.to_dict() == {"outcome": ["backed-up"]}
    again = parse_scenario(sc.to_toml())
    assert again.model_dump() == sc.model_dump() and again == again.model_copy()
    doc = sc.model_dump(exclude_none=True)
    assert Scenario.model_validate(doc).model_dump() == sc.model_dump()
    with pytest.raises(ValueError, match=r"^size: Field required$"):
        DiskSpec(name="c1t0d0")
    with pytest.raises(ValueError, match=r"^expect\.hang: Input should be a valid boolean$"):
        Expect.from_dict({"hang": 1})


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_faults_load_from_their_saved_form(name: str) -> None:
    """A state directory keeps ``model_dump()``; ``make_fault`` reads it back the same."""
    for f in load_scenario(name).faults:
        saved = json.loads(json.dumps(f.model_dump()))
        assert make_fault(saved) == f and parse_fault(str(f)) == f
        assert pickle.loads(pickle.dumps(f)) == f


def test_fault_messages() -> None:
    f = parse_fault("component-error:c1t0d0s0,op=write,duration=5m@io:3")
    assert f.model_dump() == {"kind": "component-error", "target": "c1t0d0s0",
                              "trigger": "io:3", "duration": 300.0, "params": {"op": "write"}}
    assert f.model_copy(update={"target": "c2t0d0s0"}).target == "c2t0d0s0"
    for spec, message in [
        ("panik", "fault 'panik': unknown fault kind 'panik' (did you mean 'panic'? svmsim "
                  "fault kinds lists them)"),
        ("panic,duration=5m", "fault 'panic,duration=5m': panic cannot be transient (no "
                              "duration=)"),
        ("panic@io:3", "fault 'panic@io:3': panic: io: counts I/O to a component or disk; "
                       "its target is a host"),
    ]:
        with pytest.raises(FaultError) as info:
            parse_fault(spec)
        assert str(info.value) == message
    with pytest.raises(FaultError, match="^Field required$"):
        make_fault({"target": "x"})


def test_a_run_does_not_import_pydantic() -> None:
    code = ("import sys, simulator.harness.runner\n"
            "from simulator.scenario import load_scenario\n"
            "sc = load_scenario('seed-example'); sc.build_host()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pydantic', 'pydantic_core', 'msgspec')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout
    assert out.strip() == "[]"
