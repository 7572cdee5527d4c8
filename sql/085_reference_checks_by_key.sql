-- The per-statement reference checks (sql/081, 083), made cheaper and
-- safe from the planner.
--
-- Per (card, posting) pair: a posting writes many rows that name it (an
-- Odoo settlement of 500 cards writes 5,500 history entries, 2,750 lots
-- and marks 5,000 odoo_history rows under 500 postings; an order three
-- or four rows under one), so the posting checks group the added rows
-- first.  First import of 1,000,000 Odoo records over 100,000 cards
-- (pg_stat_statements): posting checks 3.4 s of server time row by row,
-- 1.1 s per pair; odoo_history's 6.3 s and 3.2 s (its import batches
-- name as many cards as rows).  The message still names a row (the
-- lowest id of the pair).
--
-- By key: each reference is looked up with a scalar subquery on the
-- referenced row's primary key, not a left join the planner was free to
-- shape.  With hash and merge joins off, the planner may still choose a
-- nested loop over the whole materialised table when it believes the
-- table nearly empty: every added row compared with every row.  Seen on
-- a copy of a database whose ledger tables had been analysed while
-- empty, after a few rolled-back settlement runs: one run's movement
-- check took 9.1 s, its join filters discarding 57 million rows, and
-- runs took 2.6-3.9 s instead of 0.3-0.5 s (the same ten runs on a
-- fresh copy with the form below: 0.29-0.51 s each).  A scalar subquery on a key is one index
-- probe per row whatever the planner believes about a table's size, and
-- is never hashed (as a NOT EXISTS under OR can be).
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE OR REPLACE FUNCTION check_posting_ref() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.posting_id INTO bad
	  FROM (SELECT min(id) AS id, card_id, posting_id FROM added
		 GROUP BY card_id, posting_id) a
	 WHERE (SELECT p.card_id FROM postings p WHERE p.id = a.posting_id)
		IS DISTINCT FROM a.card_id
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION '% %: card %''s posting % does not exist', TG_TABLE_NAME, bad.id,
			bad.card_id, bad.posting_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION check_order_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.posting_id, a.earned_lot_id INTO bad FROM added a
	 WHERE (SELECT p.card_id FROM postings p WHERE p.id = a.posting_id)
		IS DISTINCT FROM a.card_id
	    OR (a.earned_lot_id IS NOT NULL
		AND (SELECT l.card_id FROM point_moves l WHERE l.id = a.earned_lot_id)
			IS DISTINCT FROM a.card_id)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'orders %: card %''s posting % or lot % does not exist', bad.id,
			bad.card_id, bad.posting_id, bad.earned_lot_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION check_movement_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.history_id, a.lot_id, a.reverses_id INTO bad FROM added a
	 WHERE (SELECT h.card_id FROM point_history h WHERE h.id = a.history_id)
		IS DISTINCT FROM a.card_id
	    OR (SELECT l.card_id FROM point_moves l WHERE l.id = a.lot_id)
		IS DISTINCT FROM a.card_id
	    OR (a.reverses_id IS NOT NULL
		AND (SELECT r.card_id FROM lot_movements r WHERE r.id = a.reverses_id)
			IS DISTINCT FROM a.card_id)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'lot_movements %: card %''s entry %, lot % or reversed movement % does not exist',
			bad.id, bad.card_id, bad.history_id, bad.lot_id, bad.reverses_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION check_odoo_history_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.odoo_id, a.card_id, a.posting_id INTO bad
	  FROM (SELECT min(odoo_id) AS odoo_id, card_id, posting_id FROM added
		 GROUP BY card_id, posting_id) a
	 -- a posting of the card vouches for the card (postings -> cards is
	 -- a foreign key): one probe either way
	 WHERE CASE WHEN a.posting_id IS NULL
		    THEN (SELECT c.id FROM cards c WHERE c.id = a.card_id) IS NULL
		    ELSE (SELECT p.card_id FROM postings p WHERE p.id = a.posting_id)
			 IS DISTINCT FROM a.card_id END
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'odoo_history %: card % or its posting % does not exist', bad.odoo_id,
			bad.card_id, bad.posting_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;
