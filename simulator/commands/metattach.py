"""metattach: attach a submirror, grow a mirror, a concat/stripe or a soft partition.

Follows usr/src/cmd/lvm/util/metattach.c: root check, a first getopt pass that only finds
``-s`` (unknown options are reported and ignored there), the metadevice, then a second
getopt pass per metadevice type (where anything unexpected is a usage error).

This module also holds what the mirror maintenance commands share (metadetach,
metaoffline, metaonline, metareplace, metasync): Solaris getopt(3C) exactly as libc does it
(messages name ``argv[0]`` as typed), and libmeta's ``metaname(META_DEVICE)`` /
``metaname(UNKNOWN)`` name checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import errors as E
from ..model.devices import short_name, split_slice
from ..model.errors import MDError
from ..model.metadevices import MAX_UNITS, UNIT_RE, Mirror, SoftPartition, Stripe
from ..model.volume_manager import MAX_INTERLACE, MIN_INTERLACE, MDSet, VolumeManager

if TYPE_CHECKING:
    from .base import Invocation

NAME = "metattach"
USAGE = ("usage:\t{0} [-s setname] mirror [metadevice]\n"
         "\t{0} [-s setname] [-i interlace] concat/stripe component...\n"
         "\t{0} [-s setname] RAID component...\n"
         "\t{0} [-s setname] [-A alignment] softpart size|all\n")

# meta_error.c texts not (yet) in model.errors
UNIT_NOT_FOUND = "unit not found"             # MDE_UNIT_NOT_FOUND
SET_DIFF = "set name is inconsistent"         # MDE_SET_DIFF
SP_NO_SPACE = "not enough space available for request"   # MDE_SP_NOSPACE
SP_BAD_LENGTH = "bad length specified"        # MDE_SP_BAD_LENGTH

# libmeta's miscnames (meta_basic.x), printed by "invalid metadevice type"
MISCNAME = {"stripe": "md_stripe", "mirror": "md_mirror", "softpart": "md_sp"}


# ---------------------------------------------------------------------- getopt(3C)
@dataclass
class Opt:
    """One getopt(3C) return: the option letter ("?" on an error), its argument, optopt."""

    char: str
    arg: str | None
    optopt: str


def sun_getopt(inv: Invocation, args: list[str], optstring: str
               ) -> tuple[list[Opt], list[str]]:
    """Every getopt(3C) return for ``args``, then the operands (libc port/gen/getopt.c).

    Errors are printed the way libc prints them (``argv[0]`` as typed, not its basename)
    and come back as ``Opt("?", None, c)``; the caller decides whether they are fatal,
    as the C programs do. ``-?`` with ``?`` in ``optstring`` is ``Opt("?", None, "?")``.
    """
    argv0 = inv.argv[0] if inv.argv else inv.prog
    opts: list[Opt] = []
    i, sp = 0, 1
    while i < len(args):
        a = args[i]
        if sp == 1:
            if not a.startswith("-") or a == "-":
                break
            if a == "--":
                i += 1
                break
            if a.startswith("--"):          # a long option: none is known here
                inv.err(f"{argv0}: illegal option -- {a[2:]}")
                opts.append(Opt("?", None, "-"))
                i += 1
                continue
        c = a[sp]
        pos = -1 if c in ":(" else optstring.find(c)
        if pos < 0:
            inv.err(f"{argv0}: illegal option -- {c}")
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
            opts.append(Opt("?", None, c))
            continue
        if optstring[pos + 1:pos + 2] == ":":
            if sp + 1 < len(a):
                opts.append(Opt(c, a[sp + 1:], c))
                i += 1
            elif i + 1 >= len(args):
                inv.err(f"{argv0}: option requires an argument -- {c}")
                opts.append(Opt("?", None, c))
                i += 1
            else:
                opts.append(Opt(c, args[i + 1], c))
                i += 2
            sp = 1
        else:
            opts.append(Opt(c, None, c))
            sp += 1
            if sp >= len(a):
                i, sp = i + 1, 1
    return opts, args[i:]


def print_usage(inv: Invocation, text: str, code: int) -> int:
    """fprintf(stderr, usage) then md_exit(code); usage texts name the basename."""
    inv.err(text.format(inv.prog), end="")
    return code


# ---------------------------------------------------------------------- names
_VALID_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_MD_PATH = re.compile(r"^/dev/md/(?:(?P<set>[^/]+)/)?r?dsk/(?P<dev>\S+)$")
_CTD = re.compile(r"^c\d+(?:t[0-9A-Fa-f]+)?d\d+s(?P<slice>\d+)$")


def command_set(vm: VolumeManager, sname: str | None) -> MDSet | None:
    """``-s setname`` (metasetname): None when not given."""
    return None if sname is None else vm.get_set(sname)


def meta_device(vm: VolumeManager, sp: MDSet | None, uname: str) -> tuple[MDSet, str]:
    """libmeta metaname(META_DEVICE): the set and the short name of a metadevice operand.

    meta_name.c: parse_device splits ``set/dN`` and ``/dev/md/[set/]dsk/dN``; a name that
    fails valid_name_syntax is ``Invalid name for metadevice or hot spare pool.``; a set
    named in the operand must agree with ``-s``; a syntactically valid name with no
    /dev/md node behind it is ``No such file or directory`` (dN nodes exist for every unit
    number the driver allows, set up or not: those fail later with ``unit not set up``).
    """
    tname = re.sub(r"/+", "/", uname)
    setname: str | None = None
    m = _MD_PATH.match(tname)
    if m:
        setname, tname = m.group("set") or "", m.group("dev")
    elif "/" in tname and not tname.startswith("/"):
        setname, tname = tname.split("/", 1)
    if len(tname) > 255 or not _VALID_NAME.match(tname) or \
            tname in ("all", "ALL", "none", "NONE"):
        raise MDError(E.BAD_NAME, name=tname)
    if setname is None or setname in ("", "local"):
        s = sp if sp is not None else vm.get_set(None)
    elif sp is not None and sp.name and sp.name != setname:
        raise MDError(SET_DIFF, name=setname)
    else:
        s = vm.get_set(setname)
    unit = UNIT_RE.match(tname)
    if unit is None or int(unit.group("num")) >= MAX_UNITS:
        raise MDError(E.NO_SUCH_FILE, name=tname)
    return s, tname


def component_name(vm: VolumeManager, s: MDSet, uname: str) -> str:
    """libmeta metaname(UNKNOWN) for a component operand: its short name (cname).

    A metadevice that exists keeps its name; a slice name is accepted whether or not the
    disk exists (metachkdisk complains later); anything else is ``unit not found``
    (getrawnames found it neither under /dev/md/rdsk, /dev/rdsk nor the cwd).
    """
    name = short_name(re.sub(r"/+", "/", uname))
    m = _MD_PATH.match(name)
    if m:
        name = m.group("dev") if not m.group("set") else f"{m.group('set')}/{m.group('dev')}"
    _, short = vm.split_name(name)
    if UNIT_RE.match(short) and short in s.units:
        return short
    ctd = _CTD.match(name)
    if ctd:
        if int(ctd.group("slice")) > 7:    # getparts: partno >= nparts
            raise MDError(E.NO_SUCH_FILE, name=f"/dev/rdsk/{name}")
        return name
    raise MDError(UNIT_NOT_FOUND, name=uname)


def check_component(vm: VolumeManager, s: MDSet, name: str) -> None:
    """metachkcomp (a soft partition is allowed): not a metadevice, a disk that exists."""
    if UNIT_RE.match(name) and name in s.units:
        if not isinstance(s.units[name], SoftPartition):
            raise MDError(vm.IS_META, name=name)
        return
    parsed = split_slice(name)
    if parsed is None or parsed[0] not in vm.disks:
        raise MDError(E.NO_SUCH_FILE, name=f"/dev/dsk/{name}")


def current_root_component(vm: VolumeManager) -> str | None:
    """metagetroot.c meta_get_current_root_dev: the slice / lives on, through a mirror."""
    root = vm.root_slice()
    if root is not None:
        return root
    for s, u in vm.all_units():
        if vm.is_open(s.display(u.name)) != "/":
            continue
        if isinstance(u, Mirror) and u.submirrors:
            first = s.units.get(u.submirrors[0].name)
            if isinstance(first, Stripe) and first.rows:
                return first.rows[0].components[0].name
        if isinstance(u, Stripe) and u.rows:
            return u.rows[0].components[0].name
    return None


# ---------------------------------------------------------------------- metattach
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
    vm = inv.host.vm
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
    if any(o.char not in known for o in opts):
        return None
    return opts, rest[1:]


def _mirror_attach(inv: Invocation, s: MDSet, m: Mirror) -> int:
    parsed = _reparse(inv, "ns:")
    if parsed is None or len(parsed[1]) > 1:
        return usage(inv, 1)
    vm = inv.host.vm
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
    vm = inv.host.vm
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
    vm = inv.host.vm
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
            raise MDError(SP_BAD_LENGTH, name=cname)
        grow = amount
    if grow <= 0 or grow > free:
        raise MDError(SP_NO_SPACE, name=cname)
    sp.extents.append((end, grow))
    sp.timestamp = vm.now()
    inv.out(f"{cname}: Soft Partition has been grown")
    return 0
