/* ops.c - what each stress worker does: random earns, redemptions, POS
 * orders (some spending points), refunds of its own orders, maker-checker
 * adjustments, replays of what it sent before, and expiry runs, each
 * logged client-side with what the engine answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_order.h"
#include "aba_program.h"
#include "aba_time.h"
#include "stress.h"

/* 1 point per 100.00 of net spend, valid STRESS_ORDER_VALIDITY days; a
 * point spent pays 1.00.  So an order of net N (hundredths) earns N / 100
 * hundredths of a point, and spending S hundredths of a point takes S off. */
static const char PROGRAMS[] =
	"[{\"id\":\"STRESS\",\"name\":\"points\",\"program_type\":\"loyalty\",\"trigger\":\"auto\","
	"\"sequence\":1,\"stacking\":\"combine\",\"point_validity_days\":30,"
	"\"rules\":[{\"minimum_qty\":0,\"minimum_amount\":\"0\",\"product_ids\":[],"
	"\"reward_point_mode\":\"money\",\"reward_point_amount\":\"0.01\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"1\",\"discount_mode\":\"per_point\","
	"\"discount_applicability\":\"order\",\"discount_product_ids\":[],"
	"\"discount_max_amount\":\"0\"}]}]";

void stress_programs(void)
{
	json_t *j = json_loads(PROGRAMS, 0, NULL);
	struct aba_err err;

	if (!j || aba_program_set_parse(j, &cfg.programs, &err))
		stress_die("programs", j ? err.msg : "bad JSON");
	json_decref(j);
}

static int pick_card(unsigned *seed)
{
	/* hot spots: 30% of operations hit 1% of the cards */
	int hot = cfg.cards / 100 ? cfg.cards / 100 : 1;

	return rand_r(seed) % 10 < 3 ? rand_r(seed) % hot : rand_r(seed) % cfg.cards;
}

static void fail(struct worker *w, const struct op *op, const char *what, const char *msg)
{
	w->failed++;
	snprintf(w->error, sizeof(w->error), "%s %s: %s", what, op->key, msg);
}

static json_t *order_json(const struct op *op)
{
	char code[16], at[ABA_TIME_BUFSZ], price[ABA_AMOUNT_BUFSZ], spend[ABA_AMOUNT_BUFSZ];

	stress_code(op->card, code);
	aba_time_format(op->at, at);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:[{s:s, s:i, s:s}]}", "ref", op->key,
			 "card", code, "at", at, "pos", "STRESS", "offline", op->at % 2,
			 "points_to_spend", aba_amount_format(op->points, spend), "lines",
			 "product", "SKU-1", "qty", op->qty, "unit_price",
			 aba_amount_format(op->price, price));
}

/* What a posting answered, whatever its kind. */
struct answer {
	int64_t posting;
	int replay;
	int64_t net, earned, redeemed;	/* orders */
};

static int post_order(struct aba_db *db, const struct op *op, struct answer *a,
		      struct aba_err *err)
{
	json_t *o = order_json(op);
	struct aba_order_result r;
	int rc = aba_order_post(db, cfg.programs, o, &r, err);

	json_decref(o);
	if (rc)
		return rc;
	a->posting = json_integer_value(json_object_get(r.result, "posting"));
	a->replay = r.replay;
	a->net = r.total_net;
	a->earned = r.points_earned;
	a->redeemed = r.points_redeemed;
	aba_order_result_clear(&r);
	return 0;
}

static int post_once(struct aba_db *db, const struct op *op, struct answer *a,
		     struct aba_err *err)
{
	char code[16], at[ABA_TIME_BUFSZ];
	struct aba_posting p;
	int rc;

	stress_code(op->card, code);
	aba_time_format(op->at, at);
	if (op->kind == OP_ORDER)
		return post_order(db, op, a, err);
	if (op->kind == OP_EARN) {
		struct aba_earn e = { code, op->points, op->key, "stress", at, op->days };
		rc = aba_ledger_earn(db, &e, &p, err);
	} else if (op->kind == OP_REDEEM) {
		struct aba_redeem r = { code, op->points, op->key, "stress", at };
		rc = aba_ledger_redeem(db, &r, &p, err);
	} else {
		struct aba_refund r = { op->order, op->amount, op->key, at };
		rc = aba_ledger_refund(db, &r, &p, err);
	}
	if (rc == 0) {
		a->posting = p.id;
		a->replay = p.replay;
		aba_posting_clear(&p);
	}
	return rc;
}

/* Sends op; the engine reconnects and retries by itself, and this sends
 * it again (it is idempotent) while the outcome is still unknown. */
static int send_op(const struct worker *w, const struct op *op, struct answer *a,
		   struct aba_err *err)
{
	int rc = -1;

	memset(a, 0, sizeof(*a));
	for (int attempt = 0; attempt < 5; attempt++) {
		rc = post_once(w->db, op, a, err);
		if (rc == 0 || err->code != ABA_CONNECTION)
			return rc;
		sleep(1);
	}
	return rc;
}

