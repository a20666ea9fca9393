"""``svmsim run``: the product's main job, as a subcommand of the ``svmsim`` CLI.

    svmsim run --scenario seed-example [--report text|json|junit] [--out FILE]
               [--expect OUTCOME[,OUTCOME]] -- sh backup.sh

Exit 0 when the run passed (its outcome is acceptable and every check held), 1 when it
failed, 2 for usage or scenario errors (a missing or non-executable driver included:
nothing is run, no sandbox path is shown), 3 when the host hung or the driver timed out
(and the scenario did not accept that). The driver's own output passes through unchanged
and the text report follows it; a JSON or JUnit report on standard output comes alone (the
driver's standard output then goes to standard error), and every report can go to
``--out``. The text report has colour and the terminal's width on a terminal (rich), none
in a pipe; reports never fail on the output's encoding.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

# interpreters whose first operand is the driver script: a missing script is a usage error
INTERPRETERS = ("sh", "bash", "dash", "ksh", "ksh93", "mksh", "zsh", "python", "python3",
                "perl")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run a backup driver against a simulated host and judge it",
        description="Start a fresh simulated host from SCENARIO and run COMMAND (a site's own "
        "script, unmodified) so that every SVM and UFS command it calls answers from the "
        "simulation, then judge the run: one outcome (backed-up, refused, failed-cleanly, "
        "silent-failure, left-degraded, hung, timed-out, read-only) with named checks as "
        "its evidence. Exit status: 0 passed, 1 failed, 2 usage or scenario error (also a "
        "missing or non-executable driver), 3 the host hung or the driver timed out. With "
        "--report json or junit and no --out, the report alone is on standard output and "
        "the driver's standard output goes to standard error.")
    p.add_argument("--scenario", required=True, metavar="NAME|PATH",
                   help="shipped scenario name or TOML file")
    p.add_argument("--report", choices=("text", "json", "junit"), default="text")
    p.add_argument("--out", metavar="FILE", help="write the report to FILE")
    p.add_argument("--expect", type=_outcomes, metavar="OUTCOME[,OUTCOME]",
                   help="the acceptable outcomes (overrides the scenario's [expect] outcome)")
    p.add_argument("--sandbox", choices=("unshare", "proot"), default=None,
                   help="force a sandbox method (default: unshare, proot as fallback)")
    p.add_argument("--shim", choices=("c", "python"), default=None,
                   help="force the shim client kind (default: c when a compiler exists)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="real seconds before the driver is killed (default 600)")
    p.add_argument("--keep", metavar="DIR",
                   help="copy the files the driver left in its private view (dumps, logs) "
                        "into DIR, at their paths inside the view (DIR/var/tmp/x.dump); "
                        "without it they are listed in the report and removed")
    p.add_argument("--fault", action="append", default=[], type=_fault, metavar="SPEC",
                   dest="faults", help="inject a fault (repeatable): KIND[:TARGET][,KEY=VALUE"
                   "...][@TRIGGER], e.g. 'panic@ufsdump:50%%' (README, Faults)")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARG...]")
    p.set_defaults(func=cmd_run)


def _fault(text: str) -> Any:
    """A ``--fault`` SPEC parsed (simulator.faults), or argparse's one-line complaint."""
    from simulator.faults import FaultError, parse_fault
    try:
        return parse_fault(text)
    except FaultError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _outcomes(text: str) -> tuple[str, ...]:
    from simulator.session.outcomes import parse_outcomes
    try:
        return parse_outcomes(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def driver_problem(command: list[str]) -> str | None:
    """Why COMMAND cannot be run (checked before any sandbox is made), or None.

    The program must exist and be executable (a bare name: on PATH, or a fake command);
    for an interpreter (``sh script.sh``), its script operand must exist.
    """
    from simulator.core.registry import PROGRAMS
    prog = command[0]
    if "/" in prog:
        if not os.path.exists(prog):
            return f"{prog}: no such file"
        if os.path.isdir(prog) or not os.access(prog, os.X_OK):
            return (f"{prog}: not executable (chmod +x it, or name its interpreter: "
                    f"sh {prog})")
    elif shutil.which(prog) is None and prog not in PROGRAMS:
        return f"{prog}: command not found"
    name = os.path.basename(prog).rstrip("0123456789.")
    if name in INTERPRETERS and len(command) > 1 and not command[1].startswith("-") \
            and not os.path.exists(command[1]):
        return f"{command[1]}: no such file"
    return None


@contextlib.contextmanager
def _stdout_to_stderr(active: bool) -> Iterator[None]:
    """While the driver runs, its standard output (our fd 1, inherited) is our stderr."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _usage_problem(args: argparse.Namespace, command: list[str]) -> str | None:
    """What is wrong with the command line before anything is run (its one-line message),
    or None."""
    if not command:
        return "no COMMAND given (svmsim run --scenario NAME -- COMMAND ...)"
    problem = driver_problem(command)
    if problem:
        return problem
    if args.keep and os.path.exists(args.keep) and not os.path.isdir(args.keep):
        return f"--keep {args.keep}: not a directory"
    return None


def _plain_stdout() -> bool:
    """Whether rich would write the text report on our standard output as plain text at 100
    columns (no terminal, no colour forced, no width given, a UTF encoding for its box), so
    that :func:`~simulator.session.verdict.plain_text` writes the same characters."""
    env = os.environ
    if "COLUMNS" in env or "FORCE_COLOR" in env or "TTY_COMPATIBLE" in env:
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        if isatty is None or isatty():
            return False
    except ValueError:      # closed: left to rich, as before
        return False
    return (getattr(sys.stdout, "encoding", None) or "utf-8").lower().startswith("utf")


def cmd_run(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    problem = _usage_problem(args, command)
    if problem:
        from simulator.session.verdict import EXIT_USAGE
        print(f"svmsim run: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from simulator.cli import collect_garbage
    from simulator.harness.sandbox import SandboxError, start_probe
    if args.sandbox != "proot":
        start_probe()   # on another core while the simulator is imported and the host made
    from simulator.harness.runner import HarnessRun
    from simulator.scenario import ScenarioError, load_scenario
    from simulator.session.verdict import (
        EXIT_USAGE,
        plain_text,
        prepare_text,
        render,
        write_text,
    )
    report_alone = args.report != "text" and not args.out
    # a text report on standard output: laid out without rich when it is plain there, else
    # rich is warmed up while the driver runs
    plain_out = args.report == "text" and not args.out and _plain_stdout()
    warm_up = args.report == "text" and not args.out and not plain_out
    try:
        scenario = load_scenario(args.scenario)
        run = HarnessRun(scenario, command, method=args.sandbox, client=args.shim,
                         timeout=args.timeout, expected=args.expect, keep=args.keep,
                         faults=args.faults)
        collect_garbage(args, True)     # while the driver runs
        with _stdout_to_stderr(report_alone):
            result, _ = run.run(meanwhile=prepare_text if warm_up else None)
        collect_garbage(args, False)    # the verdict and the report: bounded work
    except (ScenarioError, ValueError, SandboxError) as e:
        print(f"svmsim run: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(render(result, args.report))
        return result.exit_code
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:   # a report never dies of the output's encoding
        reconfigure(errors="backslashreplace")
    sys.stdout.flush()
    text = plain_text(result) if plain_out else None
    if text is not None:
        sys.stdout.write(text)
    elif args.report == "text":
        from rich.console import Console
        tty = sys.stdout.isatty() or "COLUMNS" in os.environ
        write_text(result, Console(file=sys.stdout, highlight=False,
                                   width=None if tty else 100))
    else:
        sys.stdout.write(render(result, args.report))
    sys.stdout.flush()
    return result.exit_code
