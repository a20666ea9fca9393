"""ufsdump's operator dialogue (illumos ``usr/src/cmd/backup/dump/dumpoptr.c``).

Hand-written to match Solaris byte for byte: every message goes to stderr prefixed
``"  DUMP: "`` (msg); a question is ``NEEDS ATTENTION: <question>`` and wants an exact
``yes`` or ``no`` (query, query_once), asked again after ``"yes" or "no"?`` and, when the
alarm fires, on a fresh line (alarmcatch); with no terminal on stdin the dump is aborted
(query_once: ``isatty(stdin)`` false -> dumpabort). dumpabort removes the archive (TOC) file
and exits X_ABORT (Exit). timeest prints the percentage done and the time left every ten
minutes; lastdump is ``ufsdump w`` and ``ufsdump W``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from simulator.backup.cmd.ufsdump.fstab import mnttabsearch
from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation

if TYPE_CHECKING:
    from simulator.host import Host

X_FINOK, X_REWRITE, X_ABORT = 0, 2, 3     # dump.h
EST_SEC = 600                             # timeest: every 10 minutes
ALARM_SECONDS = 120                       # query: alarm(2) between reminders
DAY = 86400                               # lastdump: older than a day is due


class Operator:
    """The operator's side of one dump: messages, questions, the abort, the time estimate.

    ``telapsed``, ``tstart_writing`` and ``tschedule`` are dumpoptr.c's globals: writing
    time so far, when writing (re)started, and when the next estimate is due."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.host: Host = inv.host
        self.archivefile: str | None = None   # removed by dumpabort
        self.telapsed = 0.0
        self.tstart_writing = 0.0
        self.tschedule = 0.0
        self._last_question: str | None = None
        self._timeout = 0

    def msg(self, text: str) -> None:
        self.inv.stderr.write("  DUMP: " + text)

    def msgtail(self, text: str) -> None:
        self.inv.err(text, end="")

    def dumpabort(self) -> NoReturn:
        """Remove the archive (TOC) file, say so, Exit(X_ABORT)."""
        if self.archivefile:
            try:
                path = self.inv.files.resolve(self.archivefile, self.inv.cwd)
                if path.exists():
                    path.unlink()
            except OSError:
                pass
        self.msg("The ENTIRE dump is aborted.\n")
        raise CommandExit(X_ABORT)

    def query(self, question: str) -> bool:
        """query/query_once: needs an exact yes or no from the terminal."""
        if question != self._last_question:
            self._timeout = 0
            self.telapsed += self.host.clock.now - self.tstart_writing
            self._last_question = question
        self._alarmcatch(question)
        if not self.inv.interactive:
            self.dumpabort()
        while True:
            line = self.inv.readline()
            if line is None:
                self.dumpabort()
            reply = line.lower()
            if reply in ("yes", "no"):
                self._last_question = None
                self.tstart_writing = self.host.clock.now
                return reply == "yes"
            self.msg('"yes" or "no"?\n')
            self._alarmcatch(question)

    def _alarmcatch(self, question: str) -> None:
        if self._timeout:
            self.msgtail("\n")
        self._timeout += ALARM_SECONDS
        self.msg("NEEDS ATTENTION: " + question)

    def timeest(self, force: bool, blkswritten: int, esize: int, ntrec: int) -> None:
        """Percent done and time left, every ten minutes (``force``: now); nothing before
        50 tape blocks are written."""
        tnow = int(self.host.clock.now)
        if (force or tnow >= self.tschedule) and blkswritten:
            self.tschedule = tnow + EST_SEC
            if not force and blkswritten < 50 * ntrec:
                return
            elapsed = self.telapsed + (tnow - int(self.tstart_writing))
            deltat = int(elapsed * (esize / blkswritten - 1.0))
            self.msg(f"{blkswritten * 100.0 / esize:3.2f}% done, finished in "
                     f"{deltat // 3600}:{(deltat % 3600) // 60:02d}\n")


def lastdump(inv: Invocation, arg: str) -> None:
    """``w``: the file systems due for a dump; ``W``: every file system's last dump, ``>``
    marking those due (dumped more than a day ago). Names from /etc/dumpdates, newest
    record of each, mount points from mnttabsearch."""
    host = inv.host
    now = host.clock.now
    if arg == "w":
        inv.out("Dump these file systems:")
    else:
        inv.out("Last dump(s) done (Dump '>' file systems):")
    recs = sorted(host.backups.dumpdates, key=lambda r: (r.name, -r.date))
    last = None
    for r in recs:
        if r.name == last:
            continue
        last = r.name
        date = host.clock.ctime(r.date)[:16]
        dt = mnttabsearch(host, r.name)
        mnt = dt.mountp if dt else ""
        dumpme = r.date < now - DAY
        if arg == "w" and dumpme:
            inv.out(f"{r.name:>8}\t({mnt:>6})")
        if arg == "W":
            inv.out(f"{'>' if dumpme else ' '} {r.name:>8}\t({mnt:>6}) Last dump: "
                    f"Level {r.level}, Date {date}")
