"""The release a simulated host runs: ``[host] release = "5.9" | "5.10" | "5.11" | "illumos"``.

One home for what differs by release outside the volume manager: what ``uname`` answers
(uname(2)'s utsname fields as illumos usr/src/cmd/uname/uname.c prints them), which
``/etc/release`` the host carries (:func:`simulator.sunos.files.release_text`), and whether old
DiskSuite's ``/usr/opt/SUNWmd/sbin`` exists (:func:`program_paths`). Programs that print
differently by release read ``host.release`` themselves.

The values (decided, each a real release's; no capture of a whole ``uname -a`` is in the
reference):

- ``5.9``: Solaris 9 9/05 on a Sun Fire V240 (sun4u), kernel patch 122300-61 (the Solaris 9
  SPARC kernel update of its last years);
- ``5.10``: Solaris 10 1/13 on the same V240, kernel patch 150400-59 (the 1/13 kernel line),
  the values the harness has always answered with;
- ``5.11``: Oracle Solaris 11.4 (``uname -v`` is the SRU string, ``11.4.0.15.0`` for the GA
  release) on a SPARC T4-1 (sun4v: 11.4 runs on no sun4u machine);
- ``illumos``: an OpenIndiana Hipster host (x86: ``i86pc``/``i386``; illumos sets ``uname -v``
  to ``illumos-<commit>``, the commit decided here).

DiskSuite paths: Solstice DiskSuite 4.x (package SUNWmd) put the meta* programs in
``/usr/opt/SUNWmd/sbin`` up to Solaris 8 (DiskSuite 4.0 metastat(1M): SYNOPSIS
``/usr/opt/SUNWmd/sbin/metastat``). Solaris 9 integrated the volume manager as Solaris Volume
Manager (SUNWmdr/SUNWmdu, programs in ``/usr/sbin`` and ``/sbin``), and its upgrade converts a
DiskSuite configuration in place. Decided: a 5.9 host keeps ``/usr/opt/SUNWmd/sbin`` (the host
was upgraded from Solaris 8 with DiskSuite, as most Solaris 9 SVM hosts were, and sites kept
the old paths as links for their scripts); 5.10, 5.11 and illumos hosts have no
``/usr/opt/SUNWmd`` at all, so a script that tests ``[ -x /usr/opt/SUNWmd/sbin/metastat ]``
takes its ``/usr/sbin`` branch there, as on a real host.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simulator.lvm.libmeta.release import RELEASES

DISKSUITE_DIR = "/usr/opt/SUNWmd/"
DISKSUITE_RELEASES = frozenset({"5.9"})


@dataclass(frozen=True)
class Uname:
    """utsname as uname(1) prints it: -s, -r, -v, -m, -p, -i (-n is the host name)."""

    sysname: str
    release: str
    version: str
    machine: str
    processor: str
    platform: str

    def field(self, flag: str, nodename: str) -> str:
        """The value ``uname -<flag>`` prints (one of ``snrvmpi``)."""
        return {"s": self.sysname, "n": nodename, "r": self.release, "v": self.version,
                "m": self.machine, "p": self.processor, "i": self.platform}[flag]


UNAMES: dict[str, Uname] = {
    "5.9": Uname("SunOS", "5.9", "Generic_122300-61", "sun4u", "sparc", "SUNW,Sun-Fire-V240"),
    "5.10": Uname("SunOS", "5.10", "Generic_150400-59", "sun4u", "sparc",
                  "SUNW,Sun-Fire-V240"),
    "5.11": Uname("SunOS", "5.11", "11.4.0.15.0", "sun4v", "sparc", "ORCL,SPARC-T4-1"),
    "illumos": Uname("SunOS", "5.11", "illumos-2f7d2b8a0c", "i86pc", "i386", "i86pc"),
}


def check_release(release: str) -> str:
    """``release`` if it is a modelled one, else ValueError naming the known ones."""
    if release not in RELEASES:
        raise ValueError(f"{release!r}: not a modelled release ({', '.join(RELEASES)})")
    return release


def uname(release: str) -> Uname:
    """What uname answers on a host of ``release``."""
    return UNAMES[check_release(release)]


def uname_output(release: str, nodename: str, args: list[str]) -> tuple[str, str, int]:
    """``uname [-snrvmpiaX]`` on a host of ``release``: (stdout, stderr, exit status).

    The option order and the ``-X`` block are illumos usr/src/cmd/uname/uname.c's (it prints
    the fields in the order s n r v m p i whatever the order asked; ``-a`` is all of them);
    a bad option gets its usage line and exit 1."""
    flags = ""
    for arg in args:
        if not arg.startswith("-") or len(arg) < 2 or arg.strip("-snrvmpiaX"):
            return "", "usage: uname [-snrvmapiX]\n", 1
        flags += arg[1:]
    un = uname(release)
    if "X" in flags:
        return (f"System = SunOS\nNode = {nodename}\nRelease = {un.release}\n"
                f"KernelID = {un.version}\nMachine = {un.machine}\nBusType = <unknown>\n"
                "Serial = <unknown>\nUsers = <unknown>\nOEM# = 0\nOrigin# = 1\n"
                "NumCPU = 2\n"), "", 0
    wanted = "snrvmpi" if "a" in flags else (flags or "s")
    return " ".join(un.field(f, nodename) for f in "snrvmpi" if f in wanted) + "\n", "", 0


def has_disksuite_paths(release: str) -> bool:
    """Whether ``/usr/opt/SUNWmd/sbin`` exists on a host of ``release`` (module docstring)."""
    return check_release(release) in DISKSUITE_RELEASES


def program_paths(paths: Iterable[str], release: str) -> list[str]:
    """The paths of ``paths`` that exist on a host of ``release``: old DiskSuite's
    ``/usr/opt/SUNWmd/sbin/...`` only where the release keeps it."""
    keep = has_disksuite_paths(release)
    return [p for p in paths if keep or not p.startswith(DISKSUITE_DIR)]
