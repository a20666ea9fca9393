"""Rules that once lived in two places now live in one: both fronts route the same paths,
and a scenario's typo fails wherever it is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.core.registry import PROGRAMS
from simulator.harness.runner import command_paths
from simulator.inprocess.route import plan_command


def test_both_fronts_answer_at_exactly_the_registry_paths() -> None:
    harness = command_paths(with_time=False)
    for name, program in PROGRAMS.items():
        assert harness[name] == list(program.paths)
        for path in (*program.paths, name):
            planned = plan_command([path, "-h"])
            assert planned is not None and planned.argv[0] == path, path
    # historical drift: both fronts now take ufsdump at /usr/lib/fs/ufs and neither
    # takes metastat at /usr/bin (no SVM program lives there on Solaris)
    assert plan_command(["/usr/lib/fs/ufs/ufsdump", "S", "/dev/md/rdsk/d1"]) is not None
    assert plan_command(["/usr/bin/metastat"]) is None
    assert "/usr/bin/metastat" not in harness["metastat"]


def test_svmsim_init_refuses_a_typo_in_expect(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    scen = tmp_path / "t.toml"
    scen.write_text('[[disk]]\nname = "c1t0d0"\nsize = "36GB"\n'
                    '[expect]\ndriver_exitt = "zero"\n')
    assert main(["init", "-q", "--scenario", str(scen), "--state", str(tmp_path / "st")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expect.driver_exitt" in err and "driver_exit" in err
