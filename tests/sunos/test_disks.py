"""format (startup.c, menu_command.c c_disk, io.c pr_diskline/input/fullabort), prtvtoc
(prtvtoc.c puttable/findfree/putfree/warn, Solaris 10 revision) and iostat -E (iostat.c
show_disk_errors, sd.c sd_create_errstats) on the simulated disks; the shared geometry rule."""

from __future__ import annotations

from simulator import Host, build_host
from simulator.core.devices import Disk, fit_geometry
from simulator.sunos.disks import Geometry, geometry, hard_errors, physical_path


def test_geometry_keeps_whole_cylinders() -> None:
    assert geometry(Disk("c1t0d0", 143349312)) == Geometry(24, 424, 14087)
    # a disk's own geometry: the label holds its whole cylinders
    assert geometry(Disk("c1t0d0", 75497472)) == Geometry(24, 424, 7419)
    # a scenario disk without one gets whole cylinders of its size (fit_geometry)
    assert fit_geometry(75497472) == (24, 384)
    assert fit_geometry(143349312) == (24, 424)
    assert fit_geometry(10176 * 100 + 7) == (24, 424)    # prime-ish: whole SUN72G cylinders
    odd = geometry(Disk("c1t0d0", 10176 * 100 + 7))
    assert (odd.nhead, odd.nsect, odd.ncyl) == (24, 424, 100)
    assert physical_path("c0t1d0") == "/pci@1c,600000/scsi@2/sd@1,0"
    assert physical_path("c1t10d0", prom=True) == "/pci@1c,600000/scsi@3/disk@a,0"


def test_format_lists_disks_then_aborts_at_eof() -> None:
    h = build_host("root-mirror")
    r = h.run("format", stdin=b"")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "Searching for disks...done\n\n\nAVAILABLE DISK SELECTIONS:\n"
        "       0. c0t0d0 <SUN72G cyl 8192 alt 2 hd 24 sec 384>\n"
        "          /pci@1c,600000/scsi@2/sd@0,0\n"
        "       1. c0t1d0 <SUN72G cyl 8192 alt 2 hd 24 sec 384>\n"
        "          /pci@1c,600000/scsi@2/sd@1,0\n"
        "Specify disk (enter its number): \n", "", 1)
    r = h.run("format", stdin="\n")
    assert r.stdout.endswith("Specify disk (enter its number): "
                             "Specify disk (enter its number): \n")
    h.disks["c0t1d0"].failed = True
    assert "       1. c0t1d0 <drive not available>\n" in h.run("format").stdout


def test_prtvtoc_root_mirror_disk() -> None:
    r = build_host("root-mirror").run("prtvtoc /dev/rdsk/c0t1d0s2")
    assert r.exit_code == 0
    assert r.stdout == (
        "* /dev/rdsk/c0t1d0s2 partition map\n*\n* Dimensions:\n"
        "*     512 bytes/sector\n*     384 sectors/track\n*      24 tracks/cylinder\n"
        "*    9216 sectors/cylinder\n*    8194 cylinders\n*    8192 accessible cylinders\n"
        "*\n* Flags:\n*   1: unmountable\n*  10: read-only\n*\n"
        "* Unallocated space:\n*\tFirst     Sector    Last\n*\tSector     Count    Sector \n"
        "*    73465856   2031616  75497471\n*\n"
        "*                          First     Sector    Last\n"
        "* Partition  Tag  Flags    Sector     Count    Sector  Mount Directory\n"
        "       0      2    00          0  33554432  33554431\n"
        "       1      0    00   33554432   4194304  37748735\n"
        "       2      5    01          0  75497472  75497471\n"
        "       3      8    00   37748736  35651584  73400319\n"
        "       7      0    00   73400320     65536  73465855\n")


def test_prtvtoc_mount_column_flags_and_errors() -> None:
    h = build_host("seed-example")
    r = h.run("prtvtoc -h /dev/dsk/c0t0d0s2")
    assert r.stdout == ("       0      2    00          0  75431936  75431935   /\n"
                        "       2      5    01          0  75497472  75497471\n"
                        "       7      0    00   75431936     65536  75497471\n")
    r = h.run("prtvtoc -f /dev/rdsk/c0t0d0s2")
    assert r.stdout == "FREE_START=0 FREE_SIZE=0 FREE_COUNT=0 FREE_PART=13456\n"
    r = h.run("prtvtoc /dev/rdsk/c9t0d0s2")
    assert (r.stderr, r.exit_code) == ("prtvtoc: /dev/rdsk/c9t0d0s2: No such file or directory\n",
                                       1)
    r = h.run("prtvtoc")
    assert (r.stderr, r.exit_code) == (
        "Usage:\tprtvtoc [ -fhs ] [ -t fstab ] [ -m mnttab ] rawdisk ...\n", 1)


def test_iostat_block_layout(host: Host) -> None:
    r = host.run("iostat -En")
    assert r.exit_code == 0
    disk = host.disks["c0t0d0"]
    serial = disk.devid.rsplit("_", 1)[1][:16]
    assert r.stdout == (
        "c0t0d0           Soft Errors: 0 Hard Errors: 0 Transport Errors: 0 \n"
        "Vendor: SEAGATE  Product: ST373307LSUN72G  Revision: 0707 "
        f"Serial No: {serial} \n"
        "Size: 73.39GB <73394847744 bytes>\n"
        "Media Error: 0 Device Not Ready: 0 No Device: 0 Recoverable: 0 \n"
        "Illegal Request: 0 Predictive Failure Analysis: 0 \n")
    assert host.run("iostat -E").stdout.startswith("sd0       Soft Errors: 0 ")


def test_iostat_hard_errors_follow_injected_faults() -> None:
    h = build_host("hot-spare")
    assert hard_errors(h, h.disks["c1t1d0"]) == 0
    h.md.io_error("c1t1d0s0")
    h.disks["c2t1d0"].failed = True
    out = h.run("iostat -En").stdout
    assert "c1t1d0           Soft Errors: 0 Hard Errors: 1 Transport Errors: 0 " in out
    assert "c2t1d0           Soft Errors: 0 Hard Errors: 1 Transport Errors: 0 " in out
    assert "c3t1d0           Soft Errors: 0 Hard Errors: 0 Transport Errors: 0 " in out
    r = h.run("iostat -x")
    assert (r.stderr, r.exit_code) == ("svmsim: iostat: only -E and -En are simulated\n", 1)
