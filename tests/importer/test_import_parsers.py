"""The capture parsers on the reference's real captures (/work/shared/reference/samples) and
on the layouts the sources print, and what an import refuses (naming the line)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.importer import CaptureError, Unimportable, import_scenario, plan_host
from simulator.importer.captures import Capture, Captures
from simulator.importer.mdtab import parse_metastat_p
from simulator.importer.metadb import parse_metadb
from simulator.importer.metastat import parse_metastat
from simulator.importer.plan import band_target
from simulator.importer.release import parse_release, parse_uname
from simulator.importer.tables import parse_df, parse_mnttab, parse_vfstab
from simulator.importer.vtoc import parse_format, parse_prtvtoc
from tests.conftest import sample_text

METADB = ("\tflags\t\tfirst blk\tblock count\n"
          "     a m  p  luo    \t16\t\t8192\t\t/dev/dsk/c0t0d0s7\n")


def cap(text: str, source: str = "cap") -> Capture:
    return Capture(source, text)


def admin_guide_metastat_p() -> str:
    """The Administration Guide's metastat -p (reference sample), without its prompt."""
    return "".join(line + "\n" for line in sample_text("metastat-p.txt").splitlines()
                   if not line.startswith("[root@"))


def test_metastat_p_of_the_administration_guide() -> None:
    """Every kind of line of the Guide's "Final Solaris Volume Manager Configuration" (after
    its RAID-5 line): a two-row stripe with its continuation line (meta_stripe.c
    stripe_print), soft partitions (meta_sp.c meta_sp_short_print), a mirror
    (mirror_print), hot spare pools, empty or not (hsp_print)."""
    text = "".join(admin_guide_metastat_p().splitlines(True)[1:])
    cfg = parse_metastat_p(cap(text))
    d25 = next(s for s in cfg.stripes if s.name == "d25")
    assert d25.rows == [(["c1t1d0s3", "c2t1d0s3"], 32), (["c0t0d0s3"], None)]
    d31 = next(s for s in cfg.stripes if s.name == "d31")
    assert d31.rows == [(["c1t4d0s4", "c2t4d0s4"], 8192)]
    assert cfg.mirrors[0].name == "d70" and cfg.mirrors[0].submirrors == ["d71", "d72"]
    sps = {sp.name: sp for sp in cfg.softparts}
    assert sps["d81"].component == "d70" and sps["d81"].extents == [(2097154, 2097152)]
    assert sps["d127"].component == "c2t3d0s7"
    assert [(p.name, p.spares) for p in cfg.hsps][:2] == [
        ("hsp010", []), ("hsp014", ["c1t2d0s1", "c2t2d0s1"])]
    assert cfg.order[:3] == ["d1", "d2", "d12"]


def test_mirror_options_and_pass() -> None:
    """mirror_print: ``-g``/``-r`` (read), ``-S`` (serial writes), then the pass number."""
    cfg = parse_metastat_p(cap("d1 -m d2 d3 -g -S 3\nd2 1 1 c1t0d0s0\nd3 1 1 c2t0d0s0\n"))
    m = cfg.mirrors[0]
    assert (m.read, m.write, m.pass_num, m.submirrors) == ("geometric", "serial", 3,
                                                          ["d2", "d3"])


@pytest.mark.parametrize(("text", "lineno", "words"), [
    ("d1 1 1 c0t0d0s0\nd50 -r c1t4d0s5 c1t5d0s5 c2t4d0s5 -k -i 32b\n", 2, "RAID-5"),
    ("d0 -t d1 d2\nd1 1 1 c0t0d0s0\n", 1, "trans metadevice"),
    ("d1 1 1 c0t0d0s0 -h hsp001\nhsp001 /dev/did/rdsk/d4s0\n", 2, "Sun Cluster DID"),
])
def test_what_cannot_be_imported_names_its_line(text: str, lineno: int, words: str) -> None:
    """RAID-5 (meta_get_init_type TAB_RAID), trans (TAB_TRANS) and cluster DID devices: an
    Unimportable naming the capture, the line number and the line."""
    with pytest.raises(Unimportable) as e:
        parse_metastat_p(cap(text, "host/metastat-p"))
    line = text.splitlines()[lineno - 1]
    assert str(e.value).startswith(f"host/metastat-p line {lineno}: {line}: cannot be "
                                   "imported: ")
    assert words in str(e.value)


def test_a_diskset_is_refused() -> None:
    """metastat -s schost-1 -p (reference sample, Sun Cluster guide): a named set."""
    lines = [x for x in sample_text("metastat-p-diskset-backup.txt").splitlines()
             if x.startswith("schost-1/")]
    with pytest.raises(Unimportable, match=r"line 1: schost-1/d0 -m .*named diskset"):
        parse_metastat_p(cap("\n".join(lines) + "\n"))


