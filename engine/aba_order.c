/* aba_order.c - order posting: parse, evaluate at the order's level, post. */
#include "aba_order.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_arena.h"
#include "aba_cart.h"
#include "aba_db.h"
#include "aba_jp.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order_batch.h"
#include "aba_order_prep.h"
#include "aba_promo.h"
#include "aba_text.h"
#include "aba_time.h"

static const char SQL_POST[] =
	"SELECT aba.post_order($1, $2, $3::timestamptz, $4::jsonb, $5, $6::bigint, $7::bigint,"
	" $8::bigint, $9::bigint, $10::bigint, $11::integer, $12, $13::boolean, $14::jsonb)";
static const char SQL_REFUND_LINES[] =
	"SELECT aba.refund_order_lines($1, $2::jsonb, $3, $4::timestamptz)";
static const char SQL_SHOW[] =
	"SELECT jsonb_build_object('ref', o.ref, 'card', c.code,"
	"  'at', " ABA_DB_UTC("o.ordered_at") ", 'pos', o.pos,"
	"  'offline', o.offline, 'level', o.level_code, 'state', o.state,"
	"  'total_base', o.total_base, 'total_discount', o.total_discount,"
	"  'total_net', o.total_net, 'points_earned', o.points_earned,"
	"  'points_redeemed', o.points_redeemed, 'refunded_amount', o.refunded_amount,"
	"  'points_reversed', o.points_reversed, 'points_restored', o.points_restored,"
	"  'detail', o.detail,"
	"  'refunds', coalesce((SELECT jsonb_agg(jsonb_build_object('key', p.key,"
	"      'at', " ABA_DB_UTC("r.at") ","
	"      'amount', r.amount, 'points_restored', r.points_restored,"
	"      'points_reexpired', r.points_reexpired, 'points_reversed', r.points_reversed,"
	"      'shortfall', r.shortfall,"
	"      'lines', coalesce((SELECT jsonb_agg(jsonb_build_object('product', l.product,"
	"          'line', l.line, 'qty', l.qty, 'amount', l.amount) ORDER BY l.id)"
	"        FROM aba.order_refund_lines l WHERE l.posting_id = r.posting_id), '[]')) ORDER BY r.id)"
	"    FROM aba.order_refunds r JOIN aba.postings p ON p.id = r.posting_id"
	"   WHERE r.order_id = o.id), '[]'))"
	"  FROM aba.orders o JOIN aba.cards c ON c.id = o.card_id WHERE o.ref = $1";

static const char *const order_keys[] = {
	"ref", "card", "at", "pos", "offline", "lines", "codes", "points_to_spend", NULL
};

/* A level change between reading the level and posting: evaluate again. */
#define LEVEL_RETRIES 3

void aba_order_result_clear(struct aba_order_result *r)
{
	json_decref(r->result);
	memset(r, 0, sizeof(*r));
}

/* Prefixes err's message with the order it is about. */
static int in_order(const char *ref, struct aba_err *err)
{
	char msg[sizeof(err->msg)];

	if (err && ref) {
		snprintf(msg, sizeof(msg), "order '%.64s': %.180s", ref, err->msg);
		memcpy(err->msg, msg, sizeof(msg));
	}
	return -1;
}

static int parse_envelope(const json_t *j, struct aba_order_in *o, struct aba_err *err)
{
	int has_at = 0, date_only;

	if (!json_is_object(j))
		return aba_fail(err, ABA_INPUT, "an order must be a JSON object");
	if (aba_jp_string(j, "", "ref", 1, 200, &o->arena, &o->ref, err) ||
	    aba_text_check(o->ref, "ref", 200, err))
		return -1;
	if (aba_jp_object(j, "", order_keys, err) ||
	    aba_jp_string(j, "", "card", 1, 64, &o->arena, &o->card, err) ||
	    aba_jp_string(j, "", "pos", 0, 100, &o->arena, &o->pos, err) ||
	    aba_jp_bool(j, "", "offline", 0, &o->offline, err) ||
	    aba_jp_time(j, "", "at", &has_at, &o->at, &date_only, err) ||
	    (o->pos && aba_text_check(o->pos, "pos", 100, err)))
		return in_order(o->ref, err);
	if (!has_at) {
		aba_fail(err, ABA_INPUT, "at: a time is required");
		return in_order(o->ref, err);
	}
	aba_time_format(o->at, o->at_text);
	return 0;
}

/* The cart the discount engine reads: the order's lines, codes and points. */
static int parse_cart(const json_t *order, const struct aba_order_in *o, struct aba_cart **cart,
		      struct aba_err *err)
{
	static const char *const keys[] = { "lines", "codes", "points_to_spend" };
	json_t *c = json_object();
	int rc;

	if (!c)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(order, keys[i]);

