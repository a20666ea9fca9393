"""svcs: svcs.c listing (STATE/STIME/FMRI columns, sprint_stime formats, pattern matching,
usage) with the SVM instances of the lvm manifests and libmeta meta_smf.c svm_core_svcs."""

from __future__ import annotations

from simulator import Host


def test_listing_after_boot(host: Host) -> None:
    boot = host.fs.boot_time
    host.clock.now = boot + 3600
    r = host.run("svcs")
    lines = r.stdout.splitlines()
    assert r.exit_code == 0
    assert lines[0] == "STATE          STIME    FMRI"
    assert lines[1] == "online         " + _hms(host, boot) + " svc:/system/svc/restarter:default"
    assert "svc:/system/mdmonitor:default" in r.stdout
    assert "metamed" not in r.stdout
    assert all(line.startswith("online ") for line in lines[1:])


def _hms(host: Host, when: float) -> str:
    tm = host.clock.localtime(when)
    return f"{tm.tm_hour:2d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"


def test_disabled_and_dates(host: Host) -> None:
    host.clock.now = host.fs.boot_time + 3 * 86400
    r = host.run("svcs -a")
    lines = r.stdout.splitlines()
    assert lines[1] == "disabled       Nov_24   svc:/network/rpc/metamed:default"
    assert lines[-1] == "online         Nov_24   svc:/milestone/multi-user-server:default"
    host.clock.now = host.fs.boot_time + 400 * 86400
    assert host.run("svcs -H mdmonitor").stdout == \
        "online         2026     svc:/system/mdmonitor:default\n"


def test_svm_services_follow_the_replicas() -> None:
    bare = Host("host1")
    r = bare.run("svcs mdmonitor system/metasync svc:/network/rpc/meta:default")
    states = [line.split()[0] for line in r.stdout.splitlines()[1:]]
    assert sorted(states) == ["disabled", "disabled", "online"]


def test_patterns_and_errors(host: Host) -> None:
    r = host.run(["svcs", "-H", "svc:/system/meta*", "nosuch"])
    assert [line.split()[-1] for line in r.stdout.splitlines()] == [
        "svc:/system/metainit:default", "svc:/system/metasync:default"]
    assert (r.stderr, r.exit_code) == ("svcs: Pattern 'nosuch' doesn't match any instances\n", 1)
    r = host.run("svcs -x")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    r = host.run("svcs -q")
    assert r.exit_code == 2
    assert r.stderr.startswith("svcs: illegal option -- q\nUsage: svcs [-aHpv] ")
    r = host.run("svcs -l mdmonitor")
    assert (r.stderr, r.exit_code) == ("svmsim: svcs -l: not simulated\n", 1)
