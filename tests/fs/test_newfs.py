"""newfs(1M): options, confirmation, in-use refusals, mkfs's summary, and the empty UFS it
leaves in the model (illumos usr/src/cmd/fs.d/ufs/newfs/newfs.c, usr/src/cmd/fs.d/mkfs.c,
usr/src/cmd/fs.d/ufs/mkfs/mkfs.c, usr/src/lib/libdiskmgt/common/{entry,inuse_svm}.c)."""

from __future__ import annotations

import pytest
from fshelpers import make_host

import simulator
from simulator.core.registry import PROGRAMS
from simulator.ufs.cmd.newfs import layout


def _text(sectors: int) -> str:
    return layout(sectors, 1024).text("/dev/md/rdsk/d3")


def test_summary_of_a_20_gb_device() -> None:
    """mkfs.c: a partial last cylinder counts (fs_ncyl++) and is warned about; 8 KB an inode
    over 3 GB gives roundup((16 * 3 MB - used) / 8192, INOPB) = 5824 i/g; backups at
    fsbtodb(cgsblock) with the 64-fragment rotating offset; past 310 groups, dots and the
    last ten."""
    lines = _text(41943040).splitlines()
    assert lines[:5] == [
        "Warning: 2048 sector(s) in last cylinder unallocated",
        "/dev/md/rdsk/d3:\t41943040 sectors in 6827 cylinders of 48 tracks, 128 sectors",
        "\t20480.0MB in 427 cyl groups (16 c/g, 48.00MB/g, 5824 i/g)",
        "super-block backups (for fsck -F ufs -o b=#) at:",
        " 32, 98464, 196896, 295328, 393760, 492192, 590624, 689056, 787488, 885920,"]
    assert lines[5:] == [
        "Initializing cylinder groups:", "." * 8,
        "super-block backups for last 10 cylinder groups at:",
        " 40997024, 41095456, 41193888, 41292320, 41390752, 41489184, 41587616,",
        " 41686048, 41784480, 41882912"]


@pytest.mark.parametrize(("sectors", "cg_line"), [
    (1048576, "\t512.0MB in 14 cyl groups (13 c/g, 39.00MB/g, 18624 i/g)"),
    (2097152, "\t1024.0MB in 27 cyl groups (13 c/g, 39.00MB/g, 18624 i/g)"),
    (3145728, "\t1536.0MB in 32 cyl groups (16 c/g, 48.00MB/g, 11648 i/g)"),
    (5242880, "\t2560.0MB in 54 cyl groups (16 c/g, 48.00MB/g, 7744 i/g)"),
])
def test_cylinder_groups_by_inode_density(sectors: int, cg_line: str) -> None:
    """newfs.c density (2048 bytes an inode a started GB, 2048 under 1 GB); mkfs.c slims
    the group until the inodes fit MAXIpG and struct cg fits a block (CGSIZE): 13 c/g at
    2048 bytes an inode."""
    assert cg_line in _text(sectors).splitlines()


def test_backups_of_smaller_file_systems() -> None:
    """mkfs.c: the first loop ends every backup with a comma and a newline follows each
    loop (an empty line when there are no more than ten groups); the groups between the
    first and the last ten are not listed (no dots while no more than 300 are left)."""
    assert _text(196608).endswith("at:\n 32, 80032, 160032,\n\n")     # 96 MB, 3 groups
    assert _text(3145728).endswith(                                     # 1.5 GB, 32 groups
        " 32, 98464, 196896, 295328, 393760, 492192, 590624, 689056, 787488, 885920,\n"
        " 2165536, 2263968, 2362400, 2460832, 2559264, 2657696, 2756128, 2854560,\n"
        " 2952992, 3051424\n")


def test_last_group_too_small_for_its_inodes_is_dropped() -> None:
    """mkfs.c: a last group shorter than its inode blocks is dropped, with its warning."""
    lines = _text(2 * 79872 + 1000).splitlines()
    assert lines[:4] == [
        "Warning: inode blocks/cyl group (311) >= data blocks (62) in last",
        "    cylinder group. This implies 1000 sector(s) cannot be allocated.",
        "/dev/md/rdsk/d3:\t159744 sectors in 26 cylinders of 48 tracks, 128 sectors",
        "\t78.0MB in 2 cyl groups (13 c/g, 39.00MB/g, 18624 i/g)"]
    assert layout(4000, 1024).text("x").endswith(
        "File system creation failed. There is only one cylinder group and\n"
        "that is not even big enough to hold the inodes.\n")


