/* test_order.c - order posting on a real PostgreSQL: the level valid at the
 * order's time (defect 3), replays 1-5 times and concurrently post once
 * (defect 6), same ref other content is refused, refunds full and partial
 * with spent points and expired lots, bad input changes nothing. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_order"
#define DAY 86400

static struct aba_db *db;
static struct aba_program_set *programs;

/* Points: 0.01 per 1.00 of net spend (x level multiplier); 1 point pays
 * 1.00 (per_point), valid 365 days; 10% off orders from 1,000.00. */
static const char PROGRAMS[] =
	"[{\"id\":\"LOY\",\"name\":\"points\",\"program_type\":\"loyalty\",\"trigger\":\"auto\","
	"\"sequence\":1,\"stacking\":\"combine\",\"point_validity_days\":365,"
	"\"rules\":[{\"minimum_qty\":0,\"minimum_amount\":\"0\",\"product_ids\":[],"
	"\"reward_point_mode\":\"money\",\"reward_point_amount\":\"0.01\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"1\",\"discount_mode\":\"per_point\","
	"\"discount_applicability\":\"order\",\"discount_product_ids\":[],\"discount_max_amount\":\"0\"}]},"
	"{\"id\":\"P10\",\"name\":\"10% from 1000\",\"program_type\":\"promotion\",\"trigger\":\"auto\","
	"\"sequence\":10,\"stacking\":\"combine\",\"point_validity_days\":365,"
	"\"rules\":[{\"minimum_qty\":0,\"minimum_amount\":\"1000.00\",\"product_ids\":[]}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"10\",\"discount_mode\":\"percent\","
	"\"discount_applicability\":\"order\",\"discount_product_ids\":[],\"discount_max_amount\":\"0\"}]}]";

static const char *ago(long seconds, char *buf)
{
	return aba_time_format((int64_t)time(NULL) - seconds, buf);
}

static void level(const char *code, int seq, int64_t mult, int64_t threshold)
{
	struct aba_level l = { .sequence = seq, .multiplier = mult, .has_path = 1,
			       .threshold = threshold, .window_days = 365, .upgradable = 1,
			       .downgradable = 1 };
	struct aba_err err;

	snprintf(l.code, sizeof(l.code), "%s", code);
	snprintf(l.name, sizeof(l.name), "%s", code);
	ck_assert_msg(aba_member_level_set(db, &l, &err) == 0, "%s", err.msg);
}

static void create_db(void)
{
	json_t *j = json_loads(PROGRAMS, 0, NULL);
	struct aba_err err;

	ck_assert_msg(aba_program_set_parse(j, &programs, &err) == 0, "%s", err.msg);
	json_decref(j);
	db = testdb_create(DBNAME);
	/* SILVER from 0, GOLD (x2) from 1,000.00 in 365 days */
	level("SILVER", 10, 10000, 0);
	level("GOLD", 20, 20000, 100000);
	aba_db_free(db);
	db = NULL;
}

static void connect_db(void)
{
	db = testdb_connect(DBNAME, NULL, NULL);
}

static void disconnect_db(void)
{
	aba_db_free(db);
	db = NULL;
}

static void card(const char *code)
{
	struct aba_card_new c = { code, "Agus Wijaya", NULL, NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
}

/* An order of qty units at price (hundredths), spending pts points. */
static json_t *order_json(const char *ref, const char *code, const char *at, int qty,
			  long long price, long long pts)
{
	char p[32], s[32];

	snprintf(p, sizeof(p), "%lld.%02lld", price / 100, price % 100);
	snprintf(s, sizeof(s), "%lld.%02lld", pts / 100, pts % 100);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:[{s:s, s:i, s:s}]}", "ref", ref,
			 "card", code, "at", at, "pos", "POS1", "offline", 1, "points_to_spend", s,
			 "lines", "product", "SKU-1", "qty", qty, "unit_price", p);
}

static int post(struct aba_db *conn, json_t *order, struct aba_order_result *r,
		struct aba_err *err)
{
	int rc = aba_order_post(conn, programs, order, r, err);

	json_decref(order);
	return rc;
}

static struct aba_order_result post_ok(json_t *order)
{
	struct aba_order_result r;
	struct aba_err err;

	ck_assert_msg(post(db, order, &r, &err) == 0, "%s", err.msg);
	return r;
}

static long long q(const char *fmt, const char *arg)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, arg);
	return testdb_value(db, sql);
}

