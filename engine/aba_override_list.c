/* aba_override_list.c - overrides from level_overrides (SELECT is granted
 * to clerks and auditors). */
#include "aba_override_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"

static const char SQL_LIST[] =
	"SELECT o.id, c.code, o.level_code, " ABA_DB_UTC("o.valid_from") ","
	"       " ABA_DB_UTC("o.valid_until") ","
	"       o.reason, o.actor, coalesce(o.request_id, 0),"
	"       o.valid_from <= now() AND o.valid_until > now() AS active"
	"  FROM aba.level_overrides o JOIN aba.cards c ON c.id = o.card_id"
	" ORDER BY active DESC,"
	"          CASE WHEN o.valid_until > now() THEN o.valid_until END ASC,"
	"          o.valid_until DESC, o.id"
	" LIMIT $1::integer";

int aba_override_list(struct aba_db *db, int limit, aba_override_fn fn, void *arg,
		      struct aba_err *err)
{
	char lim[16];
	const char *params[] = { lim };
	PGresult *res = NULL;

	if (limit < 1)
		return aba_fail(err, ABA_INPUT, "an override list needs a positive limit");
	snprintf(lim, sizeof(lim), "%d", limit);
	if (aba_db_call(db, SQL_LIST, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_override_row o;

		o.id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(o.card, sizeof(o.card), "%s", PQgetvalue(res, i, 1));
		snprintf(o.level, sizeof(o.level), "%s", PQgetvalue(res, i, 2));
		snprintf(o.from, sizeof(o.from), "%s", PQgetvalue(res, i, 3));
		snprintf(o.until, sizeof(o.until), "%s", PQgetvalue(res, i, 4));
		snprintf(o.reason, sizeof(o.reason), "%s", PQgetvalue(res, i, 5));
		snprintf(o.actor, sizeof(o.actor), "%s", PQgetvalue(res, i, 6));
		o.request_id = strtoll(PQgetvalue(res, i, 7), NULL, 10);
		o.active = strcmp(PQgetvalue(res, i, 8), "t") == 0;
		fn(arg, &o);
	}
	PQclear(res);
	return 0;
}
