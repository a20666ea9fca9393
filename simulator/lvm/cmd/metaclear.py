"""metaclear: delete metadevices and hot spare pools.

Follows usr/src/cmd/lvm/util/metaclear.c (options, per-name error handling) and the libmeta
reset routines it reaches: meta_reset.c (meta_reset, meta_reset_all, meta_reset_by_name),
meta_stripe.c meta_stripe_reset, meta_mirror.c meta_mirror_reset, meta_hotspares.c
meta_hsp_reset and meta_sp.c meta_sp_reset/meta_sp_reset_component. A failing name prints
its error and the command goes on with the next one (exit 1); ``-a`` stops at the first
error. ``-r`` clears the children after the parent's own "is cleared" line.
"""

from __future__ import annotations

from simulator.core.coverage import Coverage
from simulator.core.invocation import Invocation
from simulator.core.libc import getopt
from simulator.core.strerror import ENOENT
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.libmeta.init import slice_size
from simulator.lvm.libmeta.names import hspname, metaname, slice_token
from simulator.lvm.libmeta.printing import hsp_order, kernel_order
from simulator.lvm.libmeta.softpart import sp_parent
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.records import Mirror, SoftPartition, Stripe, Unit
from simulator.lvm.md.states import CompState, SmState

NAME = "metaclear"

# metaclear.c usage()
USAGE = """\
usage:\t{0} [-s setname] -a
\t{0} [-s setname] [options] metadevice...
options:
-f\tforce clear
-r\trecursive clear
-p\tclear all soft partitions on metadevice/component
"""

COVERAGE = Coverage(
    source=("usr/src/cmd/lvm/util/metaclear.c", "usr/src/lib/lvm/libmeta/common/meta_reset.c",
            "usr/src/lib/lvm/libmeta/common/meta_stripe.c",
            "usr/src/lib/lvm/libmeta/common/meta_mirror.c",
            "usr/src/lib/lvm/libmeta/common/meta_hotspares.c",
            "usr/src/lib/lvm/libmeta/common/meta_sp.c"),
    getopt=("hs:afrp?",),
    options=(
        "-s setname: the set to clear in",
        "-a: every metadevice and hot spare pool of the set (the first error ends it)",
        "-f: force: a mirror whose submirrors are not all Okay",
        "-r: recursive: the children after the parent (implies -f)",
        "-p: every soft partition on a component or metadevice",
        "-h: the usage, exit 0",
        "metadevice: each named unit or hot spare pool; an error for one, then the next",
    ),
    not_simulated=("RAID-5 and trans metadevices (the model has none to clear)",),
    messages=(
        USAGE,
        "<dN>: Concat/Stripe is cleared",
        "<dN>: Mirror is cleared",
        "<dN>: Soft Partition is cleared",
        "<hspNNN>: Hotspare pool is cleared",
        E.UNIT_NOT_SET_UP, E.NOT_META, E.IN_USE, E.IS_OPEN, E.CLEAR_INVALID_SUBMIRRORS,
        E.SP_NOSP, E.HSP_IN_USE, ENOENT,
    ),
)


def usage(inv: Invocation, code: int = 1) -> int:
    """Usage text on stderr, exit 1 (0 for -h)."""
    inv.err(USAGE.format(inv.prog), end="")
    return code


