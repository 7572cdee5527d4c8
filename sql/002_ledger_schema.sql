-- The points ledger: partners, cards, lots, history, lot movements,
-- postings (one per idempotency key), orders, refunds and the outbox.
--
-- Amounts are bigint hundredths (12.34 points = 1234).  card_id is on every
-- ledger table so the schema can be sharded by card.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE partners (
	id bigserial PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	phone text CHECK (phone ~ '^\+?[0-9][0-9 -]{2,31}$'),
	email text CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cards (
	id bigserial PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
	partner_id bigint NOT NULL REFERENCES partners,
	balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
	level_code text,
	active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_partner_idx ON cards (partner_id);

-- One row per idempotency key: what was asked (request) and what was
-- answered (result).  A replay with the same request gets the same result.
CREATE TABLE postings (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	key text NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 200),
	kind text NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'order', 'refund', 'adjust')),
	request jsonb NOT NULL,
	result jsonb NOT NULL,
	actor text NOT NULL DEFAULT session_user,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postings_card_idx ON postings (card_id);

-- Lots ("point_moves" as Odoo calls them).  remaining is what can still be
-- spent; a lot is active exactly while remaining > 0, unless it expired.
CREATE TABLE point_moves (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	gained_at timestamptz NOT NULL,
	expires_at timestamptz,
	initial bigint NOT NULL CHECK (initial > 0),
	remaining bigint NOT NULL,
	state text NOT NULL CHECK (state IN ('active', 'depleted', 'expired')),
	origin text NOT NULL,
	level_code text,
	CHECK (remaining >= 0 AND remaining <= initial),
	CHECK ((state = 'active') = (remaining > 0)),
	CHECK (expires_at IS NULL OR expires_at > gained_at)
);
-- FEFO: expiry ascending, no expiry last, then gain date, then id.
CREATE INDEX point_moves_fefo_idx ON point_moves
	(card_id, expires_at NULLS LAST, gained_at, id) WHERE state = 'active';
CREATE INDEX point_moves_due_idx ON point_moves (expires_at) WHERE state = 'active';
-- A card's lots in every state, for its screen and aba card show.
CREATE INDEX point_moves_card_idx ON point_moves (card_id, id);
CREATE INDEX point_moves_posting_idx ON point_moves (posting_id);

-- Append-only: every change of a balance.  at is the business time (order
-- time, expiry time); recorded_at is when it was written.
CREATE TABLE point_history (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	kind text NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'refund', 'adjust')),
	delta bigint NOT NULL CHECK (delta <> 0),
	balance_after bigint NOT NULL CHECK (balance_after >= 0),
	origin text NOT NULL,
	idempotency_key text NOT NULL,
	actor text NOT NULL DEFAULT session_user,
	level_code text,
	at timestamptz NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Covering: a card's history pages, and aba verify's running sums, read
-- the index alone, in order.
CREATE INDEX point_history_card_idx ON point_history (card_id, id) INCLUDE (delta, balance_after);
CREATE INDEX point_history_at_idx ON point_history (at);
CREATE INDEX point_history_posting_idx ON point_history (posting_id);

-- Append-only: which lots each history entry moved, and by how much
-- (DESIGN.md's "consumption", for every kind): negative takes from the lot,
-- positive adds to it.  For every lot the movements sum to remaining; for
-- every history entry they sum to its delta.  A restore of redeemed points
-- names the movement it gives back (reverses_id).
CREATE TABLE lot_movements (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	history_id bigint NOT NULL REFERENCES point_history,
	lot_id bigint NOT NULL REFERENCES point_moves,
	amount bigint NOT NULL CHECK (amount <> 0),
	reverses_id bigint REFERENCES lot_movements
);
-- Covering, so that aba verify sums the movements of every entry and lot
-- from the index alone, in order.
CREATE INDEX lot_movements_history_idx ON lot_movements (history_id) INCLUDE (amount);
CREATE INDEX lot_movements_lot_idx ON lot_movements (lot_id) INCLUDE (amount);
CREATE INDEX lot_movements_reverses_idx ON lot_movements (reverses_id) WHERE reverses_id IS NOT NULL;

CREATE TABLE orders (
	id bigserial PRIMARY KEY,
	ref text NOT NULL UNIQUE,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	ordered_at timestamptz NOT NULL,
	pos text,
	offline boolean NOT NULL DEFAULT false,
	level_code text,
	total_base bigint NOT NULL CHECK (total_base >= 0),
	total_discount bigint NOT NULL CHECK (total_discount >= 0),
	total_net bigint NOT NULL CHECK (total_net >= 0),
	points_earned bigint NOT NULL DEFAULT 0 CHECK (points_earned >= 0),
	points_redeemed bigint NOT NULL DEFAULT 0 CHECK (points_redeemed >= 0),
	earned_lot_id bigint REFERENCES point_moves,
	refunded_amount bigint NOT NULL DEFAULT 0,
	points_reversed bigint NOT NULL DEFAULT 0,	-- earned points due back so far
	points_restored bigint NOT NULL DEFAULT 0,	-- redeemed points given back so far
	state text NOT NULL DEFAULT 'posted'
		CHECK (state IN ('posted', 'partially_refunded', 'refunded')),
	detail jsonb NOT NULL DEFAULT '{}',
	CHECK (refunded_amount BETWEEN 0 AND total_net),
	CHECK (points_reversed BETWEEN 0 AND points_earned),
	CHECK (points_restored BETWEEN 0 AND points_redeemed)
);
CREATE INDEX orders_card_idx ON orders (card_id, ordered_at);
CREATE INDEX orders_at_idx ON orders (ordered_at);

CREATE TABLE order_refunds (
	id bigserial PRIMARY KEY,
	order_id bigint NOT NULL REFERENCES orders,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	amount bigint NOT NULL CHECK (amount >= 0),
	points_restored bigint NOT NULL,
	points_reexpired bigint NOT NULL,
	points_reversed bigint NOT NULL,
	shortfall bigint NOT NULL,
	at timestamptz NOT NULL
);
CREATE INDEX order_refunds_order_idx ON order_refunds (order_id);

-- Written in the posting's transaction; `aba sync run` delivers it.
CREATE TABLE outbox (
	id bigserial PRIMARY KEY,
	card_id bigint NOT NULL REFERENCES cards,
	posting_id bigint NOT NULL REFERENCES postings,
	topic text NOT NULL,
	payload jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'parked')),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	delivered_at timestamptz,
	last_error text
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE state = 'pending';

-- History and lot movements are append-only; postings keep key, card and
-- request forever (only the result placeholder is filled in, once).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, lower(TG_OP)
		USING ERRCODE = 'AB403';
END
$$;

CREATE FUNCTION postings_fill_result_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.result <> '{}'::jsonb OR NEW.key <> OLD.key OR NEW.card_id <> OLD.card_id
	   OR NEW.kind <> OLD.kind OR NEW.request <> OLD.request OR NEW.actor <> OLD.actor THEN
		RAISE EXCEPTION 'postings are append-only: update refused' USING ERRCODE = 'AB403';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER point_history_append_only BEFORE UPDATE OR DELETE ON point_history
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER point_history_no_truncate BEFORE TRUNCATE ON point_history
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER lot_movements_append_only BEFORE UPDATE OR DELETE ON lot_movements
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER lot_movements_no_truncate BEFORE TRUNCATE ON lot_movements
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_result_once BEFORE UPDATE ON postings
	FOR EACH ROW EXECUTE FUNCTION postings_fill_result_once();
