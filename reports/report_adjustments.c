/* report_adjustments.c - adjustment requests made in a period, by maker
 * and reason code: how they ended, the points approved ones moved and how
 * long checkers took (sql/043 report_adjustments). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "maker", "Maker", ABA_COL_TEXT },
	{ "reason", "Reason", ABA_COL_TEXT },
	{ "requests", "Requests", ABA_COL_COUNT },
	{ "approved", "Approved", ABA_COL_COUNT },
	{ "auto_approved", "Auto", ABA_COL_COUNT },
	{ "rejected", "Rejected", ABA_COL_COUNT },
	{ "withdrawn", "Cancelled/expired", ABA_COL_COUNT },
	{ "pending", "Pending", ABA_COL_COUNT },
	{ "credited", "Credited", ABA_COL_POINTS },
	{ "debited", "Debited", ABA_COL_POINTS },
	{ "median_approval_seconds", "Median approval", ABA_COL_SECONDS },
	{ "max_approval_seconds", "Longest approval", ABA_COL_SECONDS },
};

int aba_report_adjustments(struct aba_db *db, const struct aba_report_args *a,
			   struct aba_report *r, struct aba_err *err)
{
	const char *params[] = { a->from, a->to };

	aba_report_columns(r, cols, 12);
	return aba_report_query(db, r,
				"SELECT * FROM aba.report_adjustments($1::timestamptz, $2::timestamptz)",
				2, params, err);
}
