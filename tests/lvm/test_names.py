"""libmeta/names.py: the one metadevice / hot spare pool name resolver (meta_name.c)."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.lvm.libmeta.mdtab import parse_mdtab
from simulator.lvm.libmeta.names import (
    canonical_name,
    hspname,
    metaname,
    parse_device,
    valid_name_syntax,
)


@pytest.mark.parametrize(("token", "want"), [
    ("d10", (None, "d10")),
    ("d010", (None, "d10")),                     # sscanf "d%lu": unit 10
    ("blue/d010", ("blue", "d10")),
    ("/dev/md/dsk/d3", (None, "d3")),
    ("/dev/md/rdsk/d3", (None, "d3")),
    ("/dev/md/blue/rdsk/d07", ("blue", "d7")),
    ("//dev//md/dsk/d1", (None, "d1")),          # parse_device drops duplicate slashes
    ("d", None), ("dx1", None), ("c0t0d0s0", None), ("hsp001", None),
    ("/dev/md/blue/d1", None), ("a/b/d1", None),
])
def test_metaname(token: str, want: tuple[str | None, str] | None) -> None:
    assert metaname(token) == want


@pytest.mark.parametrize(("token", "want"), [
    ("hsp001", (None, "hsp001")),
    ("hsp1", (None, "hsp001")),                  # sscanf "hsp%03u"
    ("blue/hsp12", ("blue", "hsp012")),
    ("hsp0001", None), ("hsp", None), ("hspx", None), ("d1", None),
])
def test_hspname(token: str, want: tuple[str | None, str] | None) -> None:
    assert hspname(token) == want


def test_parse_device_and_valid_names() -> None:
    assert parse_device("blue/foo") == ("blue", "foo")
    assert parse_device("/dev/md/blue/dsk/foo") == ("blue", "foo")
    assert parse_device("/dev/dsk/c0t0d0s0") == (None, "/dev/dsk/c0t0d0s0")
    # meta_is_all / meta_is_none: exactly all/ALL/none/NONE are reserved
    assert not any(valid_name_syntax(n) for n in ("all", "ALL", "none", "NONE", "1a", ""))
    assert all(valid_name_syntax(n) for n in ("All", "nOne", "a-b_c.d", "x" * 255))
    assert not valid_name_syntax("x" * 256)
    assert canonical_name("blue/d010") == "blue/d10"
    assert canonical_name("All") == "All"
    assert [ln.cname for ln in parse_mdtab("All 1 1 c0t0d0s0\n")] == ["All"]


def test_commands_read_d010_as_d10(host: Host) -> None:
    host.add_disk("c1t0d0")
    assert host.run("metainit d010 1 1 c1t0d0s0").stdout == "d10: Concat/Stripe is setup\n"
    assert host.run("metastat d010").stdout == host.run("metastat d10").stdout
    r = host.run("metainit d0 -m d010")
    assert (r.stdout, r.exit_code) == ("d0: Mirror is setup\n", 0)
    assert host.run("metadetach d000 d010").exit_code == 1    # the last submirror stays
    assert host.run("metaclear d000").stdout == "d0: Mirror is cleared\n"
    assert host.run("metaclear d010").stdout == "d10: Concat/Stripe is cleared\n"
