-- Import from Odoo: which aba partner and card each Odoo record became,
-- what Odoo said a card's balance is, and Odoo's point history waiting to
-- be replayed into the ledger (or already replayed, and by which posting).
--
-- The Odoo ids live in tables of their own rather than in partners and
-- cards: a native aba card simply has no row here, and the ledger's tables
-- stay as the ledger defines them.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE odoo_partners (
	odoo_id bigint PRIMARY KEY CHECK (odoo_id > 0),
	partner_id bigint NOT NULL UNIQUE REFERENCES partners
);

-- points is Odoo's loyalty.card.points in hundredths: the balance the
-- import must reach.  imported is what import postings (replayed history
-- and odoo-import adjustments) have added to the card so far, so a
-- re-import only ever posts the difference and never reverses postings
-- made in aba after the migration.
CREATE TABLE odoo_cards (
	odoo_id bigint PRIMARY KEY CHECK (odoo_id > 0),
	card_id bigint NOT NULL UNIQUE REFERENCES cards,
	points bigint NOT NULL CHECK (points >= 0),
	imported bigint NOT NULL DEFAULT 0,
	settlements integer NOT NULL DEFAULT 0,
	program_odoo_id bigint,
	program_name text,
	expiration_date date,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- loyalty.history rows.  posting_id is set when the row was replayed into
-- the ledger; a replayed row is never replayed again, whatever Odoo later
-- says about it (the ledger is append-only; the card's odoo-import
-- adjustment absorbs any difference).
CREATE TABLE odoo_history (
	odoo_id bigint PRIMARY KEY CHECK (odoo_id > 0),
	card_id bigint NOT NULL REFERENCES cards,
	issued bigint NOT NULL CHECK (issued >= 0),
	used bigint NOT NULL CHECK (used >= 0),
	description text,
	order_ref text,
	at timestamptz NOT NULL,
	posting_id bigint REFERENCES postings
);
CREATE INDEX odoo_history_card_idx ON odoo_history (card_id, at, odoo_id);
CREATE INDEX odoo_history_pending_idx ON odoo_history (card_id) WHERE posting_id IS NULL;

-- One import posting replays a card's pending history and posts its
-- odoo-import adjustment together.  Its kind is 'import': it is neither a
-- POS order (there is no order row, Odoo's amounts are unknown) nor an
-- approved adjustment, and reports must be able to tell migrated history
-- from live activity.  The history entries it writes keep the ordinary
-- kinds earn, redeem and adjust.  The constraint is extended, not
-- rewritten, so kinds added by earlier migrations stay allowed.
DO $$
DECLARE
	def text;
BEGIN
	SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
	 WHERE conrelid = 'aba.postings'::regclass AND conname = 'postings_kind_check';
	IF def IS NULL OR position(']' IN def) = 0 THEN
		RAISE EXCEPTION 'postings_kind_check has an unexpected form: %', def;
	END IF;
	ALTER TABLE postings DROP CONSTRAINT postings_kind_check;
	EXECUTE 'ALTER TABLE aba.postings ADD CONSTRAINT postings_kind_check '
		|| regexp_replace(def, '\]', ', ''import''::text]');
END
$$;
