"""A campaign of the seed scenario (issue #10, "What must hold"): the careless driver
(tests/campaign/drivers/careless.sh: set -e, no trap, the lock held through the dump) is
found out, each bug with a one-fault reproducer that gives the same outcome again; the
shipped driver (drivers/svm-online-backup.sh) has no bad outcome for the kinds it handles.
"""

from __future__ import annotations

import shlex

import pytest

from simulator.campaign import Campaign, LocalExecutor
from tests.campaign.helpers import CARELESS, SHIPPED, faults_api

pytestmark = pytest.mark.skipif(not faults_api(), reason="the fault API (simulator.faults, "
                                "issue #10) is not in this tree")
KINDS = ["tape-eom", "dump-read-error", "metattach-refused"]


@pytest.fixture(scope="module")
def careless():
    with LocalExecutor(2) as ex:
        return Campaign("seed-example", CARELESS, kinds=KINDS, explore=12, seed=1,
                        executor=ex).run()


def test_careless_driver_is_found_out(careless):
    bad = careless.matrix.bad_cells
    assert careless.exit_code == 1
    # the lock left after a dump failure (and the submirror with it)
    lock = [c for c in bad if c.kind == "tape-eom" and "write-locked" in c.reason]
    assert lock and lock[0].outcome == "left-degraded"
    # the submirror never reattached (the lock released: only the detach is left)
    detach = [c for c in bad if "left detached" in c.reason and "write-locked" not in c.reason]
    assert detach and detach[0].kind == "metattach-refused"
    # exit 0 after a failed dump: ufsdump said DUMP IS DONE over unreadable blocks
    silent = [c for c in bad if c.outcome == "silent-failure"]
    assert silent and silent[0].kind == "dump-read-error"
    for c in (lock[0], detach[0], silent[0]):
        assert shlex.split(c.reproducer).count("--fault") == 1


def test_exploration_shrinks_each_bug_to_one_fault(careless):
    assert careless.findings
    for f in careless.findings:
        assert len(f.faults) == 1 and set(f.faults) <= set(f.found_as)


def test_a_reproducer_gives_the_same_outcome(careless):
    from simulator.harness.runner import run_driver
    cell = careless.matrix.bad_cells[0]
    argv = shlex.split(cell.reproducer)
    fault = argv[argv.index("--fault") + 1]
    r = run_driver("seed-example", argv[argv.index("--") + 1:], faults=[fault], capture=True)
    assert (r.outcome, r.reason) == (cell.outcome, cell.reason)


def test_seed_makes_the_campaign_repeatable(careless):
    with LocalExecutor(2) as ex:
        again = Campaign("seed-example", CARELESS, kinds=KINDS, explore=12, seed=1,
                         executor=ex).run()
    assert [c.to_dict() for c in again.matrix.cells.values()] == \
        [c.to_dict() for c in careless.matrix.cells.values()]
    assert again.findings == careless.findings


def test_shipped_driver_has_no_bad_outcome():
    with LocalExecutor(2) as ex:
        result = Campaign("seed-example", SHIPPED, kinds=["tape-eom", "metattach-refused"],
                          executor=ex).run()
    assert result.clean.outcome == "backed-up"
    assert result.matrix.bad_cells == [], [(c.point, c.kind, c.reason)
                                           for c in result.matrix.bad_cells]
    assert result.exit_code == 0


REFERENCE_KINDS = ["tape-eom", "tape-write-error", "dump-read-error", "dump-killed", "panic",
                   "metattach-refused", "metadetach-refused", "lockfs-busy", "fsck-errors",
                   "disk-fail", "component-error", "metadb-quorum-lost"]


def test_the_reference_driver_survives_every_fault_at_every_step():
    """Issue 10: the reference driver under the catalogue's kinds at every injection point
    of the seed procedure (before/after each call, inside fsck, ufsdump and the resync)
    ends with no bad outcome: never a lock left, never a submirror left detached (a crash
    is recovered by its -R at boot), never exit 0 for a failed backup. The whole catalogue
    is `svmsim campaign` on seed-example (benchmarks/bench_campaign.py)."""
    with LocalExecutor(2) as ex:
        result = Campaign("seed-example", SHIPPED, kinds=REFERENCE_KINDS, executor=ex).run()
    assert result.clean.outcome == "backed-up"
    assert len(result.matrix.cells) >= 12 * 15
    assert result.matrix.bad_cells == [], [(c.point, c.kind, c.outcome, c.reason)
                                           for c in result.matrix.bad_cells]


RAW_DRIVER = ("sh", str(SHIPPED[1]), "-r", "-q", "/opt/svmsim/bin/dbctl", "-f", "/dev/rmt/0",
              "d30", "d33")
RAW_KINDS = ["quiesce-refused", "disk-fail", "dump-killed", "tape-eom", "panic",
             "metadetach-refused"]


def test_the_reference_driver_backs_up_a_raw_volume_under_faults():
    """Issue 11, the Caution's raw volume: -r -q under the kinds that strike its steps (the
    quiesce refused, the disk under the copy failing, dd killed, the tape ending, a panic,
    the detach refused) at every point ends with no bad outcome: the database never left
    quiesced, d33 never left detached, never exit 0 for a copy that failed. The whole
    catalogue with --explore 300 is `svmsim campaign --scenario raw-database-volume`."""
    with LocalExecutor(2) as ex:
        result = Campaign("raw-database-volume", RAW_DRIVER, kinds=RAW_KINDS,
                          executor=ex).run()
    assert result.clean.outcome == "backed-up"
    assert {c.kind for c in result.matrix.cells.values()} == set(RAW_KINDS)
    assert result.matrix.bad_cells == [], [(c.point, c.kind, c.outcome, c.reason)
                                           for c in result.matrix.bad_cells]
