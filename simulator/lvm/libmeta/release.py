"""Which Solaris release the simulated host runs, and the SVM behaviours that differ by it.

A release is ``"5.9"``, ``"5.10"`` (the default), ``"5.11"`` or ``"illumos"``: the one list of
them is here (the scenario key ``[host] release`` becomes the typed ``host.release``; the
SunOS identity of each release, uname and /etc/release, is :mod:`simulator.sunos.release`).

What differs, and the evidence for each:

- :func:`legend_has_tag_lines`: ``metadb -i`` prints the ``t`` (tagged data) and ``B``
  (bad tag) legend lines on illumos and Solaris 11 (illumos cmd/lvm/util/metadb.c
  print_help / info(): the legend ends "t - tagged data is associated with the replica" and
  "B - tagged data associated with the replica is not valid"; MDDB_F_TAGDATA and
  MDDB_F_BADTAG, md_mddb.h, came with the multi-owner disksets of OpenSolaris). Solaris 9
  and 10 print the older fourteen-line legend (the Solaris Volume Manager Administration
  Guide, Example 7-4, a real ``metadb -i``: ../shared/reference/samples/metadb-i.txt).
- :func:`detach_compacts`: where a re-attached submirror goes. illumos
  uts/common/io/lvm/mirror/mirror_ioctl.c mirror_detach ends by "Reshuffle the submirror
  devices in the array as we potentially have a dead record in the middle of it", and
  mirror.c collapse_submirrors does the same at snarf time "to cover the case where we
  have an old replica image which has not been updated ... since being modified": the
  kernels before that change left the detached submirror's un_sm[] slot empty. A real
  Solaris 10 capture (issue 14) shows a re-attached submirror back in the slot it left,
  so 5.9 and 5.10 keep the hole (mirror_attach fills the first slot not in use, the one
  the detached submirror left), while 5.11 and illumos, built from the OpenSolaris source
  that has the reshuffle, compact the array: the re-attached submirror comes last.
  Decided where the sources are silent: Solaris 9 behaves as Solaris 10 (its kernel
  predates OpenSolaris; the DiskSuite 4.2.1 sample metadetach-replace-submirror.txt
  detaches and re-attaches the last submirror, which both rules print alike).
"""

from __future__ import annotations

from typing import Literal, get_args

Release = Literal["5.9", "5.10", "5.11", "illumos"]
RELEASES: tuple[str, ...] = get_args(Release)
DEFAULT_RELEASE: Release = "5.10"


def legend_has_tag_lines(release: str) -> bool:
    """``metadb -i`` prints the ``t`` and ``B`` legend lines (illumos, Solaris 11)."""
    return release in ("5.11", "illumos")


def detach_compacts(release: str) -> bool:
    """mirror_detach shifts the later submirrors down (illumos, Solaris 11); Solaris 9 and
    10 leave the detached submirror's slot empty for the next attach."""
    return release in ("5.11", "illumos")
