-- expiring on a large ledger without summing every card's due lots.
--
-- Even from a covering index (042), grouping 1.5M due lots into 1M cards
-- took 4 to 10 s.  Now `aba report refresh` also keeps a snapshot: each
-- card's points due within 30, 60 and 90 days of the refresh time T0, as
-- of a history watermark W (every posting up to W is in it, later ones
-- may be).  At a time t, a card's three figures differ from the snapshot
-- only if
--   - it has a posting above W (a new lot, a redemption, an expiry run), or
--   - it has an active lot expiring where the windows (T0, T0+n days] and
--     (t, t+n days] differ, n = 0, 30, 60, 90: between min(T0,t) and
--     max(T0,t) shifted by n days.
-- Those cards are summed live; every other card's figures are exactly the
-- snapshot's.  So the report stays exact, reads only the cards that
-- changed plus the top of an index, and a snapshot a day old costs four
-- days of lots.  Without a snapshot, or one more than a week away from t,
-- it sums every due lot as before.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE report_expiring_cards (
	card_id bigint PRIMARY KEY,
	d30 bigint NOT NULL,
	d60 bigint NOT NULL,
	d90 bigint NOT NULL CHECK (d90 > 0)
);
CREATE INDEX report_expiring_cards_rank_idx
	ON report_expiring_cards (d30 DESC, d60 DESC, d90 DESC, card_id);

CREATE TABLE report_expiring_meta (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	as_of timestamptz NOT NULL,		-- T0
	history_upto bigint NOT NULL,		-- W
	d30 bigint NOT NULL,			-- totals over the snapshot
	d60 bigint NOT NULL,
	d90 bigint NOT NULL,
	cards bigint NOT NULL
);

-- A card's points due within 30, 60 and 90 days after t, from what its
-- lots hold now (a set of one row, so that the planner inlines it).
CREATE FUNCTION report_card_due(p_card_id bigint, t timestamptz)
RETURNS TABLE (d30 bigint, d60 bigint, d90 bigint)
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '30 days'), 0),
	       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '60 days'), 0),
	       coalesce(sum(l.remaining), 0)
	  FROM aba.point_moves l
	 WHERE l.card_id = p_card_id AND l.state = 'active'
	   AND l.expires_at > t AND l.expires_at <= t + interval '90 days'
$$;

-- Step 3 of a refresh (after report_refresh_roll, so W is a clean cut):
-- replaces the snapshot in one transaction; reports running meanwhile
-- read the previous one.
CREATE FUNCTION report_refresh_expiring() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp SET work_mem = '256MB'
SET jit = off AS $$
DECLARE
	t timestamptz := now();
	w bigint := report_upto('history');
	m report_expiring_meta;
BEGIN
	-- one refresh of the snapshot at a time
	PERFORM pg_advisory_xact_lock(hashtext('aba.report_refresh_expiring'));
	DELETE FROM report_expiring_cards;
	INSERT INTO report_expiring_cards (card_id, d30, d60, d90)
	SELECT l.card_id,
	       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '30 days'), 0),
	       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '60 days'), 0),
	       sum(l.remaining)
	  FROM point_moves l
	 WHERE l.state = 'active' AND l.expires_at > t AND l.expires_at <= t + interval '90 days'
	 GROUP BY l.card_id;
	INSERT INTO report_expiring_meta AS x (as_of, history_upto, d30, d60, d90, cards)
	SELECT t, w, coalesce(sum(c.d30), 0), coalesce(sum(c.d60), 0), coalesce(sum(c.d90), 0),
	       count(*)
	  FROM report_expiring_cards c
	ON CONFLICT (one) DO UPDATE SET as_of = EXCLUDED.as_of, history_upto = EXCLUDED.history_upto,
		d30 = EXCLUDED.d30, d60 = EXCLUDED.d60, d90 = EXCLUDED.d90, cards = EXCLUDED.cards
	RETURNING * INTO m;
	RETURN jsonb_build_object('as_of', m.as_of, 'history', m.history_upto, 'cards', m.cards);
END
$$;

-- Every card's due lots summed: the report without a usable snapshot
-- (042's query, unchanged).
CREATE FUNCTION report_expiring_live(t timestamptz, p_level text, p_top integer)
RETURNS TABLE (card text, customer text, level_code text, within_30 bigint, within_60 bigint,
	       within_90 bigint, cards bigint, total boolean)
LANGUAGE sql STABLE AS $$
	WITH per_card AS MATERIALIZED (
		SELECT l.card_id,
		       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '30 days'), 0) AS d30,
		       coalesce(sum(l.remaining) FILTER (WHERE l.expires_at <= t + interval '60 days'), 0) AS d60,
		       sum(l.remaining) AS d90
		  FROM aba.point_moves l
		 WHERE l.state = 'active' AND l.expires_at > t AND l.expires_at <= t + interval '90 days'
		   AND (p_level IS NULL OR l.card_id IN (SELECT c.id FROM aba.cards c WHERE c.level_code = p_level))
		 GROUP BY l.card_id
	), top AS (
		SELECT * FROM per_card ORDER BY d30 DESC, d60 DESC, d90 DESC, card_id LIMIT p_top
	)
	SELECT r.card, r.customer, r.level_code, r.d30, r.d60, r.d90, r.cards, r.total FROM (
		SELECT c.code, pa.name, c.level_code, k.d30::bigint, k.d60::bigint, k.d90::bigint,
		       NULL::bigint, false, k.card_id
		  FROM top k JOIN aba.cards c ON c.id = k.card_id JOIN aba.partners pa ON pa.id = c.partner_id
		UNION ALL
		SELECT 'total', NULL, NULL, coalesce(sum(d30), 0)::bigint, coalesce(sum(d60), 0)::bigint,
		       coalesce(sum(d90), 0)::bigint, count(*), true, NULL
		  FROM per_card
	) r (card, customer, level_code, d30, d60, d90, cards, total, card_id)
	 ORDER BY r.total, r.d30 DESC, r.d60 DESC, r.d90 DESC, r.card_id
