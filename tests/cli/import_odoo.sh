#!/bin/bash
# import_odoo.sh ABA - aba import odoo from the command line: --dry-run
# writes nothing, import and re-import, --check's table and exit status,
# a malformed file among good ones.  Runs on its own database.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_cli_odoo"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
psql_admin() { psql -X -q -h "$ABA_TEST_HOME/run" -d postgres -v ON_ERROR_STOP=1 "$@"; }
sql() { psql -X -q -A -t -h "$ABA_TEST_HOME/run" -d t_cli_odoo -v ON_ERROR_STOP=1 -c "$1"; }
psql_admin -c "DROP DATABASE IF EXISTS t_cli_odoo WITH (FORCE)" -c "CREATE DATABASE t_cli_odoo"
"$aba" --db "$db" db migrate >/dev/null || exit 1

cat > "$dir/cards.json" <<'JSON'
[{"id": 1, "code": "K-1", "points": 10.005, "partner_id": [5, "Dewi Lestari"], "program_id": false},
 {"id": 2, "code": "K-2", "points": 3, "partner_id": false}]
JSON
cat > "$dir/history.json" <<'JSON'
[{"id": 9, "card_id": [1, "K-1"], "issued": 10, "used": 0, "create_date": "2024-05-01 12:00:00"}]
JSON
cat > "$dir/bad.json" <<'JSON'
[{"id": 3, "code": "K-3", "points": 1}, {"id": 4, "code": "K-4", "points": "lots"}]
JSON

passed=0 failed=0
check() {	# check NAME CONDITION-RESULT(0/1) DETAIL
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: $3"; fi
}

out=$("$aba" --db "$db" import odoo --dry-run "$dir/history.json" "$dir/cards.json" 2>&1); rc=$?
check "dry run exit" $rc "$out"
[[ $out == *"dry run: nothing was written"* && $out == *"K-1"*"0.01"* ]]; check "dry run output" $? "$out"
[ "$(sql 'SELECT count(*) FROM aba.cards')" = 0 ]; check "dry run wrote nothing" $? "$(sql 'SELECT count(*) FROM aba.cards')"

out=$("$aba" --db "$db" import odoo "$dir/history.json" "$dir/bad.json" "$dir/cards.json" 2>&1); rc=$?
[ $rc -eq 1 ]; check "a bad file fails the command" $? "exit $rc: $out"
[[ $out == *"bad.json: record 2 (id 4): points: 'lots' is not a number (nothing imported from this file)"* ]]
check "bad file error" $? "$out"
[ "$(sql "SELECT string_agg(code || '=' || balance, ',' ORDER BY code) FROM aba.cards")" = "K-1=1001,K-2=300" ]
check "good files imported, bad one not" $? "$(sql "SELECT string_agg(code || '=' || balance, ',' ORDER BY code) FROM aba.cards")"

out=$("$aba" --db "$db" import odoo "$dir/cards.json" "$dir/history.json" 2>&1); rc=$?
[[ $rc -eq 0 && $out == *"settled 0 cards"* ]]; check "re-import posts nothing" $? "exit $rc: $out"

out=$("$aba" --db "$db" import odoo --check "$dir/cards.json" "$dir/history.json" 2>&1); rc=$?
[[ $rc -eq 0 && $out == *"2 cards checked, 2 consistent, 0 discrepancies: consistency 100.00%"* ]]
check "check consistent" $? "exit $rc: $out"

"$aba" --db "$db" points redeem K-2 1 --key live-1 >/dev/null
out=$("$aba" --db "$db" import odoo --check "$dir/cards.json" "$dir/history.json" 2>&1); rc=$?
[[ $rc -eq 1 && $out == *"K-2"*"balance differs"*"3.00"*"2.00"* && $out == *"consistency 50.00%"* ]]
check "check finds the difference" $? "exit $rc: $out"

out=$("$aba" --db "$db" import odoo --model loyalty.nope "$dir/cards.json" 2>&1); rc=$?
[[ $rc -eq 2 && $out == *"unknown model 'loyalty.nope'"* ]]; check "unknown model" $? "exit $rc: $out"
out=$("$aba" --db "$db" import odoo "$dir/none.json" 2>&1); rc=$?
[[ $rc -eq 1 && $out == *"cannot open"* ]]; check "missing file" $? "exit $rc: $out"

echo "import odoo: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
