-- The per-statement reference checks (sql/081, 083) probe each distinct
-- (card, posting) pair once, not each row.  A posting writes many rows
-- that name it: an Odoo settlement of 500 cards writes 5,500 history
-- entries, 2,750 lots and marks 5,000 odoo_history rows under 500
-- postings, an order three or four rows under one.  Measured on the
-- first import of 1,000,000 Odoo records over 100,000 cards
-- (pg_stat_statements): the posting checks took 3.4 s of server time row
-- by row and 1.1 s per pair, odoo_history's 6.3 s and 3.2 s (its import
-- batches name 5,000 cards in 5,000 rows: no gain there).
-- What is checked is unchanged; the message still names a row (the lowest
-- id of the pair).
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE OR REPLACE FUNCTION check_posting_ref() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.id, a.card_id, a.posting_id INTO bad
	  FROM (SELECT min(id) AS id, card_id, posting_id FROM added
		 GROUP BY card_id, posting_id) a
	  LEFT JOIN postings p ON p.id = a.posting_id AND p.card_id = a.card_id
	 WHERE p.id IS NULL LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION '% %: card %''s posting % does not exist', TG_TABLE_NAME, bad.id,
			bad.card_id, bad.posting_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION check_odoo_history_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.odoo_id, a.card_id, a.posting_id INTO bad
	  FROM (SELECT min(odoo_id) AS odoo_id, card_id, posting_id FROM added
		 GROUP BY card_id, posting_id) a
	  LEFT JOIN cards c ON c.id = a.card_id
	  LEFT JOIN postings p ON p.id = a.posting_id AND p.card_id = a.card_id
	 WHERE c.id IS NULL OR (a.posting_id IS NOT NULL AND p.id IS NULL) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'odoo_history %: card % or its posting % does not exist', bad.odoo_id,
			bad.card_id, bad.posting_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;
