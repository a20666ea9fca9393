"""The text report laid out without rich (simulator/session/plaintext.py) is rich's, character
for character: over many reports (outcomes, check names, long evidence, long words, runs of
spaces, notes, stories) and widths, wherever it answers; it answers for every report of
printable ASCII at 100 columns with check names of a usual length, and leaves the rest to
rich (``to_text`` is then rich's). ``svmsim run`` in a pipe writes what rich writes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from simulator.host import CommandResult
from simulator.session.checks import Check
from simulator.session.plaintext import MIN_WIDTH, fold
from simulator.session.transcript import Call, Transcript
from simulator.session.verdict import RunResult, plain_text, to_text, write_text

REPO = Path(__file__).resolve().parents[2]


def rich_text(result: RunResult, width: int) -> str:
    """The report as rich writes it on a plain console (what ``to_text`` did before)."""
    buf = io.StringIO()
    write_text(result, Console(file=buf, width=width, force_terminal=False, color_system=None,
                               highlight=False))
    return buf.getvalue()


# words and runs of spaces, some words longer than any column
_word = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1,
                max_size=12) | st.text(alphabet="abc/-_.#", min_size=20, max_size=140)
_gap = st.sampled_from([" ", " ", " ", "  ", "   "])
ascii_text = st.lists(st.tuples(_gap, _word), max_size=30).map(
    lambda parts: "".join(g + w for g, w in parts)).map(
    lambda s: s[1:] if s.startswith(" ") and len(s) % 3 else s + " " * (len(s) % 4)) | \
    st.text(alphabet=st.sampled_from("     ab-/[]:"), max_size=160)
any_text = ascii_text | st.text(max_size=40)     # anything: tabs, CJK, control characters
name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=40)
OUTCOMES = ["backed-up", "refused", "failed-cleanly", "silent-failure", "left-degraded",
            "hung", "timed-out", "read-only", ""]


def call(index: int, argv: list[str], code: int, start: float, changes: list[str]) -> Call:
    return Call(index=index, argv=argv, result=CommandResult(stdout="", stderr="",
                                                             exit_code=code),
                start=start, end=start + 1, changes=changes)


@st.composite
def results(draw: st.DrawFn, text: st.SearchStrategy[str] = ascii_text) -> RunResult:
    calls = [call(i + 1, ["/usr/sbin/" + draw(name), *draw(st.lists(text, max_size=3))],
                  draw(st.sampled_from([0, 0, 1, 2])), float(draw(st.integers(0, 10**6))),
                  draw(st.lists(text, max_size=2)))
             for i in range(draw(st.integers(0, 6)))]
    checks = [Check(draw(name | text), draw(st.booleans()), draw(text),
                    evidence=draw(st.lists(st.sampled_from(calls), max_size=6)) if calls else [],
                    notes=draw(st.lists(text, max_size=3)))
              for _ in range(draw(st.integers(0, 9)))]
    return RunResult(scenario=draw(name | text), command=draw(st.lists(text, min_size=1,
                                                                       max_size=4)),
                     driver_exit=draw(st.none() | st.integers(-1, 255)), checks=checks,
                     transcript=Transcript(calls=calls), outcome=draw(st.sampled_from(OUTCOMES)),
                     expected=tuple(draw(st.lists(st.sampled_from(OUTCOMES), max_size=3))),
                     reason=draw(text), notes=draw(st.lists(text, max_size=3)),
                     hung=draw(st.none() | text), timed_out=draw(st.none() | text),
                     real_seconds=draw(st.floats(0, 1000)), virtual_end=float(draw(
                         st.integers(0, 10**6))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results(), st.integers(MIN_WIDTH - 5, 170) | st.just(100))
def test_the_plain_report_is_richs_wherever_it_answers(result: RunResult, width: int) -> None:
    text = plain_text(result, width)
    if text is not None:
        assert text == rich_text(result, width)
    assert to_text(result, width) == rich_text(result, width)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results(any_text), st.integers(MIN_WIDTH, 140))
def test_any_text_is_richs_through_to_text(result: RunResult, width: int) -> None:
    assert to_text(result, width) == rich_text(result, width)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results())
def test_it_answers_for_usual_reports_at_100_columns(result: RunResult) -> None:
    if all(len(c.name) <= 30 for c in result.checks):
        assert plain_text(result, 100) == rich_text(result, 100)


@given(ascii_text, st.integers(1, 120))
def test_a_folded_paragraph_is_richs(text: str, width: int) -> None:
    from rich.text import Text
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None,
            highlight=False).print(Text(text))
    assert "\n".join(fold(text, width)) + "\n" == buf.getvalue()


def test_other_characters_are_left_to_rich() -> None:
    result = RunResult(scenario="s", command=["sh", "d.sh"], driver_exit=0,
                       checks=[Check("a", True, "caf\u00e9 \u65e5\u672c\ttab")],
                       transcript=Transcript(), outcome="backed-up", expected=("backed-up",))
    assert plain_text(result) is None
    assert to_text(result) == rich_text(result, 100)


def _masked(text: str) -> str:
    return re.sub(r"[0-9]+\.[0-9]+ real s", "T real s", text)


def test_svmsim_run_in_a_pipe_writes_what_rich_writes() -> None:
    """The same run twice in a pipe: laid out here, and by rich (``TTY_COMPATIBLE=0`` tells
    rich, and ``svmsim run``, that the output is no terminal, and leaves it to rich)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SVMSIM_") and k not in ("COLUMNS", "FORCE_COLOR",
                                                        "TTY_COMPATIBLE")}
    argv = [sys.executable, "-m", "simulator.cli", "run", "--scenario", "seed-example", "--",
            "sh", "drivers/svm-online-backup.sh", "-f", "/dev/rmt/0", "d1", "d3", "/home1"]
    outs = []
    for extra in ({}, {"TTY_COMPATIBLE": "0"}):
        r = subprocess.run(argv, cwd=REPO, env={**env, **extra}, capture_output=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(_masked(r.stdout.decode()))
    assert "\u2503 check" in outs[0]
    assert outs[0] == outs[1]


def test_the_cli_lays_out_plain_text_only_where_rich_would_write_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.cli.run import _plain_stdout

    class Out(io.StringIO):
        def __init__(self, tty: bool, encoding: str) -> None:
            super().__init__()
            self.tty, self._encoding = tty, encoding

        def isatty(self) -> bool:
            return self.tty

        @property
        def encoding(self) -> str:      # type: ignore[override]
            return self._encoding

    for var in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "stdout", Out(False, "utf-8"))
    assert _plain_stdout()
    for var, value in (("COLUMNS", "80"), ("FORCE_COLOR", "1"), ("TTY_COMPATIBLE", "0")):
        with monkeypatch.context() as m:
            m.setenv(var, value)
            assert not _plain_stdout()
    for out in (Out(True, "utf-8"), Out(False, "ascii"), Out(False, "latin-1"), None):
        monkeypatch.setattr(sys, "stdout", out)
        assert not _plain_stdout()
