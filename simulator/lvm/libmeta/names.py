"""libmeta's name handling, shared by the meta* commands.

``metaname(META_DEVICE)`` / ``metaname(UNKNOWN)`` checks (meta_name.c), the set a command
works on (``-s setname``), component names, and the usage printer the C programs share.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from simulator.core.names import UNIT_RE, short_name, split_slice
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import MAX_UNITS, Mirror, SoftPartition, Stripe

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation

# meta_error.c texts used by the name checks
UNIT_NOT_FOUND = "unit not found"             # MDE_UNIT_NOT_FOUND
SET_DIFF = "set name is inconsistent"         # MDE_SET_DIFF

# libmeta's miscnames (meta_basic.x), printed by "invalid metadevice type"
MISCNAME = {"stripe": "md_stripe", "mirror": "md_mirror", "softpart": "md_sp"}


def print_usage(inv: Invocation, text: str, code: int) -> int:
    """fprintf(stderr, usage) then md_exit(code); usage texts name the basename."""
    inv.err(text.format(inv.prog), end="")
    return code


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
