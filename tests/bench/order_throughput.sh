#!/bin/sh
# order_throughput.sh ABA [ORDERS_PER_CLIENT] - order posting with 8 client
# connections vs pgbench's built-in tpcb-like with 8 clients, on one
# throwaway embedded cluster, in the same run.  Prints both TPS and the
# ratio (target >= 0.8).  Not a CTest: it takes about a minute.
set -eu
aba=$1 per=${2:-2000} clients=8
home=$(mktemp -d /tmp/aba-bench-XXXXXX)
trap 'ABA_HOME=$home "$aba" db stop >/dev/null 2>&1; rm -rf "$home"' EXIT
export ABA_HOME=$home
"$aba" db init >/dev/null
sock=$home/run
"$aba" level set SILVER --name Silver --sequence 10 --threshold 0 --window 365 >/dev/null
"$aba" level set GOLD --name Gold --sequence 20 --multiplier 1.5 --threshold 3000000 --window 365 >/dev/null
cards=1000
i=1
while [ $i -le $cards ]; do
	printf "SELECT aba.card_create('B%04d', 'Bench %d');\n" $i $i
	i=$((i + 1))
done | psql -X -q -h "$sock" -d aba >/dev/null
cat >"$home/programs.json" <<'JSON'
[{"id":"LOY","name":"points","program_type":"loyalty","sequence":1,"point_validity_days":365,
  "rules":[{"reward_point_mode":"money","reward_point_amount":"0.001"}],
  "rewards":[{"reward_type":"discount","discount":"100","discount_mode":"per_point"}]},
 {"id":"P10","name":"10% over 500k","program_type":"promotion","sequence":10,
  "rules":[{"minimum_amount":"500000.00"}],
  "rewards":[{"reward_type":"discount","discount":"10","discount_mode":"percent"}]}]
JSON
# One file of JSON lines per client; each client owns every 8th card, as a
# POS owns its customers at a time.
c=0
while [ $c -lt $clients ]; do
	awk -v c=$c -v per=$per -v clients=$clients -v cards=$cards 'BEGIN {
		for (k = 0; k < per; k++) {
			card = (k * clients + c) % cards + 1
			printf "{\"ref\":\"BENCH-%d-%07d\",\"card\":\"B%04d\",\"at\":\"2026-%02d-%02dT10:%02d:00Z\",", c, k, card, 1 + int(k * 10 / per), 1 + k % 28, k % 60
			printf "\"pos\":\"POS%d\",\"lines\":[{\"product\":\"SKU-%d\",\"qty\":%d,\"unit_price\":\"%d.00\"}]}\n", c, k % 50, 1 + k % 3, 20000 + (k * 7919) % 400000
		}
	}' >"$home/orders-$c.jsonl"
	c=$((c + 1))
done
start=$(date +%s.%N)
c=0
while [ $c -lt $clients ]; do
	"$aba" order post --programs "$home/programs.json" "$home/orders-$c.jsonl" >"$home/out-$c" 2>&1 &
	c=$((c + 1))
done
wait
end=$(date +%s.%N)
posted=$(psql -X -At -h "$sock" -d aba -c "SELECT count(*) FROM aba.orders")
aba_tps=$(echo "$posted / ($end - $start)" | bc -l)
"$aba" verify >/dev/null
createdb -h "$sock" pgb
pgbench -q -i -s $clients -h "$sock" pgb >/dev/null 2>&1
pg_tps=$(pgbench -c $clients -j 2 -T 20 -h "$sock" pgb 2>/dev/null |
	 sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
printf 'orders posted: %d by %d clients in %.1f s\n' "$posted" $clients "$(echo "$end - $start" | bc -l)"
printf 'aba order post: %.0f orders/s\n' "$aba_tps"
printf 'pgbench tpcb-like (-c %d -j 2 -s %d): %.0f tps\n' $clients $clients "$pg_tps"
printf 'ratio: %.2f (target >= 0.8)\n' "$(echo "$aba_tps / $pg_tps" | bc -l)"
"$(dirname "$0")/box_speed"
