"""metastat: reference samples, exact libmeta layouts, options and errors.

Documentation samples lost their tabs and trailing blanks, and several come from older
releases (fixed-width columns, no ``(N MB)`` after sizes, no Reloc column): those are
compared on content (whitespace-normalised lines), and each test says what differs.
Layouts the samples cannot pin down are checked byte for byte against the printf formats
of illumos libmeta (meta_mirror.c, meta_stripe.c, meta_sp.c, meta_hotspares.c).
"""

from __future__ import annotations

import re

import pytest
from conftest import sample_text

from simulator import Host
from simulator.lvm.libmeta.printing import meta_number_to_string
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import SoftPartition

USAGE = "usage:\tmetastat [-s setname] [-a][-c][-B][-D][-r][-i][-p] [-t] [metadevice...]\n"


def norm(text: str) -> list[str]:
    """Non-blank lines with runs of blanks squeezed (what a pasted sample keeps)."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def old_release(text: str) -> list[str]:
    """Our output as older releases printed it: no ``(N MB)`` after sizes."""
    return [re.sub(r"^(Size: \d+ blocks) \(.*\)$", r"\1", line) for line in norm(text)]


def before_relocation(text: str) -> str:
    return text.split("Device Relocation Information:")[0]


def sections(text: str) -> dict[str, str]:
    """Our output cut at each ``name: Type`` header line, keyed by name, in order."""
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines(keepends=True):
        m = re.match(r"^(\S+): ", line)
        if line.startswith("Device Relocation Information:"):
            key = "relocation"
        elif m:
            key = m.group(1)
        out[key] = out.get(key, "") + line
    return out


def slices(host: Host, disk: str, **sizes: int) -> None:
    """A disk whose slices have exactly the given sizes (``s3=4197879``)."""
    host.add_disk(disk, slices={int(k[1:]): v for k, v in sizes.items()})


def devid(host: Host, disk: str) -> str:
    return host.disks[disk].devid


# ---------------------------------------------------------------------------- samples
def test_mirror_okay_sample(host: Host) -> None:
    """samples/metastat-mirror-okay.txt (older release: no "(6.0 GB)" after sizes, blanks
    lost): a one-way mirror over a three-row concat."""
    slices(host, "c1t3d0", s3=4197879, s4=4197879, s5=4197879)
    host.add_stripe("d71", "c1t3d0s3", "c1t3d0s4", "c1t3d0s5")
    host.add_mirror("d70", ["d71"])
    r = host.run("metastat d70")
    assert r.exit_code == 0 and r.stderr == ""
    sample = norm(sample_text("metastat-mirror-okay.txt"))
    assert sample[0] == "# metastat d70"
    assert old_release(before_relocation(r.stdout)) == sample[1:]
    assert "    Size: 12593637 blocks (6.0 GB)\n" in r.stdout
    assert "      State: Okay         \n" in r.stdout


def test_two_way_okay_sample(host: Host) -> None:
    """samples/metastat-two-way-okay.txt (partial, older release: no size suffix and no
    Reloc column, which we drop from our lines before comparing)."""
    slices(host, "c0t2d0", s7=5600)
    slices(host, "c0t3d0", s7=5600)
    host.add_stripe("d2", "c0t3d0s7")
    host.add_stripe("d1", "c0t2d0s7")
    host.add_mirror("d0", ["d1", "d2"])
    r = host.run("metastat")
    sample = norm(sample_text("metastat-two-way-okay.txt"))
    assert sample[0] == "# metastat" and sample[-1] == "..."
    ours = [line.replace(" Reloc ", " ").removesuffix(" Yes")
            for line in old_release(r.stdout)]
    assert ours[:len(sample) - 2] == sample[1:-1]


def test_mirror_resyncing_sample(host: Host) -> None:
    """samples/metastat-mirror-resyncing.txt (man page, partial). Its names opt_mirror /
    opt_sub1 / opt_sub2 are descriptive names, which the model does not express: the same
    mirror as d0/d1/d2, same size and progress. The man page also dropped the %-12s blanks
    and the size suffix."""
    slices(host, "c1t0d0", s0=2006130)
    slices(host, "c1t1d0", s0=2006130)
    host.add_stripe("d1", "c1t0d0s0")
    host.add_stripe("d2", "c1t1d0s0")
    m = host.add_mirror("d0", ["d1"])
    host.md.attach(host.md.sets[""], "d0", "d2")
    host.advance(7.5)   # 307200 of 2006130 blocks at 40960 blocks/s
    assert m.percent_done() == 15
    r = host.run("metastat d0")
    sample = [line for line in norm(sample_text("metastat-mirror-resyncing.txt"))
              if line != "."]
    sample = [line.replace("opt_mirror", "d0").replace("opt_sub1", "d1")
              .replace("opt_sub2", "d2") for line in sample]
    assert sample[0] == "# metastat d0"
    assert old_release(r.stdout)[:len(sample) - 1] == sample[1:]
    assert "      State: Resyncing    \n    Resync in progress: 15 % done\n" in r.stdout


def test_metattach_resync_sample(host: Host) -> None:
    """samples/metattach-resync.txt, the metastat after the attach (the document prints
    "d30: mirror" in lower case; libmeta prints "%s: Mirror")."""
    slices(host, "c1t0d0", s0=2006130)
    slices(host, "c1t1d0", s0=2006130)
    host.add_stripe("d60", "c1t0d0s0")
    host.add_stripe("d70", "c1t1d0s0")
    host.add_mirror("d30", ["d60"])
    host.md.attach(host.md.sets[""], "d30", "d70")
    host.advance(20.3)
    r = host.run("metastat d30")
    text = sample_text("metattach-resync.txt")
    second = norm(text.split("# metastat d30")[2])
    second = [line.replace("d30: mirror", "d30: Mirror") for line in second if line != "..."]
    assert old_release(r.stdout)[:len(second)] == second
    assert "    Resync in progress: 41 % done\n" in r.stdout


def test_maintenance_sample(host: Host) -> None:
    """samples/metastat-maintenance.txt: the metastat part ("..." are the document's
    elisions; blanks after the %-12s state were lost)."""
    host.add_stripe("d16", "c0t1d0s2")
    host.add_stripe("d26", "c0t2d0s2")
    host.add_mirror("d6", ["d16", "d26"])
    host.disks["c0t2d0"].failed = True
    host.md.io_error("c0t2d0s2")
    r = host.run("metastat d6")
    part = sample_text("metastat-maintenance.txt").split("# metareplace")[0]
    ours = norm(r.stdout)
    for chunk in part.split("...\n"):
        lines = [x for x in norm(chunk) if not x.startswith("#")]
        if not lines:
            continue
        start = ours.index(lines[0])
        assert ours[start:start + len(lines)] == lines
    assert ("d26: Submirror of d6\n    State: Needs maintenance \n"
            "    Invoke: metareplace d6 c0t2d0s2 <new device>\n") in r.stdout


def test_config_partial_sample(host: Host) -> None:
    """samples/metastat-config-partial.txt, the d1/d2 concats (the RAID5 d50 is not
    modelled; older release: fixed-width columns, no size suffix). d2 is made first:
    the kernel lists the newest unit first."""
    slices(host, "c1t2d0", s3=4197879)
    slices(host, "c2t2d0", s3=4197879)
    host.add_stripe("d2", "c2t2d0s3")
    host.add_stripe("d1", "c1t2d0s3")
    r = host.run("metastat")
    sample = norm(sample_text("metastat-config-partial.txt"))
    concat = sample[sample.index("d1: Concat/Stripe"):]
    assert old_release(before_relocation(r.stdout)) == concat
    assert r.stdout.startswith(
        "d1: Concat/Stripe\n    Size: 4197879 blocks (2.0 GB)\n    Stripe 0:\n"
        "\tDevice     Start Block  Dbase\tReloc\n"
        "\tc1t2d0s3          0     No   \tYes\n\n")


def test_hsp_sample(host: Host) -> None:
    """samples/metastat-hsp.txt (older release: no Device/Status/Length/Reloc header
    line and no Reloc value; libmeta's hsp_report prints both)."""
    slices(host, "c1t3d0", s2=16800)
    host.md.create_hsp(host.md.sets[""], "hsp001", ["c1t3d0s2"])
    r = host.run("metastat hsp001")
    sample = norm(sample_text("metastat-hsp.txt"))
    ours = norm(r.stdout)
    assert ours[0] == sample[1] == "hsp001: 1 hot spare"
    assert ours[2].startswith(sample[2])
    assert r.stdout == (
        "hsp001: 1 hot spare\n"
        "\tDevice     Status      Length  \t\tReloc\n"
        "        c1t3d0s2   Available    16800 blocks\tYes\n"
        "\n"
        "Device Relocation Information:\n"
        "Device   Reloc\tDevice ID\n"
        f"c1t3d0   Yes  \t{devid(host, 'c1t3d0')}\n")


def build_final_configuration(host: Host) -> None:
    """The Solaris Volume Manager guide's final configuration (metastat-p.txt) without the
    RAID5 d50, created newest-last so the kernel lists it in the sample's order."""
    vm = host.md
    s = vm.sets[""]
    for pool, comps in (("hsp070", ["c1t2d0s4", "c2t2d0s4"]),
                        ("hsp050", ["c1t2d0s5", "c2t2d0s5"]),
                        ("hsp014", ["c1t2d0s1", "c2t2d0s1"]), ("hsp010", [])):
        for c in comps:
            host.ensure_slice(c)
        vm.create_hsp(s, pool, comps)
    host.add_stripe("d72", "c2t3d0s3", "c2t3d0s4", "c2t3d0s5")
    host.add_stripe("d71", "c1t3d0s3", "c1t3d0s4", "c1t3d0s5")
    host.add_mirror("d70", ["d71", "d72"])
    host.add_stripe("d31", ["c1t4d0s4", "c2t4d0s4"], interlace=8192)
    host.add_stripe("d25", ["c1t1d0s3", "c2t1d0s3"], "c0t0d0s3", interlace=32)
    for name, comp in (("d17", "c2t1d0s1"), ("d16", "c1t1d0s1"), ("d13", "c2t1d0s0"),
                       ("d12", "c1t1d0s0"), ("d2", "c2t2d0s3"), ("d1", "c1t2d0s3")):
        host.add_stripe(name, comp)
    sps = [("d127", "c2t3d0s7", 3592, 1433600), ("d126", "c1t3d0s7", 3592, 20480),
           ("d125", "c1t3d0s6", 409603, 204800), ("d124", "c1t3d0s6", 204802, 204800),
           ("d123", "c1t3d0s6", 1, 204800)]
    sps += [(f"d{85 - i}", "d70", 1 + (5 - i) * 2097153, 2097152) for i in range(6)]
    for name, comp, off, length in sps:
        if comp != "d70":
            host.ensure_slice(comp)
        s.units[name] = SoftPartition(name=name, component=comp, extents=[(off, length)])


def test_md_tab_sample(host: Host) -> None:
    """samples/metastat-p.txt, every line the model expresses (RAID5 d50 is not
    modelled). One real difference: meta_sp_print prints the metadevice under soft
    partitions right after the first one built on it (the sp_parent_printed bitmap in
    meta_sp.c), so d70 and its submirrors follow d80, where the document shows them
    after d85."""
    build_final_configuration(host)
    r = host.run("metastat -p")
    assert r.exit_code == 0 and r.stderr == ""
    lines = sample_text("metastat-p.txt").splitlines()[1:]
    lines = [line for line in lines if not line.startswith("d50 ")]
    at = lines.index("d70 -m d71 d72 1")
    d70 = lines[at:at + 7]
    del lines[at:at + 7]
    after = lines.index("d80 -p d70 -o 1 -b 2097152 ") + 1
    lines[after:after] = d70
    assert r.stdout.expandtabs(8).splitlines() == lines
    assert "d25 2 2 c1t1d0s3 c2t1d0s3 -i 32b \\\n\t 1 c0t0d0s3\n" in r.stdout


def test_diskset_md_tab_sample() -> None:
    """samples/metastat-p-diskset-backup.txt: ``metastat -s schost-1 -p`` with Sun Cluster
    DID components; names carry the set prefix."""
    host = Host("phys-schost-1")
    vm = host.md
    s = vm.sets.setdefault("schost-1", MDSet("schost-1"))
    for disk in ("d4", "d6", "d8"):
        host.ensure_slice(f"{disk}s7", 65536)
        host.ensure_slice(f"{disk}s0")
    vm.add_replicas(s, ["d4s7", "d6s7", "d8s7"], force=True)
    for name, comp in (("d30", "d8s0"), ("d20", "d6s0"), ("d10", "d4s0")):
        vm.create_stripe(s, name, [([comp], None)])
    vm.create_mirror(s, "d0", ["d10", "d20", "d30"])
    r = host.run("metastat -s schost-1 -p")
    text = sample_text("metastat-p-diskset-backup.txt")
    expected = text.split("# metastat -s schost-1 -p\n")[1].split("[")[0]
    assert r.stdout == expected
    assert r.exit_code == 0


def test_softpart_sample(host: Host) -> None:
    """samples/metastat-softpart.txt (man page example, an older layout: "Component:" and
    "Status:" where libmeta's meta_sp_report prints "Device:" and "State:", no device
    table under a slice, no Reloc column, other column widths). Order differs too: d2 has
    soft partition d3 on it, so it is parented (MD_MULTI_PARENT) and printed under d3, as
    meta_print_all and meta_sp_print do; the man page lists d2 first."""
    s = host.md.sets[""]
    host.ensure_slice("c0t3d0s0")
    s.units["d0"] = SoftPartition(name="d0", component="c0t3d0s0", extents=[(129, 204800)])
    host.md.create_stripe(s, "d2", [(["d0"], None)])
    s.units["d3"] = SoftPartition(name="d3", component="d2", extents=[(129, 202752)])
    r = host.run("metastat")
    blocks = sections(r.stdout)
    assert [k for k in blocks if k.startswith("d")] == ["d3", "d2", "d0"]
    sample = sample_text("metastat-softpart.txt").replace("Component:", "Device:")
    sample = sample.replace("Status:", "State:")
    for block in sample.split("\n\n"):
        want = old_release(block)
        if want[0] == "# metastat":
            want = want[1:]
        name = want[0].split(":")[0]
        got = [x for x in old_release(blocks[name])
               if not x.startswith(("Device Start Block Dbase Reloc", "c0t3d0s0 "))]
        got = [x.replace(" Reloc ", " ").removesuffix(" No") for x in got]
        assert got == want
    assert ("d3: Soft Partition\n    Device: d2\n    State: Okay\n"
            "    Size: 202752 blocks (99 MB)\n"
            "\tExtent              Start Block              Block count\n"
            "\t     0                      129                   202752\n\n") in r.stdout
    assert ("d0: Soft Partition\n    Device: c0t3d0s0\n    State: Okay\n"
            "    Size: 204800 blocks (100 MB)\n"
            "\tDevice     Start Block  Dbase Reloc\n"
            "\tc0t3d0s0          0     No    Yes\n\n") in r.stdout


# ---------------------------------------------------------------------------- exact layouts
def erred_mirror(host: Host) -> None:
    """d10 = d11 (Maintenance) + d12 (Last Erred): both disks failed one after the other."""
    slices(host, "c1t0d0", s0=1027216)
    slices(host, "c1t1d0", s0=1027216)
    host.add_stripe("d11", "c1t0d0s0")
    host.add_stripe("d12", "c1t1d0s0")
    host.add_mirror("d10", ["d11", "d12"])
    host.md.io_error("c1t0d0s0")
    host.md.io_error("c1t1d0s0")


def test_needs_maintenance_and_last_erred_exact(host: Host) -> None:
    erred_mirror(host)
    r = host.run("metastat d10")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout == (
        "d10: Mirror\n"
        "    Submirror 0: d11\n"
        "      State: Needs maintenance \n"
        "    Submirror 1: d12\n"
        "      State: Needs maintenance \n"
        "    Pass: 1\n"
        "    Read option: roundrobin (default)\n"
        "    Write option: parallel (default)\n"
        "    Size: 1027216 blocks (501 MB)\n"
        "\n"
        "d11: Submirror of d10\n"
        "    State: Needs maintenance \n"
        "    Invoke: metareplace d10 c1t0d0s0 <new device>\n"
        "    Size: 1027216 blocks (501 MB)\n"
        "    Stripe 0:\n"
        "\tDevice     Start Block  Dbase        State Reloc Hot Spare\n"
        "\tc1t0d0s0          0     No     Maintenance   Yes \n"
        "\n"
        "\n"
        "d12: Submirror of d10\n"
        "    State: Needs maintenance \n"
        '    Invoke: after replacing "Maintenance" components:\n'
        "\t\tmetareplace d10 c1t1d0s0 <new device>\n"
        "    Size: 1027216 blocks (501 MB)\n"
        "    Stripe 0:\n"
        "\tDevice     Start Block  Dbase        State Reloc Hot Spare\n"
        "\tc1t1d0s0          0     No      Last Erred   Yes \n"
        "\n"
        "\n"
        "Device Relocation Information:\n"
        "Device   Reloc\tDevice ID\n"
        f"c1t0d0   Yes  \t{devid(host, 'c1t0d0')}\n"
        f"c1t1d0   Yes  \t{devid(host, 'c1t1d0')}\n")


def test_concise(host: Host) -> None:
    erred_mirror(host)
    host.md.create_hsp(host.md.sets[""], "hsp001", [])
    r = host.run("metastat -c")
    assert r.exit_code == 0
    assert r.stdout == (
        "d10              m  501MB d11 (maint) d12 (maint)\n"
        "    d11          s  501MB c1t0d0s0 (maint)\n"
        "    d12          s  501MB c1t1d0s0 (last-erred)\n"
        "hsp001           h      -\n")


def test_concise_resync_and_offline(host: Host) -> None:
    slices(host, "c1t0d0", s0=2006130)
    slices(host, "c1t1d0", s0=2006130)
    slices(host, "c1t2d0", s0=2006130)
    for name, comp in (("d1", "c1t0d0s0"), ("d2", "c1t1d0s0"), ("d3", "c1t2d0s0")):
        host.add_stripe(name, comp)
    host.add_mirror("d0", ["d1", "d2"])
    s = host.md.sets[""]
    host.md.offline(s, "d0", "d2")
    host.md.attach(s, "d0", "d3")
    host.advance(7.5)
    r = host.run("metastat -c d0")
    assert r.stdout.splitlines()[0] == "d0               m  979MB d1 d2 (offline) d3 (resync-15%)"
    full = host.run("metastat d0").stdout
    # no Invoke line while a resync runs (sm_state_to_action)
    assert "d2: Submirror of d0\n    State: Needs maintenance \n    Size:" in full
    assert "      State: Needs maintenance \n    Submirror 2: d3\n" in full


def test_offline_invoke(host: Host) -> None:
    host.add_mirror("d0", ["d1", "d2"])
    host.md.offline(host.md.sets[""], "d0", "d2")
    r = host.run("metastat d0")
    assert ("d2: Submirror of d0\n    State: Needs maintenance \n"
            "    Invoke: metaonline d0 d2\n") in r.stdout


def test_times(host: Host) -> None:
    """-t: meta_print_time after the state, and the Time column of subdev_row_report."""
    slices(host, "c1t0d0", s0=1027216)
    host.add_stripe("d11", "c1t0d0s0")
    host.add_mirror("d10", ["d11"])
    when = host.clock.ctime(host.clock.now)
    r = host.run("metastat -t d10")
    assert f"      State: Okay         {when}\n" in r.stdout
    assert f"    State: Okay         {when}\n" in r.stdout
    assert ("\tDevice     Start Dbase State       Reloc Hot Spare Time\n"
            f"\tc1t0d0s0       0 No    Okay        Yes             {when}\n") in r.stdout


def test_submirror_by_name_and_stripe_options(host: Host) -> None:
    """A named submirror is printed with the parented (State/Hot Spare) table; a stripe
    row of several components shows its interlace; a hot spare pool line."""
    host.ensure_slice("c1t5d0s0")
    host.md.create_hsp(host.md.sets[""], "hsp001", ["c1t5d0s0"])
    host.add_stripe("d11", ["c1t0d0s0", "c1t1d0s0"], interlace=32, hsp="hsp001")
    host.add_mirror("d10", ["d11"])
    r = host.run("metastat -q d11")
    assert r.stdout.startswith(
        "d11: Concat/Stripe\n    Hot spare pool: hsp001\n")
    assert ("    Stripe 0: (interlace: 32 blocks)\n"
            "\tDevice     Start Block  Dbase        State Reloc Hot Spare\n"
            "\tc1t0d0s0          0     No            Okay   Yes \n") in r.stdout
    assert "Device Relocation" not in r.stdout
    assert host.run("metastat -p d11").stdout == "d11 1 2 c1t0d0s0 c1t1d0s0 -i 32b -h hsp001\n"


def test_number_to_string() -> None:
    """meta_number_to_string: one decimal below 10 units, computed in float."""
    assert meta_number_to_string(1027216) == "501 MB"
    assert meta_number_to_string(8395200) == "4.0 GB"
    assert meta_number_to_string(12289806) == "5.9 GB"
    assert meta_number_to_string(2**31) == "1.0 TB"
    assert meta_number_to_string(1) == "512  B"


def test_order_newest_first(host: Host) -> None:
    """MD_IOCGET_NUM walks a list new units are pushed onto: d2 was made last."""
    host.add_mirror("d0", ["d10", "d20"])
    host.add_mirror("d2", ["d12", "d22"])
    lines = host.run("metastat -p").stdout.splitlines()
    assert [x.split()[0] for x in lines] == ["d2", "d12", "d22", "d0", "d10", "d20"]


# ---------------------------------------------------------------------------- errors, options
def test_unknown_name_continues(host: Host) -> None:
    host.add_mirror("d0", ["d10", "d20"])
    r = host.run("metastat d99 d0")
    assert r.exit_code == 1
    assert r.stderr == "metastat: host1: d99: unit not set up\n\n"
    assert r.stdout.startswith("d0: Mirror\n")
    assert "Device Relocation Information" not in r.stdout
    only = host.run("metastat d99")
    assert (only.stdout, only.exit_code) == ("", 1)


def test_bad_options_and_help(host: Host) -> None:
    r = host.run("metastat -x")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", "metastat: illegal option -- x\n" + USAGE, 1)
    r = host.run("metastat -h")
    assert (r.stderr, r.exit_code) == (USAGE, 0)
    r = host.run("metastat -a -s foo")
    assert (r.stderr, r.exit_code) == (
        "metastat: incompatible options: -a and -s\n" + USAGE, 1)
    r = host.run("metastat -s nosuch")
    assert (r.stderr, r.exit_code) == ("metastat: host1: nosuch: no such set\n\n", 1)


def test_stale_banner(host: Host) -> None:
    host.add_stripe("d5", "c1t0d0s0")
    for rep in host.md.sets[""].replicas[:2]:
        rep.flags = {"W", "p", "l"}
    r = host.run("metastat -p")
    assert r.stdout == ("****\nWARNING: Stale state database replicas. Metastat output "
                        "may be inaccurate.\n****\n\nd5 1 1 c1t0d0s0\n")


def test_probe_requires_root_and_errs_failed_disks(host: Host) -> None:
    slices(host, "c1t0d0", s0=1027216)
    slices(host, "c1t1d0", s0=1027216)
    slices(host, "c1t5d0", s0=2000000)
    host.md.create_hsp(host.md.sets[""], "hsp001", ["c1t5d0s0"])
    host.add_stripe("d11", "c1t0d0s0")
    host.add_stripe("d12", "c1t1d0s0")
    host.add_mirror("d10", ["d11", "d12"])
    host.disks["c1t1d0"].failed = True
    host.disks["c1t5d0"].failed = True
    r = host.run("metastat -i", uid=100)
    assert (r.stdout, r.stderr, r.exit_code) == (
        "", "metastat: -i option requires super-user privilages\n", 1)
    assert host.run("metastat -c d10").stdout.splitlines()[0].endswith("d11 d12")
    r = host.run("metastat -i -c")
    assert r.stderr == ("NOTICE: Hotspare /dev/dsk/c1t5d0s0 in hsp001 has failed.\n"
                        "\tDeleting /dev/dsk/c1t5d0s0 since it not in use\n\n")
    assert r.stdout.splitlines()[0].endswith("d11 d12 (maint)")
    assert host.md.sets[""].hsps["hsp001"].spares == []


def test_all_sets(host: Host) -> None:
    """-a: every set, each followed by an empty line; diskset names carry the set."""
    s = host.md.sets.setdefault("blue", MDSet("blue"))
    host.ensure_slice("c3t0d0s7", 65536)
    host.ensure_slice("c3t0d0s0")
    host.md.add_replicas(s, ["c3t0d0s7"], force=True)
    host.md.create_stripe(s, "d5", [(["c3t0d0s0"], None)])
    r = host.run("metastat -a -p")
    assert r.stdout == "\nblue/d5 1 1 c3t0d0s0\n\n"


@pytest.mark.parametrize("opt", ["-B", "-D"])
def test_large_and_descriptive_only(host: Host, opt: str) -> None:
    """-B prints only units of a terabyte and more, -D only descriptive names (the model
    has none): small dN units print nothing, and no relocation section follows."""
    host.add_mirror("d0", ["d10", "d20"])
    r = host.run(f"metastat {opt}")
    assert (r.stdout, r.exit_code) == ("", 0)


def test_no_databases_and_set_prefixed_names(host: Host) -> None:
    bare = Host("host1").run("metastat")
    assert (bare.stdout, bare.stderr, bare.exit_code) == (
        "", "metastat: host1: there are no existing databases\n\n", 1)
    s = host.md.sets.setdefault("blue", MDSet("blue"))
    host.ensure_slice("c3t0d0s7", 65536)
    host.ensure_slice("c3t0d0s0")
    host.md.add_replicas(s, ["c3t0d0s7"], force=True)
    host.md.create_stripe(s, "d5", [(["c3t0d0s0"], None)])
    assert host.run("metastat -p blue/d5").stdout == "blue/d5 1 1 c3t0d0s0\n"
    r = host.run("metastat -s blue d6")
    assert (r.stderr, r.exit_code) == ("metastat: host1: blue/d6: unit not set up\n\n", 1)
