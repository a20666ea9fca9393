"""libmeta's "may this device be used?" checks (illumos lib/lvm/libmeta/common/meta_check.c).

meta_check_inuse: the device is not mounted (or open) — skipped under ``-f`` where the caller
says so; meta_check_inmeta: no replica (unless MDCHK_ALLOW_MDDB) and no metadevice or hot
spare pool (unless MDCHK_ALLOW_HS) already uses the slice. *Which* unit uses a slice is one
rule, kept beside the unit records as :meth:`VolumeBase.slice_user
<simulator.lvm.md.base.VolumeBase.slice_user>` (the model's own create path needs it too);
where a component's data starts on a replica slice is
:func:`simulator.lvm.md.replicas.data_start` (metagetstart).
"""

from __future__ import annotations

from simulator.lvm import errors as E
from simulator.lvm.errors import MDError
from simulator.lvm.md.manager import MDSet, VolumeManager
from simulator.lvm.md.replicas import end_block


def check_inuse(vm: VolumeManager, name: str) -> None:
    """meta_check_inuse(MDCHK_MOUNTED): ``<name>: is mounted on <where>``."""
    where = vm.is_open(name)
    if where is not None:
        raise E.mounted(name, where)


def check_inmeta(vm: VolumeManager, s: MDSet, comp: str, allow_mddb: bool = True,
                 allow_hs: bool = False) -> None:
    """meta_check_inmeta: a replica on the slice (MDE_HAS_MDDB unless ``allow_mddb``),
    then the metadevice or pool using it (MDE_ALREADY)."""
    if not allow_mddb and end_block(s.replicas, comp):
        raise MDError(E.HAS_REPLICA, name=comp)
    user = vm.slice_user(comp, hot_spares=not allow_hs)
    if user is not None:
        raise E.already(comp, user)
