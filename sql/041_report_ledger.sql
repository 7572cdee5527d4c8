-- Reports on the points ledger: liability, expiring points, daily
-- activity.  They run with the caller's rights (staff who may read the
-- ledger may run them) and read the summaries of 040 up to the watermark
-- plus the rows above it.  force_custom_plan: the watermark and times are
-- known when each query is planned, so the planner can use the indexes.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION report_upto(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT upto FROM aba.report_watermarks WHERE name = p_name), 0)
$$;

-- Outstanding points as of p_as_of by expiry month and level at earn: for
-- every lot not expired at p_as_of, the sum of its movements dated up to
-- p_as_of.  A lot past expiry counts as gone even if `aba points expire`
-- has not run yet.  The movements split four ways, without overlap:
-- summarised (before as-of's day, lot expiring after that day); as-of's
-- own day; lots expiring on as-of's day; everything above the watermark.
CREATE FUNCTION report_liability(p_as_of timestamptz, p_level text)
RETURNS TABLE (expiry_month text, level_code text, points bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
	t timestamptz := coalesce(p_as_of, now());
	d0 date := utc_day(coalesce(p_as_of, now()));
	d0_ts timestamptz := utc_start(utc_day(coalesce(p_as_of, now())));
	w bigint := report_upto('history');
BEGIN
	RETURN QUERY
	WITH flow AS (
		SELECT f.exp_day, f.level_code, f.amount
		  FROM report_lot_flow f
		 WHERE f.day < d0 AND f.exp_day > d0
		UNION ALL
		SELECT coalesce(utc_day(l.expires_at), 'infinity'), coalesce(l.level_code, ''), m.amount
		  FROM point_history h
		  JOIN lot_movements m ON m.history_id = h.id
		  JOIN point_moves l ON l.id = m.lot_id
		 WHERE h.at >= d0_ts AND h.at <= t AND h.id <= w
		   AND (l.expires_at IS NULL OR l.expires_at > t)
		UNION ALL
		SELECT utc_day(l.expires_at), coalesce(l.level_code, ''), m.amount
		  FROM point_moves l
		  JOIN lot_movements m ON m.lot_id = l.id
		  JOIN point_history h ON h.id = m.history_id
		 WHERE l.expires_at > t AND l.expires_at < d0_ts + interval '1 day'
		   AND h.at < d0_ts AND h.id <= w
		UNION ALL
		SELECT coalesce(utc_day(l.expires_at), 'infinity'), coalesce(l.level_code, ''), m.amount
		  FROM point_history h
		  JOIN lot_movements m ON m.history_id = h.id
		  JOIN point_moves l ON l.id = m.lot_id
		 WHERE h.id > w AND h.at <= t
		   AND (l.expires_at IS NULL OR l.expires_at > t)
	), kept AS (
		SELECT CASE WHEN exp_day = 'infinity' THEN 'never' ELSE to_char(exp_day, 'YYYY-MM') END AS month,
		       level_code, amount
		  FROM flow
		 WHERE p_level IS NULL OR level_code = p_level
	)
	SELECT CASE WHEN grouping(month) = 1 THEN 'total' ELSE month END,
	       nullif(level_code, ''), sum(amount)::bigint, grouping(month) = 1
	  FROM kept
	 GROUP BY GROUPING SETS ((month, level_code), ())
	HAVING sum(amount) <> 0 OR grouping(month) = 1
	 ORDER BY grouping(month), month = 'never', month, level_code;
END
$$;

-- Points that will expire within 30, 60 and 90 days after p_as_of (not in
-- the past: this is a forecast from what lots hold now), cumulative, per
-- card: the top p_top cards by the soonest, and the total over all cards.
CREATE FUNCTION report_expiring(p_as_of timestamptz, p_level text, p_top integer)
RETURNS TABLE (card text, customer text, level_code text, within_30 bigint, within_60 bigint,
	       within_90 bigint, cards bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
	t timestamptz := coalesce(p_as_of, now());
BEGIN
	IF t < now() - interval '1 minute' THEN
		RAISE EXCEPTION 'expiring is a forecast from what lots hold now: as-of % is in the past', t
			USING ERRCODE = 'AB422';
	END IF;
	RETURN QUERY
	WITH per_card AS (
		SELECT l.card_id,
		       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '30 days'), 0) AS d30,
		       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '60 days'), 0) AS d60,
		       sum(l.remaining) AS d90
		  FROM point_moves l
		 WHERE l.state = 'active' AND l.expires_at > t AND l.expires_at <= t + interval '90 days'
		 GROUP BY l.card_id
	), kept AS (
		SELECT pc.*, c.code, c.level_code, c.partner_id
		  FROM per_card pc JOIN cards c ON c.id = pc.card_id
		 WHERE p_level IS NULL OR c.level_code = p_level
	), top AS (
		SELECT * FROM kept ORDER BY d30 DESC, d60 DESC, d90 DESC, code LIMIT p_top
	)
	SELECT * FROM (
		SELECT k.code, pa.name, k.level_code, k.d30::bigint, k.d60::bigint, k.d90::bigint,
		       NULL::bigint, false
		  FROM top k JOIN partners pa ON pa.id = k.partner_id
		UNION ALL
		SELECT 'total', NULL, NULL, coalesce(sum(d30), 0)::bigint, coalesce(sum(d60), 0)::bigint,
		       coalesce(sum(d90), 0)::bigint, count(*), true
		  FROM kept
	) r (card, customer, level_code, d30, d60, d90, cards, total)
	 ORDER BY r.total, r.d30 DESC, r.d60 DESC, r.d90 DESC, r.card;
