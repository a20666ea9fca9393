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
    raw = _raw_image(host, args.archive)
    if raw is not None:
        return _report_raw(args.archive, raw, args.json)
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


def _raw_image(host: Any, archive: str) -> Any:
    """The header of a raw image ``dd`` wrote (a file holding one, or the last one written
    to a tape drive of the host when a dd wrote there last); None for anything else."""
    from simulator.backup.rawimage import RawHeader, RawImageError, is_raw_image
    if archive.startswith("/dev/"):
        images = [h for d, h in host.backups.raw_images if d == archive]
        dumps = [r for r in host.backups.dumps if r.path == archive]
        if images and (not dumps or images[-1].date >= dumps[-1].date):
            return images[-1]
        return None
    try:
        with open(archive, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    if not is_raw_image(head):
        return None
    try:
        return RawHeader.from_bytes(head)
    except RawImageError:
        return None


def _report_raw(name: str, header: Any, as_json: bool) -> int:
    """What restoring the raw image would give (simulator.backup.rawimage.verify_image)."""
    from dataclasses import asdict

    from simulator.backup.rawimage import verify_image
    verdict = verify_image(header)
    if as_json:
        print(json.dumps({"image": name, "header": asdict(header), "usable": verdict.usable,
                          "problems": verdict.problems}, indent=2, sort_keys=True))
    else:
        what = (f"database {header.content}, {header.writes} writes" if header.kind ==
                "database" else f"a UFS ({header.content})" if header.kind == "ufs" else
                "content the model does not know")
        state = ("point-in-time" if header.consistent else "changed while copied") + (
            ", quiesced" if header.quiesced else ", crash-consistent (not quiesced)")
        print(f"raw image {name}: {header.device}, {header.copied} of {header.size} bytes")
        print(f"  content: {what}; {state}")
        print("  usable: yes" if verdict.usable else
              "  usable: no: " + "; ".join(verdict.problems))
    return 0 if verdict.usable else 1
