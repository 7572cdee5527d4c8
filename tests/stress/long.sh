#!/bin/sh
# long.sh BUILD_DIR [OPS] [CRASHES] - the long stress run, on its own
# throwaway cluster under $ABA_STRESS_HOME (default /tmp/aba-stress-long):
# 8 connections x OPS (default 100,000) random operations over 1,000 cards
# with hot spots, the server SIGKILLed CRASHES times (default 20) spread
# over the run, 50 aba client processes killed mid-posting, then every
# check of stress.c.  Prints stress.c's report; exit 0 when all holds.
# About 2 hours on 2 cores.
set -eu
build=$1 ops=${2:-100000} crashes=${3:-20}
home=${ABA_STRESS_HOME:-/tmp/aba-stress-long}
aba=$build/tui/aba
"$(dirname "$0")/../cluster.sh" start "$home" "$aba" >/dev/null
trap '"$(dirname "$0")/../cluster.sh" stop "$home" "$aba" >/dev/null 2>&1 || true' EXIT
# One crash every ~ (run time / crashes): the run does ~100 operations a
# second on 2 cores, so 8 x ops / 100 / crashes seconds apart.
every=$(( 8 * ops / 100 * 1000 / crashes / 2 ))
[ "$every" -ge 800 ] || every=800
ABA_TEST_HOME=$home "$build/tests/stress/stress" --connections 8 --ops "$ops" --cards 1000 \
	--crashes "$crashes" --crash-every-ms "$every" --aba "$aba" --client-kills 50 stress_long