static long long balance(const char *code)
{
	return q("SELECT balance FROM aba.cards WHERE code = '%s'", code);
}

static long problems(void)
{
	struct aba_err err;
	long n = -1;

	ck_assert_msg(aba_ledger_verify(db, NULL, NULL, NULL, &n, &err) == 0, "%s", err.msg);
	return n;
}

START_TEST(order_before_upgrade_earns_at_old_level)
{
	char t[4][ABA_TIME_BUFSZ];
	struct aba_member_totals mt;
	struct aba_order_result r;
	struct aba_err err;

	card("L1");
	ck_assert_int_eq(aba_member_evaluate(db, ago(60 * DAY, t[0]), "L1", NULL, NULL, NULL, &mt,
					     &err), 0);
	/* 1,500.00 less 10% = 1,350.00 net at SILVER (x1): 13.50 points; it
	 * reaches GOLD's 1,000.00, so the card is GOLD from just after it. */
	r = post_ok(order_json("L1-A", "L1", ago(50 * DAY, t[1]), 1, 150000, 0));
	ck_assert_str_eq(r.level, "SILVER");
	ck_assert_int_eq(r.total_net, 135000);
	ck_assert_int_eq(r.points_earned, 1350);
	ck_assert_str_eq(r.upgraded_to, "GOLD");
	aba_order_result_clear(&r);
	/* 500.00 at GOLD (x2): 10.00 points */
	r = post_ok(order_json("L1-B", "L1", ago(40 * DAY, t[2]), 1, 50000, 0));
	ck_assert_str_eq(r.level, "GOLD");
	ck_assert_int_eq(r.points_earned, 1000);
	aba_order_result_clear(&r);
	/* an offline order from before the upgrade, posted now: SILVER, 5.00 */
	r = post_ok(order_json("L1-C", "L1", ago(55 * DAY, t[3]), 1, 50000, 0));
	ck_assert_str_eq(r.level, "SILVER");
	ck_assert_int_eq(r.points_earned, 500);
	ck_assert_int_eq(r.balance, 1350 + 1000 + 500);
	aba_order_result_clear(&r);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_moves WHERE origin = 'order' AND"
			   " level_code = 'SILVER' AND card_id = (SELECT id FROM aba.cards WHERE code = '%s')",
			   "L1"), 2);
	ck_assert_int_eq(problems(), 0);
}
END_TEST

START_TEST(replays_post_once)
{
	char at[ABA_TIME_BUFSZ];
	struct aba_order_result first, r;

	card("P1");
	ago(DAY, at);
	first = post_ok(order_json("P1-A", "P1", at, 3, 20000, 0));
	ck_assert_int_eq(first.replay, 0);
	/* 600.00 at no level (x1): 6.00 points */
	ck_assert_int_eq(first.points_earned, 600);
	for (int i = 0; i < 5; i++) {
		r = post_ok(order_json("P1-A", "P1", at, 3, 20000, 0));
		ck_assert_int_eq(r.replay, 1);
		ck_assert_int_eq(r.points_earned, 600);
		ck_assert_int_eq(r.balance, 600);
		ck_assert_int_eq(json_integer_value(json_object_get(r.result, "posting")),
				 json_integer_value(json_object_get(first.result, "posting")));
		aba_order_result_clear(&r);
	}
	aba_order_result_clear(&first);
	ck_assert_int_eq(balance("P1"), 600);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "P1-A"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s'", "P1-A"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.outbox o JOIN aba.postings p ON p.id = o.posting_id"
			   " WHERE p.key = '%s'", "P1-A"), 1);
}
END_TEST

#define RACERS 8

struct racer {
	pthread_t thread;
	int rc, replay;
	long long posting;
	char msg[256];
};

static pthread_barrier_t start_line;
static char race_at[ABA_TIME_BUFSZ];

static void *race(void *arg)
{
	struct racer *me = arg;
	struct aba_db *conn = testdb_connect(DBNAME, NULL, NULL);
	struct aba_order_result r;
	struct aba_err err;

	pthread_barrier_wait(&start_line);
	me->rc = post(conn, order_json("RACE-1", "Q1", race_at, 2, 10000, 0), &r, &err);
	if (me->rc == 0) {
		me->replay = r.replay;
		me->posting = json_integer_value(json_object_get(r.result, "posting"));
		aba_order_result_clear(&r);
	} else {
		snprintf(me->msg, sizeof(me->msg), "%s", err.msg);
	}
	aba_db_free(conn);
	return NULL;
}

