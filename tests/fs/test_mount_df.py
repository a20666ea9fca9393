"""mount, umount and df formats (mount.c print_mnttab/flags, umount.c rpterr, df.c)."""

from __future__ import annotations

from fshelpers import make_host


def test_mount_listing_and_mnttab() -> None:
    h, fs = make_host()
    out = h.run("mount").stdout.splitlines()
    when = h.clock.ctime(fs.filesystems["/home1"].mount_time)
    assert out[-1] == ("/home1 on /dev/md/dsk/d1 read/write/setuid/devices/intr/largefiles/"
                       f"logging/xattr/onerror=panic/dev=1540001 on {when}")
    assert "/dev/md/dsk/d1\t/home1\tufs\trw,intr,largefiles,logging,xattr,onerror=panic," \
           "dev=1540001\t" in fs.mnttab_text()
    assert "/dev/md/dsk/d1\t/dev/md/rdsk/d1\t/home1\tufs\t2\tyes\tlogging\n" in fs.vfstab_text()
    assert h.run("mount -p").stdout.splitlines()[-1] == (
        "/dev/md/dsk/d1 - /home1 ufs - no rw,intr,largefiles,logging,xattr,onerror=panic")


def test_umount_busy_and_errors_then_mount_from_vfstab() -> None:
    h, fs = make_host(rate=2.0)
    r = h.run("umount /home1")
    assert (r.stderr, r.exit_code) == ("umount: /home1 busy\n", 1)
    fs.filesystems["/home1"].workload.stopped = True
    assert h.run("umount /home1").exit_code == 0
    r = h.run("umount /home1")
    assert (r.stderr, r.exit_code) == ("umount: warning: /home1 not in mnttab\n"
                                       "umount: /home1 not mounted\n", 1)
    assert h.run("mount /home1").exit_code == 0 and fs.mount_of("d1") == "/home1"
    r = h.run("mount /dev/md/dsk/d1 /home1")
    assert (r.stderr, r.exit_code) == (
        "mount: /dev/md/dsk/d1 is already mounted or /home1 is busy\n", 32)


def test_unclean_image_cannot_be_mounted_read_write() -> None:
    h, fs = make_host(logging=False, rate=5.0, creates=2.0)
    h.advance(20)
    h.run("metadetach d1 d3")
    r = h.run("mount /dev/md/dsk/d3 /mnt")
    assert r.stderr == ("mount: The state of /dev/md/dsk/d3 is not okay\n"
                        "\tand it was attempted to be mounted read/write\n")
    assert (r.stdout, r.exit_code) == ("mount: Please run fsck and try again\n", 32)
    assert h.run("mount -r /dev/md/dsk/d3 /mnt").exit_code == 0
    r = h.run("metattach d1 d3")
    assert r.exit_code == 1 and "/mnt" in r.stderr    # the mounted concat is in use


def test_df_k_and_h_columns() -> None:
    h, fs = make_host()
    lines = h.run("df -k /home1").stdout.splitlines()
    assert lines[0] == "Filesystem            kbytes    used   avail capacity  Mounted on"
    special, kb, used, avail, cap, mp = lines[1].split()
    assert (special, mp) == ("/dev/md/dsk/d1", "/home1")
    img = fs.image_of("d1")
    assert int(used) == img.used_frags * img.fsize // 1024
    assert int(kb) == img.dsize * img.fsize // 1024
    assert h.run("df -h /home1").stdout.splitlines()[0] == (
        "Filesystem             size   used  avail capacity  Mounted on")
    r = h.run("df /nope")
    assert r.exit_code == 1 and "not a block device, directory or mounted resource" in r.stderr
