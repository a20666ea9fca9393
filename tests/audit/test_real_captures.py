"""Real ``metastat`` captures from public repositories, rebuilt on a simulated host.

Each test rebuilds the topology and state of one capture and compares our output with a
short excerpt of it (the source repository and path are named in the docstring). Some
captures were pasted with their tabs expanded and trailing blanks stripped; those are
compared after the same normalisation, and say so.
"""

from __future__ import annotations

from simulator import Host
from simulator.lvm.md.manager import MDSet

HOTSPARES_D9 = """\
d9: Mirror
    Submirror 0: d19
      State: Okay
    Submirror 1: d29
      State: Okay
    Pass: 1
    Read option: roundrobin (default)
    Write option: parallel (default)
    Size: 430007232 blocks (205 GB)

d19: Submirror of d9
    State: Okay
    Hot spare pool: hsp001
    Size: 430007232 blocks (205 GB)
    Stripe 0:
        Device     Start Block  Dbase        State Reloc Hot Spare
        c1t2d0s0          0     No            Okay   Yes
    Stripe 1:
        Device     Start Block  Dbase        State Reloc Hot Spare
        c1t4d0s0      20352     No            Okay   Yes


d29: Submirror of d9
    State: Okay
    Hot spare pool: hsp002
    Size: 430007232 blocks (205 GB)
    Stripe 0:
        Device     Start Block  Dbase        State Reloc Hot Spare
        c2t2d0s0          0     No            Okay   Yes
    Stripe 1:
        Device     Start Block  Dbase        State Reloc Hot Spare
        c2t4d0s0      20352     No            Okay   Yes


"""

SOFTPART_D100 = """\
d100: Soft Partition
    Device: d60
    State: Okay
    Size: 377487360 blocks (180 GB)
\tExtent              Start Block              Block count
\t     0                       32                377487360

d60: Mirror
    Submirror 0: d61
      State: Okay         |
    Submirror 1: d62
      State: Okay         |
    Pass: 1
    Read option: roundrobin (default)
    Write option: parallel (default)
    Size: 455640576 blocks (217 GB)

d61: Submirror of d60
    State: Okay         |
    Size: 455640576 blocks (217 GB)
    Stripe 0: (interlace: 32 blocks)
\tDevice     Start Block  Dbase        State Reloc Hot Spare
\tc0t0d0s6          0     No            Okay   Yes |
\tc0t2d0s6      20352     No            Okay   Yes |


d62: Submirror of d60
    State: Okay         |
    Size: 455640576 blocks (217 GB)
    Stripe 0: (interlace: 32 blocks)
\tDevice     Start Block  Dbase        State Reloc Hot Spare
\tc0t1d0s6          0     No            Okay   Yes |
\tc0t3d0s6      20352     No            Okay   Yes |


Device Relocation Information:
Device   Reloc\tDevice ID
c0t1d0   Yes  \tid1,sd@SFUJITSU_MAW3147NCSUN146G000644C0A1FM____DAC0P6B0A1FM
c0t3d0   Yes  \tid1,sd@SFUJITSU_MAW3147NCSUN146G000644C0A2PA____DAC0P6B0A2PA
c0t0d0   Yes  \tid1,sd@SFUJITSU_MAW3147NCSUN146G000644C0A27F____DAC0P6B0A27F
c0t2d0   Yes  \tid1,sd@SFUJITSU_MAW3147NCSUN146G000644C0A1TJ____DAC0P6B0A1TJ
""".replace("|\n", "\n")   # "|" marks a trailing blank

CYL_146G = 20352    # blocks per cylinder of the 146 GB drives in both captures


def detabbed(text: str) -> str:
    """What a copy-paste from a terminal keeps: tabs expanded, trailing blanks dropped."""
    return "\n".join(line.expandtabs(8).rstrip() for line in text.split("\n"))


