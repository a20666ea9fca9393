"""metainit: create concats/stripes, mirrors, hot spare pools and soft partitions.

Follows usr/src/cmd/lvm/util/metainit.c (options, md.tab handling, exit codes) and the
libmeta command-line parsers it calls: meta_init.c (meta_get_init_type, parse_interlace),
meta_stripe.c meta_init_stripe/meta_check_stripe, meta_mirror.c meta_init_mirror/
meta_check_mirror/meta_check_submirror, meta_hotspares.c meta_init_hsp/meta_check_hotspare
and meta_sp.c meta_init_sp/meta_check_sp/meta_create_sp. Every check runs in the order the
source runs it, so the first error a real host would report is the one printed. The model
(VolumeManager) then records the new metadevice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.core.names import DISK_RE, short_name
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.mdtab import (
    BAD_PASS,
    NO_SUCH_FILE,
    OPTION,
    SYNTAX,
    TAB_HSP,
    TAB_MD_HSP,
    TAB_MIRROR,
    TAB_RAID,
    TAB_SP,
    TAB_STRIPE,
    TAB_TRANS,
    SubOpts,
    TabLine,
    canonical_name,
    cook_syntax,
    find_line,
    first_is_option,
    init_type,
    parse_hsp_name,
    parse_interlace,
    parse_md_name,
    parse_mdtab,
    parse_sp_size,
    scan_uint,
    slice_token,
)
from simulator.lvm.md.manager import (
    DEFAULT_INTERLACE,
    MAX_INTERLACE,
    MIN_INTERLACE,
    MDSet,
    VolumeManager,
)
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    Mirror,
    SoftPartition,
    Stripe,
    Unit,
    unit_number,
)
from simulator.lvm.md.replicas import end_block, is_stale

NAME = "metainit"

# metainit.c usage()
USAGE = """\
usage:\t{0} [-s setname] [-n] [-f] concat/stripe numstripes
\t\twidth component... [-i interlace]
\t\t[width component... [-i interlace]] [-h hotspare_pool]
\t{0} [-s setname] [-n] [-f] mirror -m submirror...
\t\t[read_options] [write_options] [pass_num]
\t{0} [-s setname] [-n] [-f] RAID -r component...
\t\t[-i interlace] [-h hotspare_pool]
\t\t[-k] [-o original_column_count]
\t{0} [-s setname] [-n] [-f] hotspare_pool [hotspare...]
\t{0} [-s setname] [-n] [-f] softpart -p [-A alignment]
\t\t[-e] device size|all
\t{0} [-s setname] [-n] [-f] md.tab_entry
\t{0} [-s setname] [-n] [-f] -a
\t{0} -r
"""

# md_basic.h MD_EOF_TRANS_MSG (MDE_EOF_TRANS)
EOF_TRANS = ("Trans logging has been replaced by UFS Logging.\n"
             "See mount_ufs(1M). Operation failed.\n")
IS_META = "is a metadevice"
NOSPC = "No space left on device"
SP_NOSPACE = "not enough space available for request"
SP_OVERLAP = "overlapping extents specified"
NOT_DRIVENAME = "not a valid drive name"
MIRROR_WARNING = ("{0}: WARNING: This form of metainit is not recommended.\n"
                  "The submirrors may not have the same data.\n"
                  "Please see ERRORS in metainit(1M) for additional information.")
WM_SIZE = 1   # MD_SP_WMSIZE: one watermark block in front of every extent


def already(comp: str, where: str) -> MDError:
    """MDE_ALREADY (meta_check.c meta_check_overlap): the slice is used by ``where``."""
    return MDError(f"has appeared more than once in the specification of {where}", name=comp)


@dataclass
class Options:
    """metainit's global options: -f, -n (no DOIT) and -a (MDCMD_ALLOPTION)."""

    force: bool = False
    doit: bool = True
    allopt: bool = False


@dataclass
class Context:
    """What one metainit entry needs: the host's volume manager, set and output."""

    inv: Invocation
    vm: VolumeManager
    s: MDSet
    opts: Options
    warn: Callable[[str], None] = field(default=lambda text: None)


