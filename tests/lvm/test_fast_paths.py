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
from simulator.lvm.md.states import SmState

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
