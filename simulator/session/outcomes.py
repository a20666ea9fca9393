"""The outcome of a run: one word for what became of the host and the backup.

Each run is classified into exactly one outcome, from the transcript, the host as the run
found it (``Transcript.initial``) and the host at the end, in this order of precedence:

1. ``hung``: the host hung (``lockfs -w /``; the driver can never finish);
2. ``timed-out``: the driver was killed at the real-time limit, or ran past the virtual one;
3. ``left-degraded``: the driver left a lock, a detached submirror or lost redundancy behind
   (what was there before it ran does not count), a crash included;
   ``crashed``: else, the host went down (an injected panic or reboot) and the driver with it;
4. exit 0: ``backed-up`` when the last dump is a complete, clean and consistent archive
   (see :func:`simulator.session.checks.dump_source`), else ``read-only`` when nothing
   changed and the expectation admits a monitor, else ``silent-failure``;
5. non-zero exit: ``refused`` when nothing changed, else ``failed-cleanly``.

The checks (:mod:`simulator.session.checks`) are the evidence under the outcome. A run
passes when its outcome is one the scenario accepts (``[expect] outcome``, or
``svmsim run --expect``) and every check held (``backup-made`` and
``archive-matches-detach-view`` only count for ``backed-up``: a failed-cleanly run's dump
failed, and that is what its outcome says). The README's table of outcomes is
:func:`outcomes_table`, from :data:`OUTCOMES`. This taxonomy is svmsim's own (the issue
"Verdicts you can trust"); illumos has no such notion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.scenario.schema import OUTCOME_NAMES
from simulator.session.checks import Check, Run, decisive, evaluate

OUTCOMES: dict[str, str] = {
    "backed-up": "exit 0 with a complete, clean, consistent archive of a submirror detached "
                 "under a write lock (or of a volume whose file system was unmounted or "
                 "write-locked through the dump), and the host restored",
    "refused": "a non-zero exit, and nothing changed: no lock, detach or dump",
    "failed-cleanly": "a non-zero exit after changing something, with the host restored "
                      "(locks released, submirrors back, redundancy as it was)",
    "silent-failure": "exit 0 without a valid backup (none made, incomplete, or not a "
                      "consistent image)",
    "left-degraded": "the driver left a lock, a detached submirror or lost redundancy "
                     "behind (whatever its exit status)",
    "hung": "the host hung (`lockfs -w /`): the driver could never finish",
    "timed-out": "the driver was killed at `--timeout` real seconds, or ran past the "
                 "virtual time limit",
    "read-only": "exit 0 and nothing changed, where the expectation admits a monitor "
                 "(`read-only` is among the acceptable outcomes)",
    "crashed": "the host panicked or rebooted (an injected fault) and the driver died with "
               "it; after the boot the host is whole (acceptable by default in a run with "
               "faults)",
}
assert tuple(OUTCOMES) == OUTCOME_NAMES, "the schema's outcome names and OUTCOMES differ"
FAULTS = ("silent-failure", "left-degraded", "hung", "timed-out")


@dataclass
class Judgement:
    """A run's verdict: its outcome and why, the outcomes accepted, and the checks."""

    outcome: str
    reason: str
    expected: tuple[str, ...]
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome in self.expected and \
            all(c.held for c in decisive(self.checks, self.outcome))

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "reason": self.reason,
                "expected": list(self.expected), "passed": self.passed}


def classify(run: Run) -> tuple[str, str]:
    """The run's one outcome and a one-line reason (the module's order of precedence)."""
    if run.hung:
        return "hung", f"the host hung: {run.hung}"
    if run.timed_out:
        return "timed-out", run.timed_out
    if run.left_behind:
        return "left-degraded", "left behind: " + ", ".join(run.left_behind)
    if run.transcript.panics:
        down = run.transcript.panics[-1]
        return "crashed", f"the host went down ({down.message.splitlines()[0]}) and the " \
                          "driver died with it; the host is whole after the boot"
    backup = run.outcome
    code = run.driver_exit
    if code == 0:
        if backup.dumps and backup.valid:
            return "backed-up", (f"archive {backup.archive} complete and consistent "
                                 f"({backup.source or 'source not judged'}); host restored")
        if not run.changed and "read-only" in run.expect.outcomes():
            return "read-only", "exit 0, nothing changed"
        return "silent-failure", "exit 0 without a valid backup: " + _why_invalid(run)
    if not run.changed:
        return "refused", f"exit {code}, nothing changed"
    return "failed-cleanly", f"exit {code}; the host restored"


def _why_invalid(run: Run) -> str:
    backup = run.outcome
    if not backup.dumps:
        return "no ufsdump was run"
    if backup.error:
        return f"archive unreadable ({backup.error})"
    if not backup.completed:
        return "the dump did not complete"
    if backup.fsck_clean is False:
        return "fsck was not clean on what was dumped"
    if backup.unreadable:
        return (f"{backup.unreadable} sector(s) of the dumped device could not be read and "
                "are zeros in the archive (ufsdump said DUMP IS DONE)")
    if backup.consistent is False:
        return backup.inconsistency
    return f"{len(backup.differing)} file(s) differ from what applications saw"


def judge(run: Run, expected: tuple[str, ...] | None = None) -> Judgement:
    """The outcome of ``run`` and its checks; ``expected`` overrides the scenario's."""
    outcome, reason = classify(run)
    accepted = expected or run.expect.outcomes()
    if not expected and not run.expect.outcome and run.transcript.faults \
            and "crashed" not in accepted:
        accepted = (*accepted, "crashed")      # a fault run may crash the host
    return Judgement(outcome, reason, accepted, evaluate(run))


def parse_outcomes(text: str) -> tuple[str, ...]:
    """``backed-up,refused`` -> the outcomes; a ValueError names an unknown one, with a
    suggestion (difflib)."""
    import difflib
    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    if not names:
        raise ValueError("no outcome given (one or more of: " + ", ".join(OUTCOMES) + ")")
    for name in names:
        if name not in OUTCOMES:
            close = difflib.get_close_matches(name, OUTCOMES, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"unknown outcome '{name}' ({hint}known: "
                             + ", ".join(OUTCOMES) + ")")
    return names


def outcomes_table() -> str:
    """The README's table of outcomes, from :data:`OUTCOMES` (markdown)."""
    rows = ["| outcome | when |", "|---|---|"]
    rows += [f"| `{name}` | {text} |" for name, text in OUTCOMES.items()]
    return "\n".join(rows) + "\n"
