"""metattach, metadetach, metaoffline, metaonline, metareplace, metasync.

Reference samples (documentation transcripts) are replayed command by command; the texts the
samples cannot show (usage, errors, their order) are checked byte for byte against the
illumos sources named in each command module (cmd/lvm/util/meta*.c, libmeta meta_mirror.c,
meta_error.c, the kernel's mirror_ioctl.c / mirror_resync.c).
"""

from __future__ import annotations

import pytest
from conftest import sample_text

from simulator import Host
from simulator.lvm.md.states import CompState, SmState

GB = 2 * 1024 * 1024


def transcript(name: str) -> list[tuple[str, list[str]]]:
    """A sample as (command, the lines printed after it), ``...`` elisions dropped."""
    steps: list[tuple[str, list[str]]] = []
    for line in sample_text(name).splitlines():
        if line.startswith("# "):
            steps.append((line[2:], []))
        elif steps and line.strip() != "...":
            steps[-1][1].append(line)
    return steps


def mirror_host(mirror: str = "d0", subs: tuple[str, ...] = ("d10", "d20"),
                size: int = 4 * GB, **kw: int) -> Host:
    """host1 with replicas and a mirror of one-slice concats on their own disks."""
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for i, sub in enumerate(subs):
        disk = f"c1t{i + 1}d0"
        h.add_disk(disk, size + 65536, {0: size, 7: 65536})
        h.add_stripe(sub, f"{disk}s0")
    h.md.create_mirror(h.md.sets[""], mirror, list(subs), **kw)
    return h


def stripe_on_new_disk(h: Host, name: str, disk: str, size: int = 4 * GB) -> None:
    h.add_disk(disk, size + 65536, {0: size, 7: 65536})
    h.add_stripe(name, f"{disk}s0")


def err(prog: str, text: str) -> str:
    """mde_perror: ``prog: host: text`` and an empty line."""
    return f"{prog}: host1: {text}\n\n"


def slot(h: Host, mirror: str, sub: str) -> SmState:
    s = h.md.sets[""]
    m = s.units[mirror]
    return h.md.slot_state(s, m.slot(sub))


def finish_resyncs(h: Host) -> None:
    while h.md.next_completion() is not None:
        h.advance(h.md.next_completion() + 1)


# --------------------------------------------------------------------- samples
def test_sample_metaoffline_metaonline() -> None:
    """samples/metaoffline-metaonline.txt (DiskSuite 4.2.1 guide): same lines."""
    h = mirror_host("d10", ("d11", "d12"))
    for command, expected in transcript("metaoffline-metaonline.txt"):
        r = h.run(command)
        assert (r.exit_code, r.stderr) == (0, "")
        assert r.stdout.splitlines() == expected


def test_sample_metattach_resync() -> None:
    """samples/metattach-resync.txt: the attach line exactly, then the mirror block.

    The document writes ``d30: mirror`` in lower case, lost the blanks after ``State:``
    values and predates ``(N MB)`` after sizes; those lines are compared on content.
    """
    steps = transcript("metattach-resync.txt")
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    for disk, sub in (("c1t1d0", "d60"), ("c1t2d0", "d70")):
        h.add_disk(disk, 2006130 + 65536, {0: 2006130, 7: 65536})
        h.add_stripe(sub, f"{disk}s0")
    h.md.create_mirror(h.md.sets[""], "d30", ["d60"])
    attach = [s for s in steps if s[0].startswith("metattach")][0]
    r = h.run(attach[0])
    assert (r.stdout.splitlines(), r.stderr, r.exit_code) == (attach[1], "", 0)
    h.advance(0.41 * 2006130 / h.md.resync_rate)          # the document shows 41 %
    out = h.run("metastat d30").stdout.split("\n\nd60:")[0]
    ours = [" ".join(line.split()).lower() for line in out.splitlines()]
    theirs = [" ".join(line.split()).lower() for line in steps[-1][1]]
    theirs = [line for line in theirs if not line.startswith("size:")]
    assert [line for line in ours if not line.startswith("size:")] == theirs
    assert "    Size: 2006130 blocks (" in out


