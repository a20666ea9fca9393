"""ufsdump's shortcuts give what the plain computations give (issue 17): the mount table
search that asks for a raw name only where it can match, mnttab's ufs lines kept by what
the table is made of, and a dump of an image its overlay does not change, which shares its
base tree's dump index instead of copying it."""

from __future__ import annotations

from test_backup_media import make_host

from simulator import Host
from simulator.backup.archive import parse
from simulator.backup.backups import _INDEXES, plan_dump, plan_image_dump
from simulator.backup.cmd.ufsdump.fstab import (
    MountEntry,
    mnttab_ufs,
    mnttabread,
    mnttabsearch,
    rawname,
)


def plain_search(host: Host, key: str, mounted: bool = False) -> MountEntry | None:
    """dumpfstab.c mnttabsearch as written: the tables read afresh (vfstab's ufs entries,
    mounted when mnttab lists the same pair, then mnttab's), every entry's raw name, then
    the match."""
    vfstab = [(f.device, f.mount) for f in host.fs.vfstab_filesystems()]
    mnttab = [(sp, mp) for sp, mp, typ, _o, _t in host.fs.mnttab_entries() if typ == "ufs"]
    table = [MountEntry(s, m, (s, m) in mnttab) for s, m in vfstab] + \
        [MountEntry(s, m, True) for s, m in mnttab]
    first = None
    for mnt in table:
        found = key in (mnt.mountp, mnt.special, rawname(host, mnt.special)) or (
            not key.startswith("/") and (mnt.special[1:] == key or mnt.mountp[1:] == key))
        if not found:
            continue
        if mnt.mounted:
            return mnt
        if first is None:
            first = mnt
    return None if mounted else first


def test_the_mount_table_search_finds_what_the_plain_search_finds() -> None:
    h = make_host()
    h.add_mirror("d11", ["d12", "d13"])
    # vfstab entries not mounted: one whose raw name exists, one on a slice
    h.fs.add_ufs("/dev/md/dsk/d11", "/export", size=2000, files=5, mounted=False)
    h.ensure_slice("c5t0d0s5")
    h.fs.add_ufs("/dev/dsk/c5t0d0s5", "/opt", size=2000, files=5, mounted=False)
    keys = ["/home1", "home1", "/", "", "/dev/md/dsk/d1", "dev/md/dsk/d1", "/dev/md/rdsk/d1",
            "/dev/md/rdsk/d3", "/dev/md/dsk/d3", "/dev/md/rdsk/d9", "/dev/dsk/c0t0d0s0",
            "/dev/rdsk/c0t0d0s0", "dev/rdsk/c0t0d0s0", "/dev/rdsk/c0t0d0s7", "/proc", "proc",
            "/dev/md/rdsk/d1/", "d1", "/tmp", "swap"]
    for entry in mnttabread(h.fs):
        keys += [entry.special, entry.mountp, entry.special[1:], entry.mountp[1:],
                 rawname(h, entry.special), "/dev/r" + entry.special[5:]]
    for key in keys:
        for mounted in (False, True):
            assert mnttabsearch(h, key, mounted) == plain_search(h, key, mounted), key
    assert mnttabsearch(h, "/dev/md/rdsk/d1") is not None       # by its raw name
    assert mnttabsearch(h, "/dev/md/rdsk/d3") is None            # the detached submirror


def test_a_dump_of_an_unchanged_image_shares_the_index_and_leaves_it_as_it_was() -> None:
    """The plan of an image whose overlay changes nothing is the index's own entry list;
    a dump across two volumes gives its archive new entries (their volumes) and never
    changes the shared ones, and the plan equals plan_dump's."""
    h = make_host()
    img = h.fs.filesystems["/home1"].live.copy()
    img.overlay.clear()
    plan = plan_image_dump(img, 0, img.geometry.ninodes, 10)
    slow = plan_dump(img.entries(), 0, img.geometry.ninodes, 10)
    assert [e.to_line() for e in plan.entries] == [e.to_line() for e in slow.entries]
    assert plan.inuse_ranges == slow.inuse_ranges and plan.esize == slow.esize
    index = _INDEXES[img.base]
    assert plan.entries is index.entries and plan.records is index.records
    assert plan.records == slow.records
    before = [e.to_line() for e in index.entries]
    # a tape too small for the dump: two volumes, the second's files on volume 2
    h2 = make_host()
    h2.backups.add_tape("/dev/rmt/0", capacity=15000, cartridges=2)
    for line in ("lockfs -w /home1", "metadetach d1 d3", "lockfs -u /home1"):
        assert h2.run(line).exit_code == 0, line
    r = h2.run("ufsdump 0uf /dev/rmt/0 /dev/md/rdsk/d3", stdin="yes\nyes\n", interactive=True)
    assert r.exit_code == 0, r.stderr
    assert "Volume 2 begins with blocks from inode" in r.stderr
    tape = h2.backups.tapes["/dev/rmt/0"]
    written = parse(tape.cartridges[1].files[0].text)
    assert {e.volume for e in written.entries if e.dumped} == {1, 2}
    for idx in _INDEXES.values():
        assert all(e.volume == 1 for e in idx.entries)
    assert [e.to_line() for e in index.entries] == before


def plain_mnttab_ufs(host: Host) -> tuple[tuple[str, str], ...]:
    return tuple((sp, mp) for sp, mp, typ, _o, _t in host.fs.mnttab_entries() if typ == "ufs")


def test_mnttab_ufs_lines_kept_by_their_inputs_are_the_table_s() -> None:
    """After each change of what is mounted where (mount, umount, read-only, options, a new
    file system, a metadevice renamed in the table), on two hosts that go the same way and
    on a fresh host whose root file system is made by the read, the kept pairs are what
    rendering /etc/mnttab gives, and the read leaves the host as the plain read does."""
    fresh, plain = Host("host1"), Host("host1")
    assert mnttab_ufs(fresh.fs) == plain_mnttab_ufs(plain)
    assert fresh.fs.to_dict() == plain.fs.to_dict()              # the root made by both
    hosts = [make_host(), make_host()]
    for h in hosts:
        h.add_mirror("d11", ["d12", "d13"])
        h.fs.add_ufs("/dev/md/dsk/d11", "/export", size=2000, files=5, mounted=False)
    steps = ["mount /export", "umount /home1", "mount -o ro /dev/md/dsk/d1 /home1",
             "umount /export", "mount -F ufs -o nologging /dev/md/dsk/d11 /export",
             "umount /home1", "mount /home1"]
    for step in steps:
        for i, h in enumerate(hosts):
            r = h.run(step)
            assert r.exit_code == 0, (step, r.stderr)
            assert mnttab_ufs(h.fs) == plain_mnttab_ufs(h), (step, i)
            mounted = [(m.special, m.mountp) for m in mnttabread(h.fs) if m.mounted]
            assert set(mounted) <= set(plain_mnttab_ufs(h)) | {
                (f.device, f.mount) for f in h.fs.vfstab_filesystems()}
    other = make_host()
    assert other.run("umount /home1").exit_code == 0
    assert mnttab_ufs(other.fs) == plain_mnttab_ufs(other) != mnttab_ufs(hosts[0].fs)
