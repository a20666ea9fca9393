"""The parts of FileSystems (locks, mirrors, tables), its typed builders, and the shared
helpers of the UFS package (mount_point) and getopt(3C)'s deferred complaints."""

from __future__ import annotations

from fshelpers import make_host

from simulator import Host
from simulator.core.invocation import Invocation
from simulator.core.libc import Opt, sun_getopt
from simulator.scenario import FileSystemSpec
from simulator.scenario import WorkloadSpec as ScenarioWorkloadSpec
from simulator.ufs.filesystems import FileSystems, mount_point
from simulator.ufs.locks import Locks
from simulator.ufs.mirrors import Mirrors, qualified
from simulator.ufs.tables import Tables
from simulator.ufs.workload import Workload, WorkloadSpec


def test_filesystems_is_made_of_its_parts() -> None:
    assert issubclass(FileSystems, Locks) and issubclass(FileSystems, Mirrors)
    assert issubclass(FileSystems, Tables)


def test_mount_point() -> None:
    assert mount_point("home1/") == "/home1"
    assert mount_point("//home1/./") == "/home1"
    assert mount_point("/") == "/" and mount_point("") == "/"
    assert qualified("", "d1") == "d1" and qualified("blue", "d1") == "blue/d1"


def test_workload_spec_globs_and_defaults() -> None:
    spec = WorkloadSpec(writes_per_second=2.0, paths=["/home1/projects/*", "docs/**"])
    w = Workload.from_spec(spec, seed=4, mount="/home1")
    assert w.paths == ["projects/*", "docs/**"] and w.writes_per_second == 2.0
    assert w.seed == 4 and w.write_size == 16
    w = Workload.from_spec(WorkloadSpec(creates_per_second=1.0, write_size=0, paths=[]),
                           seed=1, mount="/")
    assert (w.paths, w.write_size, w.creates_per_second) == (["**"], 16, 1.0)


def test_add_ufs_takes_a_workload_spec_or_a_workload() -> None:
    h, fs = make_host(rate=3.0)
    wl = fs.filesystems["/home1"].workload
    assert wl is not None and wl.writes_per_second == 3.0 and wl.active
    h2 = Host("host2")
    h2.add_replicas("c0t0d0s7", count=3)
    h2.add_mirror("d1", ["d2", "d3"])
    ready = Workload(deletes_per_second=1.0)
    f = h2.fs.add_ufs("d1", "/data", size=1000, files=10, workload=ready)
    assert f.workload is ready and f.device == "/dev/md/dsk/d1"


def test_configure_reads_a_scenario_filesystem() -> None:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3"])
    spec = FileSystemSpec(mount="/export/home", device="/dev/md/dsk/d1", size=5000,
                          files=20, seed=3, logging=False, mounted=False, in_vfstab=True,
                          options="nologging",
                          workload=ScenarioWorkloadSpec(writes_per_second=1.0))
    f = h.fs.configure(spec)
    assert (f.mount, f.device, f.mounted, f.options) == (
        "/export/home", "/dev/md/dsk/d1", False, "nologging")
    assert f.workload is not None and f.workload.writes_per_second == 1.0
    assert not f.image.logging and f.raw_device == "/dev/md/rdsk/d1"


def test_tables_dev_numbers_from_the_device_grammar() -> None:
    h, fs = make_host()
    assert fs.dev_number("/dev/md/dsk/d1") == f"{(85 << 18) | 1:x}"
    assert fs.dev_number("/dev/md/rdsk/d010") == f"{(85 << 18) | 10:x}"
    assert fs.dev_number("/dev/dsk/c0t0d0s0").startswith("80")      # sd major 32
    assert fs.dev_number("/tmp") == "0"
    assert "/dev/md/dsk/d1\t/dev/md/rdsk/d1\t/home1\tufs\t2\tyes\tlogging\n" \
        in fs.vfstab_text()


def test_open_check_names_units_and_slices_only() -> None:
    h, fs = make_host()
    assert fs._open_check("d1") == "/home1"
    assert fs._open_check("/home1") is None and fs._open_check("hsp001") is None
    assert fs._open_check("c0t0d0s0") is None          # the synthetic root is not counted


def test_deferred_getopt_pairs_each_error_with_its_complaint() -> None:
    h = Host("host1")
    inv = Invocation(h, ["/usr/sbin/mount", "-x", "-o", "a", "-?", "-q", "-o"])
    opts, operands = sun_getopt(inv, inv.args, "?o:q", deferred=True)
    assert opts == [
        Opt("?", None, "x", "/usr/sbin/mount: illegal option -- x"),
        Opt("o", "a", "o"), Opt("?", None, "?"), Opt("q", None, "q"),
        Opt("?", None, "o", "/usr/sbin/mount: option requires an argument -- o")]
    assert operands == [] and inv.stderr.text() == ""      # nothing printed yet
    opts[0].complain(inv)
    opts[2].complain(inv)
    assert inv.stderr.text() == "/usr/sbin/mount: illegal option -- x\n"
    opts, _ = sun_getopt(Invocation(h, ["df", "-?"]), ["-?"], "ab", deferred=True)
    assert opts == [Opt("?", None, "?", "df: illegal option -- ?")]
