"""metaset: list or administer disksets (usr/src/cmd/lvm/util/metaset.c).

Only the local set is simulated. ``metaset`` (or ``metaset -s local``) lists the named sets:
with none, nothing is printed and the exit status is 0 (parse_printset, printsets). A set that
does not exist is libmeta's MDE_NO_SET with the name getsetbyname gives it (meta_set.c:
``setname "<name>"``), so ``metaset -s blue`` prints ``metaset: <host>: setname "blue": no
such set`` and an empty line, exit 1; the commands that act on a set (-b -d -o -P -q -r -t -A)
check root first (meta_check_root) and the replicas (meta_setup_db_locations), and on a set
that does not exist end the same way. Creating a set, joining or withdrawing, and any named
set a scenario holds answer ``svmsim: metaset: disksets are not simulated``, exit 1.

Options are read as main() reads them (getopt ``C:MaA:bdfh:jl:Lm:oPqrs:tu:wy?``): a second
command letter is ``conflicting options``, a bad letter ``unknown command`` (``-?`` prints the
usage and exits 0), ``-C`` (cluster, silent) exits 255 on any error; listing re-reads the
arguments with ``s:`` (``unknown options``, ``too many args``). usage() prints the message
with md_eprintf (``metaset: <why>``), then the usage text, exit 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.errors import CommandExit
from simulator.core.libc import sun_getopt
from simulator.lvm.errors import NO_DB, NO_SUCH_SET, MDError
from simulator.lvm.libmeta.names import print_usage

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metaset"
_FORMS = ("-s setname -a [-A enable | disable] -h hostname ...",
          "-s setname -a [-M] -h hostname ...",
          "-s setname -a [-M] [-l length] [-L] drivename ...",
          "-s setname -d [-M] -h hostname ...",
          "-s setname -d [-M] -f -h all-hostnames",
          "-s setname -d [-M] [-f] drivename ...",
          "-s setname -d [-M] [-f] hostname ...",
          "-s setname -A enable | disable",
          "-s setname -t [-f]",
          "-s setname -r",
          "[-s setname] -j [-M]",
          "[-s setname] -w [-M]",
          "-s setname -P [-M]",
          "-s setname -b [-M]",
          "-s setname -o [-M] [-h hostname]",
          "[-s setname]")
USAGE = ("usage:\t" + "\t".join(f"{{0}} {form}\n" for form in _FORMS) + "\n"
         "\t\thostname = contents of /etc/nodename\n"
         "\t\tdrivename = cNtNdN no slice\n"
         "\t\t[-M] for multi-owner set is optional except on set creation\n")
MD_LOCAL_NAME = "local"
CLUSTER_EXIT = 255                 # md_exit(sp, -1)
NOT_SIMULATED = "svmsim: metaset: disksets are not simulated"
_COMMANDS = "abdjoPqrtw"


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metaset.c", "usr/src/lib/lvm/libmeta/common/meta_set.c"),
    getopt=("C:MaA:bdfh:jl:Lm:oPqrs:tu:wy?", "s:"),
    options=(
        "-s setname: list the set (none but the local set exists); an unknown set is "
        "'no such set'",
        "-?: the usage, exit 0",
    ),
    not_simulated=(
        "disksets: creating (-a), joining (-j), withdrawing (-w) and any named set a "
        "scenario holds answer NOT_SIMULATED, exit 1",
        "-C (cluster): answers NOT_SIMULATED; its errors exit 255 as metaset.c's",
        "-b -d -o -P -q -r -t -A on a set: root and replica checks, then 'no such set'",
        "-M -f -h -l -L -m -u -y: read, with no effect",
    ),
    messages=(
        USAGE,
        NOT_SIMULATED,
        "<prog>: unknown command",
        "<prog>: conflicting options",
        "<prog>: unknown options",
        "<prog>: too many args",
        "<prog>: -A: enable or disable must be specified",
        "<prog>: setname must be specified",
        NO_SUCH_SET,
        NO_DB,
    ),
    notes="Only the local set is simulated.",
)


def usage(inv: Invocation, why: str | None = None) -> int:
    """metaset.c usage(sp, string): the reason (md_eprintf), the text; exit 0 only for -?."""
    if why:
        inv.err(f"{inv.prog}: {why}")
    return print_usage(inv, USAGE, 0 if why is None else 1)


def _no_such_set(inv: Invocation, sname: str) -> int:
    return inv.md_error(MDError(NO_SUCH_SET, name=f'setname "{sname}"'))


def _print_sets(inv: Invocation) -> int:
    """parse_printset: ``-s`` only, no operands; the local set lists every named set."""
    opts, rest = sun_getopt(inv, inv.args, "s:", stop_at_error=True)
    sname = MD_LOCAL_NAME
    for o in opts:
        if o.char == "?":
            return usage(inv, "unknown options")
        sname = o.arg or ""
    if rest:
        return usage(inv, "too many args")
    named = sorted(n for n in inv.host.md.sets if n)
    if sname != MD_LOCAL_NAME:
        if sname not in inv.host.md.sets:
            return _no_such_set(inv, sname)
        named = [sname]
    if named:
        inv.err(NOT_SIMULATED)
        return 1
    return 0


def main(inv: Invocation) -> int:
    opts, _rest = sun_getopt(inv, inv.args, "C:MaA:bdfh:jl:Lm:oPqrs:tu:wy?", stop_at_error=True)
    cmd: str | None = None
    sname = MD_LOCAL_NAME
    auto_take = False
    for o in opts:
        if o.char == "?":
            if o.optopt == "?":
                return usage(inv)
            if cmd == "C":
                raise CommandExit(CLUSTER_EXIT)
            return usage(inv, "unknown command")
        if o.char == "A":
            auto_take = True
            if o.arg not in ("enable", "disable"):
                return usage(inv, "-A: enable or disable must be specified")
        elif o.char == "C":
            if cmd is not None:
                raise CommandExit(CLUSTER_EXIT)
            cmd = "C"
        elif o.char in _COMMANDS:
            if cmd is not None:
                return usage(inv, "conflicting options")
            cmd = o.char
        elif o.char == "s":
            sname = o.arg or ""
    if cmd is None and not auto_take:
        return _print_sets(inv)
    if not inv.need_root():
        return 1
    if not inv.host.md.sets[""].replicas:
        raise MDError(NO_DB)
    exists = sname in inv.host.md.sets and sname not in ("", MD_LOCAL_NAME)
    if cmd in ("C", "j", "w") or exists:
        inv.err(NOT_SIMULATED)
        return 1
    if sname == MD_LOCAL_NAME:
        return usage(inv, "setname must be specified")
    if cmd == "a":
        inv.err(NOT_SIMULATED)
        return 1
    return _no_such_set(inv, sname)
