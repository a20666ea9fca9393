#!/bin/bash
# The seed procedure (Admin Guide Example 11-23) in bash: arrays, [[ ]], pipefail.
# usage: seed.bash DUMPFILE
set -euo pipefail
[[ -n ${BASH_VERSION:-} ]] || exit 99
dump=${1:?usage: seed.bash DUMPFILE}
mapfile -t states < <(/usr/sbin/metastat d1 | grep 'State:')
for s in "${states[@]}"; do
    [[ $s == *Okay* ]] || { echo "seed.bash: d1 not Okay: $s" >&2; exit 2; }
done
steps=(
    "/usr/sbin/lockfs -w /home1"
    "/usr/sbin/metadetach d1 d3"
    "/usr/sbin/lockfs -u /home1"
    "/usr/sbin/fsck -y /dev/md/rdsk/d3"
    "/usr/sbin/ufsdump 0ucf $dump /dev/md/rdsk/d3"
    "/usr/sbin/metattach d1 d3"
)
for step in "${steps[@]}"; do
    read -r -a argv <<<"$step"
    "${argv[@]}"
done
echo "seed.bash: done (${#steps[@]} steps)"
