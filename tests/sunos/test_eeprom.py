"""eeprom: openprom.c print_one/set_one/dump_all texts and exits; the rootmirror alias of a
mirrored root (Solaris Volume Manager Administration Guide, root mirroring on SPARC)."""

from __future__ import annotations

from simulator import Host, build_host
from simulator.sunos.cmd.eeprom import PROPERTIES


def test_root_mirror_alias() -> None:
    h = build_host("root-mirror")
    r = h.run("eeprom boot-device nvramrc use-nvramrc?")
    assert (r.stdout, r.exit_code) == (
        "boot-device=disk rootmirror\n"
        "nvramrc=devalias rootmirror /pci@1c,600000/scsi@2/disk@1,0:a\n"
        "use-nvramrc?=true\n", 0)


def test_plain_host_defaults_and_unknown(host: Host) -> None:
    r = host.run("eeprom boot-device nvramrc no-such-thing")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "boot-device=disk net\nnvramrc: data not available.\n"
        "no-such-thing: data not available.\n", "", 0)


def test_dump_all_in_prom_order(host: Host) -> None:
    lines = host.run("eeprom").stdout.splitlines()
    assert len(lines) == len(PROPERTIES)
    assert lines[0] == "test-args: data not available."
    assert "auto-boot?=true" in lines


def test_set_is_kept_on_the_host(host: Host) -> None:
    r = host.run(["eeprom", "boot-device=rootmirror disk"])
    assert (r.stdout, r.exit_code) == ("", 0)
    assert host.sunos.eeprom == {"boot-device": "rootmirror disk"}
    assert host.run("eeprom boot-device").stdout == "boot-device=rootmirror disk\n"
    r = host.run("eeprom -v auto-boot?=false")
    assert r.stdout == "old:auto-boot?=true\nnew:auto-boot?=false\n"
    r = host.run("eeprom bogus=1")
    assert (r.stdout, r.exit_code) == ("bogus: invalid property.\n", 0)
    r = host.run("eeprom -", stdin="diag-level=max\ndiag-level\n")
    assert r.stdout == "diag-level=max\n"


def test_refusals(host: Host) -> None:
    r = host.run("eeprom boot-device", uid=100)
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", "eeprom: cannot open /dev/openprom: Permission denied\n", 1)
    r = host.run("eeprom -x")
    assert (r.stderr, r.exit_code) == (
        "eeprom: illegal option -- x\n"
        "Usage: eeprom [-v] [-f prom-device] [variable[=value] ...]\n", 1)
    r = host.run("eeprom -f /dev/nope boot-device")
    assert r.stderr == "eeprom: cannot open /dev/nope: No such file or directory\n"
