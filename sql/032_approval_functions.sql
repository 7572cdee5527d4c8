-- Maker-checker: request, approve, reject, cancel, expire; reason codes and
-- thresholds.  Every function appends its audit row in its own
-- transaction.  An approval posts through the ledger's internals (003) in
-- the same transaction, so a request is approved exactly when its points
-- moved.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION approval_setting(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT value FROM aba.approval_settings WHERE name = p_name
$$;

-- A request as the audit log records it and the engine reads it: times as
-- UTC text, so that neither depends on the session's TimeZone.
CREATE FUNCTION approval_json(r approval_requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT (to_jsonb(r) - 'result' - 'card_id')
	       || jsonb_build_object('card', (SELECT code FROM aba.cards WHERE id = r.card_id),
				     'created_at', aba.audit_time(r.created_at),
				     'expires_at', aba.audit_time(r.expires_at),
				     'decided_at', aba.audit_time(r.decided_at),
				     'valid_until', aba.audit_time(r.valid_until))
$$;

CREATE FUNCTION check_reason(p_code text, p_kind text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	rc reason_codes;
BEGIN
	SELECT * INTO rc FROM reason_codes WHERE code = p_code;
	IF NOT FOUND OR NOT rc.active THEN
		RAISE EXCEPTION 'reason code ''%'' is not in the list (see aba reason list)',
			left(p_code, 32) USING ERRCODE = 'AB422';
	END IF;
	IF rc.applies_to NOT IN (p_kind, 'any') THEN
		RAISE EXCEPTION 'reason code ''%'' is for % requests, not %', rc.code, rc.applies_to, p_kind
			USING ERRCODE = 'AB422';
	END IF;
END
$$;

-- The card of a request: must exist and be active.
CREATE FUNCTION request_card(p_code text) RETURNS cards LANGUAGE plpgsql AS $$
DECLARE
	c cards;
BEGIN
	SELECT * INTO c FROM cards WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'card ''%'' not found', left(p_code, 64) USING ERRCODE = 'AB404';
	END IF;
	IF NOT c.active THEN
		RAISE EXCEPTION 'card ''%'' is not active', c.code USING ERRCODE = 'AB409';
	END IF;
	RETURN c;
END
$$;

-- Inserts a pending request, audited, and returns it.
CREATE FUNCTION new_request(p_kind text, p_card cards, p_points bigint, p_level text,
			    p_until timestamptz, p_reason text, p_note text)
RETURNS approval_requests LANGUAGE plpgsql AS $$
DECLARE
	r approval_requests;
	hours bigint := coalesce(approval_setting('expiry_hours'), 72);
BEGIN
	PERFORM check_reason(p_reason, p_kind);
	PERFORM check_text(p_note, 'note', 1000);
	INSERT INTO approval_requests (kind, card_id, points, level_code, valid_until, reason_code,
				       note, expires_at)
		VALUES (p_kind, p_card.id, p_points, p_level, p_until, p_reason, p_note,
			now() + make_interval(hours => greatest(hours, 1)::integer))
		RETURNING * INTO r;
	PERFORM audit_append(p_kind || '.request', 'approval', r.id::text, NULL, approval_json(r),
			     p_reason || coalesce(': ' || p_note, ''));
	RETURN r;
END
$$;

-- Locks a request for a decision and refuses one that cannot be decided.
CREATE FUNCTION lock_request(p_id bigint) RETURNS approval_requests LANGUAGE plpgsql AS $$
DECLARE
	r approval_requests;
BEGIN
	SELECT * INTO r FROM approval_requests WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'approval request % not found', p_id USING ERRCODE = 'AB404';
	END IF;
	IF r.state = 'approved' THEN
		RAISE EXCEPTION 'approval request % was already approved%', r.id,
			coalesce(' by ' || r.checker, ' automatically') USING ERRCODE = 'AB409';
	ELSIF r.state = 'rejected' THEN
		RAISE EXCEPTION 'approval request % was already rejected by %', r.id, r.checker
			USING ERRCODE = 'AB409';
	ELSIF r.state <> 'pending' THEN
		RAISE EXCEPTION 'approval request % is %', r.id, r.state USING ERRCODE = 'AB409';
	END IF;
	IF r.expires_at <= now() THEN
		RAISE EXCEPTION 'approval request % expired at %', r.id, audit_time(r.expires_at)
			USING ERRCODE = 'AB409';
	END IF;
	RETURN r;
END
$$;

CREATE FUNCTION refuse_own(r approval_requests, p_verb text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF r.maker = session_user THEN
		RAISE EXCEPTION 'you cannot % your own request % (maker and checker must differ%)',
			p_verb, r.id, CASE WHEN p_verb = 'reject' THEN '; cancel it instead' ELSE '' END
			USING ERRCODE = 'AB403';
	END IF;
END
$$;

-- The most points the caller may approve (NULL: no limit).  Admins are
-- approvers too, so the admin limit wins for them.
CREATE FUNCTION caller_limit() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF pg_has_role(session_user, 'aba_admin', 'MEMBER') THEN
		RETURN approval_setting('admin_limit');
	END IF;
	RETURN approval_setting('approver_limit');
END
$$;

CREATE FUNCTION check_limit(r approval_requests) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	lim bigint := caller_limit();
BEGIN
	IF r.kind = 'adjust' AND lim IS NOT NULL AND abs(r.points) > lim THEN
		RAISE EXCEPTION 'approval request % moves % points, above your limit of %: it needs %',
			r.id, fmt_points(abs(r.points)), fmt_points(lim),
			CASE WHEN pg_has_role(session_user, 'aba_admin', 'MEMBER')
			     THEN 'the admin limit raised' ELSE 'an admin' END
			USING ERRCODE = 'AB403';
	END IF;
END
$$;

-- Posts an approved adjustment.  The request id is the idempotency key.
-- A credit becomes a lot valid adjust_validity_days (so goodwill points
-- lapse like earned ones); a debit takes FEFO once covered.
CREATE FUNCTION post_adjustment(r approval_requests) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	c cards;
	p record;
	key text := 'approval:' || r.id;
	origin text := 'adjust:' || r.reason_code;
	at timestamptz := now();
	avail bigint;
	hid bigint;
	lot bigint;
	days bigint := approval_setting('adjust_validity_days');
BEGIN
	c := lock_card((SELECT code FROM cards WHERE id = r.card_id));
	p := begin_posting(c.id, key, 'adjust', jsonb_build_object(
		'request', r.id, 'card', c.code, 'points', r.points, 'reason', r.reason_code));
	IF p.replay IS NOT NULL THEN
		RETURN p.replay;
	END IF;
	IF r.points > 0 THEN
		hid := add_history(c.id, p.posting_id, 'adjust', r.points, origin, key, c.level_code, at);
		lot := new_lot(c.id, p.posting_id, hid, r.points, at, nullif(days, 0)::integer, origin,
			       c.level_code);
	ELSE
		avail := available_points(c.id, at);
		IF avail < -r.points THEN
			RAISE EXCEPTION 'card ''%'' has % points available, approval request % takes %',
				c.code, fmt_points(avail), r.id, fmt_points(-r.points) USING ERRCODE = 'AB402';
		END IF;
		hid := add_history(c.id, p.posting_id, 'adjust', r.points, origin, key, c.level_code, at);
		PERFORM take_fefo(c.id, hid, -r.points, at);
	END IF;
	RETURN finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'adjust', 'card', c.code, 'points', r.points, 'request', r.id, 'lot', lot,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
END
$$;

-- Carries out an approved request and records the decision.
CREATE FUNCTION apply_request(r approval_requests, p_checker text, p_note text)
RETURNS approval_requests LANGUAGE plpgsql AS $$
DECLARE
	res jsonb;
	pid bigint;
	after approval_requests;
BEGIN
	IF r.kind = 'adjust' THEN
		res := post_adjustment(r);
		pid := (res ->> 'posting')::bigint;
	ELSE
		PERFORM request_card((SELECT code FROM cards WHERE id = r.card_id));
		res := jsonb_build_object('kind', 'override', 'override',
			set_level_override(r.card_id, r.level_code, r.valid_until,
					   left(r.reason_code || coalesce(': ' || r.note, ''), 500), r.id));
	END IF;
	UPDATE approval_requests
	   SET state = 'approved', checker = p_checker, auto = p_checker IS NULL,
	       decided_at = now(), decision_note = p_note, posting_id = pid, result = res
	 WHERE id = r.id
	RETURNING * INTO after;
	PERFORM audit_append(r.kind || CASE WHEN p_checker IS NULL THEN '.auto_approve' ELSE '.approve' END,
			     'approval', r.id::text, approval_json(r), approval_json(after), p_note);
	RETURN after;
END
$$;

CREATE FUNCTION request_result(r approval_requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT aba.approval_json(r) || jsonb_build_object('result', r.result)
$$;

-- Auto-approval is for small amounts only, and bounded per maker: never
-- above the approver limit, and at most auto_approve_daily points of one
-- maker's requests in 24 hours, so that many small requests cannot add up
-- to what would have needed a checker.
CREATE FUNCTION auto_approvable(p_points bigint) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
	limit_points bigint := approval_setting('approver_limit');
	daily bigint := coalesce(approval_setting('auto_approve_daily'), 0);
	used bigint;
BEGIN
	IF limit_points IS NOT NULL AND p_points > limit_points THEN
		RETURN false;
	END IF;
	-- One maker's concurrent requests take turns, so the sum below holds.
	PERFORM pg_advisory_xact_lock(hashtext('aba.auto_approve:' || session_user));
	SELECT coalesce(sum(abs(points)), 0) INTO used FROM approval_requests
	 WHERE maker = session_user AND auto AND decided_at > now() - interval '24 hours';
	RETURN used + p_points <= daily;
END
$$;

-- Public: a clerk asks for +/- points on a card.
CREATE FUNCTION adjust_request(p_card text, p_points bigint, p_reason text, p_note text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards := request_card(p_card);
	r approval_requests;
	auto_below bigint := coalesce(approval_setting('auto_approve_below'), 0);
	avail bigint;
BEGIN
	IF p_points IS NULL OR p_points = 0 THEN
		RAISE EXCEPTION 'points must not be zero' USING ERRCODE = 'AB422';
	END IF;
	PERFORM check_points(abs(p_points), 'points');
	-- Refused now rather than at approval: a debit the card cannot cover
	-- would only waste a checker's time.  Approval checks again.
	IF p_points < 0 THEN
		avail := available_points(c.id, now());
		IF avail < -p_points THEN
			RAISE EXCEPTION 'card ''%'' has % points available, the request takes %',
				c.code, fmt_points(avail), fmt_points(-p_points) USING ERRCODE = 'AB402';
		END IF;
	END IF;
	r := new_request('adjust', c, p_points, NULL, NULL, p_reason, p_note);
	IF abs(p_points) < auto_below AND auto_approvable(abs(p_points)) THEN
		r := apply_request(r, NULL, format('auto-approved: below %s points', fmt_points(auto_below)));
	END IF;
	RETURN request_result(r);
END
$$;

-- Public: a checker approves; the points move (or the level is pinned) in
-- this transaction.  A racing second approver waits on the row lock, then
-- finds it approved.
CREATE FUNCTION approval_approve(p_id bigint, p_note text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r approval_requests := lock_request(p_id);
BEGIN
	PERFORM refuse_own(r, 'approve');
	PERFORM check_limit(r);
	PERFORM check_text(p_note, 'note', 1000);
	RETURN request_result(apply_request(r, session_user, p_note));
END
$$;

CREATE FUNCTION approval_reject(p_id bigint, p_note text)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r approval_requests := lock_request(p_id);
	after approval_requests;
BEGIN
	PERFORM refuse_own(r, 'reject');
	IF p_note IS NULL OR length(btrim(p_note)) = 0 THEN
		RAISE EXCEPTION 'a note is required to reject approval request %', r.id
			USING ERRCODE = 'AB422';
	END IF;
	PERFORM check_text(p_note, 'note', 1000);
	UPDATE approval_requests
	   SET state = 'rejected', checker = session_user, decided_at = now(), decision_note = p_note
	 WHERE id = r.id RETURNING * INTO after;
	PERFORM audit_append(r.kind || '.reject', 'approval', r.id::text, approval_json(r),
			     approval_json(after), p_note);
	RETURN request_result(after);
END
$$;

CREATE FUNCTION approval_cancel(p_id bigint)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r approval_requests := lock_request(p_id);
	after approval_requests;
BEGIN
	IF r.maker <> session_user THEN
		RAISE EXCEPTION 'only its maker ''%'' may cancel approval request %', r.maker, r.id
			USING ERRCODE = 'AB403';
	END IF;
	UPDATE approval_requests SET state = 'cancelled', decided_at = now()
	 WHERE id = r.id RETURNING * INTO after;
	PERFORM audit_append(r.kind || '.cancel', 'approval', r.id::text, approval_json(r),
			     approval_json(after), NULL);
	RETURN request_result(after);
END
$$;

-- Public: marks every pending request past expires_at as expired.
CREATE FUNCTION approvals_expire()
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r approval_requests;
	after approval_requests;
	n integer := 0;
BEGIN
	FOR r IN
		SELECT * FROM approval_requests WHERE state = 'pending' AND expires_at <= now()
		 ORDER BY id FOR UPDATE SKIP LOCKED
	LOOP
		UPDATE approval_requests SET state = 'expired', decided_at = now()
		 WHERE id = r.id RETURNING * INTO after;
		PERFORM audit_append(r.kind || '.expire', 'approval', r.id::text, approval_json(r),
				     approval_json(after), NULL);
		n := n + 1;
	END LOOP;
	RETURN jsonb_build_object('expired', n);
END
$$;

-- Admin: adds or changes a reason code.
CREATE FUNCTION reason_code_set(p_code text, p_label text, p_applies_to text DEFAULT 'any',
				p_active boolean DEFAULT true)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	before reason_codes;
	after reason_codes;
BEGIN
	IF p_code IS NULL OR p_code !~ '^[A-Z][A-Z0-9_]{1,31}$' THEN
		RAISE EXCEPTION 'reason code ''%'' must be 2 to 32 capital letters, digits or ''_''',
			left(p_code, 32) USING ERRCODE = 'AB422';
	END IF;
	IF p_label IS NULL OR length(btrim(p_label)) = 0 OR length(p_label) > 200 THEN
		RAISE EXCEPTION 'label must have 1 to 200 characters' USING ERRCODE = 'AB422';
	END IF;
	IF p_applies_to IS NULL OR p_applies_to NOT IN ('adjust', 'override', 'any') THEN
		RAISE EXCEPTION 'reason code applies to ''%'': must be adjust, override or any',
			left(p_applies_to, 32) USING ERRCODE = 'AB422';
	END IF;
	SELECT * INTO before FROM reason_codes WHERE code = p_code FOR UPDATE;
	INSERT INTO reason_codes (code, label, applies_to, active)
		VALUES (p_code, btrim(p_label), p_applies_to, coalesce(p_active, true))
		ON CONFLICT (code) DO UPDATE
		SET label = EXCLUDED.label, applies_to = EXCLUDED.applies_to, active = EXCLUDED.active
		RETURNING * INTO after;
	PERFORM audit_append('reason_code.set', 'reason_code', p_code,
			     CASE WHEN before.code IS NULL THEN NULL ELSE to_jsonb(before) END,
			     to_jsonb(after), NULL);
	RETURN to_jsonb(after);
END
$$;

-- Admin: changes a threshold (value NULL: no limit).
CREATE FUNCTION approval_setting_set(p_name text, p_value bigint)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	before approval_settings;
	after approval_settings;
BEGIN
	SELECT * INTO before FROM approval_settings WHERE name = p_name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'setting ''%'' not found', left(p_name, 64) USING ERRCODE = 'AB404';
	END IF;
	IF p_value < 0 OR (p_value IS NULL AND p_name IN ('expiry_hours', 'auto_approve_below',
							  'auto_approve_daily')) THEN
		RAISE EXCEPTION 'setting ''%'' cannot be %', p_name, coalesce(p_value::text, 'empty')
			USING ERRCODE = 'AB422';
	END IF;
	-- Auto-approval posts without a checker: only ever for small amounts.
	IF p_name = 'auto_approve_below' AND (p_value > 10000
	   OR p_value > coalesce(approval_setting('approver_limit'), p_value)) THEN
		RAISE EXCEPTION 'auto_approve_below must be at most 100.00 points and at most the approver limit'
			USING ERRCODE = 'AB422';
	END IF;
	IF p_name = 'auto_approve_daily' AND p_value > 1000000 THEN
		RAISE EXCEPTION 'auto_approve_daily must be at most 10000.00 points' USING ERRCODE = 'AB422';
	END IF;
	IF p_name = 'expiry_hours' AND p_value NOT BETWEEN 1 AND 8760 THEN
		RAISE EXCEPTION 'expiry_hours must be 1 to 8760' USING ERRCODE = 'AB422';
	END IF;
	IF p_name = 'adjust_validity_days' AND p_value > 36500 THEN
		RAISE EXCEPTION 'adjust_validity_days must be at most 36500' USING ERRCODE = 'AB422';
	END IF;
	UPDATE approval_settings SET value = p_value WHERE name = p_name RETURNING * INTO after;
	PERFORM audit_append('setting.set', 'approval_setting', p_name, to_jsonb(before),
			     to_jsonb(after), NULL);
	RETURN to_jsonb(after);
END
$$;
