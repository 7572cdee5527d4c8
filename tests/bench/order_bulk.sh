#!/bin/sh
# order_bulk.sh ABA [ORDERS] [CARDS] [CLIENTS] - bulk offline import (issue 4
# and issue 8's "bulk offline import of 1,000,000 orders", target <= 120 s
# on the 2-core box): ORDERS offline orders (default 1000000) over CARDS
# cards (default 100000), 18 months of them, posted by CLIENTS (default 2)
# `aba order post --batch 1000` processes, each owning the cards that hash
# to it, so every card's orders post in order.  Then the same files again:
# every order must come back as a replay.  On a throwaway embedded cluster.
# Not a CTest: it takes minutes.
set -eu
aba=$1 orders=${2:-1000000} cards=${3:-100000} clients=${4:-2} batch=${BATCH:-1000}
home=$(mktemp -d /tmp/aba-bulk-XXXXXX)
trap 'ABA_HOME=$home "$aba" db stop >/dev/null 2>&1; rm -rf "$home"' EXIT
export ABA_HOME=$home
"$aba" db init >/dev/null
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
# The clients run side by side.
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
	printf '%.1f' "$(echo "$end - $start" | bc -l)"
}
first=$(post first)
posted=$(psql -X -At -h "$sock" -d aba -c "SELECT count(*) FROM aba.orders")
again=$(post again)
problems=$("$aba" verify 2>&1 | tail -1)
printf 'orders: %d over %d cards, %d clients, batches of %d\n' "$orders" "$cards" "$clients" "$batch"
printf 'first import: %s s, %d orders posted (%.0f orders/s; target <= 120 s for 1,000,000)\n' \
	"$first" "$posted" "$(echo "$posted / $first" | bc -l)"
cat "$home"/out-first-* | sed 's/^/  /'
printf 'same files again: %s s\n' "$again"
cat "$home"/out-again-* | sed 's/^/  /'
printf 'aba verify: %s\n' "$problems"
