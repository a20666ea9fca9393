"""Phase 4 - Check Reference Counts (illumos usr/src/cmd/fs.d/ufs/fsck/pass4.c, dir.c).

The model's phase-4 problems are inodes no directory names (a create whose entry, or a delete
whose inode release, was cut by a detach on a non-logging UFS), met in inode order:
``UNREF FILE`` with ``pinode`` then ``RECONNECT`` (to ``lost+found/#<ino>``, zero-padded to
the width of the largest inode number: dir.c linkup) or, for an empty one or when reconnect
is refused, ``CLEAR`` (pass4.c; dir.c adjust). Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from simulator.ufs.cmd.fsck.utilities import Run
from simulator.ufs.image import FileEntry, Image


def pass4(run: Run, work: Image, writable: bool) -> None:
    if not work.damaged:
        return                   # the most often: no unreferenced inode
    maxino = max(work.geometry.ninodes, work.next_ino)
    unrefs = [(p, k) for p, k in sorted(work.damaged.items()) if k.startswith("unref")]
    unrefs.sort(key=lambda pk: work.lost[pk[0]].inode if pk[0] in work.lost else 0)
    for path, kind in unrefs:
        e = work.lost.get(path)
        if e is None:
            continue
        run.pwarn("UNREF FILE ")
        run.pinode(work, e.inode, e.uid, e.mode, e.size, e.mtime)
        if kind == "unref-zero" or e.size == 0:
            if run.preen or run.reply("CLEAR", writable):
                _forget(run, work, path)
                if run.preen:
                    run.out(" (CLEARED)\n")
            elif kind != "unref-zero":
                run.iscorrupt = True
            run.out("\n")
            continue
        if run.preen or run.reply("RECONNECT", writable):
            name = "#" + str(e.inode).zfill(len(str(maxino)))
            work.put(FileEntry(f"lost+found/{name}", e.inode, e.kind, e.size, e.mtime,
                               e.ctime, e.uid, e.gid, e.mode, e.digest, e.target))
            _forget(run, work, path)
            if run.preen:
                run.out(" (RECONNECTED)\n")
        else:
            if run.reply("CLEAR", writable):
                _forget(run, work, path)
            else:
                run.iscorrupt = True
            run.out("\n")


def _forget(run: Run, work: Image, path: str) -> None:
    """The inode is cleared or reconnected: no longer lost, no longer a problem."""
    work.lost.pop(path)
    work.damaged.pop(path, None)
    run.isdirty = True
