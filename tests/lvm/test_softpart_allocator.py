"""md/softpart.py: the soft partition extent allocator alone (meta_sp.c arithmetic)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.lvm.md.softpart import (
    WM_SIZE,
    Extent,
    alloc_by_len,
    alloc_by_list,
    free_extents,
)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[int, int, list[Extent]]:
    """A component size, its reserved start and soft partitions allocated first fit."""
    start = draw(st.sampled_from([0, 0, 16, 8208]))
    size = draw(st.integers(min_value=start + 2, max_value=start + 100_000))
    extents: list[Extent] = []
    for length in draw(st.lists(st.integers(min_value=1, max_value=20_000), max_size=6)):
        got = alloc_by_len(free_extents(size, start, extents), length, 0)
        extents += got
    return size, start, extents


def disjoint(spans: list[Extent]) -> bool:
    ordered = sorted(spans)
    return all(a + n <= b for (a, n), (b, _) in zip(ordered, ordered[1:], strict=False))


@given(layouts())
def test_free_extents_are_the_complement(layout: tuple[int, int, list[Extent]]) -> None:
    size, start, extents = layout
    free = free_extents(size, start, extents)
    used = [(0, start), (size - WM_SIZE, WM_SIZE)] + \
        [(off - WM_SIZE, n + WM_SIZE) for off, n in extents]
    assert disjoint(free) and all(n > 0 for _, n in free)
    assert all(0 <= off and off + n <= size for off, n in free)
    assert disjoint([u for u in used if u[1] > 0] + free)
    covered = sum(n for _, n in free) + len({b for off, n in used if n > 0
                                            for b in range(off, off + n)})
    assert covered == size


@given(layouts(), st.integers(min_value=0, max_value=30_000),
       st.sampled_from([0, 0, 8, 1024]))
def test_alloc_by_len_fits_in_free_space(layout: tuple[int, int, list[Extent]],
                                         length: int, alignment: int) -> None:
    size, start, extents = layout
    free = free_extents(size, start, extents)
    got = alloc_by_len(free, length, alignment)
    # every data extent and its watermark lie inside one free extent, none overlap
    for off, n in got:
        assert n > 0
        assert any(f <= off - WM_SIZE and off + n <= f + fn for f, fn in free)
    assert disjoint([(off - WM_SIZE, n + WM_SIZE) for off, n in got])
    if length and got:
        assert sum(n for _, n in got) == length
    if length and not got:
        assert alignment or sum(n for _, n in free) - WM_SIZE * len(free) < length
    if length and alignment == 0 and any(n >= length + WM_SIZE for _, n in free):
        assert len(got) == 1       # first fit in a single extent when one is large enough


@given(layouts(), st.integers(min_value=0, max_value=100_000),
       st.integers(min_value=1, max_value=5_000))
def test_alloc_by_list_places_exactly_or_refuses(layout: tuple[int, int, list[Extent]],
                                                 off: int, n: int) -> None:
    size, start, extents = layout
    free = free_extents(size, start, extents)
    placed = alloc_by_list(free, [(off, n)])
    fits = any(f <= off - WM_SIZE and off + n <= f + fn for f, fn in free)
    assert placed == ([(off, n)] if fits else None)
