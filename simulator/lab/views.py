"""What the lab shows of itself: the task, a grade, the status of the volumes (rich).

Each function returns a rich renderable; :func:`plain` renders one as plain text (the
record, an answer file's report, a terminal without colours). ``lab status`` is the
metadevice tree as a trainee wants to see it at a glance -- each mirror with its
submirrors, their states coloured (Okay green, Resyncing yellow, Maintenance and Last
Erred red), a bar for a running resync, the file system on it with its lock, the hot spare
pools and the state database replicas -- taken from the same summary the verdict reads
(:func:`simulator.session.transcript.summarize`) and the volume manager.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from simulator.lvm.md.records import Mirror, Stripe
from simulator.session.transcript import summarize

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.lab.labfile import Lab
    from simulator.lab.objectives import Grade
    from simulator.session.session import Session

STATE_STYLE = {"Okay": "green", "Resyncing": "yellow", "Needs maintenance": "bold red",
               "Last Erred": "bold red", "Unavailable": "red", "Offline": "magenta"}


def plain(renderable: RenderableType, width: int = 100) -> str:
    """A renderable as plain text (no colour, no control codes)."""
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, force_terminal=False,
            highlight=False, emoji=False).print(renderable)
    return buf.getvalue()


def task_text(lab: Lab, grade: Grade) -> RenderableType:
    held = {r.id for r in grade.results if r.held}
    parts: list[RenderableType] = [Text(lab.title, style="bold")]
    if lab.spec.lab.summary:
        parts.append(Text(lab.spec.lab.summary.strip()))
    if lab.spec.step:
        steps = Table.grid(padding=(0, 1))
        for i, st in enumerate(lab.spec.step, 1):
            done = bool(st.objectives) and all(o in held for o in st.objectives)
            steps.add_row(Text("[x]" if done else "[ ]", style="green" if done else ""),
                          Text(f"{i}. {st.title}", style="bold"))
            if st.text:
                steps.add_row("", Text(st.text.strip()))
        parts += [Text("Steps", style="bold underline"), steps]
    objectives = Table.grid(padding=(0, 1))
    for o, r in zip(lab.spec.objective, grade.results, strict=True):
        objectives.add_row(Text("[x]" if r.held else "[ ]", style="green" if r.held else ""),
                           Text(f"{o.text} ({o.points} points)"))
    parts += [Text("Objectives", style="bold underline"), objectives,
              Text("lab hint, lab check, lab status, lab reset, exit", style="dim")]
    return Group(*parts)


def check_text(lab: Lab, grade: Grade) -> RenderableType:
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    table.add_column("")
    table.add_column("objective")
    table.add_column("points", justify="right")
    table.add_column("feedback")
    for r in grade.results:
        table.add_row(Text("met" if r.held else "not yet", style="green" if r.held else "red"),
                      Text(r.text), Text(f"{r.earned}/{r.points}"),
                      Text(r.feedback if r.held or not r.detail else
                           f"{r.feedback} ({r.detail})"))
    mark = lab.spec.lab.pass_mark
    verdict = "passed" if grade.score >= mark else f"below the pass mark of {mark:g} %"
    return Group(table, Text(f"Score: {grade.score} % ({grade.earned} of {grade.total} "
                             f"points): {verdict}", style="bold"))


def status_text(host: Host, session: Session) -> RenderableType:
    summary = summarize(host)
    mounted = {dev.rsplit("/", 1)[-1]: mount for mount, dev in host.fs.mounts()}
    top = Tree(Text(f"{host.hostname}  {host.clock.ctime()}" +
                    ("  HUNG: " + session.hung if session.hung else ""),
                    style="bold red" if session.hung else "bold"))
    s = host.md.sets[""]
    used_as_sub = {slot.name for u in s.units.values() if isinstance(u, Mirror)
                   for slot in u.submirrors}
    for name in sorted(s.units, key=lambda n: int(n[1:]) if n[1:].isdigit() else 0):
        unit = s.units[name]
        if name in used_as_sub:
            continue
        if isinstance(unit, Mirror):
            m = summary["mirrors"].get(name)
            label = Text(f"{name}  mirror", style="bold")
            if name in mounted:
                lock = host.fs.lock_of(mounted[name])
                label.append(f"  {mounted[name]}", style="cyan")
                if lock != "unlock":
                    label.append(f"  {lock}-locked", style="bold red")
            node = top.add(label)
            for sub, state in (m["members"] if m else {}).items():
                row = Text(f"{sub}  ")
                row.append(state, style=STATE_STYLE.get(state, ""))
                sub_unit = s.units.get(sub)
                if isinstance(sub_unit, Stripe):
                    row.append("  " + " ".join(c.name for c in sub_unit.components),
                               style="dim")
                if m and m["resync"] is not None and state == "Resyncing":
                    grid = Table.grid(padding=(0, 1))
                    grid.add_row(row, ProgressBar(total=100, completed=m["resync"], width=30),
                                 f"{m['resync']} %")
                    node.add(grid)
                else:
                    node.add(row)
        else:
            label = Text(f"{name}  {type(unit).__name__.lower()}")
            if name in mounted:
                label.append(f"  {mounted[name]}", style="cyan")
            top.add(label)
    for hsp in s.hsps.values():
        top.add(Text(f"{hsp.name}  hot spare pool", style="bold"))
    replicas = s.replicas
    if replicas:
        healthy = sum(1 for r in replicas if r.healthy)
        top.add(Text(f"state database: {healthy} of {len(replicas)} replicas healthy",
                     style="green" if healthy == len(replicas) else "bold red"))
    others = [(m, d) for m, d in host.fs.mounts() if not d.startswith("/dev/md/")]
    for mount, dev in others:
        lock = host.fs.lock_of(mount)
        top.add(Text(f"{mount}  on {dev}" + (f"  {lock}-locked" if lock != "unlock" else ""),
                     style="bold red" if lock != "unlock" else "dim"))
    return top