def test_sample_metareplace_maintenance() -> None:
    """samples/metastat-maintenance.txt: the Invoke line metastat shows, then the replace."""
    steps = transcript("metastat-maintenance.txt")
    h = Host("host1")
    h.add_replicas("c0t0d0s7", count=3)
    h.add_stripe("d16", "c0t1d0s2")
    h.add_stripe("d26", "c0t2d0s2")
    h.md.create_mirror(h.md.sets[""], "d6", ["d16", "d26"])
    h.add_disk("c0t2d2")
    h.md.io_error("c0t2d0s2")
    stat = h.run("metastat d6").stdout
    assert "    Invoke: metareplace d6 c0t2d0s2 <new device>\n" in stat
    command, expected = steps[-1]
    r = h.run(command)
    assert (r.stdout.splitlines(), r.stderr, r.exit_code) == (expected, "", 0)
    assert h.md.sets[""].units["d26"].components[0].state == CompState.RESYNC


def test_sample_metadetach_replace_submirror() -> None:
    """samples/metadetach-replace-submirror.txt: detach -f, metaclear, metainit, attach.

    The document's last line (``d20: components are attached``) is a mis-transcription
    (see its header): meta_mirror_attach prints ``d20: submirror d22 is attached``.
    """
    h = mirror_host("d20", ("d21", "d22"))
    h.add_disk("c1t0d0")
    h.add_disk("c1t0d1")
    h.md.io_error("c1t2d0s0")
    assert "State: Needs maintenance" in h.run("metastat d20").stdout
    steps = [s for s in transcript("metadetach-replace-submirror.txt")
             if not s[0].startswith("metastat")]
    for command, expected in steps[:-1]:
        r = h.run(command)
        assert (r.stdout.splitlines(), r.stderr, r.exit_code) == (expected, "", 0), command
    command, expected = steps[-1]
    assert expected == ["d20: components are attached"]
    r = h.run(command)
    assert (r.stdout, r.stderr, r.exit_code) == ("d20: submirror d22 is attached\n", "", 0)


# --------------------------------------------------------------------- usage and options
USAGES = {
    "metattach": "usage:\tmetattach [-s setname] mirror [metadevice]\n"
                 "\tmetattach [-s setname] [-i interlace] concat/stripe component...\n"
                 "\tmetattach [-s setname] RAID component...\n"
                 "\tmetattach [-s setname] [-A alignment] softpart size|all\n",
    "metadetach": "usage:\tmetadetach [-s setname] [-f] mirror submirror\n"
                  "\tmetadetach [-s setname] [-f] trans\n",
    "metaoffline": "usage:\tmetaoffline [-s setname] [-f] mirror submirror\n",
    "metaonline": "usage:\tmetaonline [-s setname] mirror submirror\n",
    "metareplace": "usage:\tmetareplace [-s setname] mirror component-old component-new\n"
                   "\tmetareplace [-s setname] -e mirror component\n"
                   "\tmetareplace [-s setname] [-f] RAID component-old component-new\n"
                   "\tmetareplace [-s setname] [-f] -e RAID component\n",
    "metasync": "usage:\tmetasync [-s setname] -r [buffer_size]\n"
                "\tmetasync [-s setname] [buffer_size] metadevices...\n"
                "\tmetasync [-s setname] -c metadevices...\n",
}


@pytest.mark.parametrize("prog", sorted(USAGES))
def test_usage_on_h_and_no_operands(prog: str) -> None:
    h = mirror_host()
    assert (h.run(f"{prog} -h").stderr, h.run(f"{prog} -h").exit_code) == (USAGES[prog], 0)
    r = h.run(f"{prog} '-?'")
    assert (r.stderr, r.exit_code) == (USAGES[prog], 0)
    r = h.run(prog)
    assert (r.stdout, r.stderr, r.exit_code) == ("", USAGES[prog], 1)


@pytest.mark.parametrize("command", ["metaoffline d0", "metaoffline d0 d10 d20",
                                     "metaonline d0", "metadetach d0", "metadetach d0 d10 d20",
                                     "metareplace d0 c1t1d0s0", "metareplace -e d0",
                                     "metattach d0 d10 d20", "metasync -r d0", "metasync -rr",
                                     "metasync 1024", "metattach -n d0 d30"])
