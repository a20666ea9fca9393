"""modinfo: modinfo.c print_info/print_cinfo layouts and modsubr.c fatal/error exits; the SVM
modules md loads for the configuration (md.c, mdvar.h MD_PLUGIN_MISC_MODULE texts)."""

from __future__ import annotations

from simulator import Host, build_host


def test_md_lines_on_a_mirrored_host() -> None:
    r = build_host("hot-spare").run("modinfo")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == " Id Loadaddr   Size Info Rev Module Name"
    assert lines[1] == "  0  1000000 1e2c30   -   1  unix ()"
    assert " 85 7be9e000  1c390  85   1  md (Solaris Volume Manager base module 2.49)" in lines
    assert " 88 7beca000  1e1a8   -   1  md_mirror (Solaris Volume Manager mirrors module 2." \
        in lines
    assert lines[-1] == " 89 7bee8000   59f0   -   1  md_hotspares (Solaris Volume Manager hot " \
        "spares mod"
    assert all(len(line) <= 31 + 51 for line in lines[1:])
    assert "Meta disk" not in r.stdout      # the DiskSuite text is not Solaris 10's


def test_no_replicas_no_md() -> None:
    r = Host("host1").run("modinfo")
    assert "md (" not in r.stdout and r.exit_code == 0


def test_wide_count_and_id(host: Host) -> None:
    host.add_stripe("d1", "c1t0d0s0")
    r = host.run("modinfo -w -i 87")
    assert r.stdout == (" Id Loadaddr   Size Info Rev Module Name\n"
                        " 87 7bebe000   b230   -   1  md_stripe (Solaris Volume Manager stripes "
                        "module 2.47)\n")
    r = host.run("modinfo -c -i 85")
    assert r.stdout == (" Id    Loadcnt Module Name                            State\n"
                        " 85          1 md                               LOADED/INSTALLED\n")


def test_errors(host: Host) -> None:
    r = host.run("modinfo -i 400")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", "can't get module information: Invalid argument\n", 22)
    r = host.run("modinfo -i abc")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "Invalid id abc\n", 255)
    r = host.run("modinfo -x")
    assert (r.stderr, r.exit_code) == (
        "modinfo: illegal option -- x\nusage:  modinfo [-w] [-c] [-i module-id]\n", 255)
