-- The first import of Odoo's cards set-based: a batch in which every card
-- is new to aba and would pass odoo_import_cards' checks is written with
-- one statement per table instead of five statements per card (a hundred
-- thousand cards took longer than their million history records).
-- odoo_import_cards (sql/061) calls it first; any other batch (a card
-- already imported, a code taken or given twice, a bad record) it leaves
-- to odoo_import_cards' loop, which names the first problem as before.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- rows as odoo_import_cards takes them.  NULL, with nothing written, when
-- the batch is not all new and clean; otherwise what odoo_import_cards
-- returns, with its audit row.  Partners are made as the loop makes
-- them, in record order: one named after the card when Odoo's partner is
-- false, one per Odoo partner not imported yet (named by its first record).
CREATE FUNCTION odoo_import_new_cards(p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
	clean boolean;
	changed jsonb;
	result jsonb;
BEGIN
	WITH r AS (
		SELECT x.*, count(*) OVER (PARTITION BY x.code) AS same_code,
		       count(*) OVER (PARTITION BY x.id) AS same_id,
		       row_number() OVER (PARTITION BY x.partner ORDER BY x.i) AS partner_use
		  FROM jsonb_to_recordset(p_rows) AS x(i integer, id bigint, code text, points bigint,
			partner bigint, partner_name text)
	)
	-- A NULL anywhere (a missing field) is not clean either.
	SELECT coalesce(bool_and(coalesce(r.points >= 0 AND r.id > 0 AND r.same_code = 1
		AND r.same_id = 1 AND r.code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
		AND NOT EXISTS (SELECT 1 FROM odoo_cards oc WHERE oc.odoo_id = r.id)
		AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.code = r.code)
		AND (r.partner IS NULL OR r.partner_use > 1
		     OR EXISTS (SELECT 1 FROM odoo_partners op WHERE op.odoo_id = r.partner)
		     OR length(coalesce(nullif(btrim(r.partner_name), ''),
					'odoo partner ' || r.partner)) <= 200), false)), false)
	  INTO clean FROM r;
	IF NOT clean THEN
		RETURN NULL;
	END IF;
	EXECUTE $q$
	WITH r AS MATERIALIZED (
		SELECT x.*, row_number() OVER (ORDER BY x.i) AS n
		  FROM jsonb_to_recordset($1) AS x(i integer, id bigint, code text, points bigint,
			partner bigint, partner_name text, program bigint, program_name text,
			expiration date)
	), known AS (
		SELECT r.partner, op.partner_id FROM r JOIN odoo_partners op ON op.odoo_id = r.partner
	), wanted AS (
		SELECT w.*, row_number() OVER (ORDER BY w.i) AS n FROM (
			SELECT r.i, NULL::bigint AS partner, 'odoo card ' || r.code AS name
			  FROM r WHERE r.partner IS NULL
			UNION ALL
			(SELECT DISTINCT ON (r.partner) r.i, r.partner,
			       coalesce(nullif(btrim(r.partner_name), ''), 'odoo partner ' || r.partner)
			  FROM r WHERE r.partner IS NOT NULL
			   AND NOT EXISTS (SELECT 1 FROM known k WHERE k.partner = r.partner)
			 ORDER BY r.partner, r.i)) w
	), made AS MATERIALIZED (
		SELECT w.*, p.id
		  FROM wanted w
		  JOIN unnest(take_ids('partners_id_seq', (SELECT count(*) FROM wanted)))
			WITH ORDINALITY AS p(id, n) ON p.n = w.n
	), planned AS MATERIALIZED (
		SELECT r.*, c.id AS card_id,
		       coalesce(k.partner_id, m.id, f.id) AS partner_id
		  FROM r
		  JOIN unnest(take_ids('cards_id_seq', (SELECT count(*) FROM r)))
			WITH ORDINALITY AS c(id, n) ON c.n = r.n
		  LEFT JOIN (SELECT DISTINCT partner, partner_id FROM known) k ON k.partner = r.partner
		  LEFT JOIN made m ON m.partner = r.partner
		  LEFT JOIN made f ON f.partner IS NULL AND f.i = r.i
	), w_partners AS (
		INSERT INTO partners (id, name) SELECT id, name FROM made ORDER BY n
	), w_odoo_partners AS (
		INSERT INTO odoo_partners (odoo_id, partner_id)
		SELECT partner, id FROM made WHERE partner IS NOT NULL ORDER BY n
	), w_cards AS (
		INSERT INTO cards (id, code, partner_id)
		SELECT card_id, code, partner_id FROM planned ORDER BY n
	), w_odoo_cards AS (
		INSERT INTO odoo_cards (odoo_id, card_id, points, program_odoo_id, program_name,
					expiration_date)
		SELECT id, card_id, points, program, program_name, expiration FROM planned ORDER BY n
	)
	SELECT jsonb_agg(jsonb_build_object('code', code, 'odoo_id', id, 'points', points)
			 ORDER BY n)
	  FROM planned
	$q$ INTO changed USING p_rows;
	result := jsonb_build_object('created', jsonb_array_length(changed), 'updated', 0,
				     'unchanged', 0);
	PERFORM audit_append('odoo.import_cards', 'odoo.loyalty_card', NULL, NULL,
			     result || jsonb_build_object('cards', changed), 'odoo-import');
	RETURN result;
END
$fn$;
