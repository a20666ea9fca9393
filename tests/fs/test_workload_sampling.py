"""The sampled workload keeps the statistics of the write-by-write replay (issue 17;
simulator/ufs/workload.py ``Workload.due`` and ``Workload.sample``, simulator/ufs/locks.py
``replay``).

A short stretch is replayed write by write at its times. A long one (more than
``SAMPLE_OVER`` operations before its last ``ROLL_DELAY`` seconds) has those operations
sampled: each file's end state drawn at once (how many writes it got, the last one's time,
the size they left, new contents), the creates made one by one, the deletes picked one by
one; the last ``ROLL_DELAY`` seconds (the writes still in flight at the end) are replayed
write by write. These tests compare a sampled stretch with the same stretch replayed write
by write, over several seeds: which files and how many change, by how much, when, and what
``df`` then counts.
"""

from __future__ import annotations

import math
import statistics

import pytest

from simulator.ufs.image import Image, new_image
from simulator.ufs.locks import SAMPLE_OVER
from simulator.ufs.mirrors import detached_image
from simulator.ufs.workload import ROLL_DELAY, PendingOp, SampledOps, Workload, apply_op

HOUR = 3600.0


def kinds(ops: list[tuple[float, str]], kind: str) -> list[float]:
    return [f for f, k in ops if k == kind]


