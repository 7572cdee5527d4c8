-- membership on a large ledger: a year of 700,000 level changes took 2.7 to
-- 7 s, most of it one index probe per change to see whether another
-- period ended (or started) at the same instant.  The level-to-level
-- moves are now one hash join of the periods that start in the window
-- with those that end in it, and the indexes cover what the report reads.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

DROP INDEX level_history_from_idx, level_history_to_idx;
CREATE INDEX level_history_from_idx ON level_history (valid_from)
	INCLUDE (card_id, level_code, change);
CREATE INDEX level_history_to_idx ON level_history (valid_to) INCLUDE (card_id, level_code, change)
	WHERE valid_to IS NOT NULL;

-- As 044: a period starting in the window is a move into its level; one
-- ending there is a move out of its level.  A start and an end of the
-- same card at the same instant are one move from level to level; a start
-- alone comes from no level, an end alone goes to no level (by a lapsed
-- override if the period was an override, else by a downgrade).
CREATE OR REPLACE FUNCTION report_membership(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (level_code text, level_name text, cards bigint, upgrades bigint,
	       downgrades bigint, overrides bigint, lapsed bigint, left_level bigint,
	       active_overrides bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off SET work_mem = '64MB' AS $$
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
	), starts AS (
		-- each pass below reads only the covering index
		SELECT h.level_code AS lv, h.change, count(*) AS n FROM level_history h
		 WHERE h.valid_from >= t1 AND h.valid_from < t2
		 GROUP BY h.level_code, h.change
	), ends AS (
		SELECT h.level_code AS lv, h.change = 'override' AS ov, count(*) AS n FROM level_history h
		 WHERE h.valid_to >= t1 AND h.valid_to < t2
		 GROUP BY h.level_code, h.change = 'override'
	), linked AS (
		-- level to level, counted by how the ending period began
		SELECT e.change = 'override' AS ov, count(*) AS n
		  FROM level_history e JOIN level_history s ON s.card_id = e.card_id AND s.valid_from = e.valid_to
		 WHERE e.valid_to >= t1 AND e.valid_to < t2 AND s.valid_from >= t1 AND s.valid_from < t2
		 GROUP BY e.change = 'override'
	), moved AS (
		SELECT s.lv, sum(s.n) FILTER (WHERE s.change = 'upgrade') AS upgrades,
		       sum(s.n) FILTER (WHERE s.change = 'downgrade') AS downgrades,
		       sum(s.n) FILTER (WHERE s.change = 'override') AS overrides,
		       sum(s.n) FILTER (WHERE s.change = 'override_lapsed') AS lapsed, 0 AS left_level
		  FROM starts s GROUP BY s.lv
		UNION ALL
		SELECT e.lv, 0, 0, 0, 0, sum(e.n) FROM ends e GROUP BY e.lv
		UNION ALL	-- no level: the ends alone in, the starts alone out
		SELECT NULL, 0,
		       (SELECT coalesce(sum(n), 0) FROM ends WHERE NOT ov)
			- (SELECT coalesce(sum(n), 0) FROM linked WHERE NOT ov),
		       0,
		       (SELECT coalesce(sum(n), 0) FROM ends WHERE ov)
			- (SELECT coalesce(sum(n), 0) FROM linked WHERE ov),
		       (SELECT coalesce(sum(n), 0) FROM starts) - (SELECT coalesce(sum(n), 0) FROM linked)
	), per_level_moves AS (
		SELECT m.lv, sum(m.upgrades) AS upgrades, sum(m.downgrades) AS downgrades,
		       sum(m.overrides) AS overrides, sum(m.lapsed) AS lapsed,
		       sum(m.left_level) AS left_level
		  FROM moved m GROUP BY m.lv
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
		  FROM per_level p LEFT JOIN per_level_moves m ON m.lv IS NOT DISTINCT FROM p.lv
	)
	SELECT x.lv, x.name, x.cards, x.up, x.down, x.ov, x.lapsed, x.left_level, x.pinned, x.total
	  FROM (
		SELECT r.lv, r.name, r.cards::bigint, r.upgrades::bigint, r.downgrades::bigint,
		       r.overrides::bigint, r.lapsed::bigint, r.left_level::bigint,
		       r.active_overrides::bigint, false, r.sequence
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
