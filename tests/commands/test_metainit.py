"""metainit: every form, its checks in libmeta order, md.tab entries, exit codes.

Expected texts come from illumos libmeta (meta_error.c texts, meta_init.c meta_cook_syntax
names, meta_stripe.c/meta_mirror.c/meta_hotspares.c/meta_sp.c success lines) and from
samples/metainit-two-way-mirror.txt.
"""

from __future__ import annotations

import sys

import pytest
from conftest import sample_text

from simulator import Host
from simulator.lvm.md.records import Mirror, SoftPartition, Stripe
from simulator.lvm.md.states import SmState

WARNING = ("metainit: {0}: WARNING: This form of metainit is not recommended.\n"
           "The submirrors may not have the same data.\n"
           "Please see ERRORS in metainit(1M) for additional information.\n")


def err(text: str, prog: str = "metainit") -> str:
    """mde_perror: ``prog: host1: text`` and an empty line."""
    return f"{prog}: host1: {text}\n\n"


@pytest.fixture
def h(host: Host) -> Host:
    """host1 with replicas on c0t0d0s7 and five more whole disks."""
    for d in ("c1t0d0", "c1t1d0", "c2t0d0", "c2t1d0", "c3t0d0"):
        host.add_disk(d)
    return host


def test_sample_two_way_mirror(host: Host) -> None:
    """samples/metainit-two-way-mirror.txt: the metainit lines, byte for byte.

    The sample's metattach line (DiskSuite 4.2.1 wording) belongs to metattach's tests.
    """
    text = sample_text("metainit-two-way-mirror.txt")
    for disk in ("c0t0d0", "c1t0d0"):
        host.ensure_slice(f"{disk}s2")
    blocks = text.split("# ")[1:]
    checked = 0
    for block in blocks:
        command, _, expected = block.partition("\n")
        if not command.startswith("metainit"):
            continue
        r = host.run(command)
        assert (r.stdout, r.stderr, r.exit_code) == (expected, "", 0), command
        checked += 1
    assert checked == 3
    m = host.md.sets[""].units["d50"]
    assert isinstance(m, Mirror) and [s.name for s in m.submirrors] == ["d51"]


def test_stripe_rows_interlace_and_hsp(h: Host) -> None:
    assert h.run("metainit hsp001 c3t0d0s0").stdout == "hsp001: Hotspare pool is setup\n"
    r = h.run("metainit d10 2 2 c1t0d0s0 c1t1d0s0 -i 32k 1 c2t0d0s0 -h hsp001")
    assert (r.stdout, r.stderr, r.exit_code) == ("d10: Concat/Stripe is setup\n", "", 0)
    st = h.md.sets[""].units["d10"]
    assert isinstance(st, Stripe)
    assert [len(row.components) for row in st.rows] == [2, 1]
    assert st.rows[0].interlace == 64 and st.hsp == "hsp001"


@pytest.mark.parametrize("interlace, blocks", [("16b", 16), ("8192", 16), ("1m", 2048),
                                               ("512K", 1024), ("32kb", 64)])
def test_interlace_units(h: Host, interlace: str, blocks: int) -> None:
    """parse_interlace: a bare number is bytes (multiple of 512), b/k/m suffixes."""
    assert h.run(f"metainit d10 1 2 c1t0d0s0 c1t1d0s0 -i {interlace}").exit_code == 0
    st = h.md.sets[""].units["d10"]
    assert isinstance(st, Stripe) and st.rows[0].interlace == blocks


