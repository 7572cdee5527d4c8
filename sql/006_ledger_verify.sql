-- aba verify: every ledger invariant of DESIGN.md, for every card (or one).
-- Returns one row per broken invariant; no row means the ledger is sound.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION verify(p_card text DEFAULT NULL)
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
WITH c AS (
	SELECT id, code, balance FROM cards WHERE p_card IS NULL OR code = p_card
), lots AS (
	SELECT l.card_id,
	       coalesce(sum(l.remaining) FILTER (WHERE l.state = 'active'), 0) AS active_sum
	  FROM point_moves l JOIN c ON c.id = l.card_id GROUP BY l.card_id
), hist AS (
	SELECT h.card_id, sum(h.delta) AS delta_sum,
	       (array_agg(h.balance_after ORDER BY h.id DESC))[1] AS last_balance
	  FROM point_history h JOIN c ON c.id = h.card_id GROUP BY h.card_id
), running AS (
	SELECT h.card_id, h.id, h.balance_after,
	       sum(h.delta) OVER (PARTITION BY h.card_id ORDER BY h.id) AS running_sum
	  FROM point_history h JOIN c ON c.id = h.card_id
), lot_moves AS (
	SELECT l.card_id, l.id, l.remaining, l.initial, l.state,
	       coalesce((SELECT sum(m.amount) FROM lot_movements m WHERE m.lot_id = l.id), 0) AS moved
	  FROM point_moves l JOIN c ON c.id = l.card_id
), entry_moves AS (
	SELECT h.card_id, h.id, h.delta,
	       coalesce((SELECT sum(m.amount) FROM lot_movements m WHERE m.history_id = h.id), 0) AS moved
	  FROM point_history h JOIN c ON c.id = h.card_id
), overgiven AS (
	SELECT m.card_id, m.id, -m.amount AS taken, sum(r.amount) AS given
	  FROM lot_movements m JOIN lot_movements r ON r.reverses_id = m.id
	  JOIN c ON c.id = m.card_id
	 GROUP BY m.card_id, m.id, m.amount HAVING sum(r.amount) > -m.amount
)
SELECT c.code, 'balance_vs_lots',
       format('balance %s, active lots hold %s', fmt_points(c.balance), fmt_points(coalesce(lots.active_sum, 0)))
  FROM c LEFT JOIN lots ON lots.card_id = c.id
 WHERE c.balance <> coalesce(lots.active_sum, 0)
UNION ALL
SELECT c.code, 'balance_vs_history',
       format('balance %s, last history entry says %s', fmt_points(c.balance), fmt_points(coalesce(hist.last_balance, 0)))
  FROM c LEFT JOIN hist ON hist.card_id = c.id
 WHERE c.balance <> coalesce(hist.last_balance, 0)
UNION ALL
SELECT c.code, 'balance_vs_deltas',
       format('balance %s, history deltas sum to %s', fmt_points(c.balance), fmt_points(coalesce(hist.delta_sum, 0)))
  FROM c LEFT JOIN hist ON hist.card_id = c.id
 WHERE c.balance <> coalesce(hist.delta_sum, 0)
UNION ALL
SELECT c.code, 'negative_balance', format('balance %s', fmt_points(c.balance))
  FROM c WHERE c.balance < 0
UNION ALL
SELECT c.code, 'history_sequence',
       format('entry %s says balance %s, deltas up to it sum to %s', r.id,
	      fmt_points(r.balance_after), fmt_points(r.running_sum))
  FROM running r JOIN c ON c.id = r.card_id
 WHERE r.balance_after <> r.running_sum OR r.balance_after < 0
UNION ALL
SELECT c.code, 'lot_bounds',
       format('lot %s has %s remaining of %s', l.id, fmt_points(l.remaining), fmt_points(l.initial))
  FROM lot_moves l JOIN c ON c.id = l.card_id
 WHERE l.remaining < 0 OR l.remaining > l.initial
UNION ALL
SELECT c.code, 'lot_state',
       format('lot %s is %s with %s remaining', l.id, l.state, fmt_points(l.remaining))
  FROM lot_moves l JOIN c ON c.id = l.card_id
 WHERE (l.state = 'active') <> (l.remaining > 0)
UNION ALL
SELECT c.code, 'lot_vs_movements',
       format('lot %s has %s remaining, its movements sum to %s', l.id, fmt_points(l.remaining), fmt_points(l.moved))
  FROM lot_moves l JOIN c ON c.id = l.card_id
 WHERE l.remaining <> l.moved
UNION ALL
SELECT c.code, 'history_vs_movements',
       format('entry %s has delta %s, its lot movements sum to %s', e.id, fmt_points(e.delta), fmt_points(e.moved))
  FROM entry_moves e JOIN c ON c.id = e.card_id
 WHERE e.delta <> e.moved
UNION ALL
SELECT c.code, 'restore_exceeds_redeem',
       format('movement %s took %s, refunds gave back %s', o.id, fmt_points(o.taken), fmt_points(o.given))
  FROM overgiven o JOIN c ON c.id = o.card_id
UNION ALL
SELECT NULL, 'key_posted_twice', format('idempotency key ''%s'' has %s postings', key, count(*))
  FROM postings WHERE p_card IS NULL GROUP BY key HAVING count(*) > 1
UNION ALL
SELECT c.code, 'entry_without_posting',
       format('entry %s carries key ''%s'' its posting does not have', h.id, h.idempotency_key)
  FROM point_history h JOIN c ON c.id = h.card_id JOIN postings p ON p.id = h.posting_id
 WHERE h.idempotency_key <> p.key
ORDER BY 1 NULLS FIRST, 2
$$;
