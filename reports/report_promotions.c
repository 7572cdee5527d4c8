/* report_promotions.c - per program, over the orders of a period: orders
 * it applied to, discount given, points issued (sql/045
 * report_promotions). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "program", "Program", ABA_COL_TEXT },
	{ "name", "Name", ABA_COL_TEXT },
	{ "type", "Type", ABA_COL_TEXT },
	{ "orders", "Orders", ABA_COL_COUNT },
	{ "refunded", "Refunded", ABA_COL_COUNT },
	{ "discount", "Discount", ABA_COL_POINTS },
	{ "points", "Points issued", ABA_COL_POINTS },
	{ "points_spent", "Points spent", ABA_COL_POINTS },
};

int aba_report_promotions(struct aba_db *db, const struct aba_report_args *a,
			  struct aba_report *r, struct aba_err *err)
{
	const char *params[] = { a->from, a->to };

	aba_report_columns(r, cols, 8);
	return aba_report_query(db, r,
				"SELECT * FROM aba.report_promotions($1::timestamptz, $2::timestamptz)",
				2, params, err);
}
