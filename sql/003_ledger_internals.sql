-- Building blocks of every posting.  Not executable by staff: only the
-- SECURITY DEFINER functions of 004 (running as aba_owner) call them.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- 1234 -> '12.34', for messages.
CREATE FUNCTION fmt_points(p numeric) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(p / 100.0, 'FM999999999999990.00')
$$;
GRANT EXECUTE ON FUNCTION fmt_points(numeric) TO PUBLIC;

CREATE FUNCTION check_points(p bigint, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF p IS NULL OR p <= 0 THEN
		RAISE EXCEPTION '% must be greater than zero', what USING ERRCODE = 'AB422';
	END IF;
	IF p > 99999999999999 THEN
		RAISE EXCEPTION '% % exceed the maximum 999999999999.99', what, fmt_points(p)
			USING ERRCODE = 'AB422';
	END IF;
END
$$;

CREATE FUNCTION check_text(v text, what text, max_len integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF v IS NOT NULL AND (length(v) = 0 OR length(v) > max_len) THEN
		RAISE EXCEPTION '% must have 1 to % characters', what, max_len USING ERRCODE = 'AB422';
	END IF;
END
$$;

-- Locks the card row for the whole posting: every posting on a card is
-- serialised here, which is what keeps two redemptions from spending the
-- same points.
CREATE FUNCTION lock_card(p_code text) RETURNS cards LANGUAGE plpgsql AS $$
DECLARE
	c cards;
BEGIN
	SELECT * INTO c FROM cards WHERE code = p_code FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'card ''%'' not found', left(p_code, 64) USING ERRCODE = 'AB404';
	END IF;
	IF NOT c.active THEN
		RAISE EXCEPTION 'card ''%'' is not active', c.code USING ERRCODE = 'AB409';
	END IF;
	RETURN c;
END
$$;

-- Claims the idempotency key.  Returns the first result (marked as a
-- replay) when the same request was posted before, raises when the key was
-- used for something else, otherwise creates the posting and returns NULL
-- with its id in posting_id.  A concurrent claim of the same key waits on
-- the unique index until the first transaction ends.
CREATE FUNCTION begin_posting(p_card_id bigint, p_key text, p_kind text, p_request jsonb,
			      OUT posting_id bigint, OUT replay jsonb) LANGUAGE plpgsql AS $$
DECLARE
	prev postings;
BEGIN
	IF p_key IS NULL OR length(p_key) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'idempotency key must have 1 to 200 characters' USING ERRCODE = 'AB422';
	END IF;
	INSERT INTO postings (card_id, key, kind, request, result)
		VALUES (p_card_id, p_key, p_kind, p_request, '{}')
		ON CONFLICT (key) DO NOTHING
		RETURNING id INTO posting_id;
	IF posting_id IS NOT NULL THEN
		RETURN;
	END IF;
	SELECT * INTO prev FROM postings WHERE key = p_key;
	IF prev.kind <> p_kind OR prev.card_id <> p_card_id OR prev.request <> p_request THEN
		RAISE EXCEPTION 'idempotency key ''%'' was already used for a different %',
			p_key, CASE prev.kind WHEN 'order' THEN 'order' ELSE prev.kind || ' posting' END
			USING ERRCODE = 'AB409';
	END IF;
	posting_id := prev.id;
	replay := prev.result || '{"replay": true}';
END
$$;

-- Records the result, queues the outbox event and wakes `aba sync run`.
CREATE FUNCTION finish_posting(p_posting_id bigint, p_card_id bigint, p_result jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	event_id bigint;
	r jsonb := p_result || jsonb_build_object('posting', p_posting_id, 'replay', false);
BEGIN
	UPDATE postings SET result = r WHERE id = p_posting_id;
	INSERT INTO outbox (card_id, posting_id, topic, payload)
		VALUES (p_card_id, p_posting_id, r ->> 'kind', r)
		RETURNING id INTO event_id;
	PERFORM pg_notify('aba_outbox', event_id::text);
	RETURN r;
END
$$;

-- The one place a balance changes: moves the card's balance by delta and
-- appends the history entry that says so.
CREATE FUNCTION add_history(p_card_id bigint, p_posting_id bigint, p_kind text, p_delta bigint,
			    p_origin text, p_key text, p_level text, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	bal bigint;
	hid bigint;
BEGIN
	UPDATE cards SET balance = balance + p_delta WHERE id = p_card_id RETURNING balance INTO bal;
	INSERT INTO point_history (card_id, posting_id, kind, delta, balance_after, origin,
				   idempotency_key, level_code, at)
		VALUES (p_card_id, p_posting_id, p_kind, p_delta, bal, p_origin, p_key, p_level, p_at)
		RETURNING id INTO hid;
	RETURN hid;
END
$$;

-- The one place a lot changes: moves its remaining by amount and records
-- the movement against the history entry.  new_state 'expired' marks an
-- expiry; otherwise the state follows remaining.
CREATE FUNCTION move_lot(p_history_id bigint, p_lot_id bigint, p_amount bigint,
			 p_new_state text DEFAULT NULL, p_reverses bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	mid bigint;
	cid bigint;
BEGIN
	UPDATE point_moves
	   SET remaining = remaining + p_amount,
	       state = coalesce(p_new_state,
				CASE WHEN remaining + p_amount > 0 THEN 'active' ELSE 'depleted' END)
	 WHERE id = p_lot_id
	RETURNING card_id INTO cid;
	INSERT INTO lot_movements (card_id, history_id, lot_id, amount, reverses_id)
		VALUES (cid, p_history_id, p_lot_id, p_amount, p_reverses)
		RETURNING id INTO mid;
	RETURN mid;
END
$$;

-- A new lot: created empty, then filled by its earn movement, so that the
-- movements of every lot sum to its remaining.
CREATE FUNCTION new_lot(p_card_id bigint, p_posting_id bigint, p_history_id bigint,
			p_points bigint, p_at timestamptz, p_validity_days integer,
			p_origin text, p_level text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	lot bigint;
BEGIN
	IF p_validity_days IS NOT NULL AND p_validity_days <= 0 THEN
		RAISE EXCEPTION 'validity must be at least one day' USING ERRCODE = 'AB422';
	END IF;
	INSERT INTO point_moves (card_id, posting_id, gained_at, expires_at, initial, remaining,
				 state, origin, level_code)
		-- Days are counted in UTC, so validity never depends on the
		-- session's time zone or its daylight-saving changes.
		VALUES (p_card_id, p_posting_id, p_at,
			((p_at AT TIME ZONE 'UTC') + make_interval(days => p_validity_days)) AT TIME ZONE 'UTC',
			p_points, 0, 'depleted', p_origin, p_level)
		RETURNING id INTO lot;
	PERFORM move_lot(p_history_id, lot, p_points);
	RETURN lot;
END
$$;

-- Points spendable at a time: active lots gained by then and not expired
-- by then (a back-dated posting cannot spend points earned after it).
CREATE FUNCTION available_points(p_card_id bigint, p_at timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(remaining), 0)::bigint FROM point_moves
	 WHERE card_id = p_card_id AND state = 'active' AND gained_at <= p_at
	   AND (expires_at IS NULL OR expires_at > p_at)
$$;

-- Takes points from the card's spendable lots (as available_points
-- counts them) in FEFO order (expiry
-- ascending, no expiry last, then gain date, then id), preferring
-- first_lot when given.  Returns what it could take, at most p_points.
CREATE FUNCTION take_fefo(p_card_id bigint, p_history_id bigint, p_points bigint,
			  p_at timestamptz, p_first_lot bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	lot record;
	need bigint := p_points;
	take bigint;
BEGIN
	FOR lot IN
		SELECT id, remaining FROM point_moves
		 WHERE card_id = p_card_id AND state = 'active' AND gained_at <= p_at
		   AND (expires_at IS NULL OR expires_at > p_at)
		 ORDER BY id IS DISTINCT FROM p_first_lot, expires_at ASC NULLS LAST, gained_at, id
	LOOP
		EXIT WHEN need = 0;
		take := least(need, lot.remaining);
		PERFORM move_lot(p_history_id, lot.id, -take);
		need := need - take;
	END LOOP;
	RETURN p_points - need;
END
$$;
