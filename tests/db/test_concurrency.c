/* test_concurrency.c - 8 connections x 500 random earn/redeem/expire (and
 * replays) on 20 cards with hot spots, at the same time.  Afterwards every
 * invariant holds, the deltas of all history sum to the sum of balances,
 * the balances equal what the clients were told, and every key posted
 * exactly once. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_report.h"
#include "testdb.h"

#define DBNAME "t_concurrency"
#define THREADS 8
#define OPS 500
#define CARDS 20

struct worker {
	int id;
	unsigned seed;
	int64_t earned[CARDS];		/* acknowledged, first postings only */
	int64_t redeemed[CARDS];
	long postings;			/* acknowledged first postings */
	long replays;			/* replays answered as replays */
	long refused;			/* insufficient points: expected, harmless */
	long failed;			/* anything else: must stay 0 */
	int retries;
	char error[300];
};

static void card_code(int i, char *buf)
{
	snprintf(buf, 16, "CC%02d", i);
}

/* Hot spots: half of all operations hit cards 0-2. */
static int pick_card(unsigned *seed)
{
	return rand_r(seed) % 2 ? rand_r(seed) % 3 : rand_r(seed) % CARDS;
}

static void do_earn(struct worker *w, struct aba_db *db, int op)
{
	char code[16], key[64], at[32];
	int c = pick_card(&w->seed), days_ago = rand_r(&w->seed) % 60;
	struct aba_earn e = { code, 1 + rand_r(&w->seed) % 5000, key, "stress", at,
			      rand_r(&w->seed) % 3 ? 1 + rand_r(&w->seed) % 90 : 0 };
	struct aba_posting p;
	struct aba_err err;

	card_code(c, code);
	snprintf(key, sizeof(key), "w%d-op%d", w->id, op);
	snprintf(at, sizeof(at), "2026-09-%02dT12:00:00Z", 1 + days_ago % 28);
	if (aba_ledger_earn(db, &e, &p, &err)) {
		w->failed++;
		snprintf(w->error, sizeof(w->error), "earn: %s", err.msg);
		return;
	}
	w->earned[c] += e.points;
	w->postings++;
	aba_posting_clear(&p);
	/* Now and then the POS retries: the same key again must be a replay. */
	if (rand_r(&w->seed) % 10 == 0) {
		if (aba_ledger_earn(db, &e, &p, &err) || !p.replay) {
			w->failed++;
			snprintf(w->error, sizeof(w->error), "replay was not a replay");
		} else {
			w->replays++;
		}
		aba_posting_clear(&p);
	}
}

static void do_redeem(struct worker *w, struct aba_db *db, int op)
{
	char code[16], key[64];
	int c = pick_card(&w->seed);
	struct aba_redeem r = { code, 1 + rand_r(&w->seed) % 8000, key, "stress", NULL };
	struct aba_posting p;
	struct aba_err err;

	card_code(c, code);
	snprintf(key, sizeof(key), "w%d-op%d", w->id, op);
	if (aba_ledger_redeem(db, &r, &p, &err)) {
		if (err.code == ABA_INSUFFICIENT) {
			w->refused++;
		} else {
			w->failed++;
			snprintf(w->error, sizeof(w->error), "redeem: %s", err.msg);
		}
		return;
	}
	w->redeemed[c] += r.points;
	w->postings++;
	aba_posting_clear(&p);
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct aba_db *db = testdb_connect(DBNAME, NULL, NULL);
	struct aba_expire_totals t;
	struct aba_err err;

	for (int op = 0; op < OPS; op++) {
		int dice = rand_r(&w->seed) % 100;

		if (dice < 50) {
			do_earn(w, db, op);
		} else if (dice < 95) {
			do_redeem(w, db, op);
		} else if (aba_ledger_expire(db, NULL, NULL, NULL, &t, &err)) {
			w->failed++;
			snprintf(w->error, sizeof(w->error), "expire: %s", err.msg);
		}
	}
	w->retries = db->retries;
	aba_db_free(db);
	return NULL;
}

