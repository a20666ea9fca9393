"""Campaign reports: text (rich), JSON, self-contained HTML (simulator/campaign/report.py)."""

from __future__ import annotations

import json
import shlex
from html.parser import HTMLParser

from simulator.campaign.campaign import CampaignResult
from simulator.campaign.explore import Finding
from simulator.campaign.jobs import Job, JobResult
from simulator.campaign.matrix import KindChoice, build_matrix
from simulator.campaign.points import Point, Trace, TraceCall
from simulator.campaign.report import render, to_html, to_json, to_text

CMD = ("sh", "careless <&>.sh")


def result() -> CampaignResult:
    points = [Point("before:ufsdump#1", 1, call=1), Point("ufsdump:50%", 2, "ufsdump", 1),
              Point("after:ufsdump#1", 3, call=1)]
    kinds = [KindChoice("panic"), KindChoice("tape-eom", "/dev/rmt/0", ("ufsdump",)),
             KindChoice("dest-full", unusable="no dump file for it on this host")]
    m = build_matrix("seed-example", CMD, points, kinds,
                     lambda k, t: k.name + (f":{k.target}" if k.target else "") + "@" + t, 60)
    m.fill([JobResult(j, "left-degraded" if "50%" in j.faults[0] else "failed-cleanly",
                      "left behind: /home1 write-locked", 1) for j in m.jobs])
    trace = Trace((TraceCall("ufsdump", ("ufsdump", "0f", "-"), 0.0, 9.0, 0),))
    clean = JobResult(Job("seed-example", CMD, learn=True), "backed-up", "archive fine", 0,
                      trace=trace)
    f = Finding(("tape-eom:/dev/rmt/0@ufsdump:50%",),
                ("panic@before:ufsdump#1", "tape-eom:/dev/rmt/0@ufsdump:50%"),
                "left-degraded", "left behind: /home1 write-locked")
    return CampaignResult("seed-example", CMD, 4, "local, 2 workers", clean, trace, m,
                          [f.found_as], [f], runs=6, real_seconds=2.0)


def test_text_matrix_marks_bad_cells_and_lists_reproducers():
    text = to_text(result())
    assert "clean run: backed-up (archive fine); 1 fake calls, 3 injection points" in text
    rows = {cells[0]: cells[1:] for cells in
            ([x.strip() for x in line.strip("│").split("│")] for line in text.splitlines()
             if line.startswith("│"))}
    assert rows["tape-eom:/dev/rmt/0"] == ["fc", "LD!", "fc"]
    assert rows["panic"] == ["fc", "-", "fc"] and rows["dest-full"] == ["-", "-", "-"]
    assert "points: 1 before:ufsdump#1; 2 ufsdump:50%; 3 after:ufsdump#1" in text
    assert "not applicable: dest-full: no dump file for it on this host" in text
    line = next(x.strip() for x in text.splitlines() if x.strip().startswith("svmsim run"))
    assert shlex.split(line) == ["svmsim", "run", "--scenario", "seed-example", "--fault",
                                 "tape-eom:/dev/rmt/0@ufsdump:50%", "--", *CMD]
    assert "(shrunk from 2 to 1 fault(s))" in text
    assert "1 bad cell(s) of 5, 1 finding(s) from 1 explored schedule(s); 6 runs" in text


def test_json_has_every_cell_and_the_exit_status():
    r = result()
    data = json.loads(to_json(r))
    assert data["exit_status"] == 1 and r.exit_code == 1
    assert len(data["cells"]) == 9 and len(data["bad"]) == 1
    assert data["bad"][0]["fault"] == "tape-eom:/dev/rmt/0@ufsdump:50%"
    assert data["findings"][0]["reproducer"] == data["bad"][0]["reproducer"]
    assert data["kinds"][2]["unusable"]
    assert render(r, "json") == to_json(r)


def test_html_is_one_self_contained_page_with_escaped_text():
    page = to_html(result())

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.attrs: list[tuple[str, str | None]] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.attrs += attrs

    p = Collect()
    p.feed(page)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not any(k in ("src", "href") for k, _ in p.attrs)
    assert "careless &lt;&amp;&gt;.sh" in page and "careless <&>.sh" not in page
    assert page.count('class="bad"') == 1
    assert "<code>svmsim run --scenario seed-example --fault" in page


def test_no_bad_outcome_exits_zero():
    r = result()
    for c in r.matrix.cells.values():
        c.outcome = "failed-cleanly" if c.applicable else ""
    r.findings = []
    assert r.exit_code == 0
