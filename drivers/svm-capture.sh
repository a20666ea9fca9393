#!/bin/sh
#
# svm-capture.sh - collect, on a Solaris Volume Manager host, what `svmsim import`
# needs to simulate it: one tar archive of what a few standard commands print.
#
# Read-only: it runs only the commands -h lists, each of which only prints, and writes
# nothing but its own scratch directory (removed on exit) and the archive.
# Portable: Solaris 9 and 10's Bourne /bin/sh, Solaris 11's ksh93 and any POSIX sh
# (no $(...), no $((...)), no ${var#...}, no "if !"); `shellcheck -s sh` clean.
#
# Usage: sh svm-capture.sh [-o ARCHIVE]      (default /var/tmp/svm-capture.tar)
#        sh svm-capture.sh -h
# Then:  svmsim import ARCHIVE --out myhost.toml
#
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 077

usage() {
    cat <<'USAGE'
usage: svm-capture.sh [-o ARCHIVE]
Collects what `svmsim import` reads into ARCHIVE (a tar file; default
/var/tmp/svm-capture.tar). It runs exactly these commands, as the user who runs
it (root sees everything; they only read), each into its own file:
  metastat -p                  > metastat-p
  metastat                     > metastat
  metadb                       > metadb
  metahs -i                    > metahs-i   (its messages too)
  format </dev/null            > format     (the disk list; nothing is selected)
  prtvtoc /dev/rdsk/DISKs2     > prtvtoc.DISK, for each DISK format lists
  cat /etc/vfstab              > vfstab
  cat /etc/mnttab              > mnttab
  cat /etc/release             > release
  uname -a                     > uname-a
  df -k                        > df-k
and writes MANIFEST (date, host, this list) and errors (the commands' messages).
Files are gathered in a scratch directory /var/tmp/svm-capture.PID, removed on exit.
Exit: 0 archive written; 1 a command failed so that nothing useful could be captured
(metastat -p) or the archive could not be written; 2 bad usage.
USAGE
}

out=/var/tmp/svm-capture.tar
while getopts ho: opt
do
    case $opt in
    h)  usage
        exit 0 ;;
    o)  out=$OPTARG ;;
    *)  usage >&2
        exit 2 ;;
    esac
done
if [ "$OPTIND" -le "$#" ]
then
    echo "svm-capture.sh: no operands are taken (see -h)" >&2
    exit 2
fi
case $out in
"")  echo "svm-capture.sh: -o needs a file name" >&2
     exit 2 ;;
esac

dir=/var/tmp/svm-capture.$$
mkdir -m 700 "$dir" || {
    echo "svm-capture.sh: cannot make the scratch directory $dir" >&2
    exit 1
}
trap 'rm -rf "$dir"' 0
trap 'exit 1' 1 2 15

# capture FILE COMMAND [ARG...]: the command's output into FILE, its messages into errors
capture() {
    file=$1
    shift
    echo "$file: $*" >>"$dir/MANIFEST"
    "$@" >"$dir/$file" 2>>"$dir/errors"
}

{
    echo "svm-capture.sh: captures for svmsim import"
    date
    uname -n
} >"$dir/MANIFEST" 2>>"$dir/errors"

capture metastat-p metastat -p || {
    echo "svm-capture.sh: metastat -p failed (is this a Solaris Volume Manager host?):" >&2
    cat "$dir/errors" >&2
    exit 1
}
capture metastat metastat
capture metadb metadb
echo "metahs-i: metahs -i" >>"$dir/MANIFEST"
metahs -i >"$dir/metahs-i" 2>&1
echo "format: format </dev/null" >>"$dir/MANIFEST"
format </dev/null >"$dir/format" 2>>"$dir/errors"
# one prtvtoc per disk format listed ("  0. c0t0d0 <SUN36G ...>"), run by awk (Solaris 9
# and 10's Bourne read has no -r); a name reaches the command line only if it is a disk
# name, so nothing in format's output is ever run
# (/usr/xpg4/bin/awk first: Solaris 9 and 10's /usr/bin/awk is the old awk, without -v)
PATH=/usr/xpg4/bin:$PATH awk -v dir="$dir" '
$1 ~ /^[0-9][0-9]*\.$/ && $2 ~ /^c[0-9][0-9]*(t[0-9][0-9]*)?d[0-9][0-9]*$/ {
    d = $2
    print "prtvtoc." d ": prtvtoc /dev/rdsk/" d "s2" >>(dir "/MANIFEST")
    close(dir "/MANIFEST")
    if (system("prtvtoc /dev/rdsk/" d "s2 >" dir "/prtvtoc." d " 2>>" dir "/errors") != 0)
        system("rm -f " dir "/prtvtoc." d)
}' "$dir/format"
capture vfstab cat /etc/vfstab
capture mnttab cat /etc/mnttab
capture release cat /etc/release
capture uname-a uname -a
capture df-k df -k

tar cf "$out" -C "$dir" . || {
    echo "svm-capture.sh: cannot write $out" >&2
    exit 1
}
echo "svm-capture.sh: wrote $out: import it with: svmsim import $out --out HOST.toml"
exit 0
