-- Delivering the outbox (`aba sync run`): what is due, in order per card,
-- marking events delivered, backing off after a failure and parking an
-- event that keeps failing.  One runner at a time (advisory lock taken by
-- the engine), so the order per card needs no row locks.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- Pending events of a card in id order: the runner checks "no earlier
-- pending event of this card is waiting for a retry".
CREATE INDEX outbox_card_pending_idx ON outbox (card_id, id) WHERE state = 'pending';
CREATE INDEX outbox_delivered_idx ON outbox (delivered_at) WHERE state = 'delivered';

-- The next due events, oldest first; an event whose card has an earlier
-- pending event still backing off waits for it.
CREATE FUNCTION outbox_due(p_limit integer DEFAULT 500)
RETURNS TABLE (id bigint, card text, topic text, posting_id bigint, created_at text,
	       attempts integer, payload text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT o.id, c.code, o.topic, o.posting_id,
	       to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	       o.attempts, o.payload::text
	  FROM outbox o JOIN cards c ON c.id = o.card_id
	 WHERE o.state = 'pending' AND o.next_attempt_at <= now()
	   AND NOT EXISTS (SELECT 1 FROM outbox p
			    WHERE p.state = 'pending' AND p.card_id = o.card_id AND p.id < o.id
			      AND p.next_attempt_at > now())
	 ORDER BY o.id LIMIT greatest(coalesce(p_limit, 500), 1)
$$;

CREATE FUNCTION outbox_delivered(p_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	n integer;
BEGIN
	UPDATE outbox SET state = 'delivered', delivered_at = now(), attempts = attempts + 1,
			  last_error = NULL
	 WHERE id = ANY (p_ids) AND state = 'pending';
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- A failed delivery: retry after 2^attempts seconds (at most an hour), or
-- park the event after p_max_attempts failures.  Returns the new state.
CREATE FUNCTION outbox_failed(p_id bigint, p_error text, p_max_attempts integer DEFAULT 10)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	st text;
BEGIN
	UPDATE outbox
	   SET attempts = attempts + 1, last_error = left(p_error, 1000),
	       state = CASE WHEN attempts + 1 >= greatest(p_max_attempts, 1) THEN 'parked'
			    ELSE 'pending' END,
	       next_attempt_at = now() + least(interval '1 second' * power(2, attempts), interval '1 hour')
	 WHERE id = p_id AND state = 'pending'
	RETURNING state INTO st;
	IF st IS NULL THEN
		RAISE EXCEPTION 'outbox event % is not pending', p_id USING ERRCODE = 'AB409';
	END IF;
	RETURN st;
END
$$;

-- Parked events go back to pending (after the consumer was fixed).
CREATE FUNCTION outbox_retry_parked() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	n integer;
BEGIN
	UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now()
	 WHERE state = 'parked';
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM audit_append('outbox.retry_parked', 'outbox', NULL, NULL,
				     jsonb_build_object('events', n), NULL);
	END IF;
	RETURN n;
END
$$;

CREATE FUNCTION outbox_status(OUT pending bigint, OUT failing bigint, OUT parked bigint,
			      OUT delivered bigint, OUT oldest_pending_seconds bigint,
			      OUT next_attempt_seconds bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT count(*) FILTER (WHERE state = 'pending'),
	       count(*) FILTER (WHERE state = 'pending' AND attempts > 0),
	       count(*) FILTER (WHERE state = 'parked'),
	       count(*) FILTER (WHERE state = 'delivered'),
	       extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending'))::bigint,
	       greatest(extract(epoch FROM min(next_attempt_at) FILTER (WHERE state = 'pending') - now()), 0)::bigint
	  FROM outbox
$$;
