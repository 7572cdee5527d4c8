-- The audit log: one row per staff action or configuration change, written
-- in the same transaction as the change, hash-chained so that an altered,
-- removed or reordered row is found by `aba audit verify`.
--
-- Chain: hash = sha256(prev_hash || convert_to(canonical row, 'UTF8')), the
-- first row's prev_hash is 32 zero bytes.  The canonical row is the nine
-- fields id, at, actor, action, entity, entity_id, before, after, reason,
-- each written as '~' when NULL or as <octet length>:<text> otherwise,
-- joined by '|'.  at is text as 2026-01-31T23:59:59.123456Z (UTC,
-- microseconds); before and after are their jsonb text.  The length prefix
-- makes the encoding unambiguous whatever the text holds, and every field
-- is exported exactly so that engine/aba_audit.c recomputes the chain
-- offline.  ids are gapless (assigned under the lock), so a row removed
-- anywhere, including the first, breaks the chain visibly.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE audit_log (
	id bigint PRIMARY KEY,
	at timestamptz NOT NULL,
	actor text NOT NULL,
	action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{0,63}$'),
	entity text NOT NULL CHECK (entity ~ '^[a-z][a-z0-9_.]{0,63}$'),
	entity_id text CHECK (length(entity_id) <= 200),
	before jsonb,
	after jsonb,
	reason text CHECK (length(reason) <= 2000),
	prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- refuse_change() comes from 002: append-only, whoever asks.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN '~' ELSE octet_length(v)::text || ':' || v END
$$;

CREATE FUNCTION audit_time(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE FUNCTION audit_canonical(r aba.audit_log) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT aba.audit_field(r.id::text) || '|' || aba.audit_field(aba.audit_time(r.at)) || '|' ||
	       aba.audit_field(r.actor) || '|' || aba.audit_field(r.action) || '|' ||
	       aba.audit_field(r.entity) || '|' || aba.audit_field(r.entity_id) || '|' ||
	       aba.audit_field(r.before::text) || '|' || aba.audit_field(r.after::text) || '|' ||
	       aba.audit_field(r.reason)
$$;

-- Appends one row and returns its id.  Internal: called by the SECURITY
-- DEFINER functions that make the change, in their transaction, so the row
-- exists exactly when the change does.  The transaction-scoped advisory
-- lock serialises appenders until commit, so each sees its predecessor.
CREATE FUNCTION audit_append(p_action text, p_entity text, p_entity_id text, p_before jsonb,
			     p_after jsonb, p_reason text)
RETURNS bigint LANGUAGE plpgsql SET search_path = aba, pg_temp AS $$
DECLARE
	last audit_log;
	r audit_log;
BEGIN
	IF p_action IS NULL OR p_action !~ '^[a-z][a-z0-9_.]{0,63}$' THEN
		RAISE EXCEPTION 'audit action ''%'' is not a lowercase name', left(p_action, 64)
			USING ERRCODE = 'AB422';
	END IF;
	IF p_entity IS NULL OR p_entity !~ '^[a-z][a-z0-9_.]{0,63}$' THEN
		RAISE EXCEPTION 'audit entity ''%'' is not a lowercase name', left(p_entity, 64)
			USING ERRCODE = 'AB422';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('aba.audit_log'));
	SELECT * INTO last FROM audit_log ORDER BY id DESC LIMIT 1;
	r.id := coalesce(last.id, 0) + 1;
	r.at := clock_timestamp();
	r.actor := session_user;
	r.action := p_action;
	r.entity := p_entity;
	r.entity_id := left(p_entity_id, 200);
	r.before := p_before;
	r.after := p_after;
	r.reason := left(p_reason, 2000);
	r.prev_hash := coalesce(last.hash, decode(repeat('00', 32), 'hex'));
	r.hash := sha256(r.prev_hash || convert_to(audit_canonical(r), 'UTF8'));
	INSERT INTO audit_log VALUES (r.*);
	RETURN r.id;
EXCEPTION WHEN unique_violation THEN
	-- Only a REPEATABLE READ caller, whose snapshot predates the lock, can
	-- miss its predecessor: make it retry like any serialization failure.
	RAISE EXCEPTION 'the audit log moved on: retry' USING ERRCODE = '40001';
END
$$;

-- The rows as the chain covers them, every field as text: what `aba audit`
-- lists, verifies and exports.
CREATE VIEW audit_rows AS
	SELECT id, audit_time(at) AS at, actor, action, entity, entity_id,
	       before::text AS before, after::text AS after, reason,
	       encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash, at AS at_ts
	  FROM audit_log;

REVOKE ALL ON audit_log, audit_rows FROM PUBLIC;
GRANT SELECT ON audit_log, audit_rows TO aba_auditor;
