"""ufsdump's shortcuts (issue 17) give what the plain path gives. The writer takes a quiet
stretch's steps of time as one (``Writer.merge_window``, ``Host.merge_window``): every
output, exit status and the whole saved state are those of the plain path, which steps from
each tenth of the dump to the next, in every scenario, with a workload that writes, with a
database that runs, over several volumes, with ``v`` and ``a``, and with faults armed that
strike at the dump's progress, at a time, or elsewhere. The mount tables are kept with what
each key names in them, and dates by time zone."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_backup_dump_shortcuts import plain_search

from simulator import Host
from simulator.backup.cmd.ufsdump.fstab import mnttabread, mnttabsearch
from simulator.backup.cmd.ufsdump.itime import prdate
from simulator.backup.cmd.ufsdump.tape import Writer
from simulator.core.clock import VirtualClock
from simulator.core.errors import HostHung, HostPanic
from simulator.faults import arm
from simulator.lvm.md.records import Mirror
from simulator.scenario import WorkloadSpec, load_scenario

SCENARIOS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "scenarios")
                   .glob("*.toml") if p.stem != "big-16tb")


def _run(h: Host, step: str | float) -> object:
    try:
        if isinstance(step, float):
            h.advance(step)
            return step
        r = h.run(step, interactive=True, stdin=b"yes\n" * 4)
    except HostHung as e:
        h.reboot()
        return ("hung", str(e))
    except HostPanic as e:
        h.crash(e)
        return ("panic", str(e))
    return (r.stdout, r.stderr, r.exit_code)


def _names(h: Host) -> tuple[str, str, str] | None:
    units = h.md.sets[""].units
    for fs in h.fs.mounted_ufs():
        m = units.get(fs.device.rsplit("/", 1)[-1])
        if isinstance(m, Mirror) and len(m.submirrors) > 1:
            return m.name, m.submirrors[-1].name, fs.mount
    return None


def _procedure(h: Host, dumps: list[str]) -> Iterator[object]:
    """The seed procedure's shape with the given dumps of the detached submirror, then
    looks that replay what the file systems owe."""
    n = _names(h)
    if n is None:
        yield from (_run(h, c) for c in dumps)
    else:
        m, s, mp = n
        for step in [f"lockfs -w {mp}", f"metadetach {m} {s}", f"lockfs -u {mp}", 90.0]:
            yield _run(h, step)
        for d in dumps:
            yield _run(h, d.format(s=s))
            yield _run(h, 45.0)
        for step in [f"df -k {mp}", f"metattach {m} {s}", 700.0, "metastat", f"df -k {mp}"]:
            yield _run(h, step)
    yield _run(h, "cat /etc/dumpdates")
    yield json.dumps(h.to_dict(), sort_keys=True)


def _both(build: object, dumps: list[str], monkeypatch: pytest.MonkeyPatch
          ) -> tuple[list[object], list[object], int]:
    """(the plain path's outputs and state, the quiet path's, how many write_volume calls
    took their steps as fewer than one per event)."""
    assert callable(build)
    real = Writer.merge_window
    with monkeypatch.context() as mp:
        mp.setattr(Writer, "merge_window", lambda self: None)
        plain = list(_procedure(build(), dumps))
    merged = 0

    def counting(self: Writer) -> tuple[float, float] | None:
        nonlocal merged
        window = real(self)
        merged += window is not None
        return window

    with monkeypatch.context() as mp:
        mp.setattr(Writer, "merge_window", counting)
        quick = list(_procedure(build(), dumps))
    return plain, quick, merged


SEED_DUMPS = ["ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/{s}", "ufsdump 0uf /dev/rmt/1 "
              "/dev/md/rdsk/{s}", "ufsdump 0uvaf /tmp/toc /tmp/d.dump /dev/md/rdsk/{s}"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_dumps_the_same_taking_quiet_steps_as_one(
        scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_scenario(scenario)
    plain, quick, _ = _both(sc.build_host, SEED_DUMPS, monkeypatch)
    assert quick == plain


def test_the_seed_dump_takes_its_writing_as_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's dump: quiet, so its ten tenths cost one step of time (and the same)."""
    sc = load_scenario("seed-example")
    plain, quick, merged = _both(sc.build_host, SEED_DUMPS[:1], monkeypatch)
    assert quick == plain and merged == 1
    h = sc.build_host()
    for c in ["lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1"]:
        h.run(c)
    steps: list[float] = []
    real = Host.advance
    monkeypatch.setattr(Host, "advance", lambda self, s: (steps.append(s), real(self, s)))
    h.run("ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3")
    # Pass I, Pass II, the writing, the rewind, the command's own step
    assert len(steps) == 5


def _workload_host(rate: float, database: bool, offline: bool) -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3", "d4"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=200000, files=400, seed=5,
                 workload=WorkloadSpec(writes_per_second=rate, creates_per_second=rate / 8))
    if database:
        h.add_mirror("d20", ["d21", "d22"])
        h.databases.add("orders", "d20", writes_per_hour=7200.0, seed=3)
    if offline:
        h.run("metaoffline d1 d2")
    return h


