#!/bin/bash
# bad_input.sh ABA - hostile and mistaken command lines against the ledger
# CLI: each gets a clear one-line error and the documented exit code, and
# nothing is written.  Runs on its own database of the ctest cluster.
set -u
aba=$1
db="host=$ABA_TEST_HOME/run dbname=t_cli"
psql_admin() { psql -X -q -h "$ABA_TEST_HOME/run" -d postgres -v ON_ERROR_STOP=1 "$@"; }
psql_cli() { psql -X -q -A -t -h "$ABA_TEST_HOME/run" -d t_cli -v ON_ERROR_STOP=1 "$@"; }

psql_admin -c "DROP DATABASE IF EXISTS t_cli WITH (FORCE)" -c "CREATE DATABASE t_cli"
"$aba" --db "$db" db migrate >/dev/null || exit 1
"$aba" --db "$db" card create CLI1 --name "Agus Pratama" >/dev/null || exit 1
"$aba" --db "$db" points earn CLI1 10 --key seed-1 >/dev/null || exit 1

passed=0 failed=0
# expect EXIT "STDERR SUBSTRING" ARGS...
expect() {
	local want=$1 msg=$2 out rc
	shift 2
	out=$("$aba" --db "$db" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [[ $out == *"$msg"* ]] && [ "$(printf '%s\n' "$out" | grep -c '^aba')" -ge 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: aba %s\n  want exit %s and "%s"\n  got exit %s: %s\n' "$*" "$want" "$msg" "$rc" "$out"
	fi
}

before=$(psql_cli -c "SELECT count(*) FROM aba.postings")
big=$(head -c 100000 /dev/zero | tr '\0' x)

expect 1 "card 'NOPE' not found"              points earn NOPE 10 --key k1
expect 2 "points must be greater than zero"   points earn CLI1 0 --key k1
expect 2 "unknown option '-5'"                 points earn CLI1 -5 --key k1
expect 2 "points must be greater than zero"   points earn CLI1 0.00 --key k1
expect 1 "at most 2 places"                   points earn CLI1 1.234 --key k1
expect 1 "too large"                          points earn CLI1 12345678901234567890 --key k1
expect 1 "not a decimal"                      points earn CLI1 1e3 --key k1
expect 1 "not a decimal"                      points earn CLI1 "" --key k1
expect 2 "--key is required"                  points earn CLI1 10
expect 1 "not valid UTF-8"                    points earn CLI1 10 --key $'\xff\xfe'
expect 1 "not valid UTF-8"                    points earn CLI1 10 --key k1 --origin $'caf\xc3'
expect 1 "control character"                  points earn CLI1 10 --key $'k\x01'
expect 1 "at most 100 allowed"                points earn CLI1 10 --key k1 --origin "$big"
expect 1 "at most 200 allowed"                points earn CLI1 10 --key "$big"
expect 1 "not a valid date"                   points earn CLI1 10 --key k1 --at 2026-02-30
expect 1 "not a time like"                    points earn CLI1 10 --key k1 --at yesterday
expect 2 "--validity takes a number"          points earn CLI1 10 --key k1 --validity 0
expect 2 "--validity takes a number"          points earn CLI1 10 --key k1 --validity 1x
expect 1 "already used for a different earn"  points earn CLI1 11 --key seed-1
expect 1 "already used for a different earn"  points redeem CLI1 10 --key seed-1
expect 1 "has 10.00 points available, 10.01"  points redeem CLI1 10.01 --key r1
expect 1 "must be 1 to 64 letters"            card create "x'; DROP TABLE aba.cards;--" --name X
expect 1 "not valid UTF-8"                    card create $'\xc0\xaf' --name X
expect 1 "card 'CLI1' already exists"         card create CLI1 --name X
expect 2 "--name is required"                 card create CLI2
expect 1 "is not a phone number"              card create CLI2 --name X --phone "'; --"
expect 2 "missing argument"                   card show
expect 2 "unexpected argument 'extra'"        card show CLI1 extra
expect 1 "card 'NOPE' not found"              card show NOPE
expect 1 "card 'NOPE' not found"              verify NOPE
expect 1 "is in the future"                   points expire --as-of 2999-01-01
expect 2 "unknown option '--bogus'"           points earn CLI1 10 --key k1 --bogus
expect 2 "no command 'frobnicate'"            frobnicate
out=$("$aba" --db "host=/nonexistent dbname=x" card list 2>&1); rc=$?
if [ $rc -eq 3 ] && [[ $out == "aba: cannot connect to the database"* ]]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL: database down: exit $rc: $out"
fi

after=$(psql_cli -c "SELECT count(*) FROM aba.postings")
if [ "$before" = "$after" ] && [ "$(psql_cli -c "SELECT balance FROM aba.cards WHERE code = 'CLI1'")" = 1000 ] &&
	[ "$(psql_cli -c "SELECT count(*) FROM aba.cards")" = 1 ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL: something was written: postings $before -> $after"
fi

# A replay says so and changes nothing.
out=$("$aba" --db "$db" points earn CLI1 10 --key seed-1)
if [[ $out == "already posted:"* ]] && [ "$(psql_cli -c "SELECT balance FROM aba.cards WHERE code = 'CLI1'")" = 1000 ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); echo "FAIL: replay: $out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
