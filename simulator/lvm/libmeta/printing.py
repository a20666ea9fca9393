"""What libmeta's report/print code shares, and the walk over a set's units (meta_print.c).

illumos keeps each metadevice type's report and print code in that type's file and the
shared helpers in meta_print.c; so does this package:

- here: meta_print.c (meta_print_all, meta_print_name's dispatch, meta_number_to_string,
  meta_print_time, meta_print_devid over meta_create_non_dup_list), meta_getdevs.c
  (meta_getdevs, meta_getalldevs), the kernel's list order of units and pools, and the
  walk of metastat -c (cmd/lvm/util/metastat.c print_concise_diskset/print_concise_md,
  meta_statconcise.c print_concise_entry);
- :mod:`simulator.lvm.libmeta.stripe`: meta_stripe.c meta_stripe_print, stripe_report,
  subdev_row_report, toplev_row_report, stripe_print (md.tab), meta_find_erred_comp and
  the stripe's concise line;
- :mod:`simulator.lvm.libmeta.mirror`: meta_mirror.c meta_mirror_print, mirror_report,
  mirror_print (md.tab), sm_state_to_action and the mirror's concise line;
- :mod:`simulator.lvm.libmeta.softpart`: meta_sp.c meta_sp_print, meta_sp_report,
  meta_sp_short_print and the soft partition's concise line;
- :mod:`simulator.lvm.libmeta.hotspare`: meta_hotspares.c meta_hsp_print, hsp_report,
  hsp_print (md.tab) and the pool's concise line.

Each type's functions take the :class:`Reporter` (the options and the text built so far)
as first argument and reach a child unit through :meth:`Reporter.print_unit` /
:meth:`Reporter.concise_md`, as libmeta's calls meta_print_name: the per-type modules
import this one only for type checking, so nothing imports in a cycle. The layouts must
match Solaris byte for byte: every one is a printf format of the source named beside it.

The whole-set report (:meth:`Reporter.print_all`, the relocation section of
:meth:`Reporter.relocation_all`) prints each top-level unit's kept text while nothing under
it has been written since it was printed: :mod:`simulator.lvm.libmeta.report_cache`.

Units are listed in the kernel's order: md_create_unit_incore (md_subr.c) and
seths_add (hotspares.c) put a new unit or pool at the head of the driver's list, and
MD_IOCGET_NUM walks that list, so the most recently created one comes first (real
``metastat`` output lists d9, d8, d4... for units made d0, d1, ..., d9).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from simulator.core.names import split_slice
from simulator.lvm.libmeta import hotspare, mirror, report_cache, softpart, stripe
from simulator.lvm.md.manager import MDSet
from simulator.lvm.md.records import (
    BIG_UNIT_BLOCKS,
    Component,
    HotSparePool,
    Mirror,
    SoftPartition,
    Stripe,
    Unit,
)

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


@lru_cache(maxsize=64)
def meta_number_to_string(number: int, blk_sz: int = 512) -> str:
    """``501 MB``, ``4.0 GB``: blocks as a human size (meta_print.c meta_number_to_string).
    A pure function of the numbers, asked of the same few sizes by every report: the
    strings of the sizes asked most recently are kept."""
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


@lru_cache(maxsize=64)
def size_text(size: int) -> str:
    """The ``    Size: %lld blocks (%s)`` line of a unit of ``size`` blocks (what
    :meth:`Reporter.size_line` prints): a pure function of the size, which a mirror's report
    prints for the mirror and each of its submirrors; the lines of the sizes asked most
    recently are kept."""
    return f"    Size: {size} blocks ({meta_number_to_string(size)})\n"


def meta_print_time(host: Host, when: float) -> str:
    """``%a %b %e %T %Y`` in the host's zone; a zero time is ``(invalid time)`` (meta_print.c)."""
    if int(when) == 0:
        return "(invalid time)"
    return host.clock.ctime(int(when))


# ---------------------------------------------------------------------------- kernel order
def kernel_order(s: MDSet, kind: type[U]) -> list[U]:
    """Units of one type in MD_IOCGET_NUM order: newest first (see the module docstring)."""
    return [u for u in reversed(list(s.units.values())) if isinstance(u, kind)]


def hsp_order(s: MDSet) -> list[HotSparePool]:
    """Hot spare pools in the hotspares driver's list order (newest first)."""
    return list(reversed(list(s.hsps.values())))


def parented(s: MDSet, u: Unit, sp_bases: set[str] | None = None) -> bool:
    """MD_HAS_PARENT: a submirror/stripe child, or a unit soft partitions are built on
    (the soft partition driver marks it MD_MULTI_PARENT). ``sp_bases``: what
    :func:`sp_bases` gives, for a caller asking of many units (one pass, not one each)."""
    if u.parent is not None:
        return True
    if sp_bases is not None:
        return u.name in sp_bases
    return any(isinstance(o, SoftPartition) and o.component == u.name for o in s.units.values())


def sp_bases(s: MDSet) -> set[str]:
    """The names soft partitions of ``s`` are built on."""
    bases: set[str] = set()
    for o in s.units.values():
        if isinstance(o, SoftPartition):
            bases.add(o.component)
    return bases


