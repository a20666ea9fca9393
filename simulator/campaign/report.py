"""A campaign's report: a text matrix (rich), JSON, and one self-contained HTML page.

All three are views of one :class:`~simulator.campaign.campaign.CampaignResult`. The matrix
has a row per fault kind and a column per injection point (numbered; the legend under it
names each point), a cell being the outcome's short code; bad cells are marked (``!`` in
text, red in colour and HTML) and listed below with their reproducers, then the findings
of exploration. The text uses rich as ``svmsim run``'s report does: colour and the
terminal's width on a terminal, plain text at 100 columns elsewhere. The HTML page has no
external resource (inline CSS, no script), so it can be mailed or archived as one file.
"""

from __future__ import annotations

import html
import io
import json
from typing import TYPE_CHECKING

from simulator.campaign.matrix import Cell

if TYPE_CHECKING:
    from rich.console import Console

    from simulator.campaign.campaign import CampaignResult

CODES = {"backed-up": "ok", "refused": "ref", "failed-cleanly": "fc", "silent-failure": "SF",
         "left-degraded": "LD", "hung": "HG", "timed-out": "TO", "read-only": "ro",
         "crashed": "cr", "error": "ERR", "": "-"}


def code(cell: Cell) -> str:
    """The cell's short code; a bad one ends in ``!``; ``-``: not applicable."""
    text = CODES.get(cell.outcome, cell.outcome[:3])
    return text + "!" if cell.bad else text


def legend() -> str:
    return ", ".join(f"{c} {o}" for o, c in CODES.items() if o) + \
        ", - not applicable; ! bad"


def summary(result: CampaignResult) -> str:
    m = result.matrix
    ran = [c for c in m.cells.values() if c.applicable]
    return (f"svmsim campaign: {result.scenario}: {len(m.bad_cells)} bad cell(s) of "
            f"{len(ran)}, {len(result.findings)} finding(s) from {len(result.explored)} "
            f"explored schedule(s); {result.runs} runs in {result.real_seconds:.1f} real s "
            f"({result.runs_per_second:.1f} runs/s, {result.executor})")


def write_text(result: CampaignResult, console: Console) -> None:
    """The text report on ``console`` (its colour and width)."""
    from rich.table import Table
    from rich.text import Text
    m = result.matrix
    console.print(Text(f"svmsim campaign: scenario {result.scenario}, seed {result.seed}: "
                       f"{' '.join(result.command)}"))
    clean = result.clean
    console.print(Text(f"clean run: {clean.outcome} ({clean.reason}); "
                       f"{len(result.trace.calls)} fake calls, {len(m.points)} injection "
                       "points"))
    table = Table(show_lines=False, padding=(0, 1))
    table.add_column("kind \\ point", no_wrap=True)
    for i, _ in enumerate(m.points, 1):
        table.add_column(str(i), no_wrap=True, justify="center")
    for k in m.kinds:
        row = [Text(k.name + (f":{k.target}" if k.target else ""))]
        for p in m.points:
            c = m.cell(p.trigger, k.name)
            row.append(Text(code(c), style="bold red" if c.bad else
                            "dim" if not c.applicable else ""))
        table.add_row(*row)
    console.print(table)
    console.print(Text("points: " + "; ".join(f"{i} {p.trigger}"
                                              for i, p in enumerate(m.points, 1))))
    console.print(Text("codes: " + legend()))
    for k in m.kinds:
        if k.unusable:
            console.print(Text(f"not applicable: {k.name}: {k.unusable}"))
    bad = m.bad_cells
    if bad:
        console.print(Text(f"bad cells ({len(bad)}):", style="bold red"))
        for c in bad:
            console.print(Text(f"  {c.point} x {c.kind}: {c.outcome}: {c.reason}"))
            console.print(Text(f"    {c.reproducer}"), soft_wrap=True)
    errors = [c for c in m.cells.values() if c.error]
    for c in errors:
        console.print(Text(f"run error: {c.point} x {c.kind}: {c.error}"))
        console.print(Text(f"    {c.reproducer}"), soft_wrap=True)
    if result.findings:
        console.print(Text(f"explored: {len(result.findings)} finding(s):", style="bold red"))
        for f in result.findings:
            console.print(Text(f"  {f.outcome}: {f.reason} (shrunk from {len(f.found_as)} to "
                               f"{len(f.faults)} fault(s))"))
            console.print(Text(f"    {result.reproducer(f.faults)}"), soft_wrap=True)
    console.print(Text(summary(result)), soft_wrap=True)


