"""libmeta printing split per type, as illumos splits it: each type's report/print/concise
code beside its check/init code (meta_stripe.c, meta_mirror.c, meta_sp.c,
meta_hotspares.c), the shared helpers and the walk in printing (meta_print.c)."""

from __future__ import annotations

import subprocess
import sys

from simulator import Host
from simulator.lvm.libmeta import hotspare, mirror, softpart, stripe
from simulator.lvm.libmeta.printing import (
    Reporter,
    ctd_name,
    hsp_order,
    kernel_order,
    md_tab_lines,
    meta_print_time,
)
from simulator.lvm.md.records import BIG_UNIT_BLOCKS, Component, Mirror, Row, Stripe
from simulator.lvm.md.states import CompState


def build(host: Host) -> Host:
    """d10 mirror of d11/d12, d20 stripe of two slices, d30 soft partition on d20, hsp001."""
    for d in ("c1t0d0", "c1t1d0", "c2t0d0", "c2t1d0", "c3t0d0"):
        host.add_disk(d)
    for cmd in ("metainit hsp001 c3t0d0s0",
                "metainit d11 1 1 c1t0d0s0 -h hsp001", "metainit d12 1 1 c1t1d0s0",
                "metainit d10 -m d11", "metattach d10 d12",
                "metainit d20 1 2 c2t0d0s0 c2t1d0s0 -i 32b",
                "metainit d30 -p d20 1m"):
        assert host.run(cmd).exit_code == 0, cmd
    host.advance(3600)
    return host


def test_each_type_prints_its_md_tab_line_from_its_own_module(host: Host) -> None:
    h = build(host)
    s = h.md.sets[""]
    rep = Reporter(h, s, short=True)
    stripe.stripe_line(rep, s.units["d20"])
    mirror.mirror_print(rep, s.units["d10"], header=True, subdevs=True)
    softpart.sp_line(rep, s.units["d30"])
    hotspare.hsp_print(rep, s.hsps["hsp001"])
    assert rep.text() == ("d20 1 2 c2t0d0s0 c2t1d0s0 -i 32b\n"
                          "d10 -m d11 d12 1\n"
                          "d11 1 1 c1t0d0s0 -h hsp001\n"
                          "d12 1 1 c1t1d0s0\n"
                          "d30 -p d20 -o 32 -b 2048 \n"
                          "hsp001 c3t0d0s0\n")
    # the walk (meta_print_all) gives what metastat -p prints
    assert md_tab_lines(h, s) == h.run("metastat -p").stdout


def test_each_type_reports_as_metastat_does(host: Host) -> None:
    h = build(host)
    s = h.md.sets[""]
    for name in ("d10", "d20", "d30"):
        rep = Reporter(h, s)
        rep.print_unit(s.units[name], header=True, subdevs=True)
        out = h.run(f"metastat -q {name}").stdout
        assert rep.text() == out, name
    rep = Reporter(h, s)
    hotspare.hsp_report(rep, s.hsps["hsp001"])
    assert rep.text() == ("hsp001: 1 hot spare\n"
                          "\tDevice     Status      Length  \t\tReloc\n"
                          f"        c3t0d0s0   Available    {s.hsps['hsp001'].spares[0].size}"
                          " blocks\tYes\n\n")


def test_concise_lines_per_type(host: Host) -> None:
    h = build(host)
    s = h.md.sets[""]
    rep = Reporter(h, s)
    hotspare.concise_hsp(rep, s.hsps["hsp001"])
    assert rep.text() == "hsp001           h      - c3t0d0s0\n"
    rep = Reporter(h, s)
    softpart.concise_sp(rep, 4, s.units["d30"])
    assert rep.text() == "    d30          p  1.0MB d20\n"
    rep = Reporter(h, s)
    rep.concise_all()
    assert rep.text() == h.run("metastat -c").stdout


def test_size_line_and_printf_s(host: Host) -> None:
    rep = Reporter(host, host.md.sets[""])
    rep.size_line(8395200)
    assert rep.text() == "    Size: 8395200 blocks (4.0 GB)\n"
    assert Reporter.printf_s("Device", 10, 10, True) == "Device    "
    assert Reporter.printf_s("Length", 8, 6, True) == "Length  "
    assert Reporter.printf_s("Start Block", 5, 5) == "Start"
    assert Reporter.printf_s("No", 5) == "   No"


def test_invalid_time_and_ctd_name(host: Host) -> None:
    assert meta_print_time(host, 0) == "(invalid time)"
    assert meta_print_time(host, 0.5) == "(invalid time)"
    assert ctd_name("c1t0d0s3") == "c1t0d0"
    assert ctd_name("/dev/dsk/c1t0d0s3") == "/dev/dsk/c1t0d0"


def test_kernel_order_is_newest_first(host: Host) -> None:
    h = build(host)
    s = h.md.sets[""]
    assert [u.name for u in kernel_order(s, Stripe)] == ["d20", "d12", "d11"]
    assert [u.name for u in kernel_order(s, Mirror)] == ["d10"]
    assert [p.name for p in hsp_order(s)] == ["hsp001"]


def test_find_erred_comp_prefers_erred_then_fewest_errors() -> None:
    """meta_stripe.c meta_find_erred_comp."""
    a = Component(name="c1t0d0s0", state=CompState.LAST_ERRED, error_count=0)
    b = Component(name="c1t1d0s0", state=CompState.ERRED, error_count=5)
    c = Component(name="c1t2d0s0", state=CompState.ERRED, error_count=2)
    st = Stripe(name="d1", rows=[Row(components=[a, b, c], interlace=32)])
    assert stripe.find_erred_comp(st) is c
    b.state = c.state = CompState.OKAY
    assert stripe.find_erred_comp(st) is a
    a.state = CompState.OKAY
    assert stripe.find_erred_comp(st) is None
    assert not stripe.unavailable(st)
    a.state = CompState.UNAVAILABLE
    assert stripe.unavailable(st)
    assert not stripe.unavailable(None)


def test_percent_in_tenths_only_for_big_mirrors(host: Host) -> None:
    h = build(host)
    m = h.md.sets[""].units["d10"]
    assert isinstance(m, Mirror)
    assert not m.big
    assert mirror.percent(m) == str(m.percent_done())
    assert BIG_UNIT_BLOCKS == 2**31


def test_per_type_modules_do_not_import_the_walk() -> None:
    """No import cycle: the per-type modules see printing's Reporter only as a type."""
    code = ("import sys\n"
            "import simulator.lvm.libmeta.hotspare, simulator.lvm.libmeta.mirror\n"
            "import simulator.lvm.libmeta.softpart, simulator.lvm.libmeta.stripe\n"
            "print('simulator.lvm.libmeta.printing' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout == "False\n"
