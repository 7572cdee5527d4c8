-- Import from Odoo: upserts keyed on Odoo ids, and the settlement that
-- replays Odoo's history into the ledger through its internals (sql/003).
--
-- The engine (engine/aba_odoo*.c) reads the export, checks types, turns
-- Odoo's float points into hundredths, and sends records in batches as a
-- JSON array; each element carries i, the record's position in its file,
-- so that an error here names the record as the engine's do.  One file is
-- one transaction: the engine begins it, sends the batches, calls
-- odoo_import_done() for the audit row and commits.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION odoo_record_error(p_i integer, p_id bigint, p_field text, p_msg text,
				  p_state text DEFAULT 'AB422')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'record % (id %): %: %', p_i, p_id, p_field, p_msg USING ERRCODE = p_state;
END
$$;

-- The checks partners' own constraints make, as messages naming the field.
CREATE FUNCTION odoo_check_partner(p_i integer, p_id bigint, p_name text, p_email text,
				   p_phone text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF p_name IS NULL OR length(btrim(p_name)) = 0 OR length(p_name) > 200 THEN
		PERFORM odoo_record_error(p_i, p_id, 'name', 'must have 1 to 200 characters');
	END IF;
	IF p_phone IS NOT NULL AND p_phone !~ '^\+?[0-9][0-9 -]{2,31}$' THEN
		PERFORM odoo_record_error(p_i, p_id, 'phone',
			format('''%s'' is not a phone number', left(p_phone, 40)));
	END IF;
	IF p_email IS NOT NULL
	   AND (length(p_email) > 254 OR p_email !~ '^[^@[:space:]]+@[^@[:space:]]+$') THEN
		PERFORM odoo_record_error(p_i, p_id, 'email',
			format('''%s'' is not an e-mail address', left(p_email, 60)));
	END IF;
END
$$;

-- res.partner: rows [{i, id, name, email, phone}].
CREATE FUNCTION odoo_import_partners(p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r record;
	old partners;
	pid bigint;
	changed bigint[] := '{}';
	result jsonb;
	n_new integer := 0;
	n_upd integer := 0;
	n_same integer := 0;
BEGIN
	FOR r IN SELECT * FROM jsonb_to_recordset(p_rows)
			AS x(i integer, id bigint, name text, email text, phone text)
	LOOP
		PERFORM odoo_check_partner(r.i, r.id, r.name, r.email, r.phone);
		SELECT p.* INTO old FROM odoo_partners o JOIN partners p ON p.id = o.partner_id
		 WHERE o.odoo_id = r.id;
		IF NOT FOUND THEN
			INSERT INTO partners (name, phone, email) VALUES (btrim(r.name), r.phone, r.email)
				RETURNING id INTO pid;
			INSERT INTO odoo_partners (odoo_id, partner_id) VALUES (r.id, pid);
			n_new := n_new + 1;
			changed := changed || r.id;
		ELSIF (old.name, old.phone, old.email) IS DISTINCT FROM (btrim(r.name), r.phone, r.email) THEN
			UPDATE partners SET name = btrim(r.name), phone = r.phone, email = r.email
			 WHERE id = old.id;
			n_upd := n_upd + 1;
			changed := changed || r.id;
		ELSE
			n_same := n_same + 1;
		END IF;
	END LOOP;
	result := jsonb_build_object('created', n_new, 'updated', n_upd, 'unchanged', n_same);
	-- Customer data changed by an import is on record, whatever the caller does.
	IF n_new + n_upd > 0 THEN
		PERFORM audit_append('odoo.import_partners', 'odoo.res_partner', NULL, NULL,
				     result || jsonb_build_object('odoo_ids', to_jsonb(changed)), 'odoo-import');
	END IF;
	RETURN result;
END
$$;

-- The partner a card belongs to.  A many2one to a partner not imported
-- (yet) creates it from the display name Odoo put next to the id; a later
-- res.partner import fills in the rest.  A card without partner (Odoo's
-- false: gift cards, coupons) gets a partner of its own named after it,
-- kept across re-imports.
CREATE FUNCTION odoo_card_partner(p_i integer, p_id bigint, p_partner bigint, p_name text,
				  p_code text, p_current bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	pid bigint;
	name text;
BEGIN
	IF p_partner IS NULL THEN
		IF p_current IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM odoo_partners WHERE partner_id = p_current) THEN
			RETURN p_current;
		END IF;
		INSERT INTO partners (name) VALUES ('odoo card ' || p_code) RETURNING id INTO pid;
		RETURN pid;
	END IF;
	SELECT partner_id INTO pid FROM odoo_partners WHERE odoo_id = p_partner;
	IF FOUND THEN
		RETURN pid;
	END IF;
	name := coalesce(nullif(btrim(p_name), ''), 'odoo partner ' || p_partner);
	IF length(name) > 200 THEN
		PERFORM odoo_record_error(p_i, p_id, 'partner_id', 'the partner''s name is longer than 200 characters');
	END IF;
	INSERT INTO partners (name) VALUES (name) RETURNING id INTO pid;
	INSERT INTO odoo_partners (odoo_id, partner_id) VALUES (p_partner, pid);
	RETURN pid;
END
$$;

-- Refuses a code another card already has: Odoo's codes are the cards'
-- identity at the till, so two Odoo cards (or an Odoo card and a card
-- made in aba) sharing one is a conflict to resolve in Odoo, not to guess.
CREATE FUNCTION odoo_check_code(p_i integer, p_id bigint, p_code text, p_card_id bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	other bigint;
	owner bigint;
BEGIN
	IF p_code IS NULL OR p_code !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' THEN
		PERFORM odoo_record_error(p_i, p_id, 'code', format(
			'''%s'' must be 1 to 64 letters, digits, ''.'', ''_'' or ''-''', left(p_code, 64)));
	END IF;
	SELECT id INTO other FROM cards WHERE code = p_code;
	IF other IS NULL OR other = p_card_id THEN
		RETURN;
	END IF;
	SELECT odoo_id INTO owner FROM odoo_cards WHERE card_id = other;
	PERFORM odoo_record_error(p_i, p_id, 'code', format('card ''%s'' already exists%s', p_code,
		CASE WHEN owner IS NULL THEN ' and was not imported from odoo'
		     ELSE format(' as odoo card %s', owner) END), 'AB409');
END
$$;

-- loyalty.card: rows [{i, id, code, points, partner, partner_name,
-- program, program_name, expiration}].  Creates or updates the card and
-- what Odoo says of it; the balance moves only at settlement.
CREATE FUNCTION odoo_import_cards(p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	r record;
	oc odoo_cards;
	c cards;
	pid bigint;
	cid bigint;
	changed jsonb[] := '{}';	-- appended in place; a jsonb array is copied per append
	result jsonb;
	n_new integer := 0;
	n_upd integer := 0;
	n_same integer := 0;
BEGIN
	-- A batch of cards all new and clean goes set-based (sql/063).
	result := odoo_import_new_cards(p_rows);
	IF result IS NOT NULL THEN
		RETURN result;
	END IF;
	FOR r IN SELECT * FROM jsonb_to_recordset(p_rows)
			AS x(i integer, id bigint, code text, points bigint, partner bigint,
			     partner_name text, program bigint, program_name text, expiration date)
	LOOP
		IF r.points IS NULL OR r.points < 0 THEN
			PERFORM odoo_record_error(r.i, r.id, 'points', format(
				'a balance of %s cannot be imported: balances are never negative',
				fmt_points(r.points)));
		END IF;
		SELECT * INTO oc FROM odoo_cards WHERE odoo_id = r.id;
		PERFORM odoo_check_code(r.i, r.id, r.code, oc.card_id);
		IF oc.card_id IS NULL THEN
			pid := odoo_card_partner(r.i, r.id, r.partner, r.partner_name, r.code, NULL);
			INSERT INTO cards (code, partner_id) VALUES (r.code, pid) RETURNING id INTO cid;
			INSERT INTO odoo_cards (odoo_id, card_id, points, program_odoo_id, program_name,
						expiration_date)
				VALUES (r.id, cid, r.points, r.program, r.program_name, r.expiration);
			n_new := n_new + 1;
			changed := changed || jsonb_build_object('code', r.code, 'odoo_id', r.id,
								 'points', r.points);
			CONTINUE;
		END IF;
		SELECT * INTO c FROM cards WHERE id = oc.card_id;
		pid := odoo_card_partner(r.i, r.id, r.partner, r.partner_name, r.code, c.partner_id);
		IF (c.code, c.partner_id, oc.points, oc.program_odoo_id, oc.program_name, oc.expiration_date)
		   IS NOT DISTINCT FROM (r.code, pid, r.points, r.program, r.program_name, r.expiration) THEN
			n_same := n_same + 1;
			CONTINUE;
		END IF;
		UPDATE cards SET code = r.code, partner_id = pid
		 WHERE id = c.id AND (code, partner_id) IS DISTINCT FROM (r.code, pid);
		UPDATE odoo_cards SET points = r.points, program_odoo_id = r.program,
		       program_name = r.program_name, expiration_date = r.expiration, updated_at = now()
		 WHERE odoo_id = r.id;
		n_upd := n_upd + 1;
		changed := changed || jsonb_build_object('code', r.code, 'odoo_id', r.id,
							 'points', r.points, 'points_before', oc.points);
	END LOOP;
	result := jsonb_build_object('created', n_new, 'updated', n_upd, 'unchanged', n_same);
	IF n_new + n_upd > 0 THEN
		PERFORM audit_append('odoo.import_cards', 'odoo.loyalty_card', NULL, NULL,
				     result || jsonb_build_object('cards', to_jsonb(changed)), 'odoo-import');
	END IF;
	RETURN result;
END
$$;

-- loyalty.history: rows [{i, id, card, issued, used, description,
-- order_ref, at}], staged for settlement.  A row already replayed is kept
-- as it was (counted as 'kept' when Odoo now says otherwise).  One
-- statement, so the rows are parsed once and a row naming a card not
-- imported (bad, the first in file order) leaves nothing written.
CREATE FUNCTION odoo_import_history(p_rows jsonb) RETURNS jsonb
LANGUAGE sql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
WITH r AS MATERIALIZED (
	SELECT x.*, oc.card_id FROM jsonb_to_recordset(p_rows)
		AS x(i integer, id bigint, card bigint, issued bigint, used bigint,
		     description text, order_ref text, at timestamptz)
	  LEFT JOIN odoo_cards oc ON oc.odoo_id = x.card
), bad AS (
	SELECT odoo_record_error(r.i, r.id, 'card_id',
		format('odoo card %s was not imported', r.card), 'AB404') AS e
	  FROM r WHERE r.card_id IS NULL ORDER BY r.i LIMIT 1
), cur AS MATERIALIZED (
	SELECT r.*, h.odoo_id IS NOT NULL AS known, h.posting_id IS NOT NULL AS replayed,
	       (h.card_id, h.issued, h.used, h.description, h.order_ref, h.at)
		IS NOT DISTINCT FROM (r.card_id, r.issued, r.used, r.description, r.order_ref, r.at)
		AS same
	  FROM r LEFT JOIN odoo_history h ON h.odoo_id = r.id
	 WHERE NOT EXISTS (SELECT 1 FROM bad)
), up AS (
	INSERT INTO odoo_history AS h (odoo_id, card_id, issued, used, description, order_ref, at)
	SELECT id, card_id, issued, used, description, order_ref, at FROM cur
	 WHERE NOT known OR (NOT replayed AND NOT same)
	ON CONFLICT (odoo_id) DO UPDATE
		SET card_id = excluded.card_id, issued = excluded.issued, used = excluded.used,
		    description = excluded.description, order_ref = excluded.order_ref,
		    at = excluded.at
	  WHERE h.posting_id IS NULL
	RETURNING 1
)
SELECT jsonb_build_object(
	'created', count(*) FILTER (WHERE NOT known),
	'updated', count(*) FILTER (WHERE known AND NOT replayed AND NOT same),
	'unchanged', count(*) FILTER (WHERE known AND same),
	'kept', count(*) FILTER (WHERE replayed AND NOT same),
	'written', (SELECT count(*) FROM up))
  FROM cur
$$;

-- Days of validity that make an imported lot expire when its Odoo card
-- does: Odoo's expiration_date is the last day the card is valid, and Odoo
-- has no lots of its own.  NULL (never) when the card has no date.
CREATE FUNCTION odoo_validity(p_expiration date, p_at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_expiration IS NULL THEN NULL ELSE
		greatest(1, ceil(extract(epoch FROM ((p_expiration + 1)::timestamp AT TIME ZONE 'UTC') - p_at)
				 / 86400))::integer END
$$;

-- Replays one card's pending history and posts the odoo-import
-- adjustment that makes what the import added equal Odoo's points, all
-- under one 'import' posting.  The adjustment goes first (an opening
-- balance, dated just before the first replayed entry) as far as it is a
-- credit or is needed to keep the balance from going below zero during the
-- replay; any rest is a debit after the last entry.  Returns NULL when
-- the card has nothing to settle.
CREATE FUNCTION odoo_settle_card(p_card_id bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	c cards;
	oc odoo_cards;
	p record;
	h record;
	hist bigint;
	low bigint;
	n integer;
	first_at timestamptz;
	last_at timestamptz;
	diff bigint;
	opening bigint;
	closing bigint;
	adj_at timestamptz;
	key text;
	hid bigint;
	taken bigint;
	ids bigint[] := '{}';
BEGIN
	c := lock_card((SELECT code FROM cards WHERE id = p_card_id));
	SELECT * INTO oc FROM odoo_cards WHERE card_id = c.id;
	-- low: the lowest the balance gets during the replay, relative to now;
	-- within an entry the used points go before the issued ones.
	SELECT coalesce(sum(issued - used), 0), count(*), min(at), max(at),
	       coalesce(min(running - issued), 0)
	  INTO hist, n, first_at, last_at, low
	  FROM (SELECT issued, used, at,
		       sum(issued - used) OVER (ORDER BY at, odoo_id) AS running
		  FROM odoo_history WHERE card_id = c.id AND posting_id IS NULL) s;
	diff := oc.points - oc.imported - hist;
	IF n = 0 AND diff = 0 THEN
		RETURN NULL;
	END IF;
	opening := greatest(diff, -(c.balance + low), 0);
	closing := diff - opening;
	key := format('odoo:card:%s:import:%s', oc.odoo_id, oc.settlements + 1);
	p := begin_posting(c.id, key, 'import', jsonb_build_object(
		'card', c.code, 'odoo_id', oc.odoo_id, 'points', oc.points, 'imported', oc.imported,
		'history', n));
	IF p.replay IS NOT NULL THEN
		RAISE EXCEPTION 'import posting ''%'' exists already', key USING ERRCODE = 'AB409';
	END IF;
	IF opening > 0 THEN
		adj_at := coalesce(first_at - interval '1 second', now());
		hid := add_history(c.id, p.posting_id, 'adjust', opening, 'odoo-import', key,
				   c.level_code, adj_at);
		PERFORM new_lot(c.id, p.posting_id, hid, opening, adj_at,
				odoo_validity(oc.expiration_date, adj_at), 'odoo-import', c.level_code);
	END IF;
	FOR h IN SELECT odoo_id, issued, used, at FROM odoo_history
		  WHERE card_id = c.id AND posting_id IS NULL ORDER BY at, odoo_id
	LOOP
		IF h.used > 0 THEN
			hid := add_history(c.id, p.posting_id, 'redeem', -h.used, 'odoo:' || h.odoo_id,
					   key, c.level_code, h.at);
			taken := take_fefo(c.id, hid, h.used, h.at);
			IF taken < h.used THEN
				RAISE EXCEPTION 'card ''%'': odoo history % uses % points, only % were unexpired at %',
					c.code, h.odoo_id, fmt_points(h.used), fmt_points(taken), h.at
					USING ERRCODE = 'AB402';
			END IF;
		END IF;
		IF h.issued > 0 THEN
			hid := add_history(c.id, p.posting_id, 'earn', h.issued, 'odoo:' || h.odoo_id,
					   key, c.level_code, h.at);
			PERFORM new_lot(c.id, p.posting_id, hid, h.issued, h.at,
					odoo_validity(oc.expiration_date, h.at), 'odoo:' || h.odoo_id,
					c.level_code);
		END IF;
		ids := ids || h.odoo_id;
	END LOOP;
	IF closing < 0 THEN
		adj_at := coalesce(last_at + interval '1 second', now());
		hid := add_history(c.id, p.posting_id, 'adjust', closing, 'odoo-import', key,
				   c.level_code, adj_at);
		taken := take_fefo(c.id, hid, -closing, adj_at);
		IF taken < -closing THEN
			RAISE EXCEPTION 'card ''%'': the odoo-import adjustment takes % points, only % are unexpired',
				c.code, fmt_points(-closing), fmt_points(taken) USING ERRCODE = 'AB402';
		END IF;
	END IF;
	-- An adjustment that no Odoo history explains moves points without a
	-- checker: each one is on record, card by card, in this transaction.
	IF opening <> 0 OR closing <> 0 THEN
		PERFORM audit_append('odoo.opening_adjustment', 'card', c.code,
			jsonb_build_object('balance', c.balance),
			jsonb_build_object('balance', (SELECT balance FROM cards WHERE id = c.id),
					   'opening', opening, 'closing', closing, 'odoo_points', oc.points,
					   'posting', key), 'odoo-import');
	END IF;
	UPDATE odoo_history SET posting_id = p.posting_id WHERE odoo_id = ANY (ids);
	UPDATE odoo_cards SET imported = points, settlements = settlements + 1 WHERE card_id = c.id;
	PERFORM finish_posting(p.posting_id, c.id, jsonb_build_object(
		'kind', 'import', 'card', c.code, 'odoo_id', oc.odoo_id, 'replayed', n,
		'opening', opening, 'closing', closing,
		'balance', (SELECT balance FROM cards WHERE id = c.id)));
	RETURN jsonb_build_object('card', c.code, 'odoo_id', oc.odoo_id, 'points', oc.points,
		'before', oc.imported, 'history', hist, 'replayed', n, 'opening', opening,
		'closing', closing);
END
$$;

-- Settles at most p_limit cards with id above p_after, in id order (the
-- lock order of several cards).  The engine calls it until cards is 0,
-- inside the import's transaction, and reports progress in between.
-- adjustments lists the cards whose Odoo history did not add up.
CREATE FUNCTION odoo_settle(p_after bigint, p_limit integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	cid bigint;
	r jsonb;
	n integer := 0;
	replayed bigint := 0;
	last bigint := p_after;
	adjusted jsonb := '[]';
BEGIN
	FOR cid IN
		SELECT oc.card_id FROM odoo_cards oc
		 WHERE oc.card_id > coalesce(p_after, 0)
		   AND (oc.points <> oc.imported
			OR EXISTS (SELECT 1 FROM odoo_history h
				    WHERE h.card_id = oc.card_id AND h.posting_id IS NULL))
		 ORDER BY oc.card_id LIMIT greatest(coalesce(p_limit, 1000), 1)
	LOOP
		r := odoo_settle_card(cid);
		last := cid;
		n := n + 1;
		replayed := replayed + (r ->> 'replayed')::bigint;
		IF (r ->> 'opening')::bigint <> 0 OR (r ->> 'closing')::bigint <> 0 THEN
			adjusted := adjusted || r;
		END IF;
	END LOOP;
	RETURN jsonb_build_object('cards', n, 'replayed', replayed, 'last', last,
				  'adjustments', adjusted);
END
$$;

-- The audit row of one imported file (or of the settlement), in the
-- import's transaction.
CREATE FUNCTION odoo_import_done(p_model text, p_file text, p_counts jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
BEGIN
	IF p_model IS NULL OR p_model !~ '^[a-z][a-z._]{0,40}$' THEN
		RAISE EXCEPTION 'odoo model ''%'' is not a model name', left(p_model, 64)
			USING ERRCODE = 'AB422';
	END IF;
	RETURN audit_append(CASE WHEN p_model = 'settle' THEN 'odoo.settle' ELSE 'odoo.import' END,
			    CASE WHEN p_model = 'settle' THEN 'odoo.card' ELSE 'odoo.' || p_model END,
			    p_file, NULL, p_counts, 'odoo-import');
END
$$;
