"""The ``svmsim`` command: scenarios, a host kept in a state directory, and its fake commands.

    svmsim scenarios                                   list the shipped scenarios
    svmsim init --scenario NAME|PATH --state DIR       build a host, save it in DIR
    svmsim exec --state DIR [--uid N] -- CMD ARGS...   run one fake command on it
    svmsim state --state DIR                           print the saved host (JSON)
    svmsim advance --state DIR DURATION                let virtual time pass
    svmsim fault add|list|clear|kinds ...              injected faults (cli/fault.py)
    svmsim reboot --state DIR                          reboot the host cleanly (init 6)
    svmsim import [ARCHIVE] [--metastat-p F]... --out SCENARIO.toml | --check
                                                       a scenario from a real host's
                                                       captures (cli/importer.py)
    svmsim lab [NAME [--seed N] [--answers FILE]]      training labs: a shell on a
                                                       simulated host, graded (cli/lab.py)

``exec`` behaves like the real command as a process: its stdout and stderr bytes unchanged,
its exit status, standard input read only if the command reads it. A hung host (``lockfs -w
/``) would never answer again; ``exec`` says ``svmsim: host hung: <reason>`` and exits 124.
``--state`` defaults to ``$SVMSIM_STATE``. Bad usage exits 2, as do missing or corrupt
state and bad scenarios, always with one line and never a traceback.

The other subcommands live beside this module, one module each (``run``: the harness;
``verify``: ``verify-backup``), each with ``register(subparsers)``. Their handlers import what
they need when they run, so ``svmsim exec`` stays quick to start.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import IO, Any, BinaryIO, NoReturn

from simulator.core.errors import Error

HUNG_EXIT = 124
USAGE_EXIT = 2
INTERNAL_EXIT = 70


class CLIError(Error):
    """A one-line complaint about the input; the CLI prints it and exits ``code``."""

    def __init__(self, message: str, code: int = USAGE_EXIT) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------- helpers
def _store(args: argparse.Namespace) -> Any:
    from simulator.state_store import StateStore
    if not args.state:
        raise CLIError(f"svmsim {args.cmd}: no state directory (give --state DIR or set "
                       "SVMSIM_STATE)")
    return StateStore(args.state)


def _write(stream: IO[str], data: bytes) -> None:
    """Bytes to a text stream's underlying buffer (unchanged), or decoded if it has none."""
    buf = getattr(stream, "buffer", None)
    if buf is not None:
        stream.flush()
        buf.write(data)
        buf.flush()
    else:
        stream.write(data.decode("utf-8", errors="replace"))
        stream.flush()


def _stdin_file() -> tuple[BinaryIO | None, bool]:
    """Our standard input as an unbuffered binary file, read only if the command wants it.

    Unbuffered, so a command that reads one line leaves the rest for the script (a
    ``while read`` loop around ``svmsim exec`` keeps its input). None when fd 0 is closed.
    """
    try:
        os.fstat(0)
    except OSError:
        return None, False
    try:
        f: BinaryIO = os.fdopen(0, "rb", buffering=0, closefd=False)
        return f, os.isatty(0)
    except OSError:
        return None, False


# ---------------------------------------------------------------------------- subcommands
def cmd_scenarios(args: argparse.Namespace) -> int:
    """List shipped scenarios: name and one-line description."""
    from simulator.scenario import ScenarioError, load_scenario, shipped_scenarios
    if args.names:
        print("\n".join(shipped_scenarios()))
        return 0
    rows = []
    for name, path in shipped_scenarios().items():
        try:
            desc = load_scenario(path).description
        except ScenarioError as e:
            desc = f"(invalid: {e})"
        rows.append((name, desc))
    width = max((len(n) for n, _ in rows), default=0)
    for name, desc in rows:
        print(f"{name:<{width}}  {desc}".rstrip())
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Build the scenario's host and save it in the state directory."""
    from simulator.scenario import load_scenario
    store = _store(args)
    sc = load_scenario(args.scenario)
    host = sc.build_host()
    store.create(host)
    if not args.quiet:
        print(f"svmsim: {store.dir}: host {host.hostname} from scenario {sc.name}")
    return 0


