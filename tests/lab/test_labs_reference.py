"""Every shipped lab: its reference answer scores 100 % for the canonical variant (seed 0)
and for other seeds, and the variants really differ (names, sizes, which submirror)."""

from __future__ import annotations

import pytest

from simulator.lab.labfile import load_lab, shipped_labs
from simulator.lab.terminal import batch

LABS = sorted(shipped_labs())
SEEDS = (0, 1, 2, 5, 11)


def test_the_six_labs_the_issue_names_are_shipped():
    assert set(LABS) >= {"online-backup", "repair-maintenance", "third-submirror",
                         "failed-dump-recovery", "root-caution", "tape-change"}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", LABS)
def test_reference_answer_scores_full_marks(name, seed):
    lab = load_lab(name, seed)
    answers = lab.reference_answers()
    assert answers is not None, f"{name} has no reference answer"
    assert "${" not in answers, "every placeholder of the answer has a value"
    shell = batch(lab, answers)
    grade = shell.grade()
    missed = [(r.id, r.detail) for r in grade.results if not r.held]
    assert grade.score == 100, missed
    assert not shell.internal_errors
    assert not shell.host.internal_errors


@pytest.mark.parametrize("name", LABS)
def test_variants_differ_from_the_canonical_one(name):
    canonical = load_lab(name, 0).values
    others = [load_lab(name, s).values for s in range(1, 6)]
    assert any(v != canonical for v in others)
    # the same seed is the same variant (a trainee can be given it again)
    assert load_lab(name, 3).values == load_lab(name, 3).values


def test_online_backup_canonical_variant_is_the_admin_guides_example():
    lab = load_lab("online-backup")
    assert (lab.values["mirror"], lab.values["sub1"], lab.values["sub2"],
            lab.values["sub3"], lab.values["mount"], lab.values["sub"]) == \
        ("d1", "d2", "d3", "d4", "/home1", "d3")
    host = lab.scenario
    assert [m.name for m in host.mirrors] == ["d1"]


def test_a_variant_renames_metadevices_and_disks_consistently():
    lab = load_lab("online-backup", 4)
    v = lab.values
    subs = {v["sub1"], v["sub2"], v["sub3"]}
    assert len(subs) == 3 and v["mirror"] not in subs
    assert v["sub"] in subs
    disks = {v["disk1"], v["disk2"], v["disk3"]}
    assert len(disks) == 3 and "c0t0d0" not in disks      # the boot disk is fixed
    mirror = lab.scenario.mirrors[0]
    assert mirror.name == v["mirror"] and list(mirror.submirrors) == [
        v["sub1"], v["sub2"], v["sub3"]]


def test_repair_maintenance_variants_fail_either_side():
    failed = {load_lab("repair-maintenance", s).values["failed_sub"] for s in range(12)}
    shifted = {f"d{int(x[1:]) % 10}" for x in failed}
    assert shifted == {"d1", "d2"}        # d11 or d12 (modulo the variant's numbering)
