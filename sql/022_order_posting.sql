-- Order posting with membership: post_order of sql/004 again, plus two
-- things that need the level history of 020.
--
--  - The level the engine evaluated the cart with must be the level valid
--    at the order's time, checked under the card lock (defect 3).  A level
--    change that slipped in between is a conflict; the engine re-reads the
--    level and evaluates again.
--  - The order may move the card up at once (level_decision), starting
--    just after the order, which itself earned at the old level.
--
-- Same signature as before, so its grant stands.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE OR REPLACE FUNCTION post_order(p_ref text, p_card text, p_at timestamptz, p_request jsonb,
			   p_level text, p_total_base bigint, p_total_discount bigint,
			   p_total_net bigint, p_earn bigint, p_redeem bigint,
			   p_validity_days integer DEFAULT NULL, p_pos text DEFAULT NULL,
			   p_offline boolean DEFAULT false, p_detail jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards;
	p record;
	avail bigint;
	hid bigint;
	lot bigint;
	valid_level text;
	upgraded text;
BEGIN
	IF p_at IS NULL OR p_request IS NULL THEN
		RAISE EXCEPTION 'an order needs its time and request' USING ERRCODE = 'AB422';
	END IF;
	IF p_total_base < 0 OR p_total_discount < 0 OR p_total_net < 0 OR p_earn < 0 OR p_redeem < 0
	   OR p_total_net <> p_total_base - p_total_discount THEN
		RAISE EXCEPTION 'order ''%'' amounts do not add up', left(p_ref, 64) USING ERRCODE = 'AB422';
	END IF;
	PERFORM check_text(p_pos, 'pos', 100);
	c := lock_card(p_card);
	p := begin_posting(c.id, p_ref, 'order', p_request);
	IF p.replay IS NOT NULL THEN
		RETURN p.replay;
	END IF;
	valid_level := level_at(c.id, p_at);
	IF p_level IS DISTINCT FROM valid_level THEN
		RAISE EXCEPTION 'order ''%'': card ''%'' had level % at %, not %', left(p_ref, 64), c.code,
			coalesce('''' || valid_level || '''', 'none'), p_at,
			coalesce('''' || p_level || '''', 'none') USING ERRCODE = 'AB409';
	END IF;
	IF p_redeem > 0 THEN
		avail := available_points(c.id, p_at);
		IF avail < p_redeem THEN
			RAISE EXCEPTION 'card ''%'' has % points available, order ''%'' spends %',
				c.code, fmt_points(avail), p_ref, fmt_points(p_redeem) USING ERRCODE = 'AB402';
		END IF;
		hid := add_history(c.id, p.posting_id, 'redeem', -p_redeem, 'order', p_ref, p_level, p_at);
		PERFORM take_fefo(c.id, hid, p_redeem, p_at);
	END IF;
	IF p_earn > 0 THEN
		hid := add_history(c.id, p.posting_id, 'earn', p_earn, 'order', p_ref, p_level, p_at);
		lot := new_lot(c.id, p.posting_id, hid, p_earn, p_at, p_validity_days, 'order', p_level);
	END IF;
	INSERT INTO orders (ref, card_id, posting_id, ordered_at, pos, offline, level_code,
			    total_base, total_discount, total_net, points_earned, points_redeemed,
			    earned_lot_id, detail)
		VALUES (p_ref, c.id, p.posting_id, p_at, p_pos, coalesce(p_offline, false), p_level,
			p_total_base, p_total_discount, p_total_net, p_earn, p_redeem, lot,
			coalesce(p_detail, '{}'));
	upgraded := upgrade_after_order(c.id, p_at);
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'order', 'order', p_ref, 'card', c.code, 'level', p_level,
		'total_base', p_total_base, 'total_discount', p_total_discount,
		'total_net', p_total_net, 'points_earned', p_earn, 'points_redeemed', p_redeem,
		'upgraded_to', upgraded, 'offline', coalesce(p_offline, false),
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;