def usage(inv: Invocation, code: int = 1) -> int:
    """Usage text on stderr (metainit.c usage), exit 1 (0 for -h)."""
    inv.err(USAGE.format(inv.prog), end="")
    return code


def main(inv: Invocation) -> int:
    """metainit.c main: root check, options, database check, then -r / -a / one entry."""
    if not inv.need_root():
        return 1
    opts_list, args = getopt(inv, "afhnrs:?")
    sname: str | None = None
    todo = ""
    opts = Options()
    for opt, val in opts_list:
        if opt in ("-h", "-?"):
            return usage(inv, 0)
        if opt == "-s":
            sname = val
        elif opt in ("-a", "-r"):
            if todo:
                return usage(inv, 1)
            todo = opt
            opts.allopt = opt == "-a"
        elif opt == "-n":
            opts.doit = False
        elif opt == "-f":
            opts.force = True
    vm = inv.host.md
    s = vm.get_set(sname)
    if (not todo and not args) or (todo and args):
        return usage(inv, 1)
    # meta_setup_db_locations: no replicas, or a stale database (exit 66)
    if not s.replicas:
        return inv.md_error(MDError(E.NO_DB))
    if is_stale(s.replicas):
        return inv.md_error(MDError(E.STALE_DB, exit_code=66))
    ctx = Context(inv, vm, s, opts, warn=lambda text: inv.err(f"{inv.prog}: {text}"))
    if todo == "-r":
        return 0     # boot-time: take auto-take disksets (none are simulated), exit 0
    if todo == "-a":
        return init_all(ctx)
    return init_name(ctx, args)


def _read_tab(ctx: Context) -> list[TabLine]:
    return parse_mdtab(ctx.vm.mdtab)


def init_name(ctx: Context, args: list[str]) -> int:
    """metainit.c init_name: one entry from the command line, or from md.tab by name."""
    argv, context = list(args), None
    if len(argv) == 1:
        try:
            lines = _read_tab(ctx)
        except MDError as e:
            return ctx.inv.md_error(e)
        cname = _tab_key(ctx.s, argv[0])
        line = find_line(lines, cname) if cname else None
        if line is not None:
            argv, context = line.argv, line.context
    try:
        init_one(ctx, argv)
    except MDError as e:
        if context and not e.extra:
            e.extra = context
        return ctx.inv.md_error(e)
    return 0


def _tab_key(s: MDSet, name: str) -> str | None:
    """meta_canonicalize(sp, name): how md.tab entries of this set are named."""
    cname = canonical_name(name)
    if cname is None:
        return None
    return cname if "/" in cname or not s.name else f"{s.name}/{cname}"


def init_all(ctx: Context) -> int:
    """metainit.c init_all: build every md.tab entry of the set, retrying until no progress.

    Quiet passes run while something gets built (errors are not shown then; messages on
    stdout and warnings are); a last pass reports what still fails, each error prefixed
    with its md.tab line. An unreadable md.tab exits 255 (eval -1).
    """
    try:
        lines = _read_tab(ctx)
    except MDError as e:
        ctx.inv.md_error(e)
        return 255
    todo: list[TabLine] = []
    for line in lines:
        if line.type not in TAB_MD_HSP:
            continue
        setname = line.cname.rpartition("/")[0]
        if setname == ctx.s.name:
            todo.append(line)
    done: set[int] = set()

    def one_pass(report: bool) -> tuple[int, bool]:
        count, failed = 0, False
        for i, line in enumerate(todo):
            if i in done:
                continue
            try:
                init_one(ctx, list(line.argv))
            except MDError as e:
                if report:
                    e.extra = line.context
                    ctx.inv.md_error(e)
                    failed = True
                continue
            done.add(i)
            count += 1
        return count, failed

    while one_pass(report=False)[0] > 0:
        pass
    _, failed = one_pass(report=True)
    return 1 if failed else 0


