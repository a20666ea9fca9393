"""``svmsim campaign`` (simulator/cli/campaign.py): usage errors are one line and exit 2;
a campaign exits 0 with no bad outcome, 1 with some."""

from __future__ import annotations

import json

import pytest

from simulator.cli import main
from tests.campaign.helpers import CARELESS, SHIPPED, faults_api

needs_faults = pytest.mark.skipif(not faults_api(), reason="the fault API (simulator.faults, "
                                  "issue #10) is not in this tree")


@pytest.mark.parametrize("argv, message", [
    (["--scenario", "seed-example"], "svmsim campaign: no COMMAND given"),
    (["--scenario", "seed-example", "--", "sh", "/no/such.sh"],
     "svmsim campaign: /no/such.sh: no such file"),
    (["--scenario", "no-such", "--", *CARELESS], "no-such"),
    (["--scenario", "seed-example", "--address", "tcp://127.0.0.1:1", "--", *CARELESS],
     "--address is for --executor dask"),
])
def test_usage_errors_are_one_line_exit_2(capsys, argv, message):
    assert main(["campaign", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--workers=0", "--explore=-1", "--seed=x", "--timeout=0"])
def test_bad_numbers_are_usage_errors(capsys, flag):
    assert main(["campaign", "--scenario", "seed-example", flag, "--", *CARELESS]) == 2
    assert "svmsim campaign: error:" in capsys.readouterr().err


@needs_faults
def test_unknown_kind_suggests(capsys):
    assert main(["campaign", "--scenario", "seed-example", "--kinds", "tape-eon", "--",
                 *CARELESS]) == 2
    assert "unknown fault kind 'tape-eon' (did you mean 'tape-eom'?" in capsys.readouterr().err


@needs_faults
def test_shipped_driver_json_report_exit_0(tmp_path):
    """The shipped driver handles a full tape and a refused metattach (it reattaches, says
    so and exits 1/3): no bad outcome, exit 0, and the JSON report says so."""
    out = tmp_path / "r.json"
    code = main(["campaign", "--scenario", "seed-example", "--kinds", "tape-eom",
                 "--workers", "2", "--report", "json", "--out", str(out), "--", *SHIPPED])
    data = json.loads(out.read_text())
    assert data["bad"] == [] and data["exit_status"] == 0 and code == 0
    assert data["clean"]["outcome"] == "backed-up"
    assert {c["outcome"] for c in data["cells"] if c["fault"]} <= {
        "backed-up", "refused", "failed-cleanly", "crashed"}
