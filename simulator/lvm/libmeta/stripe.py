"""Concat/stripes in libmeta: ``metainit dN nrows width comp... [-i il] ... [-h hsp]``.

illumos lib/lvm/libmeta/common/meta_stripe.c meta_init_stripe (the command-line parser) and
meta_check_stripe (interlace range, then per component in-use, size and duplicates), each
check in its source order; the unit is then recorded by the md driver
(:meth:`~simulator.lvm.md.create.CreateMixin.create_stripe`).

The stripe's report and print code is here too, from the same file: meta_stripe_print,
stripe_report (the long ``metastat`` form) with subdev_row_report and toplev_row_report,
stripe_print (``metastat -p``, the md.tab line), meta_find_erred_comp, and the stripe's
``metastat -c`` line (cmd/lvm/util/metastat.c print_concise_stripe). What every type shares
is in :mod:`simulator.lvm.libmeta.printing`; the layouts match Solaris byte for byte.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

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
from simulator.lvm.md.records import Component, Row, SoftPartition, Stripe, Unit
from simulator.lvm.md.replicas import data_start
from simulator.lvm.md.states import CompState

if TYPE_CHECKING:
    from simulator.lvm.libmeta.printing import Reporter


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


# ---------------------------------------------------------------------------- report and print
def unavailable(u: Unit | None) -> bool:
    """The unit's transient state has MD_DEV_ERRORED (a component could not be reached)."""
    if not isinstance(u, Stripe):
        return False
    for row in u.rows:
        for c in row.components:
            if c.state == CompState.UNAVAILABLE:
                return True
    return False


def find_erred_comp(st: Stripe) -> Component | None:
    """meta_stripe.c meta_find_erred_comp: the Erred component with the lowest error count,
    else the Last Erred one with the lowest count."""
    for wanted in (CompState.ERRED, CompState.LAST_ERRED):
        best: Component | None = None
        for c in st.components:
            if c.state == wanted and (best is None or c.error_count < best.error_count):
                best = c
        if best is not None:
            return best
    return None


def stripe_print(rep: Reporter, st: Stripe, header: bool, subdevs: bool,
                 errored: bool | None = None) -> None:
    """meta_stripe.c meta_stripe_print: the stripe, then components that are metadevices.
    ``errored``: :func:`unavailable` of the stripe when the caller has it already (a mirror's
    report asks it of every submirror)."""
    if not subdevs and rep.parented(st):
        return
    if rep.short:
        stripe_line(rep, st)
    else:
        stripe_report(rep, st, header, errored)
    units = rep.s.units
    for row in st.rows:
        for comp in row.components:
            child = units.get(comp.name)
            if child is not None:
                rep.print_unit(child, True, True)


def stripe_line(rep: Reporter, st: Stripe) -> None:
    """meta_stripe.c stripe_print: ``dN rows ncomp comp... [-i Nb] \\`` ... ``[-h hsp]``."""
    if (rep.large and not rep.big(st)) or rep.fn:
        return
    out = f"{rep.name(st.name)} {len(st.rows)}"
    for i, row in enumerate(st.rows):
        out += f" {len(row.components)}"
        out += "".join(f" {c.name}" for c in row.components)
        if len(row.components) > 1:
            out += f" -i {row.interlace}b"
        if i != len(st.rows) - 1:
            out += " \\\n\t"
    if st.hsp:
        out += f" -h {rep.name(st.hsp)}"
    rep.w(out + "\n")


def stripe_report(rep: Reporter, st: Stripe, header: bool, errored: bool | None = None) -> None:
    """meta_stripe.c stripe_report. ``errored``: :func:`unavailable` of the stripe, when the
    caller has it already."""
    if rep.large or rep.fn:
        if rep.fn or not rep.big(st):
            return
        rep.getdevs(st, rep.devs)
    w = rep.chunks.append       # rep.w, without a call per line
    if header:
        w(f"{rep.name(st.name)}: Concat/Stripe\n")
    if st.hsp:
        w(f"    Hot spare pool: {rep.name(st.hsp)}\n")
    if errored is None:
        errored = unavailable(st)
    if errored:
        w("    State: Unavailable\n    Reconnect disk and invoke: metastat -i\n")
    rep.size_line(st.size)
    sub = rep.parented(st)
    for i, row in enumerate(st.rows):
        if len(row.components) > 1:
            w(f"    Stripe {i}: (interlace: {row.interlace} blocks)\n")
        else:
            w(f"    Stripe {i}:\n")
        if sub:
            subdev_rows(rep, row, errored)
        else:
            toplev_rows(rep, row)
    w("\n")


