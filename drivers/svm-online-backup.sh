#!/bin/sh
#
# svm-online-backup.sh - online backup of a UFS file system on an SVM RAID-1 volume
#
# Follows "How to Perform an Online Backup of a RAID-1 Volume" (Solaris Volume Manager
# Administration Guide): check the mirror is Okay, write-lock the file system, detach one
# submirror, unlock, fsck the detached submirror's raw device, ufsdump it, reattach it.
#
# Written for the Bourne shell (/bin/sh on Solaris 10) and any POSIX shell: no $( ), no
# local, no arithmetic expansion. Commands are called by absolute path.
#
# Usage: svm-online-backup.sh [-l level] [-f dumpfile] [-w] [-m min_submirrors] mirror submirror mount-point
#        svm-online-backup.sh -R
#   -R           recovery, for an rc script at boot: reattach the submirror a run that died
#                with the host (a panic, a power cut) left detached, as recorded in
#                /var/tmp/svm-online-backup.state (kept across reboots, unlike /tmp)
#   -l level     ufsdump level (default 0)
#   -f dumpfile  dump destination (default /dev/rmt/0)
#   -w           wait for the resync after reattaching (polls metastat)
#   -m n         refuse unless the mirror has at least n submirrors (default 2; the
#                guide's Tip: use 3 so that the mirror stays redundant during the backup)
#
# Exit status: 0 backup done and submirror reattached (-R: nothing to recover, or
# recovered); 1 backup failed (submirror reattached): ufsdump failed, or said DUMP IS DONE
# over sectors it could not read; 2 refused: preconditions not met, nothing changed; 3 the
# submirror could not be reattached or the file system could not be unlocked: needs an
# administrator.

# Backticks and expr, not $( ) and $(( )): Solaris 10 /bin/sh is a Bourne shell.
# shellcheck disable=SC2006,SC2003,SC2181

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

METASTAT=/usr/sbin/metastat
METADETACH=/usr/sbin/metadetach
METATTACH=/usr/sbin/metattach
LOCKFS=/usr/sbin/lockfs
FSCK=/usr/sbin/fsck
UFSDUMP=/usr/sbin/ufsdump
LOGGER=/usr/bin/logger

PROG=`basename "$0"`
LEVEL=0
DUMPFILE=/dev/rmt/0
WAIT=no
MINSUB=2
RECOVER=no
STATEFILE=/var/tmp/svm-online-backup.state
DUMPERR=/tmp/svm-online-backup.$$

LOCKED=no
DETACHED=no
STATUS=0

log() {
	echo "$PROG: $*" >&2
	$LOGGER -p daemon.notice -t "$PROG" "$*" 2>/dev/null
}

usage() {
	echo "usage: $PROG [-l level] [-f dumpfile] [-w] [-m min_submirrors] mirror submirror mount-point" >&2
	echo "       $PROG -R" >&2
	exit 2
}

unlock() {
	if [ "$LOCKED" = yes ]; then
		if $LOCKFS -u "$MOUNTPT"; then
			LOCKED=no
		else
			log "CRITICAL: cannot unlock $MOUNTPT: writers are stalled, run: lockfs -u $MOUNTPT"
			STATUS=3
		fi
	fi
}

# metattach, retried: a refusal can be passing (the mirror busy with another request)
attach() {
	tries=0
	while [ "$tries" -lt 3 ]; do
		$METATTACH "$1" "$2" && return 0
		tries=`expr "$tries" + 1`
		[ "$tries" -lt 3 ] && sleep 10
	done
	return 1
}

reattach() {
	if [ "$DETACHED" = yes ]; then
		if attach "$MIRROR" "$SUB"; then
			DETACHED=no
			rm -f "$STATEFILE"
		else
			log "CRITICAL: cannot reattach $SUB to $MIRROR, run: metattach $MIRROR $SUB"
			STATUS=3
		fi
	fi
}

cleanup() {
	unlock
	reattach
}

fail() {
	log "$*"
	[ "$STATUS" -eq 0 ] && STATUS=1
	cleanup
	rm -f "$DUMPERR"
	exit $STATUS
}

# -R: what a run that died with the host left behind (the state file: mirror submirror)
recover() {
	[ -f "$STATEFILE" ] || exit 0
	read -r MIRROR SUB MOUNTPT <"$STATEFILE"
	if $METASTAT "$MIRROR" 2>/dev/null | grep "^    Submirror [0-9]*: $SUB\$" >/dev/null; then
		rm -f "$STATEFILE"
		exit 0
	fi
	if attach "$MIRROR" "$SUB"; then
		log "recovered: $SUB reattached to $MIRROR after the host went down mid-backup"
		rm -f "$STATEFILE"
		exit 0
	fi
	log "CRITICAL: cannot reattach $SUB to $MIRROR, run: metattach $MIRROR $SUB"
	exit 3
}

