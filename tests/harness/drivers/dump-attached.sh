#!/bin/sh
# Its metadetach is missing (as if it had failed and the error were ignored): it dumps the
# submirror while it is still attached to the mirror, and says the backup is done.
# usage: dump-attached.sh MIRROR SUBMIRROR MOUNT DUMPDEST
M=$1 S=$2 MP=$3 DEST=$4
/usr/sbin/metastat "$M" >/dev/null || exit 2
/usr/sbin/lockfs -w "$MP"
/usr/sbin/lockfs -u "$MP"
/usr/sbin/fsck -n "/dev/md/rdsk/$S"
/usr/sbin/ufsdump 0ucf "$DEST" "/dev/md/rdsk/$S" || exit 1
echo "backup of $M done"
exit 0
