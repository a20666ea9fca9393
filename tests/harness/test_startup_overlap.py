"""What ``svmsim run`` does meanwhile (issue 17): the unshare probe started before the
simulator is imported (``sandbox.start_probe``), the warm-up thread that imports the fake
programs' modules and the report's while the driver runs (``runner.Warmup``), an inotify
instance closed in a thread of its own, and the script's garbage collector off except while
the driver runs. Each is a shortcut: these tests compare it with the plain path."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import simulator.harness.sandbox as sandbox_mod
from simulator.harness import runner
from simulator.harness.runner import HarnessRun, Warmup, named_programs
from simulator.scenario import load_scenario
from simulator.session.hostfiles import _Inotify
from simulator.session.verdict import as_dict

REPO = Path(__file__).resolve().parents[2]
DRIVER = REPO / "drivers" / "svm-online-backup.sh"


# ---------------------------------------------------------------------- the probe
def _probes(base: Path) -> list[str]:
    return sorted(p.name for p in base.iterdir() if p.name.startswith(".svmsim-probe-"))


def test_a_started_probe_gives_the_answer_a_plain_probe_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_mod, "_PROBE_CACHE", {})
    monkeypatch.setattr(sandbox_mod, "_PENDING", {})
    plain = sandbox_mod.probe_unshare(tmp_path)
    assert _probes(tmp_path) == []
    sandbox_mod._PROBE_CACHE.clear()
    sandbox_mod.start_probe(tmp_path)
    assert len(sandbox_mod._PENDING) == 1
    assert len(_probes(tmp_path)) == (1 if shutil_which_unshare() else 0)
    assert sandbox_mod.probe_unshare(tmp_path) == plain    # collected, not run again
    assert sandbox_mod._PENDING == {}
    assert _probes(tmp_path) == []                         # its directory removed


def test_a_probe_nobody_collects_is_ended_and_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not shutil_which_unshare():
        pytest.skip("no unshare(1) here")
    monkeypatch.setattr(sandbox_mod, "_PROBE_CACHE", {})
    monkeypatch.setattr(sandbox_mod, "_PENDING", {})
    sandbox_mod.start_probe(tmp_path)
    assert len(_probes(tmp_path)) == 1
    sandbox_mod._drop_pending()       # what the process does at exit
    assert sandbox_mod._PENDING == {}
    assert _probes(tmp_path) == []


def test_a_cli_process_leaves_no_probe_behind_on_a_scenario_error(tmp_path: Path) -> None:
    """The probe starts before the scenario is loaded; a bad scenario still exits 2 and
    leaves nothing in the scratch directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVMSIM_")}
    env["TMPDIR"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "--scenario",
                        "no-such-scenario", "--", "true"], env=env, capture_output=True,
                       text=True, cwd=REPO, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("svmsim run: ")
    assert _probes(tmp_path) == []


def shutil_which_unshare() -> bool:
    import shutil
    return shutil.which("unshare") is not None


# ---------------------------------------------------------------------- the warm-up
def test_named_programs_are_the_fake_programs_a_command_names(tmp_path: Path) -> None:
    script = tmp_path / "d.sh"
    script.write_text("#!/bin/sh\n/usr/sbin/metastat -p d1\nlockfs -w /home1  # ufsdump\n"
                      "echo metastatx notaprogram\n")
    mods = named_programs(["sh", str(script), "fsck"])
    # in the order named: the script's words, then the last operand's
    assert mods == ["simulator.lvm.cmd.metastat", "simulator.ufs.cmd.lockfs",
                    "simulator.backup.cmd.ufsdump", "simulator.ufs.cmd.fsck"]
    assert named_programs(["true"]) == []
    assert named_programs(["sh", "-c", "metattach d1 d3"]) == ["simulator.lvm.cmd.metattach"]
    big = tmp_path / "big.sh"
    big.write_bytes(b"metastat\n" + b"#" * (runner._MAX_SCANNED + 1))
    assert named_programs(["sh", str(big)]) == []          # too big to be read
    assert named_programs(["sh", str(tmp_path)]) == []      # a directory is not read


def test_the_warmup_imports_then_does_the_callers_work_and_drops_its_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    done: list[str] = []

    def meanwhile() -> None:
        done.append("meanwhile")
        raise RuntimeError("dropped")

    monkeypatch.setattr(runner, "named_programs", lambda command: [
        "simulator.lvm.cmd.metastat", "simulator.no.such.module"])
    w = Warmup(["sh", "-c", "metastat"], meanwhile)
    assert not w.commands.is_set()
    w.start()
    w.join()
    assert w.commands.is_set() and done == ["meanwhile"]
    assert "simulator.lvm.cmd.metastat" in sys.modules
    idle = Warmup(["true"])
    idle.start()
    idle.join()
    assert idle.commands.is_set()
    unstarted = Warmup(["true"])     # the driver never started: join waits for nothing
    unstarted.join()
    assert unstarted.commands.is_set()


