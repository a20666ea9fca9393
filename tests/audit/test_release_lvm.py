"""Audit: SVM output that differed from real machines (issue 14), one case per difference.

- replicas just added with ``metadb -a`` print ``a        u`` until the next reboot (real
  Solaris 9, 10 and 11 machines; the Solaris 11 capture below is from a public admin
  notes file in the code index: host LXH10SER4, ``metadb -i`` right after
  ``metadb -a -f -c 3 c1t0d0s6``, pasted with tabs expanded and indented six blanks);
- its legend carries the ``t`` and ``B`` lines on Solaris 11 (and illumos metadb.c info());
- a ``[[softpart]]`` from a scenario lands where ``metainit -p`` puts it (meta_sp.c: aligned
  to the interlace; the real capture in test_real_captures.py shows ``0 32 ...`` on a
  32-block interlace), not at block 1;
- a re-attached submirror goes back to the slot it left on Solaris 10 (real capture, issue
  14) and last on illumos (mirror_ioctl.c mirror_detach reshuffles un_sm[]).
"""

from __future__ import annotations

from simulator import Host

SOLARIS11_METADB_I = """\
        flags           first blk       block count
     a        u         16              8192            /dev/dsk/c1t0d0s6
     a        u         8208            8192            /dev/dsk/c1t0d0s6
     a        u         16400           8192            /dev/dsk/c1t0d0s6
 r - replica does not have device relocation information
 o - replica active prior to last mddb configuration change
 u - replica is up to date
 l - locator for this replica was read successfully
 c - replica's location was in /etc/lvm/mddb.cf
 p - replica's location was patched in kernel
 m - replica is master, this is replica selected as input
 t - tagged data is associated with the replica
 W - replica has device write errors
 a - replica is active, commits are occurring to this replica
 M - replica had problem with master blocks
 D - replica had problem with data blocks
 F - replica had format problems
 S - replica is too small to hold current data base
 R - replica had device read errors
 B - tagged data associated with the replica is not valid
"""


def test_solaris_11_metadb_i_after_metadb_a() -> None:
    """The capture's replicas were just added: ``a        u``, and the t/B legend."""
    h = Host("LXH10SER4")
    h.release = "5.11"
    h.ensure_slice("c1t0d0s6", 65536)
    assert h.run("metadb -a -f -c 3 c1t0d0s6").exit_code == 0
    out = h.run("metadb -i").stdout.expandtabs(8)
    assert [ln.rstrip() for ln in out.splitlines()] == SOLARIS11_METADB_I.splitlines()


def test_solaris_10_metadb_a_next_to_boot_replicas() -> None:
    """Solaris 10: the boot replicas keep ``a m  p  luo`` / ``a    p  luo``, the new one is
    ``a        u``; the legend stays the fourteen-line one (samples/metadb-i.txt)."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=2)
    h.ensure_slice("c1t0d0s7", 65536)
    assert h.run("metadb -a c1t0d0s7").exit_code == 0
    out = h.run("metadb -i").stdout
    assert out.splitlines()[1:4] == [
        "     a m  p  luo    \t16\t\t8192\t\t/dev/dsk/c0t0d0s7",
        "     a    p  luo    \t8208\t\t8192\t\t/dev/dsk/c0t0d0s7",
        "     a        u     \t16\t\t8192\t\t/dev/dsk/c1t0d0s7"]
    assert " t - " not in out and " B - " not in out


def test_scenario_softpart_aligns_to_the_interlace() -> None:
    """Before: the builder put d80 at block 1; metainit -p puts it at the interlace."""
    from simulator.scenario.catalog import parse_scenario
    text = """
[[disk]]
name = "c1t0d0"
size = "10GB"
slices = { "0" = "4GB", "7" = "64MB" }
[[disk]]
name = "c2t0d0"
size = "10GB"
slices = { "0" = "4GB" }
[[replica]]
device = "c1t0d0s7"
[[stripe]]
name = "d30"
rows = [["c1t0d0s0", "c2t0d0s0"]]
interlace = "16k"
[[softpart]]
name = "d80"
component = "d30"
size = "1GB"
"""
    h = parse_scenario(text).build_host()
    assert h.run("metastat -p d80").stdout.splitlines()[0] == \
        "d80 -p d30 -o 32 -b 2097152 "


def reattach(release: str) -> list[str]:
    h = Host("host1")
    h.release = release
    h.add_replicas("c0t0d0s7", count=3)
    for i, sub in enumerate(("d21", "d22")):
        h.add_disk(f"c1t{i}d0", 2**23, {0: 2**22})
        h.add_stripe(sub, f"c1t{i}d0s0")
    h.md.create_mirror(h.md.sets[""], "d20", ["d21", "d22"])
    assert h.run("metadetach d20 d21").exit_code == 0
    assert h.run("metattach d20 d21").exit_code == 0
    return [ln for ln in h.run("metastat d20").stdout.splitlines()
            if ln.startswith("    Submirror ")]


def test_solaris_10_reattached_submirror_returns_to_its_slot() -> None:
    assert reattach("5.10") == ["    Submirror 0: d21", "    Submirror 1: d22"]


def test_illumos_reattached_submirror_goes_last() -> None:
    assert reattach("illumos") == ["    Submirror 0: d22", "    Submirror 1: d21"]
