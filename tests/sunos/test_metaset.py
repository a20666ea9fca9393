"""metaset: the local set only (usr/src/cmd/lvm/util/metaset.c main, parse_printset, usage;
libmeta meta_set.c getsetbyname for the ``setname "<name>"`` of MDE_NO_SET)."""

from __future__ import annotations

from simulator import Host, build_host
from simulator.lvm.cmd.metaset import USAGE


def usage_text(why: str | None) -> str:
    return (f"metaset: {why}\n" if why else "") + USAGE.format("metaset")


def test_no_sets_prints_nothing(host: Host) -> None:
    for argv in ("metaset", "metaset -s local", "/usr/sbin/metaset"):
        r = host.run(argv, uid=100)
        assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)


def test_unknown_set_is_no_such_set() -> None:
    h = build_host("seed-example")
    r = h.run("metaset -s blue")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", 'metaset: host1: setname "blue": no such set\n\n', 1)


def test_commands_on_an_unknown_set(host: Host) -> None:
    r = host.run("metaset -s blue -t")
    assert (r.stderr, r.exit_code) == ('metaset: host1: setname "blue": no such set\n\n', 1)
    r = host.run("metaset -s blue -t", uid=100)
    assert r.stderr == ("metaset: host1: Permission denied.  You must have root privilege "
                        "to execute this command.\n\n")
    assert r.exit_code == 1
    r = host.run("metaset -t")
    assert (r.stderr, r.exit_code) == (usage_text("setname must be specified"), 1)
    r = host.run("metaset -s blue -a -h host1")
    assert (r.stderr, r.exit_code) == ("svmsim: metaset: disksets are not simulated\n", 1)


def test_usage_texts(host: Host) -> None:
    r = host.run("metaset -Z")
    assert r.stderr == "metaset: illegal option -- Z\n" + usage_text("unknown command")
    assert r.exit_code == 1
    r = host.run(["metaset", "-?"])
    assert (r.stderr, r.exit_code) == (usage_text(None), 0)
    r = host.run("metaset -t -r -s blue")
    assert (r.stderr, r.exit_code) == (usage_text("conflicting options"), 1)
    r = host.run("metaset extra")
    assert (r.stderr, r.exit_code) == (usage_text("too many args"), 1)
    r = host.run("metaset -f")
    assert r.stderr == "metaset: illegal option -- f\n" + usage_text("unknown options")
    r = host.run("metaset -s blue -A maybe")
    assert r.stderr == usage_text("-A: enable or disable must be specified")
    r = host.run("metaset -C version -Z")
    assert (r.stderr, r.exit_code) == ("metaset: illegal option -- Z\n", 255)


def test_usage_layout() -> None:
    lines = USAGE.format("metaset").splitlines()
    assert lines[0] == "usage:\tmetaset -s setname -a [-A enable | disable] -h hostname ..."
    assert lines[15] == "\tmetaset [-s setname]"
    assert lines[16:] == ["", "\t\thostname = contents of /etc/nodename",
                          "\t\tdrivename = cNtNdN no slice",
                          "\t\t[-M] for multi-owner set is optional except on set creation"]
