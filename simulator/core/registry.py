"""The one table of fake Solaris programs: name -> module, and every path it answers at.

Both fronts route from here: the sandbox harness puts a shim at each path, in-process routing
recognises the same paths (and the bare name, found on ``PATH``). Modules are named, not
imported, so a command costs only what it runs (moto's ``backend_index`` does the same). The
dispatcher that runs a program on a host is ``simulator.host.Host.run``.

Paths are those of a Solaris 10 host (``/usr/sbin``; ``/sbin`` for the boot-time copies and
the Solaris 11 link), old DiskSuite's ``/usr/opt/SUNWmd/sbin`` for the meta* programs, and each
program's own extra homes (``/usr/bin/df``, ``/usr/lib/fs/ufs/ufsdump``...). ``/usr/bin`` and
``/bin`` hold no SVM program on Solaris, and there they would shadow the machine's own
``mount`` the sandbox itself needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    """One fake program: its name, the module holding ``main(inv)``, and its Solaris paths."""

    name: str
    module: str
    paths: tuple[str, ...]


_SBIN = ("/usr/sbin", "/sbin")
_SUNWMD = ("/usr/opt/SUNWmd/sbin",)
_MODULES = {
    **{name: f"simulator.lvm.cmd.{name}" for name in (
        "metastat", "metainit", "metaclear", "metattach", "metadetach", "metaoffline",
        "metaonline", "metareplace", "metasync", "metadb", "metahs", "metaset")},
    **{name: f"simulator.ufs.cmd.{name}" for name in (
        "lockfs", "mount", "umount", "df", "fsck", "newfs")},
    **{name: f"simulator.backup.cmd.{name}" for name in ("ufsdump", "ufsrestore", "dd")},
    "dbctl": "simulator.ufs.cmd.dbctl",
    **{name: f"simulator.sunos.cmd.{name}" for name in (
        "modinfo", "eeprom", "zonename", "swap", "svcs", "format", "prtvtoc", "iostat", "mt",
        "mailx", "sendmail", "man")},
}
# Where each program is on Solaris 10 when that is not (only) /usr/sbin and /sbin.
_HOMES: dict[str, tuple[str, ...]] = {
    "df": (*_SBIN, "/usr/bin/df"),
    "ufsdump": (*_SBIN, "/usr/lib/fs/ufs/ufsdump"),
    "ufsrestore": (*_SBIN, "/usr/lib/fs/ufs/ufsrestore"),
    "fsck": (*_SBIN, "/usr/lib/fs/ufs/fsck"),
    "newfs": ("/usr/sbin/newfs", "/usr/lib/fs/ufs/newfs"),
    "modinfo": ("/usr/sbin/modinfo",),
    "eeprom": ("/usr/sbin/eeprom", "/usr/platform/sun4u/sbin/eeprom"),
    "zonename": ("/usr/bin/zonename", "/sbin/zonename"),
    "swap": ("/usr/sbin/swap",),
    "svcs": ("/usr/bin/svcs",),
    "format": ("/usr/sbin/format",),
    "prtvtoc": ("/usr/sbin/prtvtoc",),
    "iostat": ("/usr/bin/iostat",),
    "mt": ("/usr/bin/mt",),
    "mailx": ("/usr/bin/mailx",),
    "man": ("/usr/bin/man",),
    "sendmail": ("/usr/lib/sendmail", "/usr/sbin/sendmail"),
    # dd is /usr/bin/dd on Solaris (/bin is a link to /usr/bin); the sandbox needs no dd
    "dd": ("/usr/bin/dd",),
    # the stand-in for a database vendor's utility (simulator/ufs/databases.py)
    "dbctl": ("/opt/svmsim/bin/dbctl",),
}


def _paths(name: str) -> tuple[str, ...]:
    if name in _HOMES:
        return tuple(p if p.endswith("/" + name) else f"{p}/{name}" for p in _HOMES[name])
    dirs = _SBIN + (_SUNWMD if name.startswith("meta") else ())
    return tuple(f"{d}/{name}" for d in dirs)


PROGRAMS: dict[str, Program] = {name: Program(name, module, _paths(name))
                                for name, module in _MODULES.items()}
_BY_PATH: dict[str, Program] = {path: prog for prog in PROGRAMS.values() for path in prog.paths}


def program_named(name: str) -> Program | None:
    """The program run by ``argv[0]`` (the basename decides, as for a shim hard link)."""
    return PROGRAMS.get(os.path.basename(name) if "/" in name else name)


def program_at(path: str) -> Program | None:
    """The program a caller reaches by ``path``: a Solaris path, or a bare name on PATH."""
    if "/" not in path:
        return PROGRAMS.get(path)
    return _BY_PATH.get(os.path.normpath(path))


def known_commands() -> list[str]:
    return sorted(PROGRAMS)
