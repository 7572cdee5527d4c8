-- The ledger's public functions: the only way points move.  Each runs in
-- the caller's transaction (one statement = one transaction from the
-- engine), locks the card first, claims its idempotency key, and writes
-- history, lot movements, the posting's result and an outbox event
-- together or not at all.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION card_create(p_code text, p_name text, p_phone text DEFAULT NULL,
			    p_email text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	pid bigint;
	cid bigint;
BEGIN
	IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' THEN
		RAISE EXCEPTION 'card code ''%'' must be 1 to 64 letters, digits, ''.'', ''_'' or ''-''',
			left(p_code, 64) USING ERRCODE = 'AB422';
	END IF;
	IF p_name IS NULL OR length(btrim(p_name)) = 0 OR length(p_name) > 200 THEN
		RAISE EXCEPTION 'name must have 1 to 200 characters' USING ERRCODE = 'AB422';
	END IF;
	IF p_phone IS NOT NULL AND p_phone !~ '^\+?[0-9][0-9 -]{2,31}$' THEN
		RAISE EXCEPTION 'phone ''%'' is not a phone number', left(p_phone, 40) USING ERRCODE = 'AB422';
	END IF;
	IF p_email IS NOT NULL AND (length(p_email) > 254 OR p_email !~ '^[^@[:space:]]+@[^@[:space:]]+$') THEN
		RAISE EXCEPTION 'email ''%'' is not an e-mail address', left(p_email, 60) USING ERRCODE = 'AB422';
	END IF;
	IF EXISTS (SELECT 1 FROM cards WHERE code = p_code) THEN
		RAISE EXCEPTION 'card ''%'' already exists', p_code USING ERRCODE = 'AB409';
	END IF;
	INSERT INTO partners (name, phone, email) VALUES (btrim(p_name), p_phone, p_email)
		RETURNING id INTO pid;
	INSERT INTO cards (code, partner_id) VALUES (p_code, pid) RETURNING id INTO cid;
	PERFORM audit_append('card.create', 'card', p_code, NULL,
		jsonb_build_object('code', p_code, 'name', btrim(p_name), 'phone', p_phone,
				   'email', p_email), NULL);
	RETURN jsonb_build_object('card', p_code, 'card_id', cid, 'partner_id', pid);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'card ''%'' already exists', p_code USING ERRCODE = 'AB409';
END
$$;

CREATE FUNCTION earn(p_card text, p_points bigint, p_key text, p_origin text DEFAULT NULL,
		     p_at timestamptz DEFAULT NULL, p_validity_days integer DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards;
	p record;
	at timestamptz := coalesce(p_at, now());
	origin text := coalesce(p_origin, 'manual');
	hid bigint;
	lot bigint;
BEGIN
	PERFORM check_points(p_points, 'points');
	PERFORM check_text(p_origin, 'origin', 100);
	c := lock_card(p_card);
	p := begin_posting(c.id, p_key, 'earn', jsonb_build_object(
		'card', p_card, 'points', p_points, 'origin', p_origin, 'at', p_at,
		'validity_days', p_validity_days));
	IF p.replay IS NOT NULL THEN
		RETURN p.replay;
	END IF;
	hid := add_history(c.id, p.posting_id, 'earn', p_points, origin, p_key, c.level_code, at);
	lot := new_lot(c.id, p.posting_id, hid, p_points, at, p_validity_days, origin, c.level_code);
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'earn', 'card', c.code, 'points', p_points, 'lot', lot,
		'expires_at', (SELECT expires_at FROM point_moves WHERE id = lot),
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;

CREATE FUNCTION redeem(p_card text, p_points bigint, p_key text, p_origin text DEFAULT NULL,
		       p_at timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards;
	p record;
	at timestamptz := coalesce(p_at, now());
	avail bigint;
	hid bigint;
BEGIN
	PERFORM check_points(p_points, 'points');
	PERFORM check_text(p_origin, 'origin', 100);
	c := lock_card(p_card);
	p := begin_posting(c.id, p_key, 'redeem', jsonb_build_object(
		'card', p_card, 'points', p_points, 'origin', p_origin, 'at', p_at));
	IF p.replay IS NOT NULL THEN
		RETURN p.replay;
	END IF;
	avail := available_points(c.id, at);
	IF avail < p_points THEN
		RAISE EXCEPTION 'card ''%'' has % points available, % requested',
			c.code, fmt_points(avail), fmt_points(p_points) USING ERRCODE = 'AB402';
	END IF;
	hid := add_history(c.id, p.posting_id, 'redeem', -p_points, coalesce(p_origin, 'manual'),
			   p_key, c.level_code, at);
	PERFORM take_fefo(c.id, hid, p_points, at);
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'redeem', 'card', c.code, 'points', p_points,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;

-- Expires one card's lots that are past expiry at as_of: one history entry
-- per lot, dated at the lot's expiry.  Each lot reaches this at most once,
-- so the lowest lot id names the posting.
CREATE FUNCTION expire_card(p_card_id bigint, p_as_of timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	c cards;
	p record;
	lot record;
	first_lot bigint;
	total bigint := 0;
	hid bigint;
	key text;
BEGIN
	SELECT * INTO c FROM cards WHERE id = p_card_id FOR UPDATE;
	SELECT min(id) INTO first_lot FROM point_moves
	 WHERE card_id = c.id AND state = 'active' AND expires_at <= p_as_of;
	IF first_lot IS NULL THEN
		RETURN 0;
	END IF;
	key := 'expire:' || first_lot;
	p := begin_posting(c.id, key, 'expire', jsonb_build_object('card', c.code, 'first_lot', first_lot));
	FOR lot IN
		SELECT id, remaining, expires_at FROM point_moves
		 WHERE card_id = c.id AND state = 'active' AND expires_at <= p_as_of
		 ORDER BY expires_at, id
	LOOP
		hid := add_history(c.id, p.posting_id, 'expire', -lot.remaining, 'expiry', key,
				   c.level_code, lot.expires_at);
		PERFORM move_lot(hid, lot.id, -lot.remaining, 'expired');
		total := total + lot.remaining;
	END LOOP;
	PERFORM finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'expire', 'card', c.code, 'points', total, 'as_of', p_as_of,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
	RETURN total;
END
$$;

-- Expires due lots of at most p_limit cards, locking them in id order; the
-- caller repeats until cards is 0, one short transaction per batch.
CREATE FUNCTION expire_due(p_as_of timestamptz DEFAULT NULL, p_limit integer DEFAULT 500)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	as_of timestamptz := coalesce(p_as_of, now());
	cid bigint;
	n integer := 0;
	total bigint := 0;
BEGIN
	IF as_of > now() THEN
		RAISE EXCEPTION 'as-of time ''%'' is in the future', as_of USING ERRCODE = 'AB422';
	END IF;
	IF p_limit IS NULL OR p_limit < 1 THEN
		RAISE EXCEPTION 'batch size must be at least 1' USING ERRCODE = 'AB422';
	END IF;
	FOR cid IN
		SELECT DISTINCT card_id FROM point_moves
		 WHERE state = 'active' AND expires_at <= as_of
		 ORDER BY card_id LIMIT p_limit
	LOOP
		total := total + expire_card(cid, as_of);
		n := n + 1;
	END LOOP;
	IF n > 0 THEN	-- one audit row per batch, not per card
		PERFORM audit_append('points.expire', 'ledger', as_of::text, NULL,
			jsonb_build_object('cards', n, 'points', total, 'as_of', as_of), NULL);
	END IF;
	RETURN jsonb_build_object('cards', n, 'points', total, 'as_of', as_of);
END
$$;

-- A POS order: the engine has evaluated the cart (discounts, points, the
-- level valid at p_at); this posts redeem and earn and records the order,
-- all under the order ref as idempotency key.  p_request is the order as
-- submitted: a replay must carry the same one.
CREATE FUNCTION post_order(p_ref text, p_card text, p_at timestamptz, p_request jsonb,
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
	oid bigint;
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
			coalesce(p_detail, '{}'))
		RETURNING id INTO oid;
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'order', 'order', p_ref, 'card', c.code, 'level', p_level,
		'total_base', p_total_base, 'total_discount', p_total_discount,
		'total_net', p_total_net, 'points_earned', p_earn, 'points_redeemed', p_redeem,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;
