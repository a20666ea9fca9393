"""metahs: -a/-d/-r/-e/-i with "all", the kernel's refusals and their names (metahs.c,
meta_hotspares.c meta_hs_add/delete/replace/enable, hotspares.c seths_*), and the -i report
(hsp_report + meta_print_devid)."""

from __future__ import annotations

import pytest

from simulator import Host

USAGE_FIRST = "usage:\tmetahs [-s setname] -a hot_spare_pool [component...]\n"


def err(text: str) -> str:
    return f"metahs: host1: {text}\n\n"


@pytest.fixture
def h(host: Host) -> Host:
    for d in ("c1t0d0", "c1t1d0", "c2t0d0", "c2t1d0", "c3t0d0"):
        host.add_disk(d)
    return host


def spares(h: Host, pool: str) -> list[tuple[str, str]]:
    return [(hs.name, hs.status) for hs in h.md.sets[""].hsps[pool].spares]


def test_add_creates_pools_and_spares(h: Host) -> None:
    assert h.run("metahs -a hsp001").stdout == "hsp001: Hotspare pool is setup\n"
    assert h.run("metahs -a hsp001 c1t0d0s0").stdout == "hsp001: Hotspare is added\n"
    r = h.run("metahs -a hsp002 c1t1d0s0 c2t0d0s0")
    assert (r.stdout, r.exit_code) == ("hsp002: Hotspares are added\n", 0)
    r = h.run("metahs -a all c2t1d0s0")
    assert r.stdout == "hsp002: Hotspare is added\nhsp001: Hotspare is added\n"
    assert spares(h, "hsp001") == [("c1t0d0s0", "Available"), ("c2t1d0s0", "Available")]


@pytest.mark.parametrize("args, text", [
    ("-a hsp001", "hsp001: hotspare pool is already setup"),
    ("-a hsp001 c1t0d0s0", "hsp001: c1t0d0s0: add or replace failed, hot spare is already in use"),
    ("-a hsp001 c0t0d0s7", "c0t0d0s7: has a metadevice database replica"),
    ("-a hsp001 c1t1d0s0", "c1t1d0s0: has appeared more than once in the specification of d10"),
    ("-a hsp001 d10", "d10: is a metadevice"),
    ("-a hsp001 c9t9d9s0", "c9t9d9s0: No such file or directory"),
    ("-a pool1 c2t0d0s0", "pool1: Invalid name for metadevice or hot spare pool."),
    ("-d hsp001", "hsp001: hotspare pool is busy"),
    ("-d hsp009", "hsp009: invalid hotspare pool"),
    ("-d hsp001 c2t0d0s0", "c2t0d0s0: hotspare doesn't exist"),
    ("-d hsp002", "hsp002: hotspare pool is referenced"),
    ("-r hsp001 c2t0d0s0 c2t1d0s0", "c2t0d0s0: hotspare doesn't exist"),
    ("-r hsp009 c1t0d0s0 c2t1d0s0", "hsp009: invalid hotspare pool"),
    ("-e c1t0d0s0", "c1t0d0s0: hotspare isn't broken, can't enable"),
    ("-e c2t0d0s0", "c2t0d0s0: hotspare doesn't exist"),
    ("-i hsp009", "hsp009: invalid hotspare pool"),
])
def test_refusals(h: Host, args: str, text: str) -> None:
    h.run("metahs -a hsp001 c1t0d0s0")
    h.run("metahs -a hsp002")
    h.run("metainit d10 1 1 c1t1d0s0 -h hsp002")
    r = h.run(f"metahs {args}")
    assert (r.stdout, r.stderr, r.exit_code) == ("", err(text), 1)


def test_delete(h: Host) -> None:
    h.run("metahs -a hsp001 c1t0d0s0 c1t1d0s0")
    h.run("metahs -a hsp002 c1t0d0s0")
    r = h.run("metahs -d all c1t0d0s0")
    assert r.stdout == "hsp002: Hotspare is deleted\nhsp001: Hotspare is deleted\n"
    assert h.run("metahs -d hsp001 c1t1d0s0").stdout == "hsp001: Hotspare is deleted\n"
    assert h.run("metahs -d hsp001").stdout == "hsp001: Hotspare pool is cleared\n"
    assert list(h.md.sets[""].hsps) == ["hsp002"]


