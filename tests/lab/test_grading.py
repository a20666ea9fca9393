"""Grading a careless trainee: partial marks, each with the feedback that says why."""

from __future__ import annotations

from simulator.lab.labfile import load_lab
from simulator.lab.terminal import batch

CARELESS = """\
metastat d1
lockfs -w /home1
metadetach d1 d3
ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3
lockfs -u /home1
metattach d1 d3
sleep 3600
"""


def _results(lab_name: str, answers: str, seed: int = 0):
    lab = load_lab(lab_name, seed)
    shell = batch(lab, answers)
    grade = shell.grade()
    return grade, {r.id: r for r in grade.results}


def test_lock_held_through_the_dump_and_no_fsck_lose_exactly_those_marks():
    grade, r = _results("online-backup", CARELESS)
    assert not r["lock-brief"].held and not r["fsck-before-dump"].held
    assert all(r[k].held for k in ("metastat-first", "detach-under-lock", "dump",
                                   "reattached", "in-sync"))
    assert grade.score == 100 - r["lock-brief"].points - r["fsck-before-dump"].points
    assert "hangs" in r["lock-brief"].feedback          # worded for people
    assert "ufsdump" in r["lock-brief"].detail          # and says what happened
    assert "fsck /dev/md/rdsk/d3" in r["fsck-before-dump"].feedback


def test_skipping_metastat_and_the_lock_is_seen():
    answers = CARELESS.replace("metastat d1\n", "").replace("lockfs -w /home1\n", "") \
        .replace("lockfs -u /home1\n", "")
    _, r = _results("online-backup", answers)
    assert not r["metastat-first"].held
    assert not r["detach-under-lock"].held
    assert not r["lock-brief"].held and "never write-locked" in r["lock-brief"].detail


def test_not_waiting_for_the_resync_misses_in_sync_only():
    lab = load_lab("online-backup")
    answers = lab.reference_answers().replace("sleep 3600\n", "")
    _, r = _results("online-backup", answers)
    assert not r["in-sync"].held and r["reattached"].held
    assert "Wait for the resync" in r["in-sync"].feedback


def test_repair_maintenance_the_wrong_component_is_not_the_repair():
    lab = load_lab("repair-maintenance")
    v = lab.values
    good_slice = next(f"{v[d]}s0" for d in ("disk1", "disk2")
                      if f"{v[d]}s0" != v["failed_slice"])
    answers = (f"metastat {v['mirror']}\nmetadetach -f {v['mirror']} {v['good_sub']}\n"
               f"metareplace -e {v['mirror']} {good_slice}\nsleep 3600\n")
    _, r = _results("repair-maintenance", answers)
    assert not r["messages"].held
    assert not r["replace"].held and v["failed_slice"] in r["replace"].feedback
    assert not r["in-sync"].held
    # SVM refuses to detach the last good submirror and to re-enable an Okay slice: nothing
    # was repaired, so keeping both submirrors earns nothing yet
    assert not r["healthy-kept"].held and "nothing to judge yet" in r["healthy-kept"].detail
    assert not r["look-first"].held     # nothing changed: looking first earns nothing yet


def test_failed_dump_recovery_unlock_must_come_first():
    lab = load_lab("failed-dump-recovery")
    v = lab.values
    late = (f"metastat {v['mirror']}\nmetattach {v['mirror']} {v['sub']}\n"
            f"lockfs -u {v['mount']}\nsleep 3600\n")
    _, r = _results("failed-dump-recovery", late)
    assert not r["unlock-first"].held
    assert "before" in r["unlock-first"].detail
    assert not r["dump"].held          # the backup was never made
    assert r["reattached"].held and r["in-sync"].held


def test_third_submirror_splitting_a_real_submirror_loses_redundancy():
    answers = """\
metastat d1
lockfs -w /home1
metadetach d1 d3
lockfs -u /home1
fsck /dev/md/rdsk/d3
ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3
metattach d1 d3
sleep 3600
"""
    _, r = _results("third-submirror", answers)
    assert not r["redundancy"].held and not r["attach-spare"].held
    assert r["dump"].held and r["detach-under-lock"].held


def test_root_caution_backup_without_the_hang():
    lab = load_lab("root-caution")
    v = lab.values
    answers = (f"metastat {v['root']}\nmetadetach {v['root']} {v['sub']}\n"
               f"fsck /dev/md/rdsk/{v['sub']}\nufsdump 0uf /dev/rmt/0 /dev/md/rdsk/{v['sub']}\n"
               f"metattach {v['root']} {v['sub']}\nsleep 1800\n")
    grade, r = _results("root-caution", answers)
    assert not r["see-hang"].held and not r["recover"].held and not r["log-read"].held
    assert r["detach"].held and r["dump"].held and r["restored"].held


def test_tape_change_answering_no_aborts_the_dump():
    lab = load_lab("tape-change")
    answers = lab.reference_answers().replace("\nyes\n", "\nno\nyes\n")
    _, r = _results("tape-change", answers)
    # "no" to the volume question is followed by "Do you want to abort dump?": yes aborts
    assert not r["dump"].held
    assert "answer yes" in r["dump"].feedback
