"""What every ``metainit`` entry parser shares: the run's options and context, and the
metaname calls that turn its tokens into sets, units and slices.

libmeta meta_init.c (meta_init_name's callers pass the set, the options MDCMD_DOIT /
MDCMD_ALLOPTION and the force flag down to each type's meta_init_*), with meta_name.c
metaname(META_DEVICE / UNKNOWN) as metainit's parsers call them. The parsers themselves are
one module per type: :mod:`.stripe`, :mod:`.mirror`, :mod:`.hotspare`, :mod:`.softpart`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.core.strerror import ENOENT
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.names import metaname, slice_token
from simulator.lvm.md.manager import MDSet, VolumeManager

if TYPE_CHECKING:
    from simulator.core.invocation import Invocation


@dataclass
class Options:
    """metainit's global options: -f, -n (no MDCMD_DOIT) and -a (MDCMD_ALLOPTION)."""

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


def slice_size(vm: VolumeManager, comp: str) -> int | None:
    """metagetsize of an existing slice; None when there is no such slice."""
    try:
        return vm.slice_size(comp)
    except MDError:
        return None


def atoll(text: str) -> int:
    """atoll(3C): the leading (signed) number of the text, 0 if there is none."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else 0


def md_name(ctx: Context, token: str) -> tuple[MDSet, str] | None:
    """metaname(META_DEVICE): (set, ``dN``); None for an existing slice (checked later).

    Any other token names no device: ``<token>: No such file or directory``.
    """
    parsed = metaname(token)
    if parsed is not None:
        setname, short = parsed
        return (ctx.vm.get_set(setname) if setname else ctx.s), short
    sl = slice_token(token)
    if sl is not None and slice_size(ctx.vm, sl) is not None:
        return None
    raise MDError(ENOENT, name=token)


def new_md_name(ctx: Context, token: str) -> tuple[MDSet, str]:
    """The metadevice to create: must be a metadevice name that is not in use yet."""
    found = md_name(ctx, token)
    if found is None:
        raise MDError(E.NOT_META, name=slice_token(token))
    s, short = found
    if short in s.units:
        raise MDError(E.UNIT_ALREADY_SET_UP, name=s.display(short))
    return s, short


def component(ctx: Context, token: str) -> tuple[MDSet | None, str]:
    """metaname(UNKNOWN) of a component: (set, ``dN``) for a metadevice, (None, slice)."""
    return component_of(ctx.vm, ctx.s, token)


def component_of(vm: VolumeManager, s: MDSet, token: str) -> tuple[MDSet | None, str]:
    """metaname(UNKNOWN) / metaname(LOGICAL_DEVICE) of a component operand: (set, ``dN``)
    for a metadevice name, (None, slice) for an existing slice, else ENOENT."""
    parsed = metaname(token)
    if parsed is not None:
        setname, short = parsed
        return (vm.get_set(setname) if setname else s), short
    sl = slice_token(token)
    if sl is None or slice_size(vm, sl) is None:
        raise MDError(ENOENT, name=token)
    return None, sl
