/* report_consistency.c - the ledger invariants as a report: one row per
 * broken invariant.  It starts from the findings of the last full
 * `aba verify` and checks again, live, every card changed since
 * (sql/080), so it is quick on a large ledger and agrees with a full
 * pass run now -- but for changes made behind the ledger's back, which
 * only a full pass finds: the title says when that last ran. */
#include "aba_report.h"

#include <stdio.h>
#include <string.h>

#include "aba_db.h"

static const struct aba_report_column cols[] = {
	{ "card", "Card", ABA_COL_TEXT },
	{ "check", "Check", ABA_COL_TEXT },
	{ "detail", "Detail", ABA_COL_TEXT },
};

static const char SQL_LAST_PASS[] =
	"SELECT " ABA_DB_UTC("finished_at") ", changed_cards FROM aba.verify_last_pass()";

/* "consistency: full pass 2026-11-22T10:00:00Z, 12 cards changed since
 * checked now", or that every card was checked now. */
static int add_pass_to_title(struct aba_db *db, struct aba_report *r, struct aba_err *err)
{
	size_t n = strlen(r->title);
	PGresult *res = NULL;

	if (aba_db_call_repeatable(db, SQL_LAST_PASS, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	if (PQntuples(res) == 0)
		snprintf(r->title + n, sizeof(r->title) - n,
			 ": no full pass recorded (aba verify), every card checked now");
	else
		snprintf(r->title + n, sizeof(r->title) - n,
			 ": full pass %s (aba verify), %s card%s changed since checked now",
			 PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			 strcmp(PQgetvalue(res, 0, 1), "1") ? "s" : "");
	PQclear(res);
	return 0;
}

int aba_report_consistency(struct aba_db *db, const struct aba_report_args *a,
			   struct aba_report *r, struct aba_err *err)
{
	(void)a;
	aba_report_columns(r, cols, 3);
	if (add_pass_to_title(db, r, err))
		return -1;
	return aba_report_query(db, r, "SELECT card, problem, detail FROM aba.verify_since_pass()",
				0, NULL, err);
}
