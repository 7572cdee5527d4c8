#!/bin/sh
# cluster.sh start|stop DIR ABA - the throwaway cluster of one ctest run.
# start removes whatever an earlier, interrupted run left in DIR, then lets
# aba create the cluster there exactly as it creates a user's.
set -eu
cmd=$1 dir=$2 aba=$3
case $cmd in
start)
	if [ -d "$dir" ]; then
		ABA_HOME=$dir "$aba" db stop >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
	ABA_HOME=$dir "$aba" db init
	;;
stop)
	ABA_HOME=$dir "$aba" db stop
	rm -rf "$dir"
	;;
*)
	echo "usage: cluster.sh start|stop DIR ABA" >&2
	exit 2
	;;
esac