def ctd_name(name: str) -> str:
    """meta_create_non_dup_list: the disk part of a slice name (``c1t0d0s3`` -> ``c1t0d0``)."""
    if "/" not in name:                     # a plain slice name: the tail is all of it
        cut = name.rfind("s")
        return name[:cut] if cut >= 0 else name
    head, sep, tail = name.rpartition("/")
    cut = tail.rfind("s")
    return head + sep + (tail[:cut] if cut >= 0 else tail)


@lru_cache(maxsize=16)
def relocation_header(ln: int) -> str:
    """meta_print_devid's title and column titles for a Device column ``ln`` wide (a pure
    function of the width, the same in most reports: kept)."""
    return f"Device Relocation Information:\n{'Device  ':<{ln}} {'Reloc':<5}\tDevice ID\n"


# ---------------------------------------------------------------------------- the reporter
class Reporter:
    """One set's report being printed, as libmeta prints it for metastat (and metahs -i).

    ``short`` is ``-p`` (md.tab form), ``times`` is ``-t``, ``large`` is ``-B``,
    ``fn`` is ``-D`` (only descriptive-name units: the model has none). The text builds
    up in :attr:`chunks`; :meth:`text` returns it. :attr:`devs` collects the slices the
    -B/-D reports hand to the Device Relocation Information, as ``nlpp`` does in libmeta;
    :attr:`sp_parent_printed` holds the metadevices under soft partitions already printed
    in this run (meta_sp_print prints each once).
    """

    META_INDENT = META_INDENT

    def __init__(self, host: Host, s: MDSet, *, short: bool = False, times: bool = False,
                 large: bool = False, fn: bool = False) -> None:
        self.host = host
        self.s = s
        self.short = short
        self.times = times
        self.large = large
        self.fn = fn
        self.chunks: list[str] = []
        # the slices for the Device Relocation Information, in order, each once (a dict
        # used as an ordered set: 8,192 metadevices have ~11,000 slices)
        self.devs: dict[str, None] = {}
        self.sp_parent_printed: set[str] = set()
        self._sp_bases: set[str] | None = None
        self._kept: report_cache.Session | None = None
        self._kept_looked = False

    # -- small helpers shared by every type
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

    def parented(self, u: Unit) -> bool:
        if u.parent is not None:            # a submirror: the names below need not be read
            return True
        if self._sp_bases is None:
            self._sp_bases = sp_bases(self.s)
        return parented(self.s, u, self._sp_bases)

    def has_mddb(self, comp: str) -> bool:
        """metahasmddb: a replica of this set lives on the slice."""
        for r in self.s.replicas:
            if r.device == comp:
                return True
        return False

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

    @staticmethod
    def printf_s(text: str, width: int = 0, prec: int | None = None,
                 left: bool = False) -> str:
        """C ``%[-]width.precs``: cut to ``prec`` characters, then padded to ``width``."""
        if prec is not None:
            text = text[:prec]
        return text.ljust(width) if left else text.rjust(width)

    def size_line(self, size: int) -> None:
        """``    Size: %lld blocks (%s)`` of mirror_report, stripe_report, meta_sp_report."""
        self.chunks.append(size_text(size))

    # -- the walk (meta_print.c meta_print_name, meta_print_all)
    def print_unit(self, u: Unit, header: bool = True, subdevs: bool = False) -> None:
        """meta_print_name: the unit's own print function."""
        if isinstance(u, Mirror):
            mirror.mirror_print(self, u, header, subdevs)
        elif isinstance(u, Stripe):
            stripe.stripe_print(self, u, header, subdevs)
        elif isinstance(u, SoftPartition):
            softpart.sp_print(self, u, header, subdevs)

    def kept(self) -> report_cache.Session | None:
        """The reports kept from earlier calls (:mod:`.report_cache`), if they apply."""
        if not self._kept_looked:
            self._kept_looked = True
            self._kept = report_cache.session(self)
        return self._kept

    def print_top(self, u: Unit) -> None:
        """meta_print_all's print of one unit (nothing when it has a parent): the kept report
        while nothing under the unit has changed, else printed (and kept)."""
        kept = self.kept()
        if kept is None or self.parented(u):
            self.print_unit(u)
            return
        self._print_kept(kept, u)

    def _print_kept(self, kept: report_cache.Session, u: Unit) -> None:
        """A top-level unit's report: the kept text, else printed and kept when it may be."""
        text, keep = kept.unit_text(u)
        if text is not None:
            self.chunks.append(text)
            return
        start = len(self.chunks)
        self.print_unit(u)
        if keep:
            kept.keep_unit(u, self._joined(start))

    def print_named(self, u: Unit) -> None:
        """metastat.c's print of one named unit (meta_print_name with its subdevices). A
        unit no other holds prints as in meta_print_all (the subdevices flag only lets a
        held unit print), so its kept report serves both; a held one (a submirror named
        alone) and a soft partition print afresh."""
        kept = self.kept()
        if kept is None or isinstance(u, SoftPartition) or self.parented(u):
            self.print_unit(u, header=True, subdevs=True)
            return
        self._print_kept(kept, u)

    def print_all(self) -> None:
        """meta_print_all: (trans, logs,) mirrors, (RAID5,) stripes, soft partitions, pools."""
        for m in kernel_order(self.s, Mirror):
            self.print_top(m)
        for st in kernel_order(self.s, Stripe):
            self.print_top(st)
        for sp in kernel_order(self.s, SoftPartition):
            self.print_unit(sp)
        for pool in hsp_order(self.s):
            hotspare.hsp_print(self, pool)

    # -- devices under units (meta_getdevs.c) and Device Relocation Information
    def getdevs_slice(self, comp: str, acc: dict[str, None]) -> None:
        acc.setdefault(comp)

    def getdevs(self, u: Unit, acc: dict[str, None]) -> None:
        """meta_getdevs: the slices under a unit, depth first, each once."""
        if isinstance(u, Stripe):           # its components: slices or soft partitions
            names = [c.name for c in u.components]
        elif isinstance(u, Mirror):
            names = [sl.name for sl in u.submirrors]
        elif isinstance(u, SoftPartition):
            names = [u.component]
        else:
            return
        units = self.s.units
        for name in names:
            child = units.get(name)
            if child is not None:
                self.getdevs(child, acc)
            else:
                self.getdevs_slice(name, acc)

    def getalldevs(self, acc: dict[str, None]) -> None:
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

    def relocation_all(self) -> None:
        """metastat.c print_specific_set's Device Relocation Information of the whole set
        (meta_getalldevs, then meta_print_devid when there are any); kept while nothing in
        the set has changed."""
        kept = self.kept()
        if kept is not None:
            text = kept.reloc_text()
            if text is not None:
                self.chunks.append(text)
                return
        start = len(self.chunks)
        self.getalldevs(self.devs)
        if self.devs:
            self.relocation(self.devs)
        if kept is not None:
            kept.keep_reloc(self._joined(start))

    def _joined(self, start: int) -> str:
        """What was printed since ``len(self.chunks)`` was ``start``, as one chunk (to keep)."""
        text = "".join(self.chunks[start:])
        self.chunks[start:] = [text]
        return text

    def relocation(self, slices: Iterable[str]) -> None:
        """meta_print.c meta_print_devid over meta_create_non_dup_list (one row per disk)."""
        disks: dict[str, None] = {}          # in order, each once
        ln = 0
        for sl in slices:
            d = ctd_name(sl)
            if d not in disks:
                disks[d] = None
                if len(d) > ln:
                    ln = len(d)
        ln += 2
        w = self.chunks.append
        w(relocation_header(ln))
        host_disks = self.host.disks
        for d in disks:
            disk = host_disks.get(d)
            devid = disk.devid if disk is not None and disk.devid else None
            w(f"{d:<{ln}} {'Yes' if devid else 'No ':<5}\t{devid or '-'}\n")

    # -- concise output (metastat.c print_concise_*, meta_statconcise.c)
    def concise_entry(self, indent: int, name: str, size: int, mtype: str) -> None:
        """print_concise_entry: ``%s%*s %c %6s`` with the size's blanks removed."""
        width = CONCISE_NAMEWIDTH - indent
        sz = "-" if size == 0 else meta_number_to_string(size).replace(" ", "")
        self.w(f"{' ' * indent}{name:<{max(width, 0)}} {mtype} {sz:>6}")

    def concise_compname(self, name: str) -> str:
        return self.name(name) if name in self.s.units else name

    def concise_md(self, indent: int, name: str) -> None:
        """print_concise_md: one metadevice and, indented, the metadevices under it."""
        u = self.unit(name)
        if isinstance(u, Stripe):
            stripe.concise_stripe(self, indent, u)
        elif isinstance(u, Mirror):
            mirror.concise_mirror(self, indent, u)
        elif isinstance(u, SoftPartition):
            softpart.concise_sp(self, indent, u)
            self.concise_md(indent + META_INDENT, u.component)

    def concise_all(self) -> None:
        """metastat.c print_concise_diskset: soft partitions grouped by what they sit on,
        then mirrors, stripes and hot spare pools that have no parent."""
        s = self.s
        sps = kernel_order(s, SoftPartition)
        bases: list[str] = []
        for i, sp in enumerate(sps):
            if self.parented(sp) or sp.component in bases:
                continue
            softpart.concise_sp(self, 0, sp)
            bases.insert(0, sp.component)
            for other in sps[i + 1:]:
                if not self.parented(other) and other.component == sp.component:
                    softpart.concise_sp(self, 0, other)
            self.concise_md(META_INDENT, sp.component)
        for m in kernel_order(s, Mirror):
            if not self.parented(m):
                self.concise_md(0, m.name)
        for st in kernel_order(s, Stripe):
            if not self.parented(st):
                self.concise_md(0, st.name)
        for pool in hsp_order(s):
            hotspare.concise_hsp(self, pool)


def md_tab_lines(host: Host, s: MDSet) -> str:
    """Every unit and pool of a set in md.tab form, as ``metastat -p`` prints them."""
    rep = Reporter(host, s, short=True)
    rep.print_all()
    return rep.text()
