-- odoo_history's references checked once per statement, as the ledger's
-- are (sql/081): the import writes a row per Odoo history record and the
-- settlement marks each with its posting, so its two foreign keys cost
-- two million row checks per million records.  The check is stricter
-- too: a row's posting must be of the row's card.  Cards, which it
-- refers to, are never deleted (postings are not, sql/002; nor their ids
-- changed, sql/081).
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM odoo_history a JOIN postings p ON p.id = a.posting_id
		    WHERE p.card_id <> a.card_id) THEN
		RAISE EXCEPTION 'odoo_history rows refer to postings of another card'
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END
$$;

ALTER TABLE odoo_history DROP CONSTRAINT odoo_history_card_id_fkey,
	DROP CONSTRAINT odoo_history_posting_id_fkey;

-- As sql/081's checks: left joins probing primary keys, nothing hashed.
CREATE FUNCTION check_odoo_history_refs() RETURNS trigger
LANGUAGE plpgsql SET search_path = aba, pg_temp
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
	bad record;
BEGIN
	SELECT a.odoo_id, a.card_id, a.posting_id INTO bad FROM added a
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

-- A trigger with transition tables has one event: one for each.
CREATE TRIGGER odoo_history_refs_added AFTER INSERT ON odoo_history
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_odoo_history_refs();
CREATE TRIGGER odoo_history_refs_changed AFTER UPDATE ON odoo_history
	REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION check_odoo_history_refs();
CREATE TRIGGER cards_no_delete BEFORE DELETE ON cards
	FOR EACH ROW EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER cards_no_truncate BEFORE TRUNCATE ON cards
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