def cmd_exec(args: argparse.Namespace) -> int:
    """Run one fake command on the saved host, as a process would, and save the host."""
    from simulator.cli import fault
    from simulator.core.errors import HostPanic
    from simulator.host import HostHung
    argv = list(args.command)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise CLIError("svmsim exec: no command given (usage: svmsim exec --state DIR -- "
                       "CMD [ARGS...])")
    store = _store(args)
    stdin_file, interactive = _stdin_file()
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = "/"
    with store.locked():
        host = store.load()
        if host.hung_reason:
            return _hung(host.hung_reason)
        uid = host.uid if args.uid is None else args.uid
        try:
            result = host.run(argv, uid=uid, env=dict(os.environ), cwd=cwd,
                              interactive=interactive, stdin_file=stdin_file)
        except HostHung as e:
            store.save(host)
            return _hung(str(e) or host.hung_reason or "hung")
        except HostPanic as e:       # an injected fault took the host down
            code = fault.went_down(host, e)
            store.save(host)
            return code
        store.save(host)
    for fd, data in result.chunks:   # in the order the command wrote them (2>&1 keeps it)
        _write(sys.stdout if fd == 1 else sys.stderr, data)
    return result.exit_code % 256


def _hung(reason: str) -> int:
    print(f"svmsim: host hung: {reason}", file=sys.stderr)
    return HUNG_EXIT


def cmd_state(args: argparse.Namespace) -> int:
    """Print the saved host as JSON."""
    import json
    data = _store(args).snapshot()
    print(json.dumps(data, indent=None if args.compact else 2, sort_keys=True))
    return 0


def cmd_advance(args: argparse.Namespace) -> int:
    """Let virtual time pass on the saved host (resyncs progress, workloads write)."""
    from simulator.core.units import parse_duration
    try:
        seconds = parse_duration(args.duration)
    except ValueError as e:
        raise CLIError(f"svmsim advance: {e}") from None
    from simulator.cli import fault
    from simulator.core.errors import HostPanic
    with _store(args).transaction() as host:
        try:
            host.advance(seconds)
        except HostPanic as e:       # an injected fault took the host down
            return fault.went_down(host, e)
    return 0


# ---------------------------------------------------------------------------- parser
class Parser(argparse.ArgumentParser):
    """argparse, with an unknown option reported by the subcommand it was given to (its
    usage, not the top level's) and a suggestion from difflib: Python 3.11's argparse
    suggests nothing (``svmsim run --reprot json`` -> ``did you mean --report?``)."""

    subcommands: dict[str, argparse.ArgumentParser]
    raw_args: list[str] = []       # the command line being parsed (for error suggestions)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        Parser.raw_args = list(sys.argv[1:] if args is None else args)
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            subs = getattr(self, "subcommands", {})
            owner = subs.get(getattr(ns, "cmd", "") or "", self)
            owner.error(f"unrecognized arguments: {' '.join(extras)}"
                        + _suggestion(owner, extras))
        return ns


    def error(self, message: str) -> NoReturn:
        """A required option reported missing because it was mistyped (``--scenaro``) gets
        the same suggestion an unknown option does."""
        import difflib
        if "required" in message:
            known = {o for a in self._actions for o in a.option_strings}
            for word in Parser.raw_args:
                typed = word.split("=", 1)[0]
                close = difflib.get_close_matches(typed, sorted(known), n=1) \
                    if word.startswith("-") and typed not in known else []
                if close:
                    message += f" ({typed}: did you mean {close[0]}?)"
                    break
        super().error(message)


def _suggestion(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    import difflib
    known = [o for a in parser._actions for o in a.option_strings]
    for extra in extras:
        if extra.startswith("-"):
            close = difflib.get_close_matches(extra.split("=", 1)[0], known, n=1)
            if close:
                return f" (did you mean {close[0]}?)"
    return ""


def _state_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--state", metavar="DIR", default=os.environ.get("SVMSIM_STATE"),
                   help="state directory (default: $SVMSIM_STATE)")


