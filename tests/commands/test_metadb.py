"""metadb: the replica listing and legend (metadb.c info), -a/-d and their refusals."""

from __future__ import annotations

from conftest import sample_text

from simulator import Host
from simulator.lvm.cmd.metadb import USAGE


def usage_text(why: str | None) -> str:
    head = f"metadb: {why}\n" if why else ""
    return head + USAGE.format(p="metadb") + "\n"


def test_listing_exact(host: Host) -> None:
    r = host.run("metadb", uid=100)   # listing needs no privilege
    assert (r.stderr, r.exit_code) == ("", 0)
    assert r.stdout == (
        "\tflags\t\tfirst blk\tblock count\n"
        "     a m  p  luo    \t16\t\t8192\t\t/dev/dsk/c0t0d0s7\n"
        "     a    p  luo    \t8208\t\t8192\t\t/dev/dsk/c0t0d0s7\n"
        "     a    p  luo    \t16400\t\t8192\t\t/dev/dsk/c0t0d0s7\n")


def test_info_sample() -> None:
    """samples/metadb-i.txt (tabs expanded in the document: compared after expanding ours).
    Later illumos metadb.c adds legend lines for the t and B flags; Solaris 10 prints the
    legend as the sample shows it."""
    host = Host("host1")
    host.add_replicas("c0t0d0s7", count=3)
    host.add_replicas("c1t3d0s1")
    host.add_replicas("c2t3d0s1")
    host.add_replicas("c1t1d0s3", count=3)
    host.md.sets[""].replicas[4].flags = {"W", "p", "l"}
    r = host.run("metadb -i")
    assert r.exit_code == 0
    sample = sample_text("metadb-i.txt").splitlines()
    assert sample[0] == "# metadb -i"
    assert r.stdout.expandtabs(8).splitlines() == sample[1:]


def test_add_and_delete(host: Host) -> None:
    """Replicas just added with ``metadb -a`` are ``a        u`` until the next reboot
    (three real machines, Solaris 9, 10 and 11, issue 14; see md.replicas)."""
    host.ensure_slice("c1t0d0s7", 65536)
    r = host.run("metadb -a -c 2 c1t0d0s7")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    lines = host.run("metadb").stdout.splitlines()
    assert lines[-2:] == ["     a        u     \t16\t\t8192\t\t/dev/dsk/c1t0d0s7",
                          "     a        u     \t8208\t\t8192\t\t/dev/dsk/c1t0d0s7"]
    r = host.run("metadb -d /dev/dsk/c1t0d0s7")
    assert (r.stderr, r.exit_code) == ("", 0)
    assert len(host.md.sets[""].replicas) == 3


def test_length_defaults_to_smallest_replica(host: Host) -> None:
    """meta_db_minreplica: without -l new replicas take the smallest existing size."""
    host.ensure_slice("c1t0d0s7", 65536)
    host.ensure_slice("c2t0d0s7", 65536)
    assert host.run("metadb -a -l 1034 c1t0d0s7").exit_code == 0
    assert host.run("metadb -a c2t0d0s7").exit_code == 0
    assert host.md.sets[""].replicas[-1].count == 1034


def test_refusals(host: Host) -> None:
    host.ensure_slice("c1t0d0s7", 65536)
    host.add_disk("c1t1d0", slices={7: 1000})
    cases = {
        "metadb -d c1t0d0s7":
            "metadb: host1: c1t0d0s7: no metadevice database replica on device\n\n",
        "metadb -a c0t0d0s7":
            "metadb: host1: c0t0d0s7: metadevice database replica exists on device\n\n",
        "metadb -a c1t1d0s7":
            "metadb: host1: c1t1d0s7: device size 1000 is too small for metadevice "
            "database replica\n\n",
        "metadb -a c9t9d0s0": "metadb: host1: c9t9d0s0: No such file or directory\n\n",
        "metadb -d c0t0d0s7": "metadb: host1: must have at least 1 database (-f overrides)\n\n",
        "metadb -a -c 60 c1t0d0s7":
            "metadb: host1: 63 metadevice database replicas is too many; the maximum is 50\n\n",
    }
    for cmd, err in cases.items():
        r = host.run(cmd)
        assert (r.stdout, r.stderr, r.exit_code) == ("", err, 1), cmd
    assert len(host.md.sets[""].replicas) == 3


