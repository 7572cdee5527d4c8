/* aba_ledger.c - the C side of the ledger's SQL functions. */
#include "aba_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_db.h"
#include "aba_text.h"
#include "aba_time.h"

static const char SQL_EARN[] =
	"SELECT aba.earn($1, $2::bigint, $3, $4, $5::timestamptz, $6::integer)";
static const char SQL_REDEEM[] =
	"SELECT aba.redeem($1, $2::bigint, $3, $4, $5::timestamptz)";
static const char SQL_REFUND[] =
	"SELECT aba.refund_order($1, $2::bigint, $3, $4::timestamptz)";
static const char SQL_EXPIRE[] =
	"SELECT aba.expire_due($1::timestamptz, $2::integer)";
static const char SQL_VERIFY[] =
	"SELECT card, problem, detail FROM aba.verify($1)";
static const char SQL_VERIFY_MARK[] = "SELECT aba.verify_mark()";
static const char SQL_VERIFY_RECORD[] =
	"SELECT card, problem, detail FROM aba.verify_record($1::bigint)";

#define EXPIRE_BATCH "500"

void aba_posting_clear(struct aba_posting *p)
{
	json_decref(p->result);
	memset(p, 0, sizeof(*p));
}

static int check_key(const char *key, struct aba_err *err)
{
	if (!key)
		return aba_fail(err, ABA_INPUT, "an idempotency key is required");
	return aba_text_check(key, "idempotency key", 200, err);
}

static int check_origin(const char *origin, struct aba_err *err)
{
	return origin ? aba_text_check(origin, "origin", 100, err) : 0;
}

static int check_points(int64_t points, struct aba_err *err)
{
	if (points <= 0)
		return aba_fail(err, ABA_INPUT, "points must be greater than zero");
	if (points > ABA_AMOUNT_MAX)
		return aba_fail(err, ABA_INPUT, "points exceed the maximum 999999999999.99");
	return 0;
}

/* Runs one posting function and reads its jsonb result. */
static int post(struct aba_db *db, const char *sql, int n, const char *const *params,
		struct aba_posting *out, struct aba_err *err)
{
	json_t *r;

	memset(out, 0, sizeof(*out));
	if (aba_db_call_json(db, 1, sql, n, params, &r, err))
		return -1;
	out->result = r;
	out->id = json_integer_value(json_object_get(r, "posting"));
	out->balance = json_integer_value(json_object_get(r, "balance"));
	out->replay = json_is_true(json_object_get(r, "replay"));
	return 0;
}

int aba_ledger_earn(struct aba_db *db, const struct aba_earn *req, struct aba_posting *out,
		    struct aba_err *err)
{
	char pts[24], days[16], at[ABA_TIME_BUFSZ];
	const char *params[6] = { req->card, pts, req->key, req->origin, NULL, NULL };

	if (check_points(req->points, err) || check_key(req->key, err) ||
	    check_origin(req->origin, err) || aba_time_canonical(req->at, "at", at, &params[4], err))
		return -1;
	if (req->validity_days < 0)
		return aba_fail(err, ABA_INPUT, "validity must be at least one day");
	snprintf(pts, sizeof(pts), "%" PRId64, req->points);
	snprintf(days, sizeof(days), "%d", req->validity_days);
	params[5] = req->validity_days ? days : NULL;
	return post(db, SQL_EARN, 6, params, out, err);
}

int aba_ledger_redeem(struct aba_db *db, const struct aba_redeem *req, struct aba_posting *out,
		      struct aba_err *err)
{
	char pts[24], at[ABA_TIME_BUFSZ];
	const char *params[5] = { req->card, pts, req->key, req->origin, NULL };

	if (check_points(req->points, err) || check_key(req->key, err) ||
	    check_origin(req->origin, err) || aba_time_canonical(req->at, "at", at, &params[4], err))
		return -1;
	snprintf(pts, sizeof(pts), "%" PRId64, req->points);
	return post(db, SQL_REDEEM, 5, params, out, err);
}