# ---------------------------------------------------------------------------- dispatch
def init_one(ctx: Context, argv: list[str]) -> None:
    """meta_init_name: pick the parser by meta_get_init_type and run it."""
    kind = init_type(argv)
    if kind == TAB_TRANS:
        raise MDError(EOF_TRANS)
    if kind == TAB_HSP:
        init_hsp(ctx, argv)
    elif kind == TAB_STRIPE:
        init_stripe(ctx, argv)
    elif kind == TAB_MIRROR:
        init_mirror(ctx, argv)
    elif kind == TAB_SP:
        init_sp(ctx, argv)
    elif kind == TAB_RAID:
        set_, short = _new_md_name(ctx, argv[0])
        raise MDError("RAID-5 metadevices are not simulated by svmsim",
                      name=set_.display(short))
    else:
        raise MDError(SYNTAX, name=f'"{argv[0]}"')


# ---------------------------------------------------------------------------- names
def _slice_size(vm: VolumeManager, comp: str) -> int | None:
    try:
        return vm.slice_size(comp)
    except MDError:
        return None


def _md_name(ctx: Context, token: str) -> tuple[MDSet, str] | None:
    """metaname(META_DEVICE): (set, ``dN``); None for an existing slice (checked later).

    Any other token names no device: ``<token>: No such file or directory``.
    """
    parsed = parse_md_name(token)
    if parsed is not None:
        setname, short = parsed
        return (ctx.vm.get_set(setname) if setname else ctx.s), short
    sl = slice_token(token)
    if sl is not None and _slice_size(ctx.vm, sl) is not None:
        return None
    raise MDError(NO_SUCH_FILE, name=token)


def _new_md_name(ctx: Context, token: str) -> tuple[MDSet, str]:
    """The metadevice to create: must be a metadevice name that is not in use yet."""
    found = _md_name(ctx, token)
    if found is None:
        raise MDError(E.NOT_META, name=slice_token(token))
    s, short = found
    if short in s.units:
        raise MDError(E.UNIT_ALREADY_SET_UP, name=s.display(short))
    return s, short


def _component(ctx: Context, token: str) -> tuple[MDSet | None, str]:
    """metaname(UNKNOWN) of a component: (set, ``dN``) for a metadevice, (None, slice)."""
    parsed = parse_md_name(token)
    if parsed is not None:
        setname, short = parsed
        return (ctx.vm.get_set(setname) if setname else ctx.s), short
    sl = slice_token(token)
    if sl is None or _slice_size(ctx.vm, sl) is None:
        raise MDError(NO_SUCH_FILE, name=token)
    return None, sl


def unit_using(vm: VolumeManager, comp: str) -> str | None:
    """The metadevice that has ``comp`` as a component (a hot spare standing in for a
    component does not count: meta_check_instripe looks at the components themselves)."""
    for s, u in vm.all_units():
        if isinstance(u, Stripe) and any(c.name == comp for c in u.components):
            return s.display(u.name)
        if isinstance(u, SoftPartition) and u.component == comp:
            return s.display(u.name)
    return None


def _slice_user(vm: VolumeManager, comp: str) -> str | None:
    """The metadevice or hot spare pool already using ``comp`` (meta_check_inmeta order:
    metadevices first, then hot spare pools)."""
    user = unit_using(vm, comp)
    if user is not None:
        return user
    for s in vm.sets.values():
        for pool in s.hsps.values():
            if pool.find(comp) is not None:
                return s.display(pool.name)
    return None


def _start_block(s: MDSet, comp: str) -> int:
    """metagetstart: the first block after the replicas on a slice (0 without any)."""
    start = end_block(s.replicas, comp)
    return max(start, 16) if start else 0


