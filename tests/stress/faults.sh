#!/bin/bash
# faults.sh ABA - a read-only database and a full disk: every posting gets a
# plain error (exit 3) and nothing is half-written; once the fault is gone
# the same keys post normally.  The disk-full half mounts a 40 MB tmpfs as
# a tablespace, so it needs root; without, it says so and checks the rest.
set -u
aba=$1
sock=$ABA_TEST_HOME/run
psql_() { psql -X -q -A -t -h "$sock" -v ON_ERROR_STOP=1 "$@"; }
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect DB EXIT "STDERR SUBSTRING" ARGS...
expect() {
	local db=$1 want=$2 msg=$3 out rc
	shift 3
	out=$("$aba" --db "host=$sock dbname=$db" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [[ $out == "aba: "*"$msg"* ]]; then ok; else
		bad "aba $*: want exit $want and '$msg', got exit $rc: $out"; fi
}

# counts DB: every table a posting writes, in one line
counts() {
	psql_ -d "$1" -c "SELECT (SELECT count(*) FROM aba.postings) || ' ' ||
		(SELECT count(*) FROM aba.point_history) || ' ' || (SELECT count(*) FROM aba.point_moves)
		|| ' ' || (SELECT count(*) FROM aba.lot_movements) || ' ' || (SELECT count(*) FROM aba.orders)
		|| ' ' || (SELECT count(*) FROM aba.outbox) || ' ' || (SELECT sum(balance) FROM aba.cards)"
}

order='{"ref": "F-ORDER-1", "card": "F1", "at": "2026-01-15T10:00:00Z",
	"lines": [{"product": "SKU-1", "qty": 2, "unit_price": "15000.00"}]}'

# A fresh database DB (in tablespace TS, or the default) with card F1.
fresh() {
	psql_ -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
		-c "CREATE DATABASE $1 ${2:+TABLESPACE $2}" || exit 1
	"$aba" --db "host=$sock dbname=$1" db migrate >/dev/null || exit 1
	"$aba" --db "host=$sock dbname=$1" card create F1 --name "Dewi Lestari" >/dev/null || exit 1
	# a lot past its expiry, so that `points expire` has something to write
	"$aba" --db "host=$sock dbname=$1" points earn F1 5 --key seed --at 2025-01-01 --validity 1 \
		>/dev/null || exit 1
}

# Postings of every kind against a database in trouble; then the fault
# is cleared by FIX and the same commands succeed.
postings_fail_cleanly() {
	local db=$1 msg=$2 fix=$3 before
	before=$(counts "$db")
	expect "$db" 3 "$msg" points earn F1 10 --key f-earn-1
	expect "$db" 3 "$msg" points redeem F1 1 --key f-redeem-1
	expect "$db" 1 "$msg" order post - <<<"$order"	# 1: an order of the batch failed
	expect "$db" 3 "$msg" points expire
	[ "$(counts "$db")" = "$before" ] && ok || bad "$db: something was written: $before -> $(counts "$db")"
	eval "$fix"
	"$aba" --db "host=$sock dbname=$db" points earn F1 10 --key f-earn-1 | grep -q '^posted:' && ok ||
		bad "$db: earn after the fault was cleared"
	"$aba" --db "host=$sock dbname=$db" order post - <<<"$order" >/dev/null && ok ||
		bad "$db: order after the fault was cleared"
	"$aba" --db "host=$sock dbname=$db" verify >/dev/null && ok || bad "$db: aba verify"
}

# 1. Read-only: as a hot standby or a database set read-only would be.
fresh t_readonly
psql_ -d postgres -c "ALTER DATABASE t_readonly SET default_transaction_read_only = on"
postings_fail_cleanly t_readonly "the database is read-only: nothing was written" \
	'psql_ -d postgres -c "ALTER DATABASE t_readonly RESET default_transaction_read_only"'
# reading still works while read-only
psql_ -d postgres -c "ALTER DATABASE t_readonly SET default_transaction_read_only = on"
"$aba" --db "host=$sock dbname=t_readonly" card show F1 >/dev/null && ok || bad "card show on a read-only database"
# and so does a full check, which a read-only server cannot keep for the report
"$aba" --db "host=$sock dbname=t_readonly" verify >/dev/null && ok || bad "aba verify on a read-only database"
psql_ -d postgres -c "DROP DATABASE t_readonly WITH (FORCE)"

# 2. Disk full: the database lives in a tablespace on a small tmpfs that a
# filler file then fills to the last byte.
mnt=$ABA_TEST_HOME/tiny
owner=$(stat -c %U "$ABA_TEST_HOME/pgdata")
if [ "$(id -u)" -ne 0 ] || ! { mkdir -p "$mnt" && mount -t tmpfs -o size=40m tmpfs "$mnt"; }; then
	echo "disk full: skipped (mounting a tmpfs needs root)"
else
	chown "$owner" "$mnt"
	psql_ -d postgres -c "DROP DATABASE IF EXISTS t_diskfull WITH (FORCE)" \
		-c "DROP TABLESPACE IF EXISTS tiny" -c "CREATE TABLESPACE tiny LOCATION '$mnt'"
	fresh t_diskfull tiny
	dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
	# Earns fill what room the tables' last pages had; the first one that
	# needs a new page must fail whole, saying why.
	db="host=$sock dbname=t_diskfull" msg="the database server's disk is full: nothing was written"
	for i in $(seq 1 2000); do
		before=$(counts t_diskfull)
		out=$("$aba" --db "$db" points earn F1 1 --key "full-$i" 2>&1 >/dev/null) || break
	done
	[[ $out == "aba: $msg" ]] && ok || bad "disk full: earn $i said: $out"
	[ "$(counts t_diskfull)" = "$before" ] && ok || bad "disk full: earn $i wrote something"
	# the orders table has no page yet: an order cannot be written at all
	expect t_diskfull 1 "$msg" order post - <<<"$order"
	[ "$(counts t_diskfull)" = "$before" ] && ok || bad "disk full: the order wrote something"
	rm -f "$mnt/filler"
	"$aba" --db "$db" points earn F1 1 --key "full-$i" | grep -q '^posted:' && ok ||
		bad "disk full: earn $i after room was made"
	"$aba" --db "$db" order post - <<<"$order" >/dev/null && ok || bad "disk full: order after room was made"
	[ "$(psql_ -d t_diskfull -c "SELECT balance FROM aba.cards")" = $((500 + i * 100)) ] && ok ||
		bad "disk full: balance is not the seed + $i earns (the order earns nothing: no programs)"
	"$aba" --db "$db" verify >/dev/null && ok || bad "disk full: aba verify"
	psql_ -d postgres -c "DROP DATABASE t_diskfull WITH (FORCE)" -c "DROP TABLESPACE tiny"
	umount "$mnt"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