def test_wrong_operands_print_usage(command: str) -> None:
    h = mirror_host()
    prog = command.split()[0]
    r = h.run(command)
    assert (r.stdout, r.stderr, r.exit_code) == ("", USAGES[prog], 1)


@pytest.mark.parametrize("prog", sorted(USAGES))
def test_non_root_is_refused_first(prog: str) -> None:
    h = mirror_host()
    r = h.run(f"{prog} -h", uid=100)
    text = "Permission denied.  You must have root privilege to execute this command."
    assert (r.stderr, r.exit_code) == (err(prog, text), 1)


def test_illegal_option_names_argv0_as_typed() -> None:
    """libc getopt prints argv[0] verbatim; the usage text uses libmeta's basename."""
    h = mirror_host()
    r = h.run("/usr/sbin/metaoffline -x d0 d10")
    assert r.stderr == ("/usr/sbin/metaoffline: illegal option -- x\n"
                        + USAGES["metaoffline"])
    assert r.exit_code == 1
    r = h.run("metaonline -s")
    assert r.stderr == "metaonline: option requires an argument -- s\n" + USAGES["metaonline"]


def test_metattach_reports_unknown_option_in_both_getopt_passes() -> None:
    """metattach.c: main ignores an unknown option after reporting it; mirror_attach's own
    pass reports it again and exits with the usage."""
    h = mirror_host()
    stripe_on_new_disk(h, "d30", "c1t5d0")
    r = h.run("metattach -x d0 d30")
    assert r.stderr == "metattach: illegal option -- x\n" * 2 + USAGES["metattach"]
    assert r.exit_code == 1
    r = h.run("metadetach -x d99 d10")       # main only: then the name is looked up
    assert r.stderr == "metadetach: illegal option -- x\n" + err("metadetach",
                                                                   "d99: unit not set up")


# --------------------------------------------------------------------- names
@pytest.mark.parametrize("prog", ["metaoffline", "metaonline", "metadetach"])
def test_unknown_and_wrong_type_names(prog: str) -> None:
    h = mirror_host()
    r = h.run(f"{prog} d99 d10")
    assert (r.stderr, r.exit_code) == (err(prog, "d99: unit not set up"), 1)
    r = h.run(f"{prog} 9x d10")
    assert r.stderr == err(prog, "9x: Invalid name for metadevice or hot spare pool.")
    r = h.run(f"{prog} c1t1d0s0 d10")
    assert r.stderr == err(prog, "c1t1d0s0: No such file or directory")
    r = h.run(f"{prog} /dev/md/dsk/d0 d30")
    assert r.stderr == err(prog, "d0: can't find submirror in mirror")


def test_non_mirror_operands() -> None:
    h = mirror_host()
    stripe_on_new_disk(h, "d30", "c1t5d0")
    assert h.run("metaoffline d30 d10").stderr == err("metaoffline", "d30: unit is not a mirror")
    assert h.run("metaonline d30 d10").stderr == err("metaonline", "d30: unit is not a mirror")
    r = h.run("metadetach d30 d10")
    assert (r.stderr, r.exit_code) == ("metadetach: d30: invalid metadevice type md_stripe\n", 1)
    assert h.run("metareplace d30 c1t5d0s0 c1t6d0s0").stderr == \
        err("metareplace", "d30: unknown metadevice type")
    assert h.run("metattach d30 d10").stderr == err("metattach", "d10: is a metadevice")


def test_set_names_must_exist_and_agree() -> None:
    h = mirror_host()
    assert h.run("metaoffline -s blue d0 d10").stderr == err("metaoffline", "blue: no such set")
    assert h.run("metaoffline blue/d0 d10").stderr == err("metaoffline", "blue: no such set")