		if (v)
			json_object_set(c, keys[i], v);
	}
	json_object_set_new(c, "at", json_string(o->at_text));
	if (!json_object_get(c, "lines"))
		rc = aba_fail(err, ABA_INPUT, "lines: required");
	else
		rc = aba_cart_parse(c, cart, err);
	json_decref(c);
	return rc ? in_order(o->ref, err) : 0;
}

int aba_order_prep_parse(const json_t *order, struct aba_order_in *o, struct aba_cart **cart,
			 struct aba_err *err)
{
	return parse_envelope(order, o, err) || parse_cart(order, o, cart, err) ? -1 : 0;
}

static json_t *detail_json(const struct aba_promo_result *r, const struct aba_cart *cart)
{
	json_t *lines = json_array(), *programs = json_array();

	for (size_t i = 0; i < r->n_lines; i++)
		json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I, s:I}",
			"product", cart->lines[i].product.s, "qty", (json_int_t)cart->lines[i].qty,
			"base", (json_int_t)r->lines[i].base, "discount", (json_int_t)r->lines[i].discount,
			"net", (json_int_t)r->lines[i].net));
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct aba_promo_entry *e = &r->entries[i];

		if (e->reason == ABA_PR_APPLIED)
			json_array_append_new(programs, json_pack("{s:s, s:I, s:I, s:I}",
				"id", e->program->id, "discount", (json_int_t)e->discount,
				"points", (json_int_t)e->points,
				"points_spent", (json_int_t)e->points_spent));
	}
	return json_pack("{s:o, s:o, s:I}", "lines", lines, "programs", programs,
			 "points_to_spend", (json_int_t)cart->points_to_spend);
}

/* Lots earned by the order expire after the shortest validity among the
 * programs that earned points (none: never). */
static int validity_of(const struct aba_promo_result *r)
{
	int64_t days = 0;

	for (size_t i = 0; i < r->n_entries; i++) {
		int64_t d = r->entries[i].program->point_validity_days;

		if (r->entries[i].points > 0 && d > 0 && (days == 0 || d < days))
			days = d;
	}
	return days > 36500 ? 36500 : (int)days;
}

int aba_order_prep_evaluate(const struct aba_cart *cart, const struct aba_program_set *programs,
			    const char *level, int64_t multiplier, const struct aba_order_in *o,
			    struct aba_promo_result *r, struct aba_order_eval *ev,
			    struct aba_err *err)
{
	struct aba_promo_ctx ctx = { *level ? level : NULL, cart->codes, cart->n_codes, o->at,
				     multiplier };

	memset(ev, 0, sizeof(*ev));
	if (aba_promo_evaluate(cart, programs ? programs->v : NULL, programs ? programs->n : 0,
			       &ctx, r, err))
		return in_order(o->ref, err);
	ev->base = r->total_base;
	ev->discount = r->total_discount;
	ev->net = r->total_net;
	ev->earn = r->points;
	for (size_t i = 0; i < r->n_entries; i++)
		if (r->entries[i].reason == ABA_PR_APPLIED)
			ev->redeem += r->entries[i].points_spent;
	ev->validity_days = validity_of(r);
	ev->detail = detail_json(r, cart);
	return ev->detail ? 0 : aba_fail(err, ABA_NOMEM, "out of memory");
}

void aba_order_prep_read_result(json_t *res, struct aba_order_result *out)
{
	const char *s;

	out->result = res;
	snprintf(out->ref, sizeof(out->ref), "%s", json_string_value(json_object_get(res, "order")));
	snprintf(out->card, sizeof(out->card), "%s", json_string_value(json_object_get(res, "card")));
	s = json_string_value(json_object_get(res, "level"));
	snprintf(out->level, sizeof(out->level), "%s", s ? s : "");
	s = json_string_value(json_object_get(res, "upgraded_to"));
	snprintf(out->upgraded_to, sizeof(out->upgraded_to), "%s", s ? s : "");
	out->total_base = json_integer_value(json_object_get(res, "total_base"));
	out->total_discount = json_integer_value(json_object_get(res, "total_discount"));
	out->total_net = json_integer_value(json_object_get(res, "total_net"));
	out->points_earned = json_integer_value(json_object_get(res, "points_earned"));
	out->points_redeemed = json_integer_value(json_object_get(res, "points_redeemed"));
	out->balance = json_integer_value(json_object_get(res, "balance"));
	out->replay = json_is_true(json_object_get(res, "replay"));
}

static int call_post(struct aba_db *db, const json_t *order, const struct aba_order_in *o,
		     const char *level, const struct aba_order_eval *ev,
		     struct aba_order_result *out, struct aba_err *err)
{
	char nums[6][24], days[16];
	char *request = json_dumps(order, JSON_COMPACT), *detail = json_dumps(ev->detail, JSON_COMPACT);
	const char *params[14] = { o->ref, o->card, o->at_text, request, *level ? level : NULL,
				   nums[0], nums[1], nums[2], nums[3], nums[4],
				   ev->validity_days ? days : NULL, o->pos, o->offline ? "t" : "f",
				   detail };
	json_t *r = NULL;
	int rc = -1;

