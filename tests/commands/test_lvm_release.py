"""What differs by release and since boot: replica flags after ``metadb -a``, the ``metadb -i``
legend, the slot a re-attached submirror takes, and where a soft partition lands.

Sources: md_mddb.h MDDB_F_* and metadb.c info() (flags, legend); mirror_ioctl.c
mirror_detach / mirror_attach (slots); meta_sp.c meta_create_sp (placement). The release
rules are :mod:`simulator.lvm.libmeta.release`.
"""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.lvm.cmd.metadb import BADTAG_LINE, LEGEND, TAG_LINE, legend
from simulator.lvm.libmeta.release import detach_compacts, legend_has_tag_lines
from simulator.scenario.catalog import parse_scenario

GB = 2**21
BOOT = "     a    p  luo    "
MASTER = "     a m  p  luo    "
LIVE = "     a        u     "


def flags(h: Host) -> list[str]:
    return [line.split("\t")[0] for line in h.run("metadb").stdout.splitlines()[1:]]


def test_metadb_a_replicas_show_a_u_until_reboot() -> None:
    """Real Solaris 9, 10 and 11 machines (issue 14): replicas added with ``metadb -a``
    print ``a        u``; the ones there at boot keep their flags; after a reboot every
    replica prints the boot flags (p, l, o: md_mddb.h MDDB_F_PTCHED, LOCACC, OLDACT)."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.ensure_slice("c1t1d0s7", 65536)
    assert h.run("metadb -a -c 2 c1t1d0s7").exit_code == 0
    assert flags(h) == [MASTER, BOOT, BOOT, LIVE, LIVE]
    h.reboot()
    assert flags(h) == [MASTER, BOOT, BOOT, BOOT, BOOT]


def test_first_replicas_of_a_host_have_no_master_until_reboot() -> None:
    """A master (MDDB_F_MASTER) is the copy the database was read from at boot: the first
    replicas made with ``metadb -a -f`` have none until the host boots with them."""
    h = Host("host1")
    h.ensure_slice("c0t0d0s7", 65536)
    assert h.run("metadb -a -f -c 2 c0t0d0s7").exit_code == 0
    assert flags(h) == [LIVE, LIVE]
    h.reboot()
    assert flags(h) == [MASTER, BOOT]


def test_errored_replicas_keep_their_flags_across_a_reboot() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=2)
    h.add_replicas("c1t0d0s7")
    h.md.replica_error("c1t0d0s7")
    h.reboot()
    assert flags(h) == [MASTER, BOOT, "      W   p  l      "]


@pytest.mark.parametrize("release,tagged", [
    ("5.9", False), ("5.10", False), ("5.11", True), ("illumos", True)])
def test_metadb_i_legend_by_release(release: str, tagged: bool) -> None:
    """illumos metadb.c info(): ``t`` after ``m``, ``B`` last; Solaris 9/10 print the
    fourteen lines of samples/metadb-i.txt."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7")
    h.release = release  # the [host] release key
    out = h.run("metadb -i").stdout
    assert legend_has_tag_lines(release) is tagged
    assert out.endswith(legend(release) + "\n")
    lines = out.splitlines()
    if tagged:
        assert lines[-10:-8] == [" m - replica is master, this is replica selected as input",
                                  TAG_LINE]
        assert lines[-1] == BADTAG_LINE and len(lines) == 2 + 16
    else:
        assert out.endswith(LEGEND + "\n") and TAG_LINE not in out and len(lines) == 2 + 14


def test_release_defaults_to_5_10_and_is_checked() -> None:
    assert Host("host1").release == "5.10"
    with pytest.raises(ValueError, match="not a modelled release"):
        Host("host1", release="7.0")


def three_way(release: str) -> Host:
    h = Host("host1")
    h.release = release
    h.add_replicas("c0t0d0s7", count=3)
    for i, sub in enumerate(("d10", "d20", "d30")):
        h.add_disk(f"c1t{i + 1}d0", 4 * GB + 65536, {0: 4 * GB, 7: 65536})
        h.add_stripe(sub, f"c1t{i + 1}d0s0")
    h.md.create_mirror(h.md.sets[""], "d0", ["d10", "d20", "d30"])
    return h


def submirror_lines(h: Host) -> list[str]:
    return [ln for ln in h.run("metastat d0").stdout.splitlines()
            if ln.startswith("    Submirror ")]


