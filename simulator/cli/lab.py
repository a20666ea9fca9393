"""``svmsim lab``: training labs at a simulated Solaris host (simulator.lab).

    svmsim lab                                  list the labs
    svmsim lab NAME|FILE [--seed N] [--record FILE]
                                                open the lab's shell at this terminal
    svmsim lab NAME|FILE [--seed N] --answers FILE [--report text|json] [--record FILE]
                         [--min-score P]        grade a file of commands, no terminal
    svmsim lab NAME|FILE [--seed N] --reference print the lab's reference answer
                                                for this variant (instructors)
    svmsim lab NAME|FILE --web [--host H] [--port P] [--seed N] [--records DIR]
                                                serve the lab as a web page, one trainee
                                                per browser tab (simulator/lab/web)

Every session is recorded as JSON (each line typed and what it printed, every command and
the changes it made, the host's transcript, hints taken, resets and the grade): at
``--record FILE``, else in ``$SVMSIM_LAB_RECORDS`` or ``~/.local/share/svmsim/labs/``
(``NAME-seedN-YYYYmmddTHHMMSS.json``); the path is printed at the end. ``--answers``
prints the grade (``--report json``: ``{"score": <percent>, "objectives": [...]}``) and
exits 0, or 1 when ``--min-score`` is given and not reached; bad input exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "lab", help="training labs: a simulated Solaris host, a task, hints and a grade",
        description="Training labs. Without NAME, list them. With NAME, open a shell on "
        "the lab's simulated host (host1# ...): SVM and UFS commands, cat, grep, man, "
        "sleep on a virtual clock, and the lab's own commands (lab task, hint, check, "
        "status, reset). With --answers, grade a file of commands without a terminal; with "
        "--web, serve the lab to a class as a web page, each browser tab a trainee.")
    p.add_argument("name", nargs="?", metavar="NAME", help="a shipped lab, or a lab file")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="the trainee's variant (0, the default, is the canonical one)")
    p.add_argument("--answers", metavar="FILE",
                   help="grade this file of commands (one per line; - for standard input)")
    p.add_argument("--report", choices=("text", "json"), default="text",
                   help="with --answers: the grade as text (default) or JSON")
    p.add_argument("--min-score", type=float, default=None, metavar="P",
                   help="with --answers: exit 1 when the score is below P percent")
    p.add_argument("--record", metavar="FILE",
                   help="where to write the session's record (JSON)")
    p.add_argument("--reference", action="store_true",
                   help="print the lab's reference answer for this variant")
    p.add_argument("--web", action="store_true",
                   help="serve the lab as a web page: each browser tab is a trainee with "
                   "its own variant (the first tab --seed, then the next seeds)")
    p.add_argument("--host", default="127.0.0.1",
                   help="with --web: the address to listen on (default 127.0.0.1; "
                   "0.0.0.0 for a classroom)")
    p.add_argument("--port", type=int, default=8023, help="with --web: the port (default "
                   "8023)")
    p.add_argument("--records", metavar="DIR",
                   help="with --web: where the sessions' records go (default "
                   "$SVMSIM_LAB_RECORDS or ~/.local/share/svmsim/labs)")
    p.set_defaults(func=cmd_lab)


def _fail(message: str) -> int:
    print(f"svmsim lab: {message}", file=sys.stderr)
    return 2


def cmd_lab(args: argparse.Namespace) -> int:
    from simulator.lab.labfile import LabError, load_lab, shipped_labs
    if args.name is None:
        if args.answers or args.reference:
            return _fail("which lab? (svmsim lab lists them)")
        for name, path in shipped_labs().items():
            try:
                title = load_lab(str(path)).title
            except LabError as e:
                title = f"(broken: {e})"
            print(f"{name:<22} {title}")
        return 0
    if args.seed < 0:
        return _fail("--seed is a number 0 or more")
    if args.web:
        return _web(args)
    try:
        lab = load_lab(args.name, args.seed)
    except LabError as e:
        return _fail(str(e))
    if args.reference:
        text = lab.reference_answers()
        if text is None:
            return _fail(f"{args.name}: this lab has no reference answer file")
        sys.stdout.write(text)
        return 0
    record = _record_path(args, lab.name, lab.seed)
    if isinstance(record, int):
        return record
    if args.answers:
        return _answers(args, lab, record)
    if args.report != "text" or args.min_score is not None:
        return _fail("--report and --min-score go with --answers")
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        return _fail("the lab's shell needs a terminal (give --answers FILE to grade a "
                     "file of commands)")
    from rich.console import Console

    from simulator.lab.terminal import interactive
    from simulator.lab.views import check_text
    console = Console(highlight=False)
    grade = interactive(lab, record, console)
    console.print(check_text(lab, grade))
    console.print(f"Your session is recorded in {record}", style="dim")
    return 0


def _records_dir(given: str | None = None) -> str | int:
    base = given or os.environ.get("SVMSIM_LAB_RECORDS") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"),
        "svmsim", "labs")
    try:
        os.makedirs(base, exist_ok=True)
    except OSError as e:
        return _fail(f"cannot make the records directory {base}: {e.strerror}")
    return base


def _web(args: argparse.Namespace) -> int:
    if args.answers or args.reference or args.record:
        return _fail("--web serves trainees; --answers, --reference and --record are for "
                     "one session (the web sessions' records go to --records DIR)")
    if not 0 < args.port < 65536:
        return _fail(f"--port {args.port}: not a port number")
    base = _records_dir(args.records)
    if isinstance(base, int):
        return base
    import uvicorn

    from simulator.lab.labfile import LabError
    from simulator.lab.web.app import Classroom, create_app
    try:
        room = Classroom(args.name, args.seed, Path(base))
    except LabError as e:
        return _fail(str(e))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"svmsim lab {room.lab_name}: trainees open http://{shown}:{args.port}/ "
          f"(each tab a variant, from seed {args.seed})", flush=True)
    print(f"instructor: http://{shown}:{args.port}/instructor?token={room.token}", flush=True)
    print(f"records: {base}", flush=True)
    try:
        uvicorn.run(create_app(room), host=args.host, port=args.port, log_level="warning")
    except (OSError, SystemExit) as e:
        return _fail(f"cannot serve on {args.host}:{args.port}: {e}")
    return 0


def _record_path(args: argparse.Namespace, name: str, seed: int) -> Path | None | int:
    if args.record:
        path = Path(args.record)
        if not path.parent.is_dir():
            return _fail(f"--record {args.record}: no such directory {path.parent}")
        return path
    if args.answers:
        return None          # batch grading keeps no record unless asked
    base = _records_dir()
    if isinstance(base, int):
        return base
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return Path(base) / f"{name}-seed{seed}-{stamp}.json"


def _answers(args: argparse.Namespace, lab: Any, record: Path | None) -> int:
    from simulator.lab.terminal import batch
    from simulator.lab.views import check_text, plain
    try:
        if args.answers == "-":
            text = sys.stdin.read()
        else:
            with open(args.answers, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read(4 * 1024 * 1024)
    except OSError as e:
        return _fail(f"--answers {args.answers}: {e.strerror}")
    shell = batch(lab, text, record)
    grade = shell.grade()
    if args.report == "json":
        print(json.dumps({**grade.to_dict(), "lab": lab.name, "seed": lab.seed}, indent=1))
    else:
        sys.stdout.write(plain(check_text(lab, grade)))
    if args.min_score is not None and grade.score < args.min_score:
        return 1
    return 0
