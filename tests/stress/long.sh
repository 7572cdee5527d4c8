#!/bin/sh
# long.sh BUILD_DIR [OPS] [CRASHES] - the long stress run, on its own
# throwaway cluster under $ABA_STRESS_HOME (default /tmp/aba-stress-long):
# 8 connections x OPS (default 100,000) random operations over 1,000 cards
# with hot spots, the server SIGKILLed CRASHES times (default 20) spread
# evenly over the run by operations done (not by time, so any machine
# speed gives all of them), 50 aba client processes killed mid-posting,
# then every check of stress.c.  Prints stress.c's report; exit 0 when
# all holds, 1 when a check failed or fewer crashes happened than asked.
# Measured 2026-11-22 (8 x 100,000, 20 crashes): 79 min wall, of which
# 4,708 s of operations (~170 a second) and ~55 s of client kills and
# checks, on 2 cores shared with other work (load average 3.1-8.7, mean
# 5.9); on an idle machine expect less.
set -eu
build=$1 ops=${2:-100000} crashes=${3:-20}
home=${ABA_STRESS_HOME:-/tmp/aba-stress-long}
aba=$build/tui/aba
"$(dirname "$0")/../cluster.sh" start "$home" "$aba" >/dev/null
trap '"$(dirname "$0")/../cluster.sh" stop "$home" "$aba" >/dev/null 2>&1 || true' EXIT
ABA_TEST_HOME=$home "$build/tests/stress/stress" --connections 8 --ops "$ops" --cards 1000 \
	--crashes "$crashes" --aba "$aba" --client-kills 50 stress_long