# ---------------------------------------------------------------------------- stripe
def init_stripe(ctx: Context, argv: list[str]) -> None:
    """meta_stripe.c meta_init_stripe: ``dN nrows width comp... [-i il] ... [-h hsp]``."""
    s, short = _new_md_name(ctx, argv[0])
    uname = s.display(short)
    args = argv[1:]
    if first_is_option(args):
        raise cook_syntax(OPTION, uname, args[0])
    if not args:
        raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
    nrow = scan_uint(args[0])
    if nrow is None or nrow < 0:
        raise cook_syntax(SYNTAX, uname, args[0])
    if nrow < 1:
        raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
    args = args[1:]
    rows: list[tuple[list[tuple[MDSet | None, str]], int | None]] = []
    for _ in range(nrow):
        if not args:
            raise MDError(E.NOT_ENOUGH_STRIPES, name=uname)
        ncomp = scan_uint(args[0])
        if ncomp is None or ncomp < 0:
            raise cook_syntax(SYNTAX, uname, args[0])
        if ncomp < 1:
            raise MDError(E.NOT_ENOUGH_COMPS, name=uname)
        args = args[1:]
        comps: list[tuple[MDSet | None, str]] = []
        for _ in range(ncomp):
            if not args:
                raise MDError(E.NOT_ENOUGH_COMPS, name=uname)
            cset, comp = _component(ctx, args[0])
            if cset is not None and not isinstance(cset.units.get(comp), SoftPartition):
                raise MDError(IS_META, name=cset.display(comp))
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
            raise cook_syntax(OPTION, uname, args[getopts.old_optind])
        hsp = _existing_hsp(ctx, got[1] or "")
    args = args[getopts.optind:]
    if args:
        raise cook_syntax(SYNTAX, uname, args[0])
    _check_stripe(ctx, s, uname, rows)
    model_rows = [([comp for _, comp in comps], il) for comps, il in rows]
    ctx.vm.create_stripe(s, short, model_rows, hsp=hsp, force=True, dry_run=not ctx.opts.doit)
    ctx.inv.out(f"{uname}: Concat/Stripe is setup")


def _existing_hsp(ctx: Context, token: str) -> str:
    """``-h hspNNN``: metahspname, then MDE_INVAL_HSP when the pool does not exist."""
    parsed = parse_hsp_name(token)
    if parsed is None:
        raise MDError(NO_SUCH_FILE, name=token)
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
                where = None if ctx.opts.force else ctx.vm.is_open(name)
                if where is not None:
                    raise MDError(f"is mounted on {where}", name=name)
                unit = cset.units[comp]
                if unit.parent is not None:
                    raise MDError(E.IN_USE, name=name)
                size = unit.size
            else:
                name = comp
                where = None if ctx.opts.force else ctx.vm.is_open(comp)
                if where is not None:
                    raise MDError(f"is mounted on {where}", name=comp)
                user = _slice_user(ctx.vm, comp)
                if user is not None:
                    raise already(comp, user)
                start = _start_block(s, comp)
                size = (_slice_size(ctx.vm, comp) or 0) - start
                if size <= 0:
                    raise MDError(NOSPC, name=comp)
            if size // il * il == 0:
                raise MDError(NOSPC, name=name)
            if name in seen:
                raise already(name, uname)
            seen.append(name)