@pytest.mark.parametrize("release", ["5.9", "5.10"])
def test_solaris_10_reattach_returns_to_the_slot_it_left(release: str) -> None:
    """Solaris 10 (real capture, issue 14): the detached submirror's un_sm[] slot stays
    empty (metastat prints the slot index, meta_mirror.c mirror_report ``smi``) and
    mirror_attach fills the first free slot: d10 comes back as Submirror 0."""
    h = three_way(release)
    assert detach_compacts(release) is False
    assert h.run("metadetach d0 d10").exit_code == 0
    assert submirror_lines(h) == ["    Submirror 1: d20", "    Submirror 2: d30"]
    assert h.run("metastat -p d0").stdout.splitlines()[0] == "d0 -m d20 d30 1"
    assert h.run("metattach d0 d10").exit_code == 0
    assert submirror_lines(h) == ["    Submirror 0: d10", "    Submirror 1: d20",
                                  "    Submirror 2: d30"]
    assert h.run("metastat -p d0").stdout.splitlines()[0] == "d0 -m d10 d20 d30 1"


@pytest.mark.parametrize("release", ["5.11", "illumos"])
def test_illumos_detach_compacts_and_reattach_goes_last(release: str) -> None:
    """illumos mirror_detach reshuffles un_sm[] ("Reshuffle the submirror devices in the
    array"): d20 and d30 move down and the re-attached d10 is Submirror 2."""
    h = three_way(release)
    assert h.run("metadetach d0 d10").exit_code == 0
    assert submirror_lines(h) == ["    Submirror 0: d20", "    Submirror 1: d30"]
    assert h.run("metattach d0 d10").exit_code == 0
    assert submirror_lines(h) == ["    Submirror 0: d20", "    Submirror 1: d30",
                                  "    Submirror 2: d10"]


def test_a_hole_survives_a_saved_state_and_a_reboot() -> None:
    """The slot numbers are part of the record (to_dict/from_dict); the Solaris 10 kernel
    has no collapse at snarf (mirror.c collapse_submirrors is illumos's)."""
    from simulator.lvm.md.records import unit_from_dict
    h = three_way("5.10")
    h.run("metadetach d0 d20")
    m = h.md.sets[""].units["d0"]
    again = unit_from_dict(m.to_dict())
    assert [(n, sl.name) for n, sl in again.numbered()] == [(0, "d10"), (2, "d30")]
    h.reboot()
    assert submirror_lines(h) == ["    Submirror 0: d10", "    Submirror 2: d30"]


SP_SCENARIO = """
[[disk]]
name = "c1t0d0"
size = "10GB"
slices = { "0" = "4GB", "7" = "64MB" }
[[disk]]
name = "c2t0d0"
size = "10GB"
slices = { "0" = "4GB", "7" = "64MB" }
[[replica]]
device = "c1t0d0s7"
count = 3
[[stripe]]
name = "d10"
rows = [["c1t0d0s0"]]
[[stripe]]
name = "d20"
rows = [["c2t0d0s0"]]
[[mirror]]
name = "d0"
submirrors = ["d10", "d20"]
"""


def test_scenario_softpart_is_placed_as_metainit_places_it() -> None:
    """meta_sp.c meta_create_sp: one watermark block, data aligned to the interlace of the
    first submirror's first row (meta_sp_get_default_alignment): block 1024 on a concat of
    the default interlace. The scenario builder goes through the same allocator."""
    built = parse_scenario(SP_SCENARIO + '[[softpart]]\nname = "d80"\ncomponent = "d0"\n'
                           'size = "1GB"\n[[softpart]]\nname = "d81"\ncomponent = "d0"\n'
                           'size = "1GB"\n').build_host()
    made = parse_scenario(SP_SCENARIO).build_host()
    for cmd in ("metainit d80 -p d0 1g", "metainit d81 -p d0 1g"):
        assert made.run(cmd).exit_code == 0
    for cmd in ("metastat -p d80 d81", "metastat d80", "metastat d81"):
        assert built.run(cmd).stdout == made.run(cmd).stdout
    assert built.md.sets[""].units["d80"].extents == [(1024, GB)]
    assert built.md.sets[""].units["d0"].parent == "d80"
    assert built.run("metaclear d0").exit_code == 1       # in use by its soft partitions


def test_scenario_softpart_on_a_replica_slice_starts_after_the_replicas() -> None:
    """meta_sp_list_freefill reserves the replicas at the start of a slice (metagetstart)."""
    text = SP_SCENARIO.replace('"7" = "64MB" }', '"7" = "64MB", "5" = "2GB" }', 1)
    built = parse_scenario(text + '[[replica]]\ndevice = "c1t0d0s5"\n[[softpart]]\n'
                           'name = "d80"\ncomponent = "c1t0d0s5"\nsize = "1GB"\n'
                           ).build_host()
    made = parse_scenario(text + '[[replica]]\ndevice = "c1t0d0s5"\n').build_host()
    assert made.run("metainit d80 -p c1t0d0s5 1g").exit_code == 0
    assert built.run("metastat -p d80").stdout == made.run("metastat -p d80").stdout
    assert built.md.sets[""].units["d80"].extents == [(16 + 8192 + 1, GB)]
