"""``svmsim run``: the product's main job, as a subcommand of the ``svmsim`` CLI.

    svmsim run --scenario seed-example [--report text|json|junit] [--out FILE] -- sh backup.sh

Exit 0 when every check held, 1 when one failed, 2 for usage or scenario errors. The
driver's own output passes through unchanged; the text report follows it, or every report
goes to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run a backup driver against a simulated host and judge it",
        description="Start a fresh simulated host from SCENARIO and run COMMAND (a site's own "
        "script, unmodified) so that every SVM and UFS command it calls answers from the "
        "simulation. Exit 0 when all checks held, 1 when any failed, 2 for usage or "
        "scenario errors.")
    p.add_argument("--scenario", required=True, metavar="NAME|PATH",
                   help="shipped scenario name or TOML file")
    p.add_argument("--report", choices=("text", "json", "junit"), default="text")
    p.add_argument("--out", metavar="FILE", help="write the report to FILE")
    p.add_argument("--sandbox", choices=("unshare", "proot"), default=None,
                   help="force a sandbox method (default: unshare, proot as fallback)")
    p.add_argument("--shim", choices=("c", "python"), default=None,
                   help="force the shim client kind (default: c when a compiler exists)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="real seconds before the driver is killed (default 600)")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARG...]")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from simulator.harness.runner import HarnessRun
    from simulator.harness.sandbox import SandboxError
    from simulator.scenario import ScenarioError, load_scenario
    from simulator.session.verdict import render
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("svmsim run: no COMMAND given (svmsim run --scenario NAME -- COMMAND ...)",
              file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
        run = HarnessRun(scenario, command, method=args.sandbox, client=args.shim,
                         timeout=args.timeout)
        result, _ = run.run()
    except (ScenarioError, ValueError) as e:
        print(f"svmsim run: {e}", file=sys.stderr)
        return 2
    except SandboxError as e:
        print(f"svmsim run: {e}", file=sys.stderr)
        return 2
    text = render(result, args.report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.flush()
        sys.stdout.write(text)
    return result.exit_code
