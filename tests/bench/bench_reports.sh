#!/bin/sh
# bench_reports.sh - every report on a large ledger, timed, with EXPLAIN
# checked for sequential scans of point_history.  Not a CTest: run by hand.
#
#   tests/bench/bench_reports.sh ABA [CARDS]     build (once) and time
#   tests/bench/bench_reports.sh ABA clean       stop and remove it all
#
# CARDS defaults to 1000000: 1,000,000 cards, 10,000,000 lots, 20,000,000
# history rows and lot movements, 2,000,000 orders, written with SQL
# generate_series straight into the tables as the superuser (not through
# the per-order path: that would take days).  Everything lives in its own
# cluster under $ABA_BENCH_HOME (default /tmp/aba-bench, about 20 GB at
# full size); `clean` removes it.  Only there, during the load, are the
# foreign-key and append-only triggers off (session_replication_role) and
# the secondary indexes dropped and rebuilt afterwards.
# BENCH_ONLY="liability expiring" times only the reports named;
# BENCH_PLANS=1 prints the plans auto_explain shows.
#
# The data keeps every ledger invariant: per card ten lots gained 60 days
# apart, each half spent ten days later; lot 9 never expires, the others
# after 365 days; levels by card.
set -eu
aba=$1
cards=${2:-1000000}
home=${ABA_BENCH_HOME:-/tmp/aba-bench}

if [ "$cards" = clean ]; then
	ABA_HOME=$home "$aba" db stop >/dev/null 2>&1 || true
	rm -rf "$home"
	echo "removed $home"
	exit 0
fi

export ABA_HOME="$home"
"$aba" db init >/dev/null
conn=$("$aba" db status | sed -n 's/^connection: *//p' | head -1)
psql_() { psql "$conn" -X -q -v ON_ERROR_STOP=1 "$@"; }

loaded=$(psql_ -At -c "SELECT count(*) FROM aba.cards")
if [ "$loaded" -ne "$cards" ]; then
	echo "loading $cards cards (this takes a while)..."
	start=$(date +%s)
	psql_ -v cards="$cards" <<'SQL'
SET maintenance_work_mem = '1GB';
SET work_mem = '256MB';
SET synchronous_commit = off;
-- The bench database only: no FK or append-only triggers while loading.
SET session_replication_role = replica;
TRUNCATE aba.partners, aba.cards, aba.postings, aba.point_moves, aba.point_history,
	 aba.lot_movements, aba.orders, aba.order_refunds, aba.outbox,
	 aba.report_lot_flow, aba.report_day_flow, aba.report_day_orders CASCADE;
UPDATE aba.report_watermarks SET upto = 0, pending = 0, refreshed_at = NULL;

CREATE TEMP TABLE saved_indexes AS
	SELECT indexname, indexdef FROM pg_indexes
	 WHERE schemaname = 'aba' AND indexname NOT LIKE '%pkey'
	   AND tablename IN ('point_history', 'point_moves', 'lot_movements', 'postings', 'orders', 'cards');
SELECT format('DROP INDEX aba.%I', indexname) FROM saved_indexes
 WHERE indexname NOT IN (SELECT conname FROM pg_constraint) \gexec

INSERT INTO aba.partners (id, name)
	SELECT c, 'Bench Customer ' || c FROM generate_series(1, :cards) c;
INSERT INTO aba.cards (id, code, partner_id, level_code)
	SELECT c, 'B' || c, c, (ARRAY[NULL, 'SILVER', 'GOLD', 'PLATINUM'])[1 + c % 4]
	  FROM generate_series(1, :cards) c;
INSERT INTO aba.postings (id, card_id, key, kind, request, result)
	SELECT c, c, 'bench:' || c, 'earn', '{}', '{"bench": true}' FROM generate_series(1, :cards) c;

