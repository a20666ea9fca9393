"""Hot spare pools in libmeta: ``metainit hspNNN [comp...]`` and meta_check_hotspare.

illumos lib/lvm/libmeta/common/meta_hotspares.c meta_init_hsp (the parser) and
meta_check_hotspare (a plain slice, not mounted, without replica, in no metadevice), which
``metahs -a/-r`` runs too. The hotspares driver's side is :mod:`simulator.lvm.md.spares`.

The pool's report and print code is here too, from the same file: meta_hsp_print,
hsp_report (``metastat`` and ``metahs -i``), hsp_print (``metastat -p``, the md.tab line)
and its ``metastat -c`` line (cmd/lvm/util/metastat.c print_concise_hsp). What every type
shares is in :mod:`simulator.lvm.libmeta.printing`; the layouts match Solaris byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import DID_SLICE_RE
from simulator.core.strerror import ENOENT, strerror
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.check import check_inmeta, check_inuse
from simulator.lvm.libmeta.init import Context, component, slice_size
from simulator.lvm.libmeta.mdtab import cook_syntax, first_is_option
from simulator.lvm.libmeta.names import hspname
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import BIG_UNIT_BLOCKS, HotSparePool

if TYPE_CHECKING:
    from simulator.lvm.libmeta.printing import Reporter


def init_hsp(ctx: Context, argv: list[str]) -> None:
    """meta_hotspares.c meta_init_hsp: ``hspNNN [component...]``."""
    parsed = hspname(argv[0])
    if parsed is None:
        raise MDError(ENOENT, name=argv[0])
    setname, short = parsed
    s = ctx.vm.get_set(setname) if setname else ctx.s
    uname = s.display(short)
    if short in s.hsps:
        raise MDError(E.HSP_ALREADY_SETUP, name=uname)
    args = argv[1:]
    if first_is_option(args):
        raise cook_syntax(E.ILLEGAL_OPTION, uname, args[0])
    comps = [component(ctx, token) for token in args]
    for i, (cset, comp) in enumerate(comps):
        check_hotspare(ctx.vm, s, cset, comp)
        if any(o_set is cset and o_comp == comp for o_set, o_comp in comps[:i]):
            raise E.already(comp, uname)
    if not ctx.opts.doit:
        return
    ctx.vm.create_hsp(s, short, [comp for _, comp in comps])
    ctx.inv.out(f"{uname}: Hotspare pool is setup")


def check_hotspare(vm: VolumeManager, s: MDSet, cset: MDSet | None, comp: str) -> None:
    """meta_check_hotspare: a plain slice, not mounted, without replica, in no metadevice.

    Being a hot spare in another pool is allowed (MDCHK_ALLOW_HS).
    """
    if cset is not None:
        raise MDError(E.IS_META, name=cset.display(comp))
    check_inuse(vm, comp)
    check_inmeta(vm, s, comp, allow_mddb=False, allow_hs=True)
    if not slice_size(vm, comp):
        raise MDError(strerror("ENOSPC"), name=comp)


# ---------------------------------------------------------------------------- report and print
def hsp_print(rep: Reporter, pool: HotSparePool) -> None:
    """meta_hotspares.c meta_hsp_print: ``hspNNN comp...`` (-p) or the report."""
    if rep.short:
        # hsp_print prints the raw path of a spare outside /dev/rdsk (a Sun Cluster
        # DID slice: /dev/did/rdsk/dNsM), else its cname (meta_hotspares.c)
        rep.w(rep.name(pool.name) + "".join(
            f" /dev/did/rdsk/{h.name}" if DID_SLICE_RE.match(h.name) else f" {h.name}"
            for h in pool.spares) + "\n")
    else:
        hsp_report(rep, pool)


def hsp_report(rep: Reporter, pool: HotSparePool) -> None:
    """meta_hotspares.c hsp_report."""
    s_ = rep.printf_s
    name = rep.name(pool.name)
    n = len(pool.spares)
    nbig = 0
    if rep.large:
        for h in pool.spares:
            if h.size >= BIG_UNIT_BLOCKS:
                nbig += 1
                rep.getdevs_slice(h.name, rep.devs)
        if nbig == 0:
            return
    ln = max([len(h.name) for h in pool.spares] + [len("Device")]) + 2
    cols = (f"{s_('Device', ln, ln, True)} {s_('Status', 12, 12, True)}"
            f"{s_('Length', 8, 6, True)}\t\tReloc\n")
    if n == 0:
        rep.w(f"{name}: is empty\n")
    elif n == 1:
        if rep.large:
            rep.w(f"{name}: 1 hot spare (1 big device)\n\t{cols.replace(' ', '  ', 1)}")
        else:
            rep.w(f"{name}: 1 hot spare\n\t{cols}")
    elif rep.large:
        rep.w(f"{name}: {n} hot spares ({nbig} big device(s))\n\t{cols}")
    else:
        rep.w(f"{name}: {n} hot spares\n\t{cols}")
    for h in pool.spares:
        if rep.large and h.size < BIG_UNIT_BLOCKS:
            continue
        devid = "Yes" if rep.devid_of(h.name) else "No "
        if not rep.times:
            rep.w(f"        {h.name:<{ln}} {h.status:<12} {h.size} blocks\t{devid}\n")
        else:
            rep.w(f"        {h.name:<{ln}}\t    {h.status:<11} {h.size:8d} blocks{devid}"
                  f"\t{rep.time(h.timestamp)}\n")
    rep.w("\n")


_CONCISE_STATE = {"In use": "in-use", "Broken": "broken"}


def concise_hsp(rep: Reporter, pool: HotSparePool) -> None:
    """metastat.c print_concise_hsp (-c): ``hspNNN h - spare [(state)]...``."""
    rep.concise_entry(0, rep.name(pool.name), 0, "h")
    for h in pool.spares:
        rep.w(f" {h.name}")
        hs_state = _CONCISE_STATE.get(h.status)
        if hs_state is None and h.status != "Available":
            hs_state = "invalid"
        if hs_state is not None:
            rep.w(f" ({hs_state})")
    rep.w("\n")
