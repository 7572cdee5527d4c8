-- aba verify: every ledger invariant of DESIGN.md, for every card (or some).
-- Returns one row per broken invariant; no row means the ledger is sound.
--
-- Each check is one query that streams through a table (or, for one card,
-- through its rows by index), so that the whole ledger -- 20 million
-- history entries -- is checked in a few passes rather than one index
-- lookup per lot and per entry.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- sum() of bigint accumulates in numeric, which costs more than the rest
-- of a check over millions of rows; amounts are bounded far below the
-- range of bigint, and int8pl raises on overflow rather than wrapping.
CREATE AGGREGATE sum_bigint(bigint) (SFUNC = int8pl, STYPE = bigint, INITCOND = '0');

-- balance = sum of remaining of active lots, never negative; lots within
-- bounds and in the state their remaining says.
CREATE FUNCTION verify_lots(p_cards bigint[])
RETURNS TABLE (card_id bigint, problem text, detail text) LANGUAGE sql STABLE AS $$
	SELECT c.id, 'balance_vs_lots',
	       format('balance %s, active lots hold %s', fmt_points(c.balance), fmt_points(coalesce(l.s, 0)))
	  FROM cards c
	  LEFT JOIN (SELECT m.card_id, sum_bigint(m.remaining) AS s FROM point_moves m
		      WHERE m.state = 'active' AND (p_cards IS NULL OR m.card_id = ANY (p_cards))
		      GROUP BY m.card_id) l ON l.card_id = c.id
	 WHERE (p_cards IS NULL OR c.id = ANY (p_cards)) AND c.balance <> coalesce(l.s, 0)
	UNION ALL
	SELECT c.id, 'negative_balance', format('balance %s', fmt_points(c.balance))
	  FROM cards c WHERE (p_cards IS NULL OR c.id = ANY (p_cards)) AND c.balance < 0
	UNION ALL
	SELECT m.card_id, CASE WHEN m.remaining < 0 OR m.remaining > m.initial THEN 'lot_bounds'
			       ELSE 'lot_state' END,
	       format('lot %s is %s with %s remaining of %s', m.id, m.state, fmt_points(m.remaining),
		      fmt_points(m.initial))
	  FROM point_moves m
	 WHERE (p_cards IS NULL OR m.card_id = ANY (p_cards))
	   AND (m.remaining < 0 OR m.remaining > m.initial OR (m.state = 'active') <> (m.remaining > 0))
$$;

-- Every entry's balance_after is the one before it plus its delta (the
-- first: its delta), and never negative -- so each is the running sum of
-- the card's deltas; the card's balance is its last entry's balance_after
-- (and so the sum of its deltas); a card without history holds nothing.
-- For some cards, only their entries after p_after are checked, each
-- against the one before it.
CREATE FUNCTION verify_history(p_cards bigint[], p_after bigint)
RETURNS TABLE (card_id bigint, problem text, detail text) LANGUAGE sql STABLE AS $$
	SELECT r.card_id, 'history_sequence',
	       format('entry %s says balance %s, the entry before it %s and its delta %s', r.id,
		      fmt_points(r.balance_after), fmt_points(r.before), fmt_points(r.delta))
	  FROM (SELECT h.card_id, h.id, h.delta, h.balance_after,
		       lag(h.balance_after, 1, 0::bigint)
			OVER (PARTITION BY h.card_id ORDER BY h.id) AS before
		  FROM (SELECT h.card_id, h.id, h.delta, h.balance_after FROM point_history h
			 WHERE p_cards IS NULL OR (h.card_id = ANY (p_cards) AND h.id > p_after)
			UNION ALL
			SELECT b.card_id, b.id, b.delta, b.balance_after
			  FROM unnest(p_cards) AS u(id),
			       LATERAL (SELECT h.card_id, h.id, h.delta, h.balance_after
					  FROM point_history h WHERE h.card_id = u.id AND h.id <= p_after
					 ORDER BY h.id DESC LIMIT 1) b
			 WHERE p_after > 0) h) r
	 WHERE r.id > p_after AND (r.balance_after <> r.before + r.delta OR r.balance_after < 0)
	UNION ALL
	SELECT c.id, 'balance_vs_history',
	       format('balance %s, last history entry %s says %s', fmt_points(c.balance), l.id,
		      fmt_points(l.balance_after))
	  FROM cards c
	  JOIN LATERAL (SELECT h.id, h.balance_after FROM point_history h WHERE h.card_id = c.id
			 ORDER BY h.id DESC LIMIT 1) l ON true
	 WHERE (p_cards IS NULL OR c.id = ANY (p_cards)) AND c.balance <> l.balance_after
	UNION ALL
	SELECT c.id, 'balance_without_history', format('balance %s', fmt_points(c.balance))
	  FROM cards c
	 WHERE (p_cards IS NULL OR c.id = ANY (p_cards)) AND c.balance <> 0
	   AND NOT EXISTS (SELECT 1 FROM point_history h WHERE h.card_id = c.id)
$$;