# --------------------------------------------------------------------- metattach
def test_attach_starts_a_full_resync_even_while_one_runs() -> None:
    h = mirror_host("d0", ("d10",))
    stripe_on_new_disk(h, "d20", "c1t5d0")
    stripe_on_new_disk(h, "d30", "c1t6d0")
    assert h.run("metattach d0 d20").stdout == "d0: submirror d20 is attached\n"
    r = h.run("metattach d0 d30")        # mirror_attach has no resync-active check
    assert (r.stdout, r.exit_code) == ("d0: submirror d30 is attached\n", 0)
    assert slot(h, "d0", "d30") == SmState.ATTACHED_RESYNC
    finish_resyncs(h)
    assert slot(h, "d0", "d20") == slot(h, "d0", "d30") == SmState.RUNNING


def test_attach_refusals_in_libmeta_then_kernel_order() -> None:
    h = mirror_host("d0", ("d10", "d20", "d30", "d40"))
    stripe_on_new_disk(h, "d50", "c1t7d0", size=GB)
    assert h.run("metattach d0 d20").stderr == err("metattach", "d20: invalid unit")
    assert h.run("metattach d0 d55").stderr == err("metattach", "d55: unit not set up")
    assert h.run("metattach d0 c1t7d0s0").stderr == \
        err("metattach", "c1t7d0s0: No such file or directory")
    assert h.run("metattach d0 d50").stderr == \
        err("metattach", "d0: mirror has maximum number of submirrors")
    h2 = mirror_host("d1", ("d11",))
    stripe_on_new_disk(h2, "d50", "c1t7d0", size=GB)
    assert h2.run("metattach d1 d50").stderr == \
        err("metattach", "d50: submirror too small to attach")


def test_attach_refused_while_root_is_still_on_the_first_slice() -> None:
    """meta_check_primary_mirror: / mounted on the slice the first submirror is built on."""
    h = mirror_host()
    stripe_on_new_disk(h, "d30", "c1t5d0")
    h.md.detach(h.md.sets[""], "d0", "d20")
    h.add_open_check(lambda name: "/" if name == "c1t1d0s0" else None)
    assert h.run("metattach d0 d20").stderr == err("metattach", "c1t1d0s0: is mounted on /")
    r = h.run("metattach d10 c1t5d0s7")
    assert r.stderr == "metattach: d10: volume mounted as root cannot be expanded\n"


def test_stripe_grow_messages_and_parent_mirror_growth() -> None:
    h = mirror_host("d0", ("d10", "d20"), size=GB)
    h.add_disk("c2t1d0", 2 * GB, {0: GB, 1: GB})
    h.add_disk("c2t2d0", 2 * GB, {0: GB, 1: GB})
    r = h.run("metattach d10 c2t1d0s0")
    assert (r.stdout, r.stderr, r.exit_code) == ("d10: component is attached\n", "", 0)
    assert h.md.sets[""].units["d0"].total_blocks == GB        # d20 not grown yet
    r = h.run("metattach -i 32k d20 c2t2d0s0 c2t2d0s1")
    assert r.stdout == "d20: components are attached\n"
    assert h.md.sets[""].units["d20"].rows[-1].interlace == 64
    # c2t1d0s0/c2t2d0s0 start at block 0: as added rows they skip the label cylinder
    # (libmeta metagetstart; default geometry 24 x 424 = 10176 blocks)
    assert h.md.sets[""].units["d0"].total_blocks == 2 * GB - 10176


def test_grow_of_a_resyncing_mirror_is_delayed_until_the_resync_ends() -> None:
    h = mirror_host("d0", ("d10",), size=GB)
    stripe_on_new_disk(h, "d20", "c1t5d0", size=2 * GB)
    h.add_disk("c2t1d0", GB + 65536, {0: GB, 7: 65536})
    h.run("metattach d0 d20")
    r = h.run("metattach d10 c2t1d0s0")
    assert r.stdout == "d10: component is attached\n"
    assert (r.stderr, r.exit_code) == (err("metattach", "d0: growing of metadevice delayed"), 1)
    assert h.run("metattach d0").stderr == err("metattach", "d0: growing of metadevice delayed")
    finish_resyncs(h)
    # c2t1d0s0 starts at block 0: the added row skips the label cylinder (10176 blocks)
    assert h.md.sets[""].units["d0"].total_blocks == 2 * GB - 10176
    assert h.run("metattach d0").stdout == ""


