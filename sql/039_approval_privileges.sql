-- Who may read and call what in approvals, audit and staff.  Nobody but
-- aba_owner writes these tables; staff act through the functions below.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON reason_codes, approval_settings, approval_requests FROM PUBLIC;
REVOKE ALL ON SEQUENCE approval_requests_id_seq FROM PUBLIC;

GRANT SELECT ON reason_codes, approval_settings, approval_requests
	TO aba_clerk, aba_auditor;

-- clerk: ask, withdraw their own, sweep what expired (harmless to anyone)
GRANT EXECUTE ON FUNCTION adjust_request(text, bigint, text, text) TO aba_clerk;
GRANT EXECUTE ON FUNCTION approval_cancel(bigint) TO aba_clerk;
GRANT EXECUTE ON FUNCTION approvals_expire() TO aba_clerk;
-- approver (and admin, a member of approver): decide
GRANT EXECUTE ON FUNCTION approval_approve(bigint, text) TO aba_approver;
GRANT EXECUTE ON FUNCTION approval_reject(bigint, text) TO aba_approver;
-- admin: configuration and staff
GRANT EXECUTE ON FUNCTION reason_code_set(text, text, text, boolean) TO aba_admin;
GRANT EXECUTE ON FUNCTION approval_setting_set(text, bigint) TO aba_admin;
GRANT EXECUTE ON FUNCTION staff_add(text, text) TO aba_admin;
GRANT EXECUTE ON FUNCTION staff_list() TO aba_admin, aba_auditor;

-- Pure formatting (audit_rows runs its functions with the reader's
-- rights) and the one shape of a request that lists and results share.
GRANT EXECUTE ON FUNCTION audit_time(timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION approval_json(approval_requests) TO aba_clerk, aba_auditor;
