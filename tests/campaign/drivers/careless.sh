#!/bin/sh
# The seed's online backup written carelessly: set -e and no trap, so a failed step leaves
# whatever it had done behind (the write lock, the detached submirror); and the file system
# kept write-locked through fsck and the dump "for a quieter image", so a failed dump leaves
# the lock too. ufsdump's exit status is trusted: a dump that says DUMP IS DONE after read
# errors is taken for a good one.
# usage: careless.sh [DUMPDEST]
DUMP=${1:-/dev/rmt/0}
set -e
/usr/sbin/metastat d1 >/dev/null
/usr/sbin/lockfs -w /home1
/usr/sbin/metadetach d1 d3
/usr/sbin/fsck -y /dev/md/rdsk/d3
/usr/sbin/ufsdump 0ucf "$DUMP" /dev/md/rdsk/d3
/usr/sbin/lockfs -u /home1
/usr/sbin/metattach d1 d3
echo "backup OK"
