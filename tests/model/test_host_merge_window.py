"""Host.merge_window: where consecutive steps of virtual time may be taken as one, each part
answering for its own hook (the resync, the metasync daemon, databases, file systems, faults);
tests/backup/test_backup_dump_quiet_steps.py checks that a dump merging its steps there gives
what the plain steps give."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.faults import arm
from simulator.scenario import WorkloadSpec
from simulator.ufs.workload import ROLL_DELAY


def _host(rate: float = 5.0) -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_mirror("d1", ["d2", "d3"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=200000, files=100, seed=5,
                 workload=WorkloadSpec(writes_per_second=rate))
    return h


def test_an_idle_host_may_merge_below_twice_its_clock() -> None:
    h = Host()
    now = h.clock.now
    assert h.merge_window() == (now, 2 * now)


def test_a_running_workload_refuses_until_a_long_stretch_holds_it() -> None:
    h = _host()
    assert h.merge_window() is None                  # each step is its own stretch of writes
    with h.fs.long_stretch():
        now = h.clock.now
        lo, hi = h.merge_window() or (0.0, 0.0)
        # the first merged step must flush what is pending, as the first plain one would
        assert lo == now + ROLL_DELAY and hi == 2 * now
        h.advance(5)
        lo, hi = h.merge_window() or (0.0, 0.0)
        assert hi == 2 * now                          # the stretch's start bounds the sums
    assert h.merge_window() is None


def test_a_file_system_on_a_mirror_being_written_differently_refuses() -> None:
    h = _host()
    h.run("metaoffline d1 d2")
    with h.fs.long_stretch():
        assert h.merge_window() is None


def test_a_resync_or_a_waiting_pass_refuses() -> None:
    h = _host(rate=0.0)
    assert h.merge_window() is not None
    h.run("metadetach d1 d3")
    h.run("metattach d1 d3")                          # the resync runs
    assert h.md.next_completion() is not None and h.merge_window() is None
    h.advance(10 ** 6)
    assert h.md.next_completion() is None and h.merge_window() is not None
    h.md.resync.runs.append({"set": "", "waiting": [], "pending": [["d1"]]})
    assert h.merge_window() is None


def test_a_running_database_refuses_and_a_quiesced_one_does_not() -> None:
    h = _host(rate=0.0)
    h.add_mirror("d20", ["d21", "d22"])
    db = h.databases.add("orders", "d20", writes_per_hour=7200.0, seed=3)
    assert h.merge_window() is None
    db.quiesced_at = h.clock.now                     # its vendor utility quiesced it
    assert h.merge_window() is not None


def test_a_timed_fault_refuses() -> None:
    h = _host(rate=0.0)
    arm(h, ["disk-fail:c1t0d0@time:300"])
    assert h.merge_window() is None


def test_a_hook_that_does_not_say_refuses() -> None:
    h = Host()
    h.on_advance(lambda dt: None)
    assert h.merge_window() is None


@pytest.mark.parametrize("lo,hi", [(10.0, 5.0), (3.0, 3.0)])
def test_windows_that_do_not_meet_refuse(lo: float, hi: float) -> None:
    h = Host()
    h.on_advance(lambda dt: None, lambda: (h.clock.now + lo, h.clock.now + hi))
    assert h.merge_window() is None
