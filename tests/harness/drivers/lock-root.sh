#!/bin/sh
# Write-locks / (the guide's Caution: the system hangs). A real host never answers again;
# the busy loop makes a harness that failed to stop the run wait for its timeout.
/usr/sbin/metastat d1 >/dev/null
/usr/sbin/lockfs -w /
echo "still running after lockfs -w /"
while :; do :; done
