"""The svmsim CLI: init/exec/state/advance/scenarios, as a process and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from simulator import cli
from simulator.core.registry import PROGRAMS, Program
from simulator.scenario import shipped_scenarios
from simulator.state_store import StateStore

REPO = Path(__file__).resolve().parent.parent

SCENARIO = """
[scenario]
description = "test host"
[host]
hostname = "host1"
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

# A fake command, so these tests do not depend on the real ones being written elsewhere.
FAKE_MODULE = textwrap.dedent("""
    import sys
    from simulator.host import HostHung

    def main(inv):
        what = inv.args[0] if inv.args else ""
        if what == "readone":
            line = inv.readline()
            inv.out(f"got {line}")
            return 0
        if what == "bytes":
            inv.stdout.write(b"\\xff\\x00raw")
            inv.err("to stderr")
            return 3
        if what == "log":
            inv.host.md.log(" ".join(inv.args[1:]) + f" uid={inv.uid}")
            return 0
        if what == "hang":
            inv.host.hang("root file system write-locked")
            raise HostHung(inv.host.hung_reason)
        if what == "crash":
            raise RuntimeError("bug")
        return 0

    def usage(inv):
        return 1
""")


def install_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType("svmsim_test_fake")
    exec(FAKE_MODULE, mod.__dict__)
    monkeypatch.setitem(sys.modules, "svmsim_test_fake", mod)
    monkeypatch.setitem(PROGRAMS, "fakecmd", Program("fakecmd", "svmsim_test_fake", ()))


@pytest.fixture
def state(tmp_path: Path) -> Path:
    scen = tmp_path / "t.toml"
    scen.write_text(SCENARIO)
    st = tmp_path / "state"
    assert cli.main(["init", "-q", "--scenario", str(scen), "--state", str(st)]) == 0
    return st


def test_init_builds_and_replaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scen = tmp_path / "t.toml"
    scen.write_text(SCENARIO)
    st = tmp_path / "a" / "state"
    assert cli.main(["init", "--scenario", str(scen), "--state", str(st)]) == 0
    assert capsys.readouterr() == (f"svmsim: {st}: host host1 from scenario t\n", "")
    assert StateStore(st).load().md.sets[""].units["d0"].kind == "mirror"
    scen.write_text(SCENARIO.replace('"host1"', '"other"'))
    assert cli.main(["init", "-q", "--scenario", str(scen), "--state", str(st)]) == 0
    assert capsys.readouterr() == ("", "")
    assert StateStore(st).load().hostname == "other"


def run(args: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, bytes, bytes]:
    code = cli.main(args)
    out, err = capsysbinary.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------- in-process
def test_scenarios_lists_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == list(shipped_scenarios())
    assert all(len(line.split(None, 1)) == 2 for line in lines)   # each has a description
    assert "invalid" not in "".join(lines)
    assert cli.main(["scenarios", "--names"]) == 0
    assert capsys.readouterr().out.split() == names


def test_exec_passes_bytes_stderr_and_exit_code(state: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsysbinary: pytest.CaptureFixture[bytes]
                                                ) -> None:
    install_fake(monkeypatch)
    assert run(["exec", "--state", str(state), "--", "fakecmd", "bytes"], capsysbinary) == \
        (3, b"\xff\x00raw", b"to stderr\n")
    assert run(["exec", "--state", str(state), "--", "/usr/sbin/nosuch"], capsysbinary) == \
        (127, b"", b"nosuch: not found\n")


