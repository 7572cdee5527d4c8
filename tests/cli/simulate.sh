#!/bin/bash
# simulate.sh ABA - `aba simulate` with draft programs (no database at
# all), with the database's programs after `aba program import`, its
# options, its JSON, and its errors.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_simulate"
nodb="host=/nonexistent/aba dbname=none connect_timeout=1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
psql -X -q -h "$ABA_TEST_HOME/run" -d postgres -v ON_ERROR_STOP=1 \
	-c "DROP DATABASE IF EXISTS t_simulate WITH (FORCE)" -c "CREATE DATABASE t_simulate" || exit 1
"$aba" --db "$db" db migrate >/dev/null || exit 1

cat >"$tmp/programs.json" <<'JSON'
[{"id":"P10","name":"10% over 100k","program_type":"promotion","trigger":"auto",
  "code":null,"sequence":10,"stacking":"combine","date_from":null,"date_to":"2026-12-31",
  "membership_levels":[],"point_validity_days":365,
  "rules":[{"minimum_qty":0,"minimum_amount":"100000.00","product_ids":[],
            "reward_point_mode":"money","reward_point_amount":"0.001"}],
  "rewards":[{"reward_type":"discount","discount":"10","discount_mode":"percent",
              "discount_applicability":"order","discount_product_ids":[],
              "discount_max_amount":"0"}]},
 {"id":"B2G1","program_type":"buy_x_get_y","sequence":5,
  "rules":[{"minimum_qty":2,"product_ids":["SKU-C"]}],
  "rewards":[{"reward_type":"product","reward_product_id":"SKU-C","reward_product_qty":1}]},
 {"id":"CODE","program_type":"promo_code","trigger":"with_code","code":"PROMO10",
  "rewards":[{"reward_type":"discount","discount":"5000","discount_mode":"per_order"}]},
 {"id":"GOLD","program_type":"promotion","sequence":30,"membership_levels":["GOLD"],
  "rewards":[{"reward_type":"point","reward_point_amount":"50"}]}]
JSON
cat >"$tmp/cart.json" <<'JSON'
{"customer":null,"level":"SILVER","at":"2026-11-22T10:00:00Z","codes":[],
 "lines":[{"product":"SKU-1","qty":2,"unit_price":"15000.00","categories":["shoes"]},
          {"product":"SKU-2","qty":1,"unit_price":"70000.00"},
          {"product":"SKU-C","qty":8,"unit_price":"1000.00"}],"points_to_spend":"0"}
JSON
echo '{"lines":[{"product":"A","qty":0,"unit_price":"1"}]}' >"$tmp/bad_cart.json"
echo '{"id":"P","program_type":"promotion","rules":[{"minimum_amount":"1.234"}]}' >"$tmp/bad.json"

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
# exits NAME WANT GOT: the command's exit code
exits() { if [ "$2" -eq "$3" ]; then ok; else fail "$1: exit $3, wanted $2"; fi; }
# has NAME OUTPUT TEXT: OUTPUT contains TEXT
has() { if [[ $2 == *"$3"* ]]; then ok; else fail "$1: no '$3' in:"; printf '%s\n' "$2"; fi; }

# Draft programs: no database is touched (this conninfo cannot connect).
out=$("$aba" --db "$nodb" simulate --programs "$tmp/programs.json" "$tmp/cart.json" 2>&1)
exits "simulate --programs exit" 0 $?
has table "$out" "Points to earn: 95.20"	# 0.001 x net 95200.00
has table "$out" "buy 2 get 1 SKU-C: 2 free in the cart, add 1 more SKU-C free"
has table "$out" "CODE         code_missing      needs the code 'PROMO10'"
has table "$out" "GOLD         level             for level GOLD only; the customer is SILVER"

# --code, --level and --json; the cart from standard input
out=$("$aba" --db "$nodb" simulate --programs "$tmp/programs.json" --code promo10 \
	--level GOLD --json - <"$tmp/cart.json" 2>&1)
has json "$out" '"total_discount": "17800.00"'
has json "$out" '"points": "140.20"'
has json "$out" '"program": "CODE",
      "reward_type": "discount",
      "discount": "5000.00"'
has json "$out" '"free_items_to_add": [
    {
      "product": "SKU-C",
      "qty": 1'

# --at moves past P10's last day; --multiplier scales the points
out=$("$aba" --db "$nodb" simulate --programs "$tmp/programs.json" --at 2027-01-01 \
	--level GOLD --multiplier 2 --json "$tmp/cart.json" 2>&1)
has at "$out" '"reason": "expired"'
has at "$out" '"points": "100.00"'

# errors: the file, the field and the reason
out=$("$aba" --db "$nodb" simulate --programs "$tmp/bad.json" "$tmp/cart.json" 2>&1)
exits "bad programs exit" 1 $?
has bad_programs "$out" "aba: program 'P': rules[0].minimum_amount: expected a decimal with at most 2 places, got '1.234'"
out=$("$aba" --db "$nodb" simulate --programs "$tmp/programs.json" "$tmp/bad_cart.json" 2>&1)
exits "bad cart exit" 1 $?
has bad_cart "$out" "lines[0].qty: must be between 1 and 1000000, got 0"
out=$("$aba" --db "$nodb" simulate --programs "$tmp/programs.json" "$tmp/nope.json" 2>&1)
has missing_file "$out" "cart '$tmp/nope.json'"
out=$("$aba" --db "$nodb" simulate 2>&1)
exits "no cart: exit 2" 2 $?
has usage "$out" "usage: aba simulate"

# The database's programs: import, list, show, then simulate without --programs.
out=$("$aba" --db "$db" program import "$tmp/programs.json" 2>&1)
has import "$out" "imported 4 programs"
out=$("$aba" --db "$db" program import "$tmp/bad.json" 2>&1)
exits "bad import exit" 1 $?
has bad_import "$out" "rules[0].minimum_amount"
out=$("$aba" --db "$db" program list 2>&1)
has list "$out" "B2G1"
has list "$out" "10% over 100k"
out=$("$aba" --db "$db" program show P10 2>&1)
has show "$out" '"minimum_amount": "100000.00"'
out=$("$aba" --db "$db" program show NOPE 2>&1)
has show_missing "$out" "program 'NOPE' not found"
out=$("$aba" --db "$db" simulate --code PROMO10 --json "$tmp/cart.json" 2>&1)
has db_simulate "$out" '"total_discount": "17800.00"'
# ... and the level's earn multiplier from membership: (90.20 + 50) x 1.5
psql -X -q -h "$ABA_TEST_HOME/run" -d t_simulate -v ON_ERROR_STOP=1 -c \
	"INSERT INTO aba.levels (code, name, sequence, earn_multiplier) VALUES ('GOLD', 'Gold', 20, 15000)"
out=$("$aba" --db "$db" simulate --code PROMO10 --level GOLD --json "$tmp/cart.json" 2>&1)
has db_multiplier "$out" '"points": "210.30"'
out=$("$aba" --db "$db" simulate --code PROMO10 --level GOLD --multiplier 1 --json "$tmp/cart.json" 2>&1)
has explicit_multiplier "$out" '"points": "140.20"'

echo "simulate: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
