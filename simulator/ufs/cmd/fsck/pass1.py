"""Phase 1 - Check Blocks and Sizes (illumos usr/src/cmd/fs.d/ufs/fsck/pass1.c).

The model's phase-1 problem is an inode whose block count does not match its size (a write
that grew a file was cut by a detach on a non-logging UFS): ``INCORRECT DISK BLOCK COUNT
I=<ino> (<old> should be <actual>)`` (pass1.c checkinode; Solaris 10 wording), then
``CORRECT`` (or `` (CORRECTED)`` when preening). Hand-written to match Solaris byte for byte.
"""

from __future__ import annotations

from simulator.ufs.cmd.fsck.utilities import Run
from simulator.ufs.image import Image, entry_frags


def damaged(work: Image, kind: str) -> list[str]:
    """Paths with problem ``kind``, in path order (the order fsck meets them)."""
    if not work.damaged:
        return []                # the most often: nothing to find
    return sorted(p for p, k in work.damaged.items() if k == kind)


def pass1(run: Run, work: Image, writable: bool) -> None:
    frag = work.fsize
    for path in damaged(work, "blockcount"):
        e = work.get(path)
        if e is None:
            continue
        actual = entry_frags(e.kind, e.size, len(e.target), frag) * (frag // 512)
        old = entry_frags(e.kind, max(0, e.size - 8192), len(e.target), frag) * (frag // 512)
        run.pwarn(f"INCORRECT DISK BLOCK COUNT I={e.inode} ({old} should be {actual})")
        if run.preen or run.reply("CORRECT", writable):
            work.damaged.pop(path, None)
            run.isdirty = True
            if run.preen:
                run.out(" (CORRECTED)\n")