	snprintf(nums[0], 24, "%" PRId64, ev->base);
	snprintf(nums[1], 24, "%" PRId64, ev->discount);
	snprintf(nums[2], 24, "%" PRId64, ev->net);
	snprintf(nums[3], 24, "%" PRId64, ev->earn);
	snprintf(nums[4], 24, "%" PRId64, ev->redeem);
	snprintf(days, sizeof(days), "%d", ev->validity_days);
	if (!request || !detail) {
		aba_fail(err, ABA_NOMEM, "out of memory");
	} else if (aba_db_call_json(db, 1, SQL_POST, 14, params, &r, err) == 0) {
		/* repeatable: the ref is the idempotency key, so a run after a
		 * lost connection returns the first run's result */
		aba_order_prep_read_result(r, out);
		rc = 0;
	}
	free(request);
	free(detail);
	return rc;
}

/* Reads the level valid at the order's time, evaluates, posts; again when
 * the level changed in between (the database refuses a stale level). */
static int post_one(struct aba_db *db, const struct aba_program_set *programs,
		    const json_t *order, struct aba_promo_result *r,
		    struct aba_order_result *out, struct aba_err *err)
{
	struct aba_order_in o;
	struct aba_cart *cart = NULL;
	struct aba_order_eval ev = { 0 };
	char level[ABA_LEVEL_CODE_MAX + 8], again[ABA_LEVEL_CODE_MAX + 8];
	struct aba_err e;	/* err may be NULL, and the retry needs the code */
	int64_t mult, mult2;
	int rc = -1;

	memset(&o, 0, sizeof(o));
	memset(out, 0, sizeof(*out));
	if (aba_order_prep_parse(order, &o, &cart, err) ||
	    aba_member_level_at(db, o.card, o.at_text, level, &mult, err))
		goto out;
	for (int attempt = 0;; attempt++) {
		json_decref(ev.detail);
		if (aba_order_prep_evaluate(cart, programs, level, mult, &o, r, &ev, err))
			goto out;
		if (call_post(db, order, &o, level, &ev, out, &e) == 0)
			break;
		if (e.code != ABA_CONFLICT || attempt >= LEVEL_RETRIES ||
		    aba_member_level_at(db, o.card, o.at_text, again, &mult2, NULL) ||
		    strcmp(again, level) == 0) {
			if (err)
				*err = e;
			goto out;
		}
		memcpy(level, again, sizeof(level));
		mult = mult2;
	}
	rc = 0;
out:
	json_decref(ev.detail);
	aba_cart_free(cart);
	aba_arena_release(&o.arena);
	return rc;
}

int aba_order_post(struct aba_db *db, const struct aba_program_set *programs,
		   const json_t *order, struct aba_order_result *out, struct aba_err *err)
{
	struct aba_promo_result *r = aba_promo_result_new();
	int rc;

	if (!r)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rc = post_one(db, programs, order, r, out, err);
	aba_promo_result_free(r);
	return rc;
}

/* A refund by lines: the database values them and keeps which units went
 * back (sql/072), under the card lock, so that no unit goes back twice. */
static int refund_lines(struct aba_db *db, const struct aba_order_refund *req,
			struct aba_posting *out, struct aba_err *err)
{
	char at[ABA_TIME_BUFSZ];
	char *lines = json_dumps(req->lines, JSON_COMPACT);
	const char *params[4] = { req->ref, lines, req->key, NULL };
	json_t *r = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!lines)
		rc = aba_fail(err, ABA_NOMEM, "out of memory");
	else if (!req->key)
		rc = aba_fail(err, ABA_INPUT, "an idempotency key is required");
	else if (aba_text_check(req->key, "idempotency key", 200, err) == 0 &&
		 aba_time_canonical(req->at, "at", at, &params[3], err) == 0 &&
		 aba_db_call_json(db, 1, SQL_REFUND_LINES, 4, params, &r, err) == 0) {
		out->result = r;
		out->id = json_integer_value(json_object_get(r, "posting"));
		out->balance = json_integer_value(json_object_get(r, "balance"));
		out->replay = json_is_true(json_object_get(r, "replay"));
		rc = 0;
	}
	free(lines);
	return rc;
}

int aba_order_refund(struct aba_db *db, const struct aba_order_refund *req,
		     struct aba_posting *out, struct aba_err *err)
{
	struct aba_refund r = { req->ref, req->amount, req->key, req->at };

