"""Phase 5 - Check Cylinder Groups (illumos usr/src/cmd/fs.d/ufs/fsck/pass5.c).

The model's phase-5 problem is stale cylinder-group summaries (a non-logging UFS detached
with creates, deletes or growing writes in flight): preening says ``CORRECTING BAD CG
SUMMARIES`` and ``FRAG BITMAP WRONG (CORRECTED)``; interactively the questions ``CORRECT BAD
CG SUMMARIES``, ``FIX`` and ``SALVAGE`` (after ``CORRECT GLOBAL SUMMARY``). Hand-written to
match Solaris byte for byte.
"""

from __future__ import annotations

from simulator.ufs.cmd.fsck.utilities import Run
from simulator.ufs.image import Image


def pass5(run: Run, work: Image, writable: bool) -> None:
    if not work.summary_wrong:
        return
    if run.preen:
        run.out("CORRECTING BAD CG SUMMARIES\n")
        run.out("FRAG BITMAP WRONG (CORRECTED)\n")
        work.summary_wrong = False
        run.isdirty = True
        return
    fixed = run.reply("CORRECT BAD CG SUMMARIES", writable)
    if fixed:
        run.out("CORRECTED SUMMARY FOR CG 0\n")
    run.out("FRAG BITMAP WRONG ")
    fixed = run.reply("FIX", writable) and fixed
    run.pwarn("CORRECT GLOBAL SUMMARY")
    if run.reply("SALVAGE", writable) and fixed:
        work.summary_wrong = False
        run.isdirty = True
    else:
        run.iscorrupt = True
