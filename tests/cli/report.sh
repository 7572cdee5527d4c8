#!/bin/bash
# report.sh ABA - `aba report` from the command line: every report runs,
# the three formats carry the same figures (grouped for people, exact in
# CSV and JSON), --output writes a file and leaves nothing behind when it
# cannot, and each kind of mistake gets its exit code: 0 success, 1 an
# error or a failed check, 2 a usage error, 3 no database.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_report_cli"
nodb="host=/nonexistent/aba dbname=none connect_timeout=1"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
psql_() { psql -X -q -At -h "$ABA_TEST_HOME/run" -v ON_ERROR_STOP=1 "$@"; }
psql_ -d postgres -c "DROP DATABASE IF EXISTS t_report_cli WITH (FORCE)" \
	-c "CREATE DATABASE t_report_cli" || exit 1
a() { "$aba" --db "$db" "$@"; }
a db migrate >/dev/null || exit 1

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
# exits NAME WANT GOT: the command's exit code
exits() { if [ "$2" -eq "$3" ]; then ok; else fail "$1: exit $3, wanted $2"; fi; }
# has NAME OUTPUT TEXT: OUTPUT contains TEXT
has() { if [[ $2 == *"$3"* ]]; then ok; else fail "$1: no '$3' in:"; printf '%s\n' "$2"; fi; }
hasnt() { if [[ $2 != *"$3"* ]]; then ok; else fail "$1: '$3' in:"; printf '%s\n' "$2"; fi; }

# Two cards: 1,234.50 points on A1 (expiring in 20 days), 20.00 on A2
# (never), 4.50 of A1's spent; all on 2026-01-10 and -11.
a card create A1 --name "Sari, \"Ibu\"" >/dev/null &&
	a points earn A1 1234.50 --key k1 --at 2026-01-10T08:00:00Z --validity 400 >/dev/null &&
	a points earn A2 20 --key k2 --at 2026-01-10T09:00:00Z 2>/dev/null
# A2 does not exist yet: a card must be created first
exits "earn on a missing card" 1 $?
a card create A2 --name Budi >/dev/null &&
	a points earn A2 20 --key k2 --at 2026-01-10T09:00:00Z >/dev/null &&
	a points redeem A1 4.50 --key k3 --at 2026-01-11T10:00:00Z >/dev/null || exit 1

# list: every report, with its options
out=$(a report list 2>&1)
exits "report list" 0 $?
for r in liability expiring activity adjustments approvals membership promotions consistency; do
	has "report list" "$out" "$r "
done
has "report list options" "$out" "options: --as-of --level --top --format"

# table: grouped, two decimals, a total row under a rule
out=$(a report liability --as-of 2026-02-01 2>&1)
exits "liability table" 0 $?
has "liability table" "$out" "liability as of 2026-02-01T00:00:00Z"
has "liability table" "$out" "2027-02              1,230.00"
has "liability table" "$out" "total                1,250.00"

# csv: RFC 4180 (CRLF, quoted commas), exact numbers, same figures
out=$(a report liability --as-of 2026-02-01 --format csv 2>&1)
exits "liability csv" 0 $?
has "liability csv" "$out" $'expiry_month,level,points\r\n'
has "liability csv" "$out" $'2027-02,,1230.00\r\n'
has "liability csv" "$out" $'never,,20.00\r\n'
has "liability csv" "$out" $'total,,1250.00\r'
out=$(a report expiring --format csv 2>&1)
has "expiring csv quoting" "$out" $'A1,"Sari, ""Ibu""",,'

# json: valid, exact decimal strings, counts as numbers, totals apart
a report activity --from 2026-01-10 --to 2026-01-11 --format json >"$tmp/a.json" 2>&1
exits "activity json" 0 $?
out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["report"], len(d["rows"]), d["rows"][0]["earned"], d["rows"][1]["redeemed"],
      d["totals"][0]["net"], type(d["totals"][0]["orders"]).__name__)' "$tmp/a.json" 2>&1)
has "activity json" "$out" "activity 2 1254.50 4.50 1250.00 int"