def test_mirror_repair_script_runs_to_the_end() -> None:
    """The repair flow: detach and clear a submirror, newfs its slice (a script pipes ``y``:
    newfs.c asks only on a terminal), fsck is clean, mount shows an empty UFS, then the
    slice is made a submirror again."""
    h = simulator.build_host("seed-example")
    assert h.run("metadetach d1 d3").exit_code == 0
    assert h.run("metaclear d3").exit_code == 0
    r = h.run("newfs /dev/rdsk/c2t0d0s0", stdin="y\n")
    assert r.exit_code == 0 and r.stdout == ""
    assert r.stderr.splitlines()[1] == ("/dev/rdsk/c2t0d0s0:\t75431936 sectors in 12278 "
                                        "cylinders of 48 tracks, 128 sectors")
    fsck = h.run("fsck -n /dev/rdsk/c2t0d0s0")
    assert fsck.exit_code == 0 and "\n2 files, " in fsck.stdout
    assert h.run("mount /dev/dsk/c2t0d0s0 /mnt").exit_code == 0
    df = h.run("df -k /mnt").stdout.splitlines()[1].split()
    assert df[0] == "/dev/dsk/c2t0d0s0" and df[4] == "1%"
    assert h.fs.app_view("/mnt").nfiles == 2
    assert h.run("umount /mnt").exit_code == 0
    assert h.run("metainit d3 1 1 c2t0d0s0").exit_code == 0
    assert h.run("metattach d1 d3").exit_code == 0


def test_a_detached_submirror_newfsed_loses_its_old_image() -> None:
    """A detached submirror holds the mirror's file system until newfs makes a new one."""
    h = simulator.build_host("seed-example")
    h.run("metadetach d1 d3")
    assert (h.fs.image_of("d3") or pytest.fail()).nfiles > 2
    assert h.run("newfs /dev/md/rdsk/d3", stdin="").exit_code == 0
    img = h.fs.image_of("/dev/md/dsk/d3")
    assert img is not None and img.nfiles == 2 and img.last_mounted == "" and img.clean
    assert (h.fs.image_of("d1") or pytest.fail()).nfiles > 2


def test_confirmation_on_a_terminal() -> None:
    """newfs.c: on a tty, ``last mounted as`` (read_sb's fs_fsmnt), the question with no
    newline, and anything but ``y`` (end of file too) exits 0 having done nothing."""
    h = simulator.build_host("seed-example")
    h.run("metadetach d1 d3")
    before = (h.fs.image_of("d3") or pytest.fail()).digest()
    for answer in ("n\n", "", "\n", "Y\n"):
        r = h.run("newfs /dev/md/dsk/d3", stdin=answer, interactive=True)
        assert (r.stdout, r.stderr, r.exit_code) == (
            "newfs: /dev/md/rdsk/d3 last mounted as /home1\n"
            "newfs: construct a new file system /dev/md/rdsk/d3: (y/n)? ", "", 0)
    assert (h.fs.image_of("d3") or pytest.fail()).digest() == before
    r = h.run("newfs /dev/md/rdsk/d3", stdin="yes\n", interactive=True)
    assert r.exit_code == 0 and r.stderr.startswith("Warning: ")
    assert (h.fs.image_of("d3") or pytest.fail()).nfiles == 2
    r = h.run("newfs /dev/md/rdsk/d3", stdin="n\n", interactive=True)
    assert r.stdout == "newfs: construct a new file system /dev/md/rdsk/d3: (y/n)? "


def test_in_use_refusals() -> None:
    """fs.d/mkfs.c dm_inuse (libdiskmgt entry.c texts, exit 2) for slices; ufs mkfs.c's
    mnttab check (exit 32) and md.c mdopen's EROFS for a submirror (``cannot create``)."""
    h = simulator.build_host("seed-example")
    cases = {
        "newfs /dev/rdsk/c2t0d0s0": ("/dev/dsk/c2t0d0s0 is part of SVM volume stripe:d3. "
                                     "Please see metaclear(1M).\n", 2),
        "newfs c0t0d0s0": ("/dev/dsk/c0t0d0s0 is currently mounted on /. "
                           "Please see umount(1M).\n", 2),
        "newfs /dev/md/rdsk/d1": ("/dev/md/dsk/d1 is mounted, can't mkfs\n", 32),
        "newfs /dev/md/rdsk/d3": ("/dev/md/rdsk/d3: cannot create: Read-only file system\n",
                                  32),
    }
    for cmd, (err, code) in cases.items():
        r = h.run(cmd, stdin="y\n")
        assert (r.stdout, r.stderr, r.exit_code) == ("", err, code), cmd
    h2, _ = make_host()
    r = h2.run("newfs /dev/rdsk/c0t0d0s7")
    assert (r.stderr, r.exit_code) == (
        "/dev/dsk/c0t0d0s7 contains an SVM mdb. Please see metadb(1M).\n", 2)