# ---------------------------------------------------------------------------- mirror
def init_mirror(ctx: Context, argv: list[str]) -> None:
    """meta_mirror.c meta_init_mirror: ``dM -m dS [dS...] [-g|-r] [-S] [pass]``."""
    s, short = _new_md_name(ctx, argv[0])
    uname = s.display(short)
    args = argv[1:]
    if not args or args[0] != "-m":
        raise cook_syntax(SYNTAX, uname, args[0] if args else None)
    args = args[1:]
    if not args:
        raise cook_syntax(SYNTAX, uname, None)
    if first_is_option(args):
        raise cook_syntax(OPTION, uname, args[0])
    subs: list[tuple[MDSet | None, str]] = []
    while args and not args[0].startswith("-") and not args[0][:1].isdigit():
        if len(subs) >= MAX_SUBMIRRORS:
            raise MDError(E.MAX_SUBMIRRORS, name=uname)
        found = _md_name(ctx, args[0])
        subs.append(found if found is not None else (None, slice_token(args[0]) or args[0]))
        args = args[1:]
    if not subs:
        raise MDError(E.NOT_ENOUGH_SUBMIRRORS, name=uname)
    if len(subs) > 1:
        ctx.warn(MIRROR_WARNING.format(uname))
    read_option, write_option, pass_num = "roundrobin", "parallel", 1
    getopts = SubOpts(args, "grS")
    while (got := getopts.next()) is not None:
        if got[0] in ("g", "r"):
            if read_option != "roundrobin":
                raise MDError(E.INVALID_READ_OPTION, name=uname)
            read_option = "geometric" if got[0] == "g" else "first"
        elif got[0] == "S":
            if write_option != "parallel":
                raise MDError(E.INVALID_WRITE_OPTION, name=uname)
            write_option = "serial"
        else:
            raise cook_syntax(OPTION, uname, args[getopts.old_optind])
    args = args[getopts.optind:]
    if args and args[0][:1].isdigit():
        num = scan_uint(args[0])
        if num is None or not 0 <= num <= 9:
            raise cook_syntax(BAD_PASS, uname, args[0])
        pass_num = num
        args = args[1:]
    if args:
        raise cook_syntax(SYNTAX, uname, args[0])
    names = _check_mirror(ctx, s, uname, subs)
    if ctx.opts.doit:
        ctx.vm.create_mirror(s, short, names, read_option, write_option, pass_num)
    ctx.inv.out(f"{uname}: Mirror is setup")


def _check_mirror(ctx: Context, s: MDSet, uname: str,
                  subs: list[tuple[MDSet | None, str]]) -> list[str]:
    """meta_check_mirror / meta_check_submirror (the latter only when really creating)."""
    names: list[str] = []
    for i, (sset, sub) in enumerate(subs):
        if sset is None:
            if ctx.opts.doit:
                raise MDError(E.NOT_META, name=sub)
            names.append(sub)
            continue
        display = sset.display(sub)
        if ctx.opts.doit:
            where = None if ctx.opts.force else ctx.vm.is_open(display)
            if where is not None:
                raise MDError(f"is mounted on {where}", name=display)
        unit = sset.units.get(sub)
        if unit is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=display)
        if ctx.opts.doit:
            if not isinstance(unit, Stripe) or unit.parent is not None:
                raise MDError(E.INVALID_UNIT, name=display)
            if unit.size == 0:
                raise MDError(NOSPC, name=display)
        if any(o_set is sset and o_sub == sub for o_set, o_sub in subs[:i]):
            raise already(display, uname)
        names.append(sub)
    return names


# ---------------------------------------------------------------------------- hot spare pools
def init_hsp(ctx: Context, argv: list[str]) -> None:
    """meta_hotspares.c meta_init_hsp: ``hspNNN [component...]``."""
    parsed = parse_hsp_name(argv[0])
    if parsed is None:
        raise MDError(NO_SUCH_FILE, name=argv[0])
    setname, short = parsed
    s = ctx.vm.get_set(setname) if setname else ctx.s
    uname = s.display(short)
    if short in s.hsps:
        raise MDError(E.HSP_ALREADY_SETUP, name=uname)
    args = argv[1:]
    if first_is_option(args):
        raise cook_syntax(OPTION, uname, args[0])
    comps = [_component(ctx, token) for token in args]
    for i, (cset, comp) in enumerate(comps):
        check_hotspare(ctx.vm, s, cset, comp)
        if any(o_set is cset and o_comp == comp for o_set, o_comp in comps[:i]):
            raise already(comp, uname)
    if not ctx.opts.doit:
        return
    ctx.vm.create_hsp(s, short, [comp for _, comp in comps])
    ctx.inv.out(f"{uname}: Hotspare pool is setup")


def check_hotspare(vm: VolumeManager, s: MDSet, cset: MDSet | None, comp: str) -> None:
    """meta_check_hotspare: a plain slice, not mounted, without replica, in no metadevice.

    Being a hot spare in another pool is allowed (MDCHK_ALLOW_HS).
    """
    if cset is not None:
        raise MDError(IS_META, name=cset.display(comp))
    where = vm.is_open(comp)
    if where is not None:
        raise MDError(f"is mounted on {where}", name=comp)
    if end_block(s.replicas, comp):
        raise MDError(E.HAS_REPLICA, name=comp)
    user = unit_using(vm, comp)
    if user is not None:
        raise already(comp, user)
    if not _slice_size(vm, comp):
        raise MDError(NOSPC, name=comp)


