-- Membership functions: the level valid at a time, configuration of levels,
-- evaluation (up as soon as spend reaches a higher threshold, down at
-- evaluation when below the current one), and overrides.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- The level a card had at a time (NULL: none).
CREATE FUNCTION level_at(p_card_id bigint, p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT level_code FROM level_history
	 WHERE card_id = p_card_id AND valid_from <= p_at AND (valid_to IS NULL OR valid_to > p_at)
	 ORDER BY valid_from DESC LIMIT 1
$$;

-- Net spend less refunds of the card's orders in (at - days, at].
CREATE FUNCTION qualifying_spend(p_card_id bigint, p_at timestamptz, p_days integer) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(total_net - refunded_amount), 0)::bigint FROM orders
	 WHERE card_id = p_card_id AND ordered_at <= p_at
	   AND ordered_at > p_at - make_interval(days => p_days)
$$;

CREATE FUNCTION active_override(p_card_id bigint, p_at timestamptz) RETURNS level_overrides
LANGUAGE sql STABLE AS $$
	SELECT * FROM level_overrides
	 WHERE card_id = p_card_id AND valid_from <= p_at AND valid_until > p_at
	 ORDER BY id DESC LIMIT 1
$$;

-- When the card's level last changed (-infinity: never).  A new change
-- must come after it, so that no period is ever rewritten.
CREATE FUNCTION last_level_change(p_card_id bigint) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT coalesce(max(greatest(valid_from, valid_to)), '-infinity') FROM level_history
	 WHERE card_id = p_card_id
$$;