while getopts Rl:f:wm: opt; do
	case $opt in
	R) RECOVER=yes ;;
	l) LEVEL=$OPTARG ;;
	f) DUMPFILE=$OPTARG ;;
	w) WAIT=yes ;;
	m) MINSUB=$OPTARG ;;
	*) usage ;;
	esac
done
shift "`expr $OPTIND - 1`"
if [ "$RECOVER" = yes ]; then
	[ $# -eq 0 ] || usage
	recover
fi
[ $# -eq 3 ] || usage
MIRROR=$1
SUB=$2
MOUNTPT=$3

case $LEVEL in
[0-9]) ;;
*) log "dump level must be 0-9"; exit 2 ;;
esac

# 1. The mirror must be Okay: every submirror Okay, none resyncing or in maintenance.
STAT=`$METASTAT "$MIRROR" 2>&1`
if [ $? -ne 0 ]; then
	log "metastat $MIRROR failed: $STAT"
	exit 2
fi
echo "$STAT" | grep "^$MIRROR: Mirror" >/dev/null || {
	log "$MIRROR is not a mirror"
	exit 2
}
NSUB=`echo "$STAT" | grep -c '^    Submirror [0-9]*: '`
NOKAY=`echo "$STAT" | grep -c '^      State: Okay'`
if [ "$NOKAY" -ne "$NSUB" ]; then
	log "$MIRROR is not Okay ($NOKAY of $NSUB submirrors Okay): repair it first"
	exit 2
fi
if echo "$STAT" | grep 'Resync in progress' >/dev/null; then
	log "$MIRROR is resyncing: try again later"
	exit 2
fi
echo "$STAT" | grep "^    Submirror [0-9]*: $SUB\$" >/dev/null || {
	log "$SUB is not a submirror of $MIRROR"
	exit 2
}
if [ "$NSUB" -lt "$MINSUB" ] || [ "$NSUB" -lt 2 ]; then
	log "$MIRROR has $NSUB submirror(s); at least $MINSUB needed"
	exit 2
fi
[ "$NSUB" -lt 3 ] && log "warning: $MIRROR will run without redundancy during the backup"

trap 'fail "interrupted"' 1 2 3 15

# 2-4. Write-lock (flushes UFS logging data), detach, unlock at once.
#      Never write-lock /: that hangs the system (the guide's Caution).
if [ "$MOUNTPT" != / ]; then
	$LOCKFS -w "$MOUNTPT" || fail "cannot write-lock $MOUNTPT"
	LOCKED=yes
fi
# recorded first: if the host dies with the submirror detached, -R at boot reattaches it
echo "$MIRROR $SUB $MOUNTPT" >"$STATEFILE"
if $METADETACH "$MIRROR" "$SUB"; then
	DETACHED=yes
else
	rm -f "$STATEFILE"
	unlock
	fail "cannot detach $SUB from $MIRROR"
fi
unlock
[ "$STATUS" -eq 0 ] || fail "giving up"

# 5. Check the file system on the detached submirror.
$FSCK -y "/dev/md/rdsk/$SUB"
rc=$?
case $rc in
0|40) ;;
*) fail "fsck of /dev/md/rdsk/$SUB failed (exit $rc): no backup taken" ;;
esac

# 6. Dump the raw submirror.
#    ufsdump's messages are kept: it says DUMP IS DONE (exit 0) even when it wrote zeros
#    for sectors it could not read (dumptraverse.c bread); such a dump is no backup.
$UFSDUMP "${LEVEL}ucf" "$DUMPFILE" "/dev/md/rdsk/$SUB" 2>"$DUMPERR"
rc=$?
cat "$DUMPERR" >&2
if grep 'cannot read sector' "$DUMPERR" >/dev/null; then
	fail "ufsdump of /dev/md/rdsk/$SUB read errors: the dump is not usable"
fi
rm -f "$DUMPERR"
[ $rc -eq 0 ] || fail "ufsdump of /dev/md/rdsk/$SUB failed (exit $rc)"

# 7. Reattach; SVM resyncs the submirror.
reattach
[ "$STATUS" -eq 0 ] || exit $STATUS
log "level $LEVEL backup of $MOUNTPT ($MIRROR/$SUB) to $DUMPFILE done"

if [ "$WAIT" = yes ]; then
	while $METASTAT "$MIRROR" | grep 'Resync in progress' >/dev/null; do
		sleep 60
	done
	log "$MIRROR resync done"
fi
exit 0
