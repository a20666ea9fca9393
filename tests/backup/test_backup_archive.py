"""The svmsim dump archive: written, read back, and cut short."""

from __future__ import annotations

import pytest

from simulator.backup.archive import (
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


def test_backup_state_survives_to_dict_and_back() -> None:
    from simulator import Host
    h = Host("host1")
    h.add_mirror("d1", ["d2", "d3"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=20000, files=30)
    b = h.backups
    b.add_tape(device="/dev/rmt/1", capacity=10 ** 7, cartridges=2)
    assert h.run("ufsdump 0uf /dev/rmt/1n /home1").exit_code == 0
    b.fail_after_fraction = 0.25
    h2 = Host.from_dict(h.to_dict())
    b2 = h2.backups
    assert b2.to_dict() == b.to_dict()
    assert b2.dumpdates_text() == b.dumpdates_text() != ""
    drive = b2.tape("/dev/rmt/1cbn")
    assert drive is not None
    assert drive.position == 1 and len(drive.cartridges) == 2
    drive.rewind()
    listing = h2.run("ufsrestore tf /dev/rmt/1")
    assert listing.exit_code == 0 and listing.stdout.startswith("         2\t.\n")
    assert b2.tape("/dev/rmt/0") is None       # configured drives only, once there are any