END
$$;

-- Per UTC day from p_from's day to p_to's day: orders placed, points
-- earned, redeemed, expired, adjusted (signed), given back by refunds
-- (restored) and taken back by refunds (reversed), and the net change.
-- Redeemed, expired and reversed are shown as positive amounts.
CREATE FUNCTION report_activity(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (day text, orders bigint, earned bigint, redeemed bigint, expired bigint,
	       adjusted bigint, refund_restored bigint, refund_reversed bigint, net bigint,
	       total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
	d1 date := utc_day(p_from);
	d2 date := utc_day(p_to);
	t1 timestamptz := utc_start(utc_day(p_from));
	t2 timestamptz := utc_start(utc_day(p_to) + 1);
	wh bigint := report_upto('history');
	wo bigint := report_upto('orders');
BEGIN
	RETURN QUERY
	WITH flow AS (
		SELECT f.day, f.kind, f.sign, f.amount
		  FROM report_day_flow f WHERE f.day BETWEEN d1 AND d2
		UNION ALL
		SELECT utc_day(h.at), h.kind, CASE WHEN h.delta > 0 THEN 1 ELSE -1 END, h.delta
		  FROM point_history h WHERE h.id > wh AND h.at >= t1 AND h.at < t2
	), ords AS (
		SELECT o.day, o.orders AS n FROM report_day_orders o WHERE o.day BETWEEN d1 AND d2
		UNION ALL
		SELECT utc_day(o.ordered_at), 1 FROM orders o
		 WHERE o.id > wo AND o.ordered_at >= t1 AND o.ordered_at < t2
	), agg AS (
		SELECT f.day,
		       sum(amount) FILTER (WHERE kind = 'earn') AS earned,
		       -sum(amount) FILTER (WHERE kind = 'redeem') AS redeemed,
		       -sum(amount) FILTER (WHERE kind = 'expire') AS expired,
		       sum(amount) FILTER (WHERE kind = 'adjust') AS adjusted,
		       sum(amount) FILTER (WHERE kind = 'refund' AND sign = 1) AS restored,
		       -sum(amount) FILTER (WHERE kind = 'refund' AND sign = -1) AS reversed,
		       sum(amount) AS net
		  FROM flow f GROUP BY f.day
	), oagg AS (
		SELECT o.day, sum(o.n) AS n FROM ords o GROUP BY o.day
	), per_day AS (
		SELECT d::date AS day, coalesce(o.n, 0)::bigint AS orders,
		       coalesce(a.earned, 0)::bigint AS earned, coalesce(a.redeemed, 0)::bigint AS redeemed,
		       coalesce(a.expired, 0)::bigint AS expired, coalesce(a.adjusted, 0)::bigint AS adjusted,
		       coalesce(a.restored, 0)::bigint AS restored, coalesce(a.reversed, 0)::bigint AS reversed,
		       coalesce(a.net, 0)::bigint AS net
		  FROM generate_series(d1, d2, interval '1 day') d
		  LEFT JOIN agg a ON a.day = d::date
		  LEFT JOIN oagg o ON o.day = d::date
	)
	SELECT * FROM (
		SELECT to_char(p.day, 'YYYY-MM-DD'), p.orders, p.earned, p.redeemed, p.expired,
		       p.adjusted, p.restored, p.reversed, p.net, false
		  FROM per_day p
		UNION ALL
		SELECT 'total', sum(p.orders)::bigint, sum(p.earned)::bigint, sum(p.redeemed)::bigint,
		       sum(p.expired)::bigint, sum(p.adjusted)::bigint, sum(p.restored)::bigint,
		       sum(p.reversed)::bigint, sum(p.net)::bigint, true
		  FROM per_day p
	) r (day, orders, earned, redeemed, expired, adjusted, restored, reversed, net, total)
	 ORDER BY r.total, r.day;
END
$$;
