-- Settling imported Odoo cards set-based: a million history records in a
-- minute instead of half an hour.
--
-- odoo_settle_card (sql/061) replays one card's history entry by entry
-- through the ledger internals: about five writes, seven foreign-key
-- checks and one update of the same card row per record, and a card with
-- thousands of entries slows down as that row's versions pile up in the
-- import's transaction.  odoo_settle now plans a batch of cards at once
-- and writes what odoo_settle_card would write, one statement per table,
-- with ids handed out in the order odoo_settle_card would take them (as
-- post_orders does for orders, sql/071).
--
-- The plan is exact where FEFO is first in, first out: a card with a zero
-- balance and no open lot, whose new lots (the opening adjustment, each
-- earn) expire in the order they are made (no expiry last) and none
-- before the last points are taken, whose balance ends at zero or more,
-- and whose import key is unused.  Every redemption then finds exactly
-- the lots made before it, oldest first, so the lot movements are the
-- overlaps of two running sums: points earned and points taken.  Every
-- other card (an open lot from aba or an earlier import, lots that expire
-- out of order or during the replay, a balance Odoo would put below zero,
-- an inactive card) goes through odoo_settle_card itself, which also
-- raises its errors.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- A card of a batch: odoo_settle_card's figures, and whether the
-- set-based path wrote it (simple) or odoo_settle_card still has to.
CREATE TYPE odoo_settle_item AS (
	card_id bigint, code text, balance bigint, odoo_id bigint, points bigint, imported bigint,
	key text, hist bigint, n integer, opening bigint, closing bigint, simple boolean,
	event_id bigint);

