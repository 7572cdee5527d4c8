/* report_refresh.c - folding new postings into the report summaries, in
 * two steps so that postings wait only for the first (sql/040), then
 * the promotions summary (sql/047) and expiring's snapshot (sql/046). */
#include "aba_report.h"

#include <string.h>

#include <jansson.h>

#include "aba_db.h"

static int call_json(struct aba_db *db, const char *sql, json_t **out, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, sql, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return *out ? 0 : aba_fail(err, ABA_DB, "unreadable refresh result");
}

static int64_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

int aba_report_refresh(struct aba_db *db, struct aba_report_refresh *out, struct aba_err *err)
{
	json_t *r;

	memset(out, 0, sizeof(*out));
	if (call_json(db, "SELECT aba.report_refresh_mark()", &r, err))
		return -1;
	json_decref(r);
	if (call_json(db, "SELECT aba.report_refresh_roll()", &r, err))
		return -1;
	out->history_upto = num(r, "history");
	out->orders_upto = num(r, "orders");
	out->history_rows = num(r, "history_rows");
	out->order_rows = num(r, "order_rows");
	json_decref(r);
	/* After the roll: the watermarks below follow its clean cuts. */
	if (call_json(db, "SELECT aba.report_refresh_programs()", &r, err))
		return -1;
	json_decref(r);
	if (call_json(db, "SELECT aba.report_refresh_expiring()", &r, err))
		return -1;
	out->expiring_cards = num(r, "cards");
	json_decref(r);
	return 0;
}
