"""/etc/dumpdates as ufsdump reads and updates it (illumos ``usr/src/cmd/backup/dump/dumpitime.c``).

inititimes warns when the file is missing; getitime finds the date of the latest dump of the
same name below this level (the base of an incremental); putitime replaces or adds this
dump's record when ``u`` is given and says ``Level N dump on <date>``; prdate prints a date
as ``%c`` in the C locale, or ``the epoch`` for 0. The records themselves live in
``host.backups`` (:class:`simulator.backup.backups.Backups`), which prints the file.
Hand-written messages match Solaris byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.backup.backups import DUMPDATES

if TYPE_CHECKING:
    from simulator.backup.cmd.ufsdump.optr import Operator
    from simulator.host import Host


def prdate(host: Host, when: float) -> str:
    """``the epoch`` for 0, else ctime(3C) without its newline (strftime ``%c``, C locale)."""
    return "the epoch" if not when else host.clock.ctime(when)


def getitime(optr: Operator, name: str, level: int) -> tuple[int, int]:
    """inititimes, then getitime: (date, level) of the dump ``level`` builds on; (0, 0)
    when there is none."""
    backups = optr.host.backups
    if not backups.dumpdates_exists:
        optr.msg(f"Warning - dump record file `{DUMPDATES}' does not exist\n")
    return backups.last_dump(name, level)


def putitime(optr: Operator, name: str, incno: str, date: int) -> None:
    """Record this dump in /etc/dumpdates and say so."""
    optr.host.backups.record_dumpdate(name, int(incno), date)
    optr.msg(f"Level {incno} dump on {prdate(optr.host, date)}\n")