-- Plans and writes the batch's simple cards in one statement; returns
-- every card of the batch that has something to settle, in id order.
-- The statement's parts, in order:
--   h, s, f   each card's pending history and figures, as odoo_settle_card's
--             first query and formulas give them, and whether it may be simple;
--   e, o      the entries odoo_settle_card would write, in its order (the
--             opening adjustment, each Odoo record by time then id with its
--             redemption before its earn, the closing adjustment), each
--             placed on its card's running sum of points earned or taken
--             (lo), with the balance after it and, for a lot, its expiry as
--             new_lot computes it;
--   late      cards whose lots do not come out first in, first out after
--             all: one expires before a lot made earlier (no expiry counts
--             as the latest) or at or before the card's last taking;
--   planned, steps   the simple cards and their entries with ids handed
--             out in that order (postings and events by card);
--   the writes: a lot holds its points from the start less what the card's
--             takings use of it (they take the lots in order, so a lot's
--             share is the part of its range below the total taken); a
--             taking's movements are the overlaps of its range with the
--             lots' ranges, split at every start of either.
-- Dynamic only so that each batch is planned with its own cards (a
-- constant text, the cards a parameter).
CREATE FUNCTION odoo_settle_simple(p_cards bigint[]) RETURNS SETOF odoo_settle_item
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE $q$
WITH h AS MATERIALIZED (
	SELECT h.card_id, h.odoo_id, h.issued, h.used, h.at,
	       sum(h.issued - h.used) OVER (PARTITION BY h.card_id ORDER BY h.at, h.odoo_id) AS running
	  FROM odoo_history h
	 WHERE h.card_id = ANY ($1) AND h.posting_id IS NULL
), s AS (
	SELECT card_id, sum(issued - used) AS hist, count(*) AS n, min(at) AS first_at,
	       max(at) AS last_at, min(running - issued) AS low
	  FROM h GROUP BY card_id
), f AS MATERIALIZED (
	SELECT c.id AS card_id, c.code, c.level_code AS level, c.balance, oc.odoo_id, oc.points,
	       oc.imported, format('odoo:card:%s:import:%s', oc.odoo_id, oc.settlements + 1) AS key,
	       oc.expiration_date AS expiration, coalesce(s.hist, 0)::bigint AS hist,
	       coalesce(s.n, 0)::integer AS n, s.first_at, s.last_at,
	       (oc.points - oc.imported - coalesce(s.hist, 0))::bigint AS diff,
	       greatest(oc.points - oc.imported - coalesce(s.hist, 0),
			-(c.balance + coalesce(s.low, 0)), 0)::bigint AS opening,
	       c.active AND c.balance = 0 AND oc.points >= oc.imported AS simple
	  FROM cards c JOIN odoo_cards oc ON oc.card_id = c.id
	  LEFT JOIN s ON s.card_id = c.id
	 WHERE c.id = ANY ($1) AND (s.n > 0 OR oc.points - oc.imported - coalesce(s.hist, 0) <> 0)
), e AS (
	SELECT f.card_id, 0 AS grp, NULL::bigint AS odoo_id, 0 AS sub, 'adjust' AS kind,
	       f.opening AS delta, 'odoo-import' AS origin,
	       coalesce(f.first_at - interval '1 second', now()) AS at
	  FROM f WHERE f.simple AND f.opening > 0
	UNION ALL
	SELECT h.card_id, 1, h.odoo_id, 0, 'redeem', -h.used, 'odoo:' || h.odoo_id, h.at
	  FROM h JOIN f ON f.card_id = h.card_id WHERE f.simple AND h.used > 0
	UNION ALL
	SELECT h.card_id, 1, h.odoo_id, 1, 'earn', h.issued, 'odoo:' || h.odoo_id, h.at
	  FROM h JOIN f ON f.card_id = h.card_id WHERE f.simple AND h.issued > 0
	UNION ALL
	SELECT f.card_id, 2, NULL, 0, 'adjust', f.diff - f.opening, 'odoo-import',
	       coalesce(f.last_at + interval '1 second', now())
	  FROM f WHERE f.simple AND f.diff - f.opening < 0
), o AS MATERIALIZED (
	SELECT e.*, f.balance + sum(e.delta) OVER by_card AS balance_after,
	       sum(abs(e.delta)) OVER by_sign - abs(e.delta) AS lo,
	       CASE WHEN e.delta > 0 THEN ((e.at AT TIME ZONE 'UTC') + make_interval(
			days => odoo_validity(f.expiration, e.at))) AT TIME ZONE 'UTC' END AS expires_at
	  FROM e JOIN f ON f.card_id = e.card_id
	WINDOW by_card AS (PARTITION BY e.card_id ORDER BY e.grp, e.at, e.odoo_id, e.sub),
	       by_sign AS (PARTITION BY e.card_id, e.delta > 0 ORDER BY e.grp, e.at, e.odoo_id, e.sub)
), lots AS (
	SELECT card_id, expires_at,
	       lag(at) OVER w IS NULL OR expires_at IS NULL
		 OR coalesce(lag(expires_at) OVER w <= expires_at, false) AS in_order
	  FROM o WHERE delta > 0
	WINDOW w AS (PARTITION BY card_id ORDER BY grp, at, odoo_id, sub)
), late AS (
	SELECT l.card_id
	  FROM (SELECT card_id, bool_and(in_order) AS in_order, min(expires_at) AS first_expiry
		  FROM lots GROUP BY card_id) l
	  LEFT JOIN (SELECT card_id, max(at) AS last_take FROM o WHERE delta < 0 GROUP BY card_id) t
	    ON t.card_id = l.card_id
	 WHERE NOT l.in_order OR l.first_expiry <= t.last_take
	UNION	-- taking with no lot made: cannot happen from a zero start, but FEFO would say why
	SELECT t.card_id FROM o t
	 WHERE t.delta < 0 AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.card_id = t.card_id)
), ok AS MATERIALIZED (
	SELECT f.*, row_number() OVER (ORDER BY f.card_id) AS r
	  FROM f
	 WHERE f.simple AND NOT EXISTS (SELECT 1 FROM late l WHERE l.card_id = f.card_id)
	   AND NOT EXISTS (SELECT 1 FROM point_moves m WHERE m.card_id = f.card_id AND m.state = 'active')
	   AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.key = f.key)
), planned AS MATERIALIZED (
	SELECT ok.*, p.id AS posting_id, v.id AS event_id,
	       jsonb_build_object('kind', 'import', 'card', ok.code, 'odoo_id', ok.odoo_id,
				  'replayed', ok.n, 'opening', ok.opening,
				  'closing', ok.diff - ok.opening,
				  'balance', ok.balance + ok.hist + ok.diff,
				  'posting', p.id, 'replay', false) AS result
	  FROM ok
	  JOIN unnest(take_ids('postings_id_seq', (SELECT count(*) FROM ok)))
		WITH ORDINALITY AS p(id, r) ON p.r = ok.r
	  JOIN unnest(take_ids('outbox_id_seq', (SELECT count(*) FROM ok)))
		WITH ORDINALITY AS v(id, r) ON v.r = ok.r
), ranked AS MATERIALIZED (
	SELECT o.*, p.posting_id, p.key, p.level,
	       row_number() OVER w AS k, count(*) FILTER (WHERE o.delta > 0) OVER w AS lot_r
	  FROM o JOIN planned p ON p.card_id = o.card_id
	WINDOW w AS (ORDER BY o.card_id, o.grp, o.at, o.odoo_id, o.sub)
), steps AS MATERIALIZED (
	SELECT r.*, hi.id AS history_id, li.id AS lot_id
	  FROM ranked r
	  JOIN unnest(take_ids('point_history_id_seq', (SELECT count(*) FROM ranked)))
		WITH ORDINALITY AS hi(id, n) ON hi.n = r.k
	  LEFT JOIN unnest(take_ids('point_moves_id_seq',
				    (SELECT count(*) FROM ranked WHERE delta > 0)))
		WITH ORDINALITY AS li(id, n) ON li.n = r.lot_r AND r.delta > 0
), taken AS (
	SELECT card_id, -sum(delta) AS total FROM steps WHERE delta < 0 GROUP BY card_id
), starts AS (
	SELECT card_id, lo AS p, lot_id, NULL::bigint AS history_id, false AS stop
	  FROM steps WHERE delta > 0
	UNION ALL
	SELECT card_id, lo, NULL, history_id, false FROM steps WHERE delta < 0
	UNION ALL
	SELECT card_id, total, NULL, NULL, true FROM taken
), segments AS (
	SELECT card_id, p, lead(p) OVER (PARTITION BY card_id ORDER BY p) AS next_p,
	       max(lot_id) OVER (PARTITION BY card_id ORDER BY p) AS lot_id,
	       max(history_id) OVER (PARTITION BY card_id ORDER BY p) AS history_id,
	       max(p) FILTER (WHERE stop) OVER (PARTITION BY card_id) AS total
	  FROM starts
), moves AS (
	SELECT m.*, row_number() OVER (ORDER BY m.history_id, m.lot_id) AS r
	  FROM (SELECT card_id, history_id, lot_id, delta AS amount FROM steps WHERE delta > 0
		UNION ALL
		SELECT card_id, history_id, lot_id, -sum(next_p - p) FROM segments
		 WHERE p < total AND next_p > p GROUP BY card_id, history_id, lot_id) m
), w_postings AS (
	INSERT INTO postings (id, card_id, key, kind, request, result)
	SELECT posting_id, card_id, key, 'import',
	       jsonb_build_object('card', code, 'odoo_id', odoo_id, 'points', points,
				  'imported', imported, 'history', n), result
	  FROM planned ORDER BY card_id
), w_history AS (
	INSERT INTO point_history (id, card_id, posting_id, kind, delta, balance_after, origin,
				   idempotency_key, level_code, at)
	SELECT history_id, card_id, posting_id, kind, delta, balance_after, origin, key, level, at
	  FROM steps ORDER BY k
), w_lots AS (
	INSERT INTO point_moves (id, card_id, posting_id, gained_at, expires_at, initial, remaining,
				 state, origin, level_code)
	SELECT s.lot_id, s.card_id, s.posting_id, s.at, s.expires_at, s.delta, s.delta - s.used,
	       CASE WHEN s.delta > s.used THEN 'active' ELSE 'depleted' END, s.origin, s.level
	  FROM (SELECT st.*, least(greatest(coalesce(t.total, 0) - st.lo, 0), st.delta) AS used
		  FROM steps st LEFT JOIN taken t ON t.card_id = st.card_id
		 WHERE st.delta > 0) s
	 ORDER BY s.k
), w_moves AS (
	INSERT INTO lot_movements (id, card_id, history_id, lot_id, amount)
	SELECT i.id, m.card_id, m.history_id, m.lot_id, m.amount
	  FROM moves m
	  JOIN unnest(take_ids('lot_movements_id_seq', (SELECT count(*) FROM moves)))
		WITH ORDINALITY AS i(id, n) ON i.n = m.r
	 ORDER BY m.r
), w_cards AS (
	UPDATE cards c SET balance = p.balance + p.hist + p.diff
	  FROM planned p WHERE c.id = p.card_id AND p.hist + p.diff <> 0
), w_replayed AS (
	UPDATE odoo_history h SET posting_id = p.posting_id
	  FROM planned p WHERE h.card_id = p.card_id AND h.posting_id IS NULL
), w_settled AS (
	UPDATE odoo_cards oc SET imported = oc.points, settlements = oc.settlements + 1
	  FROM planned p WHERE oc.card_id = p.card_id
), w_outbox AS (
	INSERT INTO outbox (id, card_id, posting_id, topic, payload)
	SELECT event_id, card_id, posting_id, 'import', result FROM planned ORDER BY card_id
)
SELECT f.card_id, f.code, f.balance, f.odoo_id, f.points, f.imported, f.key, f.hist, f.n,
       f.opening, f.diff - f.opening, p.card_id IS NOT NULL, p.event_id
  FROM f LEFT JOIN planned p ON p.card_id = f.card_id
 ORDER BY f.card_id