def test_names_newfs_cannot_use() -> None:
    """newfs.c with libadm getfullrawname: a missing path (exit 2), a file that is no
    device or a bare name that is none (fatal, exit 10)."""
    h = simulator.build_host("seed-example")
    assert (h.run("newfs /dev/rdsk/c9t0d0s0").stderr, h.run("newfs /dev/md/rdsk/d99").exit_code) \
        == ("newfs: /dev/rdsk/c9t0d0s0: No such file or directory\n", 2)
    r = h.run("newfs d3")
    assert (r.stderr, r.exit_code) == ("newfs: d3: not a raw disk device\n", 10)


def test_dry_run_prints_and_changes_nothing() -> None:
    """``-N``: mkfs -o N prints the layout, makes no in-use check, writes nothing."""
    h = simulator.build_host("seed-example")
    before = (h.fs.image_of("d1") or pytest.fail()).digest()
    r = h.run("newfs -N /dev/md/rdsk/d1", interactive=True)
    assert r.exit_code == 0 and r.stdout == ""
    assert "\t36832.0MB in 768 cyl groups (16 c/g, 48.00MB/g, 5824 i/g)\n" in r.stderr
    assert (h.fs.image_of("d1") or pytest.fail()).digest() == before
    h.run("metadetach d1 d3")
    h.run("metaclear d3")
    r = h.run("newfs -N /dev/rdsk/c2t0d0s0")
    assert r.exit_code == 1 and "not simulated" in r.stderr


def test_options() -> None:
    """newfs.c: usage (exit 1), ``-<c>: unknown flag`` after usage (exit 10), number()'s
    complaints, the minfree range, ``-m`` kept as the new file system's minfree; options
    whose effect is not modelled say so."""
    h = simulator.build_host("seed-example")
    h.run("metadetach d1 d3")
    r = h.run("newfs")
    assert r.exit_code == 1 and r.stderr.startswith("usage: newfs [ -v ] [ mkfs-options ] "
                                                     "raw-special-device\nwhere mkfs-options")
    r = h.run("newfs -m")
    assert r.exit_code == 10 and r.stderr.endswith("\nnewfs: -m: unknown flag\n")
    assert (h.run("newfs -m 12x d3").stderr ==
            'newfs: bad numeric arg for minfree: "12x"\n')
    assert h.run("newfs -m 150 /dev/md/rdsk/d3").stderr == "newfs: 150: bad free space %\n"
    r = h.run("newfs -m 99999999999 /dev/md/rdsk/d3 -N")
    assert r.stderr.startswith("newfs: value for minfree overflowed, using 10\n")
    assert h.run("newfs -m 5% /dev/md/rdsk/d3").exit_code == 0
    assert (h.fs.image_of("d3") or pytest.fail()).geometry.minfree == 5
    r = h.run("newfs -v /dev/md/rdsk/d3")
    assert (r.stderr, r.exit_code) == ("svmsim: newfs -v: not simulated\n", 1)
    assert h.run("newfs -o fast d3").stderr == (
        "newfs: fast: bad optimization preference (options are `space' or `time')\n")


def test_slice_image_survives_a_save() -> None:
    """The UFS newfs made on a free slice is part of the saved host."""
    h = simulator.build_host("seed-example")
    h.run("metadetach d1 d3")
    h.run("metaclear d3")
    h.run("newfs /dev/rdsk/c2t0d0s0")
    data = h.fs.to_dict()
    h.fs.made.clear()
    h.fs.load_dict(data)
    assert (h.fs.image_of("/dev/dsk/c2t0d0s0") or pytest.fail()).nfiles == 2


def test_paths() -> None:
    """Solaris 10 keeps newfs in /usr/sbin and /usr/lib/fs/ufs (not /sbin)."""
    assert PROGRAMS["newfs"].paths == ("/usr/sbin/newfs", "/usr/lib/fs/ufs/newfs")
