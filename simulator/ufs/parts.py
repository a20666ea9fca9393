"""What the parts of ``FileSystems`` (:mod:`~simulator.ufs.locks`,
:mod:`~simulator.ufs.mirrors`, :mod:`~simulator.ufs.tables`) may use of the whole.

:class:`FsCore` is the self-type of their methods: the state and the methods of
:class:`simulator.ufs.filesystems.FileSystems` they call, each part's own included, so that
every cross-part call is written down here and checked by mypy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from simulator.host import Host
    from simulator.lvm.md.records import MDSet, Mirror, SubmirrorSlot
    from simulator.ufs.filesystems import FileSystem
    from simulator.ufs.image import Image
    from simulator.ufs.mirrors import DetachRecord
    from simulator.ufs.tables import MnttabEntry


class FsCore(Protocol):
    """The shared state and methods of ``FileSystems`` its parts rely on."""

    @property
    def host(self) -> Host: ...
    filesystems: dict[str, FileSystem]
    frozen: dict[str, Image]
    detach_records: list[DetachRecord]
    lock_refusals: dict[str, str]
    damage_on_detach: dict[str, str]
    mount_order: list[str]
    boot_time: int
    owe_unseen: bool
    stretch_from: float | None

    # filesystems.py: building, names, lookup
    def root(self) -> FileSystem: ...
    def block_name(self, device: str) -> str: ...
    def fs_on_device(self, device: str) -> FileSystem | None: ...
    def _unit(self, device: str) -> tuple[str, str] | None: ...
    def _find(self, name: str) -> FileSystem | None: ...
    def resolve(self, path: str, cwd: str = "/") -> tuple[FileSystem | None, str]: ...

    # locks.py
    def sync(self, fs: FileSystem) -> None: ...
    def _flush(self, fs: FileSystem, upto: float | None = None) -> None: ...

    # mirrors.py
    def _unit_image(self, setname: str, unit: str) -> Image | None: ...
    def _mirror_on(self, fs: FileSystem) -> tuple[MDSet, Mirror] | None: ...
    def _stale_submirrors(self, on: tuple[MDSet, Mirror]
                          ) -> list[tuple[SubmirrorSlot, str]]: ...
    def _diverge_stale_submirrors(self, fs: FileSystem, blocks: int) -> None: ...

    # tables.py
    def vfstab_filesystems(self) -> list[FileSystem]: ...
    def mnttab_entries(self) -> list[MnttabEntry]: ...
    def _late(self, t: int) -> list[MnttabEntry]: ...
    def _shadowed(self, mount: str) -> bool: ...
    def dev_number(self, device: str) -> str: ...