# ---------------------------------------------------------------------------- soft partitions
def init_sp(ctx: Context, argv: list[str]) -> None:
    """meta_sp.c meta_init_sp: ``dN -p [-e] comp [-A align] size|all`` or ``-o off -b len...``.

    Syntax errors name the component, as in the source (``compname``).
    """
    devname = argv[0]
    found = _md_name(ctx, devname)
    if found is None:
        raise MDError(E.NOT_META, name=slice_token(devname))
    s, short = found
    if short in s.units:
        raise MDError(E.UNIT_ALREADY_SET_UP, name=devname)
    args = argv[1:]
    if not args or args[0] != "-p":
        raise cook_syntax(SYNTAX, None, args[0] if args else None)
    args = args[1:]
    if not args:
        raise MDError(SYNTAX)
    whole_disk = args[0] == "-e"
    if whole_disk:
        args = args[1:]
        if not args:
            raise MDError(SYNTAX)
    compname = args[0]
    if whole_disk:
        cset, comp = None, _whole_disk(ctx, compname)
    else:
        cset, comp = _component(ctx, compname)
    compname = cset.display(comp) if cset is not None else comp
    args = args[1:]
    if not args:
        raise cook_syntax(SYNTAX, compname, None)
    requested: list[tuple[int, int]] = []
    alignment = 0
    if args[0].startswith("-"):
        getopts = SubOpts(args, "A:o:b:")
        offset: int | None = None
        while (got := getopts.next()) is not None:
            opt, val = got
            failed = False
            if opt == "A":
                parsed = parse_sp_size(val or "")
                if parsed is None or val is None or val.lower() == "all":
                    failed = True
                else:
                    alignment = parsed
            elif opt == "o":
                number = _atoll(val or "")
                if offset is not None or number <= 0:
                    failed = True
                else:
                    offset = number
            elif opt == "b":
                number = _atoll(val or "")
                if offset is None or number <= 0:
                    failed = True
                else:
                    requested.append((offset, number))
                    offset = None
            else:
                raise cook_syntax(OPTION, compname, args[getopts.old_optind])
            if failed:
                raise cook_syntax(SYNTAX, compname, args[getopts.old_optind])
        args = args[getopts.optind:]
        if offset is not None:
            raise cook_syntax(SYNTAX, compname, args[0] if args else None)
        if requested and alignment:
            raise cook_syntax(SYNTAX, compname, args[0] if args else None)
        ordered = sorted(requested)     # meta_sp_list_overlaps on the offset-sorted list
        if any(a + la > b for (a, la), (b, _) in zip(ordered, ordered[1:], strict=False)):
            raise cook_syntax(SYNTAX, compname, args[0] if args else None)
    length = sum(n for _, n in requested)
    if not requested:
        if not args:
            raise cook_syntax(SYNTAX, compname, None)
        size = parse_sp_size(args[0])
        if size is None:
            raise cook_syntax(SYNTAX, compname, args[0])
        length = size
        args = args[1:]
    if args:
        raise cook_syntax(SYNTAX, compname, args[0])
    _check_sp(ctx, s, cset, comp, whole_disk)
    if whole_disk and not ctx.opts.doit:
        ctx.inv.out(f"{devname}: Soft Partition is setup")
        return
    extents = _allocate(ctx, s, s.display(short), cset, comp, length, requested, alignment)
    if ctx.opts.doit:
        unit = SoftPartition(name=short, component=comp, extents=extents,
                             timestamp=ctx.vm.now())
        s.units[short] = unit
        if cset is not None:
            cset.units[comp].parent = sp_parent(cset, comp)
    ctx.inv.out(f"{devname}: Soft Partition is setup")


