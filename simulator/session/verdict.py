"""Reports of a harness run: a text story with rich tables, JSON, and JUnit XML for CI.

All three are views of one :class:`RunResult`; none recomputes a verdict.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from simulator.session.checks import Check
from simulator.session.transcript import Transcript


@dataclass
class RunResult:
    """Everything a run produced: the verdict, the record, and how the sandbox was made."""

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

    @property
    def passed(self) -> bool:
        return all(c.held for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.held]


def to_json(result: RunResult) -> str:
    return json.dumps({
        "scenario": result.scenario, "command": result.command,
        "passed": result.passed, "driver_exit": result.driver_exit, "hung": result.hung,
        "sandbox": result.method, "shim": result.shim, "hostname": result.hostname,
        "virtual_seconds": round(result.virtual_end - result.virtual_start, 3),
        "real_seconds": round(result.real_seconds, 3),
        "checks": [c.to_dict() for c in result.checks],
        "transcript": result.transcript.to_dict(), "notes": result.notes,
    }, indent=2)


def to_junit(result: RunResult) -> str:
    suite = ET.Element("testsuite", name=f"svmsim.{result.scenario}",
                       tests=str(len(result.checks)),
                       failures=str(len(result.failed())), errors="0",
                       time=f"{result.real_seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("command", " ".join(result.command)), ("sandbox", result.method),
                        ("shim", result.shim), ("driver_exit", str(result.driver_exit))):
        ET.SubElement(props, "property", name=name, value=value)
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
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


# backup steps worth telling even when they change no volume state
STORY_ALWAYS = ("fsck", "ufsdump", "ufsrestore", "mount", "umount")


def story(result: RunResult) -> list[str]:
    """A short account of the run: what the driver did that mattered, in virtual time."""
    lines = []
    t0 = result.virtual_start
    for call in result.transcript.calls:
        if call.changes or call.exit_code != 0 or call.name in STORY_ALWAYS:
            mark = "" if call.exit_code == 0 else f"  [exit {call.exit_code}]"
            what = "; ".join(call.changes)
            lines.append(f"+{call.start - t0:8.1f}s  {call.line()}{mark}"
                         + (f"  -> {what}" if what else ""))
    slept = sum(s.seconds for s in result.transcript.sleeps)
    if slept:
        lines.append(f"(the driver slept {slept:.0f} virtual seconds in "
                     f"{len(result.transcript.sleeps)} sleeps; no real time passed)")
    if result.hung:
        lines.append(f"host hung: {result.hung}")
    return lines


def to_text(result: RunResult, width: int = 100) -> str:
    from rich.console import Console
    from rich.table import Table
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    verdict = "PASSED" if result.passed else "FAILED"
    console.print(f"svmsim run: scenario {result.scenario}: {verdict}")
    console.print(f"driver: {' '.join(result.command)} (exit {result.driver_exit}); "
                  f"{len(result.transcript.calls)} fake calls; "
                  f"{result.virtual_end - result.virtual_start:.0f} virtual s in "
                  f"{result.real_seconds:.2f} real s; sandbox {result.method}, "
                  f"{result.shim} shims")
    table = Table(title=None, show_lines=False)
    table.add_column("check")
    table.add_column("held")
    table.add_column("evidence / reason", overflow="fold")
    for c in result.checks:
        ev = ", ".join(f"#{x.index} {x.name}" for x in c.evidence[:4])
        table.add_row(c.name, "yes" if c.held else "NO",
                      c.summary + (f"  [{ev}]" if ev else ""))
    console.print(table)
    for c in result.failed():
        for note in c.notes[:20]:
            console.print(f"  {c.name}: {note}")
    lines = story(result)
    if lines:
        console.print("story:")
        for line in lines:
            console.print("  " + line, highlight=False, markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    return buf.getvalue()


def render(result: RunResult, fmt: str) -> str:
    return {"text": to_text, "json": to_json, "junit": to_junit}[fmt](result)


def as_dict(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(to_json(result))
    return data
