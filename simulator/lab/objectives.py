"""Grading a lab: each objective against the trainee's commands and the final host.

The tests an objective can name (one each, ``simulator.lab.labfile.Objective``):

``check``
    a verdict check by name (``simulator.session.checks``: ``filesystems-unlocked``,
    ``submirrors-reattached``, ``detached-under-write-lock``, ``backup-made``, ``no-hang``...),
    run over the session as for a driver (the lab's ``[expect]`` adjusts it). A check that
    does not apply (nothing was detached, no dump ran) has not been met: the trainee did not
    do what it judges.
``ran``
    a command whose line (program name without its directory, then its arguments) matches the
    regular expression was run; with ``ok = true`` it also exited 0. Every command counts,
    the shell's own too (``cat /var/adm/messages``).
``order``
    ``[A, B]``: a command matching A ran successfully, no later than the first matching B
    (``"@change"``: the first command that changed the host's volumes, locks or mounts; the
    A itself may be it). B never running is no fault of the order.
``after``
    ``[A, B]``: a command matching B ran after the first successful one matching A
    ("after the reboot, read /var/adm/messages").
``lock``
    the trainee's write locks of ``mount``: there was one (unless ``required = false``),
    each lasted at most ``max_seconds`` virtual seconds, none was held while a command of
    ``not_during`` ran (the dump), and none is left.
``state``
    phrases on the host as it is now (``simulator.lab.labfile.STATE_PHRASES``).

Any objective may also say ``when``: it counts only once a command matching that regex
succeeded (``"@change"``: once anything changed the host), so that an end state the host
started in ("d1 Okay") or an order nothing has tested yet earns nothing by itself.

A lab is graded on its current attempt (``lab reset`` starts a new one); the score is the
points of the objectives met over all points, in percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.lvm.md.records import Mirror
from simulator.session.checks import Run, lock_spans, run_checks
from simulator.session.transcript import summarize

if TYPE_CHECKING:
    from simulator.core.files import FileAccess
    from simulator.host import Host
    from simulator.lab.labfile import Lab, Objective
    from simulator.session.session import Session


@dataclass
class Command:
    """One simple command the trainee ran (a fake program or one of the shell's own)."""

    index: int
    argv: list[str]
    exit_code: int
    start: float
    end: float
    changes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What ``ran``/``order`` match: the program's name, then its arguments."""
        return " ".join([self.argv[0].rsplit("/", 1)[-1], *self.argv[1:]])

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "command": self.text, "exit_code": self.exit_code,
                "start": self.start, "end": self.end, "changes": self.changes}


@dataclass
class Result:
    """One objective graded: met or not, the points earned, and what the trainee is told."""

    id: str
    text: str
    points: int
    held: bool
    feedback: str
    detail: str = ""

    @property
    def earned(self) -> int:
        return self.points if self.held else 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "points": self.points,
                "earned": self.earned, "held": self.held, "feedback": self.feedback,
                "detail": self.detail}


@dataclass
class Grade:
    results: list[Result]

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def earned(self) -> int:
        return sum(r.earned for r in self.results)

    @property
    def score(self) -> float:
        """Percent of the points earned (one decimal; a whole number when it is one)."""
        pct = round(100.0 * self.earned / self.total, 1) if self.total else 0.0
        return int(pct) if pct == int(pct) else pct

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "points": self.earned, "of": self.total,
                "objectives": [r.to_dict() for r in self.results]}


def grade(lab: Lab, session: Session, commands: list[Command],
          files: FileAccess | None = None) -> Grade:
    """Every objective of ``lab`` against this attempt (``files``: the host's, where the
    checks read the dump archives)."""
    expect = lab.scenario.expect
    with session.lock:
        checks = {c.name: c for c in run_checks(session.host, session.transcript, 0,
                                                session.hung, expect,
                                                resolve=files.resolve if files else None)}
        run = Run(session.host, session.transcript, 0, session.hung, expect)
        return Grade([_grade_one(o, session, run, checks, commands)
                      for o in lab.spec.objective])


def _grade_one(o: Objective, session: Session, run: Run, checks: dict[str, Any],
               commands: list[Command]) -> Result:
    if o.when is not None and _first(o.when, commands, ok=True) is None:
        return Result(o.id, o.text, o.points, False, o.fail or o.text,
                      "nothing to judge yet: no command " + (
                          "has changed the host" if o.when == "@change" else
                          f"matching {o.when} has succeeded"))
    held, detail = _test(o, session, run, checks, commands)
    return Result(o.id, o.text, o.points, held, o.pass_ if held else o.fail or o.text, detail)


