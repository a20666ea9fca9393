"""Bad options and missing arguments of the UFS programs, against their C sources.

libc getopt(3C) (port/gen/getopt.c) complains ``<argv[0]>: illegal option -- x`` or
``<argv[0]>: option requires an argument -- x`` unless the program set ``opterr = 0``;
what follows is each program's own: fsck.c, mount.c and umount.c (usr/src/cmd/fs.d) print
their usage on stderr and exit 1; df.c parse_options() (``opterr = 0``) prints ``df:
unknown option: x`` and its usage; lockfs.c (``opterr = 0``) prints only its usage, on
stdout; the UFS mount (fs.d/ufs/mount/mount.c) prints its usage on stdout and exits 32;
fsck_ufs (fs.d/ufs/fsck/main.c) exits EXBADPARM (1).
"""

from __future__ import annotations

import pytest
from fshelpers import make_host

UMOUNT_USAGE = ("Usage:\numount [-f] [-V] [-o specific_options] {special | mount-point}\n"
                "umount -a [-f] [-V] [-o specific_options] [mount_point ...]\n")
MOUNT_USAGE = ("Usage:\nmount [-v | -p]\n"
               "mount [-F FSType] [-V] [current_options] [-o specific_options]\n"
               "\t{special | mount_point}\n"
               "mount [-F FSType] [-V] [current_options] [-o specific_options]\n"
               "\tspecial mount_point\n"
               "mount -a [-F FSType ] [-V] [current_options] [-o specific_options]\n"
               "\t[mount_point ...]\n")
FSCK_USAGE = ("Usage:\nfsck [-F FSType] [-V] [-m] [special ...]\n"
              "fsck [-F FSType] [-V] [-y|Y|n|N] [-o specific_options] [special ...]\n")
FSCK_UFS_USAGE = ("ufs usage: fsck [-F ufs] [-m] [-n] [-V] [-v] [-y] [-o p,b=#,w,f] "
                  "[special ....]\n")
DF_USAGE = ("Usage: df [-F FSType] [-abeghklntVvZ] [-o FSType-specific_options]"
            " [directory | block_device | resource]\n")
LOCKFS_USAGE = "usage: lockfs [-dfhnuw] [-c string] [-a] [file system ...]\n"
UFS_MOUNT_USAGE = ("ufs usage:\n"
                   "mount [-F ufs] [generic options] [-o suboptions] {special | mount_point}\n"
                   "\tsuboptions are: \n"
                   "\t\tro,rw,nosuid,remount,f,m,\n"
                   "\t\tglobal,noglobal,\n"
                   "\t\tlargefiles,nolargefiles,\n"
                   "\t\tforcedirectio,noforcedirectio\n"
                   "\t\tlogging,nologging,\n"
                   "\t\tnbmand,nonbmand,\n"
                   "\t\tonerror[={panic | lock | umount}]\n")


