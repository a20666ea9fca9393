"""Hot spare pools in libmeta: ``metainit hspNNN [comp...]`` and meta_check_hotspare.

illumos lib/lvm/libmeta/common/meta_hotspares.c meta_init_hsp (the parser) and
meta_check_hotspare (a plain slice, not mounted, without replica, in no metadevice), which
``metahs -a/-r`` runs too. The hotspares driver's side is :mod:`simulator.lvm.md.spares`;
hsp_report / hsp_print are in :mod:`simulator.lvm.libmeta.printing`.
"""

from __future__ import annotations

from simulator.core.strerror import ENOENT, strerror
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.check import check_inmeta, check_inuse
from simulator.lvm.libmeta.init import Context, component, slice_size
from simulator.lvm.libmeta.mdtab import cook_syntax, first_is_option
from simulator.lvm.libmeta.names import hspname
from simulator.lvm.md.manager import MDSet, VolumeManager


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