def to_text(result: CampaignResult, width: int = 100) -> str:
    """The text report as plain text (no colour), ``width`` columns."""
    from rich.console import Console
    buf = io.StringIO()
    write_text(result, Console(file=buf, width=width, force_terminal=False, color_system=None,
                               highlight=False))
    return buf.getvalue()


def to_json(result: CampaignResult) -> str:
    """The whole result as JSON (ASCII only)."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#f4f4f4}td.bad{background:#f8d0d0;color:#900;font-weight:bold}
td.na{color:#aaa}td.ok{background:#e4f4e4}code{background:#f4f4f4;padding:1px 3px}
li{margin:.3em 0}.th-point{writing-mode:vertical-rl;transform:rotate(180deg)}"""


def to_html(result: CampaignResult) -> str:
    """One self-contained page (inline CSS, no script, no external resource)."""
    e = html.escape
    m = result.matrix
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>svmsim campaign: {e(result.scenario)}</title>",
           f"<style>{CSS}</style></head><body>",
           f"<h1>svmsim campaign: {e(result.scenario)}</h1>",
           f"<p>Driver: <code>{e(' '.join(result.command))}</code>; seed {result.seed}; "
           f"clean run: <b>{e(result.clean.outcome)}</b> ({e(result.clean.reason)}).</p>",
           f"<p>{e(summary(result))}</p>",
           "<table><thead><tr><th>kind \\ point</th>"]
    out += [f'<th><span class="th-point">{e(p.trigger)}</span></th>' for p in m.points]
    out.append("</tr></thead><tbody>")
    for k in m.kinds:
        label = k.name + (f":{k.target}" if k.target else "")
        row = [f"<tr><th>{e(label)}</th>"]
        for p in m.points:
            c = m.cell(p.trigger, k.name)
            cls = "bad" if c.bad else "na" if not c.applicable else \
                "ok" if c.outcome == "backed-up" else ""
            tip = f"{c.point} x {c.kind}: {c.outcome} {c.reason}" if c.applicable else \
                (k.unusable or f"{k.name} does not fire inside {p.where}")
            row.append(f'<td class="{cls}" title="{e(tip)}">{e(code(c))}</td>')
        out.append("".join(row) + "</tr>")
    out.append("</tbody></table>")
    out.append(f"<p>Codes: {e(legend())}.</p>")
    bad = m.bad_cells
    out.append(f"<h2>Bad cells ({len(bad)})</h2><ul>")
    for c in bad:
        out.append(f"<li><b>{e(c.point)} &times; {e(c.kind)}</b>: {e(c.outcome)}: "
                   f"{e(c.reason)}<br><code>{e(c.reproducer)}</code></li>")
    out.append("</ul>")
    if result.explored:
        out.append(f"<h2>Exploration ({len(result.explored)} schedules, "
                   f"{len(result.findings)} findings)</h2><ul>")
        for f in result.findings:
            out.append(f"<li>{e(f.outcome)}: {e(f.reason)} (shrunk from {len(f.found_as)} "
                       f"to {len(f.faults)} fault(s))<br>"
                       f"<code>{e(result.reproducer(f.faults))}</code></li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(result: CampaignResult, fmt: str) -> str:
    return {"text": to_text, "json": to_json, "html": to_html}[fmt](result)
