"""metainit: create concats/stripes, mirrors, hot spare pools and soft partitions.

Follows usr/src/cmd/lvm/util/metainit.c: options, the database check, ``-r``, ``-a`` (every
md.tab entry of the set, retried until no progress) and one entry named on the command line
or in md.tab (init_name), exit codes; meta_init.c meta_init_name picks the entry's parser by
meta_get_init_type. The parsers and their checks are libmeta's, one module per type as
illumos has them: :mod:`~simulator.lvm.libmeta.stripe` (meta_stripe.c),
:mod:`~simulator.lvm.libmeta.mirror` (meta_mirror.c), :mod:`~simulator.lvm.libmeta.hotspare`
(meta_hotspares.c) and :mod:`~simulator.lvm.libmeta.softpart` (meta_sp.c).
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.hotspare import init_hsp
from simulator.lvm.libmeta.init import Context, Options, new_md_name
from simulator.lvm.libmeta.mdtab import (
    TAB_HSP,
    TAB_MD_HSP,
    TAB_MIRROR,
    TAB_RAID,
    TAB_SP,
    TAB_STRIPE,
    TAB_TRANS,
    TabLine,
    find_line,
    init_type,
    parse_mdtab,
)
from simulator.lvm.libmeta.mirror import init_mirror
from simulator.lvm.libmeta.names import canonical_name
from simulator.lvm.libmeta.softpart import init_sp
from simulator.lvm.libmeta.stripe import init_stripe
from simulator.lvm.md.manager import MDSet

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


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metainit.c", "usr/src/lib/lvm/libmeta/common/meta_init.c",
            "usr/src/lib/lvm/libmeta/common/meta_stripe.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror.c",
            "usr/src/lib/lvm/libmeta/common/meta_hotspares.c",
            "usr/src/lib/lvm/libmeta/common/meta_sp.c"),
    getopt=("afhnrs:?",),
    options=(
        "-s setname: the set to create in",
        "-n: check the entry, create nothing",
        "-f: force: skip the check that a component or submirror is mounted",
        "-a: every md.tab entry of the set, retried until no progress",
        "-r: the boot-time form: exits 0 (there are no auto-take disksets to take)",
        "-h: the usage, exit 0",
        "concat/stripe numstripes width component... [-i interlace] [-h hsp]: a concat or stripe",
        "mirror -m submirror... [read_options] [write_options] [pass_num]: a mirror",
        "hotspare_pool [hotspare...]: a hot spare pool",
        "softpart -p [-A alignment] [-e] device size|all: a soft partition",
        "md.tab_entry: the named entry of /etc/lvm/md.tab",
    ),
    not_simulated=(
        "RAID-5 (-r): answered 'RAID-5 metadevices are not simulated by svmsim'",
        "trans metadevices (-t): the Solaris 10 text that UFS logging replaced them",
        "named disksets (-s with a set other than the local one)",
    ),
    messages=(
        USAGE,
        E.EOF_TRANS,
        E.SYNTAX,
        "RAID-5 metadevices are not simulated by svmsim",
    ),
    notes="The per-type parsers and their checks are libmeta's "
          "(simulator/lvm/libmeta/{stripe,mirror,hotspare,softpart}.py); their errors "
          "(meta_error.c texts) are printed as mde_perror prints them.",
)


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
    try:
        vm.require_db(s)        # meta_setup_db_locations
    except MDError as e:
        return inv.md_error(e)
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
        raise MDError(E.EOF_TRANS)
    if kind == TAB_HSP:
        init_hsp(ctx, argv)
    elif kind == TAB_STRIPE:
        init_stripe(ctx, argv)
    elif kind == TAB_MIRROR:
        init_mirror(ctx, argv)
    elif kind == TAB_SP:
        init_sp(ctx, argv)
    elif kind == TAB_RAID:
        set_, short = new_md_name(ctx, argv[0])
        raise MDError("RAID-5 metadevices are not simulated by svmsim",
                      name=set_.display(short))
    else:
        raise MDError(E.SYNTAX, name=f'"{argv[0]}"')
