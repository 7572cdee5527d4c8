/* report_membership.c - cards per level at the end of a period, moves
 * between levels during it and overrides in force (sql/044
 * report_membership). */
#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "level", "Level", ABA_COL_TEXT },
	{ "name", "Name", ABA_COL_TEXT },
	{ "cards", "Cards", ABA_COL_COUNT },
	{ "upgrades", "Upgraded in", ABA_COL_COUNT },
	{ "downgrades", "Downgraded in", ABA_COL_COUNT },
	{ "overrides", "Overridden in", ABA_COL_COUNT },
	{ "lapsed", "Override lapsed", ABA_COL_COUNT },
	{ "left", "Left", ABA_COL_COUNT },
	{ "active_overrides", "Overrides now", ABA_COL_COUNT },
};

int aba_report_membership(struct aba_db *db, const struct aba_report_args *a,
			  struct aba_report *r, struct aba_err *err)
{
	const char *params[] = { a->from, a->to };

	aba_report_columns(r, cols, 9);
	return aba_report_query(db, r,
				"SELECT * FROM aba.report_membership($1::timestamptz, $2::timestamptz)",
				2, params, err);
}