def comp_state(rep: Reporter, comp: Component, top_errored: bool) -> str:
    """subdev_row_report: ``-`` for slices of an unreachable stripe, else the name
    (comp_state_to_name; a metadevice component that is unreachable is Unavailable)."""
    child = rep.s.units.get(comp.name)
    if child is not None:
        return "Unavailable" if unavailable(child) else comp.state._value_
    if top_errored:
        return "-"
    return comp.state._value_       # the member's text (``.value`` is a descriptor call)


@lru_cache(maxsize=32)
def subdev_header(ln: int, times: bool) -> str:
    """subdev_row_report's column titles for a device column ``ln`` wide (with ``-t``, the
    Time column's). A pure function of the two, the same for most rows of a report: kept.

    C's ``%-*.*s`` / ``%*.*s`` (:meth:`Reporter.printf_s`) are written as the format
    specifications that do the same, ``{:<w.p}`` / ``{:>w.p}`` (cut to p, padded to w)."""
    if not times:
        return (f"\t{'Device':<{ln}.{ln}} {'Start Block':<12.12} "
                f"{'Dbase':>5.5} {'State':>12.12} {'Reloc':>5.5} "
                "Hot Spare\n")
    return (f"\t{'Device':<{ln}} {'Start':>5} {'Dbase':>5} "
            f"{'State':<11} {'Reloc':<5} {'Hot Spare':<9} Time\n")


def subdev_rows(rep: Reporter, row: Row, top_errored: bool) -> None:
    """meta_stripe.c subdev_row_report (a stripe with a parent: State and Hot Spare).

    C's ``%-*.*s`` / ``%*.*s`` (:meth:`Reporter.printf_s`) are written as the format
    specifications that do the same, ``{:<w.p}`` / ``{:>w.p}`` (cut to p, padded to w): a
    report prints one such line per component."""
    w = rep.chunks.append       # rep.w, without a call per line
    comps = row.components
    ln = 6                      # len("Device"): the column is as wide as its longest name
    for c in comps:
        if len(c.name) > ln:
            ln = len(c.name)
    ln += 2
    times = rep.times
    w(subdev_header(ln, times))
    for c in comps:
        dbase = "Yes" if rep.has_mddb(c.name) else "No"
        state = comp_state(rep, c, top_errored)
        hs = c.hot_spare or ""
        if not times:
            w(f"\t{c.name:<{ln}} {c.start_block:8d}     {dbase:<5.5} "
              f"{state:>12.12} {rep.reloc(c):>5.5} {hs}\n")
        else:
            w(f"\t{c.name:<{ln}} {c.start_block:5d} {dbase:<5} {state:<11} "
              f"{rep.reloc(c):<5} {hs:<9} {rep.time(c.timestamp)}\n")


def toplev_rows(rep: Reporter, row: Row) -> None:
    """meta_stripe.c toplev_row_report (a top-level concat/stripe: no State column)."""
    s_ = rep.printf_s
    ln = max([len(c.name) for c in row.components] + [len("Device")]) + 2
    rep.w(f"\t{s_('Device', ln, ln, True)} {s_('Start Block', 12, 12, True)} "
          f"{s_('Dbase', 5, 5, True)}\tReloc\n")
    for c in row.components:
        dbase = "Yes" if rep.has_mddb(c.name) else "No"
        rep.w(f"\t{c.name:<{ln}} {c.start_block:8d}     {s_(dbase, 5, 5, True)}"
              f"\t{rep.reloc(c)}\n")


_CONCISE_STATE = {CompState.OKAY: None, CompState.ERRED: "maint",
                  CompState.LAST_ERRED: "last-erred", CompState.RESYNC: "resyncing"}


def concise_stripe(rep: Reporter, indent: int, st: Stripe) -> None:
    """metastat.c print_concise_stripe (-c): the line, then the metadevices under it."""
    rep.concise_entry(indent, rep.name(st.name), st.size, "s")
    top = unavailable(st)
    for c in st.components:
        rep.w(f" {rep.concise_compname(c.name)}")
        child = rep.unit(c.name)
        state: str | None
        if child is not None:
            state = "unavail" if unavailable(child) else _CONCISE_STATE.get(c.state, "invalid")
        elif top:
            state = "-"
        else:
            state = _CONCISE_STATE.get(c.state, "invalid")
        if state is not None:
            rep.w(f" ({state}-{c.hot_spare})" if c.hot_spare else f" ({state})")
        elif c.hot_spare:
            rep.w(f" (spared-{c.hot_spare})")
    rep.w("\n")
    for c in st.components:
        rep.concise_md(indent + rep.META_INDENT, c.name)
