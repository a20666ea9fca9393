"""Hot spare pools: creating them and adding or replacing their spares.

The hotspares driver (uts/common/io/lvm/hotspares/hotspares.c seths_add / seths_replace);
libmeta's checks (meta_hotspares.c meta_check_hotspare) run before, in
:mod:`simulator.lvm.libmeta.hotspare`. Allocating a spare to a failed component is the
driver's reaction to a fault: see :mod:`simulator.lvm.md.faults`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.core.names import parse_hsp, short_name
from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.base import VolumeBase, short_unit
from simulator.lvm.md.records import HotSpare, HotSparePool
from simulator.lvm.md.replicas import end_block

if TYPE_CHECKING:
    from simulator.lvm.md.records import MDSet


class SparesMixin(VolumeBase):
    """create_hsp, hs_add and hs_replace."""

    def create_hsp(self, s: MDSet, name: str, comps: list[str]) -> HotSparePool:
        """``metainit hspNNN [comp...]``."""
        self.require_db(s)
        short = short_unit(name)
        if parse_hsp(short) is None:
            raise MDError(E.BAD_NAME, name=name)
        if short in s.hsps:
            raise MDError(E.HSP_ALREADY_SETUP, name=s.display(short))
        pool = HotSparePool(short)
        for c in comps:
            pool.spares.append(self._new_spare(s, c))
        s.hsps[short] = pool
        return pool

    def _new_spare(self, s: MDSet, comp: str) -> HotSpare:
        comp = short_name(comp)
        size = self.slice_size(comp)
        user = self.slice_user(comp, hot_spares=False)     # MDCHK_ALLOW_HS
        if user is not None:
            raise E.overlaps(comp, user)
        start = end_block(s.replicas, comp)
        return HotSpare(comp, size - start, timestamp=self.now())

    def hs_add(self, s: MDSet, pool_name: str, comp: str) -> HotSparePool:
        """seths_add: the pool is created when it does not exist yet."""
        pool = self.pool(s, pool_name, create=True)
        spare = self._new_spare(s, comp)
        if pool.find(spare.name):
            raise MDError(E.HS_ALREADY_IN_USE, name=s.display(pool.name))
        pool.spares.append(spare)
        return pool

    def hs_replace(self, s: MDSet, pool_name: str, old: str, new: str) -> HotSparePool:
        """seths_replace: an Available or Broken spare gives its place to ``new``."""
        pool = self.pool(s, pool_name)
        spare = pool.find(short_name(old))
        if spare is None:
            raise MDError(E.HS_NOT_FOUND, name=short_name(old))
        if spare.status == "In use":
            raise MDError(E.HS_IN_USE, name=spare.name)
        fresh = self._new_spare(s, new)
        pool.spares[pool.spares.index(spare)] = fresh
        return pool
