"""libmeta's name handling, shared by the meta* programs: THE metadevice / hot spare pool
name resolver (illumos lib/lvm/libmeta/common/meta_name.c parse_device, metaname,
metahspname, meta_canonicalize, valid_name_syntax), ``metaname(META_DEVICE)`` /
``metaname(UNKNOWN)`` with their errors, the set a command works on (``-s setname``),
component names, and the usage printer the C programs share.

Built on the one device grammar, :mod:`simulator.core.names` (no pattern of its own): the
names are split as parse_device splits them, then read as ``d%lu`` (``d010`` is unit 10)
and ``hsp%03u`` (``hsp1`` is ``hsp001``) as meta_name.c's sscanf calls read them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from simulator.core.names import (
    is_disk,
    parse_hsp,
    parse_unit,
    short_name,
    slice_device,
    split_slice,
)
from simulator.core.strerror import ENOENT
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import MAX_UNITS, Mirror, SoftPartition, Stripe

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

# libmeta's miscnames (meta_basic.x), printed by "invalid metadevice type"
MISCNAME = {"stripe": "md_stripe", "mirror": "md_mirror", "softpart": "md_sp"}

MAXNAMLEN = 255


def print_usage(inv: Invocation, text: str, code: int) -> int:
    """fprintf(stderr, usage) then md_exit(code); usage texts name the basename."""
    inv.err(text.format(inv.prog), end="")
    return code


# ---------------------------------------------------------------------------- the resolver
def squeeze_slashes(token: str) -> str:
    """parse_device's first step: every run of ``/`` becomes one."""
    while "//" in token:
        token = token.replace("//", "/")
    return token


@lru_cache(maxsize=64)       # pure: kept for the operands asked most recently
def parse_device(token: str) -> tuple[str | None, str]:
    """meta_name.c parse_device: (set, name) of ``[set/]name``, ``/dev/md/[r]dsk/name`` or
    ``/dev/md/set/[r]dsk/name``, duplicate slashes dropped first; the set is None when the
    token names none (or names the local set by path)."""
    tname = squeeze_slashes(token)
    for prefix in ("/dev/md/dsk/", "/dev/md/rdsk/"):        # fully qualified, local set
        if tname.startswith(prefix) and len(tname) > len(prefix):
            return None, tname[len(prefix):]
    setname, sep, rest = tname.partition("/")
    if sep and setname and rest:                             # "%[^/]/%s": set/name
        return setname, rest
    if tname.startswith("/dev/md/"):                         # /dev/md/set/[r]dsk/name
        setname, _, tail = tname[len("/dev/md/"):].partition("/")
        for kind in ("dsk/", "rdsk/"):
            if setname and tail.startswith(kind) and len(tail) > len(kind):
                return setname, tail[len(kind):]
    return None, tname


@lru_cache(maxsize=64)       # pure: kept for the names asked most recently
def valid_name_syntax(name: str) -> bool:
    """meta_name.c valid_name_syntax: a letter, then letters, digits, ``-_.``; at most
    MAXNAMLEN; ``all``/``ALL``/``none``/``NONE`` are reserved (meta_is_all/meta_is_none)."""
    if not name or not (name[0].isascii() and name[0].isalpha()) or len(name) > MAXNAMLEN:
        return False
    if name in ("all", "ALL", "none", "NONE"):
        return False
    return all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in name[1:])


def metaname(token: str) -> tuple[str | None, str] | None:
    """The metadevice a token names: (set or None, canonical ``dN``), None when it names
    none. The unit number is read as sscanf ``d%lu`` reads it (``d010`` is ``d10``)."""
    setname, name = parse_device(token)
    unit = parse_unit(name)
    if unit is None or unit.setname:
        return None
    return setname, unit.short


def hspname(token: str) -> tuple[str | None, str] | None:
    """The hot spare pool a token names: (set or None, ``hspNNN``). The number is read as
    sscanf ``hsp%03u`` reads it: one to three digits (``hsp1`` is ``hsp001``)."""
    setname, name = parse_device(token)
    digits = name[3:]
    if not name.startswith("hsp") or not 1 <= len(digits) <= 3 \
            or not (digits.isascii() and digits.isdigit()):
        return None
    hsp = parse_hsp(f"hsp{int(digits):03d}")
    return None if hsp is None else (setname, hsp[1])


def canonical_name(token: str) -> str | None:
    """meta_name.c meta_canonicalize: ``[set/]name`` of an md.tab entry, None if illegal."""
    for parsed in (metaname(token), hspname(token)):
        if parsed is not None:
            return f"{parsed[0]}/{parsed[1]}" if parsed[0] else parsed[1]
    setname, name = parse_device(token)
    if not valid_name_syntax(name):
        return None
    return f"{setname}/{name}" if setname else name


def slice_token(token: str) -> str | None:
    """The short slice name a component token names (``/dev/dsk/c0t0d0s0`` -> ``c0t0d0s0``)."""
    name = short_name(token)
    return name if split_slice(name) else None


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
    setname, tname = parse_device(uname)
    if not valid_name_syntax(tname):
        raise MDError(E.BAD_NAME, name=tname)
    if setname is None or setname == "local":
        s = sp if sp is not None else vm.get_set(None)
    elif sp is not None and sp.name and sp.name != setname:
        raise MDError(E.SET_DIFF, name=setname)
    else:
        s = vm.get_set(setname)
    unit = parse_unit(tname)
    if unit is None or unit.setname or unit.number >= MAX_UNITS:
        raise MDError(ENOENT, name=tname)
    return s, unit.short


def component_name(vm: VolumeManager, s: MDSet, uname: str) -> str:
    """libmeta metaname(UNKNOWN) for a component operand: its short name (cname).

    A metadevice that exists keeps its name; a slice name is accepted whether or not the
    disk exists (metachkdisk complains later); anything else is ``unit not found``
    (getrawnames found it neither under /dev/md/rdsk, /dev/rdsk nor the cwd).
    """
    name = short_name(squeeze_slashes(uname))
    unit = metaname(name)
    if unit is not None and unit[1] in s.units:
        return unit[1]
    if split_slice(name):
        return name
    disk, sep, num = name.rpartition("s")
    if sep and is_disk(disk) and num.isascii() and num.isdigit():   # getparts: partno >= nparts
        raise MDError(ENOENT, name=f"/dev/rdsk/{name}")
    raise MDError(E.UNIT_NOT_FOUND, name=uname)


def check_component(vm: VolumeManager, s: MDSet, name: str) -> None:
    """metachkcomp (a soft partition is allowed): not a metadevice, a disk that exists."""
    if parse_unit(name) is not None and name in s.units:
        if not isinstance(s.units[name], SoftPartition):
            raise MDError(E.IS_META, name=name)
        return
    parsed = split_slice(name)
    if parsed is None or parsed[0] not in vm.disks:
        raise MDError(ENOENT, name=slice_device(name))


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
