/* checker.c - after the run: the ledger-wide invariants, then the history
 * checker, which replays the postings in commit order through the
 * independent model (model.c), matching each against what the clients
 * were told, and compares every lot and every balance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_time.h"
#include "stress.h"

#define US 1000000LL

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct op *)a)->key, ((const struct op *)b)->key);
}

struct checker {
	struct op *ops;
	long nops;
	struct model_card *cards;
	long mismatches;
	long lost;		/* acknowledged but not in the ledger, or twice */
	long strangers;		/* in the ledger but never sent, or refused */
	long by_kind[5];	/* postings replayed by kind */
};

static void mismatch(struct checker *ck, const char *fmt, const char *a, const char *b)
{
	if (ck->mismatches++ < 10) {
		fprintf(stderr, "history checker: ");
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

static struct op *find(struct checker *ck, const char *key)
{
	struct op probe;

	snprintf(probe.key, sizeof(probe.key), "%s", key);
	return bsearch(&probe, ck->ops, (size_t)ck->nops, sizeof(probe), by_key);
}

/* Redeem, then earn, at the order's time, as sql/022 posts an order. */
static void replay_order(struct checker *ck, struct model_card *c, struct op *op)
{
	int64_t at = op->at * US;

	if (op->points && model_redeem(c, op->points, at, &op->uses, &op->nuses))
		mismatch(ck, "order %s spent points the model did not have%s", op->key, "");
	if (op->earned)
		model_earn(c, op->key, op->earned, at, STRESS_ORDER_VALIDITY);
}

/* round(x * part / whole), half away from zero, for x, part >= 0. */
static int64_t share(int64_t x, int64_t part, int64_t whole)
{
	return (2 * x * part + whole) / (2 * whole);
}

/* DESIGN.md's refund: earned points reversed in proportion to the money
 * refunded so far (the order's own lot first, then FEFO, no further than
 * what is there), redeemed points given back to the lots they came from. */
static void replay_refund(struct checker *ck, struct model_card *c, const struct op *op)
{
	struct op *o = find(ck, op->order);
	int64_t amount, refunded, due_rev, due_res, reexpired, avail, reverse;

	if (!o) {
		mismatch(ck, "refund %s of an order %s never sent", op->key, op->order);
		return;
	}
	amount = op->amount < 0 ? o->net - o->ck_refunded : op->amount;
	refunded = o->ck_refunded + amount;
	due_rev = refunded == o->net ? o->earned : share(o->earned, refunded, o->net);
	due_res = refunded == o->net ? o->points : share(o->points, refunded, o->net);
	if (due_res > o->ck_restored &&
	    model_restore(c, o->uses, o->nuses, due_res - o->ck_restored, op->at * US, &reexpired) !=
		    due_res - o->ck_restored)
		mismatch(ck, "refund %s: the model could not give back what %s redeemed", op->key,
			 o->key);
	reverse = due_rev - o->ck_reversed;
	avail = model_available(c, op->at * US);
	if (reverse > 0)
		model_take(c, reverse < avail ? reverse : avail, op->at * US, o->key);
	o->ck_refunded = refunded;
	o->ck_reversed = due_rev;
	o->ck_restored = due_res;
}

static void replay_one(struct checker *ck, struct model_card *c, struct op *op, int64_t at_us)
{
	ck->by_kind[op->kind]++;
	switch (op->kind) {
	case OP_EARN:
		model_earn(c, op->key, op->points, op->at * US, op->days);
		break;
	case OP_REDEEM:
		if (model_redeem(c, op->points, op->at * US, NULL, NULL))
			mismatch(ck, "redeem %s was posted but the model had too few points%s",
				 op->key, "");
		break;
	case OP_ORDER:
		replay_order(ck, c, op);
		break;
	case OP_REFUND:
		replay_refund(ck, c, op);
		break;
	case OP_ADJUST:
		if (op->points > 0)
			model_earn(c, op->key, op->points, at_us, STRESS_ADJUST_VALIDITY);
		else if (model_redeem(c, -op->points, at_us, NULL, NULL))
			mismatch(ck, "adjustment %s was posted but the model had too few points%s",
				 op->key, "");
		break;
	}
}

/* Per card, posting id order is commit order: each posting holds the
 * card's lock from before its id is drawn until it commits.  The server
 * dates adjustments (approval time) and expiry runs (as_of). */
static void replay_postings(struct checker *ck, struct aba_db *db)
{
	PGresult *res = PQexec(db->conn,
		"SELECT p.key, p.kind, substr(c.code, 2)::int, p.result->>'as_of',"
		"       CASE WHEN p.kind = 'adjust' THEN (SELECT (extract(epoch FROM min(h.at))"
		"            * 1000000)::bigint FROM aba.point_history h WHERE h.posting_id = p.id) END"
		"  FROM aba.postings p JOIN aba.cards c ON c.id = p.card_id"
		" WHERE p.key NOT LIKE 'ck-%' ORDER BY p.id");
	struct aba_err err;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		stress_die("read postings", err.msg);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *key = PQgetvalue(res, i, 0), *kind = PQgetvalue(res, i, 1);
		struct model_card *c = &ck->cards[atoi(PQgetvalue(res, i, 2))];
		struct op *op;
		int64_t as_of;

		if (strcmp(kind, "expire") == 0) {
			if (aba_time_parse(PQgetvalue(res, i, 3), "as_of", &as_of, &err))
				stress_die("as_of", err.msg);
			model_expire(c, as_of * US);
			continue;
		}
		op = find(ck, key);
		if (!op || op->state == OP_REFUSED) {
			ck->strangers++;
			mismatch(ck, "posting %s (%s) was never acknowledged", key, kind);
			continue;
		}
		op->seen++;
		replay_one(ck, c, op, atoll(PQgetvalue(res, i, 4)));
	}
	PQclear(res);
}

/* Every lot and every balance must be what the model says. */
static void compare_state(struct checker *ck, struct aba_db *db)
{
	PGresult *res = PQexec(db->conn,
		"SELECT substr(c.code, 2)::int, p.key, l.remaining, l.state = 'expired'"
		"  FROM aba.point_moves l JOIN aba.postings p ON p.id = l.posting_id"
		"  JOIN aba.cards c ON c.id = l.card_id WHERE p.key NOT LIKE 'ck-%'");
	struct aba_err err;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		stress_die("read lots", err.msg);
	for (int i = 0; i < PQntuples(res); i++) {
		const struct model_lot *l = model_find_lot(&ck->cards[atoi(PQgetvalue(res, i, 0))],
							   PQgetvalue(res, i, 1));

		if (!l || l->remaining != atoll(PQgetvalue(res, i, 2)) ||
		    l->expired != (PQgetvalue(res, i, 3)[0] == 't'))
			mismatch(ck, "lot of %s: ledger has %s remaining", PQgetvalue(res, i, 1),
				 PQgetvalue(res, i, 2));
	}
	PQclear(res);
	res = PQexec(db->conn, "SELECT substr(code, 2)::int, balance - coalesce((SELECT sum(delta)"
			       " FROM aba.point_history h JOIN aba.postings p ON p.id = h.posting_id"
			       " WHERE h.card_id = c.id AND p.key LIKE 'ck-%'), 0) FROM aba.cards c");
	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		stress_die("read balances", err.msg);
	for (int i = 0; i < PQntuples(res); i++)
		if (ck->cards[atoi(PQgetvalue(res, i, 0))].balance != atoll(PQgetvalue(res, i, 1)))
			mismatch(ck, "card %s: balance %s differs from the model", PQgetvalue(res, i, 0),
				 PQgetvalue(res, i, 1));
	PQclear(res);
}

long stress_check_history(struct worker *w)
{
	struct checker ck = { 0 };
	struct aba_db *db = stress_connect(NULL);

	for (int i = 0; i < cfg.connections; i++)
		ck.nops += w[i].nops;
	ck.ops = calloc((size_t)ck.nops, sizeof(*ck.ops));
	ck.cards = calloc((size_t)cfg.cards, sizeof(*ck.cards));
	ck.nops = 0;
	for (int i = 0; i < cfg.connections; i++)
		for (int j = 0; j < w[i].nops; j++)
			ck.ops[ck.nops++] = w[i].ops[j];
	qsort(ck.ops, (size_t)ck.nops, sizeof(*ck.ops), by_key);
	replay_postings(&ck, db);
	compare_state(&ck, db);
	for (long i = 0; i < ck.nops; i++) {
		if ((ck.ops[i].state == OP_ACKED && ck.ops[i].seen != 1) || ck.ops[i].seen > 1) {
			ck.lost++;
			mismatch(&ck, "acknowledged %s is in the ledger %s times", ck.ops[i].key,
				 ck.ops[i].seen ? "several" : "zero");
		}
		free(ck.ops[i].uses);
	}
	printf("history checker: %ld operations, postings replayed: %ld earn, %ld redeem, %ld order,"
	       " %ld refund, %ld adjust\n", ck.nops, ck.by_kind[OP_EARN], ck.by_kind[OP_REDEEM],
	       ck.by_kind[OP_ORDER], ck.by_kind[OP_REFUND], ck.by_kind[OP_ADJUST]);
	printf("history checker: %ld acknowledged lost or doubled, %ld never acknowledged,"
	       " %ld mismatches\n", ck.lost, ck.strangers, ck.mismatches);
	for (int i = 0; i < cfg.cards; i++)
		model_free(&ck.cards[i]);
	free(ck.cards);
	free(ck.ops);
	aba_db_free(db);
	return ck.mismatches;
}

static long scalar(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	struct aba_err err;
	long v;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		stress_die(sql, err.msg);
	v = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* Each: a query counting what breaks an invariant, and its name. */
static const char *const ledger_checks[][2] = {
	{ "SELECT ((SELECT coalesce(sum(delta), 0) FROM aba.point_history) <>"
	  " (SELECT coalesce(sum(balance), 0) FROM aba.cards))::int", "sum of deltas = sum of balances" },
	{ "SELECT count(*) FROM aba.point_moves WHERE remaining < 0 OR remaining > initial",
	  "no lot below 0 or above its initial points" },
	{ "SELECT count(*) FROM aba.cards WHERE balance < 0", "no balance below 0" },
	{ "SELECT count(*) FROM aba.postings WHERE result = '{}'", "no half-written posting" },
	{ "SELECT count(*) FROM aba.postings p WHERE NOT EXISTS"
	  " (SELECT 1 FROM aba.outbox o WHERE o.posting_id = p.id)", "an outbox event per posting" },
	{ "SELECT count(*) - count(DISTINCT key) FROM aba.postings", "each key posted once" },
	{ "SELECT count(*) FROM aba.orders o JOIN aba.postings p ON p.id = o.posting_id"
	  " WHERE p.key <> o.ref", "each order posted once, under its ref" },
	{ "SELECT count(*) FROM aba.orders WHERE refunded_amount > total_net"
	  " OR points_reversed > points_earned OR points_restored > points_redeemed",
	  "no order refunded beyond what it was" },
	{ "SELECT count(*) FROM aba.approval_requests r WHERE (state = 'approved')"
	  " <> EXISTS (SELECT 1 FROM aba.postings p WHERE p.key = 'approval:' || r.id)",
	  "an adjustment posted exactly when approved" },
};

long stress_check_ledger(void)
{
	struct aba_db *db = stress_connect(NULL);
	struct aba_err err;
	long problems = 0, broken = 0;

	if (aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err))
		stress_die("verify", err.msg);
	printf("aba verify: %ld problems\n", problems);
	broken += problems > 0;
	for (size_t i = 0; i < sizeof(ledger_checks) / sizeof(ledger_checks[0]); i++) {
		long n = scalar(db, ledger_checks[i][0]);

		printf("%s: %s\n", ledger_checks[i][1], n ? "NO" : "yes");
		broken += n != 0;
	}
	if (scalar(db, "SELECT count(*) FROM aba.postings WHERE key LIKE 'ck-%'") != cfg.client_kills) {
		printf("each killed client's posting there once: NO\n");
		broken++;
	}
	aba_db_free(db);
	return broken;
}