def test_raid_in_the_reference_capture_is_refused_on_its_line() -> None:
    with pytest.raises(Unimportable, match=r"^cap line 1: d50 -r c1t4d0s5 .*RAID-5"):
        parse_metastat_p(cap(admin_guide_metastat_p()))


def test_not_metastat_p_and_missing_captures() -> None:
    with pytest.raises(CaptureError, match="not metastat -p output"):
        parse_metastat_p(cap("$ metastat -p\n"))
    with pytest.raises(CaptureError, match="no metastat -p capture"):
        plan_host(Captures())
    with pytest.raises(CaptureError, match="no metadb capture"):
        plan_host(Captures(metastat_p=cap("d1 1 1 c0t0d0s0\n")))


def test_metadb_flags_of_the_administration_guide() -> None:
    """metadb -i (reference sample, Example 7-4): the letters of each replica, ``W`` (write
    errors) on c2t3d0s1, the legend skipped."""
    rows = parse_metadb(cap(sample_text("metadb-i.txt")))
    assert len(rows) == 8
    assert (rows[0].device, rows[0].first, rows[0].count, rows[0].flags) == (
        "c0t0d0s7", 16, 8192, "ampluo")
    assert rows[4].device == "c2t3d0s1" and rows[4].flags == "Wpl"


def test_metastat_states_of_the_reference_captures() -> None:
    """mirror_report's submirror states and resync line (metastat(1M) Example 1), and
    hsp_report's rows (reference metastat-hsp)."""
    st = parse_metastat(cap(sample_text("metastat-mirror-resyncing.txt")))
    assert st.submirrors["opt_mirror"] == {"opt_sub1": "Okay", "opt_sub2": "Resyncing"}
    assert st.resync["opt_mirror"] == "15"
    hs = parse_metastat(cap(sample_text("metastat-hsp.txt")))
    assert hs.spares["hsp001"] == {"c1t3d0s2": ("Available", 16800)}
    with pytest.raises(Unimportable, match="RAID metadevices are not simulated"):
        parse_metastat(cap(sample_text("metastat-config-partial.txt")))


def test_prtvtoc_and_format() -> None:
    """prtvtoc.c puttable's Dimensions and slice lines; format's disk list."""
    vtoc = ("* /dev/rdsk/c1t0d0s2 partition map\n*\n* Dimensions:\n*     512 bytes/sector\n"
            "*     107 sectors/track\n*      27 tracks/cylinder\n*    2889 sectors/cylinder\n"
            "*   24622 cylinders\n*   24620 accessible cylinders\n*\n"
            "*                          First     Sector    Last\n"
            "* Partition  Tag  Flags    Sector     Count    Sector  Mount Directory\n"
            "       0      2    00          0  8392545  8392544   /\n"
            "       2      5    01          0 71127180 71127179\n"
            "       7      0    00   71061720     65460 71127179\n"
            "       8      1    01          0     2889     2888\n")
    d = parse_prtvtoc(cap(vtoc))
    assert (d.name, d.size, d.heads, d.sectors) == ("c1t0d0", 71127180, 27, 107)
    assert d.slices == {0: (0, 8392545), 7: (71061720, 65460)} and d.dropped == [8]
    fmt = parse_format(cap("AVAILABLE DISK SELECTIONS:\n"
                           "       0. c0t0d0 <SUN36G cyl 24620 alt 2 hd 27 sec 107>\n"
                           "          /pci@1c,600000/scsi@2/sd@0,0\n"))
    assert fmt["c0t0d0"].size == 24620 * 27 * 107


def test_tables_uname_release() -> None:
    """vfstab(4)'s seven fields, mnttab(4)'s five, df -k with a special on its own line;
    uname -a's node name and release; /etc/release's first line."""
    v = parse_vfstab(cap("#device\n/dev/md/dsk/d10\t/dev/md/rdsk/d10\t/\tufs\t1\tno\tlogging\n"
                         "/dev/md/dsk/d20\t-\t-\tswap\t-\tno\t-\n"))
    assert [(m.device, m.mount, m.options) for m in v] == [("/dev/md/dsk/d10", "/", "logging")]
    m = parse_mnttab(cap("/dev/md/dsk/d10\t/\tufs\trw,intr,largefiles,logging,xattr\t1\n"
                         "swap\t/tmp\ttmpfs\txattr\t1\n"))
    assert [(x.mount, x.mounted) for x in m] == [("/", True)]
    df = parse_df(cap("Filesystem            kbytes    used   avail capacity  Mounted on\n"
                      "/dev/md/dsk/d10      16506346 6021720 10319563    37%    /\n"
                      "/dev/md/dsk/d1000\n"
                      "                      1000     500     500    50%    /export/x\n"))
    assert df == {"/": (16506346, 6021720), "/export/x": (1000, 500)}
    assert parse_uname(cap("SunOS zeus 5.10 Generic_150400-59 sun4u sparc SUNW,Sun-Fire-V240"
                           )) == ("zeus", "5.10")
    assert parse_uname(cap("SunOS oi 5.11 illumos-2f7d2b8a0c i86pc i386 i86pc"))[1] == "illumos"
    with pytest.raises(CaptureError, match="not uname -a output"):
        parse_uname(cap("Linux box 6.1.0 #1 SMP x86_64 GNU/Linux"))
    assert parse_release(cap("                        Solaris 9 9/05 s9s_u8wos_05 SPARC\n")) \
        == "5.9"
    assert parse_release(cap("  OpenIndiana Hipster 2023.10 (powered by illumos)\n")) \
        == "illumos"


