-- Membership: levels, the path into each level, every card's level history
-- and overrides.
--
-- A card's level over time is a sequence of periods [valid_from, valid_to)
-- in level_history; the open period (valid_to NULL) is the current level,
-- which cards.level_code mirrors for the ledger's snapshots.  An order uses
-- the level valid at its order time (level_at), which fixes the old
-- system's defect 3.  Periods are never rewritten: a change closes the open
-- period and opens the next one, never before the last change.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE levels (
	code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	sequence integer NOT NULL UNIQUE CHECK (sequence BETWEEN 0 AND 1000000),
	-- basis points: 1.5x is 15000
	earn_multiplier integer NOT NULL DEFAULT 10000 CHECK (earn_multiplier BETWEEN 0 AND 1000000),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- How a customer gets into (and stays in) a level: qualifying spend (net
-- order amounts less refunds, hundredths) in the rolling window_days up to
-- the evaluation time.  A level without a path is reached only by override.
CREATE TABLE level_paths (
	level_code text PRIMARY KEY REFERENCES levels,
	threshold bigint NOT NULL CHECK (threshold BETWEEN 0 AND 99999999999999),
	window_days integer NOT NULL CHECK (window_days BETWEEN 1 AND 3660),
	upgradable boolean NOT NULL DEFAULT true,	-- evaluation may move customers up into it
	downgradable boolean NOT NULL DEFAULT true	-- ... and down out of it
);

CREATE TABLE level_overrides (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	level_code text NOT NULL REFERENCES levels,
	valid_from timestamptz NOT NULL,
	valid_until timestamptz NOT NULL,
	reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	request_id bigint,		-- the approval request that granted it
	actor text NOT NULL DEFAULT session_user,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (valid_until > valid_from)
);
CREATE INDEX level_overrides_card_idx ON level_overrides (card_id, valid_until);

CREATE TABLE level_history (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	level_code text NOT NULL REFERENCES levels,
	valid_from timestamptz NOT NULL,
	valid_to timestamptz,
	change text NOT NULL CHECK (change IN ('upgrade', 'downgrade', 'override', 'override_lapsed')),
	spend bigint,			-- the qualifying spend that decided it
	override_id bigint REFERENCES level_overrides,
	actor text NOT NULL DEFAULT session_user,
	recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX level_history_card_idx ON level_history (card_id, valid_from DESC);
CREATE UNIQUE INDEX level_history_open_idx ON level_history (card_id) WHERE valid_to IS NULL;

-- Periods are closed once and never changed or removed otherwise.
CREATE FUNCTION level_history_close_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.valid_to IS NOT NULL OR NEW.valid_to IS NULL
	   OR (to_jsonb(NEW) - 'valid_to') <> (to_jsonb(OLD) - 'valid_to') THEN
		RAISE EXCEPTION 'level_history is append-only: update refused' USING ERRCODE = 'AB403';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER level_history_close_once BEFORE UPDATE ON level_history
	FOR EACH ROW EXECUTE FUNCTION level_history_close_once();
CREATE TRIGGER level_history_no_delete BEFORE DELETE ON level_history
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER level_history_no_truncate BEFORE TRUNCATE ON level_history
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER level_overrides_append_only BEFORE UPDATE OR DELETE ON level_overrides
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