$$;

-- The report: top p_top cards by points due within 30 days (then 60,
-- then 90; ties to the card registered first) and the totals, for the
-- cards at p_level now (NULL: all).
CREATE OR REPLACE FUNCTION report_expiring(p_as_of timestamptz, p_level text, p_top integer)
RETURNS TABLE (card text, customer text, level_code text, within_30 bigint, within_60 bigint,
	       within_90 bigint, cards bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET work_mem = '256MB' SET jit = off AS $$
#variable_conflict use_column
DECLARE
	t timestamptz := coalesce(p_as_of, now());
	m report_expiring_meta;
	lo timestamptz;
	hi timestamptz;
	ids bigint[];
BEGIN
	IF t < now() - interval '1 minute' THEN
		RAISE EXCEPTION 'expiring is a forecast from what lots hold now: as-of % is in the past', t
			USING ERRCODE = 'AB422';
	END IF;
	SELECT * INTO m FROM report_expiring_meta;
	IF NOT FOUND OR abs(extract(epoch FROM t - m.as_of)) > 7 * 86400 THEN
		RETURN QUERY SELECT * FROM report_expiring_live(t, p_level, p_top);
		RETURN;
	END IF;
	lo := least(t, m.as_of);
	hi := greatest(t, m.as_of);
	-- The cards whose figures may differ from the snapshot's, as an array
	-- so that the planner knows how few they are.
	ids := ARRAY(
		SELECT h.card_id FROM point_history h WHERE h.id > m.history_upto
		UNION
		SELECT l.card_id FROM point_moves l
		 CROSS JOIN (VALUES (interval '0 days'), (interval '30 days'), (interval '60 days'),
				    (interval '90 days')) z (shift)
		 WHERE l.state = 'active' AND l.expires_at > lo + z.shift AND l.expires_at <= hi + z.shift);
	RETURN QUERY
	WITH now_due AS MATERIALIZED (
		SELECT c.card_id, d.d30, d.d60, d.d90
		  FROM unnest(ids) c (card_id) CROSS JOIN LATERAL report_card_due(c.card_id, t) d
		 WHERE d.d90 > 0
		   AND (p_level IS NULL OR (SELECT k.level_code FROM cards k WHERE k.id = c.card_id) = p_level)
	), was_due AS MATERIALIZED (
		SELECT s.d30, s.d60, s.d90 FROM report_expiring_cards s
		 WHERE s.card_id = ANY (ids)
		   AND (p_level IS NULL OR (SELECT k.level_code FROM cards k WHERE k.id = s.card_id) = p_level)
	), top_unchanged AS (
		-- the snapshot's order, walked from the top: few rows, however many cards
		SELECT s.card_id, s.d30, s.d60, s.d90 FROM report_expiring_cards s
		 WHERE s.card_id <> ALL (ids)
		   AND (p_level IS NULL OR (SELECT k.level_code FROM cards k WHERE k.id = s.card_id) = p_level)
		 ORDER BY s.d30 DESC, s.d60 DESC, s.d90 DESC, s.card_id
		 LIMIT p_top
	), top AS (
		SELECT * FROM (SELECT * FROM now_due UNION ALL SELECT * FROM top_unchanged) u
		 ORDER BY u.d30 DESC, u.d60 DESC, u.d90 DESC, u.card_id LIMIT p_top
	), snap AS (
		-- the snapshot's totals: kept for all cards, summed for one level
		SELECT m.d30, m.d60, m.d90, m.cards AS n WHERE p_level IS NULL
		UNION ALL
		SELECT sum(s.d30), sum(s.d60), sum(s.d90), count(*)
		  FROM report_expiring_cards s JOIN cards k ON k.id = s.card_id
		 WHERE p_level IS NOT NULL AND k.level_code = p_level
	), totals AS (
		-- unchanged cards as the snapshot has them, changed ones as now
		SELECT sum(x.d30) AS d30, sum(x.d60) AS d60, sum(x.d90) AS d90, sum(x.n) AS n FROM (
			SELECT * FROM snap
			UNION ALL
			SELECT -w.d30, -w.d60, -w.d90, -1 FROM was_due w
			UNION ALL
			SELECT k.d30, k.d60, k.d90, 1 FROM now_due k
		) x
	)
	SELECT r.card, r.customer, r.level_code, r.d30, r.d60, r.d90, r.cards, r.total FROM (
		SELECT c.code, pa.name, c.level_code, k.d30, k.d60, k.d90, NULL::bigint, false, k.card_id
		  FROM top k JOIN cards c ON c.id = k.card_id JOIN partners pa ON pa.id = c.partner_id
		UNION ALL
		SELECT 'total', NULL, NULL, coalesce(x.d30, 0)::bigint, coalesce(x.d60, 0)::bigint,
		       coalesce(x.d90, 0)::bigint, coalesce(x.n, 0)::bigint, true, NULL
		  FROM totals x
	) r (card, customer, level_code, d30, d60, d90, cards, total, card_id)
	 ORDER BY r.total, r.d30 DESC, r.d60 DESC, r.d90 DESC, r.card_id;
END
$$;
