"""Phase 2 - Check Pathnames (illumos usr/src/cmd/fs.d/ufs/fsck/pass2.c, dir.c).

The model's phase-2 problem is a directory entry whose inode was never written (a create cut
by a detach on a non-logging UFS): ``UNALLOCATED  I=<ino>  OWNER=root MODE=0`` ...
``NAME=/<path>`` then ``REMOVE DIRECTORY ENTRY FROM I=<parent>`` (pass2.c pass2check,
dir.c fileerror). Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from simulator.ufs.cmd.fsck.pass1 import damaged
from simulator.ufs.cmd.fsck.utilities import Run
from simulator.ufs.image import Image


def pass2(run: Run, work: Image, writable: bool) -> None:
    for path in damaged(work, "unallocated"):
        e = work.get(path)
        parent = work.get(path.rsplit("/", 1)[0] if "/" in path else ".")
        if e is None or parent is None:
            continue
        run.pwarn("UNALLOCATED ")
        run.pinode(work, e.inode, 0, 0, 0, 0.0)
        run.out("\n")
        run.pfatal(f"NAME=/{path}\n")
        if run.reply(f"REMOVE DIRECTORY ENTRY FROM I={parent.inode}", writable):
            work.remove(path)
            work.damaged.pop(path, None)
            run.isdirty = True
        else:
            run.iscorrupt = True
