-- point_moves had three indexes on expires_at, and every lot written paid
-- for each.  point_moves_due_idx (002: active lots by expiry, for the
-- expiry run) holds exactly the keys and rows of point_moves_expiring_idx
-- (042: the same, covering card and remaining for the expiring report),
-- which serves the expiry run as well.  point_moves_expiry_idx (040: every
-- lot, for liability as of a past time) stays.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

DROP INDEX point_moves_due_idx;