/* Full checks and consistency reports while the workers post: each pass
 * reads one snapshot, so it must find nothing, and the cut it keeps
 * (under a lock every posting also takes) must never fail or deadlock. */
struct verifier {
	atomic_int stop;
	long passes;
	char error[300];
};

static void *run_verifier(void *arg)
{
	struct verifier *v = arg;
	struct aba_db *db = testdb_connect(DBNAME, NULL, NULL);
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	long problems;

	while (!atomic_load(&v->stop) && !v->error[0]) {
		if (aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err))
			snprintf(v->error, sizeof(v->error), "verify: %s", err.msg);
		else if (problems)
			snprintf(v->error, sizeof(v->error), "verify found %ld problems", problems);
		else if (aba_report_run(db, "consistency", &p, &r, &err))
			snprintf(v->error, sizeof(v->error), "report: %s", err.msg);
		else {
			if (r.nrows)
				snprintf(v->error, sizeof(v->error), "report: %d rows", r.nrows);
			aba_report_clear(&r);
			v->passes++;
		}
	}
	aba_db_free(db);
	return NULL;
}

START_TEST(random_postings_keep_every_invariant)
{
	static struct worker w[THREADS];
	static struct verifier v;
	pthread_t th[THREADS], vt;
	struct aba_db *db = testdb_create(DBNAME);
	int64_t told[CARDS] = { 0 };
	long postings = 0, replays = 0, refused = 0, retries = 0, problems = -1;
	char code[16], sql[256];
	struct aba_err err;

	for (int i = 0; i < CARDS; i++) {
		struct aba_card_new c = { code, "Dewi Lestari", NULL, NULL };

		card_code(i, code);
		ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
	}
	for (int i = 0; i < THREADS; i++) {
		w[i].id = i;
		w[i].seed = 1234u + (unsigned)i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
	}
	ck_assert_int_eq(pthread_create(&vt, NULL, run_verifier, &v), 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(w[i].failed == 0, "worker %d: %ld failures, last: %s", i, w[i].failed,
			      w[i].error);
		postings += w[i].postings;
		replays += w[i].replays;
		refused += w[i].refused;
		retries += w[i].retries;
		for (int c = 0; c < CARDS; c++)
			told[c] += w[i].earned[c] - w[i].redeemed[c];
	}
	atomic_store(&v.stop, 1);
	pthread_join(vt, NULL);
	ck_assert_msg(!v.error[0], "while posting: %s", v.error);
	ck_assert_int_gt(v.passes, 0);
	printf("concurrency: %ld postings, %ld replays, %ld refused for lack of points, "
	       "%ld retries; %ld full checks and reports meanwhile\n", postings, replays, refused,
	       retries, v.passes);

	ck_assert_int_eq(aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err), 0);
	ck_assert_int_eq(problems, 0);
	ck_assert_int_eq(testdb_value(db, "SELECT sum(delta) FROM aba.point_history"),
			 testdb_value(db, "SELECT sum(balance) FROM aba.cards"));
	/* Each acknowledged earn/redeem is one posting; expiries add their own. */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.postings WHERE kind <> 'expire'"),
			 postings);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.outbox"),
			 testdb_value(db, "SELECT count(*) FROM aba.postings"));
	/* Balance = what clients were told earned - redeemed, less what expired. */
	for (int c = 0; c < CARDS; c++) {
		card_code(c, code);
		snprintf(sql, sizeof(sql), "SELECT c.balance - coalesce((SELECT sum(delta) FROM"
			 " aba.point_history h WHERE h.card_id = c.id AND kind = 'expire'), 0)"
			 " FROM aba.cards c WHERE code = '%s'", code);
		ck_assert_int_eq(testdb_value(db, sql), told[c]);
	}
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.point_moves WHERE remaining < 0"
				      " OR remaining > initial"), 0);
	ck_assert_int_gt(replays, 0);
	ck_assert_int_gt(refused, 0);
	aba_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("concurrency");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, random_postings_keep_every_invariant);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
