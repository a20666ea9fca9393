#!/bin/sh
# The procedure with the write lock held through fsck and the whole dump (unlocked only at
# the end): the backup is good, but applications' writers stall for the dump's duration.
# usage: lock-through-dump.sh MIRROR SUBMIRROR MOUNT DUMPDEST
M=$1 S=$2 MP=$3 DEST=$4
/usr/sbin/metastat "$M" >/dev/null || exit 2
/usr/sbin/lockfs -w "$MP" || exit 1
/usr/sbin/metadetach "$M" "$S" || { /usr/sbin/lockfs -u "$MP"; exit 1; }
/usr/sbin/fsck -y "/dev/md/rdsk/$S"
/usr/sbin/ufsdump 0ucf "$DEST" "/dev/md/rdsk/$S"
rc=$?
/usr/sbin/lockfs -u "$MP"
/usr/sbin/metattach "$M" "$S"
exit $rc
