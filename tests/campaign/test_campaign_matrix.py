"""The matrix and its reproducers (simulator/campaign/matrix.py)."""

from __future__ import annotations

import shlex

from simulator.campaign.jobs import Job, JobResult
from simulator.campaign.matrix import KindChoice, build_matrix, reproducer
from simulator.campaign.points import Point


def spec(kind: KindChoice, trigger: str) -> str:
    return kind.name + (f":{kind.target}" if kind.target else "") + "@" + trigger


POINTS = [Point("before:metastat#1", 1, call=1), Point("after:metastat#1", 2, call=1),
          Point("before:ufsdump#1", 2, call=2), Point("ufsdump:50%", 3, "ufsdump", 2),
          Point("after:ufsdump#1", 4, call=2)]
KINDS = [KindChoice("panic"), KindChoice("tape-eom", "/dev/rmt/0", ("ufsdump",)),
         KindChoice("dest-full", unusable="no file for it on this host")]


def test_cells_share_runs_by_instant_and_skip_what_does_not_apply():
    """One job per distinct fault: a kind at two points of one instant runs once; a kind
    with no target, or inside an operation it cannot fire in, has no run."""
    m = build_matrix("seed-example", ["sh", "d.sh"], POINTS, KINDS, spec, 30.0)
    assert len(m.cells) == 15
    assert m.cell("before:ufsdump#1", "panic").spec == "panic@after:metastat#1"
    assert m.cell("before:ufsdump#1", "panic").ran_at == "after:metastat#1"
    assert not m.cell("ufsdump:50%", "panic").applicable      # panic's where is empty
    assert m.cell("ufsdump:50%", "tape-eom").spec == "tape-eom:/dev/rmt/0@ufsdump:50%"
    assert not any(m.cell(p.trigger, "dest-full").applicable for p in POINTS)
    assert [j.faults for j in m.jobs] == [
        ("panic@before:metastat#1",), ("tape-eom:/dev/rmt/0@before:metastat#1",),
        ("panic@after:metastat#1",), ("tape-eom:/dev/rmt/0@after:metastat#1",),
        ("tape-eom:/dev/rmt/0@ufsdump:50%",), ("panic@after:ufsdump#1",),
        ("tape-eom:/dev/rmt/0@after:ufsdump#1",)]
    assert all(j.timeout == 30.0 and j.command == ("sh", "d.sh") for j in m.jobs)


def test_fill_marks_bad_cells_with_reproducers():
    """Bad = silent-failure, left-degraded, hung, timed-out (session/outcomes.py FAULTS);
    each bad cell's reproducer is one shell line that parses back to the same run."""
    m = build_matrix("seed-example", ["sh", "my driver.sh"], POINTS, KINDS, spec, 30.0)
    results = [JobResult(j, "left-degraded" if "ufsdump:50%" in j.faults[0] else "crashed",
                         "left behind: d3 left detached", 1) for j in m.jobs]
    m.fill(results)
    bad = m.bad_cells
    assert [(c.point, c.kind) for c in bad] == [("ufsdump:50%", "tape-eom")]
    line = bad[0].reproducer
    assert shlex.split(line) == ["svmsim", "run", "--scenario", "seed-example", "--fault",
                                 "tape-eom:/dev/rmt/0@ufsdump:50%", "--", "sh",
                                 "my driver.sh"]
    # both cells of the shared instant show its run's outcome; good cells carry no line
    assert m.cell("before:ufsdump#1", "panic").outcome == "crashed"
    assert m.cell("before:ufsdump#1", "panic").reproducer == ""


def test_a_run_that_could_not_be_made_is_an_error_cell():
    m = build_matrix("s", ["d"], POINTS[:1], KINDS[:1], spec, 5.0)
    m.fill([JobResult(m.jobs[0], error="SandboxError: no sandbox")])
    c = m.cell("before:metastat#1", "panic")
    assert (c.outcome, c.error, c.bad) == ("error", "SandboxError: no sandbox", False)
    assert c.reproducer == "svmsim run --scenario s --fault 'panic@before:metastat#1' -- d"


def test_reproducer_quotes_for_the_shell():
    line = reproducer("/tmp/my site.toml", ["lockfs-busy:/home1@before:lockfs#1"],
                      ["sh", "-c", "echo $HOME; exit 1"])
    assert shlex.split(line)[3] == "/tmp/my site.toml"
    assert shlex.split(line)[-1] == "echo $HOME; exit 1"
    assert Job("s", ("d",)).faults == ()
