#!/bin/sh
# The Admin Guide's online backup of mirror d1 (Example 11-23) in POSIX sh (dash):
# check d1 is Okay, write-lock /home1, detach d3, unlock, fsck d3, dump it, reattach.
# usage: seed.sh DUMPFILE
DUMP=${1:?usage: seed.sh DUMPFILE}
set -e
STAT=`/usr/sbin/metastat d1`
if echo "$STAT" | grep 'State:' | grep -v Okay >/dev/null; then
	echo "seed.sh: d1 is not Okay" >&2
	exit 2
fi
/usr/sbin/lockfs -w /home1
/usr/sbin/metadetach d1 d3
/usr/sbin/lockfs -u /home1
/usr/sbin/fsck -y /dev/md/rdsk/d3
/usr/sbin/ufsdump 0ucf "$DUMP" /dev/md/rdsk/d3
/usr/sbin/metattach d1 d3
echo "seed.sh: done"