def test_stripe_grow_component_checks() -> None:
    h = mirror_host()
    stripe_on_new_disk(h, "d30", "c1t5d0")
    assert h.run("metattach d30 c9t9d9s0").stderr == \
        err("metattach", "/dev/dsk/c9t9d9s0: No such file or directory")
    assert h.run("metattach d30 bogus").stderr == err("metattach", "bogus: unit not found")
    assert h.run("metattach d30 c1t1d0s0").stderr == err(
        "metattach", "c1t1d0s0: has appeared more than once in the specification of d10")
    assert h.run("metattach -i 3 d30 c1t5d0s7").stderr == \
        err("metattach", "d30: invalid interlace")


def test_soft_partition_grow() -> None:
    h = mirror_host()
    h.add_disk("c3t0d0", 4 * GB, {0: 4 * GB})
    h.md.create_softpart(h.md.sets[""], "d50", "c3t0d0s0", GB)
    r = h.run("metattach d50 1g")
    assert (r.stdout, r.exit_code) == ("d50: Soft Partition has been grown\n", 0)
    assert h.md.sets[""].units["d50"].size == 2 * GB
    assert h.run("metattach d50 9g").stderr == \
        err("metattach", "d50: not enough space available for request")


# --------------------------------------------------------------------- metadetach
def test_detach_order_of_refusals() -> None:
    h = mirror_host("d0", ("d10",))
    assert h.run("metadetach d0 d10").stderr == \
        err("metadetach", "d0: attempt to detach last running submirror")
    stripe_on_new_disk(h, "d20", "c1t5d0")
    h.run("metattach d0 d20")
    r = h.run("metadetach -f d0 d20")       # -f does not get past a running resync
    assert (r.stderr, r.exit_code) == (err("metadetach", "d0: resync in progress"), 1)
    h.run("metasync -c d0")
    r = h.run("metadetach d0 d10")           # d20 holds no good data yet
    assert r.stderr == err("metadetach", "d0: operation would result in no readable submirrors")
    assert h.run("metadetach d0 d20").stdout == "d0: submirror d20 is detached\n"


def test_detach_erred_submirror_needs_force_and_resets_components() -> None:
    h = mirror_host("d0", ("d10", "d20", "d30"))
    h.md.io_error("c1t2d0s0")
    assert h.run("metadetach d0 d20").stderr == \
        err("metadetach", "d0: attempt an operation on a submirror that has erred components")
    assert h.run("metadetach -f d0 d20").stdout == "d0: submirror d20 is detached\n"
    st = h.md.sets[""].units["d20"]
    assert st.parent is None and st.components[0].state == CompState.OKAY
    stat = h.run("metastat d0").stdout
    # Solaris 10 (the default release) leaves d20's slot empty: d30 stays Submirror 2
    # (simulator.lvm.libmeta.release.detach_compacts; illumos renumbers, tests/audit)
    assert "    Submirror 2: d30\n" in stat and "d20" not in stat


# --------------------------------------------------------------------- offline / online
def test_offline_online_states_and_refusals() -> None:
    h = mirror_host()
    assert h.run("metaonline d0 d20").stderr == \
        err("metaonline", "d0: attempt operation on a submirror in illegal state")
    assert h.run("metaoffline d0 d30").stderr == err("metaoffline",
                                                     "d0: can't find submirror in mirror")
    assert h.run("metaoffline d0 d20").stdout == "d0: submirror d20 is offlined\n"
    assert h.run("metaoffline d0 d10").stderr == \
        err("metaoffline", "d0: operation would result in no readable submirrors")
    assert h.run("metaoffline d0 d20").stderr == \
        err("metaoffline", "d0: attempt operation on a submirror in illegal state")
    assert h.run("metaoffline -f d0 d20").exit_code == 0      # forced: OFFLINE again
    stat = h.run("metastat d0").stdout
    assert "    Invoke: metaonline d0 d20\n" in stat
    h.md.sets[""].units["d0"].submirrors[1].dirty_blocks = GB     # written while offline
    assert h.run("metaonline d0 d20").stdout == "d0: submirror d20 is onlined\n"
    assert slot(h, "d0", "d20") == SmState.OFFLINE_RESYNC
    assert h.run("metaoffline d0 d20").stderr == err("metaoffline", "d0: resync in progress")
    finish_resyncs(h)
    assert slot(h, "d0", "d20") == SmState.RUNNING
    assert not h.md.sets[""].units["d0"].opt_not_done


