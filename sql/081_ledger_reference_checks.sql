-- References between ledger rows, checked once per statement instead of
-- once per row (issue 4: a million offline orders; issue 9: the Odoo
-- import).
--
-- Row-level foreign keys cost a trigger event, a lookup and a row lock for
-- every reference: thirteen per order, a third of the server's time in a
-- bulk post (tests/bench/order_bulk.sh, 100,000 orders: 42.5 s of server
-- CPU with them, 30.2 s with these checks).  The tables below are written
-- only by the ledger's functions, and the rows they point at can never be
-- deleted nor given another id or card (the triggers at the end), so a
-- check over the rows a statement added, when it ends, is as strict as
-- the foreign keys were, and stricter: a row's posting, entry, lot or
-- reversed movement must also be of the row's own card.
--
-- Kept as foreign keys: postings -> cards (the one reference per posting
-- that pins a card), and every reference of the rarely written tables.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- What the foreign keys did not check: rows written so far agree on cards.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM point_history a JOIN postings p ON p.id = a.posting_id
		    WHERE p.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM point_moves a JOIN postings p ON p.id = a.posting_id
		       WHERE p.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM outbox a JOIN postings p ON p.id = a.posting_id
		       WHERE p.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM orders a JOIN postings p ON p.id = a.posting_id
		       WHERE p.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM orders a JOIN point_moves l ON l.id = a.earned_lot_id
		       WHERE l.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM lot_movements a JOIN point_history h ON h.id = a.history_id
		       WHERE h.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM lot_movements a JOIN point_moves l ON l.id = a.lot_id
		       WHERE l.card_id <> a.card_id)
	   OR EXISTS (SELECT 1 FROM lot_movements a JOIN lot_movements r ON r.id = a.reverses_id
		       WHERE r.card_id <> a.card_id) THEN
		RAISE EXCEPTION 'ledger rows refer to rows of another card: run aba verify'
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END
$$;

ALTER TABLE point_history DROP CONSTRAINT point_history_card_id_fkey,
	DROP CONSTRAINT point_history_posting_id_fkey;
ALTER TABLE point_moves DROP CONSTRAINT point_moves_card_id_fkey,
	DROP CONSTRAINT point_moves_posting_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT outbox_card_id_fkey,
	DROP CONSTRAINT outbox_posting_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_card_id_fkey,
	DROP CONSTRAINT orders_posting_id_fkey, DROP CONSTRAINT orders_earned_lot_id_fkey;
ALTER TABLE lot_movements DROP CONSTRAINT lot_movements_card_id_fkey,
	DROP CONSTRAINT lot_movements_history_id_fkey, DROP CONSTRAINT lot_movements_lot_id_fkey,
	DROP CONSTRAINT lot_movements_reverses_id_fkey;

-- The rows a statement adds have no statistics: left alone, the planner
-- may hash a whole referenced table to check a handful of rows (a NOT
-- EXISTS under OR became a hashed subplan over every lot: 25 ms per
-- order).  Each check is a chain of left joins, and every lookup one
-- probe of a primary key.
CREATE FUNCTION check_posting_ref() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.posting_id INTO bad FROM added a
	  LEFT JOIN postings p ON p.id = a.posting_id AND p.card_id = a.card_id
	 WHERE p.id IS NULL LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION '% %: card %''s posting % does not exist', TG_TABLE_NAME, bad.id,
			bad.card_id, bad.posting_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE FUNCTION check_order_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.posting_id, a.earned_lot_id INTO bad FROM added a
	  LEFT JOIN postings p ON p.id = a.posting_id AND p.card_id = a.card_id
	  LEFT JOIN point_moves l ON l.id = a.earned_lot_id AND l.card_id = a.card_id
	 WHERE p.id IS NULL OR (a.earned_lot_id IS NOT NULL AND l.id IS NULL) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'orders %: card %''s posting % or lot % does not exist', bad.id,
			bad.card_id, bad.posting_id, bad.earned_lot_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE FUNCTION check_movement_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.history_id, a.lot_id, a.reverses_id INTO bad FROM added a
	  LEFT JOIN point_history h ON h.id = a.history_id AND h.card_id = a.card_id
	  LEFT JOIN point_moves l ON l.id = a.lot_id AND l.card_id = a.card_id
	  LEFT JOIN lot_movements r ON r.id = a.reverses_id AND r.card_id = a.card_id
	 WHERE h.id IS NULL OR l.id IS NULL OR (a.reverses_id IS NOT NULL AND r.id IS NULL) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'lot_movements %: card %''s entry %, lot % or reversed movement % does not exist',
			bad.id, bad.card_id, bad.history_id, bad.lot_id, bad.reverses_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER point_history_refs AFTER INSERT ON point_history
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_posting_ref();
CREATE TRIGGER point_moves_refs AFTER INSERT ON point_moves
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_posting_ref();
CREATE TRIGGER outbox_refs AFTER INSERT ON outbox
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_posting_ref();
CREATE TRIGGER orders_refs AFTER INSERT ON orders
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_order_refs();
CREATE TRIGGER lot_movements_refs AFTER INSERT ON lot_movements
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_movement_refs();

-- What the checks above rely on: a referenced row stays, with its id and
-- card (history and movements refuse every change already, sql/002).  An
-- UPDATE naming one of the trigger's columns fires it; the ledger's own
-- updates name none.
CREATE FUNCTION refuse_rekey() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	col text;
BEGIN
	FOREACH col IN ARRAY TG_ARGV LOOP
		IF to_jsonb(NEW) -> col IS DISTINCT FROM to_jsonb(OLD) -> col THEN
			RAISE EXCEPTION '%.% is referenced: update refused', TG_TABLE_NAME, col
				USING ERRCODE = 'AB403';
		END IF;
	END LOOP;
	RETURN NEW;
END
$$;

CREATE TRIGGER postings_keep_refs BEFORE UPDATE OF id, card_id ON postings
	FOR EACH ROW EXECUTE FUNCTION refuse_rekey('id', 'card_id');
CREATE TRIGGER point_moves_keep_refs BEFORE UPDATE OF id, card_id, posting_id ON point_moves
	FOR EACH ROW EXECUTE FUNCTION refuse_rekey('id', 'card_id', 'posting_id');
CREATE TRIGGER orders_keep_refs BEFORE UPDATE OF card_id, posting_id, earned_lot_id ON orders
	FOR EACH ROW EXECUTE FUNCTION refuse_rekey('card_id', 'posting_id', 'earned_lot_id');
CREATE TRIGGER outbox_keep_refs BEFORE UPDATE OF card_id, posting_id ON outbox
	FOR EACH ROW EXECUTE FUNCTION refuse_rekey('card_id', 'posting_id');

CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% rows are referenced and kept: % refused', TG_TABLE_NAME, lower(TG_OP)
		USING ERRCODE = 'AB403';
END
$$;

CREATE TRIGGER point_moves_no_delete BEFORE DELETE ON point_moves
	FOR EACH ROW EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER point_moves_no_truncate BEFORE TRUNCATE ON point_moves
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders
	FOR EACH ROW EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER orders_no_truncate BEFORE TRUNCATE ON orders
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
