"""The verdict leaves the fake programs' modules to the calls that need them (issue #17):
judging a run whose driver called neither ufsdump nor dd imports neither module (a few ms
of every such ``svmsim run``), and gives the same verdict as a process that had them
imported beforehand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

JUDGE = """
import json, sys
{preload}
from simulator import build_host
from simulator.session.checks import Expectations
from simulator.session.session import Session
host = build_host("seed-example")
session = Session(host)
session.dispatch(["metastat", "-p"])
session.dispatch(["lockfs", "/home1"])
judgement = session.judge(0, Expectations.from_dict({{}}))
loaded = sorted(m for m in sys.modules if m.startswith("simulator.backup.cmd"))
print(json.dumps({{"verdict": repr(judgement), "loaded": loaded}}))
"""


def _judge(preload: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    out = subprocess.run([sys.executable, "-c", JUDGE.format(preload=preload)], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    result: dict[str, object] = json.loads(out)
    return result


def test_a_run_without_ufsdump_or_dd_never_imports_them() -> None:
    lazy = _judge("")
    assert lazy["loaded"] == []
    eager = _judge("import simulator.backup.cmd.dd, simulator.backup.cmd.ufsdump")
    assert eager["loaded"] != []
    assert lazy["verdict"] == eager["verdict"]
