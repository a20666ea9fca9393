#!/bin/sh
#
# svm-online-backup.sh - online backup of an SVM RAID-1 volume: a UFS file system, or a raw
#                        volume a database writes to
#
# Follows "How to Perform an Online Backup of a RAID-1 Volume" (Solaris Volume Manager
# Administration Guide): check the mirror is Okay, write-lock the file system, detach one
# submirror, unlock, fsck the detached submirror's raw device, ufsdump it, reattach it.
# A raw volume (-r) has no file system: no lockfs, no fsck; the site's hook quiesces the
# application for the moment of the detach, and dd copies the detached submirror.
#
# Written for the Bourne shell (/bin/sh on Solaris 10) and any POSIX shell: no $( ), no
# local, no arithmetic expansion. Commands are called by absolute path.
#
# Usage: svm-online-backup.sh [-nwy] [-l level] [-f dumpfile] [-m min_submirrors] mirror submirror mount-point
#        svm-online-backup.sh [-nwy] [-l level] [-f dumpfile] -t spare mirror mount-point
#        svm-online-backup.sh -r [-nw] [-q hook] [-f dest] [-b blocksize] mirror submirror
#        svm-online-backup.sh -R
#        svm-online-backup.sh -h
#   -l level     ufsdump level (default 0); the dump always updates /etc/dumpdates (u)
#   -f dumpfile  dump destination, a tape or a file (default /dev/rmt/0)
#   -w           wait for the resync after reattaching (polls metastat)
#   -m n         refuse unless the mirror has at least n submirrors (default 2)
#   -t spare     the guide's Tip: attach the metadevice spare (a concat/stripe made with
#                metainit) as one more submirror, wait for its resync, detach it for the
#                backup, and leave the mirror as it was: redundancy never drops. A slice
#                (-t c3t0d0s0) is made into a one-slice concat first (metainit dN 1 1,
#                the first free dN from d100) and cleared again (metaclear) after the backup
#   -y           let fsck repair the detached copy (fsck -y); without it a copy fsck
#                finds unclean (fsck -n) stops the backup
#   -r           a raw volume with no file system (a database): nothing is write-locked
#                (only a UFS volume needs it), nothing is fsck'd; the detached submirror
#                /dev/md/rdsk/submirror is copied with dd to the -f destination
#   -q hook      with -r: the site's command that quiesces the application, run as
#                "hook quiesce mirror" before the detach and "hook resume mirror" right
#                after it (and on every failure or signal while quiesced); e.g. -q
#                /opt/svmsim/bin/dbctl. If it fails to quiesce, nothing is changed (exit 2).
#                Without -q the copy is crash-consistent: the application's own recovery
#                replays its log when it is restored (a warning says so)
#   -b size      with -r: dd's block size (default 1024k)
#   -n           dry run: print what would be done, change nothing
#   -R           recovery, for an rc script at boot: reattach the submirror (or detach the
#                spare) a run that died with the host (a panic, a power cut) left behind,
#                as recorded in /var/tmp/svm-online-backup.state (kept across reboots)
#   -h           this help
# The root file system (/) is never write-locked (the guide's Caution: it hangs the
# system): it is backed up unlocked, with a warning that the copy may need fsck repairs.
# Each step is logged to stderr with a timestamp and to syslog (logger, daemon.notice).
#
# Exit status: 0 backup done and submirror reattached (-R: nothing to recover, or
# recovered; -n, -h: done); 1 backup failed (submirror reattached): fsck found the copy
# unclean, ufsdump or dd failed, or ufsdump said DUMP IS DONE over sectors it could not
# read; 2 refused: bad usage or preconditions not met (or the hook could not quiesce),
# nothing changed; 3 the submirror could not be reattached, the file system could not be
# unlocked or the application could not be resumed: needs an administrator.

# Backticks and expr, not $( ) and $(( )): Solaris 10 /bin/sh is a Bourne shell.
# shellcheck disable=SC2006,SC2003,SC2181

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

METASTAT=/usr/sbin/metastat
METADETACH=/usr/sbin/metadetach
METATTACH=/usr/sbin/metattach
METAINIT=/usr/sbin/metainit
METACLEAR=/usr/sbin/metaclear
LOCKFS=/usr/sbin/lockfs
FSCK=/usr/sbin/fsck
UFSDUMP=/usr/sbin/ufsdump
DD=/usr/bin/dd
LOGGER=/usr/bin/logger

