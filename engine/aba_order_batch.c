/* aba_order_batch.c - posting orders size at a time through aba.post_orders. */
#include "aba_order_batch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aba_cart.h"
#include "aba_db.h"
#include "aba_member.h"
#include "aba_order_prep.h"
#include "aba_promo.h"

/* The level each order earns at, in the order asked ("" for none; an
 * unknown card gets none and post_orders reports it). */
static const char SQL_LEVELS[] =
	"SELECT coalesce(level, ''), earn_multiplier FROM aba.order_levels($1::jsonb) ORDER BY n";
static const char SQL_POST[] = "SELECT n, result, state, message FROM aba.post_orders($1::jsonb)";

/* A level that keeps changing between reading and posting: give up then,
 * as aba_order_post does. */
#define LEVEL_RETRIES 3

struct item {
	json_t *order;
	struct aba_order_in in;
	struct aba_cart *cart;
	struct aba_order_eval ev;
	char level[ABA_LEVEL_CODE_MAX + 8];
	int64_t multiplier;
	int attempts;
	int done;
};

struct aba_order_batch {
	struct aba_db *db;
	const struct aba_program_set *programs;
	size_t size, n;
	struct item *items;
	size_t *sent;		/* element k of the statement is items[sent[k]] */
	json_t *later;		/* added by a callback while posting */
	int posting;
	struct aba_promo_result *r;
	aba_order_done_fn done;
	void *arg;
};

struct aba_order_batch *aba_order_batch_new(struct aba_db *db,
					    const struct aba_program_set *programs, size_t size,
					    aba_order_done_fn done, void *arg)
{
	struct aba_order_batch *b = calloc(1, sizeof(*b));

	if (size < 1)
		size = 1;
	if (size > ABA_ORDER_BATCH_MAX)
		size = ABA_ORDER_BATCH_MAX;
	if (!b || !(b->items = calloc(size, sizeof(*b->items))) ||
	    !(b->sent = calloc(size, sizeof(*b->sent))) || !(b->later = json_array()) ||
	    !(b->r = aba_promo_result_new())) {
		aba_order_batch_free(b);
		return NULL;
	}
	b->db = db;
	b->programs = programs;
	b->size = size;
	b->done = done;
	b->arg = arg;
	return b;
}

static void clear_item(struct item *it)
{
	json_decref(it->ev.detail);
	aba_cart_free(it->cart);
	aba_arena_release(&it->in.arena);
	json_decref(it->order);
	memset(it, 0, sizeof(*it));
}

static void finish(struct aba_order_batch *b, struct item *it, const struct aba_order_result *r,
		   const struct aba_err *err)
{
	it->done = 1;
	if (b->done)
		b->done(b->arg, it->order, r, err);
}

/* Reads the level of every order still waiting, in one statement. */
static int read_levels(struct aba_order_batch *b, struct aba_err *err)
{
	json_t *ask = json_array();
	char *text = NULL;
	const char *params[1];
	PGresult *res = NULL;
	size_t k = 0;
	int rc = -1;

	for (size_t i = 0; i < b->n; i++)
		if (!b->items[i].done) {
			json_array_append_new(ask, json_pack("[s, s]", b->items[i].in.card,
							     b->items[i].in.at_text));
			b->sent[k++] = i;
		}
	if (!ask || !(params[0] = text = json_dumps(ask, JSON_COMPACT))) {
		aba_fail(err, ABA_NOMEM, "out of memory");
	} else if (aba_db_call_repeatable(b->db, SQL_LEVELS, 1, params, PGRES_TUPLES_OK, &res,
					  err) == 0) {
		if ((size_t)PQntuples(res) != k) {
			aba_fail(err, ABA_DB, "unexpected levels for a batch of %zu orders", k);
		} else {
			for (size_t j = 0; j < k; j++) {
				struct item *it = &b->items[b->sent[j]];

				snprintf(it->level, sizeof(it->level), "%s", PQgetvalue(res, (int)j, 0));
				it->multiplier = strtoll(PQgetvalue(res, (int)j, 1), NULL, 10);
			}
			rc = 0;
		}
	}
	PQclear(res);
	free(text);
	json_decref(ask);
	return rc;
}

/* Evaluates the waiting orders at their levels; one the discount engine
 * refuses is done. */
static void evaluate(struct aba_order_batch *b)
{
	struct aba_err err;

	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->done)
			continue;
		json_decref(it->ev.detail);
		it->ev.detail = NULL;
		if (aba_order_prep_evaluate(it->cart, b->programs, it->level, it->multiplier, &it->in,
					    b->r, &it->ev, &err))
			finish(b, it, NULL, &err);
	}
}

/* What post_orders reads of one order: what post_order takes. */
static json_t *element(const struct item *it)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:O, s:I, s:I, s:I, s:I, s:I, s:b, s:O}",
		"ref", it->in.ref, "card", it->in.card, "at", it->in.at_text, "request", it->order,
		"total_base", (json_int_t)it->ev.base, "total_discount", (json_int_t)it->ev.discount,
		"total_net", (json_int_t)it->ev.net, "earn", (json_int_t)it->ev.earn,
		"redeem", (json_int_t)it->ev.redeem, "offline", it->in.offline, "detail", it->ev.detail);

	if (e && *it->level)
		json_object_set_new(e, "level", json_string(it->level));
	if (e && it->ev.validity_days)
		json_object_set_new(e, "validity_days", json_integer(it->ev.validity_days));
	if (e && it->in.pos)
		json_object_set_new(e, "pos", json_string(it->in.pos));
	return e;
}