/* Files the answer to a new operation. */
static void settle(struct worker *w, struct op *op, int rc, const struct answer *a,
		   const struct aba_err *err)
{
	if (rc == 0) {
		op->state = OP_ACKED;
		op->posting = a->posting;
		w->by_kind[op->kind]++;
	} else if (err->code == ABA_INSUFFICIENT) {
		op->state = OP_REFUSED;
		w->refused++;
	} else if (err->code == ABA_CONNECTION) {
		op->state = OP_UNKNOWN;
		w->unknown++;
	} else {
		op->state = OP_REFUSED;
		fail(w, op, "post", err->msg);
	}
}

static void new_order(struct worker *w, struct op *op)
{
	int64_t base;

	op->kind = OP_ORDER;
	op->at = (int64_t)time(NULL) - rand_r(&w->seed) % (40 * 86400);
	op->qty = 1 + rand_r(&w->seed) % 3;
	op->price = 100000 + rand_r(&w->seed) % 4900001;	/* 1,000.00 to 50,000.00 */
	base = op->qty * op->price;
	op->points = rand_r(&w->seed) % 10 < 3 ? 1 + rand_r(&w->seed) % 2000 : 0;
	op->net = base - op->points;
	op->earned = op->net / 100;
}

/* A refund of one of this worker's acknowledged orders with money left to
 * refund: the whole rest, or part of it.  0 when there is none. */
static int new_refund(struct worker *w, struct op *op)
{
	for (int tries = 0; tries < 8 && w->nops > 1; tries++) {
		struct op *o = &w->ops[rand_r(&w->seed) % (w->nops - 1)];
		int64_t left = o->net - o->refunded;

		if (o->kind != OP_ORDER || o->state != OP_ACKED || o->dead || left <= 0)
			continue;
		op->kind = OP_REFUND;
		op->card = o->card;
		op->at = (int64_t)time(NULL);
		snprintf(op->order, sizeof(op->order), "%s", o->key);
		op->order_at = (int)(o - w->ops);
		op->amount = left > 1 && rand_r(&w->seed) % 2 ? 1 + rand_r(&w->seed) % (left - 1) : -1;
		return 1;
	}
	return 0;
}

static void new_posting(struct worker *w, struct op *op, int dice)
{
	struct answer a;
	struct aba_err err;
	int rc;

	if (dice < 45 || (dice < 55 && !new_refund(w, op))) {
		int earn = dice < 25;

		op->kind = earn ? OP_EARN : OP_REDEEM;
		op->points = 1 + rand_r(&w->seed) % (earn ? 5000 : 8000);
		op->at = (int64_t)time(NULL) - (earn ? rand_r(&w->seed) % (60 * 86400) : 0);
		op->days = earn && rand_r(&w->seed) % 3 ? 1 + rand_r(&w->seed) % 90 : 0;
	} else if (dice >= 55) {
		new_order(w, op);
	}
	rc = send_op(w, op, &a, &err);
	settle(w, op, rc, &a, &err);
	if (rc == 0 && op->kind == OP_ORDER &&
	    (a.net != op->net || a.earned != op->earned || a.redeemed != op->points))
		fail(w, op, "order", "net, points earned or redeemed differ from the client's figures");
	if (op->kind == OP_REFUND) {
		struct op *o = &w->ops[op->order_at];

		if (rc == 0)
			o->refunded += op->amount < 0 ? o->net - o->refunded : op->amount;
		else if (op->state == OP_UNKNOWN)
			o->dead = 1;
	}
}

/* The id of the request whose note is `note`, 0 when there is none, or -1
 * when that cannot be read now. */
static int64_t lookup(struct worker *w, const char *sql, const char *param)
{
	const char *params[1] = { param };
	PGresult *res = NULL;
	struct aba_err err;
	int64_t id;

	if (aba_db_call_repeatable(w->db, sql, 1, params, PGRES_TUPLES_OK, &res, &err))
		return -1;
	id = PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return id;
}

/* Asks for the adjustment; after a lost connection it does what the
 * message says: checks whether the request was made (by its note, the
 * operation's key) before asking again.  0 and *id, or -1 and err. */
static int request(struct worker *w, struct op *op, int64_t *id, struct aba_err *err)
{
	static const char SQL_BY_NOTE[] = "SELECT id FROM aba.approval_requests WHERE note = $1";
	struct aba_approval req;
	char code[16];

	stress_code(op->card, code);
	for (int attempt = 0; attempt < 5; attempt++) {
		if (aba_adjust_request(w->maker, code, op->points, "GOODWILL", op->key, &req, err) == 0) {
			*id = req.id;
			return 0;
		}
		if (err->code != ABA_CONNECTION)
			return -1;
		sleep(1);
		if ((*id = lookup(w, SQL_BY_NOTE, op->key)) > 0)
			return 0;
	}
	return -1;
}

