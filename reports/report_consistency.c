/* report_consistency.c - the ledger invariants as a report: one row per
 * broken invariant, from the same aba.verify that `aba verify` runs, so
 * the two can never disagree.  No rows: every invariant holds. */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "card", "Card", ABA_COL_TEXT },
	{ "check", "Check", ABA_COL_TEXT },
	{ "detail", "Detail", ABA_COL_TEXT },
};

int aba_report_consistency(struct aba_db *db, const struct aba_report_args *a,
			   struct aba_report *r, struct aba_err *err)
{
	(void)a;
	aba_report_columns(r, cols, 3);
	return aba_report_query(db, r, "SELECT card, problem, detail FROM aba.verify(NULL)", 0, NULL,
				err);
}
