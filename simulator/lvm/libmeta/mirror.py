"""Mirrors in libmeta: ``metainit dM -m dS...`` and ``metareplace``'s own checks.

illumos lib/lvm/libmeta/common/meta_mirror.c: meta_init_mirror (the command-line parser),
meta_check_mirror / meta_check_submirror, and meta_mirror_replace / meta_mirror_enable with
meta_check_component and metagetstart/metagetsize for the new slice, each check in its source
order; the kernel's checks then run in :mod:`simulator.lvm.md.mirror`. The report and md.tab
printing of a mirror are in :mod:`simulator.lvm.libmeta.printing` (mirror_report,
mirror_print, sm_state_to_action).
"""

from __future__ import annotations

from simulator.core.names import UNIT_RE, raw_device, short_name, slice_device, split_slice
from simulator.core.strerror import ENOENT, strerror
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.check import check_inuse
from simulator.lvm.libmeta.init import Context, md_name, new_md_name
from simulator.lvm.libmeta.mdtab import SubOpts, cook_syntax, first_is_option, scan_uint
from simulator.lvm.libmeta.names import slice_token
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import MAX_SUBMIRRORS, MD_PASS_MAX, Mirror, Stripe
from simulator.lvm.md.replicas import data_start

MIRROR_WARNING = ("{0}: WARNING: This form of metainit is not recommended.\n"
                  "The submirrors may not have the same data.\n"
                  "Please see ERRORS in metainit(1M) for additional information.")


def init_mirror(ctx: Context, argv: list[str]) -> None:
    """meta_mirror.c meta_init_mirror: ``dM -m dS [dS...] [-g|-r] [-S] [pass]``."""
    s, short = new_md_name(ctx, argv[0])
    uname = s.display(short)
    args = argv[1:]
    if not args or args[0] != "-m":
        raise cook_syntax(E.SYNTAX, uname, args[0] if args else None)
    args = args[1:]
    if not args:
        raise cook_syntax(E.SYNTAX, uname, None)
    if first_is_option(args):
        raise cook_syntax(E.ILLEGAL_OPTION, uname, args[0])
    subs: list[tuple[MDSet | None, str]] = []
    while args and not args[0].startswith("-") and not args[0][:1].isdigit():
        if len(subs) >= MAX_SUBMIRRORS:
            raise MDError(E.MAX_SUBMIRRORS, name=uname)
        found = md_name(ctx, args[0])
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
            raise cook_syntax(E.ILLEGAL_OPTION, uname, args[getopts.old_optind])
    args = args[getopts.optind:]
    if args and args[0][:1].isdigit():
        num = scan_uint(args[0])
        if num is None or not 0 <= num <= MD_PASS_MAX:
            raise cook_syntax(E.INVALID_PASS, uname, args[0])
        pass_num = num
        args = args[1:]
    if args:
        raise cook_syntax(E.SYNTAX, uname, args[0])
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
            if not ctx.opts.force:
                check_inuse(ctx.vm, display)
        unit = sset.units.get(sub)
        if unit is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=display)
        if ctx.opts.doit:
            if not isinstance(unit, Stripe) or unit.parent is not None:
                raise MDError(E.INVALID_UNIT, name=display)
            if unit.size == 0:
                raise MDError(strerror("ENOSPC"), name=display)
        if any(o_set is sset and o_sub == sub for o_set, o_sub in subs[:i]):
            raise E.already(display, uname)
        names.append(sub)
    return names


# ---------------------------------------------------------------------------- metareplace
def meta_mirror_replace(vm: VolumeManager, s: MDSet, mirror_name: str, old: str,
                        new: str | None) -> Mirror:
    """meta_mirror_replace / meta_mirror_enable (``new`` None): libmeta's checks of the
    names and of the new (or re-enabled) slice, then the kernel's comp_replace."""
    old = short_name(old)
    if new is None and _slice_missing(vm, old):
        raise MDError(ENOENT, name=raw_device(slice_device(old)))     # meta_getdev
    m = vm.mirror(s, mirror_name)
    found = vm.find_mirror_comp(s, m, old)
    if found is None and _slice_missing(vm, old) and old not in s.units:
        raise MDError(strerror("ENODEV"), name=old)
    target = old if new is None else short_name(new)
    check_replacement(vm, s, target, enable=new is None)
    return vm.replace(s, m.name, old, new)


def _slice_missing(vm: VolumeManager, comp: str) -> bool:
    parsed = split_slice(comp)
    return parsed is None or parsed[0] not in vm.disks


def check_replacement(vm: VolumeManager, s: MDSet, comp: str, enable: bool) -> None:
    """meta_check_component + metagetsize/metagetstart for the new slice. Being in a
    metadevice already is allowed only for ``-e`` (meta_mirror_enable tolerates
    MDE_ALREADY); metagetdev names the raw device for ``-e``, the block device else."""
    if UNIT_RE.match(comp) and comp in s.units:
        raise MDError(E.IS_META, name=comp)
    parsed = split_slice(comp)
    if parsed is None or parsed[0] not in vm.disks:
        path = slice_device(comp, raw=enable)
        raise MDError(ENOENT, name=path)
    check_inuse(vm, comp)
    if not enable:
        user = vm.slice_user(comp)
        if user is not None:
            raise E.already(comp, user)
    disk = vm.disks[parsed[0]]
    size = disk.slices[parsed[1]].size if parsed[1] in disk.slices else 0
    if data_start(s.replicas, comp) >= size:
        raise MDError(strerror("ENOSPC"), name=comp)
