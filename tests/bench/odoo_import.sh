#!/bin/sh
# odoo_import.sh ABA [HISTORY] [CARDS] - times `aba import odoo` on a
# generated export: CARDS loyalty.card records and HISTORY loyalty.history
# records spread over them (default 1,000,000 over 100,000), then a
# re-import and a --check.  Uses its own embedded cluster under a
# temporary ABA_HOME; by hand, not CTest.  Prints wall times and the
# server's CPU seconds of each step (server_cpu).  TRY_SQL=FILE runs FILE
# as the superuser after `aba db init`, to measure a change to the schema
# before writing it as a migration.
set -eu
aba=$1 history=${2:-1000000} cards=${3:-100000}
home=$(mktemp -d /tmp/aba-odoo-bench.XXXXXX)
trap 'ABA_HOME=$home "$aba" db stop >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
export ABA_HOME=$home
unset PGHOST PGDATABASE PGSERVICE
awk -v n="$cards" 'BEGIN {
	printf "["
	for (i = 1; i <= n; i++)
		printf "%s{\"id\": %d, \"code\": \"B%07d\", \"points\": %d.5, \"partner_id\": [%d, \"Customer %d\"], \"program_id\": [1, \"Loyalty\"], \"expiration_date\": false}", (i > 1 ? ",\n" : ""), i, i, 100 + i % 50, i, i
	print "]"
}' > "$home/cards.json"
# Each card earns 15.25 and spends 5.125 (rounded to 5.13) in turn.
awk -v n="$history" -v c="$cards" 'BEGIN {
	printf "["
	for (i = 1; i <= n; i++) {
		card = 1 + (i - 1) % c
		t = 1704067200 + i * 60
		printf "%s{\"id\": %d, \"card_id\": [%d, \"B%07d\"], \"description\": \"Order %d\", \"issued\": %s, \"used\": %s, \"order_id\": false, \"create_date\": \"%s\"}", (i > 1 ? ",\n" : ""), i, card, card, i, (i % 2 ? "15.25" : "0.0"), (i % 2 ? "0.0" : "5.125"), strftime("%Y-%m-%d %H:%M:%S", t, 1)
	}
	print "]"
}' > "$home/history.json"
ls -l "$home"/*.json
"$aba" db init >/dev/null
[ -z "${TRY_SQL:-}" ] || psql -X -q -h "$home/run" -d aba -v ON_ERROR_STOP=1 -f "$TRY_SQL" >/dev/null
server_cpu() { "$(dirname "$0")/server_cpu" "$home"; }
cpu0=$(server_cpu)
start=$(date +%s.%N)
"$aba" import odoo "$home/cards.json" "$home/history.json" | head -4
mid=$(date +%s.%N)
cpu1=$(server_cpu)
"$aba" import odoo "$home/cards.json" "$home/history.json" | head -4
end=$(date +%s.%N)
cpu2=$(server_cpu)
"$aba" import odoo --check "$home/cards.json" "$home/history.json" | tail -1
done=$(date +%s.%N)
cpu3=$(server_cpu)
echo "first import: $(echo "$mid - $start" | bc) s, re-import: $(echo "$end - $mid" | bc) s, check: $(echo "$done - $end" | bc) s"
printf '  server CPU: first %.1f s, re-import %.1f s, check %.1f s\n' "$(echo "$cpu1 - $cpu0" | bc)" \
	"$(echo "$cpu2 - $cpu1" | bc)" "$(echo "$cpu3 - $cpu2" | bc)"
# The runs the import writes in: 5,000 records a batch, 500 cards (about
# 5,500 entries, 2,750 lots, 5,800 movements) a settlement run.
echo "the same rows written bare (write_floor: inserts only):"
"$(dirname "$0")/write_floor" "$home/run" partners:5000 odoo_partners:5000 cards:5000 \
	odoo_cards:5000 card_search:5000 odoo_history:5000 postings:500 outbox:500 \
	audit_log:500 point_history:5500 point_moves:2750 lot_movements:5800
"$(dirname "$0")/box_speed"
