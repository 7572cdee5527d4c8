/* report_activity.c - per UTC day: orders, points earned, redeemed,
 * expired, adjusted, restored and reversed by refunds, net (sql/041
 * report_activity). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "day", "Day", ABA_COL_DATE },
	{ "orders", "Orders", ABA_COL_COUNT },
	{ "earned", "Earned", ABA_COL_POINTS },
	{ "redeemed", "Redeemed", ABA_COL_POINTS },
	{ "expired", "Expired", ABA_COL_POINTS },
	{ "adjusted", "Adjusted", ABA_COL_POINTS },
	{ "refund_restored", "Refund +", ABA_COL_POINTS },
	{ "refund_reversed", "Refund -", ABA_COL_POINTS },
	{ "net", "Net", ABA_COL_POINTS },
};

int aba_report_activity(struct aba_db *db, const struct aba_report_args *a,
			struct aba_report *r, struct aba_err *err)
{
	const char *params[] = { a->from, a->to };

	aba_report_columns(r, cols, 9);
	return aba_report_query(db, r,
				"SELECT * FROM aba.report_activity($1::timestamptz, $2::timestamptz)",
				2, params, err);
}