def test_exec_saves_changes_and_uses_uid(state: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    install_fake(monkeypatch)
    before = StateStore(state).load().clock.now
    assert run(["exec", "--state", str(state), "fakecmd", "log", "one"], capsysbinary)[0] == 0
    assert run(["exec", "--state", str(state), "--uid", "100", "--", "fakecmd", "log", "two"],
               capsysbinary)[0] == 0
    host = StateStore(state).load()
    assert [e.text for e in host.md.events] == ["one uid=0", "two uid=100"]
    assert host.clock.now > before                # each command costs virtual time


def test_exec_on_hung_host_exits_124(state: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    install_fake(monkeypatch)
    assert run(["exec", "--state", str(state), "--", "fakecmd", "hang"], capsysbinary) == \
        (124, b"", b"svmsim: host hung: root file system write-locked\n")
    assert StateStore(state).load().hung_reason == "root file system write-locked"
    assert run(["exec", "--state", str(state), "--", "fakecmd", "log", "x"], capsysbinary) == \
        (124, b"", b"svmsim: host hung: root file system write-locked\n")
    assert StateStore(state).load().md.events == []


def test_exec_internal_error_is_one_line(state: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    install_fake(monkeypatch)
    code, out, err = run(["exec", "--state", str(state), "--", "fakecmd", "crash"],
                         capsysbinary)
    assert code == 70 and out == b""
    assert err == b"fakecmd: svmsim internal error: RuntimeError: bug\n"


def test_state_and_advance(state: Path, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main(["state", "--state", str(state)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == StateStore(state).snapshot() and data["hostname"] == "host1"
    assert cli.main(["advance", "--state", str(state), "1h30m"]) == 0
    assert StateStore(state).load().clock.now == data["clock"]["now"] + 5400
    monkeypatch.setenv("SVMSIM_STATE", str(state))          # --state from the environment
    assert cli.main(["advance", "90"]) == 0
    assert StateStore(state).load().clock.now == data["clock"]["now"] + 5490
    assert cli.main(["state", "--compact"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


@pytest.mark.parametrize("args,message", [
    (["exec", "--state", "{missing}", "--", "metastat"], "svmsim: {missing}: no such state "
     "directory (create it with 'svmsim init --scenario NAME --state DIR')\n"),
    (["state", "--state", "{empty}"], "svmsim: {empty}: no svmsim state here (no state.json; "
     "create it with 'svmsim init --scenario NAME --state DIR')\n"),
    (["exec", "--state", "{state}"], "svmsim exec: no command given (usage: svmsim exec "
     "--state DIR -- CMD [ARGS...])\n"),
    (["exec", "--", "metastat"], "svmsim exec: no state directory (give --state DIR or set "
     "SVMSIM_STATE)\n"),
    (["advance", "--state", "{state}", "soon"], "svmsim advance: not a duration: 'soon' "
     "(expected e.g. '30s', '5m', '2h', '1h30m' or a number of seconds)\n"),
    (["init", "--scenario", "no-such", "--state", "{empty}"], "svmsim: unknown scenario "
     "'no-such' (shipped: " + ", ".join(shipped_scenarios()) + ")\n"),
    (["init", "--scenario", "{bad}", "--state", "{empty}"],
     "svmsim: {bad}: mirror[0].read: must be one of roundrobin, geometric, first (got 'fast')\n"),
])
def test_errors_are_one_line_exit_2(args: list[str], message: str, state: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SVMSIM_STATE", raising=False)
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO + 'read = "fast"\n')
    (tmp_path / "empty").mkdir()
    names = {"missing": str(tmp_path / "missing"), "empty": str(tmp_path / "empty"),
             "state": str(state), "bad": str(bad)}
    assert cli.main([a.format(**names) for a in args]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", message.format(**names))


def test_corrupt_state_exit_2(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (state / "state.json").write_text('{"hostname": "host1", "md": ')
    assert cli.main(["exec", "--state", str(state), "--", "metastat"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"svmsim: {state}/state.json: corrupt state (not JSON: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("args", [[], ["bogus"], ["init", "--state", "x"], ["exec", "--uid",
                                  "-1", "--", "metastat"], ["advance", "--state", "x"],
                                  ["scenarios", "--frobnicate"]])
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "usage: svmsim" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--help"], ["scenarios", "-h"], ["init", "--help"],
                                  ["exec", "--help"], ["state", "--help"],
                                  ["advance", "--help"]])
def test_help_everywhere(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args) == 0
    assert capsys.readouterr().out.startswith("usage: svmsim")


def test_unexpected_failure_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    def boom(args: Any) -> int:
        raise KeyError("oops")
    monkeypatch.setattr(cli, "cmd_scenarios", boom)
    assert cli.main(["scenarios"]) == 70
    assert capsys.readouterr().err == "svmsim: internal error: KeyError: 'oops'\n"


# ---------------------------------------------------------------------------- as a process
RUNNER = textwrap.dedent("""
    import sys, types
    mod = types.ModuleType("svmsim_test_fake")
    exec(open(sys.argv.pop(1)).read(), mod.__dict__)
    sys.modules["svmsim_test_fake"] = mod
    from simulator.core.registry import PROGRAMS, Program
    PROGRAMS["fakecmd"] = Program("fakecmd", "svmsim_test_fake", ())
    from simulator.cli import main
    sys.exit(main())
""")


@pytest.fixture
def runner(tmp_path: Path) -> str:
    """A shell word running svmsim with the fake command installed."""
    (tmp_path / "fake.py").write_text(FAKE_MODULE)
    (tmp_path / "runner.py").write_text(RUNNER)
    return f"{sys.executable} {tmp_path / 'runner.py'} {tmp_path / 'fake.py'}"


def sh(script: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(["sh", "-c", script], capture_output=True, env=env, timeout=60)


def test_process_stdin_is_read_lazily_and_exactly(state: Path, runner: str) -> None:
    r = sh(f"printf 'a\\nb\\nc\\n' | {{ {runner} exec --state {state} -- fakecmd readone; "
           "echo rc=$?; cat; }")
    assert r.stdout == b"got a\nrc=0\nb\nc\n" and r.stderr == b""
    # a command that never reads stdin leaves a while-read loop its input
    r = sh(f"printf '1\\n2\\n' | while read x; do {runner} exec --state {state} -- "
           "fakecmd log loop </dev/stdin; echo x=$x; done")
    assert r.stdout == b"x=1\nx=2\n"


def test_process_bytes_exit_and_hang(state: Path, runner: str) -> None:
    r = sh(f"{runner} exec --state {state} -- fakecmd bytes")
    assert (r.returncode, r.stdout, r.stderr) == (3, b"\xff\x00raw", b"to stderr\n")
    r = sh(f"{runner} exec --state {state} -- fakecmd hang")
    assert (r.returncode, r.stdout, r.stderr) == \
        (124, b"", b"svmsim: host hung: root file system write-locked\n")


def test_process_errors_have_no_traceback(tmp_path: Path) -> None:
    r = sh(f"{sys.executable} -m simulator.cli exec --state {tmp_path}/none -- metastat d1")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.count(b"\n") == 1 and b"Traceback" not in r.stderr
    r = sh(f"{sys.executable} -m simulator.cli --version")
    assert r.returncode == 0 and r.stdout.startswith(b"svmsim ")
