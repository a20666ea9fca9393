"""metaclear: per-name errors and continuation, -r, -f, -a, -p (metaclear.c, meta_reset.c,
meta_stripe.c/meta_mirror.c/meta_sp.c/meta_hotspares.c reset routines)."""

from __future__ import annotations

import pytest
from conftest import sample_text

from simulator import Host
from simulator.lvm.md.records import Stripe
from simulator.lvm.md.states import CompState

USAGE = ("usage:\tmetaclear [-s setname] -a\n"
         "\tmetaclear [-s setname] [options] metadevice...\n"
         "options:\n"
         "-f\tforce clear\n"
         "-r\trecursive clear\n"
         "-p\tclear all soft partitions on metadevice/component\n")


def err(text: str) -> str:
    return f"metaclear: host1: {text}\n\n"


@pytest.fixture
def h(host: Host) -> Host:
    for d in ("c1t0d0", "c1t1d0", "c2t0d0", "c2t1d0", "c3t0d0"):
        host.add_disk(d)
    return host


def test_sample_replace_submirror(host: Host) -> None:
    """samples/metadetach-replace-submirror.txt: the metaclear and metainit lines.

    The mirror and its Needs-maintenance submirror are built through the model; the
    metadetach/metattach lines of the sample belong to those commands' tests.
    """
    text = sample_text("metadetach-replace-submirror.txt")
    for sl in ("c0t1d0s2", "c1t0d0s2", "c1t0d1s2"):
        host.ensure_slice(sl)
    assert host.run("metainit d21 1 1 c0t1d0s2").exit_code == 0
    assert host.run("metainit d22 1 1 c1t0d0s2").exit_code == 0
    assert host.run("metainit d20 -m d21").exit_code == 0
    s = host.md.sets[""]
    host.md.attach(s, "d20", "d22")
    host.advance(3600)
    d22 = s.units["d22"]
    assert isinstance(d22, Stripe)
    d22.components[0].state = CompState.ERRED        # Needs maintenance, as in the sample
    host.md.detach(s, "d20", "d22", force=True)
    blocks = text.split("# ")[1:]
    checked = 0
    for block in blocks:
        command, _, expected = block.partition("\n")
        if command.split()[0] not in ("metaclear", "metainit"):
            continue
        r = host.run(command)
        assert (r.stdout, r.stderr, r.exit_code) == (expected, "", 0), command
        checked += 1
    assert checked == 2
    d22 = s.units["d22"]
    assert isinstance(d22, Stripe)
    assert [[c.name for c in row.components] for row in d22.rows] == [["c1t0d0s2"],
                                                                      ["c1t0d1s2"]]


def test_clear_each_kind(h: Host) -> None:
    h.run("metainit hsp001 c3t0d0s0")
    h.run("metainit d11 1 1 c1t0d0s0 -h hsp001")
    h.run("metainit d12 1 1 c1t1d0s0")
    h.run("metainit d10 -m d11 d12")
    h.run("metainit d20 -p c2t0d0s0 1g")
    r = h.run("metaclear d10 d11 d20 hsp001")
    assert r.stdout == ("d10: Mirror is cleared\nd11: Concat/Stripe is cleared\n"
                        "d20: Soft Partition is cleared\nhsp001: Hotspare pool is cleared\n")
    assert (r.stderr, r.exit_code) == ("", 0)
    assert set(h.md.sets[""].units) == {"d12"} and not h.md.sets[""].hsps


def test_errors_continue_with_next_name(h: Host) -> None:
    h.run("metainit hsp001 c3t0d0s0")
    h.run("metainit d11 1 1 c1t0d0s0 -h hsp001")
    h.run("metainit d10 -m d11")
    h.run("metainit d12 1 1 c1t1d0s0")
    r = h.run("metaclear d11 d99 hsp001 c1t0d0s0 d12 nonsense")
    assert r.stdout == "d12: Concat/Stripe is cleared\n"
    assert r.stderr == (err("d11: metadevice in use") + err("d99: unit not set up")
                        + err("hsp001: hotspare pool in use")
                        + err("c1t0d0s0: not a metadevice")
                        + err("nonsense: No such file or directory"))
    assert r.exit_code == 1


def test_open_metadevice(h: Host) -> None:
    h.run("metainit d10 1 1 c1t0d0s0")
    h.add_open_check(lambda name: "/export" if name == "d10" else None)
    r = h.run("metaclear d10")
    assert (r.stderr, r.exit_code) == (err("d10: metadevice is open"), 1)
    assert "d10" in h.md.sets[""].units


