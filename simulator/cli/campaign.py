"""``svmsim campaign``: a driver run against every fault kind at every step.

    svmsim campaign --scenario NAME|PATH [--seed N] [--workers N] [--explore N]
                    [--kinds K,...] [--report text|json|html] [--out FILE]
                    [--executor local|dask] [--address tcp://HOST:PORT] [--timeout S]
                    -- COMMAND [ARG...]

Runs COMMAND once with no fault to learn its steps, then once for every fault kind (or
those ``--kinds`` names) at every injection point, then ``--explore N`` random schedules of
one to three faults, each bad one shrunk to the smallest (:mod:`simulator.campaign`).
Exit status: 0 no run gave a bad outcome (silent-failure, left-degraded, hung, timed-out),
1 some did, 2 usage, scenario or executor errors (one line, never a traceback). A progress
bar goes to standard error when it is a terminal; the report to standard output or
``--out``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

EXIT_CLEAN, EXIT_BAD, EXIT_USAGE = 0, 1, 2


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return n


def _positive(text: str) -> int:
    n = _count(text)
    if n == 0:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return n


def _seconds(text: str) -> float:
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not s > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return s


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "campaign", help="run a driver against every fault at every step",
        description="Run COMMAND once on a fresh host from SCENARIO to learn its steps, then "
        "once for every fault kind at every injection point (before and after each fake "
        "call, inside ufsdump, dd, fsck and resyncs), plus --explore N random fault schedules "
        "shrunk by Hypothesis. Report: the matrix (injection point x fault -> outcome), "
        "every bad cell with a one-line 'svmsim run --fault' reproducer. Exit status: 0 no "
        "bad outcome, 1 some, 2 usage.")
    p.add_argument("--scenario", required=True, metavar="NAME|PATH",
                   help="shipped scenario name or TOML file")
    p.add_argument("--seed", type=_count, default=0, metavar="N",
                   help="seed of the random schedules (default 0): the same seed, the same "
                   "campaign")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="local worker processes (default: every core)")
    p.add_argument("--explore", type=_count, default=0, metavar="N",
                   help="random schedules of 1-3 faults to run after the matrix (default 0)")
    p.add_argument("--kinds", metavar="K,...", help="only these fault kinds (default: all)")
    p.add_argument("--report", choices=("text", "json", "html"), default="text")
    p.add_argument("--out", metavar="FILE", help="write the report to FILE")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask distributed cluster")
    p.add_argument("--address", metavar="tcp://HOST:PORT",
                   help="the Dask scheduler's address (with --executor dask)")
    p.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="real seconds before one run's driver is killed (default 120)")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARG...]")
    p.set_defaults(func=cmd_campaign)


def _progress_bar() -> Any:
    """A rich progress bar on standard error, or None when it is not a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)


def cmd_campaign(args: argparse.Namespace) -> int:
    from simulator.campaign import Campaign, CampaignError, ExecutorError, make_executor
    from simulator.campaign.jobs import RUN_TIMEOUT
    from simulator.campaign.report import render, write_text
    from simulator.cli.run import driver_problem
    from simulator.scenario import ScenarioError, load_scenario
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]

    def usage(message: str) -> int:
        print(f"svmsim campaign: {message}", file=sys.stderr)
        return EXIT_USAGE

    if not command:
        return usage("no COMMAND given (svmsim campaign --scenario NAME -- COMMAND ...)")
    problem = driver_problem(command)
    if problem:
        return usage(problem)
    try:
        load_scenario(args.scenario)
        from simulator.campaign import kind_names
        kinds = kind_names(args.kinds) if args.kinds is not None else None
        executor = make_executor(args.executor, args.workers, args.address)
    except (ScenarioError, CampaignError, ExecutorError) as e:
        return usage(str(e))
    bar = _progress_bar()
    tasks: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if bar is None:
            return
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    try:
        with executor:
            campaign = Campaign(args.scenario, command, kinds=kinds, seed=args.seed,
                                explore=args.explore, timeout=args.timeout or RUN_TIMEOUT,
                                executor=executor)
            if bar is not None:
                with bar:
                    result = campaign.run(progress)
            else:
                result = campaign.run()
    except (ScenarioError, CampaignError, ExecutorError) as e:
        return usage(str(e))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(render(result, args.report))
        return result.exit_code
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:   # a report never dies of the output's encoding
        reconfigure(errors="backslashreplace")
    if args.report == "text":
        from rich.console import Console
        tty = sys.stdout.isatty() or "COLUMNS" in os.environ
        write_text(result, Console(file=sys.stdout, highlight=False,
                                   width=None if tty else 100))
    else:
        sys.stdout.write(render(result, args.report))
    sys.stdout.flush()
    return result.exit_code