# --output: the file holds what stdout would have, stdout stays empty
out=$(a report liability --as-of 2026-02-01 --format csv --output "$tmp/l.csv" 2>&1)
exits "--output" 0 $?
[ -z "$out" ] && ok || fail "--output printed: $out"
a report liability --as-of 2026-02-01 --format csv >"$tmp/l2.csv"
cmp -s "$tmp/l.csv" "$tmp/l2.csv" && ok || fail "--output differs from stdout"
# ... and where it cannot write: exit 1, the old file untouched, no temporary left
mkdir "$tmp/ro" && echo old >"$tmp/ro/r.csv" && chmod a-w "$tmp/ro"
out=$(a report liability --format csv --output "$tmp/ro/r.csv" 2>&1)
if [ "$(id -u)" -ne 0 ]; then
	exits "--output unwritable" 1 $?
	has "--output unwritable" "$out" "cannot write '$tmp/ro/r.csv'"
	[ "$(cat "$tmp/ro/r.csv")" = old ] && ok || fail "unwritable file changed"
fi
out=$(a report liability --format csv --output "$tmp/missing/r.csv" 2>&1)
exits "--output into a missing directory" 1 $?
[ -z "$(ls -A "$tmp/ro" | grep -v '^r.csv$')" ] && ok || fail "temporary file left behind"

# every report runs, in every format
for r in liability expiring activity adjustments approvals membership promotions consistency; do
	for f in table csv json; do
		a report "$r" --format "$f" >/dev/null 2>"$tmp/err"
		exits "report $r --format $f" 0 $?
	done
done

# usage errors: exit 2, with the usage line
out=$(a report liability --bogus 2>&1)
exits "unknown option" 2 $?
has "unknown option" "$out" "usage: aba report NAME"
out=$(a report liability --format xml 2>&1)
exits "--format xml" 2 $?
has "--format xml" "$out" "format 'xml' is not one of table, csv, json"
out=$(a report nosuch 2>&1)
exits "unknown report" 2 $?
has "unknown report" "$out" "no report 'nosuch' (see 'aba report list')"
out=$(a report approvals --from 2026-01-01 2>&1)
exits "option the report does not take" 2 $?
has "option the report does not take" "$out" "report 'approvals' takes no --from"
out=$(a report expiring --top 0 2>&1)
exits "--top 0" 2 $?
out=$(a report 2>&1)
exits "no report named" 2 $?
out=$(a report list extra 2>&1)
exits "report list extra" 2 $?

# input errors: exit 1
out=$(a report expiring --as-of 2025-06-01 2>&1)
exits "expiring in the past" 1 $?
has "expiring in the past" "$out" "expiring is a forecast from what lots hold now"
out=$(a report activity --from 2026-02-01 --to 2026-01-01 2>&1)
exits "--from after --to" 1 $?
has "--from after --to" "$out" "--from 2026-02-01T00:00:00Z is after --to 2026-01-01T00:00:00Z"
out=$(a report liability --as-of 2026-02-30 2>&1)
exits "impossible date" 1 $?

# no database: exit 3 (also through --report-db)
out=$("$aba" --db "$nodb" report liability 2>&1)
exits "no database" 3 $?
out=$(a report liability --report-db "$nodb" 2>&1)
exits "--report-db unreachable" 3 $?
out=$("$aba" --db "$nodb" report liability --report-db "$db" --as-of 2026-02-01 2>&1)
exits "--report-db instead of --db" 0 $?
has "--report-db instead of --db" "$out" "1,250.00"

# consistency: a failed check is exit 1, naming the card
out=$(a report consistency 2>&1)
exits "consistency clean" 0 $?
has "consistency clean" "$out" "(no rows)"
psql_ -d t_report_cli -c "UPDATE aba.cards SET balance = balance + 1 WHERE code = 'A2'"
out=$(a report consistency --format csv 2>&1)
exits "consistency broken" 1 $?
has "consistency broken" "$out" "A2,balance_vs_lots"
has "consistency broken" "$out" "ledger problems found"
hasnt "consistency broken" "$out" "A1,"
# the title says what the report stands on: every card, then the last full check
has "consistency without a pass" "$(a report consistency 2>&1)" "no full pass recorded"
a verify >/dev/null 2>&1
exits "verify finds A2" 1 $?
out=$(a report consistency 2>&1)
exits "consistency from the pass" 1 $?
has "consistency from the pass" "$out" "(aba verify), 0 cards changed since checked now"
has "consistency from the pass" "$out" "A2"

echo "report CLI: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
