-- Who may call what of 070-078: POS posts batches of orders as it posts
-- single ones, reading their levels a batch at a time.  The internals of
-- 071 stay aba_owner's.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

GRANT EXECUTE ON FUNCTION post_orders(jsonb), order_levels(jsonb) TO aba_pos;
