-- Who may call and read what of 072: POS refunds by lines as it refunds
-- by amount; whoever reads order_refunds reads its lines.  The internals
-- of 072 stay aba_owner's.  (079, for 071, was applied already where 071
-- runs, so 072's grants have their own file.)
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

GRANT EXECUTE ON FUNCTION refund_order_lines(text, jsonb, text, timestamptz) TO aba_pos;
GRANT SELECT ON order_refund_lines TO aba_clerk, aba_auditor, aba_pos;
