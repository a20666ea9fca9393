"""man(1): a page for every simulated program, and the texts and exit codes of the two man
programs: the Sun man on 5.9/5.10/5.11 (illumos usr/src/cmd/man/src/man.c: main(),
manual(), format(), MAN_USAGE) and the 2014 rewrite on illumos (usr/src/cmd/man/man.c:
main(), manual(), usage_man())."""

from __future__ import annotations

import pytest

from simulator import Host
from simulator.core.registry import PROGRAMS
from simulator.sunos.cmd import man

SUN_USAGE = ("usage:\tman [-] [-adFlprt] [-M path] [-T macro-package ] [ -s section ] "
             "name ...\n\tman [-M path] -k keyword ...\n\tman [-M path] -f file ...\n")
ILLUMOS_USAGE = ("usage: man [-alptw] [-M path] [-s section] name ...\n"
                 "       man [-M path] [-s section] -k keyword ...\n"
                 "       man [-M path] [-s section] -f keyword ...\n")
SECTION_ONE = {"mt", "svcs", "zonename", "mailx", "man"}
WITHOUT_PAGE = {"sendmail"}     # sendmail(1M) is not a program trainees read about


@pytest.mark.parametrize("name", sorted(set(PROGRAMS) - WITHOUT_PAGE))
def test_every_program_has_its_page(name: str) -> None:
    """The page of each registered program: nroff's header line (Solaris 10 section: 1 for
    user commands, 1M for administration), the sections every page has, the name in NAME,
    80 columns at most, no tab."""
    r = Host().run(["man", name])
    assert (r.stderr, r.exit_code) == ("", 0)
    lines = r.stdout.splitlines()
    section = "1" if name in SECTION_ONE else "1M"
    title = "User Commands" if section == "1" else "System Administration Commands"
    assert lines[0].startswith(title) and lines[0].endswith(f"({section})")
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "SEE ALSO"):
        assert heading in lines, (name, heading)
    assert name in lines[lines.index("NAME") + 1] + lines[lines.index("NAME") + 2]
    assert all(len(line) <= 80 and "\t" not in line for line in lines), name
    assert 30 <= len(lines) <= 200
    assert Host().run(["man", "-s", section.lower(), name]).stdout == r.stdout


def test_pages_are_only_of_registered_programs() -> None:
    assert {name for name, _ in man.pages()} <= set(PROGRAMS)


def test_a_second_name_shows_the_shared_page() -> None:
    """``.so`` links, as format() follows them: metadetach is metattach(1M), umount is
    mount(1M)."""
    h = Host()
    assert h.run("man metadetach").stdout == h.run("man metattach").stdout
    assert h.run("man umount").stdout.splitlines()[0].endswith("mount(1M)")
    assert "metaoffline, metaonline" in h.run("man metaonline").stdout


def test_section_option() -> None:
    """-s takes the section as typed or run together, lowered (getsect), comma-separated;
    a name with a slash is looked up by its last component (manual())."""
    h = Host()
    page = h.run("man metastat").stdout
    for argv in ("man -s 1m metastat", "man -s1m metastat", "man -s 1M metastat",
                 "man -s 1,1m metastat", "man /usr/sbin/metastat"):
        r = h.run(argv)
        assert (r.stdout, r.stderr, r.exit_code) == (page, "", 0), argv


def test_sun_man_no_entry() -> None:
    """src/man.c manual(): the message goes to stdout and main() returns 0; with -s the
    section list is printed as typed."""
    h = Host()
    r = h.run("man nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("No manual entry for nosuch.\n", "", 0)
    r = h.run("man -s 1M mt")
    assert (r.stdout, r.exit_code) == ("No entry for mt in section(s) 1M of the manual.\n", 0)
    r = h.run("man nosuch metastat")
    assert r.stdout.startswith("No manual entry for nosuch.\nSystem Administration")


def test_sun_man_usage() -> None:
    """src/man.c main(): no name, or a bad option (opterr = 0: no getopt message), prints
    MAN_USAGE on stderr, exit 2."""
    h = Host()
    for argv in ("man", "man -z metastat", "man -s"):
        r = h.run(argv)
        assert (r.stdout, r.stderr, r.exit_code) == ("", SUN_USAGE, 2), argv
    r = h.run("man -")             # an operand: it turns the pager off, and nothing is shown
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)


def test_illumos_man() -> None:
    """man.c (2014): no name asks which page, a bad option is usage_man() (exit 1), a name
    with no page is reported on stderr without a period and main() returns 1."""
    h = Host(release="illumos")
    assert h.run("man metastat").stdout == Host().run("man metastat").stdout
    r = h.run("man")
    assert (r.stderr, r.exit_code) == ("What manual page do you want?\n", 1)
    r = h.run("man -z metastat")
    assert (r.stdout, r.stderr, r.exit_code) == ("", ILLUMOS_USAGE, 1)
    r = h.run("man nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "No manual entry for nosuch\n", 1)
    r = h.run("man -s 2 mount")
    assert (r.stderr, r.exit_code) == ("No manual entry for mount in section(s) 2\n", 1)
    r = h.run("man -l metastat")
    assert r.stdout == "metastat(1m)\t-M /usr/share/man\n"


def test_list_whatis_apropos() -> None:
    """-l is format()'s ``name (sect)\\t-M path``; -f and -k read the windex."""
    h = Host()
    assert h.run("man -l metadetach").stdout == "metadetach (1m)\t-M /usr/share/man\n"
    r = h.run("man -f metadetach")
    assert r.stdout == "metadetach\tmetattach (1m)\t- attach or detach a metadevice\n"
    r = h.run("man -k submirror")
    assert "metaonline\tmetaoffline (1m)\t- place submirrors offline and online\n" in r.stdout
    assert r.exit_code == 0
    assert h.run("man -k SUBMIRROR").stdout == ""        # icmp(): upper case is exact


def test_other_man_path_and_unsimulated_options() -> None:
    h = Host()
    assert h.run("man -M /opt/local/man metastat").stdout == "No manual entry for metastat.\n"
    assert h.run("man -M /usr/share/man:/opt/man metastat").stdout.startswith("System")
    r = h.run("man -t metastat")
    assert (r.stderr, r.exit_code) == ("svmsim: man -t: not simulated\n", 1)
