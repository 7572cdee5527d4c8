-- Maker-checker approvals: reason codes, thresholds and the requests.
--
-- A request is made by one login (maker) and decided by another (checker);
-- the table itself refuses checker = maker, so no function, present or
-- future, can record a self-approval.  Once decided, a request never
-- changes again (trigger).
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- The managed list of reasons a request may give (admins edit it).
CREATE TABLE reason_codes (
	code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	applies_to text NOT NULL DEFAULT 'any' CHECK (applies_to IN ('adjust', 'override', 'any')),
	active boolean NOT NULL DEFAULT true
);

-- Thresholds, in points hundredths (NULL: no limit / never).
--   auto_approve_below    |points| below this posts at once, recorded auto
--   approver_limit        the most an aba_approver may approve
--   admin_limit           the most an aba_admin may approve
--   expiry_hours          how long a request stays pending
--   adjust_validity_days  validity of a credit's lot (NULL: never expires)
CREATE TABLE approval_settings (
	name text PRIMARY KEY,
	value bigint CHECK (value >= 0),
	description text NOT NULL
);

INSERT INTO approval_settings (name, value, description) VALUES
	('auto_approve_below', 0, 'adjustments of fewer points post without a checker (0: never; at most 100.00)'),
	('auto_approve_daily', 50000, 'most points one maker may have auto-approved in 24 hours'),
	('approver_limit', 1000000, 'most points an approver may approve (empty: no limit)'),
	('admin_limit', NULL, 'most points an admin may approve (empty: no limit)'),
	('expiry_hours', 72, 'hours a request stays pending before it expires'),
	('adjust_validity_days', 365, 'days an adjustment credit stays valid (empty: never expires)');

INSERT INTO reason_codes (code, label, applies_to) VALUES
	('GOODWILL', 'goodwill gesture after a complaint', 'adjust'),
	('MISSED_EARN', 'points not earned on a purchase', 'adjust'),
	('CORRECTION', 'correction of a wrong posting', 'adjust'),
	('FRAUD', 'points removed after fraud', 'adjust'),
	('VIP', 'level granted by management', 'override'),
	('COMPLAINT', 'level kept after a complaint', 'override');

CREATE TABLE approval_requests (
	id bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('adjust', 'override')),
	card_id bigint NOT NULL REFERENCES cards,
	points bigint CHECK (points <> 0),
	level_code text,
	valid_until timestamptz,
	reason_code text NOT NULL REFERENCES reason_codes,
	note text CHECK (length(note) <= 1000),
	state text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'expired')),
	maker text NOT NULL DEFAULT session_user,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	checker text,
	auto boolean NOT NULL DEFAULT false,
	decided_at timestamptz,
	decision_note text CHECK (length(decision_note) <= 1000),
	posting_id bigint REFERENCES postings,
	result jsonb,
	CHECK (kind <> 'adjust' OR (points IS NOT NULL AND level_code IS NULL)),
	CHECK (kind <> 'override' OR (points IS NULL AND level_code IS NOT NULL
				      AND valid_until IS NOT NULL)),
	CHECK (checker IS NULL OR checker <> maker),
	CHECK ((state = 'pending') = (decided_at IS NULL)),
	CHECK (state <> 'approved' OR checker IS NOT NULL OR auto),
	CHECK (state <> 'rejected' OR (checker IS NOT NULL AND decision_note IS NOT NULL)),
	CHECK (expires_at > created_at)
);
CREATE INDEX approval_requests_pending_idx ON approval_requests (expires_at) WHERE state = 'pending';
CREATE INDEX approval_requests_card_idx ON approval_requests (card_id, id);
CREATE INDEX approval_requests_state_idx ON approval_requests (state, id);

-- A request is decided once: after that no column moves.
CREATE FUNCTION approval_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.state <> 'pending' OR NEW.id <> OLD.id OR NEW.kind <> OLD.kind
	   OR NEW.card_id <> OLD.card_id OR NEW.points IS DISTINCT FROM OLD.points
	   OR NEW.level_code IS DISTINCT FROM OLD.level_code
	   OR NEW.valid_until IS DISTINCT FROM OLD.valid_until
	   OR NEW.reason_code <> OLD.reason_code OR NEW.note IS DISTINCT FROM OLD.note
	   OR NEW.maker <> OLD.maker OR NEW.created_at <> OLD.created_at
	   OR NEW.expires_at <> OLD.expires_at THEN
		RAISE EXCEPTION 'approval request % was decided already: update refused', OLD.id
			USING ERRCODE = 'AB403';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER approval_requests_decided_once BEFORE UPDATE ON approval_requests
	FOR EACH ROW EXECUTE FUNCTION approval_decided_once();
CREATE TRIGGER approval_requests_no_delete BEFORE DELETE ON approval_requests
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER approval_requests_no_truncate BEFORE TRUNCATE ON approval_requests
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