def test_concat_rows_skip_the_label_cylinder_mirrors_with_hotspares() -> None:
    """glensc/nagios-plugin-check_raid t/data/metastat/metastat-mirrors-with-hotspares
    (pasted: tabs expanded). The second row of each concat is an s0 that starts at block 0,
    so it keeps the disk label: metagetstart (libmeta meta_name.c) starts it one cylinder
    in (20352 blocks) and the row is that much smaller; the first component keeps block 0
    (meta_create_stripe, MD_LABELED)."""
    h = Host()
    for c in ("c1", "c2"):
        h.add_disk(f"{c}t0d0", 286749480, {0: 8395200, 7: 65536})
        h.add_disk(f"{c}t2d0", 286749480, {0: 215003616})
        h.add_disk(f"{c}t4d0", 286749480, {0: 215003616 + CYL_146G})
        h.add_disk(f"{c}t5d0", 286749480, {0: 286678272})
        for t in ("t2d0", "t4d0", "t5d0"):
            h.disks[c + t].cyl_blocks = CYL_146G
    h.add_replicas("c1t0d0s7", "c2t0d0s7", count=3)
    assert h.run("metahs -a hsp001 c1t5d0s0").exit_code == 0
    assert h.run("metahs -a hsp002 c2t5d0s0").exit_code == 0
    for c in ("1", "2"):
        r = h.run(f"metainit d{c}9 2 1 c{c}t2d0s0 1 c{c}t4d0s0 -h hsp00{c}")
        assert (r.stdout, r.exit_code) == (f"d{c}9: Concat/Stripe is setup\n", 0)
    assert h.run("metainit d9 -m d19").exit_code == 0
    assert h.run("metattach d9 d29").exit_code == 0
    h.advance(10 * 86400)
    out = h.run("metastat").stdout
    assert detabbed(out).startswith(HOTSPARES_D9)


def test_stripe_on_label_slices_under_a_soft_partition() -> None:
    """glensc/nagios-plugin-check_raid t/data/metastat/metastat-snapshot-with-soft-partition
    (verbatim: tabs and trailing blanks kept). In the two-way stripes d61/d62 the second
    slice starts at block 0 (label cylinder skipped, 20352); the soft partition on mirror
    d60 is printed with d60 under it, then the relocation table."""
    h = Host()
    devids = {"c0t0d0": "27F____DAC0P6B0A27F", "c0t1d0": "1FM____DAC0P6B0A1FM",
              "c0t2d0": "1TJ____DAC0P6B0A1TJ", "c0t3d0": "2PA____DAC0P6B0A2PA"}
    for t in ("c0t0d0", "c0t1d0"):
        h.add_disk(t, 286749480, {5: 58722888, 6: 227820288, 7: 65536})
    for t in ("c0t2d0", "c0t3d0"):
        h.add_disk(t, 286749480, {6: 227820288 + CYL_146G})
    for t, tail in devids.items():
        h.disks[t].cyl_blocks = CYL_146G
        h.disks[t].devid = "id1,sd@SFUJITSU_MAW3147NCSUN146G000644C0A" + tail
    h.add_replicas("c0t0d0s7", "c0t1d0s7", count=3)
    h.add_stripe("d61", ["c0t0d0s6", "c0t2d0s6"], interlace=32)
    h.add_stripe("d62", ["c0t1d0s6", "c0t3d0s6"], interlace=32)
    h.add_mirror("d60", ["d61", "d62"])
    assert h.run("metainit d100 -p d60 377487360b").exit_code == 0
    assert h.run("metastat").stdout == SOFTPART_D100


def test_mpxio_wwn_device_names_in_metadb() -> None:
    """centreon-plugins os/solaris/local/mode/svmdisks.pm quotes real ``metadb`` lines on
    MPxIO (scsi_vhci) disks, whose target is a WWN in hex:
    ``a m  pc luo        16              8192            /dev/dsk/c5t600A...EE71d0s7``
    (pasted with tabs expanded). Such names were refused as "not a slice name". The ``c``
    flag (location from mddb.cf) of that capture is not modelled: other real captures of
    Solaris 10 show ``a m  p  luo``."""
    h = Host()
    disk = "c5t600A0B80002929FC0000842E5251EE71d0"
    h.add_disk(disk)
    h.add_replicas(f"{disk}s7", count=3)
    out = h.run("metadb").stdout.split("\n")
    assert out[1].expandtabs(8) == (f"     a m  p  luo        16              8192            "
                                    f"/dev/dsk/{disk}s7")
    assert out[2].expandtabs(8).endswith(f"8208            8192            /dev/dsk/{disk}s7")
    h.add_stripe("d11", f"{disk}s0")
    assert h.run("metastat -p d11").stdout == f"d11 1 1 {disk}s0\n"


