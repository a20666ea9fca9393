#!/bin/sh
# The seed procedure after reading fake output through pipes whose reader quits at once
# (metastat | true): the harness must take the EPIPE and carry on.
# usage: pipes.sh DUMPFILE
for i in 1 2 3; do
	/usr/sbin/metastat | true
done
/usr/sbin/metastat d1 | grep -q 'State: Okay' || exit 2
/usr/sbin/lockfs -w /home1 || exit 1
/usr/sbin/metadetach d1 d3 || exit 1
/usr/sbin/lockfs -u /home1 || exit 1
/usr/sbin/fsck -y /dev/md/rdsk/d3 >/dev/null || exit 1
/usr/sbin/ufsdump 0ucf "$1" /dev/md/rdsk/d3 2>/dev/null || exit 1
/usr/sbin/metattach d1 d3 || exit 1
echo "pipes.sh: done"
