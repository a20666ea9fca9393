"""The scenario file an import writes: ordinary TOML, commented, loaded back to check it.

The tables are :mod:`simulator.scenario.schema`'s keys, written by its own TOML writer
(:func:`simulator.scenario.schema.to_toml`); this module adds the comments (a header naming
the host and the captures, the notes of :mod:`simulator.importer.plan`, and above each
``[[setup]]`` step the states it brings about) and turns the plan's events into setup
steps whose ``advance`` leaves each resync at the percentage captured: the time is measured
on the host itself (built once without its file systems), at its resync rate.
"""

from __future__ import annotations

import math
from typing import Any

from simulator.host import Host
from simulator.importer.captures import Captures
from simulator.importer.plan import Event, HostPlan, Note, band_target, plan_host
from simulator.lvm.md.records import Mirror
from simulator.scenario import parse_scenario
from simulator.scenario.build import io_error
from simulator.scenario.schema import Scenario, ScenarioError, to_toml

_FIRST = ("detach", "broken", "offline", "erred", "last", "spare-done")
MAX_WAIT = 30 * 86400.0          # a resync longer than a month is not waited for


def import_scenario(caps: Captures, name: str | None = None,
                    source: str = "<imported>") -> tuple[HostPlan, str, Scenario]:
    """The plan, the scenario text and the scenario it loads as (through the loader, so
    that what is written is what a user's ``svmsim run`` reads); ``name``: the scenario's
    (default: the host name)."""
    plan = plan_host(caps, name)
    want = _relocation(caps.metastat.text if caps.metastat else "")
    if want != _relocation(_base_host(plan).run("metastat").stdout):
        # submirrors first; by unit number; then each with the submirrors made last slot
        # first (plan.py _Planner.units)
        for order, reverse in ((True, False), (None, False), (False, True), (True, True),
                               (None, True)):
            other = plan_host(caps, name, submirrors_first=order, reverse=reverse)
            if want == _relocation(_base_host(other).run("metastat").stdout):
                plan = other
                break
    _setup(plan)
    text = scenario_text(plan)
    try:
        sc = parse_scenario(text, source, plan.doc["scenario"]["name"])
    except ScenarioError as e:
        raise ScenarioError(f"the imported scenario does not load: {e}") from None
    return plan, text, sc


def _relocation(text: str) -> list[str]:
    """The disks of a metastat's Device Relocation Information, in order."""
    lines = text.splitlines()
    if "Device Relocation Information:" not in lines:
        return []
    return [x.split()[0] for x in lines[lines.index("Device Relocation Information:") + 2:]
            if x.strip()]


def _base_host(plan: HostPlan) -> Host:
    """The host without file systems, tapes or setup: where the resync times are measured."""
    doc = {k: v for k, v in plan.doc.items() if k not in ("filesystem", "tape", "setup")}
    return parse_scenario(to_toml(doc), "<import>").build_host()


def _act(host: Host, ev: Event) -> None:
    for cmd in ev.commands:
        host.run(cmd)
    for comp in ev.io_errors:
        io_error(host, comp)


def _mirror(host: Host, name: str | None) -> Mirror | None:
    unit = host.md.sets[""].units.get(name or "")
    return unit if isinstance(unit, Mirror) else None


def _setup(plan: HostPlan) -> None:
    """[[setup]] steps from the plan's events (module docstring of plan.py)."""
    first = sorted((e for e in plan.events if e.kind in _FIRST),
                   key=lambda e: _FIRST.index(e.kind))
    running = [e for e in plan.events if e.kind == "resync"]
    if not first and not running:
        return
    host = _base_host(plan)
    steps: list[tuple[list[str], dict[str, Any]]] = []
    if first:
        for ev in first:
            _act(host, ev)
        waited = 0.0
        while (n := host.md.next_completion()) is not None and waited < MAX_WAIT:
            host.advance(n + 1.0)
            waited += n + 1.0
        step: dict[str, Any] = {}
        commands = [c for e in first for c in e.commands]
        errors = [c for e in first for c in e.io_errors]
        if commands:
            step["commands"] = commands
        if errors:
            step["io_errors"] = errors
        if waited:
            step["advance"] = float(math.ceil(waited))
        steps.append(([e.why for e in first] + (
            [f"then {math.ceil(waited)} s for the spares' resyncs to finish"]
            if waited else []), step))
    timed: list[tuple[float, Event]] = []
    for ev in running:
        _act(host, ev)
        m = _mirror(host, ev.mirror)
        if m is None or not m.jobs:
            plan.notes.append(_note(ev, "no resync started on the imported host"))
            continue
        pct = ev.percent if ev.percent is not None else "0"
        total = m.jobs[-1].total
        timed.append((band_target(pct, total) / host.md.mirror_rate(host.md.sets[""], m), ev))
    timed.sort(key=lambda x: -x[0])
    for i, (t, ev) in enumerate(timed):
        after = timed[i + 1][0] if i + 1 < len(timed) else 0.0
        step = {}
        if ev.commands:
            step["commands"] = ev.commands
        if ev.io_errors:
            step["io_errors"] = ev.io_errors
        step["advance"] = round(t - after, 6)
        steps.append(([ev.why, f"then {step['advance']} s (at the host's resync rate) "
                       "leaves it where metastat saw it"], step))
    plan.doc["setup"] = [s for _, s in steps]
    plan.comments["setup"] = [" / ".join(why) for why, _ in steps]


def _note(ev: Event, reason: str) -> Note:
    return Note("import", None, f"{ev.why}: {reason}")


def scenario_text(plan: HostPlan) -> str:
    """The commented TOML of a plan."""
    caps = plan.captures
    out = [f"# {plan.hostname}: a scenario imported from the host's own captures "
           "(svmsim import).",
           "# Captures:", *[f"#   {c.source}" for c in caps.given()],
           "# Each table is what they show; the [[setup]] steps put the host in the states",
           "# metastat showed. Decided by the import (edit to suit): no workload on the file",
           "# systems, a generated file tree of df -k's used size, and a tape /dev/rmt/0.",
           ]
    if plan.notes:
        out.append("# Notes (svmsim import --check lists every line not reproduced):")
        out += [f"#   - {n.text()}" for n in plan.notes]
    out.append("")
    doc = plan.doc
    for key in ("scenario", "host"):
        out.append(to_toml({key: doc[key]}).rstrip("\n"))
        out.append("")
    comments = {
        "disk": "# disks: size, geometry and slices from prtvtoc; device IDs from metastat",
        "replica": "# state database replicas, as metadb lists them",
        "hsp": "# hot spare pools, oldest first (metastat lists the newest first)",
        "stripe": "# concats/stripes in creation order (metastat lists the newest first)",
        "softpart": "# soft partitions at their extents (metastat -p's -o/-b)",
        "mirror": "# mirrors in creation order, each as metainit dM -m dS... made it",
        "filesystem": "# UFS file systems of vfstab/mnttab; size: df -k's used space",
        "tape": "# not captured: a drive for the backup script (edit to suit)",
    }
    for key, comment in comments.items():
        if key in doc:
            out.append(comment)
            out.append(to_toml({key: doc[key]}).rstrip("\n"))
            out.append("")
    for why, step in zip(plan.comments.get("setup", []), doc.get("setup", []), strict=True):
        out.append(f"# {why}")
        out.append(to_toml({"setup": [step]}).rstrip("\n"))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
