#!/bin/sh
# Wait for mirror $1's resync as site scripts do: poll metastat, sleep 60, repeat.
m=${1:?usage: poll.sh MIRROR}
start=`date +%s`
n=0
while /usr/sbin/metastat "$m" | grep 'Resync in progress' >/dev/null; do
	sleep 60
	n=`expr $n + 1`
done
end=`date +%s`
echo "polls=$n waited=`expr $end - $start`"