$q$ USING p_cards;
END
$fn$;

-- audit_append (sql/030) for many rows of one action: one lock, one look
-- at the chain's end, one INSERT.  The rows are those audit_append would
-- append one after another, in the order given (ids, times, hashes); the
-- table's own checks hold action and entity to the same names.  The
-- settlement of a hundred thousand cards with adjustments otherwise spends
-- more on their audit rows than on the ledger.
CREATE FUNCTION audit_append_many(p_action text, p_entity text, p_entity_ids text[],
				  p_before jsonb[], p_after jsonb[], p_reason text)
RETURNS void LANGUAGE plpgsql SET search_path = aba, pg_temp AS $$
DECLARE
	r audit_log;
	x record;
	batch audit_log[] := '{}';
BEGIN
	IF coalesce(cardinality(p_entity_ids), 0) = 0 THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('aba.audit_log'));
	SELECT * INTO r FROM audit_log ORDER BY id DESC LIMIT 1;
	r.id := coalesce(r.id, 0);
	r.hash := coalesce(r.hash, decode(repeat('00', 32), 'hex'));
	FOR x IN SELECT * FROM unnest(p_entity_ids, p_before, p_after) AS u(entity_id, b, a) LOOP
		r.id := r.id + 1;
		r.at := clock_timestamp();
		r.actor := session_user;
		r.action := p_action;
		r.entity := p_entity;
		r.entity_id := left(x.entity_id, 200);
		r.before := x.b;
		r.after := x.a;
		r.reason := left(p_reason, 2000);
		r.prev_hash := r.hash;
		r.hash := sha256(r.prev_hash || convert_to(audit_canonical(r), 'UTF8'));
		batch := batch || r;
	END LOOP;
	INSERT INTO audit_log SELECT * FROM unnest(batch);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'the audit log moved on: retry' USING ERRCODE = '40001';
