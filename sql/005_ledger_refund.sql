-- Refund of an order, in full or in part by amount.
--
-- Redeemed points go back to the lots they came from (last taken, first
-- given back); a lot past its expiry by then expires them again at once,
-- on record.  Earned points are reversed in proportion, taken first from
-- the order's own lot, then FEFO; what the customer has spent already is
-- reported as shortfall and never drives a balance below zero.  Both are
-- computed from cumulative targets, so several partial refunds add up to
-- exactly what one full refund would do.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- Gives restore points back to the lots the order's redemption used.
-- Returns how many of them expired again at once.
CREATE FUNCTION restore_redeemed(o orders, p_posting_id bigint, p_restore bigint,
				 p_key text, p_level text, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	mv record;
	hid bigint;
	hid_exp bigint;
	give bigint;
	given bigint := 0;
	reexpired bigint := 0;
BEGIN
	hid := add_history(o.card_id, p_posting_id, 'refund', p_restore, 'refund', p_key, p_level, p_at);
	FOR mv IN
		SELECT m.id, m.lot_id, l.expires_at <= p_at AS past_expiry,
		       -m.amount - coalesce((SELECT sum(r.amount) FROM lot_movements r
					      WHERE r.reverses_id = m.id), 0) AS owed
		  FROM lot_movements m
		  JOIN point_history h ON h.id = m.history_id
		  JOIN point_moves l ON l.id = m.lot_id
		 WHERE h.posting_id = o.posting_id AND h.kind = 'redeem' AND m.amount < 0
		 ORDER BY m.id DESC
	LOOP
		EXIT WHEN given = p_restore;
		give := least(p_restore - given, mv.owed);
		CONTINUE WHEN give <= 0;
		PERFORM move_lot(hid, mv.lot_id, give, NULL, mv.id);
		given := given + give;
		-- Points given back to a lot past its expiry (expired, or spent
		-- before it expired, or not yet swept by aba points expire) expire
		-- again at once; the lot is 'expired' unless unswept points remain.
		IF mv.past_expiry THEN
			hid_exp := add_history(o.card_id, p_posting_id, 'expire', -give, 'expiry', p_key,
					       p_level, p_at);
			PERFORM move_lot(hid_exp, mv.lot_id, -give,
					 CASE WHEN (SELECT remaining FROM point_moves WHERE id = mv.lot_id) = give
					      THEN 'expired' END);
			reexpired := reexpired + give;
		END IF;
	END LOOP;
	IF given <> p_restore THEN
		RAISE EXCEPTION 'order ''%'' has only % redeemed points left to give back, % due',
			o.ref, fmt_points(given), fmt_points(p_restore) USING ERRCODE = 'XX000';
	END IF;
	RETURN reexpired;
END
$$;

CREATE FUNCTION refund_order(p_ref text, p_amount bigint, p_key text, p_at timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	o orders;
	c cards;
	p record;
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
	SELECT * INTO o FROM orders WHERE ref = p_ref;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order ''%'' not found', left(p_ref, 64) USING ERRCODE = 'AB404';
	END IF;
	c := lock_card((SELECT code FROM cards WHERE id = o.card_id));
	SELECT * INTO o FROM orders WHERE id = o.id;	-- as it is now that the card is ours
	p := begin_posting(c.id, p_key, 'refund', jsonb_build_object(
		'order', p_ref, 'amount', p_amount, 'at', p_at));
	IF p.replay IS NOT NULL THEN
		RETURN p.replay;
	END IF;
	IF o.state = 'refunded' THEN
		RAISE EXCEPTION 'order ''%'' is already fully refunded', p_ref USING ERRCODE = 'AB409';
	END IF;
	amount := coalesce(p_amount, o.total_net - o.refunded_amount);
	IF amount < 0 OR (amount = 0 AND o.total_net > 0) THEN
		RAISE EXCEPTION 'refund amount must be greater than zero' USING ERRCODE = 'AB422';
	END IF;
	IF amount > o.total_net - o.refunded_amount THEN
		RAISE EXCEPTION 'order ''%'' has only % left to refund, % asked', p_ref,
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
		reexpired := restore_redeemed(o, p.posting_id, restore, p_key, o.level_code, at);
	END IF;
	IF reverse > 0 THEN
		taken := least(reverse, available_points(c.id, at));
	END IF;
	IF taken > 0 THEN
		hid := add_history(c.id, p.posting_id, 'refund', -taken, 'refund', p_key, o.level_code, at);
		PERFORM take_fefo(c.id, hid, taken, at, o.earned_lot_id);
	END IF;
	UPDATE orders
	   SET refunded_amount = refunded, points_reversed = due_reversed,
	       points_restored = due_restored,
	       state = CASE WHEN refunded = total_net THEN 'refunded' ELSE 'partially_refunded' END
	 WHERE id = o.id;
	INSERT INTO order_refunds (order_id, card_id, posting_id, amount, points_restored,
				   points_reexpired, points_reversed, shortfall, at)
		VALUES (o.id, c.id, p.posting_id, amount, greatest(restore, 0), reexpired, taken,
			greatest(reverse, 0) - taken, at);
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'refund', 'order', p_ref, 'card', c.code, 'amount', amount,
		'points_restored', greatest(restore, 0), 'points_reexpired', reexpired,
		'points_reversed', taken, 'shortfall', greatest(reverse, 0) - taken,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;
