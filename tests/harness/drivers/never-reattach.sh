#!/bin/sh
# The procedure without its last step: the submirror is never attached again.
# usage: never-reattach.sh MIRROR SUBMIRROR MOUNT DUMPDEST
M=$1 S=$2 MP=$3 DEST=$4
/usr/sbin/metastat "$M" >/dev/null || exit 2
/usr/sbin/lockfs -w "$MP" || exit 1
/usr/sbin/metadetach "$M" "$S" || { /usr/sbin/lockfs -u "$MP"; exit 1; }
/usr/sbin/lockfs -u "$MP"
/usr/sbin/fsck -y "/dev/md/rdsk/$S" || exit 1
/usr/sbin/ufsdump 0ucf "$DEST" "/dev/md/rdsk/$S" || exit 1
exit 0
