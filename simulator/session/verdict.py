"""Reports of a run: a text story with rich tables, JSON, and JUnit XML for CI.

All three are views of one :class:`RunResult` (made by :func:`result_of` from the session's
:class:`~simulator.session.outcomes.Judgement`, by both fronts); none recomputes a verdict.
The text report uses rich: colour and the terminal's width on a terminal, plain text at 100
columns in a pipe or a file (rich reads ``NO_COLOR``, ``FORCE_COLOR`` and ``COLUMNS``). Plain
text is laid out without rich where it can be (:func:`plain_text`, the same characters; rich's
import and first render cost some 30 ms of a run).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.session.checks import Check, decisive
from simulator.session.plaintext import HEADERS, fold, plain, table
from simulator.session.transcript import Transcript

if TYPE_CHECKING:
    from rich.console import Console

    from simulator.session.outcomes import Judgement

# ``svmsim run``'s exit status: pass, fail, usage (the CLI's own), timeout or hang
EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_STUCK = 0, 1, 2, 3


@dataclass
class RunResult:
    """Everything a run produced: the verdict, the record, and how the sandbox was made.

    ``outcome`` is the run's one outcome (``simulator.session.outcomes.OUTCOMES``),
    ``reason`` says why, ``expected`` the outcomes the scenario (or ``--expect``) accepts;
    ``checks`` are the evidence. ``passed``: the outcome is accepted and every check held.
    """

    scenario: str
    command: list[str]
    driver_exit: int | None
    checks: list[Check]
    transcript: Transcript
    method: str = ""
    shim: str = ""
    hung: str | None = None
    virtual_start: float = 0.0
    virtual_end: float = 0.0
    real_seconds: float = 0.0
    hostname: str = ""
    notes: list[str] = field(default_factory=list)
    outcome: str = ""
    reason: str = ""
    expected: tuple[str, ...] = ()
    timed_out: str | None = None
    # the files the driver left in its private view (paths inside it), kept in ``kept_in``
    # when the run was given somewhere to keep them (``svmsim run --keep DIR``)
    left_files: list[str] = field(default_factory=list)
    kept_in: str | None = None

    @property
    def passed(self) -> bool:
        accepted = not self.outcome or self.outcome in self.expected
        return accepted and all(c.held for c in decisive(self.checks, self.outcome))

    @property
    def exit_code(self) -> int:
        """0 passed, 1 failed, 3 failed because the host hung or the driver timed out."""
        if self.passed:
            return EXIT_PASSED
        return EXIT_STUCK if self.outcome in ("hung", "timed-out") else EXIT_FAILED

    @property
    def virtual_seconds(self) -> float:
        return self.virtual_end - self.virtual_start

    def failed(self) -> list[Check]:
        """The checks that did not hold (evidence; see ``passed`` for which decide)."""
        return [c for c in self.checks if not c.held]

    def ending(self) -> str:
        """How the driver ended, in words (never ``exit None``)."""
        if self.driver_exit is not None:
            return f"exit {self.driver_exit}"
        if self.hung:
            return f"killed: the host hung ({self.hung})"
        return f"killed: {self.timed_out or 'it did not finish'}"


def result_of(judgement: Judgement, **fields: Any) -> RunResult:
    """A :class:`RunResult` from a session's judgement and the run's own facts."""
    return RunResult(checks=judgement.checks, outcome=judgement.outcome,
                     reason=judgement.reason, expected=judgement.expected, **fields)


def to_json(result: RunResult) -> str:
    """The report as JSON (ASCII only: valid whatever the output's encoding)."""
    return json.dumps({
        "scenario": result.scenario, "command": result.command,
        "passed": result.passed, "exit_status": result.exit_code,
        "outcome": result.outcome, "reason": result.reason,
        "expected": list(result.expected),
        "driver_exit": result.driver_exit, "hung": result.hung,
        "timed_out": result.timed_out,
        "sandbox": result.method, "shim": result.shim, "hostname": result.hostname,
        "virtual_seconds": round(result.virtual_seconds, 3),
        "real_seconds": round(result.real_seconds, 3),
        "checks": [c.to_dict() for c in result.checks],
        "transcript": result.transcript.to_dict(), "notes": result.notes,
        "left_files": result.left_files, "kept_in": result.kept_in,
    }, indent=2)


def to_junit(result: RunResult) -> str:
    """One test case for the outcome, then one per check (ASCII: other characters are
    character references, so the XML is valid whatever the output's encoding)."""
    import xml.etree.ElementTree as ET  # only a JUnit report needs it (~4 ms to import)
    failures = len(result.failed()) + (result.outcome not in result.expected)
    suite = ET.Element("testsuite", name=f"svmsim.{result.scenario}",
                       tests=str(len(result.checks) + 1),
                       failures=str(failures), errors="0",
                       time=f"{result.real_seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("command", " ".join(result.command)), ("sandbox", result.method),
                        ("shim", result.shim), ("driver_exit", str(result.driver_exit)),
                        ("outcome", result.outcome),
                        ("expected", ",".join(result.expected))):
        ET.SubElement(props, "property", name=name, value=value)
    case = ET.SubElement(suite, "testcase", classname=f"svmsim.{result.scenario}",
                         name="outcome", time="0")
    if result.outcome not in result.expected:
        fail = ET.SubElement(case, "failure", message=f"outcome {result.outcome} (expected "
                             f"{' or '.join(result.expected)})")
        fail.text = result.reason
    else:
        ET.SubElement(case, "system-out").text = f"{result.outcome}: {result.reason}"
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=f"svmsim.{result.scenario}",
                             name=check.name, time="0")
        if not check.held:
            fail = ET.SubElement(case, "failure", message=check.summary)
            fail.text = "\n".join([f"#{c.index} {c.line()} -> exit {c.exit_code}"
                                   for c in check.evidence] + check.notes)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = check.summary
    ET.indent(suite)
    return ET.tostring(suite, encoding="us-ascii", xml_declaration=True).decode() + "\n"


