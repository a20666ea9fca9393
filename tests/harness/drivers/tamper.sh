#!/bin/sh
# Runs the seed procedure (SEED_DRIVER, e.g. seed.sh), then tries to change the host's
# /usr/sbin, /etc and /dev from inside the run and shows what it sees there.
# usage: tamper.sh SEED_DRIVER DUMPFILE
sh "$1" "$2" >/dev/null || exit $?
/usr/sbin/metainit d50 1 1 c0t0d0s0 >/dev/null
echo "tampered by svmsim test" >>/etc/vfstab
touch /etc/svmsim-isolation-probe /usr/sbin/svmsim-isolation-probe
mkdir -p /dev/md/svmsim-isolation-probe
echo "#!/bin/sh" >/usr/sbin/metastat
tail -n 1 /etc/vfstab
ls /dev/md/rdsk
exit 0
