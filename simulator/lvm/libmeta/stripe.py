"""Concat/stripes in libmeta: ``metainit dN nrows width comp... [-i il] ... [-h hsp]``.

illumos lib/lvm/libmeta/common/meta_stripe.c meta_init_stripe (the command-line parser) and
meta_check_stripe (interlace range, then per component in-use, size and duplicates), each
check in its source order; the unit is then recorded by the md driver
(:meth:`~simulator.lvm.md.create.CreateMixin.create_stripe`). The report and md.tab printing
of a stripe are in :mod:`simulator.lvm.libmeta.printing` (stripe_report, stripe_print).
"""

from __future__ import annotations

from simulator.core.strerror import ENOENT, strerror
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.check import check_inmeta, check_inuse
from simulator.lvm.libmeta.init import Context, component, new_md_name, slice_size
from simulator.lvm.libmeta.mdtab import (
    SubOpts,
    cook_syntax,
    first_is_option,
    parse_interlace,
    scan_uint,
)
from simulator.lvm.libmeta.names import hspname
from simulator.lvm.md.create import DEFAULT_INTERLACE, MAX_INTERLACE, MIN_INTERLACE
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import SoftPartition
from simulator.lvm.md.replicas import data_start


def init_stripe(ctx: Context, argv: list[str]) -> None:
    """meta_stripe.c meta_init_stripe: ``dN nrows width comp... [-i il] ... [-h hsp]``."""
    s, short = new_md_name(ctx, argv[0])
    uname = s.display(short)
    args = argv[1:]
    if first_is_option(args):
        raise cook_syntax(E.ILLEGAL_OPTION, uname, args[0])
    if not args:
        raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
    nrow = scan_uint(args[0])
    if nrow is None or nrow < 0:
        raise cook_syntax(E.SYNTAX, uname, args[0])
    if nrow < 1:
        raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
    args = args[1:]
    rows: list[tuple[list[tuple[MDSet | None, str]], int | None]] = []
    for _ in range(nrow):
        if not args:
            raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
        ncomp = scan_uint(args[0])
        if ncomp is None or ncomp < 0:
            raise cook_syntax(E.SYNTAX, uname, args[0])
        if ncomp < 1:
            raise MDError(E.NOT_ENOUGH_COMPS, name=uname)
        args = args[1:]
        comps: list[tuple[MDSet | None, str]] = []
        for _ in range(ncomp):
            if not args:
                raise MDError(E.NOT_ENOUGH_COMPS, name=uname)
            cset, comp = component(ctx, args[0])
            if cset is not None and not isinstance(cset.units.get(comp), SoftPartition):
                raise MDError(E.IS_META, name=cset.display(comp))
            comps.append((cset, comp))
            args = args[1:]
        interlace: int | None = None
        getopts = SubOpts(args, "i:")
        while (got := getopts.next()) is not None:
            if got[0] != "i":
                getopts.optind = getopts.old_optind
                break
            interlace = parse_interlace(uname, got[1] or "")
            if not MIN_INTERLACE <= interlace <= MAX_INTERLACE:
                raise MDError(E.INVALID_INTERLACE, name=uname)
        args = args[getopts.optind:]
        rows.append((comps, interlace))
    hsp: str | None = None
    getopts = SubOpts(args, "h:")
    while (got := getopts.next()) is not None:
        if got[0] != "h":
            raise cook_syntax(E.ILLEGAL_OPTION, uname, args[getopts.old_optind])
        hsp = _existing_hsp(ctx, got[1] or "")
    args = args[getopts.optind:]
    if args:
        raise cook_syntax(E.SYNTAX, uname, args[0])
    _check_stripe(ctx, s, uname, rows)
    model_rows = [([comp for _, comp in comps], il) for comps, il in rows]
    ctx.vm.create_stripe(s, short, model_rows, hsp=hsp, force=True, dry_run=not ctx.opts.doit)
    ctx.inv.out(f"{uname}: Concat/Stripe is setup")


def _existing_hsp(ctx: Context, token: str) -> str:
    """``-h hspNNN``: metahspname, then MDE_INVAL_HSP when the pool does not exist."""
    parsed = hspname(token)
    if parsed is None:
        raise MDError(ENOENT, name=token)
    setname, short = parsed
    s = ctx.vm.get_set(setname) if setname else ctx.s
    if short not in s.hsps:
        raise MDError(E.INVALID_HSP, name=token)
    return short


def _check_stripe(ctx: Context, s: MDSet, uname: str,
                  rows: list[tuple[list[tuple[MDSet | None, str]], int | None]]) -> None:
    """meta_check_stripe: interlace range, then per component in-use/size/duplicate."""
    seen: list[str] = []
    for comps, interlace in rows:
        il = interlace or DEFAULT_INTERLACE
        if not MIN_INTERLACE <= il <= MAX_INTERLACE:
            raise MDError(E.INVALID_INTERLACE, name=uname)
        for cset, comp in comps:
            if cset is not None:
                name = cset.display(comp)
                if not ctx.opts.force:
                    check_inuse(ctx.vm, name)
                unit = cset.units[comp]
                if unit.parent is not None:
                    raise MDError(E.IN_USE, name=name)
                size = unit.size
            else:
                name = comp
                if not ctx.opts.force:
                    check_inuse(ctx.vm, comp)
                check_inmeta(ctx.vm, s, comp)
                start = data_start(s.replicas, comp)
                size = (slice_size(ctx.vm, comp) or 0) - start
                if size <= 0:
                    raise MDError(strerror("ENOSPC"), name=comp)
            if size // il * il == 0:
                raise MDError(strerror("ENOSPC"), name=name)
            if name in seen:
                raise E.already(name, uname)
            seen.append(name)
