"""zonename (zonename.c), swap -l (swap.c list() and usage), mailx (mailx main.c, lex.c) and
sendmail: texts and exit codes."""

from __future__ import annotations

from simulator import Host, build_host


def test_zonename(host: Host) -> None:
    for argv in ("zonename", "/usr/bin/zonename", "/sbin/zonename"):
        r = host.run(argv, uid=100)
        assert (r.stdout, r.stderr, r.exit_code) == ("global\n", "", 0)


def test_swap_list_of_the_vfstab_slice() -> None:
    r = build_host("root-mirror").run("swap -l")
    assert (r.stdout, r.exit_code) == (
        "swapfile             dev    swaplo   blocks     free\n"
        "/dev/dsk/c0t0d0s1   32,1        16  4194288  4194288\n", 0)
    r = build_host("root-mirror").run("swap -lk")
    assert r.stdout.splitlines()[1] == "/dev/dsk/c0t0d0s1   32,1        8K 2097144K 2097144K"
    r = build_host("root-mirror").run("swap -lh")
    assert r.stdout.splitlines()[1] == "/dev/dsk/c0t0d0s1   32,1        8K     2.0G     2.0G"


def test_swap_usage(host: Host) -> None:
    r = host.run("swap")
    assert r.exit_code == 1
    assert r.stderr.startswith("Usage:\tswap -l\n\tsub option :\n")
    assert r.stderr.endswith("\tswap -a <file name> [low block] [nbr of blocks]\n")
    assert host.run("swap -k").stderr == r.stderr
    r = host.run("swap -s")
    assert (r.stderr, r.exit_code) == ("svmsim: swap -s: not simulated\n", 1)


def test_mailx_records_and_never_sends(host: Host) -> None:
    r = host.run(["mailx", "-s", "backup of host1 failed", "root", "ops@example.com"],
                 stdin="metastat shows d10 in maintenance\n")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    msg = host.sunos.mail[-1]
    assert (msg.program, msg.recipients, msg.subject, msg.body) == (
        "mailx", ["root", "ops@example.com"], "backup of host1 failed",
        "metastat shows d10 in maintenance\n")


def test_mailx_read_mode_and_usage(host: Host) -> None:
    r = host.run("mailx")
    assert (r.stderr, r.exit_code) == ("No mail for root\n", 1)
    r = host.run("mailx -s hi")
    assert r.stderr == ("The flags you gave are used only when sending mail.\n"
                        "Usage: mailx -eiIUdFntBNHvV~ -T FILE -u USER -h hops -r address\n"
                        "\t\t-s SUBJECT -f FILE users\n")
    assert r.exit_code == 1
    assert host.run("mailx -e").exit_code == 1


def test_sendmail(host: Host) -> None:
    r = host.run("/usr/lib/sendmail -t -oi", stdin="To: ops@example.com\nSubject: d10\n\nok\n")
    assert (r.stderr, r.exit_code) == ("", 0)
    msg = host.sunos.mail[-1]
    assert (msg.recipients, msg.subject) == (["ops@example.com"], "d10")
    r = host.run("sendmail -oi", stdin="hello\n")
    assert (r.stderr, r.exit_code) == ("Recipient names must be specified\n", 64)