# ------------------------------------------------------------------------ due
def test_a_short_stretch_is_replayed_whole_at_the_right_times() -> None:
    wl = Workload(writes_per_second=2.0, creates_per_second=0.5)
    counts, ops = wl.due(60.0, tail=ROLL_DELAY, sample_over=200)
    assert counts == {}
    assert len(kinds(ops, "modify")) == 120 and len(kinds(ops, "create")) == 30
    fracs = kinds(ops, "modify")
    assert fracs == sorted(fracs) and fracs[0] == pytest.approx(1 / 120)
    assert fracs[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("rate", [2.0, 7.5, 40.0])
def test_a_long_stretch_is_sampled_up_to_its_tail_which_is_replayed(rate: float) -> None:
    wl = Workload(writes_per_second=rate, creates_per_second=0.2)
    counts, ops = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    # every operation before the tail is sampled, every one in the tail replayed
    assert counts["modify"] == int(rate * (HOUR - ROLL_DELAY))
    assert counts["create"] == int(0.2 * (HOUR - ROLL_DELAY))
    assert counts["modify"] + len(kinds(ops, "modify")) == int(rate * HOUR)
    assert counts["create"] + len(kinds(ops, "create")) == int(0.2 * HOUR)
    assert all(f * HOUR > HOUR - ROLL_DELAY - 1e-6 for f, _ in ops)


def test_without_a_bound_every_operation_is_replayed() -> None:
    counts, ops = Workload(writes_per_second=5.0).due(HOUR, tail=ROLL_DELAY)
    assert counts == {} and len(ops) == 18000


def test_fractions_carry_over_so_many_stretches_keep_the_rate() -> None:
    wl = Workload(writes_per_second=0.3, deletes_per_second=0.07)
    ops = [op for _ in range(1000) for op in wl.due(1.0)[1]]
    # (floating-point carry: the last fraction may still be a hair under one operation)
    assert len([k for _, k in ops if k == "modify"]) in (299, 300)
    assert len([k for _, k in ops if k == "delete"]) in (69, 70)
    wl = Workload(writes_per_second=0.3)
    counts = [wl.due(1000.0, tail=ROLL_DELAY, sample_over=10) for _ in range(10)]
    assert sum(c.get("modify", 0) + len(o) for c, o in counts) in (2999, 3000)


# ------------------------------------------------------------ sampled vs replayed
def image(files: int = 2000, seed: int = 1) -> Image:
    return new_image(41943040, seed=seed, files=files, created=1_000_000.0)


def replayed(wl: Workload, img: Image, start: float, dt: float) -> tuple[Image, int]:
    """The stretch write by write (what the workload did before it was sampled)."""
    blocks = 0
    for frac, kind in wl.due(dt)[1]:
        op = wl.make_op(img, kind, start + frac * dt)
        if op is not None:
            apply_op(img, op)
            blocks += op.blocks if op.kind == "modify" else 0
    return img, blocks


def sampled(wl: Workload, img: Image, start: float, dt: float) -> tuple[Image, int]:
    counts, ops = wl.due(dt, tail=0.0, sample_over=0)
    assert not ops
    op = wl.sample(img, start, dt, counts)
    assert op is not None
    apply_op(img, op)
    return img, op.blocks


def changes(before: Image, after: Image) -> dict[str, tuple[int, int, float]]:
    """Base files whose contents changed: (size before, size after, mtime)."""
    out = {}
    for path, new in after.overlay.items():
        old = before.get(path)
        if new is not None and old is not None and new.kind == "f" and new.digest != old.digest:
            out[path] = (old.size, new.size, new.mtime)
    return out


def figures(how: str, seed: int, rate: float, dt: float, files: int = 2000
            ) -> dict[str, float]:
    img = image(files)
    start = img.base.created + 10.0
    wl = Workload(writes_per_second=rate, seed=seed)
    after, blocks = (replayed if how == "replay" else sampled)(wl, img.copy(), start, dt)
    ch = changes(img, after)
    grew = [b - a for a, b, _ in ch.values()]
    end = start + dt
    return {"touched": len(ch), "blocks": blocks, "grew": statistics.mean(grew) if grew else 0,
            "age": statistics.mean(end - t for _, _, t in ch.values()) if ch else 0,
            "db": float("db/appdb.dbf" in ch),
            "mail": sum(1 for p in ch if p.startswith("var/mail/")),
            "frags": after.used_frags - img.used_frags}


@pytest.mark.parametrize("rate,dt", [(5.0, HOUR), (5.0, 540.0), (0.5, HOUR)])
def test_a_sampled_stretch_changes_files_as_the_replay_does(rate: float, dt: float) -> None:
    """Over 12 seeds each: how many files change, the blocks written, how much the files
    grew, how long ago they were last written, the database file and the mail spools, and
    what df counts: the same as write by write, within the spread of the seeds."""
    seeds = range(1, 13)
    rep = [figures("replay", s, rate, dt) for s in seeds]
    smp = [figures("sample", s, rate, dt) for s in seeds]
    for key in ("touched", "blocks", "grew", "age", "mail", "frags"):
        a = statistics.mean(f[key] for f in rep)
        b = statistics.mean(f[key] for f in smp)
        spread = statistics.pstdev([f[key] for f in rep] + [f[key] for f in smp])
        assert abs(a - b) <= max(3 * spread / math.sqrt(len(seeds)), 0.01 * abs(a)), \
            (key, a, b, spread)
    # the writes a file gets are Poisson over the stretch: the share of files touched
    n = rate * dt * 0.88 / 1960                  # a document's expected writes (2000 files)
    touched_docs = statistics.mean(f["touched"] - f["mail"] - f["db"] for f in smp)
    assert touched_docs == pytest.approx(1960 * (1 - math.exp(-n)), rel=0.05)


def test_few_writes_on_a_big_tree_are_picked_one_by_one() -> None:
    """With far more files than writes, each write is a pick as the replay makes it: the
    same number of files change, and each changed file's time is its last write's."""
    rep = [figures("replay", s, 1.0, 600.0, files=50_000) for s in range(1, 6)]
    smp = [figures("sample", s, 1.0, 600.0, files=50_000) for s in range(1, 6)]
    assert statistics.mean(f["touched"] for f in smp) == pytest.approx(
        statistics.mean(f["touched"] for f in rep), rel=0.02)
    assert statistics.mean(f["blocks"] for f in smp) == statistics.mean(
        f["blocks"] for f in rep) == 600 * 16


def test_creates_and_deletes_are_made_one_by_one() -> None:
    img = image()
    start = img.base.created + 10.0
    wl = Workload(writes_per_second=5.0, creates_per_second=0.2, deletes_per_second=0.05)
    counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    op = wl.sample(img, start, HOUR - ROLL_DELAY, counts)
    assert op is not None
    made = [p for p, e in op.changes.items() if e is not None and img.get(p) is None]
    gone = [p for p, e in op.changes.items() if e is None]
    gone_old = [p for p in gone if img.get(p) is not None]
    assert len(made) + len(gone) - len(gone_old) == counts["create"]
    assert len(gone) == counts["delete"]
    assert len({op.changes[p].inode for p in made}) == len(made)        # type: ignore[union-attr]
    assert wl.counter == sum(counts.values())
    apply_op(img, op)
    assert img.nfiles == image().nfiles + len(made) - len(gone_old)
    # the directories they were made or deleted in have new times
    for p in made + gone:
        parent = img.get(p.rsplit("/", 1)[0])
        assert parent is not None and parent.mtime > start


def test_a_workload_on_some_files_samples_only_those() -> None:
    img = image()
    wl = Workload.from_spec(Workload(writes_per_second=5.0, paths=["var/mail/*"]), 1, "/home1")
    counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    op = wl.sample(img, img.base.created + 10, HOUR - ROLL_DELAY, counts)
    assert op is not None and op.changes
    assert all(p.startswith("var/mail/") for p in op.changes)
    assert len(op.changes) == img.base.nmail        # 5 writes a second reach every spool


def test_the_same_workload_samples_the_same_end_state() -> None:
    a, b = image(), image()
    ops = []
    for img in (a, b):
        wl = Workload(writes_per_second=5.0, creates_per_second=0.2, seed=3)
        counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
        ops.append(wl.sample(img, 5.0, HOUR, counts))
    assert ops[0] == ops[1]


def test_a_sampled_stretch_is_saved_and_loaded() -> None:
    img = image()
    wl = Workload(writes_per_second=5.0, creates_per_second=0.2, deletes_per_second=0.01)
    counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    op = wl.sample(img, 5.0, HOUR, counts)
    assert op is not None
    back = PendingOp.from_dict(op.to_dict())
    assert isinstance(back, SampledOps) and back == op


def test_a_sampled_stretch_in_flight_at_a_detach_is_on_the_submirror() -> None:
    """Everything sampled is older than the writes in flight: on disk, never torn."""
    img = image()
    wl = Workload(writes_per_second=5.0, creates_per_second=0.2)
    counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    op = wl.sample(img.copy(), 5.0, HOUR, counts)
    assert op is not None
    whole = img.copy()
    apply_op(whole, op)
    for logging in (True, False):
        got = detached_image(img, [op], logging, 5.0 + HOUR)
        assert got.digest() == whole.digest() and got.consistent
