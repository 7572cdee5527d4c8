-- promotions on a large ledger: reading every order's detail took 3.5 s
-- for a month of 2M orders and 16 s for a year.  Now `aba report refresh`
-- folds each order's programs into a summary per day and program, like
-- the summaries of 040, up to its own watermark; a report adds the orders
-- above it live.  Whether an order was refunded since changes, so that is
-- read live, from the few orders that have refunds.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

ALTER TABLE report_watermarks DROP CONSTRAINT report_watermarks_name_check,
	ADD CONSTRAINT report_watermarks_name_check CHECK (name IN ('history', 'orders', 'programs'));
INSERT INTO report_watermarks (name) VALUES ('programs');

-- Per UTC day of the order and program; program '' counts the orders that
-- had any program (each once).
CREATE TABLE report_day_programs (
	day date NOT NULL,
	program text NOT NULL,
	orders bigint NOT NULL,
	discount bigint NOT NULL,
	points bigint NOT NULL,
	points_spent bigint NOT NULL,
	PRIMARY KEY (day, program)
);

-- The programs an order recorded (engine/aba_order.c):
--   detail {"programs": [{"id", "discount", "points", "points_spent"}, ...]}
CREATE FUNCTION report_order_programs(p_detail jsonb)
RETURNS TABLE (program text, discount bigint, points bigint, points_spent bigint)
LANGUAGE sql IMMUTABLE AS $$
	SELECT e ->> 'id', coalesce((e ->> 'discount')::bigint, 0),
	       coalesce((e ->> 'points')::bigint, 0), coalesce((e ->> 'points_spent')::bigint, 0)
	  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_detail -> 'programs') = 'array'
					 THEN p_detail -> 'programs' ELSE '[]' END) e
$$;

-- Step 3 of a refresh, after report_refresh_roll: the orders watermark is
-- a clean cut (every order up to it committed), so this one follows it.
CREATE FUNCTION report_refresh_programs() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp SET jit = off AS $$
DECLARE
	w report_watermarks;
	cut bigint := report_upto('orders');
BEGIN
	SELECT * INTO w FROM report_watermarks WHERE name = 'programs' FOR UPDATE;
	IF cut > w.upto THEN
		INSERT INTO report_day_programs AS f (day, program, orders, discount, points, points_spent)
		SELECT utc_day(o.ordered_at), CASE WHEN grouping(e.program) = 1 THEN '' ELSE e.program END,
		       count(DISTINCT o.id), sum(e.discount), sum(e.points), sum(e.points_spent)
		  FROM orders o CROSS JOIN LATERAL report_order_programs(o.detail) e
		 WHERE o.id > w.upto AND o.id <= cut
		 GROUP BY GROUPING SETS ((utc_day(o.ordered_at), e.program), (utc_day(o.ordered_at)))
		ON CONFLICT (day, program) DO UPDATE
			SET orders = f.orders + EXCLUDED.orders, discount = f.discount + EXCLUDED.discount,
			    points = f.points + EXCLUDED.points,
			    points_spent = f.points_spent + EXCLUDED.points_spent;
		UPDATE report_watermarks SET upto = cut, pending = cut, refreshed_at = now()
		 WHERE name = 'programs';
	END IF;
	RETURN jsonb_build_object('orders', cut);
END
$$;

CREATE OR REPLACE FUNCTION report_promotions(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (program text, program_name text, program_type text, orders bigint,
	       refunded bigint, discount bigint, points bigint, points_spent bigint,
	       total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	d1 date := utc_day(p_from);
	d2 date := utc_day(p_to);
	t1 timestamptz := utc_start(utc_day(p_from));
	t2 timestamptz := utc_start(utc_day(p_to) + 1);
	w bigint := report_upto('programs');
BEGIN
	RETURN QUERY
	WITH flow AS (
		SELECT f.program, f.orders, f.discount, f.points, f.points_spent
		  FROM report_day_programs f WHERE f.day BETWEEN d1 AND d2
		UNION ALL
		SELECT CASE WHEN grouping(e.program) = 1 THEN '' ELSE e.program END,
		       count(DISTINCT o.id), sum(e.discount), sum(e.points), sum(e.points_spent)
		  FROM orders o CROSS JOIN LATERAL report_order_programs(o.detail) e
		 WHERE o.id > w AND o.ordered_at >= t1 AND o.ordered_at < t2
		 GROUP BY GROUPING SETS ((e.program), ())
	), refunded AS (
		SELECT CASE WHEN grouping(e.program) = 1 THEN '' ELSE e.program END AS program,
		       count(DISTINCT o.id) AS n
		  FROM orders o CROSS JOIN LATERAL report_order_programs(o.detail) e
		 WHERE o.id IN (SELECT r.order_id FROM order_refunds r)
		   AND o.state <> 'posted' AND o.ordered_at >= t1 AND o.ordered_at < t2
		 GROUP BY GROUPING SETS ((e.program), ())
	), per_program AS (
		SELECT f.program, sum(f.orders) AS orders, sum(f.discount) AS discount,
		       sum(f.points) AS points, sum(f.points_spent) AS points_spent
		  FROM flow f GROUP BY f.program
	)
	SELECT x.program, x.name, x.ptype, x.orders, x.refunded, x.discount, x.points,
	       x.points_spent, x.total
	  FROM (
		SELECT CASE WHEN pp.program = '' THEN 'total' ELSE pp.program END AS program,
		       pr.name, pr.program_type AS ptype, pp.orders::bigint,
		       coalesce((SELECT r.n FROM refunded r WHERE r.program = pp.program), 0)::bigint
			AS refunded,
		       pp.discount::bigint, pp.points::bigint, pp.points_spent::bigint,
		       pp.program = '' AS total, pr.sequence
		  FROM per_program pp LEFT JOIN programs pr ON pr.id = pp.program
		UNION ALL	-- no order in the period: a total of 0 all the same
		SELECT 'total', NULL, NULL, 0, 0, 0, 0, 0, true, NULL
		 WHERE NOT EXISTS (SELECT 1 FROM per_program WHERE per_program.program = '')
	) x
	 ORDER BY x.total, x.sequence NULLS LAST, x.program;
END
$$;
