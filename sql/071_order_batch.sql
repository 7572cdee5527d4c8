-- post_orders: many already-evaluated orders in one statement (issue 4:
-- bulk offline import, `aba order post` of a file, the demo seeder).
--
-- Each order keeps everything post_order guarantees: its ref is its own
-- idempotency key (a replay returns the first result, other content is
-- refused), it earns at the level valid at its time, its card is locked,
-- it writes its outbox event in the same transaction, and a bad order
-- writes nothing.  The batch's cards are locked once, in id order.  Every
-- order gets one row back: result (posted or replayed), or state 'level'
-- (the card's level at the order's time is not the one it was evaluated
-- with: evaluate again and resubmit), 'held' (an earlier order of the same
-- card or ref was sent back: resubmit after it, so that each card's orders
-- post in the order given), or the SQLSTATE and message post_order raised.
--
-- Most orders take the set-based path: a card whose orders in the batch
-- all pass post_order's checks, of which at most one spends points (FEFO
-- then needs no lot another order of the batch changes), and whose spend
-- cannot reach an upgradable level above its own (so no upgrade happens
-- in between; the bound adds the batch to the card's spend over the
-- longest window).  Those orders are written with one statement per
-- table, exactly as post_order would write them one after another:
-- PostgreSQL's per-statement cost (plans, constraint expressions, index
-- opening) was nearly all of an order's time.  Every other card's orders
-- go through post_order itself, in the order given.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- One order of a batch as the engine sent it, what the checks found, and
-- (set-based path) the ids and balance it gets.
CREATE TYPE order_batch_item AS (
	n integer, card_id bigint, card text, active boolean, ref text, at timestamptz,
	request jsonb, level text, total_base bigint, total_discount bigint, total_net bigint,
	earn bigint, redeem bigint, validity_days integer, pos text, offline boolean, detail jsonb,
	input_ok boolean, simple boolean,
	posting_id bigint, redeem_hid bigint, earn_hid bigint, lot_id bigint, event_id bigint,
	balance bigint, result jsonb);

-- n ids of a sequence, ascending, to hand out in an order of our choosing.
CREATE FUNCTION take_ids(p_seq regclass, p_n bigint) RETURNS bigint[]
LANGUAGE sql AS $$
	SELECT coalesce(array_agg(id ORDER BY id), '{}')
	  FROM (SELECT nextval(p_seq) AS id FROM generate_series(1, p_n)) s
$$;

