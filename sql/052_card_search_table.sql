-- Search as you type on a million cards (the console's Cards screen,
-- `aba card list --search`, the shell's completion): one narrow row per
-- card with what a search looks at, kept by triggers.
--
-- Why a table of its own: a search must give the first page in card code
-- order.  Over cards joined to partners, walking cards in code order costs
-- two index probes per card and finding the rare matches needs three
-- trigram indexes, a union and joins.  Here the walk is an index-only scan
-- of (code) INCLUDE (card_id, hay) and the rare matches come from one
-- trigram index; cards and partners are joined for the page's rows only.
--
-- hay is the lowercase code, name and phone, each after a U+001F: search
-- text cannot hold a control character (aba_text_check), so a match never
-- spans two fields, and '%' || U+001F || 'text%' is "a field starts with
-- text" (searches of one or two characters).  pg_trgm treats U+001F as a
-- word break, like a space.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- The trigram indexes of 050 are replaced by card_search_hay_trgm_idx.
DROP INDEX IF EXISTS cards_code_trgm_idx;
DROP INDEX IF EXISTS partners_name_trgm_idx;
DROP INDEX IF EXISTS partners_phone_trgm_idx;

CREATE TABLE card_search (
	card_id bigint PRIMARY KEY REFERENCES cards (id) ON DELETE CASCADE,
	code text NOT NULL,
	hay text NOT NULL
);

CREATE FUNCTION card_search_hay(p_code text, p_name text, p_phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = aba, pg_temp
AS $$ SELECT E'\x1f' || lower(p_code) || E'\x1f' || lower(p_name) || E'\x1f' || coalesce(p_phone, '') $$;

INSERT INTO card_search (card_id, code, hay)
SELECT c.id, c.code, card_search_hay(c.code, p.name, p.phone)
  FROM cards c JOIN partners p ON p.id = c.partner_id
 ORDER BY c.code;

CREATE INDEX card_search_walk_idx ON card_search (code) INCLUDE (card_id, hay);
CREATE INDEX card_search_hay_trgm_idx ON card_search USING gin (hay gin_trgm_ops);

-- New cards, one statement at a time: a bulk import of many cards pays one
-- INSERT here, not one per card.
CREATE FUNCTION card_search_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = aba, pg_temp
AS $$
BEGIN
	INSERT INTO card_search (card_id, code, hay)
	SELECT n.id, n.code, card_search_hay(n.code, p.name, p.phone)
	  FROM added n JOIN partners p ON p.id = n.partner_id;
	RETURN NULL;
END
$$;

CREATE TRIGGER cards_search_add AFTER INSERT ON cards
	REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION card_search_add();

-- A card's code or customer changes rarely (Odoo import); a posting's
-- UPDATE of balance or level does not name these columns, so it does not
-- fire the trigger at all.
CREATE FUNCTION card_search_card_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = aba, pg_temp
AS $$
BEGIN
	UPDATE card_search s SET code = NEW.code, hay = card_search_hay(NEW.code, p.name, p.phone)
	  FROM partners p
	 WHERE s.card_id = NEW.id AND p.id = NEW.partner_id;
	RETURN NULL;
END
$$;

CREATE TRIGGER cards_search_changed AFTER UPDATE OF code, partner_id ON cards
	FOR EACH ROW
	WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.partner_id IS DISTINCT FROM NEW.partner_id)
	EXECUTE FUNCTION card_search_card_changed();

CREATE FUNCTION card_search_partner_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = aba, pg_temp
AS $$
BEGIN
	UPDATE card_search s SET hay = card_search_hay(c.code, NEW.name, NEW.phone)
	  FROM cards c
	 WHERE c.partner_id = NEW.id AND s.card_id = c.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER partners_search_changed AFTER UPDATE OF name, phone ON partners
	FOR EACH ROW
	WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.phone IS DISTINCT FROM NEW.phone)
	EXECUTE FUNCTION card_search_partner_changed();

ANALYZE card_search;
