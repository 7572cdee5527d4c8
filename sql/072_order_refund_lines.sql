-- Refunds by lines: which units of an order went back, so that none goes
-- back twice.
--
-- refund_order (sql/005) refunds money; a refund by lines used to be
-- turned into money by the engine from the order's detail each time, with
-- nothing kept of the units, so the same unit could be refunded again
-- under new keys (and earned points reversed for goods never returned)
-- until total_net ran out.  refund_order_lines keeps every unit it
-- refunds in order_refund_lines and checks, under the card lock, that a
-- line never gives back more units than it sold.  A product sold on
-- several lines is taken line by line, in the order's order.
--
-- Each line's money is its net pro rata, from cumulative targets:
-- refunding k of n units of a line brings its refunded money to
-- round(net * k / n), so unit-by-unit refunds of a line add up to exactly
-- its net, and refunding every line refunds exactly total_net.  Money
-- refunded by amount and by lines shares one bound (refunded_amount <=
-- total_net, checked as before); points follow the money, as for a refund
-- by amount.
--
-- refund_order's body moves into refund_posting, shared by both, with its
-- signature, grant and answers unchanged.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE order_refund_lines (
	id bigserial PRIMARY KEY,
	order_id bigint NOT NULL REFERENCES orders,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	line integer NOT NULL CHECK (line >= 0),	-- position in orders.detail->'lines'
	product text NOT NULL,
	qty bigint NOT NULL CHECK (qty > 0),
	amount bigint NOT NULL CHECK (amount >= 0)
);
CREATE INDEX order_refund_lines_order_idx ON order_refund_lines (order_id, line);
CREATE INDEX order_refund_lines_posting_idx ON order_refund_lines (posting_id);
CREATE TRIGGER order_refund_lines_append_only BEFORE UPDATE OR DELETE ON order_refund_lines
	FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The start of every refund: the order, its card locked, the order as it
