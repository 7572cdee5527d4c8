/* report_liability.c - outstanding points by expiry month and level at
 * earn, as of a time (sql/041 report_liability: correct for past times
 * too, from the lot movements rather than what lots hold now). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "expiry_month", "Expiry month", ABA_COL_DATE },
	{ "level", "Level", ABA_COL_TEXT },
	{ "points", "Points", ABA_COL_POINTS },
};

int aba_report_liability(struct aba_db *db, const struct aba_report_args *a,
			 struct aba_report *r, struct aba_err *err)
{
	const char *params[] = { a->as_of, a->level };

	aba_report_columns(r, cols, 3);
	return aba_report_query(db, r, "SELECT * FROM aba.report_liability($1::timestamptz, $2)",
				2, params, err);
}
