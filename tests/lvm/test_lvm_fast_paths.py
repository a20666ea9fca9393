"""The md side's shortcuts (issue 17) give what the plain code gives.

- the name parsers keep their answers for the names asked most recently (core/names.py,
  libmeta/names.py, md/base.py short_unit, meta_number_to_string): the kept answer is the
  one the function makes afresh, for names of every form and for garbage;
- SmState's ``&`` and ``|`` find the member the bits name instead of making it again: the
  same member as Flag's operators, for every pair of states and for plain ints;
- meta_check_primary_mirror walks every slice of the host only when a submirror's first
  component is itself open on ``/``: refused exactly when the plain rule (the first slice
  open on ``/``, root_slice, is a submirror's first component) refuses.
"""

from __future__ import annotations

from enum import Flag
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Host
from simulator.core import names
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta import names as libnames
from simulator.lvm.libmeta.printing import meta_number_to_string
from simulator.lvm.md.base import short_unit
from simulator.lvm.md.records import Mirror, SubmirrorSlot
from simulator.lvm.md.states import CompState, SmState, sm_state_to_name

GB = 2 * 1024 * 1024

# names of every form the grammar knows, pieces of them, and noise
_PIECES = st.sampled_from(["d", "d1", "d010", "hsp", "hsp001", "hsp1", "blue", "/", "//",
                           "/dev/md/", "/dev/md/dsk/", "/dev/md/rdsk/", "dsk", "rdsk",
                           "/dev/dsk/", "/dev/rdsk/", "/dev/did/dsk/", "c1t0d0", "s0",
                           "s9", "t600A0B8", "c0d0", "all", "none", "-", ".", "_", "8192"])
NAMES = st.one_of(st.lists(_PIECES, max_size=5).map("".join), st.text(max_size=12))

CACHED: list[tuple[str, Any]] = [
    ("parse_unit", names.parse_unit), ("parse_hsp", names.parse_hsp),
    ("split_slice", names.split_slice), ("short_unit", short_unit),
    ("block_device", names.block_device), ("raw_device", names.raw_device),
    ("device_unit", names.device_unit),
    ("parse_device", libnames.parse_device),
    ("valid_name_syntax", libnames.valid_name_syntax),
]


@settings(max_examples=300)
@given(NAMES)
def test_kept_name_parses_are_the_fresh_ones(name: str) -> None:
    for label, fn in CACHED:
        fresh = fn.__wrapped__(name)
        assert fn(name) == fresh, label
        assert fn(name) == fresh, label          # asked again: the kept answer


def test_kept_name_parses_survive_eviction() -> None:
    """More names than are kept: each answer is still the fresh one."""
    many = [f"d{n}" for n in range(2000)] + [f"c1t{n}d0s3" for n in range(600)]
    for name in many + many[::-1]:
        assert names.parse_unit(name) == names.parse_unit.__wrapped__(name)
        assert names.split_slice(name) == names.split_slice.__wrapped__(name)
        assert short_unit(name) == short_unit.__wrapped__(name)


@given(st.integers(min_value=0, max_value=2**62), st.sampled_from([512, 1024, 1]))
def test_kept_sizes_are_the_fresh_ones(blocks: int, blk_sz: int) -> None:
    fresh = meta_number_to_string.__wrapped__(blocks, blk_sz)
    assert meta_number_to_string(blocks, blk_sz) == fresh
    assert meta_number_to_string(blocks, blk_sz) == fresh


def test_smstate_operators_give_flags_members() -> None:
    values = list(range(0, 256, 3)) + [1, 2, 4, 8, 16, 32, 64, 128, 255, 256, 1024]
    for a in values:
        for b in values:
            x, y = SmState(a), SmState(b)
            assert (x & y) is Flag.__and__(x, y)
            assert (x | y) is Flag.__or__(x, y)
            assert (x & b) is Flag.__and__(x, b)
            assert (b | x) is Flag.__or__(x, b)
            assert type(x & y) is SmState and type(b & x) is SmState
    with pytest.raises(TypeError):
        SmState.RUNNING & "x"  # type: ignore[operator]


def _host(nsubs: int) -> Host:
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for i in range(nsubs):
        disk = f"c1t{i + 1}d0"
        h.add_disk(disk, GB + 65536, {0: GB, 1: 65536, 7: 65536})
        h.add_stripe(f"d{10 * (i + 1)}", f"{disk}s0")
    h.md.create_mirror(h.md.sets[""], "d0", [f"d{10 * (i + 1)}" for i in range(nsubs)])
    h.add_disk("c2t9d0", GB + 65536, {0: GB, 7: 65536})
    return h


SLICES = ["c0t0d0s0", "c0t0d0s7", "c1t1d0s0", "c1t1d0s1", "c1t2d0s0", "c1t3d0s0",
          "c2t9d0s0", "c1t1d0s5", "c9t9d0s0"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(SLICES), max_size=3, unique=True), st.integers(1, 3))