@pytest.mark.parametrize(("command", "stdout", "stderr", "code"), [
    # umount.c: getopt "ado:Vf?"; '?' and default: usage(); -d only under DEBUG
    ("umount -o", "", "umount: option requires an argument -- o\n" + UMOUNT_USAGE, 1),
    ("umount -x /home1", "", "umount: illegal option -- x\n" + UMOUNT_USAGE, 1),
    ("umount -? /home1", "", UMOUNT_USAGE, 1),
    ("umount -d /home1", "", UMOUNT_USAGE, 1),
    ("umount -o rw -o rw -x /home1", "", UMOUNT_USAGE, 1),     # usage() at the second -o
    ("umount -V -V /home1", "", UMOUNT_USAGE, 1),
    ("/usr/sbin/umount -x /home1", "",            # libc names argv[0] as typed
     "/usr/sbin/umount: illegal option -- x\n" + UMOUNT_USAGE, 1),
    # mount.c: getopt "?acd:f:F:gmno:pqrvVO"; '?' sets questflg, checks come first
    ("mount -x", "", "mount: illegal option -- x\n" + MOUNT_USAGE, 1),
    ("mount -o", "", "mount: option requires an argument -- o\n" + MOUNT_USAGE, 1),
    ("mount -?", "", MOUNT_USAGE, 1),
    ("mount -x -p -v", "", "mount: illegal option -- x\n"
     "mount: -a, -p, and -v are mutually exclusive\n" + MOUNT_USAGE, 1),
    ("mount -p -p", "", "mount: -a, -p, and -v are mutually exclusive\n" + MOUNT_USAGE, 1),
    ("mount -a -O", "", "mount: -a and -O are mutually exclusive\n" + MOUNT_USAGE, 1),
    ("mount -F ufs -f ufs /home1", "",
     "mount: More than one FSType specified\n" + MOUNT_USAGE, 1),
    ("mount -F ufs -?", UFS_MOUNT_USAGE, "ufs mount: illegal option -- ?\n", 32),
    ("mount -x /home1", "", "mount: illegal option -- x\n" + MOUNT_USAGE, 1),
    # fsck.c: getopt "?F:mnNo:vVyY"; a second '?' is usage() at once
    ("fsck -x", "", "fsck: illegal option -- x\n" + FSCK_USAGE, 1),
    ("fsck -o", "", "fsck: option requires an argument -- o\n" + FSCK_USAGE, 1),
    ("fsck -?", "", FSCK_USAGE, 1),
    ("fsck -x -z -q", "", "fsck: illegal option -- x\nfsck: illegal option -- z\n"
     + FSCK_USAGE, 1),
    ("fsck -F ufs -F ufs -x", "", "fsck: more than one fstype specified\n" + FSCK_USAGE, 1),
    ("fsck -F ufs -?", "", "fsck: illegal option -- ?\n" + FSCK_UFS_USAGE, 1),
    ("fsck -F verylongfs /dev/rdsk/c0t0d0s0", "",
     "fsck: Fstype verylongfs exceeds 8 characters\n", 1),
    ("fsck -V -V /dev/md/rdsk/d1", "", FSCK_USAGE, 1),
    ("fsck -m -n /dev/md/rdsk/d1", "", FSCK_USAGE, 1),             # sanity && options > 1
    ("fsck -m /dev/md/rdsk/d1 /dev/md/rdsk/d2", "", FSCK_USAGE, 1),
    # df.c parse_options(): opterr = 0, errmsg(ERR_USAGE, "unknown option: %c")
    ("df -x", "", "df: unknown option: x\n" + DF_USAGE, 1),
    ("df -o", "", "df: unknown option: o\n" + DF_USAGE, 1),
    ("df -?", "", "df: unknown option: ?\n" + DF_USAGE, 1),
    ("df -F ufs -F ufs", "", "df: more than one FSType specified\n" + DF_USAGE, 1),
    ("df -o a -o b", "", "df: the -o option can only be specified once\n" + DF_USAGE, 1),
    ("df -o a -g", "", "df: -o and -g options are incompatible\n", 1),
    ("df -h -o a", "", "df: -o and -h options are incompatible\n", 1),
    # lockfs.c: opterr = 0; default: exitusage() (stdout)
    ("lockfs -x /home1", LOCKFS_USAGE, "", 1),
    ("lockfs -c", LOCKFS_USAGE, "", 1),
    ("lockfs -?", LOCKFS_USAGE, "", 1),
])
def test_bad_options(command: str, stdout: str, stderr: str, code: int) -> None:
    h, _ = make_host()
    r = h.run(command)
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, code)


def test_good_options_still_work() -> None:
    h, fs = make_host()
    assert h.run("mount -p").exit_code == 0
    assert h.run("mount -n -p").exit_code == 0               # -n is read and ignored
    assert h.run("df -k -o x /home1").exit_code == 0          # -o is for the type's df
    r = h.run("fsck -V -n /dev/md/rdsk/d1")
    assert (r.stdout, r.exit_code) == ("fsck -F ufs -n /dev/md/rdsk/d1\n", 0)
    assert h.run("lockfs -w -c backup /home1").exit_code == 0
    assert h.run("lockfs /home1").stdout.splitlines()[1].split() == [
        "/home1", "write", "backup"]
    h.run("lockfs -u /home1")
    assert h.run("umount -f /home1").exit_code == 0 and fs.mount_of("d1") is None