def _uid(text: str) -> int:
    try:
        uid = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a user id: {text!r}") from None
    if uid < 0:
        raise argparse.ArgumentTypeError(f"not a user id: {text!r}")
    return uid


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``svmsim`` and every subcommand."""
    from simulator import __version__
    from simulator.cli import campaign, fault, lab, run, verify
    from simulator.cli import importer as import_cmd
    parser = Parser(
        prog="svmsim", description="Simulated Solaris Volume Manager hosts for testing "
        "backup scripts and monitoring plugins.")
    parser.add_argument("--version", action="version", version=f"svmsim {__version__}")
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("scenarios", help="list the shipped scenarios",
                       description="List the shipped scenarios with their descriptions.")
    p.add_argument("--names", action="store_true", help="names only, one a line")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("init", help="build a scenario's host and save it in a state directory",
                       description="Build the host a scenario describes and save it in DIR "
                       "(replacing any state already there).")
    p.add_argument("--scenario", required=True, metavar="NAME|PATH",
                   help="shipped scenario name or path to a TOML file")
    _state_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("exec", help="run one fake command on the saved host",
                       usage="svmsim exec [-h] [--state DIR] [--uid N] -- CMD [ARGS...]",
                       description="Run one fake Solaris command on the host saved in DIR "
                       "and save the result. Prints exactly what the command prints and "
                       "exits with its status (124 if the host is hung).")
    _state_arg(p)
    p.add_argument("--uid", type=_uid, metavar="N",
                   help="user id the command runs as (default: the host's, root)")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD [ARGS...]",
                   help="the command and its arguments (after --)")
    p.set_defaults(func=cmd_exec)

    p = sub.add_parser("state", help="print the saved host as JSON",
                       description="Print the host saved in DIR as JSON.")
    _state_arg(p)
    p.add_argument("--compact", action="store_true", help="one line")
    p.set_defaults(func=cmd_state)

    p = sub.add_parser("advance", help="let virtual time pass on the saved host",
                       description="Let DURATION of virtual time pass on the host saved in "
                       "DIR: resyncs progress, workloads write.")
    _state_arg(p)
    p.add_argument("duration", metavar="DURATION", help="e.g. 30s, 5m, 2h, 1h30m or seconds")
    p.set_defaults(func=cmd_advance)

    verify.register(sub)
    run.register(sub)
    campaign.register(sub)
    fault.register(sub)
    import_cmd.register(sub)
    lab.register(sub)
    parser.subcommands = dict(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``svmsim`` script; returns the exit status."""
    script = argv is None
    if argv is None:
        argv = sys.argv[1:]
        _default_sigpipe()
        gc.disable()    # the script's own process: see collect_garbage
    argv = list(argv)
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:   # --help, --version (0) and usage errors (2)
            return e.code if isinstance(e.code, int) else USAGE_EXIT
        args.script = script
        if args.cmd != "run":   # a run says when (cli/run.py); the others collect from here
            collect_garbage(args, True)
        code = args.func(args)
        return int(code or 0)
    except CLIError as e:
        print(str(e), file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        return _report(e)
    finally:
        if script:
            _leaving()


def _report(e: Exception) -> int:
    """One line for every failure: known ones exit 2, anything else is an internal error."""
    from simulator.scenario import ScenarioError
    from simulator.state_store import StateError
    if isinstance(e, StateError | ScenarioError):
        print(f"svmsim: {e}", file=sys.stderr)
        return USAGE_EXIT
    print(f"svmsim: internal error: {type(e).__name__}: {e}", file=sys.stderr)
    return INTERNAL_EXIT


def collect_garbage(args: argparse.Namespace, on: bool) -> None:
    """Garbage collection on or off in the script's own process (``args.script``: ``main()``
    with no arguments); a caller's (``main([...])`` in tests) is never touched.

    The script starts with it off: what it makes first (the imported simulator, a run's host
    and sandbox) lives until the process ends, and the collector would look at it over and
    over (some 100 collections of a ``svmsim run``, 20-30 ms). ``on``: the objects made so
    far are left alone from now on (``gc.freeze``) and what is made after is collected, as
    while a driver runs (a long run's garbage is collected); ``svmsim run`` turns it off
    again for the bounded work after the driver (the verdict, the report)."""
    if not getattr(args, "script", False):
        return
    if on:
        gc.freeze()
        gc.enable()
    else:
        gc.disable()


def _leaving() -> None:
    """The script is done and its process about to exit: the garbage collector is told to
    leave every object there is alone (``gc.freeze``). Why: Python's exit otherwise searches
    the whole heap for cycles (a run's host, its file system images and transcript, some
    35,000 objects), 30 ms of every ``svmsim run``, for memory the process gives back as
    it ends. Nothing svmsim leaves to the exit waits for a collection: its files are closed
    by ``with``, its temporary directories removed by the commands themselves, and atexit
    hooks and ``weakref.finalize`` run as before. Only the script's own process does this
    (``main()`` with no arguments), never a caller's (``main([...])`` in tests)."""
    gc.freeze()


def _default_sigpipe() -> None:
    """Die of SIGPIPE like a C program when a reader goes away (``svmsim exec ... | head``)."""
    import signal
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
