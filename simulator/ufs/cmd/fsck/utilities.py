"""fsck_ufs's globals and its talking: exit codes, reply(), pwarn(), pfatal(), errexit(),
pinode().

Follows illumos usr/src/cmd/fs.d/ufs/fsck/fsck.h (the EX* exit codes, the globals),
utilities.c (``reply``: ``\\n<QUESTION>? `` then `` yes``/`` no`` and an empty line; EOF on
an interactive answer is ``errexit("\\n")``; ``pwarn`` prefixes the device when preening;
``pfatal`` ends a preening run with ``UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.``) and
inode.c (``pinode``). Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from simulator.core.errors import CommandExit
from simulator.core.invocation import Invocation
from simulator.ufs.image import Image

EXOKAY, EXBADPARM, EXUMNTCHK, EXMOUNTED, EXNOSTAT = 0, 1, 32, 33, 34
EXREBOOTNOW, EXFNDERRS, EXSIGNAL, EXERRFATAL, EXROOTOKAY = 35, 36, 37, 39, 40

# main.c usage(): exit EXBADPARM
UFS_USAGE = ("ufs usage: fsck [-F ufs] [-m] [-n] [-V] [-v] [-y] [-o p,b=#,w,f] "
             "[special ....]")


@dataclass
class Run:
    """One fsck_ufs invocation's flags and state (the globals of fsck.h)."""

    inv: Invocation
    nflag: bool = False
    yflag: bool = False
    mflag: bool = False
    preen: bool = False
    fflag: bool = False
    verbose: bool = False
    bflag: int = 0
    devname: str = ""
    fsmodified: bool = False
    exitstat: int = 0
    iscorrupt: bool = False      # the check found what it could not fix
    isdirty: bool = False        # the check changed the file system
    rerun: bool = False          # "PLEASE RERUN FSCK"
    reads: bool = False          # the device read at a checkpoint and nothing can fail it

    def out(self, text: str) -> None:
        self.inv.stdout.write(text)

    def pwarn(self, text: str) -> None:
        if self.preen:
            self.out(f"{self.devname}: ")
        self.out(text)

    def pfatal(self, msg: str) -> None:
        """utilities.c pfatal(): when preening, the message and the end of the run;
        otherwise only the message."""
        if self.preen:
            if msg:
                self.out(f"{self.devname}: {msg}\n")
            self.out(f"{self.devname}: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n")
            raise CommandExit(self.exitstat or EXFNDERRS)
        self.out(msg)

    def reply(self, question: str, writable: bool = True) -> bool:
        """utilities.c reply(): the question, then the answer the flags or stdin give."""
        if self.mflag:
            self.out(f"\n{self.devname}: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n")
            raise CommandExit(EXERRFATAL)
        self.out(f"\n{question}? ")
        if self.nflag or not writable:
            self.out(" no\n\n")
            return False
        if self.yflag:
            self.out(" yes\n\n")
            return True
        line = self.inv.readline()
        if line is None:
            self.errexit("\n")
        self.out("\n")
        answer = "".join((line or "").split())
        return answer[:1] in ("y", "Y")

    def errexit(self, msg: str) -> NoReturn:
        self.out(msg if msg.endswith("\n") else msg + "\n")
        raise CommandExit(self.exitstat or EXERRFATAL)

    def mtime(self, t: float) -> str:
        """``ctime`` without the weekday and seconds (inode.c pinode: ``%12.12s %4.4s``)."""
        p = self.inv.host.clock.ctime(t)           # "Tue Nov 24 10:00:00 2026"
        return f"{p[4:16]} {p[20:24]}"

    def pinode(self, img: Image, ino: int, uid: int, mode: int, size: int,
               mtime: float) -> None:
        """inode.c pinode()/pdinode()."""
        self.out(f" I={ino} ")
        self.out(f" OWNER={owner_name(img, uid)} MODE={mode:o}\n")
        if self.preen:
            self.out(f"{self.devname}: ")
        self.out(f"SIZE={size} MTIME={self.mtime(mtime)} ")


def owner_name(img: Image, uid: int) -> str:
    """The login name of ``uid`` (getpwuid) on the simulated host, else the number."""
    if uid == 0:
        return "root"
    users = img.base.users
    idx = uid - 1001
    return users[idx] if 0 <= idx < len(users) else str(uid)
