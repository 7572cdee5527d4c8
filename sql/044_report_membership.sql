-- The membership report: cards per level at the end of a period, the
-- moves between levels during it, and the overrides in force.  Everything
-- comes from level_history (020): a period [valid_from, valid_to) per
-- card and level, never rewritten, so past periods report exactly.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- Moves in a period are found by their start and end times.
CREATE INDEX level_history_from_idx ON level_history (valid_from);
CREATE INDEX level_history_to_idx ON level_history (valid_to) WHERE valid_to IS NOT NULL;
CREATE INDEX level_overrides_until_idx ON level_overrides (valid_until);

-- From p_from's UTC day to p_to's (or to now, if that is earlier), one row
-- per level in sequence order and one for cards with no level:
--   cards             cards at the level at the end of the period
--   upgrades          moves into the level by an upgrade during the period
--   downgrades        ... by a downgrade (into "no level": fell below every path)
--   overrides         ... by an override
--   lapsed            ... when an override lapsed
--   left              moves out of the level
--   active_overrides  cards whose level is pinned here at the end
-- so that cards at the end = cards at the start + the four moves in - left
-- (and, for "no level", + cards registered during the period).
-- "At the end" is just before the period's end: a change at that instant
-- belongs to the next period.
CREATE FUNCTION report_membership(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (level_code text, level_name text, cards bigint, upgrades bigint,
	       downgrades bigint, overrides bigint, lapsed bigint, left_level bigint,
	       active_overrides bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	t1 timestamptz := utc_start(utc_day(p_from));
	t2 timestamptz := least(utc_start(utc_day(p_to) + 1), now());
BEGIN
	RETURN QUERY
	WITH held AS (
		SELECT h.level_code AS lv, count(*) AS n FROM level_history h
		 WHERE h.valid_from < t2 AND (h.valid_to IS NULL OR h.valid_to >= t2)
		 GROUP BY h.level_code
	), started AS (
		-- a period that starts in the window, and whether one ended just then
		SELECT h.level_code AS lv, h.change,
		       EXISTS (SELECT 1 FROM level_history p WHERE p.card_id = h.card_id
				  AND p.valid_to = h.valid_from) AS from_level
		  FROM level_history h
		 WHERE h.valid_from >= t1 AND h.valid_from < t2
	), ended AS (
		-- a period that ends in the window, and whether another follows
		SELECT h.level_code AS lv, h.change,
		       EXISTS (SELECT 1 FROM level_history n WHERE n.card_id = h.card_id
				  AND n.valid_from = h.valid_to) AS to_level
		  FROM level_history h
		 WHERE h.valid_to >= t1 AND h.valid_to < t2
	), moves AS (
		SELECT s.lv, s.change, 0 AS out FROM started s
		UNION ALL	-- into no level: an override lapsed, or spend fell below every path
		SELECT NULL, CASE WHEN e.change = 'override' THEN 'override_lapsed' ELSE 'downgrade' END, 0
		  FROM ended e WHERE NOT e.to_level
		UNION ALL
		SELECT e.lv, NULL, 1 FROM ended e
		UNION ALL	-- out of no level: a first level
		SELECT NULL, NULL, 1 FROM started s WHERE NOT s.from_level
	), pinned AS (
		SELECT o.level_code AS lv, count(*) AS n FROM (
			SELECT DISTINCT ON (o.card_id) o.card_id, o.level_code FROM level_overrides o
			 WHERE o.valid_from < t2 AND o.valid_until >= t2
			 ORDER BY o.card_id, o.id DESC) o
		 GROUP BY o.level_code
	), per_level AS (
		SELECT l.code AS lv, l.name, l.sequence FROM levels l
		UNION ALL
		SELECT NULL, 'no level', -1
	), moved AS (
		SELECT m.lv,
		       count(*) FILTER (WHERE m.out = 0 AND m.change = 'upgrade') AS upgrades,
		       count(*) FILTER (WHERE m.out = 0 AND m.change = 'downgrade') AS downgrades,
		       count(*) FILTER (WHERE m.out = 0 AND m.change = 'override') AS overrides,
		       count(*) FILTER (WHERE m.out = 0 AND m.change = 'override_lapsed') AS lapsed,
		       count(*) FILTER (WHERE m.out = 1) AS left_level
		  FROM moves m GROUP BY m.lv
	), rows AS (
		SELECT p.lv, p.name, p.sequence,
		       CASE WHEN p.lv IS NULL
			    THEN (SELECT count(*) FROM cards c WHERE c.created_at < t2)
				 - (SELECT coalesce(sum(n), 0) FROM held)
			    ELSE coalesce((SELECT n FROM held WHERE held.lv = p.lv), 0) END AS cards,
		       coalesce(m.upgrades, 0) AS upgrades, coalesce(m.downgrades, 0) AS downgrades,
		       coalesce(m.overrides, 0) AS overrides, coalesce(m.lapsed, 0) AS lapsed,
		       coalesce(m.left_level, 0) AS left_level,
		       coalesce((SELECT n FROM pinned WHERE pinned.lv = p.lv), 0) AS active_overrides
		  FROM per_level p LEFT JOIN moved m ON m.lv IS NOT DISTINCT FROM p.lv
	)
	SELECT x.lv, x.name, x.cards, x.up, x.down, x.ov, x.lapsed, x.left_level, x.pinned, x.total
	  FROM (
		SELECT r.lv, r.name, r.cards::bigint, r.upgrades, r.downgrades, r.overrides, r.lapsed,
		       r.left_level, r.active_overrides::bigint, false, r.sequence
		  FROM rows r
		UNION ALL
		SELECT 'total', NULL, sum(r.cards)::bigint, sum(r.upgrades)::bigint,
		       sum(r.downgrades)::bigint, sum(r.overrides)::bigint, sum(r.lapsed)::bigint,
		       sum(r.left_level)::bigint, sum(r.active_overrides)::bigint, true, NULL
		  FROM rows r
	) x (lv, name, cards, up, down, ov, lapsed, left_level, pinned, total, seq)
	 ORDER BY x.total, x.seq;
END
$$;
