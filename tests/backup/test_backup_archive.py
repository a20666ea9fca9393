"""The svmsim dump archive: written, read back, and cut short."""

from __future__ import annotations

import pytest

from simulator.archive import (
    Archive,
    ArchiveEntry,
    ArchiveError,
    ArchiveHeader,
    parse,
    placeholder,
    placeholder_digest,
    ranges,
)


def _archive(complete: bool = True) -> Archive:
    h = ArchiveHeader(level=1, date=1795600800, ddate=1795500000, host="host1",
                      device="/dev/md/rdsk/d3", filesys="an unlisted file system",
                      complete=complete, inuse_ranges=ranges([2, 3, 4, 7, 9, 10]))
    entries = [ArchiveEntry(2, ".", "d", True, 512, 0o40755, 0, 0, 10.0, 11.0, ""),
               ArchiveEntry(9, "./a b\tc", "f", True, 70000, 0o100644, 1001, 10, 12.5, 13.0,
                            "ab12"),
               ArchiveEntry(10, "./ln", "l", True, 3, 0o120777, 0, 0, 1.0, 1.0, "", "a b"),
               ArchiveEntry(4, "./old", "f", dumped=False)]
    return Archive(h, entries)


def test_round_trip_keeps_header_entries_and_odd_names() -> None:
    a = _archive()
    b = parse(a.to_bytes())
    assert b.header == a.header
    assert b.entries == a.entries
    assert b.complete and not b.truncated
    assert b.header.inuse == {2, 3, 4, 7, 9, 10}
    assert [e.path for e in b.dumped()] == [".", "./a b\tc", "./ln"]
    assert b.children()["."][0].path == "./old"        # inode order within a directory


def test_archive_without_end_line_is_incomplete() -> None:
    text = _archive().to_text()
    cut = text[:text.index("end ")]
    assert not parse(cut).complete
    # a line cut in the middle: the entries before it survive
    half = text[:text.index('"./ln"') + 3]
    got = parse(half)
    assert got.truncated and [e.inode for e in got.entries] == [2, 9]
    assert not parse(_archive(complete=False).to_text()).complete


@pytest.mark.parametrize("data", [b"", b"\x00\x01binary", b"svmsim-ufsdump-archive 9\n{}",
                                  b"svmsim-ufsdump-archive 1\nnot json\n"])
def test_not_an_archive(data: bytes) -> None:
    with pytest.raises(ArchiveError):
        parse(data)


def test_placeholder_names_the_digest() -> None:
    e = _archive().entries[1]
    data = placeholder(e)
    assert len(data) < 200 and placeholder_digest(data) == "ab12"
    assert placeholder_digest(b"hello") is None