START_TEST(concurrent_replays_post_once)
{
	struct racer racers[RACERS];
	int firsts = 0;

	card("Q1");
	ago(DAY, race_at);
	memset(racers, 0, sizeof(racers));
	pthread_barrier_init(&start_line, NULL, RACERS);
	for (int i = 0; i < RACERS; i++)
		pthread_create(&racers[i].thread, NULL, race, &racers[i]);
	for (int i = 0; i < RACERS; i++)
		pthread_join(racers[i].thread, NULL);
	pthread_barrier_destroy(&start_line);
	for (int i = 0; i < RACERS; i++) {
		ck_assert_msg(racers[i].rc == 0, "racer %d: %s", i, racers[i].msg);
		firsts += !racers[i].replay;
		ck_assert_int_eq(racers[i].posting, racers[0].posting);
	}
	ck_assert_int_eq(firsts, 1);
	ck_assert_int_eq(balance("Q1"), 200);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s'", "RACE-1"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history WHERE idempotency_key = '%s'",
			   "RACE-1"), 1);
}
END_TEST

START_TEST(same_ref_other_content_is_refused)
{
	char at[ABA_TIME_BUFSZ];
	struct aba_order_result r;
	struct aba_err err;

	card("X1");
	card("X2");
	ago(DAY, at);
	r = post_ok(order_json("X1-A", "X1", at, 1, 10000, 0));
	aba_order_result_clear(&r);
	ck_assert_int_eq(post(db, order_json("X1-A", "X1", at, 2, 10000, 0), &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_str_eq(err.msg, "idempotency key 'X1-A' was already used for a different order");
	ck_assert_int_eq(post(db, order_json("X1-A", "X2", at, 1, 10000, 0), &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(balance("X1"), 100);
	ck_assert_int_eq(balance("X2"), 0);
}
END_TEST

START_TEST(refunds_restore_reverse_and_report_shortfall)
{
	char t[3][ABA_TIME_BUFSZ];
	struct aba_order_result r;
	struct aba_posting p;
	struct aba_err err;
	struct aba_expire_totals et;

	card("R1");
	/* 100.00 points expiring in 10 days, earned 30 days ago */
	struct aba_earn e = { "R1", 10000, "r1-earn", "test", ago(30 * DAY, t[0]), 10 };
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), 0);
	aba_posting_clear(&p);
	/* 25 days ago: 200.00 paid partly with 50 points (50.00 off): net
	 * 150.00 earns 1.50 points; 20 days ago the rest of the lot expires. */
	r = post_ok(order_json("R1-A", "R1", ago(25 * DAY, t[1]), 2, 10000, 5000));
	ck_assert_int_eq(r.points_redeemed, 5000);
	ck_assert_int_eq(r.total_net, 15000);
	ck_assert_int_eq(r.points_earned, 150);
	aba_order_result_clear(&r);
	ck_assert_int_eq(aba_ledger_expire(db, NULL, NULL, NULL, &et, &err), 0);
	ck_assert_int_eq(balance("R1"), 150);
	/* the customer spends the earned 1.00 of 1.50 */
	struct aba_redeem rd = { "R1", 100, "r1-spend", "test", NULL };
	ck_assert_int_eq(aba_ledger_redeem(db, &rd, &p, &err), 0);
	aba_posting_clear(&p);
	/* partial: one of two units = 75.00 of 150.00: half the points */
	struct aba_order_refund half = { "R1-A", -1, NULL, "r1-ref1", NULL };
	json_t *lines = json_pack("[{s:s, s:i}]", "product", "SKU-1", "qty", 1);
	half.lines = lines;
	ck_assert_int_eq(aba_order_refund(db, &half, &p, &err), 0);
	json_decref(lines);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "amount")), 7500);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_restored")), 2500);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_reexpired")), 2500);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_reversed")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "shortfall")), 25);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	/* the rest: all restored points expire again, nothing left to reverse */
	struct aba_order_refund rest = { "R1-A", -1, NULL, "r1-ref2", NULL };
	ck_assert_int_eq(aba_order_refund(db, &rest, &p, &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_restored")), 2500);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_reexpired")), 2500);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "shortfall")), 75);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(aba_order_refund(db, &rest, &p, &err), 0);	/* replay */
	ck_assert_int_eq(p.replay, 1);
	aba_posting_clear(&p);
	struct aba_order_refund more = { "R1-A", 100, NULL, "r1-ref3", NULL };
	ck_assert_int_eq(aba_order_refund(db, &more, &p, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s' AND state = 'refunded'",
			   "R1-A"), 1);
	ck_assert_int_eq(problems(), 0);
}
END_TEST