@pytest.mark.parametrize("args, text", [
    ("d10 1 2 c1t0d0s0 c1t1d0s0 -i 1000", 'd10: "1000": invalid interlace'),
    ("d10 1 2 c1t0d0s0 c1t1d0s0 -i 32g", '"32g": invalid interlace'),
    ("d10 1 2 c1t0d0s0 c1t1d0s0 -i abc", 'd10: "abc": invalid interlace'),
    ("d10 1 2 c1t0d0s0 c1t1d0s0 -i 8b", "d10: invalid interlace"),
    ("d10 1 2 c1t0d0s0 c1t1d0s0 -i 101m", "d10: invalid interlace"),
    ("d10 1 xyz", 'd10: "xyz": syntax error'),
    ("d10 1 1 c1t0d0s0 extra", 'd10: "extra": syntax error'),
    ("d10 0", "d10: not enough stripes specified"),
    ("d10 2 1 c1t0d0s0", "d10: not enough stripes specified"),
    ("d10 1 0", "d10: not enough components specified"),
    ("d10 1 2 c1t0d0s0", "d10: not enough components specified"),
    ("d10 1 1 c1t0d0s0 -x", 'd10: "-x": illegal option'),
    ("d10 1 1 c1t0d0s0 -i", 'd10: "-i": illegal option'),
    ("d10 1 1 c9t9d9s0", "c9t9d9s0: No such file or directory"),
    ("d10 1 1 c1t0d0s0 -h hsp009", "hsp009: invalid hotspare pool"),
    ("d10 1 2 c1t0d0s0 c1t0d0s0",
     "c1t0d0s0: has appeared more than once in the specification of d10"),
    ("c1t0d0s1 1 1 c1t0d0s0", "c1t0d0s1: No such file or directory"),
    ("c1t0d0s0 1 1 c1t1d0s0", "c1t0d0s0: not a metadevice"),
])
def test_stripe_errors(h: Host, args: str, text: str) -> None:
    r = h.run(f"metainit {args}")
    assert (r.stdout, r.stderr, r.exit_code) == ("", err(text), 1)
    assert "d10" not in h.md.sets[""].units


def test_component_in_use_mounted_and_force(h: Host) -> None:
    h.add_open_check(lambda name: "/export/home" if name == "c1t0d0s0" else None)
    r = h.run("metainit d10 1 1 c1t0d0s0")
    assert r.stderr == err("c1t0d0s0: is mounted on /export/home") and r.exit_code == 1
    assert h.run("metainit -f d10 1 1 c1t0d0s0").stdout == "d10: Concat/Stripe is setup\n"
    r = h.run("metainit d11 1 1 c1t0d0s0")   # mounted is checked before "in use"
    assert r.stderr == err("c1t0d0s0: is mounted on /export/home")
    r = h.run("metainit -f d11 1 1 c1t0d0s0")
    assert r.stderr == err("c1t0d0s0: has appeared more than once in the specification of d10")


def test_existing_unit_and_dry_run(h: Host) -> None:
    h.run("metainit d10 1 1 c1t0d0s0")
    r = h.run("metainit d10 1 1 c1t1d0s0")
    assert (r.stderr, r.exit_code) == (err("d10: unit already set up"), 1)
    r = h.run("metainit -n d11 1 1 c1t1d0s0")
    assert (r.stdout, r.exit_code) == ("d11: Concat/Stripe is setup\n", 0)
    assert "d11" not in h.md.sets[""].units
    r = h.run("metainit -n hsp001 c3t0d0s0")      # meta_create_hsp: -n prints nothing
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0) and not h.md.sets[""].hsps


def test_mirror_forms_and_options(h: Host) -> None:
    for n, disk in ((11, "c1t0d0"), (12, "c1t1d0"), (13, "c2t0d0")):
        h.run(f"metainit d{n} 1 1 {disk}s0")
    r = h.run("metainit d10 -m d11")
    assert (r.stdout, r.stderr, r.exit_code) == ("d10: Mirror is setup\n", "", 0)
    r = h.run("metainit d20 -m d12 d13 -g -S 0")
    assert (r.stdout, r.stderr, r.exit_code) == ("d20: Mirror is setup\n", WARNING.format("d20"), 0)
    m = h.md.sets[""].units["d20"]
    assert isinstance(m, Mirror)
    assert (m.read_option, m.write_option, m.pass_num) == ("geometric", "serial", 0)
    assert all(slot.state == SmState.RUNNING for slot in m.submirrors) and not m.resync_active


@pytest.mark.parametrize("args, text, warned", [
    ("d0 -m d11 -g -r", "d0: invalid read option", False),
    ("d0 -m d11 -S -S", "d0: invalid write option", False),
    ("d0 -m d11 10", 'd0: "10": invalid pass number', False),
    ("d0 -m d11 1 x", 'd0: "x": syntax error', False),
    ("d0 -m d11 -x", 'd0: "-x": illegal option', False),
    ("d0 -m -g", 'd0: "-g": illegal option', False),
    ("d0 -m 1", "d0: not enough submirrors specified", False),
    ("d0 -m", "d0: syntax error", False),
    ("d0 -m d11 d12 d13 d14 d15", "d0: mirror has maximum number of submirrors", False),
    ("d0 -m d99", "d99: unit not set up", False),
    ("d0 -m d11 d11", "d11: has appeared more than once in the specification of d0", True),
    ("d0 -m c1t0d0s0", "c1t0d0s0: not a metadevice", False),
])
def test_mirror_errors(h: Host, args: str, text: str, warned: bool) -> None:
    h.run("metainit d11 1 1 c2t1d0s0")
    r = h.run(f"metainit {args}")
    assert r.stderr == (WARNING.format("d0") if warned else "") + err(text)
    assert (r.stdout, r.exit_code) == ("", 1)
    assert "d0" not in h.md.sets[""].units