def test_primary_mirror_check_refuses_as_the_plain_rule(on_root: list[str],
                                                        nsubs: int) -> None:
    h = _host(nsubs)
    h.add_open_check(lambda name: "/" if name in on_root else None)
    s = h.md.sets[""]
    m = s.units["d0"]
    root = h.md.root_slice()
    firsts = [s.units[slot.name].rows[0].components[0].name for slot in m.submirrors]
    plain = root is not None and root in firsts
    try:
        h.md._check_primary_mirror(s, m)
    except MDError as e:
        assert plain and root is not None
        assert str(e) == str(E.mounted(root, "/"))
    else:
        assert not plain


def test_kept_state_names_are_the_fresh_ones() -> None:
    flags = (False, True)
    for value in list(range(256)) + [256, 1024]:
        state = SmState(value)
        for active in flags:
            for cancel in flags:
                for opt in flags:
                    for target in flags:
                        args = (state, active, cancel, opt, target)
                        fresh = sm_state_to_name.__wrapped__(*args)
                        assert sm_state_to_name(*args) == fresh
                        assert sm_state_to_name(*args) == fresh


# ---------------------------------------------------------------- submirror slot numbering
def _plain_remove(m: Mirror, slot: SubmirrorSlot, compact: bool) -> None:
    """remove_slot as it was written before it skipped unchanged numbers."""
    for n, sl in m.numbered():
        sl.index = n
    m.submirrors.remove(slot)
    if compact:
        for sl in m.submirrors:
            sl.index = -1
    _plain_normalize(m)


def _plain_add(m: Mirror, slot: SubmirrorSlot) -> None:
    slot.index = m.free_index()
    for n, sl in m.numbered():
        sl.index = n
    m.submirrors.append(slot)
    m.submirrors.sort(key=lambda sl: sl.index)
    _plain_normalize(m)


def _plain_normalize(m: Mirror) -> None:
    for i, sl in enumerate(m.submirrors):
        if sl.index == i:
            sl.index = -1


def _slots(m: Mirror) -> list[tuple[str, int]]:
    return [(sl.name, sl.index) for sl in m.submirrors]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=12))
def test_slot_numbering_is_the_plain_one(steps: list[tuple[int, bool]]) -> None:
    """Detach (the k-th submirror) and attach (a detached one) in any order, both ways of
    detaching: the array and its numbers are the plain code's."""
    fast = Mirror("d0", submirrors=[SubmirrorSlot(f"d{i}") for i in range(1, 5)])
    plain = Mirror("d0", submirrors=[SubmirrorSlot(f"d{i}") for i in range(1, 5)])
    out: list[str] = []
    for k, compact in steps:
        if len(fast.submirrors) > 1 and (k % 2 == 0 or not out):
            i = k % len(fast.submirrors)
            out.append(fast.submirrors[i].name)
            fast.remove_slot(fast.submirrors[i], compact)
            _plain_remove(plain, plain.submirrors[i], compact)
        elif out:
            name = out.pop(k % len(out))
            fast.add_slot(SubmirrorSlot(name))
            _plain_add(plain, SubmirrorSlot(name))
        assert _slots(fast) == _slots(plain)
        assert [(n, sl.name) for n, sl in fast.numbered()] == \
            [(n, sl.name) for n, sl in plain.numbered()]


# ---------------------------------------------------------------- mirror_other_sources
COMP_STATES = st.sampled_from(list(CompState))
SM_STATES = st.sampled_from([SmState.RUNNING, SmState.OFFLINE, SmState.ATTACHED_RESYNC,
                             SmState.COMP_ERRED, SmState.OFFLINE_RESYNC])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SM_STATES, st.lists(COMP_STATES, min_size=1, max_size=3),
                          st.lists(st.floats(0, 10), min_size=3, max_size=3)),
                min_size=2, max_size=3),
       st.integers(0, 2), st.booleans())
def test_other_sources_shortcut_answers_as_the_ranges_do(
        subs: list[tuple[SmState, list[CompState], list[float]]], which: int,
        one_comp: bool) -> None:
    """mirror_other_sources with the all-Okay shortcut and without it (every range asked)."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    names_ = []
    for i, (_, states, _) in enumerate(subs):
        disk = f"c1t{i + 1}d0"
        h.add_disk(disk, 4 * GB, {n: GB // 4 for n in range(len(states))})
        h.add_stripe(f"d{10 * (i + 1)}", *[f"{disk}s{n}" for n in range(len(states))])
        names_.append(f"d{10 * (i + 1)}")
    s = h.md.sets[""]
    h.md.create_mirror(s, "d0", names_)
    m = s.units["d0"]
    for slot, (sm, states, times) in zip(m.submirrors, subs, strict=True):
        slot.state = sm
        for c, cs, t in zip(s.units[slot.name].components, states, times, strict=False):
            c.state = cs
            c.timestamp = t
    slot = m.submirrors[which % len(m.submirrors)]
    st_ = s.units[slot.name]
    comp = st_.components[0] if one_comp else None
    fast = h.md._other_sources(s, m, slot, comp)
    h.md._reads_everything = lambda ost: False      # type: ignore[method-assign]
    assert h.md._other_sources(s, m, slot, comp) == fast
