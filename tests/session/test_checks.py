"""The verdict's registry of checks, the README's table of them, and ufsdump's archive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator import Host, build_host
from simulator.session import checks as C
from simulator.session.checks import (
    CHECKS,
    Expectations,
    Finding,
    Run,
    _dump_keys,
    checks_table,
    dump_destination,
    run_checks,
)
from simulator.session.session import Session

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_checks_table() -> str:
    """The README's table under 'The verdict ... is made of named checks'."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| check | holds when |")
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[start:end]) + "\n"


def test_the_readme_table_is_the_registry() -> None:
    assert readme_checks_table() == checks_table()


def test_every_check_is_registered_once_with_a_one_line_description() -> None:
    names = [c.name for c in CHECKS]
    assert names == ["no-hang", "filesystems-unlocked", "databases-resumed",
                     "submirrors-reattached", "detached-under-write-lock", "redundancy",
                     "backup-made",
                     "archive-matches-detach-view", "driver-exit", "driver-told-truth",
                     "simulator-sound"]
    for c in CHECKS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", c.name)
        assert c.description and "\n" not in c.description and "|" not in c.description
    with pytest.raises(ValueError, match="registered twice"):
        C.check("no-hang", "again")(lambda run: None)


def test_a_check_that_raises_is_a_failed_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(run: Run) -> Finding | None:
        raise KeyError("d9")
    patched = [C.CheckSpec(c.name, c.description, broken) if c.name == "redundancy" else c
               for c in CHECKS]
    monkeypatch.setattr(C, "CHECKS", patched)
    session = Session(build_host("seed-example"))
    checks = run_checks(session.host, session.transcript, 0, None, Expectations())
    (red,) = [c for c in checks if c.name == "redundancy"]
    assert not red.held
    assert red.summary == "the check could not be evaluated: KeyError: 'd9'"
    assert [c.name for c in checks][:3] == ["no-hang", "filesystems-unlocked",
                                            "submirrors-reattached"]


def test_a_quiet_run_shows_only_the_checks_that_apply() -> None:
    session = Session(build_host("seed-example"))
    session.dispatch(["metastat", "d1"])
    names = [c.name for c in session.verdict(0, Expectations())]
    assert names == ["no-hang", "filesystems-unlocked", "submirrors-reattached",
                     "redundancy", "driver-told-truth"]
    killed = session.verdict(None, Expectations())
    assert [(c.name, c.held) for c in killed if c.name.startswith("driver")] == [
        ("driver-exit", False)]


def test_an_internal_error_fails_simulator_sound() -> None:
    host = Host("h")
    host.internal_errors.append("Traceback (most recent call last):\nValueError: boom\n")
    session = Session(host)
    (sound,) = [c for c in session.verdict(0, Expectations()) if c.name == "simulator-sound"]
    assert not sound.held
    assert sound.summary == "1 internal simulator error(s); last: ValueError: boom"


# ---------------------------------------------------------------------------- ufsdump keys
@pytest.mark.parametrize(("argv", "tape", "disk"), [
    (["ufsdump", "0ucf", "/dev/rmt/1", "/dev/md/rdsk/d3"], "/dev/rmt/1", "/dev/md/rdsk/d3"),
    (["ufsdump", "0u", "/dev/md/rdsk/d3"], "/dev/rmt/0", "/dev/md/rdsk/d3"),   # DEFTAPE
    (["ufsdump", "-0f", "-", "/home1"], "-", "/home1"),
    # M takes the next argument (dumpmain.c: debug_chdir), so f takes the one after it
    (["ufsdump", "0Mf", "/var/tmp", "/var/tmp/home1.dump", "/dev/md/rdsk/d3"],
     "/var/tmp/home1.dump", "/dev/md/rdsk/d3"),
    (["ufsdump", "0fM", "/var/tmp/home1.dump", "/var/tmp", "/dev/md/rdsk/d3"],
     "/var/tmp/home1.dump", "/dev/md/rdsk/d3"),
    (["ufsdump", "0bdsftTNLa", "126", "54000", "6000", "/var/tmp/x.dump", "9", "5m", "d3raw",
      "label", "/var/tmp/x.toc", "/dev/md/rdsk/d3"], "/var/tmp/x.dump", "/dev/md/rdsk/d3"),
    (["ufsdump", "0cCnvDloSf", "/var/tmp/x.dump", "/export"], "/var/tmp/x.dump", "/export"),
])
def test_ufsdump_keys_as_dumpmain_reads_them(argv: list[str], tape: str, disk: str) -> None:
    parsed = _dump_keys(argv)
    assert parsed is not None and (parsed.tape, parsed.disk) == (tape, disk)
    assert dump_destination(argv) == tape


@pytest.mark.parametrize("argv", [
    ["ufsdump"],
    ["ufsdump", "0uf"],                           # Missing output device name
    ["ufsdump", "0f", "", "/dev/md/rdsk/d3"],     # Bad output device name
    ["ufsdump", "0zf", "/var/tmp/x", "/home1"],   # Bad option `z'
    ["ufsdump", "W"],                             # reports and exits: no dump
])
def test_ufsdump_keys_that_abort(argv: list[str]) -> None:
    assert _dump_keys(argv) is None
    assert dump_destination(argv) is None
