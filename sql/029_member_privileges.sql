-- Who may read and call what in membership, orders and sync (020-028).
-- Staff read levels and history; only admins configure levels, evaluate
-- and (until approvals take over) set overrides; POS posts orders.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON levels, level_paths, level_history, level_overrides FROM PUBLIC;
GRANT SELECT ON levels, level_paths, level_history, level_overrides
	TO aba_clerk, aba_auditor, aba_pos;

GRANT EXECUTE ON FUNCTION member_info(text, timestamptz) TO aba_clerk, aba_auditor, aba_pos;
GRANT EXECUTE ON FUNCTION order_level(text, timestamptz) TO aba_clerk, aba_pos;
GRANT EXECUTE ON FUNCTION member_evaluate(timestamptz, text, bigint, integer) TO aba_admin;
GRANT EXECUTE ON FUNCTION level_set(text, text, integer, integer, bigint, integer, boolean, boolean)
	TO aba_admin;
-- Temporary: the approvals migration revokes this once overrides go
-- through maker-checker.
GRANT EXECUTE ON FUNCTION level_override_direct(text, text, timestamptz, text) TO aba_admin;

-- aba sync run|status: the integration service account or an admin.
GRANT EXECUTE ON FUNCTION outbox_due(integer), outbox_delivered(bigint[]),
	outbox_failed(bigint, text, integer), outbox_retry_parked(), outbox_status()
	TO aba_admin, aba_pos;
