-- Summaries that keep reports fast on a large ledger, and the refresh that
-- maintains them.
--
-- Each summary holds the ledger rows up to a watermark (the highest
-- point_history / orders id folded in so far); a report adds the rows
-- above the watermark live, through the primary key.  So a report is exact
-- whenever it runs, a refresh only makes it faster, and a summary never
-- needs to be rebuilt: history and lot movements are append-only.
--
-- Days are UTC dates of the business time (point_history.at,
-- orders.ordered_at).  A lot without expiry has exp_day 'infinity'; a lot
-- without level has level_code ''.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE report_watermarks (
	name text PRIMARY KEY CHECK (name IN ('history', 'orders')),
	upto bigint NOT NULL DEFAULT 0,		-- every id <= upto is summarised
	pending bigint NOT NULL DEFAULT 0,	-- committed ids up to here, marked for the next roll
	refreshed_at timestamptz
);
INSERT INTO report_watermarks (name) VALUES ('history'), ('orders');

-- Lot movements by day, lot expiry day and lot level: what liability sums.
CREATE TABLE report_lot_flow (
	day date NOT NULL,
	exp_day date NOT NULL,
	level_code text NOT NULL,
	amount bigint NOT NULL,
	PRIMARY KEY (day, exp_day, level_code)
);
CREATE INDEX report_lot_flow_exp_idx ON report_lot_flow (exp_day, day);

-- History by day, kind and sign of delta: what activity sums.
CREATE TABLE report_day_flow (
	day date NOT NULL,
	kind text NOT NULL,
	sign smallint NOT NULL CHECK (sign IN (-1, 1)),
	amount bigint NOT NULL,
	entries bigint NOT NULL,
	PRIMARY KEY (day, kind, sign)
);

-- Orders by day of order time.
CREATE TABLE report_day_orders (
	day date PRIMARY KEY,
	orders bigint NOT NULL,
	total_base bigint NOT NULL,
	total_discount bigint NOT NULL
);

-- Liability as of a past time must find the lots that expire on its day
-- (whatever their state now) without reading every lot.
CREATE INDEX point_moves_expiry_idx ON point_moves (expires_at);

CREATE FUNCTION utc_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
	SELECT (t AT TIME ZONE 'UTC')::date
$$;

CREATE FUNCTION utc_start(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
	SELECT d::timestamp AT TIME ZONE 'UTC'
$$;

-- Step 1 of a refresh, its own short transaction: waits until no posting
-- is in flight (SHARE conflicts with the ROW EXCLUSIVE every insert
-- holds), so every id up to the maximum is committed, and marks those ids
-- for step 2.  New postings wait only for this instant.
CREATE FUNCTION report_refresh_mark() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	h bigint;
	o bigint;
BEGIN
	LOCK TABLE point_history, orders IN SHARE MODE;
	h := coalesce((SELECT max(id) FROM point_history), 0);
	o := coalesce((SELECT max(id) FROM orders), 0);
	UPDATE report_watermarks SET pending = greatest(pending, h) WHERE name = 'history';
	UPDATE report_watermarks SET pending = greatest(pending, o) WHERE name = 'orders';
	RETURN jsonb_build_object('history', h, 'orders', o);
END
$$;

-- Step 2: folds the marked rows into the summaries.  Concurrent refreshes
-- queue on the watermark rows; a second one finds nothing left to do.
CREATE FUNCTION report_refresh_roll() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	wh report_watermarks;
	wo report_watermarks;
	nh bigint := 0;
	no bigint := 0;
BEGIN
	SELECT * INTO wh FROM report_watermarks WHERE name = 'history' FOR UPDATE;
	SELECT * INTO wo FROM report_watermarks WHERE name = 'orders' FOR UPDATE;
	IF wh.pending > wh.upto THEN
		INSERT INTO report_lot_flow AS f (day, exp_day, level_code, amount)
		SELECT utc_day(h.at), coalesce(utc_day(l.expires_at), 'infinity'),
		       coalesce(l.level_code, ''), sum(m.amount)
		  FROM point_history h
		  JOIN lot_movements m ON m.history_id = h.id
		  JOIN point_moves l ON l.id = m.lot_id
		 WHERE h.id > wh.upto AND h.id <= wh.pending
		 GROUP BY 1, 2, 3
		ON CONFLICT (day, exp_day, level_code) DO UPDATE SET amount = f.amount + EXCLUDED.amount;
		INSERT INTO report_day_flow AS f (day, kind, sign, amount, entries)
		SELECT utc_day(at), kind, CASE WHEN delta > 0 THEN 1 ELSE -1 END, sum(delta), count(*)
		  FROM point_history
		 WHERE id > wh.upto AND id <= wh.pending
		 GROUP BY 1, 2, 3
		ON CONFLICT (day, kind, sign) DO UPDATE
			SET amount = f.amount + EXCLUDED.amount, entries = f.entries + EXCLUDED.entries;
		nh := wh.pending - wh.upto;
		UPDATE report_watermarks SET upto = pending, refreshed_at = now() WHERE name = 'history';
	END IF;
	IF wo.pending > wo.upto THEN
		INSERT INTO report_day_orders AS f (day, orders, total_base, total_discount)
		SELECT utc_day(ordered_at), count(*), sum(total_base), sum(total_discount)
		  FROM orders
		 WHERE id > wo.upto AND id <= wo.pending
		 GROUP BY 1
		ON CONFLICT (day) DO UPDATE
			SET orders = f.orders + EXCLUDED.orders, total_base = f.total_base + EXCLUDED.total_base,
			    total_discount = f.total_discount + EXCLUDED.total_discount;
		no := wo.pending - wo.upto;
		UPDATE report_watermarks SET upto = pending, refreshed_at = now() WHERE name = 'orders';
	END IF;
	RETURN jsonb_build_object('history', wh.pending, 'orders', wo.pending,
				  'history_rows', nh, 'order_rows', no);
END
$$;