def test_spare_in_use_cannot_go(h: Host) -> None:
    h.run("metahs -a hsp001 c3t0d0s0 c2t1d0s0")
    h.run("metainit d11 1 1 c1t0d0s0 -h hsp001")
    h.run("metainit d12 1 1 c1t1d0s0")
    h.run("metainit d10 -m d11 d12")
    h.md.io_error("c1t0d0s0")
    assert spares(h, "hsp001")[0] == ("c3t0d0s0", "In use")
    assert h.run("metahs -d hsp001 c3t0d0s0").stderr == err("c3t0d0s0: hotspare is in use")
    r = h.run("metahs -r hsp001 c3t0d0s0 c2t0d0s0")
    assert r.stderr == err("hsp001: c3t0d0s0: hotspare is in use")
    r = h.run("metahs -e c3t0d0s0")
    assert r.stderr == err("c3t0d0s0: hotspare isn't broken, can't enable")


def test_replace_and_enable(h: Host) -> None:
    h.run("metahs -a hsp001 c1t0d0s0")
    h.run("metahs -a hsp002 c1t0d0s0 c1t1d0s0")
    r = h.run("metahs -r all c1t0d0s0 c2t0d0s0")
    assert r.stdout == ("hsp002: Hotspare c1t0d0s0 is replaced with c2t0d0s0\n"
                        "hsp001: Hotspare c1t0d0s0 is replaced with c2t0d0s0\n")
    r = h.run("metahs -r hsp002 c2t0d0s0 c1t1d0s0")
    assert r.stderr == err("hsp002: c1t1d0s0: add or replace failed, hot spare is already in use")
    h.md.sets[""].hsps["hsp001"].spares[0].status = "Broken"
    r = h.run("metahs -e c2t0d0s0")
    assert (r.stdout, r.exit_code) == ("hotspare c2t0d0s0 is enabled\n", 0)
    assert spares(h, "hsp001") == [("c2t0d0s0", "Available")]


def test_status_report(h: Host) -> None:
    """metahs -i: hsp_report (with Reloc) for each pool, then Device Relocation Information."""
    h.run("metahs -a hsp001 c1t0d0s0 c3t0d0s0")
    h.run("metahs -a hsp002")
    size = h.md.slice_size("c1t0d0s0")
    devid = {d: h.disks[d].devid for d in ("c1t0d0", "c3t0d0")}
    expected = (f"hsp001: 2 hot spares\n"
                f"\tDevice     Status      Length  \t\tReloc\n"
                f"        c1t0d0s0   Available    {size} blocks\tYes\n"
                f"        c3t0d0s0   Available    {size} blocks\tYes\n"
                f"\n"
                f"Device Relocation Information:\n"
                f"Device   Reloc\tDevice ID\n"
                f"c1t0d0   Yes  \t{devid['c1t0d0']}\n"
                f"c3t0d0   Yes  \t{devid['c3t0d0']}\n")
    r = h.run("metahs -i hsp001", uid=100)      # -i needs no root
    assert (r.stdout, r.stderr, r.exit_code) == (expected, "", 0)
    r = h.run("metahs -i")
    assert r.stdout.startswith("hsp002: is empty\n\nhsp001: 2 hot spares\n")


def test_no_pools_usage_and_root(h: Host) -> None:
    assert h.run("metahs -i").stderr == err("no hotspare pools found")
    assert h.run("metahs -a all c1t0d0s0").stderr == err("no hotspare pools found")
    r = h.run("metahs -h")
    assert r.exit_code == 0 and r.stderr.startswith(USAGE_FIRST)
    assert r.stderr.endswith("\tmetahs [-s setname] -i [hot_spare_pool...]\n")
    for args in ("", "-a", "-a -d hsp001", "-n -i", "-r hsp001 c1t0d0s0", "-e"):
        r = h.run(f"metahs {args}")
        assert r.exit_code == 1 and r.stderr.startswith(USAGE_FIRST), args
    r = h.run("metahs -a hsp001 c1t0d0s0", uid=100)
    assert r.stderr == err("Permission denied.  You must have root privilege to execute "
                           "this command.")