-- is now that the card is ours, and the refund's posting begun (replay:
-- the first result of the key).
CREATE FUNCTION begin_refund(p_ref text, p_key text, p_request jsonb, OUT o orders,
			     OUT c cards, OUT posting_id bigint, OUT replay jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	p record;
BEGIN
	SELECT * INTO o FROM orders WHERE ref = p_ref;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order ''%'' not found', left(p_ref, 64) USING ERRCODE = 'AB404';
	END IF;
	c := lock_card((SELECT code FROM cards WHERE id = o.card_id));
	SELECT * INTO o FROM orders WHERE id = o.id;
	p := begin_posting(c.id, p_key, 'refund', p_request);
	posting_id := p.posting_id;
	replay := p.replay;
END
$$;

-- A refund of amount (NULL: all that is left) of order o, whose card c is
-- locked and whose posting is begun: everything refund_order did after
-- begin_posting.  lines (NULL for a refund by amount) is what a refund by
-- lines gave back; it may be worth nothing (a free unit returned).
CREATE FUNCTION refund_posting(o orders, c cards, p_posting_id bigint, p_amount bigint,
			       p_key text, p_at timestamptz, p_lines jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	at timestamptz := coalesce(p_at, now());
	amount bigint;
	refunded bigint;
	due_reversed bigint;
	due_restored bigint;
	restore bigint;
	reverse bigint;
	reexpired bigint := 0;
	taken bigint := 0;
	hid bigint;
BEGIN
	IF o.state = 'refunded' THEN
		RAISE EXCEPTION 'order ''%'' is already fully refunded', o.ref USING ERRCODE = 'AB409';
	END IF;
	amount := coalesce(p_amount, o.total_net - o.refunded_amount);
	IF amount < 0 OR (amount = 0 AND o.total_net > 0 AND p_lines IS NULL) THEN
		RAISE EXCEPTION 'refund amount must be greater than zero' USING ERRCODE = 'AB422';
	END IF;
	IF amount > o.total_net - o.refunded_amount THEN
		RAISE EXCEPTION 'order ''%'' has only % left to refund, % asked', o.ref,
			fmt_points(o.total_net - o.refunded_amount), fmt_points(amount) USING ERRCODE = 'AB422';
	END IF;
	refunded := o.refunded_amount + amount;
	IF refunded = o.total_net THEN
		due_reversed := o.points_earned;
		due_restored := o.points_redeemed;
	ELSE
		due_reversed := round(o.points_earned::numeric * refunded / o.total_net);
		due_restored := round(o.points_redeemed::numeric * refunded / o.total_net);
	END IF;
	restore := due_restored - o.points_restored;
	reverse := due_reversed - o.points_reversed;
	IF restore > 0 THEN
		reexpired := restore_redeemed(o, p_posting_id, restore, p_key, o.level_code, at);
	END IF;
	IF reverse > 0 THEN
		taken := least(reverse, available_points(c.id, at));
	END IF;
	IF taken > 0 THEN
		hid := add_history(c.id, p_posting_id, 'refund', -taken, 'refund', p_key, o.level_code, at);
		PERFORM take_fefo(c.id, hid, taken, at, o.earned_lot_id);
	END IF;
	UPDATE orders
	   SET refunded_amount = refunded, points_reversed = due_reversed,
	       points_restored = due_restored,
	       state = CASE WHEN refunded = total_net THEN 'refunded' ELSE 'partially_refunded' END
	 WHERE id = o.id;
	INSERT INTO order_refunds (order_id, card_id, posting_id, amount, points_restored,
				   points_reexpired, points_reversed, shortfall, at)
		VALUES (o.id, c.id, p_posting_id, amount, greatest(restore, 0), reexpired, taken,
			greatest(reverse, 0) - taken, at);
	RETURN finish_posting(p_posting_id, c.id, jsonb_build_object(
		'kind', 'refund', 'order', o.ref, 'card', c.code, 'amount', amount,
		'points_restored', greatest(restore, 0), 'points_reexpired', reexpired,
		'points_reversed', taken, 'shortfall', greatest(reverse, 0) - taken,
		'balance', (SELECT balance FROM cards WHERE id = c.id))
		|| CASE WHEN p_lines IS NULL THEN '{}' ELSE jsonb_build_object('lines', p_lines) END);
END
$$;

CREATE OR REPLACE FUNCTION refund_order(p_ref text, p_amount bigint, p_key text,
					p_at timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	b record;
BEGIN
	b := begin_refund(p_ref, p_key, jsonb_build_object('order', p_ref, 'amount', p_amount,
							   'at', p_at));
	IF b.replay IS NOT NULL THEN
		RETURN b.replay;
	END IF;
	RETURN refund_posting(b.o, b.c, b.posting_id, p_amount, p_key, p_at, NULL);
END
$$;

-- The lines a refund asks for, checked before anything is read:
-- [{"product": "SKU-1", "qty": 1}, ...], 1 to 1000 of them, qty a whole
-- number from 1 to 1,000,000 (the cart's bounds).
CREATE FUNCTION check_refund_lines(p_lines jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	w record;
BEGIN
	IF jsonb_typeof(p_lines) IS DISTINCT FROM 'array' OR jsonb_array_length(p_lines) = 0 THEN
		RAISE EXCEPTION 'lines: expected a non-empty array' USING ERRCODE = 'AB422';
	END IF;
	IF jsonb_array_length(p_lines) > 1000 THEN
		RAISE EXCEPTION 'lines: at most 1000, not %', jsonb_array_length(p_lines)
			USING ERRCODE = 'AB422';
	END IF;
	FOR w IN
		SELECT e.n - 1 AS i, e.v,
		       CASE WHEN jsonb_typeof(e.v -> 'qty') = 'number' THEN (e.v ->> 'qty')::numeric END AS qty
		  FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e(v, n)
	LOOP
		IF jsonb_typeof(w.v) <> 'object' OR (w.v - 'product' - 'qty') <> '{}'
		   OR jsonb_typeof(w.v -> 'product') IS DISTINCT FROM 'string'
		   OR length(w.v ->> 'product') NOT BETWEEN 1 AND 128
		   OR w.qty IS NULL OR w.qty NOT BETWEEN 1 AND 1000000 OR w.qty <> trunc(w.qty) THEN
			RAISE EXCEPTION 'lines[%]: needs a product and a qty from 1 to 1000000 (and nothing else)',
				w.i USING ERRCODE = 'AB422';
		END IF;
	END LOOP;
END
$$;

-- Gives back qty units of product from order o's lines, first line first,
-- each line up to what it sold less what went back before.  Returns what
-- it took: [{"product", "line", "qty", "amount"}, ...].
CREATE FUNCTION take_refund_units(o orders, p_posting_id bigint, p_i bigint, p_product text,
				  p_qty bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	l record;
	want bigint := p_qty;
	left_qty bigint;
	take bigint;
	piece bigint;
	took jsonb := '[]';
BEGIN
	SELECT coalesce(sum(s.qty - s.done), 0) INTO left_qty
	  FROM order_lines_refunded(o, p_product) s;
	IF left_qty < p_qty THEN
		RAISE EXCEPTION 'lines[%]: order ''%'' has % of ''%'' left to refund, not %', p_i,
			left(o.ref, 64), left_qty, left(p_product, 64), p_qty USING ERRCODE = 'AB422';
	END IF;
	FOR l IN SELECT * FROM order_lines_refunded(o, p_product) LOOP
		EXIT WHEN want = 0;
		take := least(want, l.qty - l.done);
		CONTINUE WHEN take <= 0;
		piece := round(l.net::numeric * (l.done + take) / l.qty) - round(l.net::numeric * l.done / l.qty);
		INSERT INTO order_refund_lines (order_id, card_id, posting_id, line, product, qty, amount)
			VALUES (o.id, o.card_id, p_posting_id, l.line, p_product, take, piece);
		took := took || jsonb_build_object('product', p_product, 'line', l.line, 'qty', take,
						   'amount', piece);
		want := want - take;
	END LOOP;
	RETURN took;
END
$$;

-- Order o's lines of product, in the order's order, with the units each
-- sold, its net and the units refunded so far.
CREATE FUNCTION order_lines_refunded(o orders, p_product text)
RETURNS TABLE (line integer, qty bigint, net bigint, done bigint) LANGUAGE sql STABLE AS $$
	SELECT (d.n - 1)::integer, (d.v ->> 'qty')::bigint, (d.v ->> 'net')::bigint,
	       coalesce((SELECT sum(r.qty) FROM order_refund_lines r
			  WHERE r.order_id = o.id AND r.line = d.n - 1), 0)::bigint
	  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(o.detail -> 'lines') = 'array'
					 THEN o.detail -> 'lines' ELSE '[]' END) WITH ORDINALITY AS d(v, n)
	 WHERE d.v ->> 'product' = p_product
	 ORDER BY d.n
$$;

CREATE FUNCTION refund_order_lines(p_ref text, p_lines jsonb, p_key text,
				   p_at timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	b record;
	o orders;
	w record;
	amount bigint := 0;
	took jsonb := '[]';
	part jsonb;
BEGIN
	PERFORM check_refund_lines(p_lines);
	b := begin_refund(p_ref, p_key, jsonb_build_object('order', p_ref, 'lines', p_lines,
							   'at', p_at));
	IF b.replay IS NOT NULL THEN
		RETURN b.replay;
	END IF;
	o := b.o;
	FOR w IN SELECT e.n - 1 AS i, e.v ->> 'product' AS product
		   FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e(v, n) LOOP
		IF NOT EXISTS (SELECT 1 FROM order_lines_refunded(o, w.product)) THEN
			RAISE EXCEPTION 'lines[%]: the order has no ''%''', w.i, left(w.product, 64)
				USING ERRCODE = 'AB422';
		END IF;
	END LOOP;
	IF o.state = 'refunded' THEN
		RAISE EXCEPTION 'order ''%'' is already fully refunded', p_ref USING ERRCODE = 'AB409';
	END IF;
	-- One request entry after the other: a product named twice takes
	-- the units the first entry left.
	FOR w IN SELECT e.n - 1 AS i, e.v ->> 'product' AS product, (e.v ->> 'qty')::bigint AS qty
		   FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e(v, n) ORDER BY e.n LOOP
		part := take_refund_units(o, b.posting_id, w.i, w.product, w.qty);
		took := took || part;
		amount := amount + (SELECT sum((x ->> 'amount')::bigint) FROM jsonb_array_elements(part) x);
	END LOOP;
	RETURN refund_posting(o, b.c, b.posting_id, amount, p_key, p_at, took);
END
$$;