/* Approves it, as another role; after a lost connection (or "already
 * approved" from a retry), the request's state says whether it went
 * through.  0, or -1 and err. */
static int approve(struct worker *w, int64_t id, struct aba_err *err)
{
	static const char SQL_APPROVED[] =
		"SELECT 1 FROM aba.approval_requests WHERE id = $1::bigint AND state = 'approved'";
	struct aba_approval done;
	char idtext[24];

	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	for (int attempt = 0; attempt < 5; attempt++) {
		if (aba_approval_approve(w->checker, id, NULL, &done, err) == 0)
			return 0;
		if (err->code != ABA_CONNECTION && err->code != ABA_CONFLICT)
			return -1;
		if (err->code == ABA_CONNECTION)
			sleep(1);
		if (lookup(w, SQL_APPROVED, idtext) > 0)
			return 0;
		if (err->code == ABA_CONFLICT)
			return -1;
	}
	return -1;
}

/* A clerk asks for +/- points, an approver (another role) approves. */
static void new_adjustment(struct worker *w, struct op *op)
{
	struct answer none = { 0 };
	struct aba_err err;
	int64_t id;

	op->kind = OP_ADJUST;
	op->points = (rand_r(&w->seed) % 2 ? 1 : -1) * (1 + rand_r(&w->seed) % 3000);
	if (request(w, op, &id, &err)) {
		settle(w, op, -1, &none, &err);
		return;
	}
	snprintf(op->key, sizeof(op->key), "approval:%lld", (long long)id);
	if (approve(w, id, &err) == 0) {
		op->state = OP_ACKED;
		w->by_kind[OP_ADJUST]++;
	} else {
		settle(w, op, -1, &none, &err);
	}
}

static void new_op(struct worker *w, int i, int dice)
{
	struct op *op = &w->ops[w->nops++];

	memset(op, 0, sizeof(*op));
	snprintf(op->key, sizeof(op->key), "w%d-%d", w->id, i);
	op->card = pick_card(&w->seed);
	if (dice < 90)
		new_posting(w, op, dice);
	else
		new_adjustment(w, op);
}

/* A POS that did not hear the answer sends the same posting again: it
 * must get the first result back and change nothing.  Approving an
 * approved request again is refused. */
static void replay_op(struct worker *w)
{
	struct op *op = &w->ops[rand_r(&w->seed) % w->nops];
	struct aba_approval done;
	struct answer a;
	struct aba_err err;

	if (op->state != OP_ACKED)
		return;
	w->replays++;
	if (op->kind == OP_ADJUST) {
		if (aba_approval_approve(w->checker, atoll(op->key + 9), NULL, &done, &err) == 0)
			fail(w, op, "approve again", "approved twice");
		else if (err.code != ABA_CONFLICT && err.code != ABA_CONNECTION)
			fail(w, op, "approve again", err.msg);
		return;
	}
	if (send_op(w, op, &a, &err)) {
		if (err.code == ABA_CONNECTION)
			w->unknown++;
		else
			fail(w, op, "replay", err.msg);
	} else if (!a.replay || a.posting != op->posting) {
		fail(w, op, "replay", "posted again");
	}
}

static void expire_run(struct worker *w)
{
	char asof[ABA_TIME_BUFSZ];
	struct aba_expire_totals t;
	struct aba_err err;

	aba_time_format((int64_t)time(NULL) - 2, asof);
	if (aba_ledger_expire(w->db, asof, NULL, NULL, &t, &err) == 0) {
		w->expires++;
	} else if (err.code != ABA_CONNECTION) {
		w->failed++;
		snprintf(w->error, sizeof(w->error), "expire: %s", err.msg);
	}
}

/* Of 100 operations: 8 replays, 2 expiry runs, and of the other 90 about
 * 25 earns, 20 redemptions, 10 refunds, 35 orders; then 10 adjustments. */
void *stress_run_worker(void *arg)
{
	struct worker *w = arg;

	w->db = stress_connect(NULL);
	w->maker = stress_connect("stress_maker");
	w->checker = stress_connect("stress_checker");
	w->ops = calloc((size_t)cfg.ops, sizeof(*w->ops));
	for (int i = 0; i < cfg.ops; i++) {
		int dice = rand_r(&w->seed) % 100;

		if (dice < 8 && w->nops > 0)
			replay_op(w);
		else if (dice < 10)
			expire_run(w);
		else
			new_op(w, i, rand_r(&w->seed) % 100);
		cfg.ops_done++;	/* atomic: the killer's clock */
		if (w->id == 0 && i && i % 10000 == 0)
			fprintf(stderr, "stress: worker 0 at %d of %d operations\n", i, cfg.ops);
	}
	w->retries = w->db->retries + w->maker->retries + w->checker->retries;
	w->reconnects = w->db->reconnects + w->maker->reconnects + w->checker->reconnects;
	aba_db_free(w->db);
	aba_db_free(w->maker);
	aba_db_free(w->checker);
	return NULL;
}
