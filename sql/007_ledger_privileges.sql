-- Who may read and call what in the ledger.  Nobody but aba_owner writes a
-- ledger table; staff and POS act only through the functions granted here.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON ALL TABLES IN SCHEMA aba FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA aba FROM PUBLIC;

GRANT SELECT ON partners, cards, point_moves, point_history, lot_movements, orders, order_refunds
	TO aba_clerk, aba_auditor, aba_pos;
GRANT SELECT ON postings, outbox TO aba_auditor, aba_admin;

GRANT EXECUTE ON FUNCTION card_create(text, text, text, text) TO aba_clerk, aba_pos;
-- earn and redeem move points without an order: no role may call them
-- (only the superuser, for tests and data repair); POS posts orders and
-- refunds, staff adjust through approvals.
GRANT EXECUTE ON FUNCTION post_order(text, text, timestamptz, jsonb, text, bigint, bigint, bigint,
				     bigint, bigint, integer, text, boolean, jsonb) TO aba_pos;
GRANT EXECUTE ON FUNCTION refund_order(text, bigint, text, timestamptz) TO aba_pos;
GRANT EXECUTE ON FUNCTION expire_due(timestamptz, integer) TO aba_admin, aba_pos;
GRANT EXECUTE ON FUNCTION verify(text) TO aba_clerk, aba_auditor;
