#!/bin/ksh93
# The seed procedure (Admin Guide Example 11-23) in ksh93: typeset, functions, print.
# usage: seed.ksh DUMPFILE
[[ -n ${.sh.version} ]] || exit 99
typeset dump=${1:?usage: seed.ksh DUMPFILE}
function step {
    "$@" || { print -u2 "seed.ksh: $* failed (exit $?)"; exit 1; }
}
typeset stat=$(/usr/sbin/metastat d1) || exit 2
print -r -- "$stat" | grep 'State:' | while read -r _ state _; do
    [[ $state == Okay ]] || { print -u2 "seed.ksh: d1 not Okay"; exit 2; }
done || exit 2
step /usr/sbin/lockfs -w /home1
step /usr/sbin/metadetach d1 d3
step /usr/sbin/lockfs -u /home1
step /usr/sbin/fsck -y /dev/md/rdsk/d3
step /usr/sbin/ufsdump 0ucf "$dump" /dev/md/rdsk/d3
step /usr/sbin/metattach d1 d3
print "seed.ksh: done under ksh ${.sh.version}"