END
$$;

-- Settles at most p_limit cards with id above p_after, in id order (the
-- lock order of several cards): the simple ones set-based, each with the
-- audit row odoo_settle_card writes when Odoo's history did not add up,
-- the others through odoo_settle_card.  The engine calls it until cards is
-- 0, inside the import's transaction, and reports progress in between.
-- adjustments lists the cards whose Odoo history did not add up, as
-- odoo_settle_card describes them.
CREATE OR REPLACE FUNCTION odoo_settle(p_after bigint, p_limit integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	batch bigint[];
	items odoo_settle_item[];
	i odoo_settle_item;
	r jsonb;
	adjusted jsonb[] := '{}';
BEGIN
	batch := ARRAY(SELECT oc.card_id FROM odoo_cards oc
			WHERE oc.card_id > coalesce(p_after, 0)
			  AND (oc.points <> oc.imported
			       OR EXISTS (SELECT 1 FROM odoo_history h
					   WHERE h.card_id = oc.card_id AND h.posting_id IS NULL))
			ORDER BY oc.card_id LIMIT greatest(coalesce(p_limit, 1000), 1));
	PERFORM 1 FROM cards WHERE id = ANY (batch) ORDER BY id FOR UPDATE;
	items := ARRAY(SELECT s FROM odoo_settle_simple(batch) s);
	PERFORM audit_append_many('odoo.opening_adjustment', 'card', array_agg(code ORDER BY card_id),
		array_agg(jsonb_build_object('balance', balance) ORDER BY card_id),
		array_agg(jsonb_build_object('balance', balance + hist + opening + closing,
					     'opening', opening, 'closing', closing,
					     'odoo_points', points, 'posting', key) ORDER BY card_id),
		'odoo-import')
	   FROM unnest(items) WHERE simple AND (opening <> 0 OR closing <> 0);
	FOREACH i IN ARRAY items LOOP
		IF i.simple THEN
			r := jsonb_build_object('card', i.code, 'odoo_id', i.odoo_id, 'points', i.points,
				'before', i.imported, 'history', i.hist, 'replayed', i.n,
				'opening', i.opening, 'closing', i.closing);
		ELSE
			r := odoo_settle_card(i.card_id);
		END IF;
		IF (r ->> 'opening')::bigint <> 0 OR (r ->> 'closing')::bigint <> 0 THEN
			adjusted := adjusted || r;
		END IF;
	END LOOP;
	PERFORM pg_notify('aba_outbox', max(event_id)::text) FROM unnest(items)
	 HAVING max(event_id) IS NOT NULL;
	RETURN jsonb_build_object('cards', cardinality(items),
				  'replayed', (SELECT coalesce(sum(n), 0) FROM unnest(items)),
				  'last', coalesce(batch[cardinality(batch)], p_after),
				  'adjustments', to_jsonb(adjusted));
END
$$;
