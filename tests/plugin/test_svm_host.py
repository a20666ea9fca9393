"""The ``svm_host`` fixture: a Python driver against a simulated host and its fake files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import example_driver
import pytest

from simulator import Host
from simulator.session.verdict import RunResult, to_text
from simulator.testing.pytest_plugin import SimulatedHost

pytest_plugins = ["pytester"]

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DUMP = f"/var/tmp/svmsim-plugin-test-{os.getpid()}-home1.dump"
SEED_STEPS = [
    ["/usr/sbin/metastat", "d1"],
    ["/usr/sbin/lockfs", "-w", "/home1"],
    ["/usr/sbin/metadetach", "d1", "d3"],
    ["/usr/sbin/lockfs", "-u", "/home1"],
    ["/usr/sbin/fsck", "-y", "/dev/md/rdsk/d3"],
    ["/usr/sbin/ufsdump", "0uf", DUMP, "/dev/md/rdsk/d3"],
    ["/usr/sbin/metattach", "d1", "d3"],
]


def submirrors(mirror: str) -> dict[str, str]:
    """Submirror -> State of ``metastat <mirror>``, read through subprocess."""
    out = subprocess.run(["/usr/sbin/metastat", mirror], capture_output=True, text=True,
                         check=True).stdout
    status = example_driver.MirrorStatus(mirror)
    lines = out.splitlines()
    assert lines[0] == f"{mirror}: Mirror"
    current = ""
    for line in lines[1:]:
        if line.startswith("    Submirror "):
            current = line.split(": ")[1]
        elif line.startswith("      State: "):
            status.states[current] = line.split(": ")[1].strip()
    return status.states


def real_exists(svm_host: SimulatedHost, path: str) -> bool:
    """Whether ``path`` exists on the real disk (the fake file system paused)."""
    svm_host.fakefs.pause()
    try:
        return os.path.exists(path)
    finally:
        svm_host.fakefs.resume()


# ---------------------------------------------------------------------------- the driver
def test_example_driver_backs_up_the_seed_host(svm_host: SimulatedHost, capsys) -> None:
    assert svm_host.host.hostname == "host1"          # the default scenario: seed-example
    assert example_driver.main(["-f", DUMP, "d1", "d3", "/home1"]) == example_driver.DONE
    assert svm_host.argvs == SEED_STEPS
    assert [c.exit_code for c in svm_host.calls] == [0] * len(SEED_STEPS)
    assert "DUMP: DUMP IS DONE" in capsys.readouterr().err   # streamed through Popen

    # d3 is attached again (resyncing), /home1 is unlocked
    states = submirrors("d1")
    assert sorted(states) == ["d2", "d3", "d4"]
    assert states["d3"] in ("Resyncing", "Okay")
    lockfs = subprocess.run(["/usr/sbin/lockfs", "/home1"], capture_output=True, text=True)
    assert lockfs.stdout.splitlines()[1].split() == ["/home1", "unlock"]
    assert svm_host.host.fs.lock_of("/home1") == "unlock"

    # the archive is in the fake file system, where ufsrestore reads it; not on the disk
    assert os.path.getsize(DUMP) > 0
    assert not real_exists(svm_host, DUMP)
    listing = subprocess.run(["/usr/sbin/ufsrestore", "tf", DUMP], capture_output=True,
                             text=True, check=True)
    names = [line.split("\t")[1] for line in listing.stdout.splitlines()]
    assert names[:2] == [".", "./lost+found"]
    assert len(names) > 2000                         # the scenario's 2000 files and dirs
    with open("/etc/dumpdates") as f:                # ufsdump's u key
        assert f.read().split()[:2] == ["/dev/md/rdsk/d3", "0"]


def test_the_fixture_gives_the_harness_verdict(svm_host: SimulatedHost) -> None:
    code = example_driver.main(["-f", DUMP, "d1", "d3", "/home1"])
    r = svm_host.verdict(code)
    assert isinstance(r, RunResult)
    assert r.passed, [(c.name, c.summary) for c in r.failed()]
    assert [c.name for c in r.checks] == [
        "no-hang", "filesystems-unlocked", "submirrors-reattached", "detached-under-write-lock",
        "redundancy", "backup-made", "driver-exit", "driver-told-truth"]
    backup = next(c for c in r.checks if c.name == "backup-made")
    assert backup.summary == f"archive {DUMP} complete"
    assert [c.name for c in backup.evidence] == ["fsck", "ufsdump"]
    assert r.transcript.calls is svm_host.calls and r.transcript.detached == {"d1": ["d3"]}
    assert (r.scenario, r.driver_exit, r.hostname) == ("seed-example", 0, "host1")
    assert "svmsim run: scenario seed-example: PASSED" in to_text(r)
    # a driver that claims success after leaving /home1 locked is caught the same way
    assert svm_host.run("lockfs -w /home1").exit_code == 0
    failed = {c.name: c.summary for c in svm_host.verdict(0).failed()}
    assert failed == {"filesystems-unlocked": "still locked at the end: /home1 (write)",
                      "driver-told-truth": "driver exited 0 although the backup failed"}


@pytest.mark.svm_scenario("maintenance")
def test_the_verdict_of_a_refusal(svm_host: SimulatedHost) -> None:
    assert example_driver.main(["d10", "d12", "/export/data"]) == example_driver.REFUSED
    r = svm_host.verdict(example_driver.REFUSED, expect={"driver_exit": "nonzero"})
    assert r.passed and "backup-made" not in {c.name for c in r.checks}
    assert not svm_host.verdict(example_driver.REFUSED, expect={"driver_exit": 0}).passed


def test_the_whole_driver_run_stays_in_virtual_time(svm_host: SimulatedHost) -> None:
    start = svm_host.host.clock.now
    assert example_driver.main(["-f", DUMP, "d1", "d3", "/home1"]) == 0
    # a 20 GB dump at 50 MB/s: many virtual minutes, no real ones
    assert svm_host.host.clock.now - start > 300


@pytest.mark.svm_scenario("maintenance")
def test_example_driver_refuses_a_mirror_in_maintenance(svm_host: SimulatedHost,
                                                        capsys) -> None:
    assert example_driver.main(["d10", "d12", "/export/data"]) == example_driver.REFUSED
    assert svm_host.argvs == [["/usr/sbin/metastat", "d10"]]    # nothing was changed
    assert "d12 Needs maintenance" in capsys.readouterr().err
    assert submirrors("d10") == {"d11": "Okay", "d12": "Needs maintenance"}


@pytest.mark.svm_scenario("maintenance")
def test_example_driver_exits_non_zero_as_a_program(svm_host: SimulatedHost,
                                                    monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["svm_backup", "d10", "d12", "/export/data"])
    with pytest.raises(SystemExit) as exited:
        example_driver.entry()
    assert exited.value.code == 2


def test_a_failed_dump_still_reattaches(svm_host: SimulatedHost) -> None:
    assert example_driver.main(["-f", "/nonexistent/dir/x.dump", "d1", "d3", "/home1"]) == 1
    assert svm_host.argvs[-1] == ["/usr/sbin/metattach", "d1", "d3"]
    assert svm_host.calls[-2].argv[0] == "/usr/sbin/ufsdump"
    assert svm_host.calls[-2].exit_code != 0
    assert "d3" in submirrors("d1")
    assert svm_host.host.fs.lock_of("/home1") == "unlock"


@pytest.mark.parametrize(("svm_host", "args", "why"), [
    ("resyncing", ["d0", "d20", "/export/home"], "d20 Resyncing"),
    ("offline-submirror", ["d10", "d11", "/export/data"], "d12 Needs maintenance"),
    ("last-erred", ["d0", "d10", "/export/home"], "d10 Needs maintenance"),
    ("two-way-mirror", ["-m", "3", "d0", "d10", "/export/home"], "at least 3 needed"),
    ("two-way-mirror", ["d0", "d99", "/export/home"], "d99 is not a submirror of d0"),
    ("two-way-mirror", ["d10", "d20", "/export/home"], "d10 is not a mirror"),
], indirect=["svm_host"])
def test_example_driver_refuses_unhealthy_mirrors(svm_host: SimulatedHost, args: list[str],
                                                  why: str, capsys) -> None:
    assert example_driver.main(args) == example_driver.REFUSED
    assert len(svm_host.calls) == 1 and svm_host.calls[0].argv[0] == "/usr/sbin/metastat"
    assert why in capsys.readouterr().err


# ---------------------------------------------------------------------------- fake files
def test_vfstab_and_device_nodes(svm_host: SimulatedHost) -> None:
    with open("/etc/vfstab") as f:
        rows = [line.split() for line in f if line.strip() and not line.startswith("#")]
    home1 = next(r for r in rows if r[2] == "/home1")
    assert home1[:4] == ["/dev/md/dsk/d1", "/dev/md/rdsk/d1", "/home1", "ufs"]
    assert stat.S_ISCHR(os.stat("/dev/md/rdsk/d3").st_mode)
    assert stat.S_ISBLK(os.stat("/dev/md/dsk/d3").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/rmt/0").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/rdsk/c2t0d0s0").st_mode)
    assert os.path.isdir("/home1") and os.path.isdir("/var/tmp")
    with open("/etc/nodename") as f:
        assert f.read() == "host1\n"


def test_metainit_makes_nodes_and_metaclear_removes_them(svm_host: SimulatedHost) -> None:
    assert not os.path.exists("/dev/md/rdsk/d50")
    subprocess.run(["/usr/sbin/metainit", "d50", "1", "1", "c1t0d0s7"], check=True,
                   capture_output=True)
    assert stat.S_ISCHR(os.stat("/dev/md/rdsk/d50").st_mode)
    assert stat.S_ISBLK(os.stat("/dev/md/dsk/d50").st_mode)
    subprocess.run(["/usr/sbin/metaclear", "d50"], check=True, capture_output=True)
    assert not os.path.exists("/dev/md/rdsk/d50")
    assert not os.path.exists("/dev/md/dsk/d50")


def test_mnttab_changes_after_umount(svm_host: SimulatedHost) -> None:
    def mounted() -> list[str]:
        with open("/etc/mnttab") as f:
            return [line.split("\t")[1] for line in f]
    assert "/home1" in mounted()
    busy = subprocess.run(["umount", "/home1"], capture_output=True, text=True)
    assert (busy.returncode, busy.stderr) == (1, "umount: /home1 busy\n")
    assert "/home1" in mounted()
    subprocess.run(["/usr/sbin/umount", "-f", "/home1"], check=True)
    assert "/home1" not in mounted()
    subprocess.run(["/usr/sbin/mount", "/home1"], check=True)
    assert "/home1" in mounted()


def test_md_tab_written_by_the_driver_reaches_metainit(svm_host: SimulatedHost) -> None:
    with open("/etc/lvm/md.tab", "a") as f:
        f.write("d60 1 1 c2t0d0s7\n")
    r = subprocess.run(["/usr/sbin/metainit", "d60"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "d60: Concat/Stripe is setup\n")
    assert os.path.exists("/dev/md/rdsk/d60")


def test_messages_show_the_kernel_warnings(svm_host: SimulatedHost) -> None:
    svm_host.host.md.io_error("c2t0d0s0")
    svm_host.advance(1)
    with open("/var/adm/messages") as f:
        text = f.read()
    assert "md_mirror" in text and "c2t0d0s0" in text


def test_the_drivers_own_files_stay_in_the_fake_fs(svm_host: SimulatedHost) -> None:
    path = f"/var/tmp/svmsim-plugin-test-{os.getpid()}.log"
    with open(path, "w") as f:
        f.write("backup log\n")
    subprocess.run(f"metastat -p >>{path} 2>&1", shell=True, check=True)
    with open(path) as f:
        assert f.read().startswith("backup log\nd1 -m d2 d3 d4 1\n")
    assert not real_exists(svm_host, path)


def test_the_fs_fixture_is_the_same_file_system(svm_host: SimulatedHost, fs) -> None:
    assert fs is svm_host.fakefs
    fs.create_file("/etc/backup.conf", contents="mirror=d1\n")
    with open("/etc/backup.conf") as f:
        assert f.read() == "mirror=d1\n"


def test_direct_runs_are_recorded_and_sync_files(svm_host: SimulatedHost) -> None:
    r = svm_host.run("metadetach d1 d3")
    assert r.exit_code == 0
    assert svm_host.argvs == [["metadetach", "d1", "d3"]]
    assert "d3" not in submirrors("d1")


def test_sleep_advances_virtual_time(svm_host: SimulatedHost, monkeypatch) -> None:
    import time
    monkeypatch.setattr(time, "sleep", svm_host.sleep)
    subprocess.run(["metadetach", "d1", "d3"], check=True, capture_output=True)
    subprocess.run(["metattach", "d1", "d3"], check=True, capture_output=True)
    polls = 0
    while submirrors("d1")["d3"] != "Okay":        # a 35 GB resync at 20 MB/s
        time.sleep(60)
        polls += 1
    assert 20 < polls < 60


# ---------------------------------------------------------------------------- scenarios
@pytest.mark.parametrize("svm_host", ["seed-example", "maintenance", "two-way-mirror"],
                         indirect=True)
def test_indirect_parametrization_picks_the_scenario(svm_host: SimulatedHost,
                                                     request) -> None:
    first = subprocess.run(["metastat", "-p"], capture_output=True, text=True,
                           check=True).stdout.split()[:2]
    expected = {"seed-example": ["d1", "-m"], "maintenance": ["d10", "-m"],
                "two-way-mirror": ["d0", "-m"]}
    assert first == expected[request.node.callspec.params["svm_host"]]


@pytest.mark.svm_scenario("maintenance")
def test_the_marker_picks_the_scenario(svm_host: SimulatedHost) -> None:
    assert submirrors("d10")["d12"] == "Needs maintenance"


@pytest.mark.svm_scenario(str(SCENARIOS / "hot-spare.toml"))
def test_the_marker_takes_a_path(svm_host: SimulatedHost) -> None:
    out = subprocess.run(["metastat", "hsp001"], capture_output=True, text=True).stdout
    assert "c3t1d0s0" in out and "In use" in out


@pytest.mark.svm_scenario("maintenance")
@pytest.mark.parametrize("svm_host", ["two-way-mirror"], indirect=True)
def test_a_parameter_wins_over_the_marker(svm_host: SimulatedHost) -> None:
    assert submirrors("d0") == {"d10": "Okay", "d20": "Okay"}


def built_host() -> Host:
    h = Host("builder")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d7", ["d17", "d27"])
    h.fs.add_ufs("/dev/md/dsk/d7", "/scratch", size=100000, files=50)
    return h


BUILT = built_host()


@pytest.mark.parametrize("svm_host", [BUILT], indirect=True)
def test_a_built_host_is_a_parameter_and_is_copied(svm_host: SimulatedHost) -> None:
    assert svm_host.host is not BUILT
    subprocess.run(["umount", "/scratch"], check=True)      # no workload: not busy
    with open("/etc/mnttab") as f:
        assert "/scratch" not in f.read()
    assert BUILT.fs.filesystems["/scratch"].mounted


def test_a_bad_scenario_name_is_a_clear_setup_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.svm_scenario("seed-exampel")
        def test_it(svm_host):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*svm_host: unknown scenario 'seed-exampel' "
                                 "(did you mean 'seed-example'? shipped: *"])
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_a_bad_scenario_file_is_a_clear_setup_error(pytester: pytest.Pytester) -> None:
    bad = pytester.path / "bad.toml"
    bad.write_text('[[mirror]]\nname = "d0"\nsubmirrors = ["d1"]\nread = "fast"\n')
    pytester.makepyfile(f"""
        import pytest

        @pytest.mark.svm_scenario({str(bad)!r})
        def test_it(svm_host):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*svm_host: *bad.toml: mirror[[]0[]].read: must be one of*"])