def _test(o: Objective, session: Session, run: Run, checks: dict[str, Any],
          commands: list[Command]) -> tuple[bool, str]:
    if o.check is not None:
        found = checks.get(o.check)
        if found is None:
            return False, f"{o.check}: nothing to judge yet"
        return bool(found.held), f"{o.check}: {found.summary}"
    if o.ran is not None:
        rx = re.compile(o.ran)
        hits = [c for c in commands if rx.search(c.text) and (not o.ok or c.exit_code == 0)]
        return (bool(hits), f"ran: {hits[0].text}" if hits else f"no command matched {o.ran}")
    if o.order is not None:
        return _order(o.order, commands)
    if o.after is not None:
        return _after(o.after, commands)
    if o.lock is not None:
        return _lock(o, run, commands)
    assert o.state is not None
    bad = [p for p in o.state if not state_holds(session.host, p)]
    return (not bad, "not yet: " + "; ".join(bad) if bad else "all of: " + "; ".join(o.state))


def _first(rx: str, commands: list[Command], ok: bool = False) -> Command | None:
    if rx == "@change":
        return next((c for c in commands if c.changes), None)
    pattern = re.compile(rx)
    return next((c for c in commands if pattern.search(c.text)
                 and (not ok or c.exit_code == 0)), None)


def _order(order: list[str], commands: list[Command]) -> tuple[bool, str]:
    first, then = order
    a = _first(first, commands, ok=True)
    b = _first(then, commands)
    if a is None:
        return False, f"no successful command matched {first}"
    if b is None or a.index <= b.index:
        return True, f"{a.text} (command {a.index}) came first"
    return False, f"{b.text} (command {b.index}) came before {a.text} (command {a.index})"


def _after(after: list[str], commands: list[Command]) -> tuple[bool, str]:
    first, then = after
    a = _first(first, commands, ok=True)
    if a is None:
        return False, f"no successful command matched {first}"
    pattern = re.compile(then)
    b = next((c for c in commands if c.index > a.index and pattern.search(c.text)), None)
    if b is None:
        return False, f"nothing matching {then} after {a.text} (command {a.index})"
    return True, f"{b.text} (command {b.index}) after {a.text} (command {a.index})"


def _lock(o: Objective, run: Run, commands: list[Command]) -> tuple[bool, str]:
    rule = o.lock
    assert rule is not None
    now = run.host.clock.now
    spans = [s for s in lock_spans(run.transcript, now) if s.mount == rule.mount and s.by_driver]
    if not spans:
        return (not rule.required), f"{rule.mount} was never write-locked"
    problems = []
    for s in spans:
        if not s.released:
            problems.append(f"{rule.mount} is still write-locked")
        elif s.seconds > rule.max_seconds:
            problems.append(f"write-locked for {s.seconds:.0f} virtual seconds (at most "
                            f"{rule.max_seconds:.0f})")
        during = [c for c in commands if c.text.split()[0] in rule.not_during
                  and c.start < s.until and c.end > s.since]
        if during:
            problems.append(f"locked while `{during[0].text}` ran")
    longest = max(s.seconds for s in spans)
    return (not problems, "; ".join(problems) if problems else
            f"longest write lock {longest:.1f} virtual seconds")


def state_holds(host: Host, phrase: str) -> bool:
    """Whether one state phrase holds on ``host`` now."""
    words = phrase.split()
    s = host.md.sets[""]
    if phrase == "host up":
        return not host.hung_reason
    if phrase == "replicas okay":
        return bool(s.replicas) and all(r.healthy for r in s.replicas)
    if words[0].startswith("/"):
        mount = words[0]
        mounted = any(m == mount for m, _ in host.fs.mounts())
        if words[1] == "mounted":
            return mounted
        return mounted and host.fs.lock_of(mount) == "unlock"
    unit = s.units.get(words[0])
    if words[1] == "exists":
        return unit is not None
    if words[1] == "absent":
        return unit is None
    if not isinstance(unit, Mirror):
        return False
    if words[1] == "okay":
        mirror = summarize(host)["mirrors"][words[0]]
        return mirror["resync"] is None and all(
            state == "Okay" for state in mirror["members"].values())
    subs = {slot.name for slot in unit.submirrors}
    return (words[2] in subs) == (words[1] == "has")
