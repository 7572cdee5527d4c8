#!/bin/bash
# hostile_input.sh ABA - hostile command lines and files against every
# command beyond the ledger's own (bad_input.sh has those): SQL in notes,
# codes and refs, 10 MB fields (in files: argv cannot carry them), NUL
# bytes in JSON, invalid UTF-8, negative and overflowing numbers, dates
# like 2026-02-30.  Each must exit with its documented code and a one-line
# "aba..." error that names the problem, no crash (no signal), and not one
# row may change in any table of the aba schema.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_hostile"
psql_admin() { psql -X -q -h "$ABA_TEST_HOME/run" -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql -X -q -A -t -h "$ABA_TEST_HOME/run" -d t_hostile -v ON_ERROR_STOP=1 "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

psql_admin -c "DROP DATABASE IF EXISTS t_hostile WITH (FORCE)" -c "CREATE DATABASE t_hostile"
"$aba" --db "$db" db migrate >/dev/null || exit 1
"$aba" --db "$db" card create H1 --name "Siti Rahayu" >/dev/null || exit 1
"$aba" --db "$db" points earn H1 100 --key seed-1 >/dev/null || exit 1
printf '%s\n' '{"ref": "H-ORDER-1", "card": "H1", "at": "2026-01-15T10:00:00Z",
	"lines": [{"product": "SKU-1", "qty": 2, "unit_price": "15000.00"}]}' |
	"$aba" --db "$db" order post - >/dev/null || exit 1

# Every row of every table in schema aba, counted: the fingerprint that
# must not move.
fingerprint() {
	psql_db -c "SELECT string_agg(c.relname || '=' || (xpath('/row/n/text()', query_to_xml(
		format('SELECT count(*) AS n FROM aba.%I', c.relname), false, true, '')))[1]::text, ' '
		ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'aba' AND c.relkind IN ('r', 'p')"
}