def _judged(monkeypatch: pytest.MonkeyPatch, warm: bool) -> dict[str, object]:
    if not warm:
        monkeypatch.setattr(runner, "named_programs", lambda command: [])
    run = HarnessRun(load_scenario("seed-example"),
                     ["sh", str(DRIVER), "-f", "/dev/rmt/0", "d1", "d3", "/home1"], timeout=120)
    seen: list[str] = []
    result, proc = run.run(capture=True, stdin=b"",
                           meanwhile=(lambda: seen.append("x")) if warm else None)
    assert seen == (["x"] if warm else [])
    data = as_dict(result)
    data.pop("real_seconds", None)
    data["stdout"], data["stderr"] = proc.stdout, proc.stderr
    return data


def test_a_run_with_the_warmup_is_judged_as_one_without(
        monkeypatch: pytest.MonkeyPatch) -> None:
    if sandbox_mod.probe_unshare() is not None and shutil_which_proot() is False:
        pytest.skip("no sandbox method here")
    warm = _judged(monkeypatch, True)
    monkeypatch.undo()
    plain = _judged(monkeypatch, False)
    assert warm == plain
    assert warm["outcome"] == "backed-up"


def shutil_which_proot() -> bool:
    import shutil
    return shutil.which("proot") is not None


# ---------------------------------------------------------------------- inotify
def test_an_inotify_instance_closed_in_a_thread_is_closed(tmp_path: Path) -> None:
    ino = _Inotify.open()
    if ino is None:
        pytest.skip("no inotify here")
    assert ino.watch(tmp_path)
    fd = ino.fd
    before = {t.ident for t in threading.enumerate()}
    ino.close()
    for t in threading.enumerate():
        if t.ident not in before and t.name == "svmsim-inotify-close":
            t.join(timeout=30)
    with pytest.raises(OSError):
        os.fstat(fd)
    ino.close()         # a second close does nothing


# ---------------------------------------------------------------------- the collector
def test_main_called_by_a_caller_leaves_its_collector_alone(tmp_path: Path) -> None:
    from simulator import cli
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    assert cli.main(["run", "--scenario", "no-such-scenario", "--", "true"]) == 2
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_the_script_collects_garbage_only_while_the_driver_runs() -> None:
    code = ("import gc, sys\n"
            "import simulator.cli as cli\n"
            "seen = []\n"
            "real = cli.collect_garbage\n"
            "def switch(args, on):\n"
            "    seen.append((on, gc.isenabled()))\n"
            "    real(args, on)\n"
            "cli.collect_garbage = switch\n"
            "sys.argv = ['svmsim', 'run', '--scenario', 'seed-example', '--expect',"
            " 'read-only', '--', 'true']\n"
            "code = cli.main()\n"
            "print(seen, gc.isenabled(), gc.get_freeze_count() > 0, code)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVMSIM_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=REPO, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    # off while the host is built, on while the driver runs, off after it; frozen at exit
    assert r.stdout.splitlines()[-1] == "[(True, False), (False, True)] False True 0"


# ---------------------------------------------------------------------- the report
def test_a_report_written_after_prepare_text_is_the_same(
        capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.session.checks import Check
    from simulator.session.transcript import Transcript
    from simulator.session.verdict import RunResult, prepare_text, to_text
    result = RunResult(scenario="s", command=["sh", "d.sh"], driver_exit=1,
                       checks=[Check("a", True, "fine"), Check("b", False, "bad", notes=["x"])],
                       transcript=Transcript(), outcome="failed-cleanly",
                       expected=("backed-up",), notes=["a note"])
    cold = subprocess.run([sys.executable, "-c", (
        "import pickle, sys\n"
        "from simulator.session.verdict import to_text\n"
        "sys.stdout.write(to_text(pickle.loads(sys.stdin.buffer.read())))\n")],
        input=pickle.dumps(result), capture_output=True, cwd=REPO, timeout=60)
    assert cold.returncode == 0, cold.stderr
    prepare_text()
    assert capsys.readouterr() == ("", "")       # it writes nowhere
    assert to_text(result) == cold.stdout.decode()
