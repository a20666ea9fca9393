"""``svmsim verify-backup --state DIR ARCHIVE [--json]``: the CLI front of
:func:`simulator.backup.verify.verify_backup`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """``svmsim verify-backup --state DIR ARCHIVE [--json]``."""
    p = subparsers.add_parser(
        "verify-backup", help="compare a dump archive with the file system at detach time",
        description="Compare ARCHIVE (a dump file, or a tape drive of the host such as "
        "/dev/rmt/0) with the file system as applications saw it when the dumped submirror "
        "was detached, and as it is now. Exit 0 when the archive is complete and matches, "
        "1 when it is incomplete or differs, 2 on bad usage.")
    p.add_argument("--state", metavar="DIR", default=os.environ.get("SVMSIM_STATE"),
                   help="state directory (default: $SVMSIM_STATE)")
    p.add_argument("archive", metavar="ARCHIVE", help="dump file or tape device")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(func=cmd_verify_backup)


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from simulator.backup.archive import ArchiveError  # imported when run: exec stays quick
    from simulator.backup.verify import verify_backup
    from simulator.state_store import StateStore
    if not args.state:
        print("svmsim verify-backup: no state directory (give --state DIR or set "
              "SVMSIM_STATE)", file=sys.stderr)
        return 2
    store = StateStore(args.state)
    with store.locked(exclusive=False):
        host = store.load()
    try:
        report = verify_backup(host, args.archive, os.getcwd())
    except ArchiveError as e:
        print(f"svmsim verify-backup: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        sys.stdout.write(report.text(host))
    return 0 if report.matches else 1
