-- Who may run reports and refresh their summaries.  Reports run with the
-- caller's rights, so they need SELECT on what they read; staff who read
-- the ledger (clerks and so approvers and admins, auditors) may run them.
-- Refreshing writes only the summaries but briefly holds postings back,
-- so it is an administrator's job (a nightly `aba report refresh`).
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON report_watermarks, report_lot_flow, report_day_flow, report_day_orders FROM PUBLIC;
GRANT SELECT ON report_watermarks, report_lot_flow, report_day_flow, report_day_orders
	TO aba_clerk, aba_auditor;

GRANT EXECUTE ON FUNCTION utc_day(timestamptz), utc_start(date), report_upto(text)
	TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_liability(timestamptz, text),
		      report_expiring(timestamptz, text, integer),
		      report_activity(timestamptz, timestamptz)
	TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_refresh_mark(), report_refresh_roll() TO aba_admin;

-- The workflow, membership and promotion reports (043-045), with the same
-- readers.
GRANT EXECUTE ON FUNCTION report_median_us(bigint[]), report_us_to_s(bigint),
		      report_us(timestamptz, timestamptz)
	TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_adjustments(timestamptz, timestamptz),
		      report_approvals(timestamptz),
		      report_membership(timestamptz, timestamptz),
		      report_promotions(timestamptz, timestamptz)
	TO aba_clerk, aba_auditor;
-- expiring's snapshot (046): read by every report reader, rebuilt by the
-- refresh.
REVOKE ALL ON report_expiring_cards, report_expiring_meta FROM PUBLIC;
GRANT SELECT ON report_expiring_cards, report_expiring_meta TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_card_due(bigint, timestamptz),
		      report_expiring_live(timestamptz, text, integer)
	TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_refresh_expiring() TO aba_admin;
-- promotions' summary (047).
REVOKE ALL ON report_day_programs FROM PUBLIC;
GRANT SELECT ON report_day_programs TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_order_programs(jsonb) TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION report_refresh_programs() TO aba_admin;
