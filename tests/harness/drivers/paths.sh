#!/bin/sh
# Every way a script may reach a fake command, and the Solaris files it may read.
# Run on seed-example; each line of output is checked by test_run_drivers.py.
command -v metastat
metastat d1 | grep '^d1: Mirror'
PATH=/usr/sbin:$PATH
export PATH
command -v metastat
metastat d1 | grep '^d1: Mirror'
CMD=/usr/sbin/metastat
$CMD d1 | grep '^d1: Mirror'
/sbin/metastat d1 | grep '^d1: Mirror'
[ -x /usr/opt/SUNWmd/sbin/metastat ] || echo "no /usr/opt/SUNWmd on 5.10"
[ -c /dev/md/rdsk/d1 ] && echo "char /dev/md/rdsk/d1"
grep /home1 /etc/vfstab
grep /home1 /etc/mnttab
[ -e /dev/md/rdsk/d50 ] || echo "no /dev/md/rdsk/d50"
metainit d50 1 1 c0t0d0s0
[ -c /dev/md/rdsk/d50 ] && echo "char /dev/md/rdsk/d50"
[ -c /dev/md/dsk/d50 ] && echo "char /dev/md/dsk/d50"
exit 0
