"""ufsdump's key letters as dumpmain.c reads them: parse_keys, pure, for the verdict too."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.backup.cmd.ufsdump import DISKETTE, DumpKeys, parse_keys


def keys(line: str) -> DumpKeys:
    return parse_keys(line.split())


def test_f_is_the_destination_and_the_last_operand_the_file_system() -> None:
    k = keys("ufsdump 0ucf /dev/rmt/0 /dev/md/rdsk/d3")
    assert (k.level, k.uflag, k.cartridge, k.destination, k.disk) == \
        (0, True, True, "/dev/rmt/0", "/dev/md/rdsk/d3")
    assert (k.error, k.usage, k.messages) == (None, False, [])


def test_m_takes_its_argument_before_f() -> None:
    """``0Mf A B fs``: M reads A, f reads B (a copy that skips M takes A as the archive)."""
    k = keys("ufsdump 0Mf /var/tmp/work /var/tmp/d3.dump /dev/md/rdsk/d3")
    assert (k.chdir_to, k.destination, k.disk) == \
        ("/var/tmp/work", "/var/tmp/d3.dump", "/dev/md/rdsk/d3")
    assert k.messages == ["Each process shall try to chdir to /var/tmp/work/<pid>\n"]
    k = keys("ufsdump 0fM /var/tmp/d3.dump /var/tmp/work /dev/md/rdsk/d3")
    assert (k.destination, k.chdir_to) == ("/var/tmp/d3.dump", "/var/tmp/work")


@pytest.mark.parametrize("line, want", [
    ("ufsdump 5bf 126 /dev/rmt/0n /home1", {"level": 5, "ntrec": 63, "bflag": True,
                                            "destination": "/dev/rmt/0n"}),
    ("ufsdump 0dsf 54000 6000 /dev/rmt/1 /home1", {"density": 5400, "tsize": 6000,
                                                   "destination": "/dev/rmt/1"}),
    ("ufsdump 0sdf 6000 54000 - /home1", {"density": 5400, "tsize": 6000,
                                          "destination": "-"}),
    ("ufsdump 0tf 18 /dev/rmt/0 /home1", {"tracks": 18, "destination": "/dev/rmt/0"}),
    ("ufsdump 3uNf mine /dev/null /home1", {"level": 3, "dname": "mine",
                                            "destination": "/dev/null"}),
    ("ufsdump 0lTf 90s /dev/rmt/0 /home1", {"autoload": True, "autoload_tries": 8,
                                            "destination": "/dev/rmt/0"}),
    ("ufsdump 0Tf 2h /dev/rmt/0 /home1", {"autoload_tries": 601}),
    ("ufsdump 0Tf 5 /dev/rmt/0 /home1", {"autoload_tries": 26}),
    ("ufsdump 0uaf /var/tmp/toc /dev/rmt/0 /home1", {"archivefile": "/var/tmp/toc",
                                                    "destination": "/dev/rmt/0"}),
    ("ufsdump -0uf /dev/null /home1", {"destination": "/dev/null", "disk": "/home1"}),
    ("ufsdump 0u /home1", {"destination": "/dev/rmt/0"}),
    ("ufsdump 0D /home1", {"destination": DISKETTE, "diskette": True}),
    ("ufsdump 0Df /dev/null /home1", {"destination": "/dev/null"}),
    ("ufsdump 0Lf nightly-backup-of-home /dev/rmt/0 /home1",
     {"label": "nightly-backup-", "destination": "/dev/rmt/0",
      "messages": ["Truncating label to maximum supported length: `nightly-backup-'\n"]}),
])
def test_letters_with_arguments_in_key_order(line: str, want: dict[str, object]) -> None:
    k = keys(line)
    assert k.error is None and not k.usage
    assert {name: getattr(k, name) for name in want} == want


@pytest.mark.parametrize("line, error", [
    ("ufsdump 0f", "Missing output device name\n"),
    ("ufsdump 0Mf /tmp", "Missing output device name\n"),
    ("ufsdump 0M", "Missing move-to-dir (M) name\n"),
    ("ufsdump 0b 7 /home1", "Block size must be a positive, even integer <= 512\n"),
    ("ufsdump 0d 5 /home1", "Density must be a positive integer\n"),
    ("ufsdump 0s -5 /home1", "Tape size must be a positive integer\n"),
    ("ufsdump 0N", "Missing name for dumpdates entry.\n"),
    ("ufsdump 0T 0 /home1", "Unreasonable autoload timeout period\n"),
    ("ufsdump 0T 5x /home1", "Unknown timeout units indicator `x'\n"),
    ("ufsdump 0vf - /home1", "Cannot verify when dumping to standard out.\n"),
    ("ufsdump 0x /home1", "Bad option `x'\n"),
])
def test_errors_end_the_parse(line: str, error: str) -> None:
    assert keys(line).error == error


def test_w_ends_the_parse_and_no_file_system_is_usage() -> None:
    assert keys("ufsdump W").lastdump == "W"
    assert keys("ufsdump 0w /home1").lastdump == "w"
    assert keys("ufsdump").usage and keys("ufsdump 0uf /dev/null").usage
    assert keys("ufsdump 0f /dev/null /home1 extra").disk == "/home1"


def test_parse_keys_is_pure_and_matches_what_ufsdump_does() -> None:
    """The same argv: parse_keys prints nothing; ufsdump prints the M note and writes to
    the file f names, not to M's directory."""
    h = Host("host1")
    h.add_mirror("d1", ["d2", "d3"])
    h.fs.add_ufs("/dev/md/dsk/d1", "/home1", size=20000, files=30)
    argv = ["ufsdump", "0Mf", "/var/tmp", "/dev/null", "/home1"]
    assert parse_keys(argv).destination == "/dev/null"
    r = h.run(argv)
    assert r.exit_code == 0
    assert r.stderr.startswith("  DUMP: Each process shall try to chdir to /var/tmp/<pid>\n")
    assert "to /dev/null.\n" in r.stderr