	if (!req->ref || aba_text_check(req->ref, "ref", 200, err))
		return req->ref ? -1 : aba_fail(err, ABA_INPUT, "an order ref is required");
	if (!req->lines)
		return aba_ledger_refund(db, &r, out, err);
	if (req->amount >= 0)
		return aba_fail(err, ABA_INPUT, "refund either an amount or lines, not both");
	return refund_lines(db, req, out, err);
}

int aba_order_show(struct aba_db *db, const char *ref, json_t **out, struct aba_err *err)
{
	const char *params[1] = { ref };
	PGresult *res = NULL;

	*out = NULL;
	if (aba_text_check(ref, "ref", 200, err) ||
	    aba_db_call_repeatable(db, SQL_SHOW, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	if (PQntuples(res) == 1)
		*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return *out ? 0 : aba_fail(err, ABA_NOT_FOUND, "order '%.64s' not found", ref);
}

/* What posting a file counts and reports, order by order. */
struct counting {
	aba_order_fail_fn fail_fn;
	aba_order_progress_fn progress;
	void *arg;
	struct aba_order_totals *t;
};

static void count_one(void *arg, const json_t *order, const struct aba_order_result *r,
		      const struct aba_err *err)
{
	struct counting *c = arg;
	struct aba_order_totals *t = c->t;

	if (r) {
		if (r->replay)
			t->replayed++;
		else
			t->posted++;
		t->points_earned += r->points_earned;
		t->points_redeemed += r->points_redeemed;
	} else {
		t->failed++;
		if (c->fail_fn)
			c->fail_fn(c->arg, json_string_value(json_object_get(order, "ref")), err);
	}
	if (c->progress && (t->posted + t->replayed + t->failed) % 1000 == 0)
		c->progress(c->arg, t);
}

static void post_counted(struct aba_db *db, const struct aba_program_set *programs,
			 json_t *order, struct aba_promo_result *r, struct counting *c)
{
	struct aba_order_result res;
	struct aba_err err;

	if (post_one(db, programs, order, r, &res, &err) == 0) {
		count_one(c, order, &res, NULL);
		aba_order_result_clear(&res);
	} else {
		count_one(c, order, NULL, &err);
	}
}

/* One order: on its own (batch NULL) or queued in the batch. */
static int take_order(struct aba_db *db, const struct aba_program_set *programs, json_t *order,
		      struct aba_promo_result *r, struct aba_order_batch *batch,
		      struct counting *c, struct aba_err *err)
{
	if (batch)
		return aba_order_batch_add(batch, json_incref(order), err);
	post_counted(db, programs, order, r, c);
	return 0;
}

/* Skips white space; 1 when something follows, 0 at the end. */
static int more_input(FILE *f)
{
	int c;

	do
		c = fgetc(f);
	while (c == ' ' || c == '\n' || c == '\t' || c == '\r');
	if (c == EOF)
		return 0;
	ungetc(c, f);
	return 1;
}

int aba_order_post_file_batch(struct aba_db *db, const struct aba_program_set *programs,
			      FILE *f, size_t batch_size, aba_order_fail_fn fail_fn,
			      aba_order_progress_fn progress, void *arg,
			      struct aba_order_totals *out, struct aba_err *err)
{
	struct counting c = { fail_fn, progress, arg, out };
	struct aba_promo_result *r = aba_promo_result_new();
	struct aba_order_batch *batch = NULL;
	json_error_t jerr;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!r || (batch_size > 1 &&
		   !(batch = aba_order_batch_new(db, programs, batch_size, count_one, &c)))) {
		aba_promo_result_free(r);
		return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	/* One value at a time, so a stream of a million orders is never all in
	 * memory at once. */
	while (rc == 0 && more_input(f)) {
		json_t *v = json_loadf(f, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr), *o;
		size_t i;

		if (!v) {
			rc = aba_fail(err, ABA_INPUT, "orders: line %d: %s", jerr.line, jerr.text);
		} else if (json_is_array(v)) {
			json_array_foreach(v, i, o)
				if (rc == 0)
					rc = take_order(db, programs, o, r, batch, &c, err);
		} else {
			rc = take_order(db, programs, v, r, batch, &c, err);
		}
		json_decref(v);
	}
	/* Orders read before a malformed value are posted all the same, as
	 * they would be one by one. */
	if (batch && aba_order_batch_flush(batch, rc ? NULL : err) && rc == 0)
		rc = -1;
	aba_order_batch_free(batch);
	aba_promo_result_free(r);
	return rc;
}

int aba_order_post_file(struct aba_db *db, const struct aba_program_set *programs,
			FILE *f, aba_order_fail_fn fail_fn, aba_order_progress_fn progress,
			void *arg, struct aba_order_totals *out, struct aba_err *err)
{
	return aba_order_post_file_batch(db, programs, f, ABA_ORDER_BATCH_SIZE, fail_fn, progress,
					 arg, out, err);
}
