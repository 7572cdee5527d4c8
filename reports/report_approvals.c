/* report_approvals.c - the queue of requests pending approval at a time,
 * by maker and age (sql/043 report_approvals). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "maker", "Maker", ABA_COL_TEXT },
	{ "pending", "Pending", ABA_COL_COUNT },
	{ "adjustments", "Adjust", ABA_COL_COUNT },
	{ "overrides", "Override", ABA_COL_COUNT },
	{ "under_1h", "<1h", ABA_COL_COUNT },
	{ "from_1h_to_4h", "1-4h", ABA_COL_COUNT },
	{ "from_4h_to_24h", "4-24h", ABA_COL_COUNT },
	{ "from_1d_to_3d", "1-3d", ABA_COL_COUNT },
	{ "over_3d", ">3d", ABA_COL_COUNT },
	{ "points", "Points asked", ABA_COL_POINTS },
	{ "oldest_seconds", "Oldest", ABA_COL_SECONDS },
};

int aba_report_approvals(struct aba_db *db, const struct aba_report_args *a,
			 struct aba_report *r, struct aba_err *err)
{
	/* Without --as-of, what is pending this instant: a request made in
	 * the current second is still on the queue. */
	const char *params[] = { a->as_of_now ? NULL : a->as_of };

	aba_report_columns(r, cols, 11);
	return aba_report_query(db, r, "SELECT * FROM aba.report_approvals($1::timestamptz)", 1,
				params, err);
}
