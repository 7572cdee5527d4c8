#!/bin/bash
# order_refund.sh ABA - aba order refund --lines from the command line:
# quantities beyond 1..1,000,000 (4294967297 once refunded 1 unit: the int
# it was cut to) and malformed lines are usage errors that write nothing;
# a product split over two lines is refunded across both; a unit never
# goes back twice, whatever the key; order show lists what went back.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_cli_refund"
psql_admin() { psql -X -q -h "$ABA_TEST_HOME/run" -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql -X -q -A -t -h "$ABA_TEST_HOME/run" -d t_cli_refund -v ON_ERROR_STOP=1 "$@"; }

psql_admin -c "DROP DATABASE IF EXISTS t_cli_refund WITH (FORCE)" -c "CREATE DATABASE t_cli_refund"
"$aba" --db "$db" db migrate >/dev/null || exit 1
"$aba" --db "$db" card create RF1 --name "Siti Rahayu" >/dev/null || exit 1
# SKU-1 on two lines (2 x 150.00 and 1 x 150.00), SKU-2 1 x 20.00: 470.00
# (no programs stored: no discount)
printf '%s\n' '{"ref": "RF-1", "card": "RF1", "at": "2026-01-15T10:00:00Z",
	"lines": [{"product": "SKU-1", "qty": 2, "unit_price": "150.00"},
		  {"product": "SKU-2", "qty": 1, "unit_price": "20.00"},
		  {"product": "SKU-1", "qty": 1, "unit_price": "150.00"}]}' |
	"$aba" --db "$db" order post - >/dev/null || exit 1

passed=0 failed=0
check() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: %s\n' "$2"
	fi
}
# expect EXIT "OUTPUT SUBSTRING" ARGS...: exit code, and text on stdout or stderr
expect() {
	local want=$1 msg=$2 out rc
	shift 2
	out=$("$aba" --db "$db" "$@" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] && [[ $out == *"$msg"* ]]
	check $? "aba $* -- want exit $want and \"$msg\", got exit $rc: $out"
}
refunds() { psql_db -c "SELECT count(*) FROM aba.postings WHERE kind = 'refund'"; }

before=$(refunds)
expect 2 "--lines takes PRODUCT[:QTY],... with QTY from 1 to 1000000" \
	order refund RF-1 --lines "SKU-1:4294967297" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "SKU-1:1000001" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "SKU-1:99999999999999999999" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "SKU-1:0" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "SKU-1:" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "SKU-1:1x" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines ":1" --key k-big
expect 2 "--lines takes" order refund RF-1 --lines "," --key k-big
expect 1 "lines[0]: the order has no 'SKU-3'" order refund RF-1 --lines "SKU-3:1" --key k-big
expect 1 "has 3 of 'SKU-1' left to refund, not 4" order refund RF-1 --lines "SKU-1:4" --key k-big
[ "$(refunds)" = "$before" ]
check $? "refused refunds wrote $(refunds) refund postings, not $before"

# 1,000,000 is within bounds: refused by the order, not by the parser
expect 1 "has 3 of 'SKU-1' left to refund, not 1000000" \
	order refund RF-1 --lines "SKU-1:1000000" --key k-big
# all three SKU-1 across both lines: 450.00; then none is left
expect 0 "posted: order 'RF-1' refunded 450.00" order refund RF-1 --lines "SKU-1:3" --key k1
expect 0 "already posted: order 'RF-1' refunded 450.00" order refund RF-1 --lines "SKU-1:3" --key k1
expect 1 "has 0 of 'SKU-1' left to refund, not 1" order refund RF-1 --lines "SKU-1:1" --key k2
expect 1 "has only 20.00 left to refund, 30.00 asked" order refund RF-1 --amount 30 --key k3
expect 0 "posted: order 'RF-1' refunded 20.00" order refund RF-1 --lines SKU-2 --key k4
expect 1 "already fully refunded" order refund RF-1 --lines SKU-2 --key k5
[ "$(psql_db -c "SELECT refunded_amount || ' ' || state FROM aba.orders WHERE ref = 'RF-1'")" = \
  "47000 refunded" ]
check $? "order RF-1 is not refunded 470.00 in full"
show=$("$aba" --db "$db" order show RF-1)
[[ $show == *"refund k1: 450.00"* ]] &&
	[[ $show == *"SKU-1                       2  (line 1)          300.00"* ]] &&
	[[ $show == *"SKU-1                       1  (line 3)          150.00"* ]]
check $? "order show does not list the units refunded: $show"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