def test_cancelled_online_resync_still_blocks_detach() -> None:
    """mirror_online sets MD_UN_OPT_NOT_DONE; a cancel leaves it: detach is refused."""
    h = mirror_host()
    h.run("metaoffline d0 d20")
    h.md.sets[""].units["d0"].submirrors[1].dirty_blocks = GB
    h.run("metaonline d0 d20")
    h.run("metasync -c d0")
    assert h.run("metadetach d0 d20").stderr == err("metadetach", "d0: resync in progress")
    assert "Resync cancelled" in h.run("metastat d0").stdout


# --------------------------------------------------------------------- metareplace
def test_replace_refusals() -> None:
    h = mirror_host("d0", ("d10", "d20"))
    h.add_disk("c2t1d0", 4 * GB + 65536, {0: 4 * GB, 7: 65536})
    h.add_disk("c2t2d0", GB, {0: GB})
    assert h.run("metareplace d0 c2t2d0s0 c2t1d0s0").stderr == \
        err("metareplace", "d0: c2t2d0s0: can't find component in unit")
    assert h.run("metareplace d0 c9t9d9s0 c2t1d0s0").stderr == \
        err("metareplace", "c9t9d9s0: No such device")
    assert h.run("metareplace d0 c1t1d0s0 c2t2d0s0").stderr == \
        err("metareplace", "d0: c2t2d0s0: replace failure, new component is too small")
    assert h.run("metareplace d0 c1t1d0s0 c1t2d0s0").stderr == err(
        "metareplace", "c1t2d0s0: has appeared more than once in the specification of d20")
    assert h.run("metareplace d0 c1t1d0s0 c2t9d0s0").stderr == \
        err("metareplace", "/dev/dsk/c2t9d0s0: No such file or directory")
    assert h.run("metareplace -e d0 c2t9d0s0").stderr == \
        err("metareplace", "/dev/rdsk/c2t9d0s0: No such file or directory")
    h.run("metaoffline d0 d20")
    assert h.run("metareplace d0 c1t2d0s0 c2t1d0s0").stderr == \
        err("metareplace", "d0: attempt operation on a submirror in illegal state")
    one = mirror_host("d1", ("d11",))
    one.add_disk("c2t1d0")
    assert one.run("metareplace d1 c1t1d0s0 c2t1d0s0").stderr == \
        err("metareplace", "d1: attempt to replace a component on the last running submirror")


def test_replace_last_erred_before_maintenance_is_refused() -> None:
    h = mirror_host()
    h.add_disk("c2t1d0")
    h.md.io_error("c1t1d0s0")              # d10: Maintenance
    h.md.io_error("c1t2d0s0")              # d20: no other copy left: Last Erred
    assert h.md.sets[""].units["d20"].components[0].state == CompState.LAST_ERRED
    r = h.run("metareplace d0 c1t2d0s0 c2t1d0s0")
    assert r.stderr == err("metareplace", 'd0: c1t2d0s0: component in invalid state to replace '
                                          '- Replace "Maintenance" components first')
    r = h.run("metareplace d0 c1t1d0s0 c2t1d0s0")
    assert r.stdout == "d0: device c1t1d0s0 is replaced with c2t1d0s0\n"
    finish_resyncs(h)
    assert h.md.sets[""].units["d20"].components[0].state == CompState.ERRED


def test_enable_and_resync_in_progress() -> None:
    h = mirror_host()
    h.md.io_error("c1t2d0s0")
    assert h.run("metareplace -e d0 c1t2d0s0").stdout == "d0: device c1t2d0s0 is enabled\n"
    assert h.run("metareplace -e d0 c1t2d0s0").stderr == err("metareplace",
                                                             "d0: resync in progress")
    finish_resyncs(h)
    assert h.md.sets[""].units["d20"].components[0].state == CompState.OKAY