-- The one place a level changes: closes the open period at p_at, opens the
-- next (none when p_level is NULL) and mirrors it into cards.level_code.
-- The caller holds the card's row lock.
CREATE FUNCTION change_level(p_card_id bigint, p_level text, p_at timestamptz, p_change text,
			     p_spend bigint, p_override bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_at <= last_level_change(p_card_id) THEN
		RAISE EXCEPTION 'card ''%'' has a level change at or after %',
			(SELECT code FROM cards WHERE id = p_card_id), p_at USING ERRCODE = 'AB409';
	END IF;
	UPDATE level_history SET valid_to = p_at WHERE card_id = p_card_id AND valid_to IS NULL;
	IF p_level IS NOT NULL THEN
		INSERT INTO level_history (card_id, level_code, valid_from, change, spend, override_id)
			VALUES (p_card_id, p_level, p_at, p_change, p_spend, p_override);
	END IF;
	UPDATE cards SET level_code = p_level WHERE id = p_card_id;
END
$$;

-- What evaluation at p_at makes of a card: the level it should have, the
-- kind of change, and the qualifying spend behind it.  With p_allow_down
-- false (right after an order) it only ever moves up.
CREATE FUNCTION level_decision(p_card_id bigint, p_at timestamptz, p_allow_down boolean,
			       OUT current_level text, OUT level text, OUT change text,
			       OUT spend bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ov level_overrides;
	cur record;
	lv record;
	cur_seq integer := -1;
	cur_met boolean := true;
	cur_change text;
	best text;		-- highest level whose threshold is met
	best_spend bigint;
	up text;		-- highest upgradable level above the current one that is met
	up_spend bigint;
	below text;		-- highest met level below the current one
	below_spend bigint;
BEGIN
	SELECT h.level_code, h.change, l.sequence INTO cur FROM level_history h
	  JOIN levels l ON l.code = h.level_code
	 WHERE h.card_id = p_card_id AND h.valid_from <= p_at AND (h.valid_to IS NULL OR h.valid_to > p_at)
	 ORDER BY h.valid_from DESC LIMIT 1;
	IF FOUND THEN
		current_level := cur.level_code;
		cur_seq := cur.sequence;
		cur_change := cur.change;
	END IF;
	level := current_level;
	change := 'none';
	ov := active_override(p_card_id, p_at);
	IF ov.id IS NOT NULL THEN
		level := ov.level_code;
		change := CASE WHEN level = current_level THEN 'pinned' ELSE 'override' END;
		RETURN;
	END IF;
	FOR lv IN
		SELECT l.code, l.sequence, p.threshold, p.upgradable, p.downgradable,
		       qualifying_spend(p_card_id, p_at, p.window_days) AS spend
		  FROM levels l JOIN level_paths p ON p.level_code = l.code
		 ORDER BY l.sequence DESC
	LOOP
		IF lv.code = current_level THEN
			spend := lv.spend;
			cur_met := lv.spend >= lv.threshold OR NOT lv.downgradable;
		END IF;
		CONTINUE WHEN lv.spend < lv.threshold;
		IF best IS NULL THEN
			best := lv.code;
			best_spend := lv.spend;
		END IF;
		IF up IS NULL AND lv.upgradable AND lv.sequence > cur_seq THEN
			up := lv.code;
			up_spend := lv.spend;
		END IF;
		IF below IS NULL AND lv.sequence < cur_seq THEN
			below := lv.code;
			below_spend := lv.spend;
		END IF;
	END LOOP;
	IF cur_change = 'override' THEN
		-- The override lapsed: back to what spend says, whatever the flags.
		IF best IS DISTINCT FROM current_level THEN
			level := best;
			spend := best_spend;
			change := 'override_lapsed';
		END IF;
	ELSIF up IS NOT NULL THEN
		level := up;
		spend := up_spend;
		change := 'upgrade';
	ELSIF p_allow_down AND NOT cur_met THEN
		level := below;
		spend := coalesce(below_spend, spend);
		change := 'downgrade';
	END IF;
END
$$;

-- Evaluates one locked card at p_at and applies the decision.  A card
-- whose level changed at or after p_at is left alone (skipped), so that
-- evaluating an earlier time never rewrites history.
CREATE FUNCTION evaluate_card(p_card cards, p_at timestamptz) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d record;
	outcome text;
BEGIN
	d := level_decision(p_card.id, p_at, true);
	outcome := d.change;
	IF d.level IS NOT DISTINCT FROM d.current_level THEN
		outcome := CASE WHEN d.change = 'pinned' THEN 'pinned' ELSE 'unchanged' END;
	ELSIF last_level_change(p_card.id) >= p_at THEN
		outcome := 'skipped';
	ELSE
		PERFORM change_level(p_card.id, d.level, p_at, d.change, d.spend,
				     (active_override(p_card.id, p_at)).id);
	END IF;
	RETURN jsonb_build_object('card', p_card.code, 'from', d.current_level,
				  'to', CASE WHEN outcome = 'skipped' THEN d.current_level ELSE d.level END,
				  'outcome', outcome, 'spend', d.spend);
END
$$;

-- Right after an order at p_at: moves the card up as soon as its spend
-- reaches a higher threshold.  The new level starts just after the order
-- (which earned at the old one), and only when that rewrites nothing: no
-- later order or level change of the card, and not in the future.
CREATE FUNCTION upgrade_after_order(p_card_id bigint, p_at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t timestamptz := p_at + interval '1 microsecond';
	d record;
BEGIN
	IF t > now() OR t <= last_level_change(p_card_id)
	   OR EXISTS (SELECT 1 FROM orders WHERE card_id = p_card_id AND ordered_at >= t) THEN
		RETURN NULL;
	END IF;
	d := level_decision(p_card_id, t, false);
	IF d.change <> 'upgrade' THEN
		RETURN NULL;
	END IF;
	PERFORM change_level(p_card_id, d.level, t, 'upgrade', d.spend, NULL);
	RETURN d.level;
END
$$;

-- aba member evaluate: cards with id > p_after (or the one card), at most
-- p_limit of them, locked one at a time in id order.  The caller repeats
-- with last_id until cards is 0, one short transaction per batch.
CREATE FUNCTION member_evaluate(p_as_of timestamptz DEFAULT NULL, p_card text DEFAULT NULL,
				p_after bigint DEFAULT 0, p_limit integer DEFAULT 500)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	as_of timestamptz := coalesce(p_as_of, now());
	c cards;
	r jsonb;
	n integer := 0;
	last_id bigint := coalesce(p_after, 0);
	counts jsonb := '{"upgrade": 0, "downgrade": 0, "override": 0, "override_lapsed": 0,
			  "pinned": 0, "unchanged": 0, "skipped": 0}';
	changes jsonb := '[]';
BEGIN
	IF as_of > now() THEN
		RAISE EXCEPTION 'as-of time ''%'' is in the future', as_of USING ERRCODE = 'AB422';
	END IF;
	IF p_limit IS NULL OR p_limit < 1 THEN
		RAISE EXCEPTION 'batch size must be at least 1' USING ERRCODE = 'AB422';
	END IF;
	IF p_card IS NOT NULL THEN
		c := lock_card(p_card);
		last_id := c.id;
	END IF;
	FOR c IN
		SELECT * FROM cards
		 WHERE CASE WHEN p_card IS NULL THEN id > last_id AND active ELSE id = last_id END
		 ORDER BY id LIMIT p_limit FOR UPDATE
	LOOP
		r := evaluate_card(c, as_of);
		counts := jsonb_set(counts, ARRAY[r ->> 'outcome'],
				    to_jsonb((counts ->> (r ->> 'outcome'))::integer + 1));
		IF r ->> 'outcome' NOT IN ('unchanged', 'pinned') THEN
			changes := changes || r;
		END IF;
		IF p_card IS NOT NULL THEN
			changes := jsonb_build_array(r);
		END IF;
		n := n + 1;
		last_id := c.id;
	END LOOP;
	-- Level changes change what orders earn: each batch that moved a
	-- card is on record with the moves it made.
	IF (counts ->> 'upgrade')::int + (counts ->> 'downgrade')::int + (counts ->> 'override')::int
	   + (counts ->> 'override_lapsed')::int > 0 THEN
		PERFORM audit_append('member.evaluate', 'card_level', p_card, NULL,
			jsonb_build_object('as_of', as_of, 'counts', counts, 'changes', changes), NULL);
	END IF;
	RETURN jsonb_build_object('cards', n, 'last_id', last_id, 'as_of', as_of, 'counts', counts,
				  'changes', changes);
END
$$;

-- Creates or changes a level and its path (p_threshold NULL: no path,
-- reached only by override).  Configuration: audited.
CREATE FUNCTION level_set(p_code text, p_name text, p_sequence integer, p_multiplier integer,
			  p_threshold bigint, p_window_days integer, p_upgradable boolean DEFAULT true,
			  p_downgradable boolean DEFAULT true)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	before jsonb;
	after jsonb;
BEGIN
	IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' THEN
		RAISE EXCEPTION 'level code ''%'' must be 1 to 32 letters, digits, ''_'' or ''-''',
			left(p_code, 40) USING ERRCODE = 'AB422';
	END IF;
	IF p_name IS NULL OR length(btrim(p_name)) = 0 OR length(p_name) > 100 THEN
		RAISE EXCEPTION 'level name must have 1 to 100 characters' USING ERRCODE = 'AB422';
	END IF;
	IF p_sequence IS NULL OR p_sequence NOT BETWEEN 0 AND 1000000 THEN
		RAISE EXCEPTION 'level sequence must be from 0 to 1000000' USING ERRCODE = 'AB422';
	END IF;
	IF p_multiplier IS NULL OR p_multiplier NOT BETWEEN 0 AND 1000000 THEN
		RAISE EXCEPTION 'earn multiplier must be from 0 to 100' USING ERRCODE = 'AB422';
	END IF;
	IF p_threshold IS NOT NULL AND (p_threshold NOT BETWEEN 0 AND 99999999999999
	   OR p_window_days IS NULL OR p_window_days NOT BETWEEN 1 AND 3660) THEN
		RAISE EXCEPTION 'level ''%'': threshold must be from 0 to 999999999999.99 and window from 1 to 3660 days',
			p_code USING ERRCODE = 'AB422';
	END IF;
	IF EXISTS (SELECT 1 FROM levels WHERE sequence = p_sequence AND code <> p_code) THEN
		RAISE EXCEPTION 'level sequence % is taken by level ''%''', p_sequence,
			(SELECT code FROM levels WHERE sequence = p_sequence) USING ERRCODE = 'AB409';
	END IF;
	LOCK TABLE levels IN SHARE ROW EXCLUSIVE MODE;	-- one configuration change at a time
	SELECT to_jsonb(l) || jsonb_build_object('path', to_jsonb(p) - 'level_code') INTO before
	  FROM levels l LEFT JOIN level_paths p ON p.level_code = l.code WHERE l.code = p_code;
	INSERT INTO levels (code, name, sequence, earn_multiplier)
		VALUES (p_code, btrim(p_name), p_sequence, p_multiplier)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, sequence = EXCLUDED.sequence,
			earn_multiplier = EXCLUDED.earn_multiplier, updated_at = now();
	IF p_threshold IS NULL THEN
		DELETE FROM level_paths WHERE level_code = p_code;
	ELSE
		INSERT INTO level_paths (level_code, threshold, window_days, upgradable, downgradable)
			VALUES (p_code, p_threshold, p_window_days, coalesce(p_upgradable, true),
				coalesce(p_downgradable, true))
			ON CONFLICT (level_code) DO UPDATE SET threshold = EXCLUDED.threshold,
				window_days = EXCLUDED.window_days, upgradable = EXCLUDED.upgradable,
				downgradable = EXCLUDED.downgradable;
	END IF;
	SELECT to_jsonb(l) || jsonb_build_object('path', to_jsonb(p) - 'level_code') INTO after
	  FROM levels l LEFT JOIN level_paths p ON p.level_code = l.code WHERE l.code = p_code;
	PERFORM audit_append(CASE WHEN before IS NULL THEN 'level.create' ELSE 'level.update' END,
			     'level', p_code, before - 'updated_at', after - 'updated_at', NULL);
	RETURN after;
END
$$;

-- Pins a card's level until p_until.  Internal: the approval workflow calls
-- it when an override request is approved (p_request_id), in its
-- transaction.  Returns the override's id.
CREATE FUNCTION set_level_override(p_card_id bigint, p_level text, p_until timestamptz,
				   p_reason text, p_request_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	c cards;
	t timestamptz := clock_timestamp();
	oid bigint;
	prev text;
BEGIN
	SELECT * INTO c FROM cards WHERE id = p_card_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'card id % not found', p_card_id USING ERRCODE = 'AB404';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM levels WHERE code = p_level) THEN
		RAISE EXCEPTION 'level ''%'' not found', left(p_level, 40) USING ERRCODE = 'AB404';
	END IF;
	IF p_until IS NULL OR p_until <= t THEN
		RAISE EXCEPTION 'override of card ''%'' must end in the future', c.code USING ERRCODE = 'AB422';
	END IF;
	IF p_reason IS NULL OR length(btrim(p_reason)) = 0 OR length(p_reason) > 500 THEN
		RAISE EXCEPTION 'an override needs a reason of 1 to 500 characters' USING ERRCODE = 'AB422';
	END IF;
	prev := c.level_code;
	INSERT INTO level_overrides (card_id, level_code, valid_from, valid_until, reason, request_id)
		VALUES (c.id, p_level, t, p_until, btrim(p_reason), p_request_id)
		RETURNING id INTO oid;
	IF prev IS DISTINCT FROM p_level THEN
		PERFORM change_level(c.id, p_level, t, 'override', NULL, oid);
	END IF;
	PERFORM audit_append('level.override', 'card', c.code,
			     jsonb_build_object('level', prev),
			     jsonb_build_object('level', p_level, 'until', p_until, 'override', oid,
						'request', p_request_id),
			     btrim(p_reason));
	RETURN oid;
END
$$;

-- Until the approval workflow takes overrides over, an admin may set one
-- directly.  (The approvals migration revokes this.)
CREATE FUNCTION level_override_direct(p_card text, p_level text, p_until timestamptz, p_reason text)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards;
	oid bigint;
BEGIN
	c := lock_card(p_card);
	oid := set_level_override(c.id, p_level, p_until, p_reason, NULL);
	RETURN jsonb_build_object('override', oid, 'card', c.code, 'level', p_level, 'until', p_until);
END
$$;

-- aba member show: the level at p_at, since when, qualifying spend, the
-- next level and how far it is, and any override.
CREATE FUNCTION member_info(p_card text, p_at timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	at timestamptz := coalesce(p_at, now());
	c cards;
	h level_history;
	lv record;
	nx record;
	ov level_overrides;
	r jsonb;
BEGIN
	SELECT * INTO c FROM cards WHERE code = p_card;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'card ''%'' not found', left(p_card, 64) USING ERRCODE = 'AB404';
	END IF;
	SELECT * INTO h FROM level_history
	 WHERE card_id = c.id AND valid_from <= at AND (valid_to IS NULL OR valid_to > at)
	 ORDER BY valid_from DESC LIMIT 1;
	SELECT l.code, l.name, l.sequence, l.earn_multiplier, p.threshold, p.window_days INTO lv
	  FROM levels l LEFT JOIN level_paths p ON p.level_code = l.code WHERE l.code = h.level_code;
	SELECT l.code, l.name, p.threshold, p.window_days INTO nx
	  FROM levels l JOIN level_paths p ON p.level_code = l.code
	 WHERE l.sequence > coalesce(lv.sequence, -1) AND p.upgradable
	 ORDER BY l.sequence LIMIT 1;
	ov := active_override(c.id, at);
	r := jsonb_build_object('card', c.code, 'at', at, 'level', h.level_code, 'level_name', lv.name,
		'since', h.valid_from, 'change', h.change,
		'earn_multiplier', coalesce(lv.earn_multiplier, 10000),
		'threshold', lv.threshold, 'window_days', lv.window_days,
		'spend', CASE WHEN lv.window_days IS NOT NULL
			      THEN qualifying_spend(c.id, at, lv.window_days) END);
	IF nx.code IS NOT NULL THEN
		r := r || jsonb_build_object('next', jsonb_build_object('level', nx.code, 'name', nx.name,
			'threshold', nx.threshold, 'window_days', nx.window_days,
			'spend', qualifying_spend(c.id, at, nx.window_days),
			'distance', greatest(nx.threshold - qualifying_spend(c.id, at, nx.window_days), 0)));
	END IF;
	IF ov.id IS NOT NULL THEN
		r := r || jsonb_build_object('override', jsonb_build_object('id', ov.id,
			'level', ov.level_code, 'until', ov.valid_until, 'reason', ov.reason,
			'request', ov.request_id, 'actor', ov.actor));
	END IF;
	RETURN r;
END
$$;

-- The level an order at p_at earns with, and its multiplier; what the
-- engine asks before evaluating the cart.
CREATE FUNCTION order_level(p_card text, p_at timestamptz)
RETURNS TABLE (level text, earn_multiplier integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT h.level_code, coalesce(l.earn_multiplier, 10000)
	  FROM cards c
	  LEFT JOIN level_history h ON h.card_id = c.id AND h.valid_from <= p_at
				   AND (h.valid_to IS NULL OR h.valid_to > p_at)
	  LEFT JOIN levels l ON l.code = h.level_code
	 WHERE c.code = p_card
$$;