def test_mirror_submirror_checks(h: Host) -> None:
    """meta_check_submirror: a submirror already in a mirror is an "invalid unit"."""
    h.run("metainit d11 1 1 c1t0d0s0")
    h.run("metainit d10 -m d11")
    r = h.run("metainit d20 -m d11")
    assert r.stderr == err("d11: invalid unit")
    r = h.run("metainit d20 -m d10")      # a mirror cannot be a submirror
    assert r.stderr == err("d10: invalid unit")


def test_hot_spare_pools(h: Host) -> None:
    r = h.run("metainit hsp001 c3t0d0s0 c2t1d0s0")
    assert (r.stdout, r.exit_code) == ("hsp001: Hotspare pool is setup\n", 0)
    assert [hs.name for hs in h.md.sets[""].hsps["hsp001"].spares] == ["c3t0d0s0", "c2t1d0s0"]
    cases = {
        "hsp001": "hsp001: hotspare pool is already setup",
        "hsp002 c0t0d0s7": "c0t0d0s7: has a metadevice database replica",
        "hsp002 c1t0d0s0 c1t0d0s0":
            "c1t0d0s0: has appeared more than once in the specification of hsp002",
        "hsp002 -x": 'hsp002: "-x": illegal option',
        "hsp002 nodisk": "nodisk: No such file or directory",
        "d10": "d10: No such file or directory",
    }
    for args, text in cases.items():
        r = h.run(f"metainit {args}")
        assert (r.stderr, r.exit_code) == (err(text), 1), args
    h.run("metainit d10 1 1 c1t1d0s0")
    assert h.run("metainit hsp002 c1t1d0s0").stderr == err(
        "c1t1d0s0: has appeared more than once in the specification of d10")
    assert h.run("metainit hsp002 d10").stderr == err("d10: is a metadevice")
    assert h.run("metainit hsp2").stdout == "hsp002: Hotspare pool is setup\n"


def test_soft_partitions(h: Host) -> None:
    r = h.run("metainit d20 -p c1t0d0s0 100m")
    assert (r.stdout, r.stderr, r.exit_code) == ("d20: Soft Partition is setup\n", "", 0)
    h.run("metainit d21 -p c1t0d0s0 1g")
    s = h.md.sets[""]
    d20, d21 = s.units["d20"], s.units["d21"]
    assert isinstance(d20, SoftPartition) and isinstance(d21, SoftPartition)
    # one watermark block in front of every extent (meta_sp.c MD_SP_WMSIZE)
    assert d20.extents == [(1, 204800)] and d21.extents == [(204802, 2097152)]
    h.run("metainit d22 -p c0t0d0s7 10m")    # after the replicas (3 x 8192 from block 16)
    d22 = s.units["d22"]
    assert isinstance(d22, SoftPartition) and d22.extents == [(24593, 20480)]


def test_soft_partition_on_metadevice_is_aligned_and_parents_it(h: Host) -> None:
    """meta_sp_get_default_alignment: the first row's interlace of the stripe below."""
    h.run("metainit d10 1 1 c1t0d0s0")
    h.run("metainit d20 -p d10 100m")
    s = h.md.sets[""]
    d20 = s.units["d20"]
    assert isinstance(d20, SoftPartition) and d20.extents == [(1024, 204800)]
    assert s.units["d10"].parent == "d20"
    assert h.run("metainit d30 -m d10").stderr == err("d10: invalid unit")