PROG=`basename "$0"`
LEVEL=0
DUMPFILE=/dev/rmt/0
WAIT=no
MINSUB=2
RECOVER=no
SPARE=
SLICE=
MADE=no
REPAIR=no
RAW=no
HOOK=
BS=1024k
DO=
STATEFILE=/var/tmp/svm-online-backup.state
DUMPERR=/tmp/svm-online-backup.$$

LOCKED=no
QUIESCED=no
DETACHED=no
ATTACHED=no
STATUS=0

log() {
	echo "`date '+%Y-%m-%d %H:%M:%S'` $PROG: $*" >&2
	[ -n "$DO" ] || $LOGGER -p daemon.notice -t "$PROG" "$*" 2>/dev/null
}

usage() {
	echo "usage: $PROG [-nwy] [-l level] [-f dumpfile] [-m min_submirrors] mirror submirror mount-point" >&2
	echo "       $PROG [-nwy] [-l level] [-f dumpfile] -t spare mirror mount-point" >&2
	echo "       $PROG -r [-nw] [-q hook] [-f dest] [-b blocksize] mirror submirror" >&2
	echo "       $PROG -R | -h" >&2
	exit 2
}

help() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
	exit 0
}

is_sub() {	# is_sub mirror submirror: is it one of the mirror's submirrors now?
	$METASTAT "$1" 2>/dev/null | grep "^    Submirror [0-9]*: $2\$" >/dev/null
}

resync_wait() {
	while $METASTAT "$1" | grep 'Resync in progress' >/dev/null; do
		sleep 60
	done
}

# lockfs -u, retried: a refusal can be passing (EBUSY while another lock request is served);
# writers stay stalled until it works, so the tries are a second apart
unlock() {
	if [ "$LOCKED" = yes ]; then
		tries=0
		while [ "$tries" -lt 5 ]; do
			if $DO $LOCKFS -u "$MOUNTPT"; then
				LOCKED=no
				return 0
			fi
			tries=`expr "$tries" + 1`
			[ "$tries" -lt 5 ] && sleep 1
		done
		log "CRITICAL: cannot unlock $MOUNTPT: writers are stalled, run: lockfs -u $MOUNTPT"
		STATUS=3
	fi
}

# the site's hook (-q): "hook quiesce|resume mirror"; the hook is a command line, split
# into words on purpose
hook() {
	# shellcheck disable=SC2086
	$DO $HOOK "$1" "$MIRROR"
}

resume() {
	if [ "$QUIESCED" = yes ]; then
		if hook resume; then
			QUIESCED=no
		else
			log "CRITICAL: cannot resume the application on $MIRROR, run: $HOOK resume $MIRROR"
			STATUS=3
		fi
	fi
}

# metattach, retried: a refusal can be passing (the mirror busy with another request)
attach() {
	tries=0
	while [ "$tries" -lt 3 ]; do
		$DO $METATTACH "$1" "$2" && return 0
		tries=`expr "$tries" + 1`
		[ "$tries" -lt 3 ] && sleep 10
	done
	return 1
}

# -t slice: the concat made of the slice is cleared once it is out of the mirror, so the
# host is left as it was found (a leftover concat harms nothing: a warning, not a failure)
clear_spare() {
	if [ "$MADE" = yes ]; then
		if $DO $METACLEAR "$SPARE"; then
			MADE=no
		else
			log "warning: cannot clear the spare concat $SPARE made of $SLICE, run: metaclear $SPARE"
		fi
	fi
}

# put the mirror back as it was: the submirror reattached, or (-t) the spare detached
restore() {
	if [ -n "$SPARE" ]; then
		if [ "$ATTACHED" = yes ]; then
			if $DO $METADETACH "$MIRROR" "$SPARE"; then
				ATTACHED=no
			else
				log "CRITICAL: cannot detach the spare $SPARE from $MIRROR, run: metadetach $MIRROR $SPARE"
				STATUS=3
			fi
		fi
		[ "$ATTACHED" = no ] && clear_spare
	elif [ "$DETACHED" = yes ]; then
		if attach "$MIRROR" "$SUB"; then
			DETACHED=no
		else
			log "CRITICAL: cannot reattach $SUB to $MIRROR, run: metattach $MIRROR $SUB"
			STATUS=3
		fi
	fi
	[ "$STATUS" -eq 3 ] || [ -n "$DO" ] || rm -f "$STATEFILE"
}

fail() {
	log "$*"
	[ "$STATUS" -eq 0 ] && STATUS=1
	unlock
	resume
	restore
	rm -f "$DUMPERR"
	exit $STATUS
}

