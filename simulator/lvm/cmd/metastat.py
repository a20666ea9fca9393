"""``metastat``: the status report monitoring plugins and backup scripts parse.

Follows illumos cmd/lvm/util/metastat.c: options ``acSs:hpBDrtiq?``, the stale-replica
banner, ``-i`` probing, named units (errors per name, then the next one), the whole set in
meta_print_all order, ``-a`` for every set, ``-c`` concise output, and the Device
Relocation Information section. The layouts themselves live in libmeta: each type's in its
module (:mod:`~simulator.lvm.libmeta.stripe`, :mod:`~simulator.lvm.libmeta.mirror`,
:mod:`~simulator.lvm.libmeta.softpart`, :mod:`~simulator.lvm.libmeta.hotspare`), the walk and
what they share in :mod:`simulator.lvm.libmeta.printing`. A whole set's report is made of
each unit's report kept from earlier calls while the unit is unchanged
(:mod:`simulator.lvm.libmeta.report_cache`).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.core.names import HSP_RE, split_slice
from simulator.lvm.errors import NO_DB, UNIT_NOT_SET_UP, MDError
from simulator.lvm.libmeta.hotspare import hsp_print
from simulator.lvm.libmeta.names import hspname, metaname, parse_device
from simulator.lvm.libmeta.printing import (
    Reporter,
    hsp_order,
    kernel_order,
    parented,
    sp_bases,
)
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import Mirror, Stripe
from simulator.lvm.md.replicas import is_stale

NAME = "metastat"
USAGE = "usage:\t%s [-s setname] [-a][-c][-B][-D][-r][-i][-p] [-t] [metadevice...]"
STALE_BANNER = ("****\nWARNING: Stale state database replicas. Metastat output "
                "may be inaccurate.\n****\n")


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metastat.c", "usr/src/lib/lvm/libmeta/common/meta_print.c",
            "usr/src/lib/lvm/libmeta/common/meta_stripe.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror.c",
            "usr/src/lib/lvm/libmeta/common/meta_sp.c",
            "usr/src/lib/lvm/libmeta/common/meta_hotspares.c"),
    getopt=("acSs:hpBDrtiq?",),
    options=(
        "-s setname: the set to report (the local set by default)",
        "-a: every set, each report followed by an empty line",
        "-c: the concise report, one line a metadevice",
        "-p: the md.tab form, without Device Relocation Information",
        "-t: the time of each state change",
        "-i: probe the devices (root only): an Available hot spare on a failed disk is "
        "deleted, a mirror component on one errs",
        "-B: only large (over 1 TB) metadevices",
        "-D: only descriptive-name metadevices (the model has none)",
        "-q: no Device Relocation Information",
        "-S: only the stale-replica banner, then exit 0",
        "-r: accepted and ignored (a defunct option)",
        "-h: the usage, exit 0",
        "metadevice: each named unit or hot spare pool; an error for one, then the next",
    ),
    not_simulated=(
        "RAID-5 and trans metadevices (the model has none to report)",
        "named disksets (only the local set holds units)",
    ),
    messages=(
        USAGE,
        STALE_BANNER,
        "<prog>: incompatible options: -a and -s",
        "<prog>: -i option requires super-user privilages",
        "NOTICE: Hotspare <slice> in <hsp> has failed. Deleting <slice> since it not in use",
        NO_DB,
        UNIT_NOT_SET_UP,
    ),
    notes="The layouts (metastat, -p, -c, relocation table) are libmeta's, shared with "
          "metahs -i: simulator/lvm/libmeta/.",
)


def usage(inv: Invocation, code: int = 1) -> int:
    """metastat.c usage(): to stderr; -h and -? exit 0, anything else 1."""
    inv.err(USAGE % inv.prog)
    return code


class Options:
    """What the command line asked for (each option's default a class attribute, so that a
    call sets only the options it was given)."""

    all_sets = False
    concise = False
    quiet = False
    setname: str | None = None
    short = False
    times = False
    inquire = False
    large = False
    fn = False
    setstat_only = False

    @property
    def devid(self) -> bool:
        """PRINT_DEVID: on unless -p."""
        return not self.short


def main(inv: Invocation) -> int:
    opts, operands = getopt(inv, "acSs:hpBDrtiq?")
    o = Options()
    for flag, value in opts:
        if flag == "-a":
            o.all_sets = True
        elif flag == "-c":
            o.concise = o.quiet = True
        elif flag == "-S":
            o.setstat_only = True
        elif flag == "-s":
            o.setname = value
        elif flag in ("-h", "-?"):
            return usage(inv, 0)
        elif flag == "-p":
            o.short = True
        elif flag == "-t":
            o.times = True
        elif flag == "-i":
            o.inquire = True
        elif flag == "-B":
            o.large = True
        elif flag == "-D":
            o.fn = True
        elif flag == "-q":
            o.quiet = True
        # -r: defunct option, accepted and ignored
    if o.all_sets and o.setname is not None:
        inv.err(f"{inv.prog}: incompatible options: -a and -s")
        return usage(inv, 1)

    host = inv.host
    s = host.md.get_set(o.setname)
    if s.replicas and is_stale(s.replicas):
        inv.out(STALE_BANNER)
    if o.inquire:
        if inv.uid != 0:
            inv.err(f"{inv.prog}: -i option requires super-user privilages")
            return 1
        probe_all_devs(inv, s)
    if o.setstat_only:
        return 0
    if not s.replicas:
        raise MDError(NO_DB)

    if not operands:
        sets = list(host.md.sets.values()) if o.all_sets else [s]
        for each in sets:
            print_specific_set(inv, each, o)
            if o.all_sets:
                inv.out("")
        return 0
    return print_named(inv, s, operands, o)


def reporter(inv: Invocation, s: MDSet, o: Options) -> Reporter:
    return Reporter(inv.host, s, short=o.short, times=o.times, large=o.large, fn=o.fn)


def print_specific_set(inv: Invocation, s: MDSet, o: Options) -> None:
    """metastat.c print_specific_set: everything, then the relocation information."""
    rep = reporter(inv, s, o)
    if o.concise:
        rep.concise_all()
    else:
        rep.print_all()
        if o.devid and not o.quiet:
            if not (o.large or o.fn):
                rep.relocation_all()
            elif rep.devs:
                rep.relocation(rep.devs)
    inv.out(rep.text(), end="")


def resolve(inv: Invocation, s: MDSet, name: str) -> tuple[MDSet, str]:
    """meta_name_getname: ``set/dN`` and ``/dev/md/set/dsk/dN`` pick their set; the short
    name (``dN``/``hspNNN`` canonical, as meta_name.c reads them) is returned. An unknown
    set is the metasetname error."""
    setname, short = metaname(name) or hspname(name) or parse_device(name)
    if setname is not None:
        s = inv.host.md.get_set(setname)
    return s, short


def print_named(inv: Invocation, s: MDSet, names: list[str], o: Options) -> int:
    """metastat.c main: each name in turn; an error is printed and the next name follows.
    The relocation section comes only when every name was printed."""
    status = 0
    reps: dict[str, Reporter] = {}
    done: list[tuple[Reporter, str]] = []
    for name in names:
        try:
            us, short = resolve(inv, s, name)
        except MDError as e:
            inv.md_error(e)
            status = 1
            continue
        rep = reps.setdefault(us.name, reporter(inv, us, o))
        if short in us.hsps and HSP_RE.match(short):
            if not o.concise:
                hsp_print(rep, us.hsps[short])
        elif short in us.units:
            if o.concise:
                rep.concise_md(0, short)
            else:
                rep.print_named(us.units[short])
        else:
            inv.out(rep.text(), end="")
            rep.chunks.clear()
            inv.md_error(MDError(UNIT_NOT_SET_UP, name=us.display(short)))
            status = 1
            continue
        done.append((rep, short))
    last = reps.get(s.name) or next(iter(reps.values()), None)
    if o.devid and status != 1 and not o.quiet and last is not None:
        for rep, short in done:
            if o.large or o.fn:
                continue
            if short in rep.s.hsps:
                for spare in rep.s.hsps[short].spares:
                    rep.getdevs_slice(spare.name, last.devs)
            else:
                rep.getdevs(rep.s.units[short], last.devs)
        last.relocation(last.devs)
    for rep in reps.values():
        inv.out(rep.text(), end="")
    return status


def probe_all_devs(inv: Invocation, s: MDSet) -> None:
    """metastat.c probe_all_devs for -i: spares first, then the top-level mirrors.

    An Available hot spare on a disk that cannot be read is deleted from its pool
    (delete_hotspares_impl, with its NOTICE on stderr); a mirror component on such a disk
    gets the I/O error the probe ioctl would raise (MD_IOCPROBE_DEV).
    """
    vm = inv.host.md
    for pool in hsp_order(s):
        for spare in list(pool.spares):
            if spare.status == "Available" and disk_failed(inv, spare.name):
                inv.err(f"NOTICE: Hotspare /dev/dsk/{spare.name} in {s.display(pool.name)} "
                        f"has failed.\n\tDeleting /dev/dsk/{spare.name} since it not in use\n")
                pool.spares.remove(spare)
    bases = sp_bases(s)
    for m in kernel_order(s, Mirror):
        if parented(s, m, bases):
            continue
        for slot in m.submirrors:
            sub = s.units.get(slot.name)
            if not isinstance(sub, Stripe):
                continue
            for comp in sub.components:
                if not comp.state.erred and disk_failed(inv, comp.device):
                    vm.io_error(comp.device)


def disk_failed(inv: Invocation, slice_name: str) -> bool:
    parsed = split_slice(slice_name)
    disk = inv.host.disks.get(parsed[0]) if parsed else None
    return disk is not None and disk.failed
