#!/bin/sh
# Write-locks the file system, then a step fails (a detach of a submirror the mirror does
# not have) and it exits at once: the lock stays, and every writer with it.
# usage: lock-left-on-error.sh MIRROR SUBMIRROR MOUNT
M=$1 MP=$3
/usr/sbin/metastat "$M" >/dev/null || exit 2
/usr/sbin/lockfs -w "$MP" || exit 1
/usr/sbin/metadetach "$M" d999 || { echo "detach failed" >&2; exit 1; }
/usr/sbin/lockfs -u "$MP"
exit 0