# --------------------------------------------------------------------- metasync
def test_metasync_cancel_restart_and_console_message() -> None:
    h = mirror_host("d0", ("d10",))
    stripe_on_new_disk(h, "d20", "c1t5d0")
    h.run("metattach d0 d20")
    h.advance(30)
    r = h.run("metasync -c d0")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    assert h.md.events[-1].text == "WARNING: md: d0: Resync cancelled"
    stat = h.run("metastat d0").stdout
    assert "    Resync cancelled: 14 % done\n" in stat and "    Invoke: metasync d0\n" in stat
    assert h.run("metasync -c d0").exit_code == 0          # nothing running: silent
    assert h.run("metasync 2048 d0").exit_code == 0
    assert "    Resync in progress: 14 % done\n" in h.run("metastat d0").stdout


def test_metasync_per_device_errors_exit_255() -> None:
    h = mirror_host()
    stripe_on_new_disk(h, "d30", "c1t5d0")
    r = h.run("metasync d0 d30 d99 9z")
    assert r.stderr == (err("metasync", "d30: unknown metadevice type")
                        + err("metasync", "d99: unit not set up")
                        + err("metasync", "9z: Invalid name for metadevice or hot spare pool."))
    assert r.exit_code == 255
    assert h.run("metasync -p d0").stderr == err("metasync", "d0: unit is not a RAID")


def test_metasync_buffer_size_uses_solaris_atoi() -> None:
    h = mirror_host()
    r = h.run("metasync 2147483648 d0")      # wraps negative in a 32-bit int
    assert (r.stderr, r.exit_code) == ("metasync: illegal buffer size 2147483648\n", 1)
    assert h.run("metasync 4294967296 d0").exit_code == 0     # wraps to 0: default size
    assert h.run("metasync 99999 d0").exit_code == 0          # > 2048: kernel default


def test_metasync_r_resyncs_in_pass_order_and_never_pass_0() -> None:
    h = mirror_host("d1", ("d11",), pass_num=1)
    for name, pass_num, sub, disk in (("d2", 2, "d21", "c2t1d0"), ("d3", 0, "d31", "c2t2d0")):
        stripe_on_new_disk(h, sub, disk)
        h.md.create_mirror(h.md.sets[""], name, [sub], pass_num=pass_num)
    for mirror, disk in (("d1", "c3t1d0"), ("d2", "c3t2d0"), ("d3", "c3t3d0")):
        stripe_on_new_disk(h, f"{mirror}9", disk)
        h.md.attach(h.md.sets[""], mirror, f"{mirror}9")
    units = h.md.sets[""].units
    for name in ("d1", "d2", "d3"):
        h.run(f"metasync -c {name}")
    r = h.run("metasync -r")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    assert units["d1"].resync_active and not units["d2"].resync_active
    h.advance(h.md.next_completion() + 1)
    assert not units["d1"].resync_active and units["d2"].resync_active
    assert not units["d3"].resync_active and units["d3"].resync_cancel
    restored = Host.from_dict(h.to_dict())
    assert restored.md.resync.to_dict() == h.md.resync.to_dict()


def test_a_stale_database_refuses_every_mirror_change_but_not_metastat() -> None:
    """illumos mirror_ioctl.c mirror_getun(): without STALE_OK (every ioctl but the reads)
    a stale set gives MDE_DB_STALE, "stale databases"; mirror_resync_unit likewise."""
    from simulator import build_host
    h = build_host("stale-metadb")
    assert h.run("metastat d1").exit_code == 0
    for line in ("metadetach d1 d3", "metaoffline d1 d3", "metaonline d1 d3",
                 "metattach d1 d3", "metareplace -e d1 c2t0d0s0", "metasync d1"):
        r = h.run(line)
        prog = line.split()[0]
        code = 255 if prog == "metasync" else 1      # metasync.c exits -1 on any unit's error
        assert (r.exit_code, r.stderr) == (code, f"{prog}: host1: stale databases\n\n"), line
    assert h.submirrors("d1") == ["d2", "d3"]
