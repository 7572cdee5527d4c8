#!/bin/sh
# console_search_sql.sh ABA CONNINFO SERVERLOG [TEXT...] - not a CTest.  The
# server side of card search as you type: for each prefix of each TEXT,
# runs `aba card list --search PREFIX --limit 50` (what the console asks
# for a page) with auto_explain, and prints the execution time of each
# statement it ran, in order (walk; walk on; trigram index or prefix
# btrees).  EXPLAIN (ANALYZE, BUFFERS) plans go to $PLANS (default a
# temporary directory, kept).  CONNINFO must be a superuser's (auto_explain
# is loaded per session); SERVERLOG is the cluster's log (`aba db status`).
# Run console_search.sh first: it makes the 1,000,000 cards.
set -eu
aba=$1 conninfo=$2 log=$3
shift 3
[ $# -gt 0 ] || set -- B0001234 +62812 "0812 3" "anI wib" "budi san" wibowo 81234 zzq
plans=${PLANS:-$(mktemp -d /tmp/aba-search-plans.XXXXXX)}
export PGOPTIONS="-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0
 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on -c auto_explain.log_timing=off"
n=0
for word in "$@"; do
	len=$(printf '%s' "$word" | wc -m)
	i=1
	while [ "$i" -le "$len" ]; do
		typed=$(printf '%s' "$word" | cut -c1-"$i")
		n=$((n + 1))
		start=$(wc -c < "$log")
		rows=$("$aba" --db "$conninfo" card list --search "$typed" --limit 50 --json | jq length)
		sleep 0.05	# the log is written by another process
		tail -c +"$((start + 1))" "$log" > "$plans/$n.plan"
		printf '  %-12s rows %-3s ms %s\n' "$typed" "$rows" \
			"$(grep -o 'duration: [0-9.]* ms' "$plans/$n.plan" | awk '{printf "%s ", $2}')"
		i=$((i + 1))
	done
done
echo "plans: $plans (numbered in the order above)"
