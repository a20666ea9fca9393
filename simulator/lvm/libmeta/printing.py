"""Status formatting shared by metastat, metahs and friends: libmeta's report/print code.

Every layout here is a printf format from illumos libmeta, named next to the code:
meta_mirror.c (mirror_report, mirror_print, sm_state_to_action), meta_stripe.c
(stripe_report, subdev_row_report, toplev_row_report, stripe_print), meta_sp.c
(meta_sp_report, meta_sp_short_print), meta_hotspares.c (hsp_report, hsp_print),
meta_print.c (meta_print_all, meta_number_to_string, meta_print_time, meta_print_devid),
meta_statconcise.c and cmd/lvm/util/metastat.c (-c).

Units are listed in the kernel's order: md_create_unit_incore (md_subr.c) and
seths_add (hotspares.c) put a new unit or pool at the head of the driver's list, and
MD_IOCGET_NUM walks that list, so the most recently created one comes first (real
``metastat`` output lists d9, d8, d4... for units made d0, d1, ..., d9).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from simulator.core.names import DID_SLICE_RE, split_slice
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import (
    BIG_UNIT_BLOCKS,
    Component,
    HotSparePool,
    Mirror,
    Row,
    SoftPartition,
    Stripe,
    SubmirrorSlot,
    Unit,
)
from simulator.lvm.md.states import CompState, SmState, sm_state_to_name

if TYPE_CHECKING:
    from simulator.host import Host

U = TypeVar("U", bound=Unit)

META_INDENT = 4          # meta_lib.h: indentation of -c children
CONCISE_NAMEWIDTH = 16   # meta_statconcise.c NAMEWIDTH


# ---------------------------------------------------------------------------- numbers, time
def _float32(value: float) -> float:
    """``(float)x`` in C: metastat computes the one-decimal sizes in single precision."""
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


def meta_number_to_string(number: int, blk_sz: int = 512) -> str:
    """``501 MB``, ``4.0 GB``: blocks as a human size (meta_print.c meta_number_to_string)."""
    units = " KMGTPE"
    uom = 0
    save = 0
    total = number * blk_sz
    while total >= 1024 and units[uom] != "E":
        uom += 1
        save = total
        total //= 1024
    if save and save // 1024 < 10:
        return f"{_float32(save / 1024):1.1f} {units[uom]}B"
    return f"{total} {units[uom]}B"


def meta_print_time(host: Host, when: float) -> str:
    """``%a %b %e %T %Y`` in the host's zone; a zero time is ``(invalid time)`` (meta_print.c)."""
    if int(when) == 0:
        return "(invalid time)"
    return host.clock.ctime(int(when))


def _s(text: str, width: int = 0, prec: int | None = None, left: bool = False) -> str:
    """C ``%[-]width.precs``."""
    if prec is not None:
        text = text[:prec]
    return text.ljust(width) if left else text.rjust(width)


# ---------------------------------------------------------------------------- kernel order
def kernel_order(s: MDSet, kind: type[U]) -> list[U]:
    """Units of one type in MD_IOCGET_NUM order: newest first (see the module docstring)."""
    return [u for u in reversed(list(s.units.values())) if isinstance(u, kind)]


def hsp_order(s: MDSet) -> list[HotSparePool]:
    """Hot spare pools in the hotspares driver's list order (newest first)."""
    return list(reversed(list(s.hsps.values())))


def parented(s: MDSet, u: Unit) -> bool:
    """MD_HAS_PARENT: a submirror/stripe child, or a unit soft partitions are built on
    (the soft partition driver marks it MD_MULTI_PARENT)."""
    if u.parent is not None:
        return True
    return any(isinstance(o, SoftPartition) and o.component == u.name for o in s.units.values())


def unavailable(u: Unit | None) -> bool:
    """The unit's transient state has MD_DEV_ERRORED (a component could not be reached)."""
    return isinstance(u, Stripe) and any(c.state == CompState.UNAVAILABLE
                                         for c in u.components)


def find_erred_comp(st: Stripe) -> Component | None:
    """meta_stripe.c meta_find_erred_comp: the Erred component with the lowest error count,
    else the Last Erred one with the lowest count."""
    for wanted in (CompState.ERRED, CompState.LAST_ERRED):
        best: Component | None = None
        for c in st.components:
            if c.state == wanted and (best is None or c.error_count < best.error_count):
                best = c
        if best is not None:
            return best
    return None


