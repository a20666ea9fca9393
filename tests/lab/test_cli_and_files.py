"""``svmsim lab`` from the command line, and lab files an instructor writes (and gets
wrong): each mistake is one line naming the file and the key, never a traceback."""

from __future__ import annotations

import json

import pytest

from simulator.cli import main
from simulator.lab.labfile import LabError, load_lab, parse_lab


def test_lab_lists_the_labs(capsys):
    assert main(["lab"]) == 0
    out = capsys.readouterr().out
    assert "online-backup" in out and "Online backup of a RAID-1 volume" in out
    assert len(out.splitlines()) >= 6


def test_unknown_lab_suggests(capsys):
    assert main(["lab", "online-backpu", "--answers", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("svmsim lab: online-backpu: no such lab (did you mean online-backup?)")


def test_answers_json_report_and_min_score(tmp_path, capsys):
    answers = tmp_path / "a.txt"
    answers.write_text("metastat d1\nlockfs -w /home1\nmetadetach d1 d3\nlockfs -u /home1\n")
    assert main(["lab", "online-backup", "--answers", str(answers), "--report", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"score", "objectives"}
    assert 0 < report["score"] < 100
    held = {o["id"] for o in report["objectives"] if o["held"]}
    assert held == {"metastat-first", "detach-under-lock", "lock-brief"}
    assert main(["lab", "online-backup", "--answers", str(answers), "--min-score", "90"]) == 1
    assert "below the pass mark" in capsys.readouterr().out


def test_reference_prints_the_variants_answer(capsys):
    assert main(["lab", "repair-maintenance", "--seed", "3", "--reference"]) == 0
    out = capsys.readouterr().out
    lab = load_lab("repair-maintenance", 3)
    assert f"metareplace -e {lab.values['mirror']} {lab.values['failed_slice']}" in out


def test_record_file_for_answers(tmp_path, capsys):
    answers = tmp_path / "a.txt"
    answers.write_text("metastat\n")
    rec = tmp_path / "r.json"
    assert main(["lab", "third-submirror", "--answers", str(answers), "--record",
                 str(rec)]) == 0
    assert json.loads(rec.read_text())["attempts"][0]["lines"][0]["line"] == "metastat"
    assert main(["lab", "third-submirror", "--answers", str(answers), "--record",
                 str(tmp_path / "nodir" / "r.json")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_bad_arguments(capsys):
    assert main(["lab", "online-backup", "--seed", "-1", "--answers", "x"]) == 2
    assert main(["lab", "online-backup", "--answers", "/nonexistent/answers"]) == 2
    assert "No such file" in capsys.readouterr().err


BASE = """
[lab]
title = "t"
[variables]
m = { metadevice = "d1" }
[[objective]]
id = "a"
text = "x"
ran = "^metastat"
[[disk]]
name = "c1t0d0"
size = "36GB"
[[replica]]
device = "c1t0d0s7"
count = 3
[[stripe]]
name = "${m}"
rows = [["c1t0d0s0"]]
"""


def test_a_minimal_lab_file_parses():
    lab = parse_lab(BASE, "t", 4)
    assert lab.values["m"] != "d1"
    assert lab.scenario.stripes[0].name == lab.values["m"]


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace('title = "t"', ""), "lab.title: Field required"),
    (lambda t: t.replace("[lab]", "[lab\n"), "TOML syntax error"),
    (lambda t: t.replace('ran = "^metastat"', 'ran = "(("'), "bad regular expression"),
    (lambda t: t.replace('ran = "^metastat"', 'state = ["d1 is fine"]'),
     "is not a state phrase"),
    (lambda t: t.replace('ran = "^metastat"', 'ran = "x"\ncheck = "redundancy"'),
     "exactly one of check, ran"),
    (lambda t: t.replace('m = { metadevice = "d1" }', 'm = { metadevice = "x1" }'),
     "a metadevice variable is dN"),
    (lambda t: t.replace('name = "${m}"', 'name = "${n}"'), "${n} is used but not a variable"),
    (lambda t: t.replace('rows = [["c1t0d0s0"]]', 'rows = [["c9t0d0s0"]]'), "c9t0d0"),
    (lambda t: t.replace("[lab]", "[labx]"), "needs a [lab] table"),
])
def test_bad_lab_files_are_one_line(change, message):
    with pytest.raises(LabError) as e:
        parse_lab(change(BASE), "t", 0, source="my.lab.toml")
    text = str(e.value)
    assert message in text and "\n" not in text and text.startswith(("my.lab.toml", "t:"))


def test_a_lab_file_by_path(tmp_path, capsys):
    path = tmp_path / "mine.lab.toml"
    path.write_text(BASE)
    answers = tmp_path / "a"
    answers.write_text("metastat\n")
    assert main(["lab", str(path), "--answers", str(answers), "--report", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 100
    path.write_text(BASE.replace("[lab]", "[lab\n"))
    assert main(["lab", str(path), "--answers", str(answers)]) == 2
    assert "TOML syntax error" in capsys.readouterr().err


def test_web_arguments_are_checked(capsys):
    assert main(["lab", "online-backup", "--web", "--answers", "x"]) == 2
    assert "--web serves trainees" in capsys.readouterr().err
    assert main(["lab", "online-backup", "--web", "--port", "70000"]) == 2
    assert "not a port number" in capsys.readouterr().err
    assert main(["lab", "no-such-lab", "--web", "--port", "8999"]) == 2
    assert "no such lab" in capsys.readouterr().err
