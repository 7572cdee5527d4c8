-- The promotions report: per program, the orders it applied to, the
-- discount it gave and the points it issued.  An order records the
-- programs that applied to it in orders.detail (engine/aba_order.c):
--   {"programs": [{"id", "discount", "points", "points_spent"}, ...], ...}
-- with each program's own discount and points, hundredths.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- Orders from p_from's UTC day to p_to's, by the time of the order, one
-- row per program that applied to at least one of them (in program
-- sequence order; a program no longer stored keeps its id, without a
-- name): orders, of them refunded in full or in part since, discount
-- given, points issued (each program's points as the order recorded them,
-- floored on their own, so they may sum to a hundredth or so less than
-- the order earned in all), and points spent on per-point rewards.  The
-- total row counts each order once, however many programs it had.
CREATE FUNCTION report_promotions(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (program text, program_name text, program_type text, orders bigint,
	       refunded bigint, discount bigint, points bigint, points_spent bigint,
	       total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	t1 timestamptz := utc_start(utc_day(p_from));
	t2 timestamptz := utc_start(utc_day(p_to) + 1);
BEGIN
	RETURN QUERY
	WITH applied AS (
		SELECT o.id AS order_id, o.state <> 'posted' AS refunded, e.value ->> 'id' AS program,
		       coalesce((e.value ->> 'discount')::bigint, 0) AS discount,
		       coalesce((e.value ->> 'points')::bigint, 0) AS points,
		       coalesce((e.value ->> 'points_spent')::bigint, 0) AS points_spent
		  FROM orders o
		  CROSS JOIN LATERAL jsonb_array_elements(
			CASE WHEN jsonb_typeof(o.detail -> 'programs') = 'array'
			     THEN o.detail -> 'programs' ELSE '[]' END) e
		 WHERE o.ordered_at >= t1 AND o.ordered_at < t2
	), per_program AS (
		SELECT a.program, count(DISTINCT a.order_id) AS orders,
		       count(DISTINCT a.order_id) FILTER (WHERE a.refunded) AS refunded,
		       sum(a.discount) AS discount, sum(a.points) AS points,
		       sum(a.points_spent) AS points_spent
		  FROM applied a GROUP BY a.program
	)
	SELECT x.program, x.name, x.ptype, x.orders, x.refunded, x.discount, x.points,
	       x.points_spent, x.total
	  FROM (
		SELECT pp.program, pr.name, pr.program_type AS ptype, pp.orders, pp.refunded,
		       pp.discount::bigint, pp.points::bigint, pp.points_spent::bigint, false AS total,
		       pr.sequence
		  FROM per_program pp LEFT JOIN programs pr ON pr.id = pp.program
		UNION ALL
		SELECT 'total', NULL, NULL, count(DISTINCT a.order_id),
		       count(DISTINCT a.order_id) FILTER (WHERE a.refunded),
		       coalesce(sum(a.discount), 0)::bigint, coalesce(sum(a.points), 0)::bigint,
		       coalesce(sum(a.points_spent), 0)::bigint, true, NULL
		  FROM applied a
	) x
	 ORDER BY x.total, x.sequence NULLS LAST, x.program;
END
$$;