int aba_ledger_refund(struct aba_db *db, const struct aba_refund *req, struct aba_posting *out,
		      struct aba_err *err)
{
	char amount[24], at[ABA_TIME_BUFSZ];
	const char *params[4] = { req->order_ref, NULL, req->key, NULL };

	if (!req->order_ref)
		return aba_fail(err, ABA_INPUT, "an order ref is required");
	if (check_key(req->key, err) || aba_time_canonical(req->at, "at", at, &params[3], err))
		return -1;
	if (req->amount >= 0) {
		if (req->amount > ABA_AMOUNT_MAX)
			return aba_fail(err, ABA_INPUT, "refund amount is too large");
		snprintf(amount, sizeof(amount), "%" PRId64, req->amount);
		params[1] = amount;
	}
	return post(db, SQL_REFUND, 4, params, out, err);
}

int aba_ledger_expire(struct aba_db *db, const char *as_of, aba_expire_progress progress,
		      void *arg, struct aba_expire_totals *out, struct aba_err *err)
{
	char at[64];	/* also holds the server's "…T02:39:02.123456+00:00" */
	const char *params[2] = { NULL, EXPIRE_BATCH };
	int64_t cards;

	memset(out, 0, sizeof(*out));
	if (aba_time_canonical(as_of, "as-of", at, &params[0], err))
		return -1;
	do {
		json_t *r;

		if (aba_db_call_json(db, 1, SQL_EXPIRE, 2, params, &r, err))
			return -1;
		if (!json_is_string(json_object_get(r, "as_of"))) {
			json_decref(r);
			return aba_fail(err, ABA_DB, "unreadable expiry result");
		}
		cards = json_integer_value(json_object_get(r, "cards"));
		out->cards += cards;
		out->points += json_integer_value(json_object_get(r, "points"));
		/* Later batches use the first batch's as-of, so "now" does not move. */
		if (!params[0]) {
			snprintf(at, sizeof(at), "%s", json_string_value(json_object_get(r, "as_of")));
			params[0] = at;
		}
		json_decref(r);
		if (progress && cards)
			progress(arg, out);
	} while (cards > 0);
	return 0;
}

/* A pass over every card is kept for the consistency report when the
 * server can write (sql/080, 084): first the cut, in its own transaction,
 * opens the pass, then the pass fills it in a snapshot taken after it.
 * On a replica it is only run. */
static int verify_all(struct aba_db *db, PGresult **res, struct aba_err *err)
{
	const char *params[1] = { NULL };
	PGresult *mark = NULL;
	int rc;

	if (aba_db_call_repeatable(db, SQL_VERIFY_MARK, 0, NULL, PGRES_TUPLES_OK, &mark, err))
		return -1;
	if (PQgetisnull(mark, 0, 0)) {
		PQclear(mark);
		return aba_db_call_repeatable(db, SQL_VERIFY, 1, params, PGRES_TUPLES_OK, res, err);
	}
	params[0] = PQgetvalue(mark, 0, 0);	/* the pass it opened */
	rc = aba_db_call_repeatable(db, SQL_VERIFY_RECORD, 1, params, PGRES_TUPLES_OK, res, err);
	PQclear(mark);
	return rc;
}

int aba_ledger_verify(struct aba_db *db, const char *card, aba_problem_fn fn, void *arg,
		      long *problems, struct aba_err *err)
{
	const char *params[1] = { card };
	PGresult *res = NULL;

	if (card ? aba_db_call_repeatable(db, SQL_VERIFY, 1, params, PGRES_TUPLES_OK, &res, err)
		 : verify_all(db, &res, err))
		return -1;
	*problems = PQntuples(res);
	for (int i = 0; fn && i < PQntuples(res); i++) {
		struct aba_problem p = {
			.card = PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0),
			.check = PQgetvalue(res, i, 1),
			.detail = PQgetvalue(res, i, 2),
		};
		fn(arg, &p);
	}
	PQclear(res);
	return 0;
}
