"""Mirrors in libmeta: ``metainit dM -m dS...`` and ``metareplace``'s own checks.

illumos lib/lvm/libmeta/common/meta_mirror.c: meta_init_mirror (the command-line parser),
meta_check_mirror / meta_check_submirror, and meta_mirror_replace / meta_mirror_enable with
meta_check_component and metagetstart/metagetsize for the new slice, each check in its source
order; the kernel's checks then run in :mod:`simulator.lvm.md.mirror`.

The mirror's report and print code is here too, from the same file: meta_mirror_print,
mirror_report (the long ``metastat`` form), mirror_print (``metastat -p``, the md.tab line),
sm_state_to_name's Unavailable rule, sm_state_to_action, and the mirror's ``metastat -c``
line (cmd/lvm/util/metastat.c print_concise_mirror, get_sm_state). What every type shares is
in :mod:`simulator.lvm.libmeta.printing`; the layouts match Solaris byte for byte.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from simulator.core.names import UNIT_RE, raw_device, short_name, slice_device, split_slice
from simulator.core.strerror import ENOENT, strerror
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.check import check_inuse
from simulator.lvm.libmeta.init import Context, md_name, new_md_name
from simulator.lvm.libmeta.mdtab import SubOpts, cook_syntax, first_is_option, scan_uint
from simulator.lvm.libmeta.names import slice_token
from simulator.lvm.libmeta.stripe import find_erred_comp, stripe_print, unavailable
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import (
    MAX_SUBMIRRORS,
    MD_PASS_MAX,
    Mirror,
    Stripe,
    SubmirrorSlot,
    Unit,
)
from simulator.lvm.md.replicas import data_start
from simulator.lvm.md.states import CompState, SmState, sm_state_to_name

if TYPE_CHECKING:
    from simulator.lvm.libmeta.printing import Reporter

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


# ---------------------------------------------------------------------------- report and print
_RD_OPT = {"roundrobin": None, "geometric": "-g", "first": "-r"}
_WR_OPT = {"parallel": None, "serial": "-S"}


def mirror_print(rep: Reporter, m: Mirror, header: bool, subdevs: bool) -> None:
    """meta_mirror.c meta_mirror_print: md.tab line plus submirrors, or the full report."""
    if not subdevs and rep.parented(m):
        return
    if not rep.short:
        mirror_report(rep, m, header)
        return
    if not (rep.large and not rep.big(m)) and not rep.fn:
        line = f"{rep.name(m.name)} -m"
        line += "".join(f" {rep.name(sl.name)}" for sl in m.submirrors)
        for opt in (_RD_OPT.get(m.read_option), _WR_OPT.get(m.write_option)):
            if opt:
                line += f" {opt}"
        rep.w(f"{line} {m.pass_num}\n")
    for slot in m.submirrors:
        sub = rep.unit(slot.name)
        if sub is not None:
            rep.print_unit(sub, header, True)


def sm_state(rep: Reporter, m: Mirror, slot: SubmirrorSlot, opt_not_done: bool,
             errored: bool, state: SmState | None = None) -> str:
    """meta_mirror.c sm_state_to_name, with the Unavailable (tstate) rule first. ``state``:
    the slot's sm_state when the caller has it already (the kernel's, asked otherwise)."""
    if state is None:
        state = rep.host.md.slot_state(rep.s, slot)
    if errored and state & SmState.RUNNING:
        return "Unavailable"
    return sm_state_to_name(state, m.resync_active, m.resync_cancel, opt_not_done,
                            slot.resync_target)


def percent(m: Mirror) -> str:
    """The resync percentage: ``%2d.%1d`` in tenths for a big mirror, else ``%d``."""
    p = m.percent_done()
    return f"{p // 10:2d}.{p % 10:1d}" if m.big else f"{p}"


def sm_state_to_action(s: MDSet, m: Mirror, slot: SubmirrorSlot, state: SmState,
                       opt_not_done: bool) -> str | None:
    """The ``Invoke:`` text under a submirror (meta_mirror.c sm_state_to_action)."""
    if m.resync_active:
        return None
    if state == SmState.RUNNING and not opt_not_done:
        return None
    mname = s.display(m.name)
    if m.resync_cancel:
        return f"metasync {mname}"
    sub = s.units.get(slot.name)
    if state & SmState.COMP_ERRED and isinstance(sub, Stripe):
        comp = find_erred_comp(sub)
        if comp is not None:
            if comp.state != CompState.LAST_ERRED:
                return f"metareplace {mname} {comp.name} <new device>"
            return ('after replacing "Maintenance" components:\n'
                    f"\t\tmetareplace {mname} {comp.name} <new device>")
    if state & (SmState.ATTACHED_RESYNC | SmState.OFFLINE_RESYNC | SmState.COMP_RESYNC
                | SmState.ATTACHED) or opt_not_done:
        return f"metasync {mname}"
    if state & SmState.OFFLINE:
        return f"metaonline {mname} {s.display(slot.name)}"
    return "???"


@lru_cache(maxsize=32)
def _options_text(pass_num: int, read_option: str, write_option: str) -> str:
    """mirror_report's Pass, Read option and Write option lines: a pure function of the three
    (the same on most mirrors), kept for the ones asked most recently."""
    return (f"    Pass: {pass_num}\n"
            f"    Read option: {read_option} "
            f"({_RD_OPT.get(read_option) or 'default'})\n"
            f"    Write option: {write_option} "
            f"({_WR_OPT.get(write_option) or 'default'})\n")


_OFFLINE = SmState.OFFLINE.value     # tested on the plain int (SmState's & is a Python call)


def mirror_report(rep: Reporter, m: Mirror, header: bool) -> None:
    """meta_mirror.c mirror_report."""
    s = rep.s
    if (rep.large and not rep.big(m)) or rep.fn:
        for slot in m.submirrors:
            sub = rep.unit(slot.name)
            if sub is not None:
                rep.print_unit(sub, header, True)
        return
    if rep.large:
        rep.getdevs(m, rep.devs)
    w = rep.chunks.append       # rep.w, without a call per line
    name = s.display
    mname = name(m.name)
    if header:
        w(f"{mname}: Mirror\n")
    # each submirror's unit, whether it is unreachable, its sm_state and its State text
    # with the opt_not_done it was named with, asked once each (nothing changes while the
    # report is made), in slot order as numbered() gives them: the submirror's own block
    # below names the state again with the last opt_not_done, the same text when the flag
    # did not change and the slot is reachable
    slot_state = rep.host.md.slot_state
    units = s.units
    times = rep.times
    opt_not_done = m.opt_not_done
    seen: list[tuple[SubmirrorSlot, Unit | None, bool, SmState, str, bool]] = []
    for i, slot in m.numbered():        # "Submirror %u" is the un_sm[] index, smi
        sub = units.get(slot.name)
        err = unavailable(sub)
        sms = slot_state(s, slot)
        if int(slot.state) & _OFFLINE:
            opt_not_done = False
        state = sm_state(rep, m, slot, opt_not_done, err, sms)
        seen.append((slot, sub, err, sms, state, opt_not_done))
        timep = rep.time(slot.timestamp) if times else ""
        w(f"    Submirror {i}: {name(slot.name)}\n      State: {state:<12} {timep}\n")
    if m.resync_cancel:
        w(f"    Resync cancelled: {percent(m)} % done\n")
    elif m.resync_active:
        w(f"    Resync in progress: {percent(m)} % done\n")
    w(_options_text(m.pass_num, m.read_option, m.write_option))
    rep.size_line(m.size)
    for slot, sub, err, sms, state, was in seen:
        if err:
            w(f"\n{name(slot.name)}: Submirror of {mname}\n")
        else:
            if was != opt_not_done:
                state = sm_state(rep, m, slot, opt_not_done, False, sms)
            timep = rep.time(slot.timestamp) if times else ""
            w(f"\n{name(slot.name)}: Submirror of {mname}\n    State: {state:<12} {timep}\n")
            action = sm_state_to_action(s, m, slot, sms, opt_not_done)
            if action is not None:
                w(f"    Invoke: {action}\n")
        if isinstance(sub, Stripe):
            stripe_print(rep, sub, False, True, err)
        elif sub is not None:
            rep.print_unit(sub, header=False, subdevs=True)
    w("\n")


def concise_sm_state(rep: Reporter, m: Mirror, slot: SubmirrorSlot) -> str | None:
    """metastat.c get_sm_state."""
    state = rep.host.md.slot_state(rep.s, slot)
    if unavailable(rep.unit(slot.name)) and state & SmState.RUNNING:
        return "unavail"
    if state & SmState.RUNNING and (not m.opt_not_done or not slot.resync_target):
        return None
    if state & (SmState.COMP_RESYNC | SmState.ATTACHED_RESYNC | SmState.OFFLINE_RESYNC) \
            or m.opt_not_done:
        if m.resync_active:
            return f"resync-{percent(m)}%"
        return "maint"
    if state & (SmState.COMP_ERRED | SmState.ATTACHED | SmState.OFFLINE):
        return "maint"
    return "unknown"


def concise_mirror(rep: Reporter, indent: int, m: Mirror) -> None:
    """metastat.c print_concise_mirror (-c): the line, then the submirrors under it."""
    rep.concise_entry(indent, rep.name(m.name), m.size, "m")
    for slot in m.submirrors:
        rep.w(f" {rep.name(slot.name)}")
        if slot.state & SmState.OFFLINE:
            rep.w(" (offline)")
            continue
        state = concise_sm_state(rep, m, slot)
        if state is not None:
            rep.w(f" ({state})")
    rep.w("\n")
    for slot in m.submirrors:
        rep.concise_md(indent + rep.META_INDENT, slot.name)