def test_soft_partition_layouts_by_offset(h: Host) -> None:
    """``-o``/``-b`` (what metastat -p prints) keep the extents in command-line order."""
    r = h.run("metainit d20 -p c1t0d0s0 -o 5000 -b 100 -o 10 -b 20")
    assert r.exit_code == 0
    d20 = h.md.sets[""].units["d20"]
    assert isinstance(d20, SoftPartition) and d20.extents == [(5000, 100), (10, 20)]
    r = h.run("metainit d21 -p c1t0d0s0 -o 5050 -b 10")
    assert r.stderr == err("d21: overlapping extents specified")


def test_soft_partition_all_takes_every_free_extent(h: Host) -> None:
    h.run("metainit d20 -p c1t0d0s0 -o 1000 -b 1000")
    h.run("metainit d21 -p c1t0d0s0 all")
    size = h.md.slice_size("c1t0d0s0")
    d21 = h.md.sets[""].units["d21"]
    assert isinstance(d21, SoftPartition)
    assert d21.extents == [(1, 998), (2001, size - 2001 - 1)]
    r = h.run("metainit d22 -p c1t0d0s0 1m")
    assert r.stderr == err("d22: not enough space available for request")


@pytest.mark.parametrize("args, text", [
    ("d20 -p c1t0d0s0 10x", 'c1t0d0s0: "10x": syntax error'),
    ("d20 -p c1t0d0s0 100", 'c1t0d0s0: "100": syntax error'),
    ("d20 -p c1t0d0s0", "c1t0d0s0: syntax error"),
    ("d20 -p", "syntax error"),
    ("d20 -p c1t0d0s0 -o 10", "c1t0d0s0: syntax error"),
    ("d20 -p c1t0d0s0 -b 10", 'c1t0d0s0: "-b": syntax error'),
    ("d20 -p c1t0d0s0 -o 0 -b 10", 'c1t0d0s0: "-o": syntax error'),
    ("d20 -p c1t0d0s0 -o 10 -b 10 -o 15 -b 10", "c1t0d0s0: syntax error"),
    ("d20 -p c1t0d0s0 -q 1", 'c1t0d0s0: "-q": illegal option'),
    ("d20 -p c1t0d0s0 1m 2m", 'c1t0d0s0: "2m": syntax error'),
    ("d20 -p c1t0d0s9 1m", "c1t0d0s9: No such file or directory"),
    ("d20 -p d99 1m", "d99: unit not set up"),
])
def test_soft_partition_errors(h: Host, args: str, text: str) -> None:
    r = h.run(f"metainit {args}")
    assert (r.stdout, r.stderr, r.exit_code) == ("", err(text), 1)


def test_trans_raid_and_unknown_entries(h: Host) -> None:
    r = h.run("metainit d30 -t d31 d32")
    assert r.stderr == ("metainit: host1: Trans logging has been replaced by UFS Logging.\n"
                        "See mount_ufs(1M). Operation failed.\n\n\n")
    assert h.run("metainit d10 -x 1").stderr == err("d10: No such file or directory")


def test_md_tab_entry_by_name_and_all(h: Host) -> None:
    h.md.mdtab = ("# md.tab\n"
                  "d11 1 1 c1t0d0s0\n"
                  "d10 -m d11 d12 \\\n"
                  "   1\n"
                  "d12 1 1 c1t1d0s0\n"
                  "d13 1 1 nodisk\n")
    r = h.run("metainit d11")
    assert (r.stdout, r.exit_code) == ("d11: Concat/Stripe is setup\n", 0)
    r = h.run("metainit d13")
    assert r.stderr == err("/etc/lvm/md.tab line 6: nodisk: No such file or directory")
    r = h.run("metainit -a")
    # d10 is tried before d12 exists (and warns), then built on the next pass
    assert r.stdout == "d12: Concat/Stripe is setup\nd10: Mirror is setup\n"
    assert r.stderr == (WARNING.format("d10") * 2
                        + err("/etc/lvm/md.tab line 2: d11: unit already set up")
                        + err("/etc/lvm/md.tab line 6: nodisk: No such file or directory"))
    assert r.exit_code == 1


def test_md_tab_syntax_error(h: Host) -> None:
    h.md.mdtab = "d10 1 1 c1t0d0s0\n  # indented comment\n"
    r = h.run("metainit -a")
    assert (r.stderr, r.exit_code) == (err("/etc/lvm/md.tab: syntax error"), 255)
    r = h.run("metainit d10")
    assert (r.stderr, r.exit_code) == (err("/etc/lvm/md.tab: syntax error"), 1)


