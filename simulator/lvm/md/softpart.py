"""The soft partition extent allocator: pure arithmetic about the on-disk layout.

meta_sp.c: every extent is preceded by one watermark block (MD_SP_WMSIZE) and the
component ends with one; the free extents are what the reserved start (replicas), the end
watermark and the existing extents leave (meta_sp_list_freefill); ``-o/-b`` extents are
carved where asked (meta_sp_alloc_by_list / meta_sp_alloc_by_ext) and a length is placed
first fit, data aligned, or spread over several extents (meta_sp_alloc_by_len). Extents are
``(data offset, length)`` in blocks. No unit, no set, no error: callers decide.
"""

from __future__ import annotations

WM_SIZE = 1   # MD_SP_WMSIZE: one watermark block in front of every extent

Extent = tuple[int, int]


def free_extents(size: int, start: int, extents: list[Extent]) -> list[Extent]:
    """meta_sp_list_freefill: the free extents of a component of ``size`` blocks whose data
    may start at ``start``, carrying the soft partition ``extents`` already allocated."""
    used = [(0, start), (size - WM_SIZE, WM_SIZE)]
    used += [(poff - WM_SIZE, length + WM_SIZE) for poff, length in extents]
    free: list[Extent] = []
    cursor = 0
    for off, length in sorted(x for x in used if x[1] > 0):
        if off > cursor:
            free.append((cursor, off - cursor))
        cursor = max(cursor, off + length)
    return free


def alloc_by_list(free: list[Extent], requested: list[Extent]) -> list[Extent] | None:
    """meta_sp_alloc_by_list: each ``-o off -b len`` extent (walked in offset order) must lie,
    with its watermark, inside one free extent; None when one does not (MDE_SP_OVERLAP).
    The unit keeps the extents in command-line order (meta_sp_fillextarray)."""
    for off, n in sorted(requested):
        hit = next((f for f in free if f[0] <= off - WM_SIZE < f[0] + f[1]), None)
        if hit is None or off + n > hit[0] + hit[1]:
            return None
        free = _take(free, hit, off - WM_SIZE, n + WM_SIZE)
    return list(requested)


def _take(free: list[Extent], ext: Extent, off: int, n: int) -> list[Extent]:
    """meta_sp_alloc_by_ext: carve [off, off+n) out of the free extent ``ext``."""
    out = []
    for f in free:
        if f != ext:
            out.append(f)
            continue
        if off > f[0]:
            out.append((f[0], off - f[0]))
        if off + n < f[0] + f[1]:
            out.append((off + n, f[0] + f[1] - off - n))
    return sorted(out)


def alloc_by_len(free: list[Extent], length: int, alignment: int) -> list[Extent]:
    """meta_sp.c meta_sp_alloc_by_len (new soft partition): a single free extent that fits
    (first fit, data aligned), else several extents in offset order; ``all`` (0) takes every
    free extent. Returns the data extents, [] when the space is not there."""
    extents: list[Extent] = []
    if length == 0:
        for off, n in free:
            if n - WM_SIZE > 0:
                extents.append((off + WM_SIZE, n - WM_SIZE))
        return extents
    if sum(n for _, n in free) < length:
        return []

    def aligned(off: int, n: int) -> Extent | None:
        if alignment <= 0:
            return off, n
        if n < alignment:
            return None
        a_off = off + alignment - (off % alignment) - WM_SIZE
        if a_off < off:
            a_off += alignment
        return a_off, n - (a_off - off)

    for off, n in free:
        got = aligned(off, n)
        if got is not None and got[1] >= length + WM_SIZE:
            return [(got[0] + WM_SIZE, length)]
    remaining = length
    for off, n in free:
        if remaining <= 0:
            break
        got = aligned(off, n)
        if got is None:
            continue
        a_off, a_len = got
        if alignment > 0 and a_len - WM_SIZE < remaining:
            a_len -= (a_len - WM_SIZE) % alignment
        take = min(remaining, a_len - WM_SIZE)
        if take <= 0:
            continue
        extents.append((a_off + WM_SIZE, take))
        remaining -= take
    return extents if remaining == 0 else []
