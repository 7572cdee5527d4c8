#!/bin/sh
# order_bulk.sh ABA [ORDERS] [CARDS] [CLIENTS] - bulk offline import (issue 4
# and issue 8's "bulk offline import of 1,000,000 orders", target <= 120 s
# on the 2-core box): ORDERS offline orders (default 1000000) over CARDS
# cards (default 100000), 18 months of them, posted by CLIENTS (default 2)
# `aba order post --batch 1000` processes, each owning the cards that hash
# to it, so every card's orders post in order.  Then the same files again:
# every order must come back as a replay.  On a throwaway embedded cluster.
# Not a CTest: it takes minutes.  Besides wall time it reports the CPU
# seconds the clients and the server's backends used (the postmaster's
# reaped children): (client + server) / cores is the wall time on an idle
# machine.  Both swing with the host, by up to 1.7x within the hour (see
# README-orders.txt): compare runs made side by side.
# TRY_SQL=FILE runs FILE as the superuser after `aba db init`, to measure
# a change to the schema before writing it as a migration.
set -eu
aba=$1 orders=${2:-1000000} cards=${3:-100000} clients=${4:-2} batch=${BATCH:-1000}
home=$(mktemp -d /tmp/aba-bulk-XXXXXX)
trap 'ABA_HOME=$home "$aba" db stop >/dev/null 2>&1; rm -rf "$home"' EXIT
export ABA_HOME=$home
"$aba" db init >/dev/null
[ -z "${TRY_SQL:-}" ] || psql -X -q -h "$home/run" -d aba -v ON_ERROR_STOP=1 -f "$TRY_SQL" >/dev/null
load0=$(cut -d' ' -f1-3 /proc/loadavg)
sock=$home/run
"$aba" level set SILVER --name Silver --sequence 10 --threshold 0 --window 365 >/dev/null
"$aba" level set GOLD --name Gold --sequence 20 --multiplier 1.25 --threshold 3000000 --window 365 >/dev/null
"$aba" level set PLATINUM --name Platinum --sequence 30 --multiplier 1.5 --threshold 10000000 --window 365 >/dev/null
psql -X -q -h "$sock" -d aba -c "SELECT count(aba.card_create('K' || i, 'Bulk ' || i)) FROM generate_series(1, $cards) i" >/dev/null
cat >"$home/programs.json" <<'JSON'
[{"id":"LOY","name":"points","program_type":"loyalty","sequence":1,"point_validity_days":365,
  "rules":[{"reward_point_mode":"money","reward_point_amount":"0.001"}],
  "rewards":[{"reward_type":"discount","discount":"100","discount_mode":"per_point"}]},
 {"id":"P10","name":"10% over 500k","program_type":"promotion","sequence":10,
  "rules":[{"minimum_amount":"500000.00"}],
  "rewards":[{"reward_type":"discount","discount":"10","discount_mode":"percent"}]}]
JSON
# Orders in time order over 540 days; one in eight spends 1 point.
awk -v n=$orders -v cards=$cards -v clients=$clients -v dir="$home" 'BEGIN {
	srand(42)
	for (k = 0; k < n; k++) {
		card = int(rand() * cards) + 1
		t = 1735689600 + int(k * (540 * 86400 / n))
		f = dir "/orders-" (card % clients) ".jsonl"
		printf "{\"ref\":\"BULK-%07d\",\"card\":\"K%d\",\"at\":\"%s\",\"offline\":true,", k, card, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1) > f
		printf "\"points_to_spend\":\"%s\",\"lines\":[{\"product\":\"SKU-%d\",\"qty\":%d,\"unit_price\":\"%d.00\"}]}\n", (k % 8 == 7 ? "1.00" : "0"), k % 50, 1 + k % 3, 20000 + (k * 7919) % 400000 > f
	}
}'
server_cpu() {
	"$(dirname "$0")/server_cpu" "$home"
}
# The clients run side by side; then one line: wall, client CPU.
post() {
	start=$(date +%s.%N)
	c=0
	while [ $c -lt $clients ]; do
		"$aba" order post --batch "$batch" --programs "$home/programs.json" "$home/orders-$c.jsonl" \
			>"$home/out-$1-$c" 2>"$home/err-$1-$c" &
		c=$((c + 1))
	done
	wait || true
	end=$(date +%s.%N)
	printf '%.1f ' "$(echo "$end - $start" | bc -l)"
	times >"$home/times-$1"	# not in a pipe: a forked shell has no children
	awk 'NR == 2 { u = $1; s = $2; sub(/m/, " ", u); sub(/m/, " ", s); split(u, a, " ");
		split(s, b, " "); sub(/s/, "", a[2]); sub(/s/, "", b[2]);
		printf "%.1f", a[1] * 60 + a[2] + b[1] * 60 + b[2] }' "$home/times-$1"
}
cpu0=$(server_cpu)
set -- $(post first)
first=$1 first_client=$2
cpu1=$(server_cpu)
posted=$(psql -X -At -h "$sock" -d aba -c "SELECT count(*) FROM aba.orders")
set -- $(post again)
again=$1 again_client=$2
cpu2=$(server_cpu)
problems=$("$aba" verify 2>&1 | tail -1)
printf 'orders: %d over %d cards, %d clients, batches of %d\n' "$orders" "$cards" "$clients" "$batch"
printf 'first import: %s s, %d orders posted (%.0f orders/s; target <= 120 s for 1,000,000)\n' \
	"$first" "$posted" "$(echo "$posted / $first" | bc -l)"
printf '  CPU: clients %s s, server %.1f s; load average before %s\n' "$first_client" \
	"$(echo "$cpu1 - $cpu0" | bc -l)" "$load0"
cat "$home"/out-first-* | sed 's/^/  /'
printf 'same files again: %s s (CPU: clients %s s, server %.1f s)\n' "$again" "$again_client" \
	"$(echo "$cpu2 - $cpu1" | bc -l)"
cat "$home"/out-again-* | sed 's/^/  /'
printf 'aba verify: %s\n' "$problems"
echo "the same rows written bare (write_floor: inserts only, runs of $batch ids):"
"$(dirname "$0")/write_floor" "$sock" orders:$batch postings:$batch point_history:$batch \
	point_moves:$batch lot_movements:$batch outbox:$batch level_history:$batch
"$(dirname "$0")/box_speed"