def test_options_usage_and_database(h: Host) -> None:
    r = h.run("metainit -h")
    assert r.exit_code == 0 and r.stderr.startswith("usage:\tmetainit [-s setname] [-n] [-f] ")
    assert r.stderr.endswith("\tmetainit -r\n") and r.stdout == ""
    assert h.run("metainit").exit_code == 1
    assert h.run("metainit -a d10").exit_code == 1
    assert h.run("metainit -a -r").exit_code == 1
    r = h.run("metainit -q")
    assert r.stderr.startswith("metainit: illegal option -- q\nusage:") and r.exit_code == 1
    assert (h.run("metainit -r").exit_code, h.run("metainit -r").stdout) == (0, "")
    r = h.run("metainit -s nosuch d10 1 1 c1t0d0s0")
    assert (r.stderr, r.exit_code) == (err("nosuch: no such set"), 1)
    r = h.run("metainit d10 1 1 c1t0d0s0", uid=100)
    assert r.stderr == err("Permission denied.  You must have root privilege to execute "
                           "this command.") and r.exit_code == 1


def test_no_database_and_stale_database() -> None:
    h = Host("host1")
    h.add_disk("c1t0d0")
    r = h.run("metainit d10 1 1 c1t0d0s0")
    assert (r.stderr, r.exit_code) == (err("there are no existing databases"), 1)
    h.add_replicas("c0t0d0s7", "c1t0d0s7")
    for rep in h.md.sets[""].replicas[:1]:
        rep.flags = {"W"}
    h.md.sets[""].replicas[1].flags = {"W"}
    r = h.run("metainit d10 1 1 c1t0d0s0")
    assert (r.stderr, r.exit_code) == (err("stale databases"), 66)


def test_soft_partition_component_checks(h: Host) -> None:
    """meta_check_sp: a slice may only carry other soft partitions; -e takes a drive."""
    h.run("metainit d10 1 1 c1t0d0s0")
    h.run("metainit hsp001 c1t1d0s0")
    assert h.run("metainit d20 -p c1t0d0s0 1m").stderr == err(
        "c1t0d0s0: has appeared more than once in the specification of d10")
    assert h.run("metainit d20 -p c1t1d0s0 1m").stderr == err(
        "c1t1d0s0: has appeared more than once in the specification of hsp001")
    h.run("metainit d21 -p d10 1m")
    assert h.run("metainit d22 -p d21 1m").stderr == err("d21: invalid unit")
    assert h.run("metainit d22 -p -e c2t0d0s3 1m").stderr == err(
        "c2t0d0s3: not a valid drive name")
    r = h.run("metainit d22 -p -e c2t0d0 1g")
    assert (r.stdout, r.exit_code) == ("d22: Soft Partition is setup\n", 0)
    d22 = h.md.sets[""].units["d22"]
    assert isinstance(d22, SoftPartition) and d22.component == "c2t0d0s0"


def test_dry_run_creates_nothing(h: Host) -> None:
    h.run("metainit d11 1 1 c1t0d0s0")
    before = h.md.to_dict()["sets"]
    for args, out in (("d10 -m d11", "d10: Mirror is setup\n"),
                      ("d20 -p c2t0d0s0 1g", "d20: Soft Partition is setup\n")):
        r = h.run(f"metainit -n {args}")
        assert (r.stdout, r.stderr, r.exit_code) == (out, "", 0)
    assert h.md.to_dict()["sets"] == before
    r = h.run("metainit -n d20 -p c2t0d0s0 1t")
    assert r.stderr == err("d20: not enough space available for request")


def test_a_number_of_thousands_of_digits_wraps_as_the_c_scan_does() -> None:
    """sscanf's %d/%llu read any number of digits (libmeta meta_tab.c); Python's int() refuses
    more than 4,300 at once, which once made ``metainit ... -i 999...9`` exit 70."""
    from simulator.lvm.libmeta.mdtab import scan_ulonglong
    digits = "9" * 5000
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        expected = int(digits) % 2**64
    finally:
        sys.set_int_max_str_digits(old)
    assert scan_ulonglong(digits) == (expected, "")
    assert scan_ulonglong("1" + "0" * 4400 + "k")[1] == "k"
    from simulator import Host
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.ensure_slice("c1t0d0s0")
    r = h.run(["metainit", "d1", "1", "1", "c1t0d0s0", "-i", digits])
    assert r.exit_code != 70 and not h.internal_errors
