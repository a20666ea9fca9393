#!/bin/sh
# A split written the admin way: take d3 out of d1, mount it on a directory made for it,
# look at what it holds, edit a file there, unmount, put it back.
# usage: split-mount.sh [MOUNTPOINT]   (default /var/tmp/m.$$)
M=${1:-/var/tmp/m.$$}
set -e
/usr/sbin/metadetach d1 d3
mkdir $M
mount -F ufs /dev/md/dsk/d3 $M
ls -l $M | head
echo "files: `find $M -type f | wc -l`"
echo "appdb: `ls -l $M/db/appdb.dbf | awk '{print $5}'`"
echo "blocks: `du -sk $M | awk '{print $1}'`"
f=`find $M -type f -size -64k | head -1`
echo "# edited by split-mount.sh" >> "$f"
echo "edited: `tail -1 "$f"`"
umount $M
echo "after umount: `ls -A $M | wc -l` entries"
rmdir $M
/usr/sbin/metattach d1 d3
echo "split-mount.sh: done"