def sp_parent(s: MDSet, comp: str, leaving: str | None = None) -> str | None:
    """The soft partition recorded as parent of the metadevice ``comp`` they are built on.

    The driver only needs one of them (meta_sp_reset reparents to any other); the lowest
    numbered keeps the record independent of the order they were created in.
    """
    names = [u.name for u in s.units.values()
             if isinstance(u, SoftPartition) and u.component == comp and u.name != leaving]
    return min(names, key=unit_number) if names else None


def _atoll(text: str) -> int:
    """atoll(3C): the leading (signed) number of the text, 0 if there is none."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else 0


def _whole_disk(ctx: Context, token: str) -> str:
    """``-e cXtYdZ``: the drive's slice 0 (metadrivename + metaslicename; meta_check_sp
    refuses any other slice as "not a valid drive name")."""
    name = short_name(token)
    sl = slice_token(token)
    if sl is not None and sl[:-2] in ctx.vm.disks:
        if not sl.endswith("s0"):
            raise MDError(NOT_DRIVENAME, name=sl)
        name = sl[:-2]
    if not DISK_RE.match(name) or name not in ctx.vm.disks:
        raise MDError(NO_SUCH_FILE, name=token)
    if 0 not in ctx.vm.disks[name].slices:
        raise MDError("invalid slice number for drive name", name=name)
    return f"{name}s0"


def _check_sp(ctx: Context, s: MDSet, cset: MDSet | None, comp: str, whole_disk: bool) -> None:
    """meta_sp.c meta_check_sp: the component may carry other soft partitions only."""
    vm = ctx.vm
    if whole_disk:
        disk = comp[:-2]
        for num in sorted(vm.disks[disk].slices):
            sl = f"{disk}s{num}"
            where = vm.is_open(sl)
            if where is not None:
                raise MDError(f"is mounted on {where}", name=sl)
            user = _slice_user(vm, sl)
            if user is not None and num != 7:
                raise already(sl, user)
            if num != 7 and end_block(s.replicas, sl):
                raise MDError(E.HAS_REPLICA, name=sl)
        return
    if cset is None:
        where = vm.is_open(comp)
        if where is not None:
            raise MDError(f"is mounted on {where}", name=comp)
        owner = vm.component_owner(comp)
        if owner is not None and not isinstance(owner[1], SoftPartition):
            raise already(comp, unit_using(vm, comp) or owner[0].display(owner[1].name))
        for pool_set in vm.sets.values():
            for pool in pool_set.hsps.values():
                if pool.find(comp) is not None:
                    raise already(comp, pool_set.display(pool.name))
        return
    display = cset.display(comp)
    where = vm.is_open(display)
    if where is not None:
        raise MDError(f"is mounted on {where}", name=display)
    unit = cset.units.get(comp)
    if unit is None:
        raise MDError(E.UNIT_NOT_SET_UP, name=display)
    if isinstance(unit, SoftPartition):
        raise MDError(E.INVALID_UNIT, name=display)
    parent = cset.units.get(unit.parent) if unit.parent else None
    if unit.parent is not None and not isinstance(parent, SoftPartition):
        raise MDError(E.IN_USE, name=display)


def _sp_layout(ctx: Context, s: MDSet, cset: MDSet | None,
               comp: str) -> tuple[int, list[tuple[int, int]]]:
    """The component's size and its free extents (meta_sp_list_freefill).

    Used space: the reserved start (replicas), one end watermark block, and every
    existing soft partition extent with the watermark block in front of it.
    """
    if cset is not None:
        unit: Unit = cset.units[comp]
        size, start = unit.size, 0
        owners = cset
    else:
        size, start = _slice_size(ctx.vm, comp) or 0, _start_block(s, comp)
        owners = s
    used = [(0, start), (size - WM_SIZE, WM_SIZE)]
    for u in owners.units.values():
        if isinstance(u, SoftPartition) and u.component == comp:
            used += [(poff - WM_SIZE, length + WM_SIZE) for poff, length in u.extents]
    free: list[tuple[int, int]] = []
    cursor = 0
    for off, length in sorted(x for x in used if x[1] > 0):
        if off > cursor:
            free.append((cursor, off - cursor))
        cursor = max(cursor, off + length)
    return size, free


def _default_alignment(cset: MDSet | None, comp: str) -> int:
    """meta_sp_get_default_alignment: slices none; stripes (or a mirror's first submirror)
    the interlace of their first row."""
    if cset is None:
        return 0
    unit = cset.units.get(comp)
    if isinstance(unit, Mirror) and unit.submirrors:
        unit = cset.units.get(unit.submirrors[0].name)
    if isinstance(unit, Stripe) and unit.rows:
        return unit.rows[0].interlace or DEFAULT_INTERLACE
    return 0


def _allocate(ctx: Context, s: MDSet, spname: str, cset: MDSet | None, comp: str,
              length: int, requested: list[tuple[int, int]],
              alignment: int) -> list[tuple[int, int]]:
    """meta_create_sp: extents (data offset, length) from -o/-b, or first fit by length."""
    size, free = _sp_layout(ctx, s, cset, comp)
    compname = cset.display(comp) if cset is not None else comp
    if size <= WM_SIZE:
        raise MDError(SP_NOSPACE, name=compname)
    if requested:
        # meta_sp_alloc_by_list walks the offset-sorted list; the unit keeps the
        # extents in command-line order (meta_sp_fillextarray indexes by sequence)
        for off, n in sorted(requested):
            hit = next((f for f in free if f[0] <= off - WM_SIZE < f[0] + f[1]), None)
            if hit is None or off + n > hit[0] + hit[1]:
                raise MDError(SP_OVERLAP, name=spname)
            free = _take(free, hit, off - WM_SIZE, n + WM_SIZE)
        return list(requested)
    extents = alloc_by_len(free, length, alignment or _default_alignment(cset, comp))
    if not extents:
        raise MDError(SP_NOSPACE, name=spname)
    return extents


def _take(free: list[tuple[int, int]], ext: tuple[int, int], off: int,
          n: int) -> list[tuple[int, int]]:
    """meta_sp_alloc_by_ext: carve [off, off+n) out of the free extent ``ext``."""
    out = []
    for f in free:
        if f != ext:
            out.append(f)
            continue
        if off > f[0]:
            out.append((f[0], off - f[0]))
        if off + n < f[0] + f[1]:
            out.append((off + n, f[0] + f[1] - off - n))
    return sorted(out)


def alloc_by_len(free: list[tuple[int, int]], length: int,
                 alignment: int) -> list[tuple[int, int]]:
    """meta_sp.c meta_sp_alloc_by_len (new soft partition): a single free extent that fits
    (first fit, data aligned), else several extents in offset order; ``all`` (0) takes every
    free extent. Returns the data extents, [] when the space is not there."""
    extents: list[tuple[int, int]] = []
    if length == 0:
        for off, n in free:
            if n - WM_SIZE > 0:
                extents.append((off + WM_SIZE, n - WM_SIZE))
        return extents
    if sum(n for _, n in free) < length:
        return []

    def aligned(off: int, n: int) -> tuple[int, int] | None:
        if alignment <= 0:
            return off, n
        if n < alignment:
            return None
        a_off = off + alignment - (off % alignment) - WM_SIZE
        if a_off < off:
            a_off += alignment
        return a_off, n - (a_off - off)

    for off, n in free:
        got = aligned(off, n)
        if got is not None and got[1] >= length + WM_SIZE:
            return [(got[0] + WM_SIZE, length)]
    remaining = length
    for off, n in free:
        if remaining <= 0:
            break
        got = aligned(off, n)
        if got is None:
            continue
        a_off, a_len = got
        if alignment > 0 and a_len - WM_SIZE < remaining:
            a_len -= (a_len - WM_SIZE) % alignment
        take = min(remaining, a_len - WM_SIZE)
        if take <= 0:
            continue
        extents.append((a_off + WM_SIZE, take))
        remaining -= take
    return extents if remaining == 0 else []