def test_delete_last_and_none_left(host: Host) -> None:
    assert host.run("metadb -d -f c0t0d0s7").exit_code == 0
    r = host.run("metadb")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", "metadb: host1: there are no existing databases\n\n", 1)
    host.ensure_slice("c1t0d0s7", 65536)
    r = host.run("metadb -a c1t0d0s7")
    assert (r.stderr, r.exit_code) == ("metadb: host1: there are no existing databases\n\n", 1)
    assert host.run("metadb -a -f c1t0d0s7").exit_code == 0


def test_delete_leaving_errored_majority_needs_force() -> None:
    """meta_db_detach: deleting healthy replicas so errored ones outnumber the rest."""
    host = Host("host1")
    for sl in ("c0t0d0s7", "c1t0d0s7", "c2t0d0s7", "c3t0d0s7"):
        host.add_replicas(sl)
    for rep in host.md.sets[""].replicas[2:]:
        rep.flags = {"W", "p", "l"}
    r = host.run("metadb -d c0t0d0s7")
    assert (r.stderr, r.exit_code) == (
        "metadb: host1: Deleting specified valid replicas results in stale state database. "
        "Configuration changes with stale database result in panic(-f overrides)\n\n", 1)
    assert host.run("metadb -d c2t0d0s7").exit_code == 0      # errored ones may go
    assert host.run("metadb -d -f c0t0d0s7").exit_code == 0


def test_usage_errors(host: Host) -> None:
    cases = {
        "metadb -a -l 9000 c1t0d0s7": usage_text("size (-l) is too big"),
        "metadb -a -l 8 c1t0d0s7": usage_text("size (-l) is too small"),
        "metadb -a -c 0 c1t0d0s7": usage_text("count (-c) must be 1 or more"),
        "metadb -a": usage_text("no devices specified to attach or detach"),
        "metadb -a -c x c1t0d0s7": "metadb: x: bad format\n" + usage_text(None),
        "metadb c1t0d0s7": usage_text("too many arguments"),
        "metadb -x": "metadb: illegal option -- x\n" + usage_text("unknown command"),
    }
    for cmd, err in cases.items():
        r = host.run(cmd)
        assert (r.stdout, r.stderr, r.exit_code) == ("", err, 1), cmd
    r = host.run("metadb -h")
    assert (r.stderr, r.exit_code) == (usage_text(None), 0)


def test_getopt_errors_are_solaris_getopt(host: Host) -> None:
    """metadb.c main: libc getopt reports the option, then usage("unknown command") (exit 1);
    ``-?`` is usage(NULL) (exit 0); in chngdb's pass an option main knew but chngdb does
    not (-i) is libc's complaint and usage(sp, "") with no message line; libc names
    argv[0] as typed."""
    cases = {
        "metadb -a -l": ("metadb: option requires an argument -- l\n"
                         + usage_text("unknown command"), 1),
        "metadb -a -c": ("metadb: option requires an argument -- c\n"
                         + usage_text("unknown command"), 1),
        "metadb -Z -i": "metadb: illegal option -- Z\n" + usage_text("unknown command"),
        "metadb -?": (usage_text(None), 0),
        "metadb -i -a -f c1t0d0s7": ("metadb: illegal option -- i\n" + usage_text(""), 1),
        "/usr/sbin/metadb -x": ("/usr/sbin/metadb: illegal option -- x\n"
                                + usage_text("unknown command"), 1),
    }
    for cmd, want in cases.items():
        err, code = want if isinstance(want, tuple) else (want, 1)
        r = host.run(cmd)
        assert (r.stdout, r.stderr, r.exit_code) == ("", err, code), cmd


def test_root_and_sets(host: Host) -> None:
    r = host.run("metadb -a -f c1t0d0s7", uid=100)
    assert (r.stderr, r.exit_code) == (
        "metadb: host1: Permission denied.  You must have root privilege to execute this "
        "command.\n\n", 1)
    r = host.run("metadb -s nosuch")
    assert (r.stderr, r.exit_code) == ("metadb: host1: nosuch: no such set\n\n", 1)
    assert host.run("metadb -p").exit_code == 0