def sm_state_to_action(s: MDSet, m: Mirror, slot: SubmirrorSlot, state: SmState,
                       opt_not_done: bool) -> str | None:
    """The ``Invoke:`` text under a submirror (meta_mirror.c sm_state_to_action)."""
    mname = s.display(m.name)
    if m.resync_active:
        return None
    if state == SmState.RUNNING and not opt_not_done:
        return None
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


_RD_OPT = {"roundrobin": None, "geometric": "-g", "first": "-r"}
_WR_OPT = {"parallel": None, "serial": "-S"}


def ctd_name(name: str) -> str:
    """meta_create_non_dup_list: the disk part of a slice name (``c1t0d0s3`` -> ``c1t0d0``)."""
    head, sep, tail = name.rpartition("/")
    cut = tail.rfind("s")
    return head + sep + (tail[:cut] if cut >= 0 else tail)


# ---------------------------------------------------------------------------- the reporter
class Reporter:
    """Prints one set's units as libmeta does for metastat (and metahs -i).

    ``short`` is ``-p`` (md.tab form), ``times`` is ``-t``, ``large`` is ``-B``,
    ``fn`` is ``-D`` (only descriptive-name units: the model has none). The text builds
    up in :attr:`chunks`; :meth:`text` returns it. :attr:`devs` collects the slices the
    -B/-D reports hand to the Device Relocation Information, as ``nlpp`` does in libmeta.
    """

    def __init__(self, host: Host, s: MDSet, *, short: bool = False, times: bool = False,
                 large: bool = False, fn: bool = False) -> None:
        self.host = host
        self.s = s
        self.short = short
        self.times = times
        self.large = large
        self.fn = fn
        self.chunks: list[str] = []
        self.devs: list[str] = []
        self._sp_parent_printed: set[str] = set()

    # -- small helpers
    def w(self, text: str) -> None:
        self.chunks.append(text)

    def text(self) -> str:
        return "".join(self.chunks)

    def name(self, short: str) -> str:
        return self.s.display(short)

    def time(self, when: float) -> str:
        return meta_print_time(self.host, when)

    def unit(self, name: str) -> Unit | None:
        return self.s.units.get(name)

    def has_mddb(self, comp: str) -> bool:
        """metahasmddb: a replica of this set lives on the slice."""
        return any(r.device == comp for r in self.s.replicas)

    def devid_of(self, comp: str) -> str | None:
        parsed = split_slice(comp)
        disk = self.host.disks.get(parsed[0]) if parsed else None
        return disk.devid if disk is not None and disk.devid else None

    def reloc(self, comp: Component) -> str:
        """``Yes`` when the component's disk has a device ID (metadevices never do)."""
        if comp.name in self.s.units or not comp.reloc:
            return "No "
        return "Yes" if self.devid_of(comp.name) else "No "

    @staticmethod
    def big(u: Unit) -> bool:
        """MD_64BIT_META_DEV: units of a terabyte and more (what -B selects)."""
        return u.size >= BIG_UNIT_BLOCKS

    # -- dispatch (meta_print.c meta_print_name)
    def print_unit(self, u: Unit, header: bool = True, subdevs: bool = False) -> None:
        if isinstance(u, Mirror):
            self.mirror_print(u, header, subdevs)
        elif isinstance(u, Stripe):
            self.stripe_print(u, header, subdevs)
        elif isinstance(u, SoftPartition):
            self.sp_print(u, header, subdevs)

    def print_all(self) -> None:
        """meta_print_all: (trans, logs,) mirrors, (RAID5,) stripes, soft partitions, pools."""
        for m in kernel_order(self.s, Mirror):
            self.print_unit(m)
        for st in kernel_order(self.s, Stripe):
            self.print_unit(st)
        for sp in kernel_order(self.s, SoftPartition):
            self.print_unit(sp)
        for pool in hsp_order(self.s):
            self.hsp_print(pool)

    # -- mirrors (meta_mirror.c)
    def mirror_print(self, m: Mirror, header: bool, subdevs: bool) -> None:
        """meta_mirror_print: md.tab line plus submirrors, or the full report."""
        if not subdevs and parented(self.s, m):
            return
        if not self.short:
            self.mirror_report(m, header)
            return
        if not (self.large and not self.big(m)) and not self.fn:
            line = f"{self.name(m.name)} -m"
            line += "".join(f" {self.name(sl.name)}" for sl in m.submirrors)
            for opt in (_RD_OPT.get(m.read_option), _WR_OPT.get(m.write_option)):
                if opt:
                    line += f" {opt}"
            self.w(f"{line} {m.pass_num}\n")
        for slot in m.submirrors:
            sub = self.unit(slot.name)
            if sub is not None:
                self.print_unit(sub, header, True)

    def sm_state(self, m: Mirror, slot: SubmirrorSlot, opt_not_done: bool,
                 errored: bool) -> str:
        """meta_mirror.c sm_state_to_name, with the Unavailable (tstate) rule first."""
        state = self.host.md.slot_state(self.s, slot)
        if errored and state & SmState.RUNNING:
            return "Unavailable"
        return sm_state_to_name(state, m.resync_active, m.resync_cancel, opt_not_done,
                                slot.resync_target)

    def percent(self, m: Mirror) -> str:
        p = m.percent_done()
        return f"{p // 10:2d}.{p % 10:1d}" if m.big else f"{p}"

    def mirror_report(self, m: Mirror, header: bool) -> None:
        """meta_mirror.c mirror_report."""
        s = self.s
        if (self.large and not self.big(m)) or self.fn:
            for slot in m.submirrors:
                sub = self.unit(slot.name)
                if sub is not None:
                    self.print_unit(sub, header, True)
            return
        if self.large:
            self.getdevs(m, self.devs)
        if header:
            self.w(f"{self.name(m.name)}: Mirror\n")
        opt_not_done = m.opt_not_done
        for i, slot in enumerate(m.submirrors):
            if slot.state & SmState.OFFLINE:
                opt_not_done = False
            self.w(f"    Submirror {i}: {self.name(slot.name)}\n")
            state = self.sm_state(m, slot, opt_not_done, unavailable(self.unit(slot.name)))
            timep = self.time(slot.timestamp) if self.times else ""
            self.w(f"      State: {state:<12} {timep}\n")
        if m.resync_cancel:
            self.w(f"    Resync cancelled: {self.percent(m)} % done\n")
        elif m.resync_active:
            self.w(f"    Resync in progress: {self.percent(m)} % done\n")
        self.w(f"    Pass: {m.pass_num}\n")
        self.w(f"    Read option: {m.read_option} "
               f"({_RD_OPT.get(m.read_option) or 'default'})\n")
        self.w(f"    Write option: {m.write_option} "
               f"({_WR_OPT.get(m.write_option) or 'default'})\n")
        self.w(f"    Size: {m.size} blocks ({meta_number_to_string(m.size)})\n")
        for slot in m.submirrors:
            sub = self.unit(slot.name)
            self.w("\n")
            self.w(f"{self.name(slot.name)}: Submirror of {self.name(m.name)}\n")
            if not unavailable(sub):
                state = self.sm_state(m, slot, opt_not_done, False)
                timep = self.time(slot.timestamp) if self.times else ""
                self.w(f"    State: {state:<12} {timep}\n")
                action = sm_state_to_action(s, m, slot, self.host.md.slot_state(s, slot),
                                            opt_not_done)
                if action is not None:
                    self.w(f"    Invoke: {action}\n")
            if sub is not None:
                self.print_unit(sub, header=False, subdevs=True)
        self.w("\n")

    # -- concat/stripes (meta_stripe.c)
    def stripe_print(self, st: Stripe, header: bool, subdevs: bool) -> None:
        """meta_stripe_print: the stripe, then components that are metadevices."""
        if not subdevs and parented(self.s, st):
            return
        if self.short:
            self.stripe_line(st)
        else:
            self.stripe_report(st, header)
        for comp in st.components:
            child = self.unit(comp.name)
            if child is not None:
                self.print_unit(child, True, True)

    def stripe_line(self, st: Stripe) -> None:
        """meta_stripe.c stripe_print: ``dN rows ncomp comp... [-i Nb] \\`` ... ``[-h hsp]``."""
        if (self.large and not self.big(st)) or self.fn:
            return
        out = f"{self.name(st.name)} {len(st.rows)}"
        for i, row in enumerate(st.rows):
            out += f" {len(row.components)}"
            out += "".join(f" {c.name}" for c in row.components)
            if len(row.components) > 1:
                out += f" -i {row.interlace}b"
            if i != len(st.rows) - 1:
                out += " \\\n\t"
        if st.hsp:
            out += f" -h {self.name(st.hsp)}"
        self.w(out + "\n")

    def stripe_report(self, st: Stripe, header: bool) -> None:
        """meta_stripe.c stripe_report."""
        if self.large or self.fn:
            if self.fn or not self.big(st):
                return
            self.getdevs(st, self.devs)
        if header:
            self.w(f"{self.name(st.name)}: Concat/Stripe\n")
        if st.hsp:
            self.w(f"    Hot spare pool: {self.name(st.hsp)}\n")
        errored = unavailable(st)
        if errored:
            self.w("    State: Unavailable\n    Reconnect disk and invoke: metastat -i\n")
        self.w(f"    Size: {st.size} blocks ({meta_number_to_string(st.size)})\n")
        sub = parented(self.s, st)
        for i, row in enumerate(st.rows):
            if len(row.components) > 1:
                self.w(f"    Stripe {i}: (interlace: {row.interlace} blocks)\n")
            else:
                self.w(f"    Stripe {i}:\n")
            if sub:
                self.subdev_rows(row, errored)
            else:
                self.toplev_rows(row)
        self.w("\n")

    def comp_state(self, comp: Component, top_errored: bool) -> str:
        """subdev_row_report: ``-`` for slices of an unreachable stripe, else the name
        (comp_state_to_name; a metadevice component that is unreachable is Unavailable)."""
        child = self.unit(comp.name)
        if child is not None:
            return "Unavailable" if unavailable(child) else comp.state.value
        if top_errored:
            return "-"
        return comp.state.value

    def subdev_rows(self, row: Row, top_errored: bool) -> None:
        """meta_stripe.c subdev_row_report (a stripe with a parent: State and Hot Spare)."""
        ln = max([len(c.name) for c in row.components] + [len("Device")]) + 2
        if not self.times:
            self.w(f"\t{_s('Device', ln, ln, True)} {_s('Start Block', 12, 12, True)} "
                   f"{_s('Dbase', 5, 5)} {_s('State', 12, 12)} {_s('Reloc', 5, 5)} "
                   "Hot Spare\n")
        else:
            self.w(f"\t{_s('Device', ln, left=True)} {'Start':>5} {'Dbase':>5} "
                   f"{'State':<11} {'Reloc':<5} {'Hot Spare':<9} Time\n")
        for c in row.components:
            dbase = "Yes" if self.has_mddb(c.name) else "No"
            state = self.comp_state(c, top_errored)
            hs = c.hot_spare or ""
            if not self.times:
                self.w(f"\t{c.name:<{ln}} {c.start_block:8d}     {_s(dbase, 5, 5, True)} "
                       f"{_s(state, 12, 12)} {_s(self.reloc(c), 5, 5)} {hs}\n")
            else:
                self.w(f"\t{c.name:<{ln}} {c.start_block:5d} {dbase:<5} {state:<11} "
                       f"{self.reloc(c):<5} {hs:<9} {self.time(c.timestamp)}\n")

    def toplev_rows(self, row: Row) -> None:
        """meta_stripe.c toplev_row_report (a top-level concat/stripe: no State column)."""
        ln = max([len(c.name) for c in row.components] + [len("Device")]) + 2
        self.w(f"\t{_s('Device', ln, ln, True)} {_s('Start Block', 12, 12, True)} "
               f"{_s('Dbase', 5, 5, True)}\tReloc\n")
        for c in row.components:
            dbase = "Yes" if self.has_mddb(c.name) else "No"
            self.w(f"\t{c.name:<{ln}} {c.start_block:8d}     {_s(dbase, 5, 5, True)}"
                   f"\t{self.reloc(c)}\n")

    # -- soft partitions (meta_sp.c)
    def sp_print(self, sp: SoftPartition, header: bool, subdevs: bool) -> None:
        """meta_sp_print: the soft partition, then (once per run) the metadevice under it."""
        if not subdevs and parented(self.s, sp):
            return
        if self.short:
            self.sp_line(sp)
        else:
            self.sp_report(sp, header)
        base = self.unit(sp.component)
        if base is not None and base.name not in self._sp_parent_printed:
            self.print_unit(base, True, True)
            self._sp_parent_printed.add(base.name)

    def sp_line(self, sp: SoftPartition) -> None:
        """meta_sp.c meta_sp_short_print: ``dN -p comp -o off -b len `` per extent."""
        if (self.large and not self.big(sp)) or self.fn:
            return
        comp = self.name(sp.component) if sp.component in self.s.units else sp.component
        # meta_sp_short_print prints the component's cname only when its raw path holds
        # /dev/rdsk or /dev/md/rdsk, else the whole raw path: a metadevice of a named set
        # is /dev/md/<set>/rdsk/dN (real capture: "pora5ds/d61 -p /dev/md/pora5ds/rdsk/d50
        # -o 255852672 -b 209715200"), a Sun Cluster DID slice /dev/did/rdsk/dNsM.
        if sp.component in self.s.units and self.s.name:
            comp = f"/dev/md/{self.s.name}/rdsk/{sp.component}"
        elif DID_SLICE_RE.match(sp.component):
            comp = f"/dev/did/rdsk/{sp.component}"
        out = f"{self.name(sp.name)} -p {comp}"
        out += "".join(f" -o {off} -b {length} " for off, length in sp.extents)
        self.w(out + "\n")

    def sp_report(self, sp: SoftPartition, header: bool) -> None:
        """meta_sp.c meta_sp_report."""
        if self.large or self.fn:
            if self.fn or not self.big(sp):
                return
            self.getdevs(sp, self.devs)
        if header:
            self.w(f"{self.name(sp.name)}: Soft Partition\n")
        is_meta = sp.component in self.s.units
        self.w(f"    Device: {self.name(sp.component) if is_meta else sp.component}\n")
        self.w(f"    State: {sp.status}\n")
        self.w(f"    Size: {sp.size} blocks ({meta_number_to_string(sp.size)})\n")
        if not is_meta:
            ln = max(len(sp.component), len("Device")) + 2
            self.w(f"\t{_s('Device', ln, ln, True)} {_s('Start Block', 12, 12, True)} "
                   f"{_s('Dbase', 5, 5, True)} Reloc\n")
            start = max((r.first_block + r.count for r in self.s.replicas
                         if r.device == sp.component), default=0)
            dbase = "Yes" if self.has_mddb(sp.component) else "No"
            reloc = "Yes" if self.devid_of(sp.component) else "No "
            self.w(f"\t{sp.component:<{ln}} {start:8d}     {_s(dbase, 5, 5, True)} "
                   f"{reloc}\n")
            self.w("\n")
        self.w(f"\t{'Extent':>6.6} {'Start Block':>24.24} {'Block count':>24.24}\n")
        for n, (off, length) in enumerate(sp.extents):
            self.w(f"\t{n:6d} {off:24d} {length:24d}\n")
        self.w("\n")

    # -- hot spare pools (meta_hotspares.c)
    def hsp_print(self, pool: HotSparePool) -> None:
        """meta_hsp_print: ``hspNNN comp...`` (-p) or the report."""
        if self.short:
            # hsp_print prints the raw path of a spare outside /dev/rdsk (a Sun Cluster
            # DID slice: /dev/did/rdsk/dNsM), else its cname (meta_hotspares.c)
            self.w(self.name(pool.name) + "".join(
                f" /dev/did/rdsk/{h.name}" if DID_SLICE_RE.match(h.name) else f" {h.name}"
                for h in pool.spares) + "\n")
        else:
            self.hsp_report(pool)

    def hsp_report(self, pool: HotSparePool) -> None:
        """meta_hotspares.c hsp_report."""
        name = self.name(pool.name)
        n = len(pool.spares)
        nbig = 0
        if self.large:
            for h in pool.spares:
                if h.size >= BIG_UNIT_BLOCKS:
                    nbig += 1
                    self.getdevs_slice(h.name, self.devs)
            if nbig == 0:
                return
        ln = max([len(h.name) for h in pool.spares] + [len("Device")]) + 2
        cols = (f"{_s('Device', ln, ln, True)} {_s('Status', 12, 12, True)}"
                f"{_s('Length', 8, 6, True)}\t\tReloc\n")
        if n == 0:
            self.w(f"{name}: is empty\n")
        elif n == 1:
            if self.large:
                self.w(f"{name}: 1 hot spare (1 big device)\n\t{cols.replace(' ', '  ', 1)}")
            else:
                self.w(f"{name}: 1 hot spare\n\t{cols}")
        elif self.large:
            self.w(f"{name}: {n} hot spares ({nbig} big device(s))\n\t{cols}")
        else:
            self.w(f"{name}: {n} hot spares\n\t{cols}")
        for h in pool.spares:
            if self.large and h.size < BIG_UNIT_BLOCKS:
                continue
            devid = "Yes" if self.devid_of(h.name) else "No "
            if not self.times:
                self.w(f"        {h.name:<{ln}} {h.status:<12} {h.size} blocks\t{devid}\n")
            else:
                self.w(f"        {h.name:<{ln}}\t    {h.status:<11} {h.size:8d} blocks{devid}"
                       f"\t{self.time(h.timestamp)}\n")
        self.w("\n")

    # -- devices under units (meta_getdevs.c) and Device Relocation Information
    def getdevs_slice(self, comp: str, acc: list[str]) -> None:
        if comp not in acc:
            acc.append(comp)

    def getdevs(self, u: Unit, acc: list[str]) -> None:
        """meta_getdevs: the slices under a unit, depth first, each once."""
        if isinstance(u, Mirror):
            children: Iterable[str] = [sl.name for sl in u.submirrors]
        elif isinstance(u, Stripe):
            children = [c.name for c in u.components]
        elif isinstance(u, SoftPartition):
            children = [u.component]
        else:
            children = []
        for name in children:
            child = self.unit(name)
            if child is not None:
                self.getdevs(child, acc)
            else:
                self.getdevs_slice(name, acc)

    def getalldevs(self, acc: list[str]) -> None:
        """meta_getalldevs without replicas: stripes, mirrors, spares, soft partitions."""
        for st in kernel_order(self.s, Stripe):
            self.getdevs(st, acc)
        for m in kernel_order(self.s, Mirror):
            self.getdevs(m, acc)
        for pool in hsp_order(self.s):
            for h in pool.spares:
                self.getdevs_slice(h.name, acc)
        for sp in kernel_order(self.s, SoftPartition):
            self.getdevs(sp, acc)

    def relocation(self, slices: list[str]) -> None:
        """meta_print.c meta_print_devid over meta_create_non_dup_list (one row per disk)."""
        disks: list[str] = []
        for sl in slices:
            d = ctd_name(sl)
            if d not in disks:
                disks.append(d)
        ln = max([len(d) for d in disks] + [0]) + 2
        self.w("Device Relocation Information:\n")
        self.w(f"{'Device  ':<{ln}} {'Reloc':<5}\tDevice ID\n")
        for d in disks:
            disk = self.host.disks.get(d)
            devid = disk.devid if disk is not None and disk.devid else None
            self.w(f"{d:<{ln}} {'Yes' if devid else 'No ':<5}\t{devid or '-'}\n")

    # -- concise output (metastat.c print_concise_*, meta_statconcise.c)
    def concise_entry(self, indent: int, name: str, size: int, mtype: str) -> None:
        """print_concise_entry: ``%s%*s %c %6s`` with the size's blanks removed."""
        width = CONCISE_NAMEWIDTH - indent
        sz = "-" if size == 0 else meta_number_to_string(size).replace(" ", "")
        self.w(f"{' ' * indent}{name:<{max(width, 0)}} {mtype} {sz:>6}")

    def concise_md(self, indent: int, name: str) -> None:
        """print_concise_md: one metadevice and, indented, the metadevices under it."""
        u = self.unit(name)
        if isinstance(u, Stripe):
            self.concise_stripe(indent, u)
        elif isinstance(u, Mirror):
            self.concise_mirror(indent, u)
        elif isinstance(u, SoftPartition):
            self.concise_entry(indent, self.name(u.name), u.size, "p")
            self.w(f" {self.concise_compname(u.component)}\n")
            self.concise_md(indent + META_INDENT, u.component)

    def concise_compname(self, name: str) -> str:
        return self.name(name) if name in self.s.units else name

    def concise_sm_state(self, m: Mirror, slot: SubmirrorSlot) -> str | None:
        """metastat.c get_sm_state."""
        state = self.host.md.slot_state(self.s, slot)
        if unavailable(self.unit(slot.name)) and state & SmState.RUNNING:
            return "unavail"
        if state & SmState.RUNNING and (not m.opt_not_done or not slot.resync_target):
            return None
        if state & (SmState.COMP_RESYNC | SmState.ATTACHED_RESYNC | SmState.OFFLINE_RESYNC) \
                or m.opt_not_done:
            if m.resync_active:
                return f"resync-{self.percent(m)}%"
            return "maint"
        if state & (SmState.COMP_ERRED | SmState.ATTACHED | SmState.OFFLINE):
            return "maint"
        return "unknown"

    def concise_mirror(self, indent: int, m: Mirror) -> None:
        self.concise_entry(indent, self.name(m.name), m.size, "m")
        for slot in m.submirrors:
            self.w(f" {self.name(slot.name)}")
            if slot.state & SmState.OFFLINE:
                self.w(" (offline)")
                continue
            state = self.concise_sm_state(m, slot)
            if state is not None:
                self.w(f" ({state})")
        self.w("\n")
        for slot in m.submirrors:
            self.concise_md(indent + META_INDENT, slot.name)

    _STRIPE_STATE = {CompState.OKAY: None, CompState.ERRED: "maint",
                     CompState.LAST_ERRED: "last-erred", CompState.RESYNC: "resyncing"}

    def concise_stripe(self, indent: int, st: Stripe) -> None:
        self.concise_entry(indent, self.name(st.name), st.size, "s")
        top = unavailable(st)
        for c in st.components:
            self.w(f" {self.concise_compname(c.name)}")
            child = self.unit(c.name)
            state: str | None
            if child is not None:
                state = "unavail" if unavailable(child) else self._STRIPE_STATE.get(c.state,
                                                                                    "invalid")
            elif top:
                state = "-"
            else:
                state = self._STRIPE_STATE.get(c.state, "invalid")
            if state is not None:
                self.w(f" ({state}-{c.hot_spare})" if c.hot_spare else f" ({state})")
            elif c.hot_spare:
                self.w(f" (spared-{c.hot_spare})")
        self.w("\n")
        for c in st.components:
            self.concise_md(indent + META_INDENT, c.name)

    def concise_all(self) -> None:
        """metastat.c print_concise_diskset: soft partitions grouped by what they sit on,
        then mirrors, stripes and hot spare pools that have no parent."""
        s = self.s
        sps = kernel_order(s, SoftPartition)
        bases: list[str] = []
        for i, sp in enumerate(sps):
            if parented(s, sp) or sp.component in bases:
                continue
            self.concise_entry(0, self.name(sp.name), sp.size, "p")
            self.w(f" {self.concise_compname(sp.component)}\n")
            bases.insert(0, sp.component)
            for other in sps[i + 1:]:
                if not parented(s, other) and other.component == sp.component:
                    self.concise_entry(0, self.name(other.name), other.size, "p")
                    self.w(f" {self.concise_compname(other.component)}\n")
            self.concise_md(META_INDENT, sp.component)
        for m in kernel_order(s, Mirror):
            if not parented(s, m):
                self.concise_md(0, m.name)
        for st in kernel_order(s, Stripe):
            if not parented(s, st):
                self.concise_md(0, st.name)
        for pool in hsp_order(s):
            self.concise_entry(0, self.name(pool.name), 0, "h")
            for h in pool.spares:
                self.w(f" {h.name}")
                hs_state = {"In use": "in-use", "Broken": "broken"}.get(h.status)
                if hs_state is None and h.status != "Available":
                    hs_state = "invalid"
                if hs_state is not None:
                    self.w(f" ({hs_state})")
            self.w("\n")


def md_tab_lines(host: Host, s: MDSet) -> str:
    """Every unit and pool of a set in md.tab form, as ``metastat -p`` prints them."""
    rep = Reporter(host, s, short=True)
    rep.print_all()
    return rep.text()