def test_mirror_with_erred_submirror_needs_force(h: Host) -> None:
    h.run("metainit d11 1 1 c1t0d0s0")
    h.run("metainit d12 1 1 c1t1d0s0")
    h.run("metainit d10 -m d11 d12")
    h.md.io_error("c1t1d0s0")
    r = h.run("metaclear d10")
    assert r.stderr == err("d10: attempted to clear mirror with submirror(s) in invalid state")
    r = h.run("metaclear -f d10")
    assert (r.stdout, r.exit_code) == ("d10: Mirror is cleared\n", 0)
    assert h.md.sets[""].units["d12"].parent is None


def test_recursive_clear(h: Host) -> None:
    h.run("metainit d11 1 1 c1t0d0s0")
    h.run("metainit d12 1 1 c1t1d0s0")
    h.run("metainit d10 -m d11 d12")
    r = h.run("metaclear -r d10")
    assert r.stdout == ("d10: Mirror is cleared\nd11: Concat/Stripe is cleared\n"
                        "d12: Concat/Stripe is cleared\n")
    assert not h.md.sets[""].units


def test_soft_partitions_on_a_metadevice(h: Host) -> None:
    """meta_sp_reset: the metadevice below is handed to another soft partition, and
    ``-r`` tries to clear it once the last one is gone."""
    h.run("metainit d10 1 1 c1t0d0s0")
    h.run("metainit d20 -p d10 1g")
    h.run("metainit d21 -p d10 1g")
    s = h.md.sets[""]
    assert h.run("metaclear d10").stderr == err("d10: metadevice in use")
    r = h.run("metaclear -r d20")
    assert r.stdout == "d20: Soft Partition is cleared\n"
    assert r.stderr == err("d10: metadevice in use") and r.exit_code == 1
    assert s.units["d10"].parent == "d21"
    r = h.run("metaclear -r d21")
    assert r.stdout == "d21: Soft Partition is cleared\nd10: Concat/Stripe is cleared\n"
    assert r.exit_code == 0 and not s.units


def test_clear_soft_partitions_by_component(h: Host) -> None:
    h.run("metainit d20 -p c1t0d0s0 1g")
    h.run("metainit d21 -p c1t0d0s0 1g")
    r = h.run("metaclear -p c1t0d0s0 c1t1d0s0 /dev/dsk/c9t0d0s0")
    assert r.stdout == "d21: Soft Partition is cleared\nd20: Soft Partition is cleared\n"
    assert r.stderr == (err("c1t1d0s0: no soft partitions on this device")
                        + err("/dev/dsk/c9t0d0s0: No such file or directory"))
    assert r.exit_code == 1


def test_clear_all(h: Host) -> None:
    h.run("metainit hsp001 c3t0d0s0")
    h.run("metainit d11 1 1 c1t0d0s0 -h hsp001")
    h.run("metainit d12 1 1 c1t1d0s0")
    h.run("metainit d10 -m d11 d12")
    h.run("metainit d30 -p d10 1g")
    h.run("metainit d40 1 1 c2t0d0s0")
    r = h.run("metaclear -a")
    assert r.stdout == ("d30: Soft Partition is cleared\nd10: Mirror is cleared\n"
                        "d11: Concat/Stripe is cleared\nd12: Concat/Stripe is cleared\n"
                        "d40: Concat/Stripe is cleared\nhsp001: Hotspare pool is cleared\n")
    assert (r.stderr, r.exit_code) == ("", 0)
    assert not h.md.sets[""].units and not h.md.sets[""].hsps


def test_clear_all_stops_at_first_error(h: Host) -> None:
    h.run("metainit d10 1 1 c1t0d0s0")
    h.run("metainit d11 1 1 c1t1d0s0")
    h.add_open_check(lambda name: "/data" if name == "d11" else None)
    r = h.run("metaclear -a")
    assert (r.stdout, r.stderr, r.exit_code) == ("", err("d11: metadevice is open"), 1)
    assert set(h.md.sets[""].units) == {"d10", "d11"}


def test_usage_and_root(h: Host) -> None:
    r = h.run("metaclear -h")
    assert (r.stdout, r.stderr, r.exit_code) == ("", USAGE, 0)
    assert h.run("metaclear").stderr == USAGE
    assert h.run("metaclear -a d10").exit_code == 1
    r = h.run("metaclear d10", uid=1)
    assert r.stderr == err("Permission denied.  You must have root privilege to execute "
                           "this command.")
