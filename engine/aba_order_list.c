/* aba_order_list.c - a card's orders through orders_card_idx. */
#include "aba_order_list.h"

#include <stdio.h>
#include <stdlib.h>

#include "aba_db.h"

static const char SQL_LIST[] =
	"SELECT o.ref, " ABA_DB_UTC("o.ordered_at") ","
	"       coalesce(o.level_code, ''), o.state, o.total_base, o.total_discount, o.total_net,"
	"       o.points_earned, o.points_redeemed"
	"  FROM aba.cards c JOIN aba.orders o ON o.card_id = c.id"
	" WHERE c.code = $1 ORDER BY o.ordered_at DESC, o.id DESC LIMIT $2::integer";

int aba_order_list(struct aba_db *db, const char *code, int limit, aba_order_row_fn fn,
		   void *arg, struct aba_err *err)
{
	char lim[16];
	const char *params[] = { code, lim };
	PGresult *res = NULL;

	if (limit < 1)
		return aba_fail(err, ABA_INPUT, "an order list needs a positive limit");
	snprintf(lim, sizeof(lim), "%d", limit);
	if (aba_db_call(db, SQL_LIST, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_order_row o;

		snprintf(o.ref, sizeof(o.ref), "%s", PQgetvalue(res, i, 0));
		snprintf(o.at, sizeof(o.at), "%s", PQgetvalue(res, i, 1));
		snprintf(o.level, sizeof(o.level), "%s", PQgetvalue(res, i, 2));
		snprintf(o.state, sizeof(o.state), "%s", PQgetvalue(res, i, 3));
		o.total_base = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		o.total_discount = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		o.total_net = strtoll(PQgetvalue(res, i, 6), NULL, 10);
		o.points_earned = strtoll(PQgetvalue(res, i, 7), NULL, 10);
		o.points_redeemed = strtoll(PQgetvalue(res, i, 8), NULL, 10);
		fn(arg, &o);
	}
	PQclear(res);
	return 0;
}
