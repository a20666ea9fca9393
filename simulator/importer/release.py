"""``uname -a`` and ``/etc/release``: the host's name and the release it runs.

uname -a (usr/src/cmd/uname/uname.c): ``SunOS nodename release version machine processor
platform``. The release key of a scenario (``[host] release``) is uname's release, except
that an illumos distribution (uname -v ``illumos-...``, or an /etc/release naming
OpenIndiana, OmniOS, SmartOS or illumos) is ``illumos``; without uname, /etc/release's first
line decides (``Solaris 9``, ``Solaris 10``, ``Solaris 11``), as
:mod:`simulator.sunos.release` and ``simulator.sunos.files.release_text`` write them.
"""

from __future__ import annotations

import re

from simulator.importer.captures import Capture, CaptureError
from simulator.lvm.libmeta.release import RELEASES

_ILLUMOS = re.compile(r"OpenIndiana|OmniOS|SmartOS|illumos", re.I)
_SOLARIS = re.compile(r"Solaris (?P<n>9|10|11)\b")


def parse_uname(cap: Capture) -> tuple[str, str]:
    """(host name, release key) from ``uname -a``."""
    fields = cap.text.split()
    if len(fields) < 3 or fields[0] != "SunOS":
        raise CaptureError(f"{cap.source}: not uname -a output of a SunOS host "
                           f"({cap.text.strip()[:60]!r})")
    release = "illumos" if len(fields) > 3 and fields[3].startswith("illumos") else fields[2]
    if release not in RELEASES:
        raise CaptureError(f"{cap.source}: release {release} is not simulated "
                           f"({', '.join(RELEASES)})")
    return fields[1], release


def parse_release(cap: Capture) -> str | None:
    """The release key /etc/release names, or None when it names none of them."""
    first = next((line for line in cap.lines() if line.strip()), "")
    if _ILLUMOS.search(first):
        return "illumos"
    m = _SOLARIS.search(first)
    return f"5.{m['n']}" if m else None