# backup steps worth telling even when they change no volume state
STORY_ALWAYS = ("fsck", "ufsdump", "ufsrestore", "mount", "umount")


def story(result: RunResult) -> list[str]:
    """A short account of the run: what the driver did that mattered, in virtual time."""
    told: list[tuple[float, int, str]] = []
    t0 = result.virtual_start
    for call in result.transcript.calls:
        if call.changes or call.exit_code != 0 or call.name in STORY_ALWAYS:
            mark = "" if call.exit_code == 0 else f"  [exit {call.exit_code}]"
            what = "; ".join(call.changes)
            told.append((call.start, len(told), f"+{call.start - t0:8.1f}s  {call.line()}{mark}"
                         + (f"  -> {what}" if what else "")))
    for f in result.transcript.faults:      # what injected faults did, when
        note = f"  -> {f['note']}" if f["note"] else ""
        told.append((f["time"], len(told),
                     f"+{f['time'] - t0:8.1f}s  fault {f['event']}: {f['fault']}{note}"))
    for down in result.transcript.panics:
        what = "rebooted (init 6)" if down.clean else "panicked: " + \
            down.message.replace("\n", " ")
        told.append((down.time, len(told), f"+{down.time - t0:8.1f}s  host {what}; the "
                     "driver died with it"))
    lines = [text for *_, text in sorted(told)]
    sleeps = result.transcript.sleeps
    slept = sum(s.seconds for s in sleeps)
    if slept:
        lines.append(f"(the driver slept {slept:.0f} virtual seconds in {len(sleeps)} "
                     f"sleep{'s' if len(sleeps) != 1 else ''}; no real time passed)")
    if result.hung:
        lines.append(f"host hung: {result.hung}")
    return lines


def summary_line(result: RunResult) -> str:
    """The run in one line: verdict, outcome, which sandbox, and how long."""
    verdict = "PASSED" if result.passed else "FAILED"
    return (f"svmsim run: {result.scenario}: {verdict} ({result.outcome or 'no outcome'}) in "
            f"{result.real_seconds:.2f} real s, {result.virtual_seconds:.0f} virtual s; "
            f"sandbox {result.method or 'none'}, {result.shim or 'no'} shims")


def prepare_text() -> None:
    """Pay ahead what :func:`write_text` costs the first time in a process, some 30 ms: rich
    imported, and its first-use work (its emoji table, parsed styles, cell widths), by a
    small report written to a console nobody reads. ``svmsim run`` does so while the driver
    runs, when the report goes to a terminal (plain text elsewhere needs no rich), and the
    harness only waits for it; the real report is written as before."""
    from rich.console import Console
    checks = [Check("warm-up", True, "held"), Check("warm-up-2", False, "failed", notes=["n"])]
    dummy = RunResult(scenario="warm-up", command=["true"], driver_exit=0, checks=checks,
                      transcript=Transcript(), outcome="read-only", expected=("read-only",),
                      notes=["note"])
    write_text(dummy, Console(file=io.StringIO(), width=100, force_terminal=False,
                              color_system=None, highlight=False))