START_TEST(full_refund_gives_back_what_it_took)
{
	char at[ABA_TIME_BUFSZ];
	struct aba_order_result r;
	struct aba_posting p;
	struct aba_err err;
	json_t *shown;

	card("F1");
	/* 2,000.00 less 10%: 1,800.00 net earns 18.00 */
	r = post_ok(order_json("F1-A", "F1", ago(2 * DAY, at), 4, 50000, 0));
	ck_assert_int_eq(r.total_discount, 20000);
	ck_assert_int_eq(r.points_earned, 1800);
	aba_order_result_clear(&r);
	struct aba_order_refund all = { "F1-A", -1, NULL, "f1-ref", NULL };
	ck_assert_int_eq(aba_order_refund(db, &all, &p, &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "amount")), 180000);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "points_reversed")), 1800);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(aba_order_show(db, "F1-A", &shown, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(shown, "state")), "refunded");
	ck_assert_int_eq(json_array_size(json_object_get(shown, "refunds")), 1);
	json_decref(shown);
	ck_assert_int_eq(aba_order_show(db, "NOPE", &shown, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
	struct aba_order_refund bad = { "F1-A", -1, NULL, "f1-ref2", NULL };
	json_t *lines = json_pack("[{s:s, s:i}]", "product", "SKU-9", "qty", 1);
	bad.lines = lines;
	ck_assert_int_eq(aba_order_refund(db, &bad, &p, &err), -1);
	ck_assert_str_eq(err.msg, "lines[0]: the order has no 'SKU-9'");
	json_decref(lines);
}
END_TEST

START_TEST(bad_orders_change_nothing)
{
	char at[ABA_TIME_BUFSZ];
	struct aba_order_result r;
	struct aba_err err;
	long long postings = testdb_value(db, "SELECT count(*) FROM aba.postings");
	json_t *o;

	card("B1");
	ago(DAY, at);
	o = order_json("B1-A", "B1", at, 1, 10000, 0);
	json_object_del(o, "at");
	ck_assert_int_eq(post(db, o, &r, &err), -1);
	ck_assert_str_eq(err.msg, "order 'B1-A': at: a time is required");
	o = order_json("B1-A", "B1", at, 0, 10000, 0);
	ck_assert_int_eq(post(db, o, &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	o = order_json("B1-A", "B1", at, 1, 10000, 0);
	json_object_set_new(o, "colour", json_string("red"));
	ck_assert_int_eq(post(db, o, &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(post(db, order_json("B1-A", "NOPE", at, 1, 10000, 0), &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
	/* spending points the card does not have */
	ck_assert_int_eq(post(db, order_json("B1-A", "B1", at, 1, 10000, 500), &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.postings"), postings);
	/* the ref was not used up */
	r = post_ok(order_json("B1-A", "B1", at, 1, 10000, 0));
	ck_assert_int_eq(r.replay, 0);
	aba_order_result_clear(&r);
}
END_TEST

START_TEST(pos_role_posts_clerk_cannot)
{
	struct aba_db *pos = testdb_connect(DBNAME, "t_order_pos", "aba_pos");
	struct aba_db *clerk = testdb_connect(DBNAME, "t_order_clerk", "aba_clerk");
	char at[ABA_TIME_BUFSZ];
	struct aba_order_result r;
	struct aba_err err;

	card("S1");
	ago(DAY, at);
	ck_assert_int_eq(post(clerk, order_json("S1-A", "S1", at, 1, 10000, 0), &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_msg(post(pos, order_json("S1-A", "S1", at, 1, 10000, 0), &r, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(r.balance, 100);
	aba_order_result_clear(&r);
	aba_db_free(pos);
	aba_db_free(clerk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("order");
	TCase *tc = tcase_create("order");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, order_before_upgrade_earns_at_old_level);
	tcase_add_test(tc, replays_post_once);
	tcase_add_test(tc, concurrent_replays_post_once);
	tcase_add_test(tc, same_ref_other_content_is_refused);
	tcase_add_test(tc, refunds_restore_reverse_and_report_shortfall);
	tcase_add_test(tc, full_refund_gives_back_what_it_took);
	tcase_add_test(tc, bad_orders_change_nothing);
	tcase_add_test(tc, pos_role_posts_clerk_cannot);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	aba_program_set_free(programs);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