passed=0 failed=0
# expect EXIT "STDERR SUBSTRING" ARGS... (stdin from $stdin when set)
expect() {
	local want=$1 msg=$2 out rc
	shift 2
	out=$("$aba" --db "$db" "$@" 2>&1 >/dev/null <"${stdin:-/dev/null}")
	rc=$?
	if [ "$rc" -eq "$want" ] && [[ $out == *"$msg"* ]] && [[ $out == aba* ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: aba %.200s\n  want exit %s and "%s"\n  got exit %s: %.300s\n' "$*" "$want" \
			"$msg" "$rc" "$out"
	fi
}

sql="x'); DROP TABLE aba.cards; --"
big=$(head -c 100000 /dev/zero | tr '\0' x)		# 100 KB: near argv's per-argument limit
head -c 10485760 /dev/zero | tr '\0' x >"$tmp/10mb"	# 10 MB
order() { printf '{"ref": "%s", "card": "%s", "at": "%s", "lines": [{"product": "SKU-1", "qty": %s, "unit_price": "%s"}]}' "$@"; }
before=$(fingerprint)

# --- adjustments and approvals
expect 1 "card 'NOPE' not found"            adjust request NOPE 10 --reason GOODWILL
expect 1 "card '$sql' not found"            adjust request "$sql" 10 --reason GOODWILL
expect 1 "reason code"                      adjust request H1 10 --reason "$sql"
expect 1 "at most 1000"                     adjust request H1 10 --reason GOODWILL --note "$big"
expect 1 "not valid UTF-8"                  adjust request H1 10 --reason GOODWILL --note $'caf\xc3'
expect 1 "control character"                adjust request H1 10 --reason GOODWILL --note $'a\x1b[2Jb'
expect 1 "too large"                        adjust request H1 12345678901234567890 --reason GOODWILL
expect 1 "at most 2 places"                 adjust request H1 1.005 --reason GOODWILL
expect 1 "not a decimal"                    adjust request H1 1e3 --reason GOODWILL
expect 1 "has 100.00 points available"      adjust request --reason GOODWILL -- H1 -100.01
expect 1 "points must not be zero"          adjust request H1 0 --reason GOODWILL
expect 2 "--reason is required"             adjust request H1 10
expect 2 "request id '1; DELETE FROM aba.cards' is not a positive number" adjust approve "1; DELETE FROM aba.cards"
expect 2 "request id '-1' is not a positive number" adjust approve -- -1
expect 2 "is not a positive number"         adjust approve 99999999999999999999999
expect 1 "approval request 424242 not found" adjust approve 424242
expect 2 "--note is required"               adjust reject 424242
expect 1 "not valid UTF-8"                  adjust reject 424242 --note $'\xff'
expect 1 "is not one of pending"            adjust list --state "$sql"
expect 2 "--limit"                          adjust list --limit -5
expect 1 "not a valid date"                 member override H1 GOLD --until 2026-02-30 --reason VIP
expect 1 "level"                            member override H1 "$sql" --until 2027-01-01 --reason VIP
expect 1 "card 'NOPE' not found"            member override NOPE GOLD --until 2027-01-01 --reason VIP
expect 1 "is not a decimal"                 approvals set auto_approve_below 1e99
expect 1 "setting"                          approvals set "$sql" 5
expect 1 "must be 2 to 32 capital letters"  reason set "$sql" --label x
expect 2 "is too long"                      reason set NEWR --label "$big"
expect 1 "role 'superuser' is not one of"   staff add bob superuser
expect 1 "staff name"                       staff add "bob; DROP ROLE postgres" clerk

# --- membership levels and members
expect 1 "not a valid date"                 member show H1 --at 2026-02-30
expect 1 "card '$sql' not found"            member show "$sql"
expect 1 "not a valid date"                 member evaluate --as-of 2026-13-01
expect 2 "--sequence"                       level set GOLD --name Gold --sequence 99999999999
expect 2 "--sequence"                       level set GOLD --name Gold --sequence -1
expect 1 "multiplier"                       level set GOLD --name Gold --sequence 2 --multiplier -1
expect 1 "level code"                       level set "$sql" --name X --sequence 3
expect 1 "at most"                          level set GOLD --name "$big" --sequence 3

# --- orders
order "$sql" H1 2026-01-15 1 10.00 >"$tmp/sql_ref.json"
order R1 "$sql" 2026-01-15 1 10.00 >"$tmp/sql_card.json"
order R2 H1 2026-02-30 1 10.00 >"$tmp/bad_date.json"
order R3 H1 2026-01-15 -1 10.00 >"$tmp/neg_qty.json"
order R4 H1 2026-01-15 1 -10.00 >"$tmp/neg_price.json"
order R5 H1 2026-01-15 1 99999999999999999999.00 >"$tmp/big_price.json"
order R6 H1 2026-01-15 99999999999999999999 1.00 >"$tmp/big_qty.json"
order "$(cat "$tmp/10mb")" H1 2026-01-15 1 1.00 >"$tmp/10mb_ref.json"
printf '{"ref": "R7", "card": "H1", "at": "2026-01-15", "pos": "%s", "lines": []}' "$(cat "$tmp/10mb")" >"$tmp/10mb_pos.json"
printf '{"ref": "R8\\u0000x", "card": "H1", "at": "2026-01-15", "lines": []}' >"$tmp/nul_escape.json"
printf '{"ref": "R9\0", "card": "H1", "at": "2026-01-15", "lines": []}' >"$tmp/nul_raw.json"
printf '{"ref": "R10\xc3\x28", "card": "H1", "at": "2026-01-15", "lines": []}' >"$tmp/bad_utf8.json"
printf '{"ref": "R11", "card": "H1", "at": "2026-01-15", "lines": [' >"$tmp/truncated.json"
order H-ORDER-1 H1 2026-01-15 3 15000.00 >"$tmp/replay_other.json"
expect 1 "card '$sql' not found"            order post "$tmp/sql_card.json"
expect 1 "not a valid date"                 order post "$tmp/bad_date.json"
expect 1 "qty"                              order post "$tmp/neg_qty.json"
expect 1 "unit_price"                       order post "$tmp/neg_price.json"
expect 1 "unit_price"                       order post "$tmp/big_price.json"
expect 1 "too big integer"                  order post "$tmp/big_qty.json"
expect 1 "ref"                              order post "$tmp/10mb_ref.json"
expect 1 "pos"                              order post "$tmp/10mb_pos.json"
expect 1 "NUL"                              order post "$tmp/nul_escape.json"
expect 1 "orders: line 1"                   order post "$tmp/nul_raw.json"
expect 1 "unable to decode byte 0xc3"       order post "$tmp/bad_utf8.json"
expect 1 "orders: line 1"                   order post "$tmp/truncated.json"
expect 1 "already used for a different order" order post "$tmp/replay_other.json"
expect 1 "cannot open"                      order post "$tmp/missing.json"
expect 1 "order '$sql' not found"           order refund "$sql" --key k1
expect 1 "at most 2 places"                 order refund H-ORDER-1 --amount 0.001 --key k1
expect 2 "greater than zero"                order refund H-ORDER-1 --amount -5 --key k1
expect 1 "has only"                         order refund H-ORDER-1 --amount 99999999999 --key k1
expect 2 "--lines"                          order refund H-ORDER-1 --lines "SKU-1:-1" --key k1
expect 1 "not a valid date"                 order refund H-ORDER-1 --key k1 --at 2026-02-30
expect 1 "at most 200"                      order refund H-ORDER-1 --key "$big"
expect 1 "order '$sql' not found"           order show "$sql"

# --- simulate and programs (files)
printf '[{"id": "P1", "name": "%s", "program_type": "promotion", "rules": [], "rewards": []}]' "$(cat "$tmp/10mb")" >"$tmp/10mb_program.json"
printf '[{"id": "P1\\u0000", "name": "x", "program_type": "promotion"}]' >"$tmp/nul_program.json"
printf '[{"id": "P1", "name": "x", "program_type": "promotion", "date_from": "2026-02-30"}]' >"$tmp/date_program.json"
printf '[{"id": "P1", "name": "x", "program_type": "promotion", "sequence": 99999999999999999999}]' >"$tmp/seq_program.json"
printf '{"lines": [{"product": "SKU-1", "qty": 1, "unit_price": "-5.00"}]}' >"$tmp/neg_cart.json"
printf '{"lines": [{"product": "SKU-1", "qty": 1, "unit_price": "5.00"}]}' >"$tmp/cart.json"
expect 1 "name"                             program import "$tmp/10mb_program.json"
expect 1 "NUL"                              program import "$tmp/nul_program.json"
expect 1 "not a valid date"                 program import "$tmp/date_program.json"
expect 1 "too big integer"                  program import "$tmp/seq_program.json"
expect 1 "program '$sql' not found"         program show "$sql"
expect 1 "unit_price: must not be negative" simulate "$tmp/neg_cart.json"
expect 1 "--multiplier: must not be negative" simulate --multiplier -2 "$tmp/cart.json"
expect 1 "not a valid date"                 simulate --at 2026-02-30 "$tmp/cart.json"

# --- reports and audit
expect 2 "no report"                        report "$sql"
expect 1 "not a valid date"                 report liability --as-of 2026-02-30
expect 2 "--top"                            report expiring --top -1
expect 2 "--format"                         report activity --format "$sql"
expect 1 "not a valid date"                 audit log --since 2026-02-30
expect 2 "--limit"                          audit log --limit 1e9
expect 1 "is not 64 lowercase hex digits"   audit verify --head "$sql"
expect 1 "cannot read"                      audit verify --file "$tmp/missing.jsonl"
# a file that is not an export is a broken chain (exit 1), reported on stdout
printf '{"id": 1, "at": "x\0y"}\n' >"$tmp/nul.jsonl"
out=$("$aba" audit verify --file "$tmp/nul.jsonl" 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$out" = "audit chain broken at row 1: line 1 is not a JSON object" ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL: audit verify --file with a NUL byte: exit $rc: $out"
fi
expect 1 "cannot write"                     audit export "$tmp/no/such/dir/out.jsonl"

# --- Odoo import
printf '[{"id": 1, "name": "%s"}]' "$(cat "$tmp/10mb")" >"$tmp/10mb_partner.json"
printf '[{"id": 1, "name": "a\\u0000b"}]' >"$tmp/nul_partner.json"
printf '[{"id": 1, "code": "C1", "partner_id": [1, "x"], "points": 1e300}]' >"$tmp/huge_card.json"
printf '[{"id": 1, "code": "%s", "partner_id": [1, "x"], "points": 1.0}]' "$sql" >"$tmp/sql_card_odoo.json"
printf '[{"id": 1, "card_id": [1, "C1"], "issued": -5.0, "used": 0, "create_date": "2026-02-30 10:00:00"}]' >"$tmp/bad_history.json"
expect 1 "name"                             import odoo --model res.partner "$tmp/10mb_partner.json"
expect 1 "NUL"                              import odoo --model res.partner "$tmp/nul_partner.json"
expect 1 "points"                           import odoo --model loyalty.card "$tmp/huge_card.json"
expect 1 "code"                             import odoo --model loyalty.card "$tmp/sql_card_odoo.json"
expect 1 "create_date"                      import odoo --model loyalty.history "$tmp/bad_history.json"
expect 1 "cannot read '$tmp'"               import odoo "$tmp"
expect 2 "--model"                          import odoo --model "$sql" "$tmp/sql_card_odoo.json"

after=$(fingerprint)
if [ "$before" = "$after" ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL: something was written:"
	diff <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after")
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
