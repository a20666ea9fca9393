"""``svmsim import``: a scenario file from a real host's captures (simulator.importer).

    svmsim import [ARCHIVE] [--metastat-p F] [--metastat F] [--metadb F] [--metahs F]
                  [--prtvtoc F]... [--format F] [--vfstab F] [--mnttab F] [--uname F]
                  [--release F] [--df F] [--name NAME] (--out SCENARIO.toml | --check)

ARCHIVE is what ``drivers/svm-capture.sh`` writes (a tar file, or the directory it
unpacks to); a file option adds or replaces one capture. ``--out`` writes the scenario
(``-``: standard output) and says in one line how much of the captures its host
reproduces; ``--check`` lists every captured line the imported host does not print as
captured, and every note of the import, each with its reason, and exits 1 when a line is not
reproduced. Bad input (no metastat -p, an unreadable capture, a diskset, RAID-5 or a trans
metadevice) is one line naming the file and line, exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any

_FILES = [("metastat_p", "--metastat-p", "metastat -p"), ("metastat", "--metastat", "metastat"),
          ("metadb", "--metadb", "metadb"), ("metahs", "--metahs", "metahs -i"),
          ("format", "--format", "format </dev/null"), ("vfstab", "--vfstab", "/etc/vfstab"),
          ("mnttab", "--mnttab", "/etc/mnttab"), ("uname", "--uname", "uname -a"),
          ("release", "--release", "/etc/release"), ("df", "--df", "df -k")]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import", help="build a scenario from a real host's captures",
        description="Build a scenario file from what a real host's commands printed "
        "(drivers/svm-capture.sh collects them into one archive): its host prints, "
        "through svmsim's metastat, metastat -p, metadb and metahs -i, what the captures "
        "say. Exit 0 when every captured line is reproduced, 1 when some are not "
        "(--check lists them), 2 on bad input.")
    p.add_argument("archive", nargs="?", metavar="ARCHIVE",
                   help="the capture archive (tar) or directory svm-capture.sh wrote")
    for attr, opt, what in _FILES:
        p.add_argument(opt, dest=attr, metavar="FILE", help=f"what {what} printed")
    p.add_argument("--prtvtoc", action="append", default=[], metavar="FILE",
                   help="what prtvtoc printed for one disk (repeat for each disk)")
    p.add_argument("--name", default=None, help="the scenario's name (default: the host "
                   "name)")
    p.add_argument("--out", metavar="SCENARIO.toml", help="where to write the scenario "
                   "(- for standard output)")
    p.add_argument("--check", action="store_true", help="list every captured line the "
                   "imported host does not reproduce, with the reason")
    p.set_defaults(func=cmd_import)


def _captures(args: argparse.Namespace) -> Any:
    from simulator.importer.captures import Captures, read_archive, read_file
    from simulator.importer.vtoc import parse_prtvtoc
    caps = read_archive(args.archive) if args.archive else Captures()
    for attr, _, _ in _FILES:
        path = getattr(args, attr)
        if path:
            setattr(caps, attr, read_file(path))
    for path in args.prtvtoc:
        cap = read_file(path)
        caps.prtvtoc[parse_prtvtoc(cap).name] = cap
    return caps


def _fail(message: str) -> int:
    print(f"svmsim import: {message}", file=sys.stderr)
    return 2


def cmd_import(args: argparse.Namespace) -> int:
    from simulator.importer import CaptureError, import_scenario, round_trip
    from simulator.scenario.schema import ScenarioError
    if not args.archive and not args.metastat_p:
        return _fail("no captures: give an ARCHIVE (drivers/svm-capture.sh writes one) "
                     "or --metastat-p FILE")
    if not args.out and not args.check:
        return _fail("nothing to do: give --out SCENARIO.toml (- for standard output) "
                     "or --check")
    try:
        caps = _captures(args)
        source = args.out if args.out and args.out != "-" else "<imported>"
        plan, text, sc = import_scenario(caps, args.name, source)
        host = sc.build_host()
        total, mismatches = round_trip(host, caps)
    except (CaptureError, ScenarioError) as e:
        return _fail(str(e))
    if args.out:
        if args.out == "-":
            sys.stdout.write(text)
        else:
            try:
                _write(args.out, text)
            except OSError as e:
                return _fail(f"{args.out}: {e.strerror or e}")
    report = sys.stderr if args.out == "-" else sys.stdout
    if args.check:
        why: dict[tuple[str, int | None], str] = {
            (n.source, n.lineno): n.reason for n in plan.notes if n.lineno}
        used = set()
        for m in mismatches:
            reason = why.get((m.source, m.lineno)) if m.captured is not None else None
            used.add((m.source, m.lineno))
            print(f"not reproduced: {m.text()}" + (f" (why: {reason})" if reason else ""),
                  file=report)
        for note in plan.notes:
            if (note.source, note.lineno) not in used:
                print(f"note: {note.text()}", file=report)
    units = len(sc.stripes) + len(sc.mirrors) + len(sc.softparts)
    what = (f"host {plan.hostname}, release {plan.release}: {len(sc.disks)} disks, "
            f"{len(sc.replicas)} replica slices, {units} metadevices, {len(sc.hsps)} hot "
            f"spare pools, {len(sc.filesystems)} file systems, {len(sc.setup)} setup steps")
    said = f"wrote {args.out}" if args.out and args.out != "-" else "imported"
    if mismatches:
        lines = len({(m.source, m.lineno) for m in mismatches if m.captured is not None})
        extra = len([m for m in mismatches if m.captured is None])
        tail = (f"round trip: {lines} of {total} captured lines not reproduced"
                + (f", {extra} lines printed that were not captured" if extra else "")
                + ("" if args.check else " (svmsim import --check lists them)"))
    else:
        tail = f"round trip: all {total} captured lines reproduced"
    print(f"svmsim import: {said} ({what}); {tail}", file=report)
    return 1 if mismatches else 0


def _write(path: str, text: str) -> None:
    """The scenario, written whole or not at all (a temporary file renamed over it)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".svmsim-import-", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