static void take_row(struct aba_order_batch *b, struct item *it, PGresult *res, int row)
{
	const char *state = PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2);
	struct aba_order_result r;
	struct aba_err err;
	json_t *doc;

	if (!state) {
		if (!(doc = json_loads(PQgetvalue(res, row, 1), 0, NULL))) {
			aba_fail(&err, ABA_DB, "unreadable order result");
			finish(b, it, NULL, &err);
			return;
		}
		memset(&r, 0, sizeof(r));
		aba_order_prep_read_result(doc, &r);
		finish(b, it, &r, NULL);
		aba_order_result_clear(&r);
	} else if (strcmp(state, "level") == 0 && ++it->attempts > LEVEL_RETRIES) {
		aba_fail(&err, ABA_CONFLICT, "order '%.64s': the level of card '%.64s' kept changing",
			 it->in.ref, it->in.card);
		finish(b, it, NULL, &err);
	} else if (strcmp(state, "level") != 0 && strcmp(state, "held") != 0) {
		aba_db_fail_sqlstate(state, PQgetvalue(res, row, 3), &err);
		finish(b, it, NULL, &err);
	}
	/* level (evaluate again) and held (after the one before it): next round */
}

/* One post_orders statement for every order still waiting. */
static int post_round(struct aba_order_batch *b, struct aba_err *err)
{
	json_t *batch = json_array();
	char *text = NULL;
	const char *params[1];
	PGresult *res = NULL;
	size_t k = 0;
	int rc = -1;

	for (size_t i = 0; batch && i < b->n; i++)
		if (!b->items[i].done) {
			if (json_array_append_new(batch, element(&b->items[i])))
				break;
			b->sent[k++] = i;
		}
	if (!batch || json_array_size(batch) != k || !(params[0] = text = json_dumps(batch, JSON_COMPACT))) {
		aba_fail(err, ABA_NOMEM, "out of memory");
	} else if (k == 0) {
		rc = 0;
	} else if (aba_db_call_repeatable(b->db, SQL_POST, 1, params, PGRES_TUPLES_OK, &res,
					  err) == 0) {
		/* Run again after a lost connection: each order's ref is its
		 * idempotency key, so one that did post comes back a replay. */
		rc = 0;
		for (int row = 0; row < PQntuples(res); row++) {
			long n = strtol(PQgetvalue(res, row, 0), NULL, 10);

			if (n >= 1 && (size_t)n <= k)
				take_row(b, &b->items[b->sent[n - 1]], res, row);
		}
	}
	PQclear(res);
	free(text);
	json_decref(batch);
	return rc;
}

static int waiting(const struct aba_order_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (!b->items[i].done)
			return 1;
	return 0;
}

/* The batch statement failed as a whole (nothing of it was written): each
 * order on its own then, so each gets its own answer.  Not after a lost
 * connection that could not be re-established: every order would wait for
 * it again. */
static void one_by_one(struct aba_order_batch *b, const struct aba_err *why)
{
	struct aba_order_result r;
	struct aba_err err;

	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->done)
			continue;
		if (why->code == ABA_CONNECTION || why->code == ABA_NOMEM)
			finish(b, it, NULL, why);
		else if (aba_order_post(b->db, b->programs, it->order, &r, &err))
			finish(b, it, NULL, &err);
		else {
			finish(b, it, &r, NULL);
			aba_order_result_clear(&r);
		}
	}
}

int aba_order_batch_flush(struct aba_order_batch *b, struct aba_err *err)
{
	struct aba_err why;
	json_t *later;
	size_t i;
	json_t *o;
	int rc = 0;

	if (b->posting)
		return 0;
	b->posting = 1;
	while (waiting(b)) {
		if (read_levels(b, &why) == 0)
			evaluate(b);
		else
			one_by_one(b, &why);
		if (waiting(b) && post_round(b, &why))
			one_by_one(b, &why);
	}
	for (i = 0; i < b->n; i++)
		clear_item(&b->items[i]);
	b->n = 0;
	b->posting = 0;
	/* What the callbacks added (a retry) goes into the next batch. */
	later = b->later;
	if (!(b->later = json_array())) {
		b->later = later;
		return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	json_array_foreach(later, i, o)
		if (rc == 0)
			rc = aba_order_batch_add(b, json_incref(o), err);
	json_decref(later);
	/* A flush leaves nothing behind, not even what the callbacks added. */
	return rc == 0 && b->n > 0 ? aba_order_batch_flush(b, err) : rc;
}

int aba_order_batch_add(struct aba_order_batch *b, json_t *order, struct aba_err *err)
{
	struct item *it;
	struct aba_err e;

	if (!order)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (b->posting) {
		json_array_append_new(b->later, order);
		return 0;
	}
	it = &b->items[b->n];
	memset(it, 0, sizeof(*it));
	it->order = order;
	if (aba_order_prep_parse(order, &it->in, &it->cart, &e)) {
		finish(b, it, NULL, &e);
		clear_item(it);
		return 0;
	}
	if (++b->n == b->size)
		return aba_order_batch_flush(b, err);
	return 0;
}

void aba_order_batch_free(struct aba_order_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->items && i < b->n; i++)
		clear_item(&b->items[i]);
	free(b->items);
	free(b->sent);
	json_decref(b->later);
	aba_promo_result_free(b->r);
	free(b);
}