@pytest.mark.parametrize(("percent", "total"), [("37", 33554432), ("0", 1000),
                                                ("99", 12345), (" 5.3", 3 << 31)])
def test_band_target_prints_the_percent(percent: str, total: int) -> None:
    """mirror.percent: done * 100 // total (tenths, ``%2d.%1d``, for a big mirror)."""
    done = band_target(percent, total)
    p = percent.strip()
    if "." in p:
        tenths = done * 1000 // total
        assert f"{tenths // 10:2d}.{tenths % 10:1d}" == percent
    else:
        assert str(done * 100 // total) == p


def test_replica_lines_keep_unusual_flags() -> None:
    """A replica whose flags are not those of one read at boot (``a u``: added since) is
    written with every replica's flags ([[replica]] flags)."""
    caps = Captures(metastat_p=cap("d1 1 1 c0t0d0s0\n"), metadb=cap(
        METADB + "     a        u     \t8208\t\t8192\t\t/dev/dsk/c0t0d0s7\n"))
    plan = plan_host(caps)
    assert plan.doc["replica"] == [{"device": "c0t0d0s7", "count": 2,
                                    "flags": ["ampluo", "au"]}]


_LINES = st.sampled_from([
    "d10 -m d11 d12 1", "d11 1 1 c1t0d0s0", "d12 2 1 c1t1d0s0 \\", "\t1 c1t2d0s0 -h hsp001",
    "d80 -p d10 -o 1 -b 2048 ", "hsp001 c3t0d0s0", "d1 -m", "d2 x 1", "d3 1 2 c0t0d0s0",
    "d4 -p c0t0d0s0 -o -b", "    State: Okay", "d10: Mirror", "    Submirror 0: d11",
    "\tc1t0d0s0          0     No            Okay   Yes ", "hsp001: 1 hot spare",
    "        c3t0d0s0   In use       33554432 blocks\tYes", "Device Relocation Information:",
    "c1t0d0   Yes  \tid1,sd@x", "     a m  p  luo    \t16\t\t8192\t\t/dev/dsk/c0t0d0s7",
    "     a Q  \t16\t\t8192\t\t/dev/dsk/c0t0d0s7", "", "#", "d5 -t d6 d7", "set/d1 1 1 c0t0d0s0",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=12))
def test_any_text_is_parsed_or_refused_in_one_line(lines: list[str]) -> None:
    """Captures are input from anyone: every parser returns, or raises CaptureError (one
    line); no other exception escapes."""
    text = "\n".join(lines) + "\n"
    for parse in (parse_metastat_p, parse_metastat, parse_metadb, parse_prtvtoc,
                  parse_vfstab, parse_mnttab, parse_df, parse_format):
        try:
            parse(cap(text))
        except CaptureError as e:
            assert "\n" not in str(e)


def test_metadb_unknown_place_is_kept_not_skipped() -> None:
    """A replica on a disk that cannot be read prints "unknown" for its first block and
    block count (metadb.c info(), unk_str). Real capture: unixadminschool.com, "Replace
    failed disk from root mirror" (2011): the two replicas on the failed c0t0d0s0 were
    silently dropped by the import before; they are kept, with their flags."""
    text = ("flags           first blk            block count\n"
            "M     p        unknown         unknown         /dev/dsk/c0t0d0s0\n"
            "M     p        unknown         unknown         /dev/dsk/c0t0d0s0\n"
            "a      u        16                     1034            /dev/dsk/c0t1d0s6\n"
            "a      u        16                    1034            /dev/dsk/c1t2d0s3\n")
    rows = parse_metadb(Capture("metadb", text))
    assert [(r.device, r.first, r.count, r.flags) for r in rows] == [
        ("c0t0d0s0", None, None, "Mp"), ("c0t0d0s0", None, None, "Mp"),
        ("c0t1d0s6", 16, 1034, "au"), ("c1t2d0s3", 16, 1034, "au")]
    caps = Captures(metastat_p=Capture("metastat-p", "d0 -m d1 d2 1\nd1 1 1 c0t0d0s3\n"
                                       "d2 1 1 c0t1d0s6\n"),
                    metadb=Capture("metadb", text))
    plan, _, sc = import_scenario(caps, "failedroot")
    assert [(r.device, r.count, r.flags) for r in sc.replicas][0] == (
        "c0t0d0s0", 2, ["Mp", "Mp"])
    assert any("printed as unknown" in n.reason for n in plan.notes)
