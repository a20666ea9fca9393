"""metattach: attach a submirror, grow a mirror, a concat/stripe or a soft partition.

Follows usr/src/cmd/lvm/util/metattach.c: root check, a first getopt pass that only finds
``-s`` (unknown options are reported and ignored there), the metadevice, then a second
getopt pass per metadevice type (where anything unexpected is a usage error).

Solaris getopt(3C) is :mod:`simulator.core.libc`; libmeta's name checks are
:mod:`simulator.lvm.libmeta.names`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from simulator.core.coverage import Coverage
from simulator.core.libc import Opt, sun_getopt
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.names import (
    MISCNAME,
    check_component,
    command_set,
    component_name,
    current_root_component,
    meta_device,
    print_usage,
)
from simulator.lvm.md.create import MAX_INTERLACE, MIN_INTERLACE
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import Mirror, SoftPartition, Stripe

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

NAME = "metattach"
USAGE = ("usage:\t{0} [-s setname] mirror [metadevice]\n"
         "\t{0} [-s setname] [-i interlace] concat/stripe component...\n"
         "\t{0} [-s setname] RAID component...\n"
         "\t{0} [-s setname] [-A alignment] softpart size|all\n")


COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metattach.c",),
    getopt=("hns:A:ai:?", "ns:", "s:ani:", "ns:A:"),
    options=(
        "-s setname: the set of the metadevice",
        "-i interlace: the interlace of the stripe the new components make",
        "-A alignment: a soft partition's alignment (checked, then not used)",
        "-a: accepted on a concat/stripe (as metattach.c's second pass reads it)",
        "-h: the usage, exit 0",
        "mirror submirror: attach a submirror (a resync starts)",
        "mirror: grow the mirror after its submirrors grew",
        "concat/stripe component...: add components (a mirror above it grows)",
        "softpart size|all: grow a soft partition",
    ),
    not_simulated=(
        "-n: only valid through rpc.metacld; the usage, exit 1 (as metattach.c)",
        "RAID-5 and trans metadevices: 'invalid metadevice type'",
    ),
    messages=(
        USAGE,
        "<dM>: submirror <dN> is attached",
        "<dN>: component is attached",
        "<dN>: components are attached",
        "<dN>: Soft Partition has been grown",
        "<prog>: <dN>: invalid metadevice type <type>",
        "<prog>: <dN>: volume mounted as root cannot be expanded",
        E.INVALID_INTERLACE, E.SP_BAD_LENGTH, E.SP_NOSPACE,
    ),
)


def usage(inv: Invocation, code: int = 1) -> int:
    return print_usage(inv, USAGE, code)


def main(inv: Invocation) -> int:
    if not inv.need_root():
        return 1
    opts, rest = sun_getopt(inv, inv.args, "hns:A:ai:?")
    sname = None
    for o in opts:
        if o.char == "h" or (o.char == "?" and o.optopt == "?"):
            return usage(inv, 0)
        if o.char == "n":                 # only valid through rpc.metacld
            return usage(inv, 1)
        if o.char == "s":
            sname = o.arg
    if not rest:
        return usage(inv, 1)
    vm = inv.host.md
    s, name = meta_device(vm, command_set(vm, sname), rest[0])
    unit = vm.unit(s, name)
    if isinstance(unit, Stripe):
        return _stripe_attach(inv, s, unit)
    if isinstance(unit, Mirror):
        return _mirror_attach(inv, s, unit)
    if isinstance(unit, SoftPartition):
        return _sp_attach(inv, s, unit)
    inv.err(f"{inv.prog}: {s.display(name)}: invalid metadevice type "
            f"{MISCNAME.get(unit.kind, unit.kind)}")
    return 1


def _reparse(inv: Invocation, optstring: str) -> tuple[list[Opt], list[str]] | None:
    """The per-type getopt pass: None (usage, exit 1) on any option it does not know."""
    opts, rest = sun_getopt(inv, inv.args, optstring)
    known = set(optstring.replace(":", ""))
    for o in opts:
        if o.char not in known:
            return None
    return opts, rest[1:]


def _mirror_attach(inv: Invocation, s: MDSet, m: Mirror) -> int:
    parsed = _reparse(inv, "ns:")
    if parsed is None or len(parsed[1]) > 1:
        return usage(inv, 1)
    vm = inv.host.md
    if not parsed[1]:                     # metattach dM: grow after the submirrors grew
        vm.grow_mirror(s, m.name)
        return 0
    _, sub = meta_device(vm, s, parsed[1][0])
    vm.attach(s, m.name, sub)
    inv.out(f"{s.display(m.name)}: submirror {s.display(sub)} is attached")
    return 0


def parse_interlace(text: str, uname: str) -> int:
    """metainit's parse_interlace + meta_stripe_check_interlace: blocks, k, m or b."""
    m = re.fullmatch(r"(\d+)([kKmMbB]?)", text)
    if m is None:
        raise MDError(E.INVALID_INTERLACE, name=uname)
    value = int(m.group(1)) * {"": 1, "b": 1, "k": 2, "m": 2048}[m.group(2).lower()]
    if not MIN_INTERLACE <= value <= MAX_INTERLACE:
        raise MDError(E.INVALID_INTERLACE, name=uname)
    return value


