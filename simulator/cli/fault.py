"""``svmsim fault add|list|clear|kinds`` and ``svmsim reboot``: faults on a saved host.

    svmsim fault add --state DIR [--seed N] SPEC...    arm faults (the one-line syntax)
    svmsim fault list --state DIR                      the handlers, as zinject lists them
    svmsim fault clear --state DIR ID|all              remove handlers (undo what they did)
    svmsim fault kinds                                 the catalogue, one line a kind
    svmsim reboot --state DIR                          a clean reboot (init 6) of the host

The plan is saved with the host (``state.json``'s ``faults``), so a fault armed here fires
in a later ``svmsim exec``/``advance``. Listing and clearing follow zinject(1M)'s handlers
(numbered, ``-c ID|all``; with none, ``No handlers registered.``). A fault that takes the
host down (panic, reboot) while it is armed here or in ``exec`` makes the host crash and boot;
the command that was running dies with it (exit 137, as a process killed by SIGKILL).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

KILLED_EXIT = 137       # 128 + SIGKILL: how a command dies with its host


def register(subparsers: Any) -> None:
    fault = subparsers.add_parser(
        "fault", help="arm, list and clear injected faults on a saved host",
        description="Arm, list and clear faults on the host saved in a state directory "
        "(see README, Faults).")
    sub = fault.add_subparsers(dest="fault_cmd", metavar="add|list|clear|kinds",
                               required=True)
    state = {"metavar": "DIR", "default": os.environ.get("SVMSIM_STATE"),
             "help": "state directory (default: $SVMSIM_STATE)"}
    p = sub.add_parser("add", help="arm faults: KIND[:TARGET][,KEY=VALUE...][@TRIGGER]")
    p.add_argument("--state", **state)
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the p: triggers when the host has no plan yet (default 0)")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.set_defaults(func=cmd_add, cmd="fault add")
    p = sub.add_parser("list", help="the armed faults, as zinject lists its handlers")
    p.add_argument("--state", **state)
    p.set_defaults(func=cmd_list, cmd="fault list")
    p = sub.add_parser("clear", help="remove a fault handler (ID) or all of them")
    p.add_argument("--state", **state)
    p.add_argument("which", metavar="ID|all")
    p.set_defaults(func=cmd_clear, cmd="fault clear")
    p = sub.add_parser("kinds", help="the fault kinds, one line each")
    p.set_defaults(func=cmd_kinds, cmd="fault kinds")
    p = subparsers.add_parser("reboot", help="reboot the saved host cleanly (init 6)",
                              description="Reboot the saved host as init 6 does: locks "
                              "drop, vfstab's file systems are mounted, resyncs restart "
                              "from their checkpoints.")
    p.add_argument("--state", **state)
    p.set_defaults(func=cmd_reboot, cmd="reboot")


def _store(args: argparse.Namespace) -> Any:
    from simulator.cli import CLIError
    from simulator.state_store import StateStore
    if not args.state:
        raise CLIError(f"svmsim {args.cmd}: no state directory (give --state DIR or set "
                       "SVMSIM_STATE)")
    return StateStore(args.state)


def went_down(host: Any, down: Any) -> int:
    """The host panicked or rebooted under a command: it crashes and boots; one line."""
    host.crash(down)
    what = "rebooted" if down.clean else "panicked: " + str(down).split("\n")[0]
    print(f"svmsim: host {what} (the command died with it)", file=sys.stderr)
    return KILLED_EXIT


def cmd_add(args: argparse.Namespace) -> int:
    from simulator.cli import CLIError
    from simulator.core.errors import HostPanic
    from simulator.faults import FaultError, arm, parse_fault
    try:
        faults = [parse_fault(s) for s in args.specs]
    except FaultError as e:
        raise CLIError(f"svmsim fault add: {e}") from None
    store = _store(args)
    with store.locked():
        host = store.load()
        try:
            plan = arm(host, [], seed=args.seed)
            added = [plan.add(f) for f in faults]
        except FaultError as e:
            raise CLIError(f"svmsim fault add: {e}") from None
        except HostPanic as e:
            code = went_down(host, e)
            store.save(host)
            return code
        store.save(host)
    for a in added:
        print(f"Added handler {a.id} with the following properties:\n  fault: {a.fault}\n"
              f"  state: {a.state}" + (f"\n  note: {a.note}" if a.note else ""))
    return 0


def list_text(plan: Any) -> str:
    """The handlers as a table (zinject's layout: ID, then the columns, dashes under)."""
    rows = [(str(a.id), a.fault.kind, a.fault.target or "-", a.fault.trigger, a.state)
            for a in plan.entries()]
    if not rows:
        return "No handlers registered.\n"
    head = ("ID", "KIND", "TARGET", "TRIGGER", "STATE")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) if i == 0 else c.ljust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in [head, tuple("-" * w for w in widths), *rows]]
    return "\n".join(lines) + "\n"


def cmd_list(args: argparse.Namespace) -> int:
    from simulator.faults import FaultPlan
    store = _store(args)
    with store.locked(exclusive=False):
        host = store.load()
    plan = host.faults if isinstance(host.faults, FaultPlan) else FaultPlan(host)
    sys.stdout.write(list_text(plan))
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    from simulator.cli import CLIError
    from simulator.faults import FaultError, FaultPlan
    which = args.which
    if which != "all" and not which.isdigit():
        raise CLIError(f"svmsim fault clear: invalid handler ID '{which}' (a number, or all)")
    store = _store(args)
    with store.locked():
        host = store.load()
        plan = host.faults if isinstance(host.faults, FaultPlan) else FaultPlan(host)
        try:
            cleared = plan.clear(None if which == "all" else int(which))
        except FaultError as e:
            raise CLIError(f"svmsim fault clear: {e}") from None
        host.faults = plan
        store.save(host)
    for a in cleared:
        print(f"removed handler {a.id}")
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    from simulator.faults import KINDS
    width = max(len(k) for k in KINDS)
    for name in sorted(KINDS):
        kind = KINDS[name]
        print(f"{name.ljust(width)}  {kind.target:<10}  {kind.summary}")
    return 0


def cmd_reboot(args: argparse.Namespace) -> int:
    from simulator.core.errors import HostPanic
    store = _store(args)
    with store.transaction() as host:
        host.crash(HostPanic("reboot", clean=True))
    return 0