-- Reads the batch, applies post_order's checks (under the card locks) and
-- marks the orders of the cards that can take the set-based path.
CREATE FUNCTION order_batch_read(p_orders jsonb) RETURNS order_batch_item[]
LANGUAGE sql AS $$
WITH o AS (
	SELECT e.n::integer AS n, c.id AS card_id, c.code AS found_code, c.active, r.*,
	       (r.ref IS NOT NULL AND length(r.ref) BETWEEN 1 AND 200 AND r.at IS NOT NULL
		AND r.request IS NOT NULL AND r.total_base >= 0 AND r.total_discount >= 0
		AND r.total_net >= 0 AND r.earn >= 0 AND r.redeem >= 0
		AND r.total_net = r.total_base - r.total_discount
		AND (r.pos IS NULL OR length(r.pos) BETWEEN 1 AND 100)
		AND (r.validity_days IS NULL OR r.validity_days > 0)) AS input_ok,
	       count(*) OVER (PARTITION BY r.ref) AS ref_uses
	  FROM jsonb_array_elements(p_orders) WITH ORDINALITY AS e(v, n)
	 CROSS JOIN LATERAL jsonb_to_record(e.v) AS r(ref text, card text, at timestamptz,
		request jsonb, level text, total_base bigint, total_discount bigint, total_net bigint,
		earn bigint, redeem bigint, validity_days integer, pos text, offline boolean, detail jsonb)
	  LEFT JOIN cards c ON c.code = r.card
), checked AS (
	SELECT o.*,
	       coalesce(input_ok AND card_id IS NOT NULL AND active AND ref_uses = 1
			AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.key = o.ref)
			AND level IS NOT DISTINCT FROM level_at(card_id, at)
			AND (redeem = 0 OR available_points(card_id, at) >= redeem), false) AS fine
	  FROM o
), per_card AS (
	SELECT k.card_id, bool_and(k.fine) AS fine, count(*) AS orders,
	       count(*) FILTER (WHERE k.redeem > 0) AS redeeming, min(k.at) AS min_at,
	       max(k.at) AS max_at, sum(k.total_net) AS net, min(coalesce(l.sequence, -1)) AS min_seq
	  FROM checked k LEFT JOIN levels l ON l.code = k.level
	 WHERE k.card_id IS NOT NULL
	 GROUP BY k.card_id
), simple_cards AS (
	SELECT pc.card_id FROM per_card pc
	 CROSS JOIN LATERAL (SELECT min(p.threshold) AS threshold, max(p.window_days) AS days
			       FROM level_paths p JOIN levels l ON l.code = p.level_code
			      WHERE p.upgradable AND l.sequence > pc.min_seq) up
	 WHERE pc.fine AND (pc.orders = 1 OR pc.redeeming = 0)
	   AND (up.threshold IS NULL
		OR pc.net + (SELECT coalesce(sum(x.total_net - x.refunded_amount), 0) FROM orders x
			      WHERE x.card_id = pc.card_id AND x.ordered_at <= pc.max_at
				AND x.ordered_at > pc.min_at - make_interval(days => up.days)) < up.threshold)
)
SELECT coalesce(array_agg(ROW(k.n, k.card_id, coalesce(k.found_code, k.card), k.active, k.ref,
	k.at, k.request, k.level, k.total_base, k.total_discount, k.total_net, k.earn, k.redeem,
	k.validity_days, k.pos, coalesce(k.offline, false), coalesce(k.detail, '{}'),
	coalesce(k.input_ok, false), s.card_id IS NOT NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL)::order_batch_item ORDER BY k.n), '{}')
  FROM checked k LEFT JOIN simple_cards s ON s.card_id = k.card_id
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
		i.validity_days, i.pos, i.offline, i.detail, i.input_ok, i.simple, i.posting_id,
		i.redeem_hid, i.earn_hid, i.lot_id, i.event_id, i.balance,
		jsonb_build_object('kind', 'order', 'order', i.ref, 'card', i.card, 'level', i.level,
			'total_base', i.total_base, 'total_discount', i.total_discount,
			'total_net', i.total_net, 'points_earned', i.earn, 'points_redeemed', i.redeem,
			'upgraded_to', NULL, 'offline', i.offline, 'balance', i.balance,
			'posting', i.posting_id, 'replay', false))::order_batch_item ORDER BY i.pos_in), '{}')
	  INTO planned
	  FROM (SELECT s.*, posting_ids[s.pos_in::integer] AS posting_id,
		       event_ids[s.pos_in::integer] AS event_id,
		       CASE WHEN s.redeem > 0 THEN hids[s.entries_before::integer + 1] END AS redeem_hid,
		       CASE WHEN s.earn > 0 THEN hids[s.entries_before::integer + 1 + (s.redeem > 0)::integer] END
			 AS earn_hid,
		       CASE WHEN s.earn > 0 THEN lot_ids[s.lots_upto::integer] END AS lot_id,
		       c.balance + sum(s.earn - s.redeem) OVER (PARTITION BY s.card_id ORDER BY s.pos_in)
			 AS balance
		  FROM (SELECT u.n, u.card_id, u.card, u.active, u.ref, u.at, u.request, u.level,
			       u.total_base, u.total_discount, u.total_net, u.earn, u.redeem,
			       u.validity_days, u.pos, u.offline, u.detail, u.input_ok, u.simple,
			       u.ordinality AS pos_in,
			       coalesce(sum((u.redeem > 0)::integer + (u.earn > 0)::integer)
					OVER (ORDER BY u.ordinality ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
					0) AS entries_before,
			       count(*) FILTER (WHERE u.earn > 0) OVER (ORDER BY u.ordinality) AS lots_upto
			  FROM unnest(simple) WITH ORDINALITY AS u) s
		  JOIN cards c ON c.id = s.card_id) i;
	RETURN planned;
END
$$;

-- Writes the planned orders as post_order would, one statement per table:
-- postings with their results, history (each order's redemption, then its
-- earn), lots taken FEFO by a redemption, new lots, balances, orders and
-- outbox events, then one NOTIFY (`aba sync run` reads what is due).
CREATE FUNCTION order_batch_write(p_plan order_batch_item[]) RETURNS void
LANGUAGE plpgsql AS $$
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
	-- A redemption's card has no other order in the batch, so its lots
	-- are as take_fefo would find them.
	WITH spendable AS (
		SELECT l.id, l.card_id, l.remaining, p.redeem, p.redeem_hid,
		       sum(l.remaining) OVER (PARTITION BY l.card_id
					      ORDER BY l.expires_at ASC NULLS LAST, l.gained_at, l.id)
			 - l.remaining AS before
		  FROM unnest(p_plan) p
		  JOIN point_moves l ON l.card_id = p.card_id AND l.state = 'active'
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
	UPDATE cards c SET balance = c.balance + d.delta
	  FROM (SELECT card_id, sum(earn - redeem) AS delta FROM unnest(p_plan) GROUP BY card_id) d
	 WHERE c.id = d.card_id AND d.delta <> 0;
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
	PERFORM 1 FROM cards
	 WHERE code IN (SELECT e ->> 'card' FROM jsonb_array_elements(p_orders) e)
	 ORDER BY id FOR UPDATE;
	items := order_batch_read(p_orders);
	plan := order_batch_plan(items);
	PERFORM order_batch_write(plan);
	RETURN QUERY SELECT p.n, p.result, NULL::text, NULL::text FROM unnest(plan) p;
	FOREACH o IN ARRAY items LOOP
		CONTINUE WHEN o.simple;
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
