/* report_expiring.c - points due to expire within 30, 60 and 90 days
 * (cumulative) for the top cards, and totals over every card (sql/041
 * report_expiring). */
#include "aba_report.h"

#include <stdio.h>

static const struct aba_report_column cols[] = {
	{ "card", "Card", ABA_COL_TEXT },
	{ "customer", "Customer", ABA_COL_TEXT },
	{ "level", "Level", ABA_COL_TEXT },
	{ "within_30_days", "30 days", ABA_COL_POINTS },
	{ "within_60_days", "60 days", ABA_COL_POINTS },
	{ "within_90_days", "90 days", ABA_COL_POINTS },
	{ "cards", "Cards", ABA_COL_COUNT },
};

int aba_report_expiring(struct aba_db *db, const struct aba_report_args *a,
			struct aba_report *r, struct aba_err *err)
{
	char top[16];
	const char *params[] = { a->as_of, a->level, top };

	snprintf(top, sizeof(top), "%d", a->top);
	aba_report_columns(r, cols, 7);
	return aba_report_query(db, r,
				"SELECT * FROM aba.report_expiring($1::timestamptz, $2, $3::integer)",
				3, params, err);
}