def _stripe_attach(inv: Invocation, s: MDSet, st: Stripe) -> int:
    cname = s.display(st.name)
    opts, rest = sun_getopt(inv, inv.args, "s:ani:")
    interlace = None
    for o in opts:
        if o.char == "i" and o.arg is not None:
            interlace = parse_interlace(o.arg, cname)
        elif o.char not in "sna":
            return usage(inv, 1)
    comps_text = rest[1:]
    if not comps_text:
        return usage(inv, 1)
    vm = inv.host.md
    comps = [component_name(vm, s, c) for c in comps_text]
    for c in comps:
        check_component(vm, s, c)
    root = current_root_component(vm)
    if root is not None and st.rows and st.rows[0].components[0].name == root:
        inv.err(f"{inv.prog}: {cname}: volume mounted as root cannot be expanded")
        return 1
    vm.attach_components(s, st.name, comps, interlace)
    inv.out(f"{cname}: component is attached" if len(comps) == 1
            else f"{cname}: components are attached")
    parent = s.units.get(st.parent) if st.parent else None
    if isinstance(parent, Mirror):        # meta_concat_parent
        vm.grow_mirror(s, parent.name)
    return 0


def parse_sp_size(text: str) -> int | None:
    """meta_sp_parsesize: blocks, or a number with k/m/g/t/b; None when unparsable."""
    m = re.fullmatch(r"(\d+)([kKmMgGtTbB]?)", text)
    if m is None:
        return None
    mult = {"": 1, "b": 1, "k": 2, "m": 2 << 10, "g": 2 << 20, "t": 2 << 30}
    return int(m.group(1)) * mult[m.group(2).lower()]


def _sp_attach(inv: Invocation, s: MDSet, sp: SoftPartition) -> int:
    opts, rest = sun_getopt(inv, inv.args, "ns:A:")
    for o in opts:
        if o.char == "A" and (o.arg is None or parse_sp_size(o.arg) is None):
            return usage(inv, 1)
        if o.char not in "nsA":
            return usage(inv, 1)
    if len(rest) != 2:
        return usage(inv, 1)
    vm = inv.host.md
    cname = s.display(sp.name)
    comp = sp.component
    avail = s.units[comp].size if comp in s.units else vm.slice_size(comp)
    end = max((a + n + 1 for u in s.units.values() if isinstance(u, SoftPartition)
               and u.component == comp for a, n in u.extents), default=1)
    free = avail - end
    if rest[1].lower() == "all":
        grow = free
    else:
        amount = parse_sp_size(rest[1])
        if amount is None or amount == 0:
            raise MDError(E.SP_BAD_LENGTH, name=cname)
        grow = amount
    if grow <= 0 or grow > free:
        raise MDError(E.SP_NOSPACE, name=cname)
    sp.extents.append((end, grow))
    sp.timestamp = vm.now()
    inv.out(f"{cname}: Soft Partition has been grown")
    return 0
