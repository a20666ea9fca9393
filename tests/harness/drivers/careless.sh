#!/bin/sh
# The seed procedure written carelessly: exit codes ignored, always exits 0, and any step
# named on the command line left out (no-unlock, no-attach).
# usage: careless.sh DUMPDEST [no-unlock] [no-attach]
DUMP=$1
shift
skip=" $* "
/usr/sbin/metastat d1 >/dev/null
/usr/sbin/lockfs -w /home1
/usr/sbin/metadetach d1 d3
case $skip in *" no-unlock "*) ;; *) /usr/sbin/lockfs -u /home1 ;; esac
/usr/sbin/fsck -y /dev/md/rdsk/d3
/usr/sbin/ufsdump 0ucf "$DUMP" /dev/md/rdsk/d3
case $skip in *" no-attach "*) ;; *) /usr/sbin/metattach d1 d3 ;; esac
echo "backup OK"
exit 0