def test_soft_partition_md_tab_line_in_a_named_set_uses_the_raw_path() -> None:
    """A real ``metastat -s pora5ds -p`` (a public admin notes page, quoted in a repository
    found by the code search: "pora5ds/d61 -p /dev/md/pora5ds/rdsk/d50 -o 255852672 -b
    209715200"). meta_sp_short_print (illumos meta_sp.c) prints the component's cname only
    when its raw path holds /dev/rdsk or /dev/md/rdsk; /dev/md/pora5ds/rdsk/d50 does not.
    The extents are given with -o/-b as in the capture (its 32-block alignment on a concat
    is the 16 KB default interlace of its older release; Solaris 10 uses 512 KB). Its
    components print as /dev/dsk/... paths and its relocation table says "No -", also an
    older-release diskset; not modelled."""
    h = Host("xinguilingue")
    s = h.md.sets.setdefault("pora5ds", MDSet("pora5ds"))
    h.add_disk("c3t0d0")
    h.md.add_replicas(s, ["c3t0d0s7"], force=True)
    for i in range(2):
        h.add_disk(f"c2t5005076300CB0B15d{i}", 300000000, {7: 20480, 0: 299979520})
    r = h.run("metainit -s pora5ds d50 2 1 c2t5005076300CB0B15d0s0 1 c2t5005076300CB0B15d1s0")
    assert r.exit_code == 0, r.stderr
    for cmd in ("d51 -p d50 -o 32 -b 20971520",
                "d52 -p d50 -o 20971584 -b 134217728 -o 465567904 -b 41943040",
                "d61 -p d50 -o 255852672 -b 209715200"):
        r = h.run(f"metainit -s pora5ds {cmd}")
        assert r.exit_code == 0, r.stderr
    # newest first; the SP's base follows the first SP printed, as in the capture
    assert h.run("metastat -s pora5ds -p").stdout == (
        "pora5ds/d61 -p /dev/md/pora5ds/rdsk/d50 -o 255852672 -b 209715200 \n"
        "pora5ds/d50 2 1 c2t5005076300CB0B15d0s0 \\\n"
        "\t 1 c2t5005076300CB0B15d1s0\n"
        "pora5ds/d52 -p /dev/md/pora5ds/rdsk/d50 -o 20971584 -b 134217728  "
        "-o 465567904 -b 41943040 \n"
        "pora5ds/d51 -p /dev/md/pora5ds/rdsk/d50 -o 32 -b 20971520 \n")


def test_did_slices_print_their_raw_path_in_md_tab_lines_of_spares_and_soft_partitions(
) -> None:
    """hsp_print (meta_hotspares.c) and meta_sp_short_print (meta_sp.c) print a component's
    cname only when its raw path holds /dev/rdsk or /dev/md/rdsk: a Sun Cluster DID slice
    (/dev/did/rdsk/d7s0) is printed whole. Stripes print the cname (d4s0), as the Sun
    Cluster guide's ``metastat -s schost-1 -p`` shows."""
    h = Host("phys-schost-1")
    s = h.md.sets.setdefault("schost-1", MDSet("schost-1"))
    for disk in ("d4", "d7", "d8"):
        h.ensure_slice(f"{disk}s7", 65536)
        h.ensure_slice(f"{disk}s0")
    h.md.add_replicas(s, ["d4s7"], force=True)
    assert h.run("metahs -s schost-1 -a hsp001 d7s0").exit_code == 0
    assert h.run("metainit -s schost-1 d1 -p d8s0 -o 1 -b 2048").exit_code == 0
    out = h.run("metastat -s schost-1 -p").stdout
    assert "schost-1/d1 -p /dev/did/rdsk/d8s0 -o 1 -b 2048 \n" in out
    assert "schost-1/hsp001 /dev/did/rdsk/d7s0\n" in out
