"""Audit: output that differed from real hosts because a scenario could not say the release,
the disk geometry or the device IDs of the host it models."""

from __future__ import annotations

from simulator.scenario import parse_scenario
from simulator.sunos.release import uname

CAPTURE_DISKS = """
[[disk]]
name = "c0t0d0"
size = 71132000
devid = "id1,sd@n500000e013633ce0"
[disk.slices]
"5" = 32776896
"7" = 65536
[[disk]]
name = "c0t1d0"
size = 71132000
devid = "id1,sd@n500000e013633810"
[disk.slices]
"5" = 32776896
"7" = 65536
[[replica]]
device = "c0t0d0s7"
count = 3
[[stripe]]
name = "d51"
rows = [["c0t0d0s5"]]
[[stripe]]
name = "d52"
rows = [["c0t1d0s5"]]
[[mirror]]
name = "d50"
submirrors = ["d51", "d52"]
"""


def test_relocation_table_prints_the_scenarios_device_ids() -> None:
    """setaoffice.com (2010-04-09) ``metastat d50`` on a Solaris 10 host ends with
    ``Device Relocation Information: / Device Reloc Device ID / c0t0d0 Yes
    id1,sd@n500000e013633ce0 / c0t1d0 Yes id1,sd@n500000e013633810`` (the page collapses the
    blanks; meta_print_devid's layout is libmeta's, compared here word for word)."""
    out = parse_scenario(CAPTURE_DISKS).build_host().run("metastat d50").stdout
    block = out[out.index("Device Relocation Information:"):]
    assert block.split() == ("Device Relocation Information: Device Reloc Device ID "
                             "c0t0d0 Yes id1,sd@n500000e013633ce0 "
                             "c0t1d0 Yes id1,sd@n500000e013633810").split()
    assert "d51: Submirror of d50" in out and "Size: 32776896 blocks (15 GB)" in out


def test_label_cylinder_of_a_146g_drive() -> None:
    """glensc/nagios-plugin-check_raid t/data/metastat/metastat-mirrors-with-hotspares:
    ``Stripe 1: c1t4d0s0 20352`` -- a scenario now says ``cylinder = 20352``."""
    sc = parse_scenario('[[disk]]\nname = "c1t0d0"\nsize = 286749480\ncylinder = 20352\n'
                        '[[disk]]\nname = "c1t4d0"\nsize = 286749480\ncylinder = 20352\n'
                        '[[replica]]\ndevice = "c1t0d0s7"\ncount = 3\n'
                        '[[stripe]]\nname = "d1"\nrows = [["c1t0d0s0"], ["c1t4d0s0"]]\n')
    out = sc.build_host().run("metastat d1").stdout
    assert "\tc1t4d0s0      20352     No   \tYes\n" in out


def test_uname_release_of_each_modelled_release() -> None:
    """quickservchk.sh accepts ``uname -r`` 5.8/5.9/5.10 only: a 5.9 host must say 5.9 and
    a Solaris 11 or illumos host 5.11 (uname(2) on both)."""
    for release, r in (("5.9", "5.9"), ("5.10", "5.10"), ("5.11", "5.11"), ("illumos", "5.11")):
        host = parse_scenario(f'[host]\nrelease = "{release}"\n').build_host()
        assert uname(host.release).release == r
