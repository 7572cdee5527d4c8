-- post_orders: many already-evaluated orders in one statement (issue 4:
-- bulk offline import, `aba order post` of a file, the demo seeder).
--
-- Each order keeps everything post_order guarantees: its ref is its own
-- idempotency key (a replay returns the first result, other content is
-- refused), it earns at the level valid at its time, its card is locked,
-- it writes its outbox event in the same transaction, an order that moves
-- its card up upgrades it just after itself, and a bad order writes
-- nothing.  The batch's cards are locked once, in id order.  Every order
-- gets one row back: result (posted or replayed), or state 'level' (the
-- card's level at the order's time is not the one it was evaluated with:
-- evaluate again and resubmit), 'held' (an earlier order of the same card
-- or ref was sent back: resubmit after it, so that each card's orders post
-- in the order given), or the SQLSTATE and message post_order raised.
--
-- Most orders take the set-based path, card by card: a card whose orders
-- in the batch all pass post_order's checks and of which at most one
-- spends points, the first (FEFO then needs no lot another order of the
-- batch changes or adds).  Its orders are written with one statement per table, exactly
-- as post_order would write them one after another: PostgreSQL's
-- per-statement cost (plans, constraint expressions, index opening) was
-- nearly all of an order's time.  Upgrades are decided set-based too
-- (upgrade_after_order's rule, order by order, from the spend each order
-- brings the card to): a card that cannot reach an upgradable level above
-- its own needs no spend at all; one whose orders come in rising time
-- gets its spend summed per order, and posts up to and including the
-- first order that moves it up.  Its next order was evaluated at the old
-- level, so it comes back 'level' (the rest 'held'), as post_order would
-- refuse it.  A card whose orders are all replays of their first posting
-- gets its first results back without writing anything.  Every other
-- card's orders go through post_order itself, in the order given.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- The level each order of a batch earns at and its multiplier, in the
-- order asked: [[card, at], ...].  What the engine reads before evaluating
-- the carts; order_level for a whole batch in one statement (a function
-- call per order, with its search_path switch, cost more than the lookup).
-- An unknown card has no level (post_orders reports it).
CREATE FUNCTION order_levels(p_orders jsonb)
RETURNS TABLE (n integer, level text, earn_multiplier integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT e.n::integer, h.level_code, coalesce(l.earn_multiplier, 10000)
	  FROM jsonb_array_elements(p_orders) WITH ORDINALITY AS e(v, n)
	  LEFT JOIN cards c ON c.code = e.v ->> 0
	  LEFT JOIN LATERAL (SELECT level_code FROM level_history
			      WHERE card_id = c.id AND valid_from <= (e.v ->> 1)::timestamptz
				AND (valid_to IS NULL OR valid_to > (e.v ->> 1)::timestamptz)
			      ORDER BY valid_from DESC LIMIT 1) h ON true
	  LEFT JOIN levels l ON l.code = h.level_code
	 ORDER BY e.n
$$;

-- One order of a batch as the engine sent it, what the checks found (how
-- it posts: simple set-based, upgraded_to set when it moves its card up;
-- deferred 'level' or 'held', or refused with that SQLSTATE and message;
-- replayed with its first result), and for the
-- set-based path the ids and balance it gets (the card's balance before
-- the batch until planned).
CREATE TYPE order_batch_item AS (
	n integer, card_id bigint, card text, active boolean, ref text, at timestamptz,
	request jsonb, level text, total_base bigint, total_discount bigint, total_net bigint,
	earn bigint, redeem bigint, validity_days integer, pos text, offline boolean, detail jsonb,
	input_ok boolean, simple boolean, upgraded_to text, up_spend bigint, deferred text,
	message text, replayed jsonb,
	posting_id bigint, redeem_hid bigint, earn_hid bigint, lot_id bigint, event_id bigint,
	balance bigint, result jsonb);

-- n ids of a sequence, ascending, to hand out in an order of our choosing.
CREATE FUNCTION take_ids(p_seq regclass, p_n bigint) RETURNS bigint[]
LANGUAGE sql AS $$
	SELECT coalesce(array_agg(id ORDER BY id), '{}')
	  FROM (SELECT nextval(p_seq) AS id FROM generate_series(1, p_n)) s
$$;

-- Reads the batch, applies post_order's checks (under the card locks) and
-- sorts the cards: 'replay' (all its orders are replays), 'short' (its
-- one order spends more points than the card has then: refused as
-- post_order would), 'plain' (set-based, no upgrade possible: the batch's
-- spend plus the card's spend over the longest window stays below every
-- upgradable level above its own), 'climb' (set-based, spend summed per
-- order), or none (post_order).  No function is called per order: each
-- call cost more than its lookup.
CREATE FUNCTION order_batch_read(p_orders jsonb) RETURNS order_batch_item[]
LANGUAGE sql AS $$
WITH o AS (
	-- narrow rows: the request and detail are taken from p_orders at the
	-- end (copying them through every step was most of the read's time)
	SELECT e.n::integer AS n, c.id AS card_id, c.code AS found_code, c.active,
	       c.balance AS card_balance, r.*,
	       (r.ref IS NOT NULL AND length(r.ref) BETWEEN 1 AND 200 AND r.at IS NOT NULL
		AND e.v ? 'request' AND jsonb_typeof(e.v -> 'request') <> 'null'
		AND r.total_base >= 0 AND r.total_discount >= 0
		AND r.total_net >= 0 AND r.earn >= 0 AND r.redeem >= 0
		AND r.total_net = r.total_base - r.total_discount
		AND (r.pos IS NULL OR length(r.pos) BETWEEN 1 AND 100)
		AND (r.validity_days IS NULL OR r.validity_days > 0)) AS input_ok,
	       count(*) OVER (PARTITION BY r.ref) AS ref_uses
	  FROM jsonb_array_elements(p_orders) WITH ORDINALITY AS e(v, n)
	 CROSS JOIN LATERAL jsonb_to_record(e.v) AS r(ref text, card text, at timestamptz,
		level text, total_base bigint, total_discount bigint, total_net bigint,
		earn bigint, redeem bigint, validity_days integer, pos text, offline boolean)
	  LEFT JOIN cards c ON c.code = r.card
), looked AS (
	-- level_at, available_points and begin_posting's replay test, inline
	SELECT o.*, coalesce(o.input_ok AND o.card_id IS NOT NULL AND o.active AND o.ref_uses = 1,
			     false) AS usable,
	       prev.id AS prev_id,
	       CASE WHEN prev.id IS NOT NULL THEN
		coalesce(prev.kind = 'order' AND prev.card_id = o.card_id
			 AND prev.request = p_orders -> (o.n - 1) -> 'request', false) END AS same,
	       (SELECT h.level_code FROM level_history h
		 WHERE h.card_id = o.card_id AND h.valid_from <= o.at
		   AND (h.valid_to IS NULL OR h.valid_to > o.at)
		 ORDER BY h.valid_from DESC LIMIT 1) AS valid_level,
	       CASE WHEN o.redeem > 0 THEN
		(SELECT coalesce(sum(m.remaining), 0) FROM point_moves m
		  WHERE m.card_id = o.card_id AND m.state = 'active' AND m.gained_at <= o.at
		    AND (m.expires_at IS NULL OR m.expires_at > o.at)) END AS avail,
	       lag(o.at) OVER (PARTITION BY o.card_id ORDER BY o.n) AS prev_at
	  FROM o LEFT JOIN postings prev ON prev.key = o.ref
), checked AS (
	SELECT k.*, k.usable AND k.prev_id IS NULL AND k.level IS NOT DISTINCT FROM k.valid_level
		    AND (k.redeem = 0 OR k.avail >= k.redeem) AS fine,
	       k.usable AND k.prev_id IS NOT NULL AND k.same AS replay_ok
	  FROM looked k
), ladder AS (
	-- for a card at each level (or none), the lowest threshold and the
	-- longest and shortest window of the upgradable levels above it
	SELECT f.sequence, min(p.threshold) AS threshold, max(p.window_days) AS days,
	       make_interval(days => min(p.window_days)) AS shortest
	  FROM (SELECT sequence FROM levels UNION ALL SELECT -1) f
	  LEFT JOIN levels l ON l.sequence > f.sequence
	  LEFT JOIN level_paths p ON p.level_code = l.code AND p.upgradable
	 GROUP BY f.sequence
), per_card AS (
	SELECT k.card_id, bool_and(k.fine) AS fine, bool_and(k.replay_ok) AS replays,
	       count(*) AS orders, count(*) FILTER (WHERE k.redeem > 0) AS redeeming,
	       bool_and(k.redeem = 0 OR k.prev_at IS NULL) AS redeems_first,
	       bool_and(k.usable AND k.prev_id IS NULL AND k.level IS NOT DISTINCT FROM k.valid_level
			AND k.redeem > k.avail) AS short,
	       bool_and(k.prev_at IS NULL OR k.at > k.prev_at) AS rising, min(k.at) AS min_at,
	       max(k.at) AS max_at, sum(k.total_net) AS net, min(coalesce(l.sequence, -1)) AS min_seq
	  FROM checked k LEFT JOIN levels l ON l.code = k.level
	 WHERE k.card_id IS NOT NULL
	 GROUP BY k.card_id
), kinds AS (
	SELECT pc.card_id,
	       CASE WHEN pc.replays THEN 'replay'
		    WHEN pc.orders = 1 AND pc.short THEN 'short'
		    WHEN NOT pc.fine OR pc.redeeming > 1 OR NOT pc.redeems_first THEN NULL
		    WHEN up.threshold IS NULL
			 OR pc.net + (SELECT coalesce(sum(x.total_net - x.refunded_amount), 0) FROM orders x
				       WHERE x.card_id = pc.card_id AND x.ordered_at <= pc.max_at
					 AND x.ordered_at > pc.min_at - make_interval(days => up.days))
			    < up.threshold THEN 'plain'
		    WHEN pc.rising AND pc.max_at - pc.min_at < up.shortest - interval '1 microsecond'
			 THEN 'climb'
	       END AS kind
	  FROM per_card pc
	  LEFT JOIN ladder up ON up.sequence = pc.min_seq
), climb AS MATERIALIZED (
	-- upgrade_after_order looks just after each order; the batch's spend
	-- of the card up to there is a running sum (its orders rise in time
	-- and lie within the shortest window of each other)
	SELECT k.n, k.card_id, k.at + interval '1 microsecond' AS t,
	       sum(k.total_net) OVER (PARTITION BY k.card_id ORDER BY k.n) AS batch_spend,
	       row_number() OVER (PARTITION BY k.card_id ORDER BY k.n) AS rank
	  FROM checked k JOIN kinds d ON d.card_id = k.card_id AND d.kind = 'climb'
), moves AS (
	-- the orders that would move their card up, were they the first of the
	-- batch to: the highest upgradable level the spend reaches, above the
	-- card's level, not in the future, after every level change and order
	-- of the card, no override in force or open
	SELECT c.n, c.card_id, c.rank, r.code, r.spend
	  FROM climb c
	 CROSS JOIN LATERAL (
		SELECT l.code, l.sequence, s.spend
		  FROM (SELECT w.days, c.batch_spend
				+ (SELECT coalesce(sum(x.total_net - x.refunded_amount), 0) FROM orders x
				    WHERE x.card_id = c.card_id AND x.ordered_at <= c.t
				      AND x.ordered_at > c.t - make_interval(days => w.days)) AS spend
			  FROM (SELECT DISTINCT window_days AS days FROM level_paths
				 WHERE upgradable) w) s
		  JOIN level_paths p ON p.window_days = s.days AND p.upgradable
				    AND s.spend >= p.threshold
		  JOIN levels l ON l.code = p.level_code
		 ORDER BY l.sequence DESC LIMIT 1) r
	 WHERE c.t <= now()
	   AND r.sequence > coalesce((SELECT v.sequence FROM level_history h
				       JOIN levels v ON v.code = h.level_code
				      WHERE h.card_id = c.card_id AND h.valid_to IS NULL), -1)
	   AND c.t > (SELECT coalesce(max(greatest(h.valid_from, h.valid_to)), '-infinity')
			FROM level_history h WHERE h.card_id = c.card_id)
	   AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.card_id = c.card_id AND x.ordered_at >= c.t)
	   AND NOT EXISTS (SELECT 1 FROM level_history h
			    WHERE h.card_id = c.card_id AND h.valid_to IS NULL AND h.change = 'override')
	   AND NOT EXISTS (SELECT 1 FROM level_overrides v
			    WHERE v.card_id = c.card_id AND v.valid_from <= c.t AND v.valid_until > c.t)
), first_move AS (
	SELECT DISTINCT ON (card_id) card_id, n, rank, code, spend FROM moves ORDER BY card_id, n
)
SELECT coalesce(array_agg(ROW(k.n, k.card_id, coalesce(k.found_code, k.card), k.active, k.ref,
	k.at, nullif(p_orders -> (k.n - 1) -> 'request', 'null'), k.level, k.total_base, k.total_discount,
	k.total_net, k.earn, k.redeem, k.validity_days, k.pos, coalesce(k.offline, false),
	coalesce(nullif(p_orders -> (k.n - 1) -> 'detail', 'null'), '{}'),
	coalesce(k.input_ok, false),
	coalesce(d.kind = 'plain' OR (d.kind = 'climb' AND (m.n IS NULL OR k.n <= m.n)), false),
	CASE WHEN k.n = m.n THEN m.code END, CASE WHEN k.n = m.n THEN m.spend END,
	CASE WHEN c.rank = m.rank + 1 THEN 'level' WHEN c.rank > m.rank + 1 THEN 'held'
	     WHEN d.kind = 'short' THEN 'AB402' END,
	CASE WHEN d.kind = 'short' THEN
		format('card ''%s'' has %s points available, order ''%s'' spends %s', k.found_code,
		       fmt_points(k.avail), k.ref, fmt_points(k.redeem)) END,
	CASE WHEN d.kind = 'replay' THEN
		(SELECT pr.result || '{"replay": true}' FROM postings pr WHERE pr.id = k.prev_id) END,
	NULL, NULL, NULL, NULL, NULL, k.card_balance, NULL)::order_batch_item ORDER BY k.n), '{}')
  FROM checked k
  LEFT JOIN kinds d ON d.card_id = k.card_id
  LEFT JOIN climb c ON c.n = k.n
  LEFT JOIN first_move m ON m.card_id = k.card_id
$$;

-- The set-based path's plan: ids handed out in each card's order of
-- posting (history and outbox are read in id order per card), the
-- balance after each order, and the result post_order would return.
CREATE FUNCTION order_batch_plan(p_items order_batch_item[]) RETURNS order_batch_item[]
LANGUAGE plpgsql AS $$
DECLARE
	simple order_batch_item[] := ARRAY(SELECT s FROM unnest(p_items) s WHERE s.simple
					    ORDER BY s.card_id, s.n);
	k bigint := cardinality(simple);
	posting_ids bigint[] := take_ids('postings_id_seq', k);
	event_ids bigint[] := take_ids('outbox_id_seq', k);
	lot_ids bigint[] := take_ids('point_moves_id_seq',
				     (SELECT count(*) FROM unnest(simple) WHERE earn > 0));
	hids bigint[] := take_ids('point_history_id_seq',
				  (SELECT count(*) FILTER (WHERE redeem > 0) + count(*) FILTER (WHERE earn > 0)
				     FROM unnest(simple)));
	planned order_batch_item[];
BEGIN
	SELECT coalesce(array_agg(ROW(i.n, i.card_id, i.card, i.active, i.ref, i.at, i.request,
		i.level, i.total_base, i.total_discount, i.total_net, i.earn, i.redeem,
		i.validity_days, i.pos, i.offline, i.detail, i.input_ok, i.simple, i.upgraded_to,
		i.up_spend, i.deferred, i.message, i.replayed, i.posting_id, i.redeem_hid, i.earn_hid,
		i.lot_id,
		i.event_id, i.balance,
		jsonb_build_object('kind', 'order', 'order', i.ref, 'card', i.card, 'level', i.level,
			'total_base', i.total_base, 'total_discount', i.total_discount,
			'total_net', i.total_net, 'points_earned', i.earn, 'points_redeemed', i.redeem,
			'upgraded_to', i.upgraded_to, 'offline', i.offline, 'balance', i.balance,
			'posting', i.posting_id, 'replay', false))::order_batch_item ORDER BY i.pos_in), '{}')
	  INTO planned
	  FROM (SELECT s.*, posting_ids[s.pos_in::integer] AS posting_id,
		       event_ids[s.pos_in::integer] AS event_id,
		       CASE WHEN s.redeem > 0 THEN hids[s.entries_before::integer + 1] END AS redeem_hid,
		       CASE WHEN s.earn > 0 THEN hids[s.entries_before::integer + 1 + (s.redeem > 0)::integer] END
			 AS earn_hid,
		       CASE WHEN s.earn > 0 THEN lot_ids[s.lots_upto::integer] END AS lot_id,
		       s.start + sum(s.earn - s.redeem) OVER (PARTITION BY s.card_id ORDER BY s.pos_in)
			 AS balance
		  FROM (SELECT u.n, u.card_id, u.card, u.active, u.ref, u.at, u.request, u.level,
			       u.total_base, u.total_discount, u.total_net, u.earn, u.redeem,
			       u.validity_days, u.pos, u.offline, u.detail, u.input_ok, u.simple,
			       u.upgraded_to, u.up_spend, u.deferred, u.message, u.replayed,
			       u.balance AS start,
			       u.ordinality AS pos_in,
			       coalesce(sum((u.redeem > 0)::integer + (u.earn > 0)::integer)
					OVER (ORDER BY u.ordinality ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
					0) AS entries_before,
			       count(*) FILTER (WHERE u.earn > 0) OVER (ORDER BY u.ordinality) AS lots_upto
			  FROM unnest(simple) WITH ORDINALITY AS u) s) i;
	RETURN planned;
END
$$;

-- Writes the planned orders as post_order would, one statement per table:
-- postings with their results, history (each order's redemption, then its
-- earn), lots taken FEFO by a redemption, new lots, balances and levels,
-- orders and outbox events, then one NOTIFY (`aba sync run` reads what is
-- due).
CREATE FUNCTION order_batch_write(p_plan order_batch_item[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	-- the cards by id, so that their update takes the index (a join with
	-- the batch was planned as a scan of all cards)
	ids bigint[] := ARRAY(SELECT DISTINCT card_id FROM unnest(p_plan));
BEGIN
	IF cardinality(p_plan) = 0 THEN
		RETURN;
	END IF;
	INSERT INTO postings (id, card_id, key, kind, request, result)
	SELECT posting_id, card_id, ref, 'order', request, result FROM unnest(p_plan);
	INSERT INTO point_history (id, card_id, posting_id, kind, delta, balance_after, origin,
				   idempotency_key, level_code, at)
	SELECT redeem_hid, card_id, posting_id, 'redeem', -redeem, balance - earn, 'order', ref,
	       level, at
	  FROM unnest(p_plan) WHERE redeem > 0
	UNION ALL
	SELECT earn_hid, card_id, posting_id, 'earn', earn, balance, 'order', ref, level, at
	  FROM unnest(p_plan) WHERE earn > 0;
	-- A redemption is its card's first order in the batch, so its lots
	-- are as take_fefo would find them (the batch's new lots come after).
	WITH spendable AS (
		SELECT l.id, l.card_id, l.remaining, p.redeem, p.redeem_hid,
		       sum(l.remaining) OVER (PARTITION BY l.card_id
					      ORDER BY l.expires_at ASC NULLS LAST, l.gained_at, l.id)
			 - l.remaining AS before
		  FROM unnest(p_plan) p
		  JOIN point_moves l ON l.card_id = p.card_id AND l.state = 'active'
				    AND l.gained_at <= p.at
				    AND (l.expires_at IS NULL OR l.expires_at > p.at)
		 WHERE p.redeem > 0
	), taken AS (
		SELECT id, card_id, redeem_hid, least(remaining, redeem - before) AS amount
		  FROM spendable WHERE before < redeem
	), moved AS (
		UPDATE point_moves l
		   SET remaining = l.remaining - t.amount,
		       state = CASE WHEN l.remaining - t.amount > 0 THEN 'active' ELSE 'depleted' END
		  FROM taken t WHERE l.id = t.id
	)
	INSERT INTO lot_movements (card_id, history_id, lot_id, amount)
	SELECT card_id, redeem_hid, id, -amount FROM taken ORDER BY redeem_hid, id;
	-- New lots hold their points from the start; the earn movement records
	-- them, so a lot's movements still sum to its remaining.
	INSERT INTO point_moves (id, card_id, posting_id, gained_at, expires_at, initial, remaining,
				 state, origin, level_code)
	SELECT lot_id, card_id, posting_id, at,
	       ((at AT TIME ZONE 'UTC') + make_interval(days => validity_days)) AT TIME ZONE 'UTC',
	       earn, earn, 'active', 'order', level
	  FROM unnest(p_plan) WHERE earn > 0;
	INSERT INTO lot_movements (card_id, history_id, lot_id, amount)
	SELECT card_id, earn_hid, lot_id, earn FROM unnest(p_plan) WHERE earn > 0 ORDER BY earn_hid;
	-- change_level for the orders that move their card up (one a card):
	-- the open period ends and the new one starts just after the order.
	UPDATE cards c SET balance = c.balance + d.delta, level_code = coalesce(d.up, c.level_code)
	  FROM (SELECT card_id, sum(earn - redeem) AS delta, max(upgraded_to) AS up
		  FROM unnest(p_plan) GROUP BY card_id) d
	 WHERE c.id = ANY (ids) AND c.id = d.card_id AND (d.delta <> 0 OR d.up IS NOT NULL);
	UPDATE level_history h SET valid_to = p.at + interval '1 microsecond'
	  FROM unnest(p_plan) p
	 WHERE p.upgraded_to IS NOT NULL AND h.card_id = p.card_id AND h.valid_to IS NULL;
	INSERT INTO level_history (card_id, level_code, valid_from, change, spend)
	SELECT card_id, upgraded_to, at + interval '1 microsecond', 'upgrade', up_spend
	  FROM unnest(p_plan) WHERE upgraded_to IS NOT NULL ORDER BY card_id;
	INSERT INTO orders (ref, card_id, posting_id, ordered_at, pos, offline, level_code,
			    total_base, total_discount, total_net, points_earned, points_redeemed,
			    earned_lot_id, detail)
	SELECT ref, card_id, posting_id, at, pos, offline, level, total_base, total_discount,
	       total_net, earn, redeem, lot_id, detail
	  FROM unnest(p_plan) ORDER BY card_id, n;
	INSERT INTO outbox (id, card_id, posting_id, topic, payload)
	SELECT event_id, card_id, posting_id, 'order', result FROM unnest(p_plan);
	PERFORM pg_notify('aba_outbox', (SELECT max(event_id) FROM unnest(p_plan))::text);
END
$$;

-- One order of the batch that did not take the set-based path, through
-- post_order itself.  An order that may be refused (its card, key, input
-- or points say so) runs in a subtransaction, so that its error is
-- reported and nothing of it stays; any other error aborts the batch (the
-- engine then posts its orders one by one).
CREATE FUNCTION order_batch_one(o order_batch_item, OUT result jsonb, OUT state text,
				OUT message text)
LANGUAGE plpgsql AS $$
DECLARE
	refusable boolean := NOT o.input_ok OR o.card_id IS NULL OR NOT o.active
			     OR EXISTS (SELECT 1 FROM postings WHERE key = o.ref);
BEGIN
	IF NOT refusable AND o.level IS DISTINCT FROM level_at(o.card_id, o.at) THEN
		state := 'level';
		RETURN;
	END IF;
	IF refusable OR (o.redeem > 0 AND available_points(o.card_id, o.at) < o.redeem) THEN
		BEGIN
			result := post_order(o.ref, o.card, o.at, o.request, o.level, o.total_base,
					     o.total_discount, o.total_net, o.earn, o.redeem,
					     o.validity_days, o.pos, o.offline, o.detail);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
		END;
		RETURN;
	END IF;
	result := post_order(o.ref, o.card, o.at, o.request, o.level, o.total_base, o.total_discount,
			     o.total_net, o.earn, o.redeem, o.validity_days, o.pos, o.offline, o.detail);
END
$$;

CREATE FUNCTION post_orders(p_orders jsonb)
RETURNS TABLE (n integer, result jsonb, state text, message text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	items order_batch_item[];
	plan order_batch_item[];
	o order_batch_item;
	r record;
	held_cards text[] := '{}';
	held_refs text[] := '{}';
BEGIN
	IF jsonb_typeof(p_orders) IS DISTINCT FROM 'array' THEN
		RAISE EXCEPTION 'orders must be a JSON array' USING ERRCODE = 'AB422';
	END IF;
	IF jsonb_array_length(p_orders) > 10000 THEN
		RAISE EXCEPTION 'a batch holds at most 10000 orders, not %', jsonb_array_length(p_orders)
			USING ERRCODE = 'AB422';
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_orders) e WHERE jsonb_typeof(e) <> 'object') THEN
		RAISE EXCEPTION 'each order must be a JSON object' USING ERRCODE = 'AB422';
	END IF;
	-- by code through the index (as a join it was planned as a scan of
	-- all cards)
	PERFORM 1 FROM cards
	 WHERE code = ANY (ARRAY(SELECT e ->> 'card' FROM jsonb_array_elements(p_orders) e))
	 ORDER BY id FOR UPDATE;
	items := order_batch_read(p_orders);
	plan := order_batch_plan(items);
	PERFORM order_batch_write(plan);
	RETURN QUERY SELECT p.n, p.result, NULL::text, NULL::text FROM unnest(plan) p;
	RETURN QUERY SELECT i.n, i.replayed, i.deferred, i.message FROM unnest(items) i
		      WHERE i.replayed IS NOT NULL OR i.deferred IS NOT NULL;
	FOREACH o IN ARRAY items LOOP
		CONTINUE WHEN o.simple OR o.replayed IS NOT NULL OR o.deferred IS NOT NULL;
		n := o.n;
		result := NULL;
		state := NULL;
		message := NULL;
		IF o.card = ANY (held_cards) OR o.ref = ANY (held_refs) THEN
			state := 'held';
		ELSE
			r := order_batch_one(o);
			result := r.result;
			state := r.state;
			message := r.message;
		END IF;
		IF state IN ('held', 'level') THEN
			held_cards := held_cards || o.card;
			held_refs := held_refs || o.ref;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
