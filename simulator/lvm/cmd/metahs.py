"""metahs: add, delete, replace, enable and report hot spares.

Follows usr/src/cmd/lvm/util/metahs.c (options, "all", the order of checks, status report)
and libmeta meta_hotspares.c (meta_hs_add/meta_hs_delete/meta_hs_replace/meta_hs_enable,
meta_check_hotspare, hsp_report) with the kernel's refusals from
usr/src/uts/common/io/lvm/hotspares/hotspares.c (seths_add/seths_delete/seths_delete_hsp).
Error names follow metaioctl(): an ioctl given a name reports that name, otherwise the
error class builds it (``hsp001: c1t0d0s0`` for hot spare errors).

``-i`` prints through libmeta as metastat does (meta_hotspares.c hsp_report in
:func:`simulator.lvm.libmeta.hotspare.hsp_report`, meta_print.c meta_print_devid in
:class:`~simulator.lvm.libmeta.printing.Reporter`), so both commands show a pool the same way.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.hotspare import check_hotspare, hsp_report
from simulator.lvm.libmeta.init import component_of
from simulator.lvm.libmeta.names import hspname
from simulator.lvm.libmeta.printing import Reporter, hsp_order
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import HotSpare, HotSparePool, Stripe

NAME = "metahs"

# metahs.c usage()
USAGE = """\
usage:\t{0} [-s setname] -a hot_spare_pool [component...]
\t{0} [-s setname] -a "all" component...
\t{0} [-s setname] -d hot_spare_pool [component...]
\t{0} [-s setname] -d "all" component...
\t{0} [-s setname] -e component...
\t{0} [-s setname] -r hot_spare_pool component_old component_new
\t{0} [-s setname] -r "all" component_old component_new
\t{0} [-s setname] -i [hot_spare_pool...]
"""

COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metahs.c",
            "usr/src/lib/lvm/libmeta/common/meta_hotspares.c",
            "usr/src/uts/common/io/lvm/hotspares/hotspares.c"),
    getopt=("hs:aderin?",),
    options=(
        "-s setname: the set",
        "-a hot_spare_pool|all [component...]: create a pool, add hot spares",
        "-d hot_spare_pool|all [component...]: delete hot spares, or an empty pool",
        "-e component...: enable Broken hot spares",
        "-r hot_spare_pool|all old new: replace a hot spare",
        "-i [hot_spare_pool...]: report the pools (no root needed)",
        "-h: the usage, exit 0",
    ),
    not_simulated=("-n: only valid through rpc.metacld; the usage, exit 1 (as metahs.c)",),
    messages=(
        USAGE,
        "<hspNNN>: Hotspare pool is setup",
        "<hspNNN>: Hotspare is added",
        "<hspNNN>: Hotspares are added",
        "<hspNNN>: Hotspare pool is cleared",
        "<hspNNN>: Hotspare is deleted",
        "<hspNNN>: Hotspares are deleted",
        "<hspNNN>: Hotspare <old> is replaced with <new>",
        "hotspare <comp> is enabled",
        E.BAD_NAME, E.NO_HSPS, E.HSP_ALREADY_SETUP, E.HS_ALREADY_IN_USE, E.INVALID_HSP,
        E.HSP_BUSY, E.HSP_REFERENCED, E.HS_NOT_FOUND, E.HS_IN_USE, E.IS_META,
        E.HS_NOT_BROKEN,
    ),
)


def usage(inv: Invocation, code: int = 1) -> int:
    """Usage text on stderr, exit 1 (0 for -h)."""
    inv.err(USAGE.format(inv.prog), end="")
    return code


# ---------------------------------------------------------------------------- helpers
def _is_all(token: str) -> bool:
    return token in ("all", "ALL")


def _pool_name(vm: VolumeManager, s: MDSet, token: str) -> tuple[MDSet, str]:
    """metahspname: ``hspNNN`` (classic names) -> (set, canonical name)."""
    parsed = hspname(token)
    if parsed is None:
        raise MDError(E.BAD_NAME, name=token)
    return (vm.get_set(parsed[0]) if parsed[0] else s), parsed[1]


def _all_pools(s: MDSet) -> list[str]:
    """meta_get_hsp_names (the driver's list order); an empty set is MDE_NO_HSPS."""
    if not s.hsps:
        raise MDError(E.NO_HSPS)
    return [pool.name for pool in hsp_order(s)]


def _spare_anywhere(s: MDSet, comp: str) -> HotSpare | None:
    for pool in s.hsps.values():
        spare = pool.find(comp)
        if spare is not None:
            return spare
    return None


# ---------------------------------------------------------------------------- operations
def add_hotspares(inv: Invocation, s: MDSet, args: list[str]) -> None:
    """metahs.c add_hotspares + meta_hs_add: create the pool if needed, add each spare."""
    vm = inv.host.md
    if len(args) > 1 and _is_all(args[0]):
        pools = [(s, name) for name in _all_pools(s)]
    else:
        pools = [_pool_name(vm, s, args[0])]
    comps = [component_of(vm, s, token) for token in args[1:]]
    for pset, short in pools:
        name = pset.display(short)
        if not comps:
            if short in pset.hsps:
                raise MDError(E.HSP_ALREADY_SETUP, name=name)
            pset.hsps[short] = HotSparePool(short)
            inv.out(f"{name}: Hotspare pool is setup")
            continue
        for cset, comp in comps:
            check_hotspare(vm, pset, cset, comp)
            pool = pset.hsps.get(short)
            if pool is not None and pool.find(comp) is not None:
                raise MDError(E.HS_ALREADY_IN_USE, name=f"{name}: {comp}")
            vm.hs_add(pset, short, comp)
        inv.out(f"{name}: Hotspare is added" if len(comps) == 1
                else f"{name}: Hotspares are added")


def delete_hotspares(inv: Invocation, s: MDSet, args: list[str]) -> None:
    """metahs.c delete_hotspares + meta_hs_delete (seths_delete / seths_delete_hsp)."""
    vm = inv.host.md
    if len(args) > 1 and _is_all(args[0]):
        pools = [(s, name) for name in _all_pools(s)]
    else:
        pools = [_pool_name(vm, s, args[0])]
    comps = [component_of(vm, s, token)[1] for token in args[1:]]
    done = 0
    for pset, short in pools:
        name = pset.display(short)
        if not comps:
            pool = pset.hsps.get(short)
            if pool is None:
                raise MDError(E.INVALID_HSP, name=name)
            if pool.spares:
                raise MDError(E.HSP_BUSY, name=name)
            if any(isinstance(u, Stripe) and u.hsp == short for u in pset.units.values()):
                raise MDError(E.HSP_REFERENCED, name=name)
            del pset.hsps[short]
            inv.out(f"{name}: Hotspare pool is cleared")
            done += 1
            continue
        try:
            for comp in comps:
                _delete_one(pset, short, comp)
        except MDError as e:
            if e.text == E.HS_NOT_FOUND:
                continue
            raise
        done += 1
        inv.out(f"{name}: Hotspare is deleted" if len(comps) == 1
                else f"{name}: Hotspares are deleted")
    if comps and done == 0:
        raise MDError(E.HS_NOT_FOUND, name=comps[0])


def _delete_one(s: MDSet, short: str, comp: str) -> None:
    """seths_delete: known spare, existing pool, not in use, member of this pool."""
    spare = _spare_anywhere(s, comp)
    if spare is None:
        raise MDError(E.HS_NOT_FOUND, name=comp)
    pool = s.hsps.get(short)
    if pool is None:
        raise MDError(E.INVALID_HSP, name=comp)
    spares = [p.find(comp) for p in s.hsps.values()]
    if any(sp is not None and sp.status == "In use" for sp in spares):
        raise MDError(E.HS_IN_USE, name=comp)
    member = pool.find(comp)
    if member is None:
        raise MDError(E.HS_NOT_FOUND, name=comp)
    pool.spares.remove(member)


def replace_hotspares(inv: Invocation, s: MDSet, args: list[str]) -> None:
    """metahs.c replace_hotspares + meta_hs_replace (seths_replace)."""
    vm = inv.host.md
    if _is_all(args[0]):
        pools = [(s, name) for name in _all_pools(s)]
    else:
        pools = [_pool_name(vm, s, args[0])]
    old = component_of(vm, s, args[1])[1]
    new_set, new = component_of(vm, s, args[2])
    done = 0
    for pset, short in pools:
        name = pset.display(short)
        pool = pset.hsps.get(short)
        if pool is None:
            raise MDError(E.INVALID_HSP, name=name)
        check_hotspare(vm, pset, new_set, new)
        if _spare_anywhere(pset, old) is None:
            raise MDError(E.HS_NOT_FOUND, name=old)
        member = pool.find(old)
        if member is None:
            continue
        if member.status == "In use":
            raise MDError(E.HS_IN_USE, name=f"{name}: {old}")
        if pool.find(new) is not None:
            raise MDError(E.HS_ALREADY_IN_USE, name=f"{name}: {new}")
        vm.hs_replace(pset, short, old, new)
        inv.out(f"{name}: Hotspare {old} is replaced with {new}")
        done += 1
    if done == 0:
        raise MDError(E.HS_NOT_FOUND, name=old)


def enable_hotspares(inv: Invocation, s: MDSet, args: list[str]) -> None:
    """meta_hs_enable: re-enable Broken spares; each prints ``hotspare c is enabled``."""
    vm = inv.host.md
    comps = [component_of(vm, s, token) for token in args]
    for cset, comp in comps:
        if cset is not None:
            raise MDError(E.IS_META, name=cset.display(comp))
        spares = [pool.find(comp) for pool in s.hsps.values()]
        found = [sp for sp in spares if sp is not None]
        if not found:
            raise MDError(E.HS_NOT_FOUND, name=comp)
        if not any(sp.status == "Broken" for sp in found):
            raise MDError(E.HS_NOT_BROKEN, name=comp)
        for sp in found:
            if sp.status == "Broken":
                sp.status = "Available"
                sp.timestamp = vm.now()
        inv.out(f"hotspare {comp} is enabled")



def status_hotspares(inv: Invocation, s: MDSet, args: list[str]) -> None:
    """metahs.c status_hotspares: each pool's report, then Device Relocation Information."""
    vm = inv.host.md
    if args:
        pools = [_pool_name(vm, s, token) for token in args]
    else:
        pools = [(s, name) for name in _all_pools(s)]
    comps: list[str] = []
    for pset, short in pools:
        pool = pset.hsps.get(short)
        if pool is None:
            raise MDError(E.INVALID_HSP, name=pset.display(short))
        rep = Reporter(inv.host, pset)
        hsp_report(rep, pool)
        inv.out(rep.text(), end="")
        comps += [hs.name for hs in pool.spares]
    rep = Reporter(inv.host, s)
    rep.relocation(comps)
    inv.out(rep.text(), end="")


def main(inv: Invocation) -> int:
    """metahs.c main: one of -a/-d/-e/-r/-i; root needed for all but -i."""
    opts, args = getopt(inv, "hs:aderin?")
    sname: str | None = None
    op = ""
    for opt, val in opts:
        if opt in ("-h", "-?"):
            return usage(inv, 0)
        if opt == "-s":
            sname = val
        elif opt in ("-a", "-d", "-e", "-r", "-i"):
            if op:
                return usage(inv, 1)
            op = opt
        elif opt == "-n":
            return usage(inv, 1)
    vm = inv.host.md
    s = vm.get_set(sname)
    if not op:
        return usage(inv, 1)
    if args and not _is_all(args[0]) and op != "-e":
        parsed = hspname(args[0])
        if parsed is None:
            return inv.md_error(MDError(E.BAD_NAME, name=args[0]))
        if parsed[0]:
            s = vm.get_set(parsed[0])
    if op == "-i":
        try:
            status_hotspares(inv, s, args)
        except MDError as e:
            return inv.md_error(e)
        return 0
    if not inv.need_root():
        return 1
    if (op in ("-a", "-d", "-e") and not args) or (op == "-r" and len(args) != 3):
        return usage(inv, 1)
    action = {"-a": add_hotspares, "-d": delete_hotspares, "-e": enable_hotspares,
              "-r": replace_hotspares}[op]
    try:
        action(inv, s, args)
    except MDError as e:
        return inv.md_error(e)
    return 0