# -R: what a run that died with the host left behind (the state file: mirror submirror
# mount-point, and "spare" when the submirror was a -t spare)
recover() {
	[ -f "$STATEFILE" ] || exit 0
	read -r MIRROR SUB MOUNTPT KIND MADE <"$STATEFILE"
	# no "!" (the Bourne shell has none): if/then/else
	if [ "$KIND" = spare ]; then
		if is_sub "$MIRROR" "$SUB"; then
			if $METADETACH "$MIRROR" "$SUB"; then :; else
				log "CRITICAL: cannot detach the spare $SUB from $MIRROR, run: metadetach $MIRROR $SUB"
				exit 3
			fi
		fi
		if [ "$MADE" = made ]; then
			$METACLEAR "$SUB" || log "warning: cannot clear the spare concat $SUB, run: metaclear $SUB"
		fi
	elif is_sub "$MIRROR" "$SUB"; then
		:
	elif attach "$MIRROR" "$SUB"; then
		log "recovered: $SUB reattached to $MIRROR after the host went down mid-backup"
	else
		log "CRITICAL: cannot reattach $SUB to $MIRROR, run: metattach $MIRROR $SUB"
		exit 3
	fi
	rm -f "$STATEFILE"
	exit 0
}

while getopts Rhnyrq:b:t:l:f:wm: opt; do
	case $opt in
	R) RECOVER=yes ;;
	r) RAW=yes ;;
	q) HOOK=$OPTARG ;;
	b) BS=$OPTARG ;;
	h) help ;;
	n) DO="echo" ;;
	y) REPAIR=yes ;;
	t) SPARE=$OPTARG ;;
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
if [ "$RAW" = yes ]; then
	# -t, -y and -l are for a UFS (a spare submirror's file system, fsck, ufsdump levels)
	if [ $# -ne 2 ] || [ -n "$SPARE" ] || [ "$REPAIR" = yes ] || [ "$LEVEL" != 0 ]; then
		usage
	fi
	MIRROR=$1
	SUB=$2
	MOUNTPT=-
	case $DUMPFILE in
	/dev/md/*|/dev/dsk/*|/dev/rdsk/*)
		log "-f $DUMPFILE: the copy goes to a tape or a file, never to a disk"
		exit 2 ;;
	esac
elif [ -n "$HOOK" ]; then
	usage
elif [ -n "$SPARE" ]; then
	[ $# -eq 2 ] || usage
	MIRROR=$1
	SUB=$SPARE
	MOUNTPT=$2
else
	[ $# -eq 3 ] || usage
	MIRROR=$1
	SUB=$2
	MOUNTPT=$3
fi

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
case $SPARE in
c[0-9]*s[0-7])
	# a slice: made into a one-slice concat named by the first free dN from d100
	SLICE=$SPARE
	n=100
	while $METASTAT "d$n" >/dev/null 2>&1; do
		n=`expr "$n" + 1`
	done
	SPARE=d$n
	SUB=$SPARE
	;;
esac
if [ -n "$SLICE" ]; then
	if $DO $METAINIT "$SPARE" 1 1 "$SLICE"; then
		MADE=yes
	else
		log "cannot make a spare submirror of $SLICE (metainit $SPARE 1 1 $SLICE failed): nothing changed"
		exit 2
	fi
elif [ -n "$SPARE" ]; then
	if echo "$STAT" | grep "^    Submirror [0-9]*: $SPARE\$" >/dev/null; then
		log "$SPARE is already a submirror of $MIRROR"
		exit 2
	fi
	$METASTAT "$SPARE" >/dev/null 2>&1 || {
		log "$SPARE is not a metadevice (make it with metainit, e.g. metainit $SPARE 1 1 cXtYdZsN)"
		exit 2
	}
else
	echo "$STAT" | grep "^    Submirror [0-9]*: $SUB\$" >/dev/null || {
		log "$SUB is not a submirror of $MIRROR"
		exit 2
	}
	if [ "$NSUB" -lt "$MINSUB" ] || [ "$NSUB" -lt 2 ]; then
		log "$MIRROR has $NSUB submirror(s); at least $MINSUB needed"
		exit 2
	fi
	[ "$NSUB" -lt 3 ] && log "warning: $MIRROR will run without redundancy during the backup"
fi

trap 'fail "interrupted"' 1 2 3 15

# The Tip: one more submirror, resynced, is the one detached for the backup.
if [ -n "$SPARE" ]; then
	if [ "$MADE" = yes ]; then KEEP=made; else KEEP=kept; fi
	[ -n "$DO" ] || echo "$MIRROR $SPARE $MOUNTPT spare $KEEP" >"$STATEFILE"
	log "attaching the spare $SPARE to $MIRROR"
	attach "$MIRROR" "$SPARE" || fail "cannot attach the spare $SPARE to $MIRROR"
	ATTACHED=yes
	[ -n "$DO" ] || resync_wait "$MIRROR"
	log "$SPARE resynced"
else
	# recorded first: if the host dies with the submirror detached, -R at boot reattaches it
	[ -n "$DO" ] || echo "$MIRROR $SUB $MOUNTPT" >"$STATEFILE"
fi

# 2-4. Write-lock (flushes UFS logging data), detach, unlock at once.
#      Never write-lock /: that hangs the system (the guide's Caution).
#      A raw volume has no file system to lock: the site's hook quiesces the application.
if [ "$RAW" = yes ]; then
	if [ -n "$HOOK" ]; then
		if hook quiesce; then
			QUIESCED=yes
		else
			log "cannot quiesce the application on $MIRROR ($HOOK quiesce $MIRROR failed): nothing changed"
			[ -n "$DO" ] || rm -f "$STATEFILE"
			exit 2
		fi
	else
		log "warning: no quiesce hook (-q): the copy of $MIRROR is crash-consistent, the application's recovery must replay its log when it is restored"
	fi
elif [ "$MOUNTPT" != / ]; then
	$DO $LOCKFS -w "$MOUNTPT" || fail "cannot write-lock $MOUNTPT"
	LOCKED=yes
else
	log "warning: / is not write-locked (that would hang the system): the copy of the root file system may need fsck repairs"
fi
if $DO $METADETACH "$MIRROR" "$SUB"; then
	DETACHED=yes
	ATTACHED=no
else
	unlock
	resume
	fail "cannot detach $SUB from $MIRROR"
fi
unlock
resume
[ "$STATUS" -eq 0 ] || fail "giving up"
log "$SUB detached from $MIRROR"

# -r: copy the detached submirror's raw device whole; dd stops at the first read error
# (no conv=noerror: a copy with zero-filled blocks is no backup)
if [ "$RAW" = yes ]; then
	$DO $DD "if=/dev/md/rdsk/$SUB" "of=$DUMPFILE" "bs=$BS"
	rc=$?
	[ $rc -eq 0 ] || fail "dd of /dev/md/rdsk/$SUB to $DUMPFILE failed (exit $rc)"
	restore
	[ "$STATUS" -eq 0 ] || exit $STATUS
	log "raw copy of $MIRROR ($SUB) to $DUMPFILE done"
	if [ "$WAIT" = yes ]; then
		[ -n "$DO" ] || resync_wait "$MIRROR"
		log "$MIRROR resync done"
	fi
	exit 0
fi

# 5. Check the file system on the detached submirror: repaired only with -y.
if [ "$REPAIR" = yes ]; then
	$DO $FSCK -y "/dev/md/rdsk/$SUB"
else
	$DO $FSCK -n "/dev/md/rdsk/$SUB"
fi
rc=$?
case $rc in
0|40) ;;
*) fail "fsck of /dev/md/rdsk/$SUB found errors (exit $rc): no backup taken (-y lets fsck repair the copy)" ;;
esac

# 6. Dump the raw submirror.
#    ufsdump's messages are kept: it says DUMP IS DONE (exit 0) even when it wrote zeros
#    for sectors it could not read (dumptraverse.c bread); such a dump is no backup.
$DO $UFSDUMP "${LEVEL}ucf" "$DUMPFILE" "/dev/md/rdsk/$SUB" 2>"$DUMPERR"
rc=$?
cat "$DUMPERR" >&2
if grep 'cannot read sector' "$DUMPERR" >/dev/null; then
	fail "ufsdump of /dev/md/rdsk/$SUB read errors: the dump is not usable"
fi
rm -f "$DUMPERR"
[ $rc -eq 0 ] || fail "ufsdump of /dev/md/rdsk/$SUB failed (exit $rc)"

# 7. Reattach; SVM resyncs the submirror. With -t the spare stays out: the mirror is as
#    it was before the backup.
restore
[ "$STATUS" -eq 0 ] || exit $STATUS
log "level $LEVEL backup of $MOUNTPT ($MIRROR/$SUB) to $DUMPFILE done"

if [ "$WAIT" = yes ] && [ -z "$SPARE" ]; then
	[ -n "$DO" ] || resync_wait "$MIRROR"
	log "$MIRROR resync done"
fi
exit 0
