"""Where faults enter: ``svmsim fault add|list|clear|kinds``, ``svmsim reboot``, ``svmsim
exec`` when a fault takes the host down, ``svmsim run --fault``, a scenario's ``[[fault]]``
(unknown kinds and keys: one line, exit 2), ``HarnessRun(faults=...)`` and the pytest
plugin's ``svm_faults`` marker / ``svm_host.fault``. Listing and clearing follow zinject(1M)
(usr/src/cmd/zinject/zinject.c: numbered handlers, ``-c ID|all``, "No handlers
registered.")."""

from __future__ import annotations

import subprocess

import pytest

from simulator.cli import main
from simulator.faults import FaultPlan
from simulator.harness.runner import HarnessRun
from simulator.scenario import ScenarioError, load_scenario, parse_scenario
from simulator.state_store import StateStore
from simulator.sunos.syslog import messages_text

pytest_plugins = ["pytester"]


@pytest.fixture
def state(tmp_path):
    d = str(tmp_path / "st")
    assert main(["init", "--scenario", "seed-example", "--state", d, "-q"]) == 0
    return d


def test_add_list_clear(state, capsys):
    assert main(["fault", "list", "--state", state]) == 0
    assert capsys.readouterr().out == "No handlers registered.\n"
    assert main(["fault", "add", "--state", state, "component-error:c2t0d0s0@after:metadetach",
                 "panic@before:ufsdump"]) == 0
    assert "Added handler 2" in capsys.readouterr().out
    assert main(["fault", "list", "--state", state]) == 0
    assert capsys.readouterr().out == (
        "ID  KIND             TARGET    TRIGGER           STATE\n"
        "--  ---------------  --------  ----------------  -----\n"
        " 1  component-error  c2t0d0s0  after:metadetach  armed\n"
        " 2  panic            -         before:ufsdump    armed\n")
    assert main(["fault", "clear", "--state", state, "2"]) == 0
    assert capsys.readouterr().out == "removed handler 2\n"
    assert main(["fault", "clear", "--state", state, "2"]) == 2
    assert capsys.readouterr().err == "svmsim fault clear: no fault handler 2\n"


def test_plan_survives_in_the_state_dir(state, capsys):
    """A fault armed by `fault add` fires in a later `svmsim exec` (the plan is saved)."""
    main(["fault", "add", "--state", state, "component-error:c1t0d0s0@after:metadetach"])
    assert main(["exec", "--state", state, "--", "metadetach", "d1", "d3"]) == 0
    host = StateStore(state).load()
    assert isinstance(host.faults, FaultPlan) and host.faults.log[0].event == "fired"
    assert "WARNING: md: d2: c1t0d0s0 needs maintenance" in messages_text(host)


def test_exec_dies_with_the_host(state, capsys):
    """A panic under `svmsim exec`: one line, exit 137 (killed), and the saved host has
    booted (savecore's line in messages, locks gone)."""
    main(["exec", "--state", state, "--", "lockfs", "-w", "/home1"])
    main(["fault", "add", "--state", state, "panic@before:metadetach"])
    capsys.readouterr()
    assert main(["exec", "--state", state, "--", "metadetach", "d1", "d3"]) == 137
    assert capsys.readouterr().err == ("svmsim: host panicked: forced crash dump initiated at "
                                       "user request (the command died with it)\n")
    host = StateStore(state).load()
    assert "reboot after panic" in messages_text(host)
    assert host.fs.filesystems["/home1"].lock == "unlock"


def test_reboot_command(state):
    """`svmsim reboot`: init 6 (syslogd.c "going down on signal 15"), locks drop."""
    main(["exec", "--state", state, "--", "lockfs", "-w", "/home1"])
    assert main(["reboot", "--state", state]) == 0
    host = StateStore(state).load()
    assert host.fs.filesystems["/home1"].lock == "unlock"
    assert "syslogd: going down on signal 15" in messages_text(host)


@pytest.mark.parametrize("spec,err", [
    ("nope", "svmsim fault add: fault 'nope': unknown fault kind 'nope'"),
    ("component-error:c9t9d9s0", "svmsim fault add: fault 'component-error:c9t9d9s0': no "
                                 "component c9t9d9s0 on this host"),
])
def test_add_refusals_one_line(state, capsys, spec, err):
    assert main(["fault", "add", "--state", state, spec]) == 2
    out = capsys.readouterr().err
    assert out.startswith(err) and out.count("\n") == 1


def test_kinds_listed(capsys):
    assert main(["fault", "kinds"]) == 0
    out = capsys.readouterr().out
    assert "component-error" in out and "panic" in out and "clock-jump" in out


SCENARIO = """
[host]
hostname = "h"
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
[[stripe]]
name = "d11"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d12"
rows = [["c2t0d0s0"]]
[[mirror]]
name = "d1"
submirrors = ["d11", "d12"]
"""


def test_scenario_fault_table_armed():
    sc = parse_scenario(SCENARIO + '[[fault]]\nkind = "component-error"\ntarget = "c2t0d0s0"\n'
                        'op = "read"\ntrigger = "after:metastat"\n', source="f.toml")
    host = sc.build_host()
    assert isinstance(host.faults, FaultPlan)
    assert host.faults.entries()[0].fault.params == {"op": "read"}
    host.run("metastat d1")
    assert "Maintenance" in host.run("metastat d1").stdout


@pytest.mark.parametrize("table,message", [
    ('kind = "nope"', "f.toml: fault[0].kind: unknown fault kind 'nope'"),
    ('kind = "panic"\ncolour = "red"', "f.toml: fault[0]: panic has no parameter 'colour' "
                                     "(it has none)"),
    ('kind = "panic"\ntrigger = "later"', "f.toml: fault[0].trigger: bad trigger 'later'"),
])
def test_scenario_fault_errors_one_line(table, message):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(SCENARIO + "[[fault]]\n" + table + "\n", source="f.toml")
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_scenario_fault_unknown_target_at_build():
    sc = parse_scenario(SCENARIO + '[[fault]]\nkind = "disk-fail"\ntarget = "c7t0d0"\n',
                        source="f.toml")
    with pytest.raises(ScenarioError, match="^f.toml: fault: .*no disk c7t0d0 on this host"):
        sc.build_host()


def test_harness_run_appends_faults():
    run = HarnessRun(load_scenario("seed-example"), ["true"],
                     faults=["component-error:c2t0d0s0", "panic@before:ufsdump"])
    assert [a.fault.kind for a in run.host.faults.entries()] == ["component-error", "panic"]
    assert run.scenario.source.endswith("seed-example.toml")


def test_run_fault_bad_spec_exits_2():
    r = subprocess.run(["python", "-m", "simulator.cli", "run", "--scenario", "seed-example",
                        "--fault", "nope", "--", "true"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "argument --fault: fault 'nope': unknown fault kind 'nope'" in r.stderr


def test_plugin_marker_and_method(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import subprocess
        import pytest
        from simulator.core.errors import HostPanic

        @pytest.mark.svm_faults("component-error:c1t0d0s0@after:metadetach")
        def test_marker(svm_host):
            subprocess.run(["/usr/sbin/metadetach", "d1", "d3"], check=True)
            out = subprocess.run(["/usr/sbin/metastat", "d1"], capture_output=True,
                                 text=True).stdout
            assert "Maintenance" in out

        def test_method(svm_host):
            svm_host.fault("panic@before:metadetach")
            with pytest.raises(HostPanic):
                subprocess.run(["/usr/sbin/metadetach", "d1", "d3"])
            assert svm_host.verdict(None).outcome == "crashed"
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