-- Each lot's movements sum to its remaining; each entry's movements sum to
-- its delta; a refund never gives back more than was taken from a lot.
-- Lot movements have no index by card: for every card one pass groups
-- them all; for some cards their lots' and entries' movements are summed
-- through the lot and entry indexes (entries after p_after only).
CREATE FUNCTION verify_movements(p_cards bigint[], p_after bigint)
RETURNS TABLE (card_id bigint, problem text, detail text) LANGUAGE sql STABLE AS $$
	SELECT l.card_id, 'lot_vs_movements',
	       format('lot %s has %s remaining, its movements sum to %s', l.id,
		      fmt_points(l.remaining), fmt_points(l.s))
	  FROM (SELECT l.id, l.card_id, l.remaining, coalesce(m.s, 0) AS s
		  FROM point_moves l
		  LEFT JOIN (SELECT mv.lot_id, sum_bigint(mv.amount) AS s FROM lot_movements mv
			      GROUP BY mv.lot_id) m ON m.lot_id = l.id
		 WHERE p_cards IS NULL
		UNION ALL
		SELECT l.id, l.card_id, l.remaining, m.s
		  FROM point_moves l,
		       LATERAL (SELECT sum_bigint(mv.amount) AS s FROM lot_movements mv
				 WHERE mv.lot_id = l.id) m
		 WHERE l.card_id = ANY (p_cards)) l
	 WHERE l.remaining <> l.s
	UNION ALL
	SELECT h.card_id, 'history_vs_movements',
	       format('entry %s has delta %s, its lot movements sum to %s', h.id,
		      fmt_points(h.delta), fmt_points(h.s))
	  FROM (SELECT h.id, h.card_id, h.delta, coalesce(m.s, 0) AS s
		  FROM point_history h
		  LEFT JOIN (SELECT mv.history_id, sum_bigint(mv.amount) AS s FROM lot_movements mv
			      GROUP BY mv.history_id) m ON m.history_id = h.id
		 WHERE p_cards IS NULL
		UNION ALL
		SELECT h.id, h.card_id, h.delta, m.s
		  FROM point_history h,
		       LATERAL (SELECT sum_bigint(mv.amount) AS s FROM lot_movements mv
				 WHERE mv.history_id = h.id) m
		 WHERE h.card_id = ANY (p_cards) AND h.id > p_after) h
	 WHERE h.delta <> h.s
	UNION ALL
	SELECT t.card_id, 'restore_exceeds_redeem',
	       format('movement %s took %s, refunds gave back %s', t.id, fmt_points(-t.amount),
		      fmt_points(sum(r.amount)))
	  FROM (SELECT r.reverses_id, r.amount FROM lot_movements r
		 WHERE r.reverses_id IS NOT NULL AND p_cards IS NULL
		UNION ALL
		SELECT r.reverses_id, r.amount
		  FROM point_moves l
		  JOIN lot_movements t ON t.lot_id = l.id
		  JOIN lot_movements r ON r.reverses_id = t.id
		 WHERE l.card_id = ANY (p_cards)) r
	  JOIN lot_movements t ON t.id = r.reverses_id
	 GROUP BY t.card_id, t.id, t.amount HAVING sum(r.amount) > -t.amount
$$;

-- Each idempotency key posted once, and every entry carries its posting's
-- key (for some cards: every entry after p_after).
CREATE FUNCTION verify_keys(p_cards bigint[], p_after bigint)
RETURNS TABLE (card_id bigint, problem text, detail text) LANGUAGE sql STABLE AS $$
	SELECT NULL::bigint, 'key_posted_twice',
	       format('idempotency key ''%s'' has %s postings', p.key, count(*))
	  FROM postings p WHERE p_cards IS NULL GROUP BY p.key HAVING count(*) > 1
	UNION ALL
	SELECT h.card_id, 'entry_without_posting',
	       format('entry %s carries key ''%s'' its posting does not have', h.id, h.idempotency_key)
	  FROM point_history h JOIN postings p ON p.id = h.posting_id
	 WHERE (p_cards IS NULL OR (h.card_id = ANY (p_cards) AND h.id > p_after))
	   AND h.idempotency_key <> p.key
$$;

-- Every check, for the cards given (NULL: all of them, and the ledger-wide
-- checks too), of the given cards' entries after p_after (0: all).  The
-- card id of a problem not tied to one card is NULL.
CREATE FUNCTION verify_cards(p_cards bigint[], p_after bigint DEFAULT 0)
RETURNS TABLE (card_id bigint, problem text, detail text) LANGUAGE sql STABLE AS $$
	SELECT * FROM verify_lots(p_cards) UNION ALL SELECT * FROM verify_history(p_cards, p_after)
	UNION ALL SELECT * FROM verify_movements(p_cards, p_after)
	UNION ALL SELECT * FROM verify_keys(p_cards, p_after)
$$;

-- Parallel workers would each build the same hash of millions of rows on
-- a machine with few cores, and JIT compiles for longer than these scans
-- take; verify runs without either.
CREATE FUNCTION verify(p_card text DEFAULT NULL)
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = aba, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
	cid bigint;
BEGIN
	IF p_card IS NOT NULL THEN
		SELECT id INTO cid FROM cards WHERE code = p_card;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'card ''%'' not found', left(p_card, 64) USING ERRCODE = 'AB404';
		END IF;
	END IF;
	RETURN QUERY
	SELECT c.code, v.problem, v.detail
	  FROM verify_cards(CASE WHEN cid IS NOT NULL THEN ARRAY[cid] END) v
	  LEFT JOIN cards c ON c.id = v.card_id
	 ORDER BY 1 NULLS FIRST, 2, 3;
END
$$;