-- Lot i of card c: id (c-1)*10+i+1, gained base + 60*i days, initial
-- 1000 * (1 + (c+i) % 50) hundredths, half of it spent ten days later.
CREATE TEMP VIEW gen AS
	SELECT c, i, (c - 1) * 10 + i + 1 AS lot,
	       timestamptz '2024-11-01 00:00:00+00' + make_interval(days => c % 180 + 60 * i,
								       secs => c % 86400) AS gained,
	       1000 * (1 + (c + i) % 50)::bigint AS initial
	  FROM generate_series(1, :cards) c, generate_series(0, 9) i;

INSERT INTO aba.point_moves (id, card_id, posting_id, gained_at, expires_at, initial, remaining,
			     state, origin, level_code)
	SELECT lot, c, c, gained, CASE WHEN i < 9 THEN gained + interval '365 days' END,
	       initial, initial / 2, 'active', 'bench', (ARRAY[NULL, 'SILVER', 'GOLD', 'PLATINUM'])[1 + c % 4]
	  FROM gen;

-- History 2*lot-1 earns lot, 2*lot spends half of it: in id order per card,
-- so balance_after is the sum of what the card's earlier lots kept.
INSERT INTO aba.point_history (id, card_id, posting_id, kind, delta, balance_after, origin,
			       idempotency_key, actor, level_code, at, recorded_at)
	SELECT 2 * lot - 1 + e, c, c, CASE e WHEN 0 THEN 'earn' ELSE 'redeem' END,
	       CASE e WHEN 0 THEN initial ELSE -initial / 2 END,
	       kept_before + CASE e WHEN 0 THEN initial ELSE initial / 2 END,
	       'bench', 'bench:' || c, 'bench', (ARRAY[NULL, 'SILVER', 'GOLD', 'PLATINUM'])[1 + c % 4],
	       gained + e * interval '10 days', gained + e * interval '10 days'
	  FROM (SELECT *, coalesce(sum(initial / 2) OVER (PARTITION BY c ORDER BY i
				   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS kept_before
		  FROM gen) g, generate_series(0, 1) e;

INSERT INTO aba.lot_movements (id, card_id, history_id, lot_id, amount)
	SELECT 2 * lot - 1 + e, c, 2 * lot - 1 + e, lot,
	       CASE e WHEN 0 THEN initial ELSE -initial / 2 END
	  FROM gen, generate_series(0, 1) e;

UPDATE aba.cards c SET balance = s.kept
  FROM (SELECT c, sum(initial / 2) AS kept FROM gen GROUP BY c) s WHERE s.c = c.id;

-- Two orders per card, at the times of lots 0 and 5.
INSERT INTO aba.orders (id, ref, card_id, posting_id, ordered_at, total_base, total_discount,
			total_net, points_earned)
	SELECT 2 * c - 1 + k, 'bench-' || c || '-' || k, c, c, gained, 100000, 0, 100000, 0
	  FROM gen, generate_series(0, 1) k WHERE i = 5 * k;

SELECT setval('aba.partners_id_seq', :cards), setval('aba.cards_id_seq', :cards),
       setval('aba.postings_id_seq', :cards), setval('aba.point_moves_id_seq', 10 * :cards),
       setval('aba.point_history_id_seq', 20 * :cards), setval('aba.lot_movements_id_seq', 20 * :cards),
       setval('aba.orders_id_seq', 2 * :cards) \gset

SET session_replication_role = origin;
SELECT indexdef FROM saved_indexes
 WHERE indexname NOT IN (SELECT conname FROM pg_constraint) \gexec
VACUUM ANALYZE;
SQL
	echo "loaded in $(( $(date +%s) - start )) s"
	start=$(date +%s)
	"$aba" report refresh
	echo "first refresh (summaries of all 20x cards history rows) in $(( $(date +%s) - start )) s"
fi

# The workflow, membership and promotion reports need their own data:
# 100,000 approval requests over two years, every card's level history
# (a first level, then an upgrade to its level now for three cards in
# four), 10,000 overrides, and the programs each order applied recorded
# in its detail.  Added once, to a loaded bench.
if [ "$(psql_ -At -c "SELECT count(*) FROM aba.level_history")" -eq 0 ]; then
	echo "adding requests, level history, overrides and order programs..."
	start=$(date +%s)
	psql_ <<'SQL'
SET maintenance_work_mem = '1GB';
SET synchronous_commit = off;
SET session_replication_role = replica;
INSERT INTO aba.levels (code, name, sequence) VALUES
	('SILVER', 'Silver', 10), ('GOLD', 'Gold', 20), ('PLATINUM', 'Platinum', 30)
	ON CONFLICT DO NOTHING;
INSERT INTO aba.programs (id, name, program_type, trigger, stacking, sequence, active, program)
SELECT 'BENCH' || p, 'bench program ' || p, 'promotion', 'auto', 'combine', p, true,
       jsonb_build_object('id', 'BENCH' || p)
  FROM generate_series(1, 12) p ON CONFLICT DO NOTHING;
INSERT INTO aba.approval_requests (kind, card_id, points, reason_code, state, maker, created_at,
				   expires_at, checker, auto, decided_at, decision_note)
SELECT 'adjust', 1 + r * 7 % 1000000, (1 + r % 500) * 100 * (CASE WHEN r % 3 = 0 THEN -1 ELSE 1 END),
       (ARRAY['GOODWILL', 'MISSED_EARN', 'CORRECTION'])[1 + r % 3], st, 'maker' || r % 20, c,
       c + interval '72 hours', CASE WHEN st IN ('approved', 'rejected') THEN 'checker' END, false,
       CASE WHEN st <> 'pending' THEN c + make_interval(secs => 60 + r % 200000) END,
       CASE WHEN st = 'rejected' THEN 'bench' END
  FROM (SELECT r, timestamptz '2024-11-01 00:00:00+00' + make_interval(secs => r * 631) AS c,
	       CASE WHEN r > 99900 THEN 'pending' ELSE (ARRAY['approved', 'approved', 'approved',
		    'rejected', 'cancelled'])[1 + r % 5] END AS st
	  FROM generate_series(1, 100000) r) g;
INSERT INTO aba.level_history (card_id, level_code, valid_from, valid_to, change)
SELECT c, 'SILVER', timestamptz '2024-11-01 00:00:00+00' + make_interval(secs => c),
       CASE WHEN c % 4 > 1 THEN timestamptz '2025-03-01 00:00:00+00' + make_interval(secs => c * 37) END,
       'upgrade'
  FROM generate_series(1, 1000000) c WHERE c % 4 > 0;
INSERT INTO aba.level_history (card_id, level_code, valid_from, change)
SELECT c, (ARRAY['GOLD', 'PLATINUM'])[c % 4 - 1],
       timestamptz '2025-03-01 00:00:00+00' + make_interval(secs => c * 37), 'upgrade'
  FROM generate_series(1, 1000000) c WHERE c % 4 > 1;
INSERT INTO aba.level_overrides (card_id, level_code, valid_from, valid_until, reason)
SELECT c, 'PLATINUM', timestamptz '2025-06-01 00:00:00+00' + make_interval(secs => c * 53),
       timestamptz '2026-06-01 00:00:00+00' + make_interval(secs => c * 53), 'bench'
  FROM generate_series(1, 1000000, 100) c;
UPDATE aba.orders SET detail = jsonb_build_object('programs', jsonb_build_array(
	jsonb_build_object('id', 'BENCH' || 1 + id % 12, 'discount', 1000 * (id % 7), 'points', id % 500,
			   'points_spent', 0),
	jsonb_build_object('id', 'BENCH' || 1 + (id + 5) % 12, 'discount', 0, 'points', 100,
			   'points_spent', 0)));
SET session_replication_role = origin;
VACUUM ANALYZE aba.approval_requests, aba.level_history, aba.level_overrides, aba.orders,
	aba.programs, aba.levels;
SQL
	echo "added in $(( $(date +%s) - start )) s"
fi

psql_ -At -c "SELECT 'cards ' || (SELECT count(*) FROM aba.cards) || ', lots ' ||
	(SELECT count(*) FROM aba.point_moves) || ', history ' || (SELECT count(*) FROM aba.point_history) ||
	', movements ' || (SELECT count(*) FROM aba.lot_movements) || ', orders ' ||
	(SELECT count(*) FROM aba.orders) || ', database ' ||
	pg_size_pretty(pg_database_size(current_database()))"

# The full check the consistency report starts from (a nightly `aba
# verify`): once, or again with BENCH_VERIFY=1.
passes=$(psql_ -At -c "SELECT count(*) FROM aba.verify_passes")
if [ "$passes" -eq 0 ] || [ -n "${BENCH_VERIFY:-}" ]; then
	start=$(date +%s)
	"$aba" verify | tail -1
	echo "aba verify of every card (kept for report consistency) in $(( $(date +%s) - start )) s"
fi

# A day's postings after the refresh (and the check), so every report also
# reads a live tail above the watermarks, as it would in production.
psql_ -q -c "SELECT aba.earn('B' || c, 12345, 'bench-tail-' || c || '-' || now()::text, 'bench')
	FROM generate_series(1, 2000) c" >/dev/null

# name and arguments of each timed run
runs='liability
liability --as-of 2025-06-15T12:00:00Z
liability --as-of 2026-03-01 --level GOLD
expiring
expiring --level SILVER --top 50
activity
activity --from 2025-01-01 --to 2025-12-31
adjustments
adjustments --from 2025-01-01 --to 2025-12-31
approvals
approvals --as-of 2025-06-15T12:00:00Z
membership
membership --from 2025-01-01 --to 2025-12-31
promotions --from 2025-12-01 --to 2025-12-31
promotions --from 2025-01-01 --to 2025-12-31
consistency'

# An SQL literal for a value, or a default expression.
lit() { if [ -n "$1" ]; then echo "'$1'"; else echo "$2"; fi; }

echo
printf '%-46s %8s  %s\n' "aba report ..." "seconds" "seq scan of point_history"
echo "$runs" | while IFS= read -r run; do
	set -- $run
	# BENCH_ONLY="liability expiring": time only these reports
	case " ${BENCH_ONLY:-$1} " in *" $1 "*) ;; *) continue ;; esac
	t0=$(date +%s%N)
	rc=0
	timeout 1200 "$aba" report "$@" --format csv >/dev/null 2>&1 || rc=$?
	t1=$(date +%s%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	[ "$rc" -eq 124 ] && secs=">1200"
	printf '%-46s %8s  ' "$run" "$secs"
	a3=${3:-} a5=${5:-}
	case $1 in
	liability) call="aba.report_liability($(lit "$a3" "now()"), $(lit "$a5" NULL))" ;;
	expiring) call="aba.report_expiring(now(), $(lit "$a3" NULL), ${a5:-20})" ;;
	activity|adjustments|membership|promotions)
		call="aba.report_$1($(lit "$a3" "now() - interval '29 days'"), $(lit "$a5" "now()"))" ;;
	approvals) call="aba.report_approvals($(lit "$a3" "now()"))" ;;
	consistency) call="aba.verify_since_pass()" ;;
	*) echo "(reads every row by design)"; continue ;;
	esac
	# auto_explain shows the plans of the statements inside the function.
	plan=$(psql_ -c "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
		SET auto_explain.log_nested_statements = on; SET client_min_messages = log;
		SELECT count(*) FROM $call" 2>&1 || true)
	if [ -n "${BENCH_PLANS:-}" ]; then echo; echo "$plan"; fi
	if echo "$plan" | grep -q "Seq Scan on point_history"; then
		echo "YES"
	else
		echo "no"
	fi
done