class Clearer:
    """One metaclear run: prints each "is cleared" line as the device goes."""

    def __init__(self, inv: Invocation, s: MDSet, force: bool, recurse: bool) -> None:
        self.inv = inv
        self.vm: VolumeManager = inv.host.md
        self.s = s
        self.force = force
        self.recurse = recurse

    # ------------------------------------------------------------------ by name
    def clear_name(self, token: str) -> None:
        """metaclear.c clear_name: a hot spare pool if one has that name, else a metadevice."""
        hsp = hspname(token)
        if hsp is not None:
            s = self.vm.get_set(hsp[0]) if hsp[0] else self.s
            if hsp[1] in s.hsps:
                self.reset_hsp(s, hsp[1])
                return
        md = metaname(token)
        if md is None:
            sl = slice_token(token)
            if sl is not None and slice_size(self.vm, sl) is not None:
                raise MDError(E.NOT_META, name=sl)
            raise MDError(ENOENT, name=token)
        s = self.vm.get_set(md[0]) if md[0] else self.s
        self.reset_by_name(s, md[1])

    def reset_by_name(self, s: MDSet, short: str) -> None:
        """meta_reset_by_name: dispatch on the metadevice type."""
        unit = s.units.get(short)
        if unit is None:
            raise MDError(E.UNIT_NOT_SET_UP, name=s.display(short))
        if isinstance(unit, SoftPartition):
            self.reset_sp(s, unit)
        else:
            self.reset_unit(s, unit)

    # ------------------------------------------------------------------ stripes, mirrors
    def reset_unit(self, s: MDSet, unit: Unit) -> None:
        """meta_stripe_reset / meta_mirror_reset: not parented, not open, then clear.

        The kernel refuses a mirror whose submirrors are not all Okay unless forced
        (MDE_C_WITH_INVAL_SM); -r and -a imply force.
        """
        name = s.display(unit.name)
        if unit.parent is not None:
            raise MDError(E.IN_USE, name=name)
        if self.vm.is_open(name) is not None:
            raise MDError(E.IS_OPEN, name=name)
        if isinstance(unit, Mirror) and not self.force and not self._mirror_okay(s, unit):
            raise MDError(E.CLEAR_INVALID_SUBMIRRORS, name=name)
        children: list[str] = []
        if isinstance(unit, Mirror):
            children = [slot.name for slot in unit.submirrors]
        elif isinstance(unit, Stripe):
            children = [c.name for c in unit.components if c.name in s.units]
        del s.units[unit.name]
        if isinstance(unit, Stripe):
            _release_spares(s, unit)
        for child in children:
            if child in s.units:
                s.units[child].parent = None
        kind = "Mirror" if isinstance(unit, Mirror) else "Concat/Stripe"
        self.inv.out(f"{name}: {kind} is cleared")
        if not self.recurse:
            return
        failed: MDError | None = None
        for child in children:
            try:
                self.reset_by_name(s, child)
            except MDError as e:
                failed = e
        if failed is not None:
            raise failed

    def _mirror_okay(self, s: MDSet, m: Mirror) -> bool:
        for slot in m.submirrors:
            if slot.state != SmState.RUNNING:
                return False
            st = s.units.get(slot.name)
            if isinstance(st, Stripe) and any(c.state != CompState.OKAY
                                              for c in st.components):
                return False
        return True

    # ------------------------------------------------------------------ soft partitions
    def reset_sp(self, s: MDSet, sp: SoftPartition) -> None:
        """meta_sp_reset: reparent the underlying metadevice, clear, then recurse into it."""
        new_parent = _other_sp(s, sp)
        self._sp_reset_common(s, sp, new_parent)
        if self.recurse and sp.component in s.units:
            self.reset_by_name(s, sp.component)

    def _sp_reset_common(self, s: MDSet, sp: SoftPartition, new_parent: str | None) -> None:
        """meta_sp_reset_common: not parented, not open, delete, hand the component on."""
        name = s.display(sp.name)
        if sp.parent is not None:
            raise MDError(E.IN_USE, name=name)
        if self.vm.is_open(name) is not None:
            raise MDError(E.IS_OPEN, name=name)
        del s.units[sp.name]
        below = s.units.get(sp.component)
        if below is not None and below.parent == sp.name:
            below.parent = new_parent
        self.inv.out(f"{name}: Soft Partition is cleared")

    def reset_component(self, token: str) -> None:
        """meta_sp_reset_component (``-p``): every soft partition on a component, stopping
        at the first failure."""
        md = metaname(token)
        if md is not None:
            s = self.vm.get_set(md[0]) if md[0] else self.s
            comp, cname = md[1], s.display(md[1])
        else:
            sl = slice_token(token)
            if sl is None or not slice_size(self.vm, sl) is not None:
                raise MDError(ENOENT, name=token)
            s, comp, cname = self.s, sl, sl
        sps = [u for u in kernel_order(s, SoftPartition) if u.component == comp]
        if not sps:
            raise MDError(E.SP_NOSP, name=cname)
        for sp in sps:
            self._sp_reset_common(s, sp, _other_sp(s, sp))

    # ------------------------------------------------------------------ hot spare pools
    def reset_hsp(self, s: MDSet, short: str) -> None:
        """meta_hsp_reset: a pool referenced by a concat/stripe is "in use"."""
        name = s.display(short)
        if any(isinstance(u, Stripe) and u.hsp == short for u in s.units.values()):
            raise MDError(E.HSP_IN_USE, name=name)
        del s.hsps[short]
        self.inv.out(f"{name}: Hotspare pool is cleared")

    # ------------------------------------------------------------------ -a
    def reset_all(self) -> None:
        """meta_reset_all: top soft partitions, mirrors, stripes, pools, remaining soft
        partitions, each kind in unit order; the first failure ends it."""
        self._all_sp()
        for kind in (Mirror, Stripe):
            for unit in self._units(kind):
                if unit.name in self.s.units:
                    self.reset_unit(self.s, unit)
        for pool in hsp_order(self.s):
            self.reset_hsp(self.s, pool.name)
        self._all_sp()

    def _all_sp(self) -> None:
        recurse, self.recurse = self.recurse, False
        try:
            for sp in self._units(SoftPartition):
                if isinstance(sp, SoftPartition) and sp.name in self.s.units \
                        and sp.parent is None:
                    self.reset_sp(self.s, sp)
        finally:
            self.recurse = recurse

    def _units(self, kind: type[Unit]) -> list[Unit]:
        """meta_get_names: the driver's list order (as metastat lists them)."""
        return list(kernel_order(self.s, kind))


def _release_spares(s: MDSet, st: Stripe) -> None:
    """A cleared stripe gives back the hot spares its components were using."""
    for comp in st.components:
        if comp.hot_spare:
            for pool in s.hsps.values():
                spare = pool.find(comp.hot_spare)
                if spare is not None and spare.status == "In use":
                    spare.status = "Available"


def _other_sp(s: MDSet, sp: SoftPartition) -> str | None:
    """Another soft partition on the same metadevice, to become its parent (meta_sp_reset)."""
    return sp_parent(s, sp.component, leaving=sp.name)


def main(inv: Invocation) -> int:
    """metaclear.c main."""
    if not inv.need_root():
        return 1
    opts, args = getopt(inv, "hs:afrp?")
    sname: str | None = None
    aflag = pflag = force = recurse = False
    for opt, val in opts:
        if opt in ("-h", "-?"):
            return usage(inv, 0)
        if opt == "-s":
            sname = val
        elif opt == "-a":
            aflag = force = True
        elif opt == "-f":
            force = True
        elif opt == "-r":
            recurse = force = True
        elif opt == "-p":
            pflag = True
    s = inv.host.md.get_set(sname)
    clearer = Clearer(inv, s, force, recurse)
    if aflag:
        if args:
            return usage(inv, 1)
        clearer.recurse = True
        try:
            clearer.reset_all()
        except MDError as e:
            inv.md_error(e)
            return 1
        return 0
    if not args:
        return usage(inv, 1)
    status = 0
    for token in args:
        try:
            if pflag:
                clearer.reset_component(token)
            else:
                clearer.clear_name(token)
        except MDError as e:
            inv.md_error(e)
            status = 1
    return status
