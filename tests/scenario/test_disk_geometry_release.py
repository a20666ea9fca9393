"""[host] release and [[disk]] cylinder/heads/sectors/devid: read, checked, built into the host
(the same geometry for metainit's label-cylinder skip and for format), and documented."""

from __future__ import annotations

import pytest

from simulator.scenario import ScenarioError, parse_scenario
from simulator.scenario.schema import json_schema

REAL = """
[host]
release = "5.9"
[[disk]]
name = "c0t0d0"
size = "36GB"
devid = "id1,sd@n500000e013633ce0"
[[disk]]
name = "c0t1d0"
size = 286749480
cylinder = 20352
devid = "id1,sd@n500000e013633810"
[[disk]]
name = "c0t2d0"
size = "36GB"
heads = 27
sectors = 107
[[replica]]
device = "c0t0d0s7"
count = 3
[[stripe]]
name = "d51"
rows = [["c0t0d0s0"], ["c0t1d0s0"]]
"""


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="x.toml")
    return str(info.value)


def test_geometry_devid_and_release_reach_the_host() -> None:
    """Label skip: metagetstart rounds a label-holding slice up to a cylinder (glensc
    nagios-plugin-check_raid metastat-mirrors-with-hotspares: ``c1t4d0s0 20352``); the
    relocation table prints each disk's device ID (setaoffice.com 2010 capture:
    ``c0t0d0 Yes id1,sd@n500000e013633ce0``)."""
    h = parse_scenario(REAL).build_host()
    assert h.release == "5.9"
    assert (h.disks["c0t1d0"].nhead, h.disks["c0t1d0"].nsect) == (24, 848)
    assert h.disks["c0t1d0"].cyl_blocks == 20352
    assert (h.disks["c0t2d0"].nhead, h.disks["c0t2d0"].nsect) == (27, 107)
    out = h.run("metastat d51").stdout
    assert "\tc0t1d0s0      20352     No   \tYes\n" in out
    assert out.endswith("Device Relocation Information:\nDevice   Reloc\tDevice ID\n"
                        "c0t0d0   Yes  \tid1,sd@n500000e013633ce0\n"
                        "c0t1d0   Yes  \tid1,sd@n500000e013633810\n")
    fmt = h.run("format", stdin=b"").stdout
    assert "c0t1d0 <SUN72G cyl 14089 alt 2 hd 24 sec 848>" in fmt
    assert "c0t2d0 <SUN72G cyl 26132 alt 2 hd 27 sec 107>" in fmt
    assert "c0t0d0 <SUN72G cyl 8192 alt 2 hd 24 sec 384>" in fmt    # fitted (no geometry)


@pytest.mark.parametrize("extra,message", [
    ("cylinder = 20352\nheads = 24\nsectors = 848\n",
     "disk[0].cylinder: give cylinder or heads and sectors, not both"),
    ("heads = 24\n", "disk[0].sectors: heads and sectors go together (or give cylinder)"),
    ("cylinder = 0\n", "disk[0].cylinder: must be from 1 to 16711425 (got 0)"),
    ('devid = "c1t0d0"\n', "disk[0].devid: not a device ID like "
     "id1,sd@SSEAGATE_ST336607LSUN36G_3JA6... (got 'c1t0d0')"),
])
def test_disk_geometry_errors(extra: str, message: str) -> None:
    assert error_of(f'[[disk]]\nname = "c1t0d0"\nsize = "36GB"\n{extra}') == f"x.toml: {message}"


def test_release_errors_and_default() -> None:
    assert error_of('[host]\nrelease = "5.8"\n') == (
        "x.toml: host.release: must be one of 5.9, 5.10, 5.11, illumos (got '5.8')")
    assert parse_scenario("").build_host().release == "5.10"


def test_schema_documents_release_geometry_and_metastat_order() -> None:
    schema = json_schema()
    assert schema["$defs"]["HostSpec"]["properties"]["release"]["enum"] == [
        "5.9", "5.10", "5.11", "illumos"]
    disk = schema["$defs"]["DiskSpec"]["properties"]
    assert {"cylinder", "heads", "sectors", "devid"} <= set(disk)
    from simulator.scenario import schema as module
    assert "newest first" in (module.__doc__ or "")