@pytest.mark.parametrize(("rate", "database", "offline"),
                         [(5.0, False, False), (50.0, False, False), (5.0, True, False),
                          (5.0, False, True), (0.0, False, False)])
def test_a_written_file_system_dumps_the_same(rate: float, database: bool, offline: bool,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A workload that writes while the dump's time passes (owed, then replayed by df), a
    running database (its active seconds counted per step: not quiet), a mirror with a
    submirror offline (its writes decided per step: not quiet)."""
    dumps = SEED_DUMPS + ["ufsdump 0ucs 30 /dev/md/rdsk/{s}", "ufsdump 0ulf /dev/rmt/0 "
                          "/dev/md/rdsk/{s}", "ufsdump 0f /dev/null /dev/md/rdsk/{s}"]
    plain, quick, merged = _both(lambda: _workload_host(rate, database, offline), dumps,
                                 monkeypatch)
    assert quick == plain
    assert (merged > 0) == (not database and not offline)


@pytest.mark.parametrize("spec", ["disk-fail@ufsdump:50%", "tape-write-error@ufsdump:30%",
                                  "disk-fail@after:metadetach", "panic@ufsdump:70%",
                                  "disk-fail@time:200", "slow-disk@before:metadetach",
                                  "clock-jump@time:300", "dump-read-error@ufsdump:20%"])
def test_a_dump_with_faults_armed_is_the_same(spec: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def build() -> Host:
        h = load_scenario("seed-example").build_host()
        arm(h, [spec], seed=7)
        return h

    plain, quick, _ = _both(build, SEED_DUMPS, monkeypatch)
    assert quick == plain


def test_the_kept_mount_tables_search_as_the_plain_one_while_the_host_changes() -> None:
    """mnttabsearch keeps each table (by what it is made of) and what each key names in it;
    after mounts, unmounts and a metadevice cleared under a vfstab entry (its raw name then
    names nothing), every key finds what reading the tables afresh finds."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=20000, files=30)
    h.add_mirror("d11", ["d12", "d13"])
    h.fs.add_ufs("/dev/md/dsk/d11", "/export", size=2000, files=5, mounted=False)
    keys = ["/home1", "home1", "/export", "export", "/", "/dev/md/dsk/d1", "/dev/md/rdsk/d1",
            "dev/md/dsk/d11", "/dev/md/rdsk/d11", "/dev/md/dsk/d11", "/dev/md/rdsk/d12",
            "/dev/dsk/c0t0d0s0", "/dev/rdsk/c0t0d0s0", "d1", "/tmp"]
    for step in ["", "mount /export", "umount /home1", "umount /export", "metaclear -r d11",
                 "mount /home1"]:
        if step:
            assert h.run(step).exit_code == 0, step
        for key in keys:
            for mounted in (False, True):
                assert mnttabsearch(h, key, mounted) == plain_search(h, key, mounted), \
                    (step, key)
    assert mnttabsearch(h, "/dev/md/rdsk/d11") is None     # no block device: no raw match
    assert mnttabsearch(h, "/dev/md/dsk/d11") is not None  # the vfstab line stays
    assert mnttabread(h.fs) == mnttabread(h.fs) and mnttabread(h.fs) is not mnttabread(h.fs)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata", "Nowhere/Else"])
def test_a_kept_date_is_the_clocks(zone: str) -> None:
    """The clock keeps ctime's recent answers (core/clock.py): each is what strftime of the
    zone's local time gives, and a zone changed on the clock is a new answer."""
    def plain(clock: VirtualClock, when: float) -> str:
        return time.strftime("%a %b %e %H:%M:%S %Y", clock.localtime(when))

    h = Host("host1")
    h.clock.timezone = zone
    for when in (1.0, 1795485604.0, 1795485604.0, 1795485604.5, 1700000000.0):
        assert prdate(h, when) == h.clock.ctime(when) == plain(h.clock, when)
    assert prdate(h, 0) == "the epoch"
    h.clock.timezone = "UTC" if zone != "UTC" else "Asia/Kolkata"
    assert prdate(h, 1795485604.0) == plain(h.clock, 1795485604.0)


def test_a_kept_tape_unit_is_the_grammars() -> None:
    from simulator.backup.tapes import tape_unit
    from simulator.core.names import TAPE_RE
    for name in ["/dev/rmt/0", "/dev/rmt/0n", "/dev/rmt/0cbn", "/dev/rmt/12hb", "/dev/rmt/00",
                 "/dev/rmt/", "/dev/rmt/0x", "/tmp/f", "-", "", "/dev/null", "/dev/rmt/0"]:
        m = TAPE_RE.match(name)
        plain = (m.group(1) + m.group(2), bool(m.group(5))) if m else None
        assert tape_unit(name) == plain, name
