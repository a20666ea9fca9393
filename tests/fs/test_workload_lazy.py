"""A sampled stretch's writes are drawn when their file is looked up, and that changes
nothing (issue 17: an hour of workload costs nothing until something looks;
simulator/ufs/workload.py ``SampledWrites``, simulator/ufs/image.py ``Image.put_stretch``).

Each test compares images that took the stretches lazily (``apply_op``) with images that
took every file's end state at once (:func:`at_once`: what ``apply_op`` did before), or
the same stretch looked at in different orders: the saved image (its overlay in the same
order), the counts df and fsck read, the digest and the listing must be the same.
"""

from __future__ import annotations

import pytest

from simulator.ufs.image import MAX_STRETCHES, Image, new_image
from simulator.ufs.locks import SAMPLE_OVER
from simulator.ufs.workload import ROLL_DELAY, SampledOps, Workload, _touch, apply_op

HOUR = 3600.0


def image(seed: int, files: int = 2000) -> Image:
    return new_image(41943040, seed=seed, files=files, created=1_000_000.0)


def at_once(img: Image, op: SampledOps) -> None:
    """Every file's end state put at once (the plain computation)."""
    changes = op.changes
    img.put_many(changes.items())
    img.next_ino = max([img.next_ino] + [e.inode + 1 for e in changes.values()
                                         if e is not None])
    touched = [(d, img.get(d)) for d in op.dirs]
    img.put_many((d, _touch(cur, op.dirs[d])) for d, cur in touched if cur is not None)


def hours(img: Image, wl: Workload, n: int, lazy: bool) -> None:
    """``n`` hours: each sampled up to its tail, the tail write by write."""
    start = img.base.created + 10.0
    for _ in range(n):
        counts, ops = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
        op = wl.sample(img, start, HOUR - ROLL_DELAY, counts)
        if op is not None:
            (apply_op if lazy else at_once)(img, op)
        for frac, kind in ops:
            one = wl.make_op(img, kind, start + frac * HOUR)
            if one is not None:
                apply_op(img, one)
        start += HOUR


def workload(seed: int, rate: float) -> Workload:
    return Workload(writes_per_second=rate, creates_per_second=0.2, deletes_per_second=0.02,
                    seed=seed)


@pytest.mark.parametrize("rate", [5.0, 0.05])      # many writes against the files, few
@pytest.mark.parametrize("seed", range(1, 7))
def test_stretches_drawn_when_looked_up_are_those_put_at_once(seed: int, rate: float) -> None:
    """More stretches than an image keeps unmade, each with its tail replayed write by
    write on top (which looks files up and changes them): the same image."""
    lazy, plain = image(seed), image(seed)
    hours(lazy, workload(seed, rate), MAX_STRETCHES + 2, lazy=True)
    hours(plain, workload(seed, rate), MAX_STRETCHES + 2, lazy=False)
    assert lazy._stretches                   # some still unmade: what follows makes them
    assert lazy.nfiles == plain.nfiles
    assert lazy._stretches                   # (counting inodes made none)
    assert lazy.used_frags == plain.used_frags
    assert lazy.to_dict() == plain.to_dict()
    assert lazy.digest() == plain.digest()
    assert [e.to_list() for e in lazy.entries()] == [e.to_list() for e in plain.entries()]
    assert lazy == plain


def one_stretch(seed: int) -> tuple[Image, SampledOps]:
    img = image(seed)
    wl = workload(seed, 5.0)
    wl.deletes_per_second = 0.2
    counts, _ = wl.due(HOUR, tail=ROLL_DELAY, sample_over=SAMPLE_OVER)
    op = wl.sample(img, img.base.created + 10.0, HOUR - ROLL_DELAY, counts)
    assert op is not None and op.writes is not None and op.writes.gone
    return img, op


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_which_file_is_looked_up_first_makes_no_difference(seed: int) -> None:
    (a, op_a), (b, op_b) = one_stretch(seed), one_stretch(seed)
    paths = list(op_a.changes)
    # one looks some files up in order and changes a few, the other the other way round
    apply_op(a, op_a)
    for p in paths[::7]:
        a.get(p)
    apply_op(b, op_b)
    for p in reversed(paths):
        b.get(p)
    for img, some in ((a, paths[:40:3]), (b, list(reversed(paths[:40:3])))):
        for p in some:
            if img.get(p) is not None:
                img.remove(p)
    assert op_a == op_b
    assert a.to_dict() == b.to_dict() and a.digest() == b.digest()
    # and the same as the plain computation, the same removals after it
    plain, op = one_stretch(seed)
    at_once(plain, op)
    for p in paths[:40:3]:
        if plain.get(p) is not None:
            plain.remove(p)
    assert plain.to_dict() == a.to_dict()


def test_a_snapshot_keeps_what_the_stretch_left_whatever_changes_after() -> None:
    img, op = one_stretch(4)
    apply_op(img, op)
    snap = img.snapshot()
    written = [p for p in op.writes.paths() if p not in op.writes.gone]   # type: ignore[union-attr]
    before = {p: img.get(p) for p in written[:20]}
    for p in written[:20]:
        img.remove(p)
    assert all(snap.get(p) == e for p, e in before.items())
    plain, op2 = one_stretch(4)
    at_once(plain, op2)
    assert snap.to_dict() == plain.to_dict()
    assert snap.digest() == plain.digest() and snap.used_frags == plain.used_frags


def test_a_saved_stretch_loads_as_the_one_drawn_at_once() -> None:
    img, op = one_stretch(5)
    back = SampledOps.from_dict(op.to_dict())
    assert isinstance(back, SampledOps) and back.writes is None and back == op
    a, b = img.copy(), img.copy()
    apply_op(a, op)
    apply_op(b, back)
    assert a.to_dict() == b.to_dict()


def test_a_copied_image_keeps_its_unmade_stretch() -> None:
    """A deep copy (as a saved state copied whole) makes the same files as the original."""
    import copy
    img, op = one_stretch(6)
    apply_op(img, op)
    assert img._stretches
    twin = copy.deepcopy(img)
    assert twin._stretches
    plain, op2 = one_stretch(6)
    at_once(plain, op2)
    assert twin.to_dict() == plain.to_dict() == img.to_dict()