# The text report's parts, in order, each ("text", pieces): a paragraph folded at the width,
# its pieces (text, style or None); ("table", rows): the checks, (name, held, evidence) each;
# ("line", text): one line never folded. write_text gives them to rich, plain_text lays them
# out as rich does (simulator/session/plaintext.py).
ReportPart = tuple[str, Any]
OK_STYLE, BAD_STYLE = "green", "bold red"


def report_parts(result: RunResult) -> list[ReportPart]:
    """What the text report says, in order (see :data:`ReportPart`)."""
    ok, bad = OK_STYLE, BAD_STYLE
    accepted = result.outcome in result.expected
    parts: list[ReportPart] = [
        ("text", [(f"svmsim run: scenario {result.scenario}: ", None),
                  ("PASSED", ok) if result.passed else ("FAILED", bad)]),
        ("text", [("outcome: ", None), (result.outcome, ok if accepted else bad),
                  (f" (expected: {', '.join(result.expected)}): {result.reason}", None)]),
        ("text", [(f"driver: {' '.join(result.command)} ({result.ending()}); "
                   f"{len(result.transcript.calls)} fake calls", None)])]
    rows = []
    for c in result.checks:
        ev = ", ".join(f"#{x.index} {x.name}" for x in c.evidence[:4])
        rows.append((c.name, "yes" if c.held else "NO", c.summary + (f"  [{ev}]" if ev else "")))
    parts.append(("table", rows))
    for c in result.checks:
        limit = 20 if not c.held else 5
        parts.extend(("text", [(f"  {c.name}: {note}", None)]) for note in c.notes[:limit])
    lines = story(result)
    if lines:
        parts.append(("text", [("story:", None)]))
        parts.extend(("text", [("  " + line, None)]) for line in lines)
    parts.extend(("text", [(f"note: {note}", None)]) for note in result.notes)
    parts.append(("line", summary_line(result)))
    return parts


def write_text(result: RunResult, console: Console) -> None:
    """The text report, printed on ``console`` (colour and width are the console's)."""
    from rich.table import Table
    from rich.text import Text
    for kind, what in report_parts(result):
        if kind == "text":
            console.print(Text.assemble(*(Text(t, style=s) if s else t for t, s in what)))
        elif kind == "table":
            table = Table(title=None, show_lines=False)
            check, held, evidence = HEADERS
            table.add_column(check, no_wrap=True)
            table.add_column(held, no_wrap=True)
            table.add_column(evidence, overflow="fold")
            for name, yes, text in what:
                table.add_row(Text(name), Text(yes, style=OK_STYLE if yes == "yes"
                                               else BAD_STYLE), Text(text))
            console.print(table)
        else:
            console.print(Text(what), soft_wrap=True)   # one line, never folded


def plain_text(result: RunResult, width: int = 100) -> str | None:
    """The text report with no colour at ``width`` columns, character for character what
    :func:`write_text` prints on a plain console of that width, made without rich; None
    where only rich lays it out (text other than printable ASCII, a narrow width)."""
    out: list[str] = []
    for kind, what in report_parts(result):
        if kind == "table":
            lines = table(what, width)
            if lines is None:
                return None
            out.extend(lines)
            continue
        text = "".join(t for t, _ in what) if kind == "text" else what
        if not plain(text):
            return None
        out.extend(fold(text, width) if kind == "text" else [text])
    return "\n".join(out) + "\n"


def to_text(result: RunResult, width: int = 100) -> str:
    """The text report as plain text (no colour), ``width`` columns."""
    text = plain_text(result, width)
    if text is not None:
        return text
    from rich.console import Console
    buf = io.StringIO()
    write_text(result, Console(file=buf, width=width, force_terminal=False, color_system=None,
                               highlight=False))
    return buf.getvalue()


def render(result: RunResult, fmt: str) -> str:
    return {"text": to_text, "json": to_json, "junit": to_junit}[fmt](result)


def as_dict(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(to_json(result))
    return data
