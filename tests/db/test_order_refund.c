/* test_order_refund.c - refunds by lines on a real PostgreSQL: a unit
 * goes back once, whatever the keys (and its points are reversed once); a
 * product sold on two lines is taken line by line; unit-by-unit refunds
 * add up to the line's net exactly; money refunded by amount and by lines
 * shares one bound; bad lines change nothing; POS may, a clerk may not. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_order.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_order_refund"
#define DAY 86400

static struct aba_db *db;
static struct aba_program_set *programs;

/* 0.01 point per 1.00 of net spend, valid 365 days; 10% off orders from
 * 1,000.00. */
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

static void create_db(void)
{
	json_t *j = json_loads(PROGRAMS, 0, NULL);
	struct aba_err err;

	ck_assert_msg(aba_program_set_parse(j, &programs, &err) == 0, "%s", err.msg);
	json_decref(j);
	aba_db_free(testdb_create(DBNAME));
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

/* Posts an order of card code (created here) with lines
 * "PRODUCT QTY PRICE;..." (price in hundredths), a day ago. */
static void order(const char *ref, const char *code, const char *spec)
{
	struct aba_card_new c = { code, "Dewi Kartika", NULL, NULL };
	char at[ABA_TIME_BUFSZ], product[32], price[32];
	json_t *lines = json_array(), *o;
	struct aba_order_result r;
	struct aba_err err;
	long long qty, cents;
	int used;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
	while (sscanf(spec, "%31s %lld %lld%n", product, &qty, &cents, &used) == 3) {
		snprintf(price, sizeof(price), "%lld.%02lld", cents / 100, cents % 100);
		json_array_append_new(lines, json_pack("{s:s, s:I, s:s}", "product", product,
						       "qty", (json_int_t)qty, "unit_price", price));
		spec += used;
		spec += *spec == ';';
	}
	o = json_pack("{s:s, s:s, s:s, s:o}", "ref", ref, "card", code, "at",
		      aba_time_format((int64_t)time(NULL) - DAY, at), "lines", lines);
	ck_assert_msg(aba_order_post(db, programs, o, &r, &err) == 0, "%s", err.msg);
	json_decref(o);
	aba_order_result_clear(&r);
}

/* Refunds "PRODUCT:QTY,..." of ref under key; 0 or -1 with *err. */
static int refund(const char *ref, const char *spec, const char *key, struct aba_posting *p,
		  struct aba_err *err)
{
	struct aba_order_refund r = { ref, -1, NULL, key, NULL };
	char product[32];
	json_t *lines = json_array();
	long long qty;
	int used, rc;

	while (sscanf(spec, "%31[^:]:%lld%n", product, &qty, &used) == 2) {
		json_array_append_new(lines, json_pack("{s:s, s:I}", "product", product,
						       "qty", (json_int_t)qty));
		spec += used;
		spec += *spec == ',';
	}
	r.lines = lines;
	memset(p, 0, sizeof(*p));
	rc = aba_order_refund(db, &r, p, err);
	json_decref(lines);
	return rc;
}

static int64_t result_int(const struct aba_posting *p, const char *key)
{
	return json_integer_value(json_object_get(p->result, key));
}

/* A refund that must post; returns the money it refunded. */
static int64_t refund_ok(const char *ref, const char *spec, const char *key)
{
	struct aba_posting p;
	struct aba_err err;
	int64_t amount;

	ck_assert_msg(refund(ref, spec, key, &p, &err) == 0, "%s: %s", key, err.msg);
	amount = result_int(&p, "amount");
	aba_posting_clear(&p);
	return amount;
}

/* A refund that must be refused with code and message. */
static void refund_refused(const char *ref, const char *spec, const char *key,
			   enum aba_status code, const char *msg)
{
	struct aba_posting p;
	struct aba_err err;

	ck_assert_int_eq(refund(ref, spec, key, &p, &err), -1);
	ck_assert_int_eq(err.code, code);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(a_unit_goes_back_once)
{
	struct aba_posting p;
	struct aba_err err;

	/* 300.00 net, no discount (under 1,000.00): earns 3.00 points */
	order("L1-A", "L1", "SKU-1 1 10000;SKU-2 2 5000;SKU-1 1 10000");
	ck_assert_int_eq(balance("L1"), 300);
	/* one SKU-2: 50.00, a sixth of the points: 0.50 */
	ck_assert_int_eq(refund("L1-A", "SKU-2:1", "l1-k1", &p, &err), 0);
	ck_assert_int_eq(result_int(&p, "amount"), 5000);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 50);
	aba_posting_clear(&p);
	/* the same key again: the first result, nothing more */
	ck_assert_int_eq(refund("L1-A", "SKU-2:1", "l1-k1", &p, &err), 0);
	ck_assert_int_eq(p.replay, 1);
	ck_assert_int_eq(result_int(&p, "amount"), 5000);
	aba_posting_clear(&p);
	/* the other SKU-2 under a new key, then none is left */
	ck_assert_int_eq(refund_ok("L1-A", "SKU-2:1", "l1-k2"), 5000);
	refund_refused("L1-A", "SKU-2:1", "l1-k3", ABA_INPUT,
		       "lines[0]: order 'L1-A' has 0 of 'SKU-2' left to refund, not 1");
	refund_refused("L1-A", "SKU-1:1,SKU-2:1", "l1-k3", ABA_INPUT,
		       "lines[1]: order 'L1-A' has 0 of 'SKU-2' left to refund, not 1");
	/* 100.00 of 300.00 back: a third of the points reversed, once */
	ck_assert_int_eq(q("SELECT refunded_amount FROM aba.orders WHERE ref = '%s'", "L1-A"), 10000);
	ck_assert_int_eq(q("SELECT points_reversed FROM aba.orders WHERE ref = '%s'", "L1-A"), 100);
	ck_assert_int_eq(balance("L1"), 200);
	ck_assert_int_eq(q("SELECT coalesce(sum(qty), 0) FROM aba.order_refund_lines l JOIN aba.orders o"
			   " ON o.id = l.order_id WHERE o.ref = '%s'", "L1-A"), 2);
	/* the refused attempts used no key */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "l1-k3"), 0);
}
END_TEST

START_TEST(a_product_on_two_lines)
{
	struct aba_posting p;
	struct aba_err err;

	/* SKU-1 sold on two lines at two prices: 100.00 and 120.00 */
	order("L2-A", "L2", "SKU-1 1 10000;SKU-2 1 8000;SKU-1 1 12000");
	/* both units at once: each line's net */
	ck_assert_int_eq(refund("L2-A", "SKU-1:2", "l2-k1", &p, &err), 0);
	ck_assert_int_eq(result_int(&p, "amount"), 22000);
	ck_assert_int_eq(json_array_size(json_object_get(p.result, "lines")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(p.result, "lines"), 1), "line")), 2);
	aba_posting_clear(&p);
	refund_refused("L2-A", "SKU-1:1", "l2-k2", ABA_INPUT,
		       "lines[0]: order 'L2-A' has 0 of 'SKU-1' left to refund, not 1");
	/* the last line: the order is refunded in full, every point reversed */
	ck_assert_int_eq(refund_ok("L2-A", "SKU-2:1", "l2-k3"), 8000);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s' AND state = 'refunded'"
			   " AND refunded_amount = total_net AND points_reversed = 300", "L2-A"), 1);
	ck_assert_int_eq(balance("L2"), 0);
	refund_refused("L2-A", "SKU-2:1", "l2-k4", ABA_CONFLICT, "order 'L2-A' is already fully refunded");

	/* one at a time, the first line first; naming it twice adds up */
	order("L3-A", "L3", "SKU-1 1 10000;SKU-1 1 12000");
	ck_assert_int_eq(refund_ok("L3-A", "SKU-1:1", "l3-k1"), 10000);
	ck_assert_int_eq(refund_ok("L3-A", "SKU-1:1", "l3-k2"), 12000);
	order("L4-A", "L4", "SKU-1 2 10000;SKU-1 1 12000");
	ck_assert_int_eq(refund_ok("L4-A", "SKU-1:1,SKU-1:2", "l4-k1"), 32000);
}
END_TEST

START_TEST(unit_refunds_add_up_to_the_line)
{
	/* 3 x 333.37 = 1,000.11 less 10% (100.01) = 900.10 net, earns 9.00;
	 * a third is 300.0333: 300.03, then 600.07 - 300.03 = 300.04, then
	 * the rest 300.03 -- 900.10 in all, not 3 x 300.03 = 900.09 */
	order("L5-A", "L5", "SKU-1 3 33337");
	ck_assert_int_eq(q("SELECT total_net FROM aba.orders WHERE ref = '%s'", "L5-A"), 90010);
	ck_assert_int_eq(refund_ok("L5-A", "SKU-1:1", "l5-k1"), 30003);
	ck_assert_int_eq(refund_ok("L5-A", "SKU-1:1", "l5-k2"), 30004);
	ck_assert_int_eq(refund_ok("L5-A", "SKU-1:1", "l5-k3"), 30003);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s' AND state = 'refunded'"
			   " AND refunded_amount = 90010 AND points_reversed = 900", "L5-A"), 1);
	ck_assert_int_eq(balance("L5"), 0);
}
END_TEST

START_TEST(amount_and_lines_share_one_bound)
{
	struct aba_order_refund by_amount = { "L6-A", 2500, NULL, "l6-k1", NULL };
	struct aba_posting p;
	struct aba_err err;

	/* 3 x 10.00 = 30.00; 25.00 back by amount leaves 5.00 */
	order("L6-A", "L6", "SKU-1 3 1000");
	ck_assert_int_eq(aba_order_refund(db, &by_amount, &p, &err), 0);
	aba_posting_clear(&p);
	refund_refused("L6-A", "SKU-1:1", "l6-k2", ABA_INPUT,
		       "order 'L6-A' has only 5.00 left to refund, 10.00 asked");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.order_refund_lines l JOIN aba.orders o"
			   " ON o.id = l.order_id WHERE o.ref = '%s'", "L6-A"), 0);
	/* lines first, then amounts: only what the lines left */
	order("L7-A", "L7", "SKU-1 3 1000");
	ck_assert_int_eq(refund_ok("L7-A", "SKU-1:2", "l7-k1"), 2000);
	by_amount.ref = "L7-A";
	by_amount.amount = 1001;
	by_amount.key = "l7-k2";
	ck_assert_int_eq(aba_order_refund(db, &by_amount, &p, &err), -1);
	ck_assert_str_eq(err.msg, "order 'L7-A' has only 10.00 left to refund, 10.01 asked");
	by_amount.amount = -1;	/* the rest */
	ck_assert_int_eq(aba_order_refund(db, &by_amount, &p, &err), 0);
	ck_assert_int_eq(result_int(&p, "amount"), 1000);
	aba_posting_clear(&p);
	/* a key used for an amount cannot be replayed as lines */
	refund_refused("L7-A", "SKU-1:1", "l7-k2", ABA_CONFLICT,
		       "idempotency key 'l7-k2' was already used for a different refund posting");
}
END_TEST

START_TEST(bad_lines_change_nothing)
{
	static const char *const bad[][2] = {
		{ "'[]'", "lines: expected a non-empty array" },
		{ "'{\"product\": \"SKU-1\", \"qty\": 1}'", "lines: expected a non-empty array" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 0}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 1000001}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 4294967297}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 1.5}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": \"1\"}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 1}, {\"qty\": 1}]'", "lines[1]: needs a product" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 1, \"amount\": 5}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"\", \"qty\": 1}]'", "lines[0]: needs a product" },
		{ "'[{\"product\": \"SKU-9\", \"qty\": 1}]'", "lines[0]: the order has no 'SKU-9'" },
		{ "'[{\"product\": \"SKU-1\", \"qty\": 3}]'", "lines[0]: order 'L8-A' has 2 of" },
	};
	struct aba_db *pos = testdb_connect(DBNAME, "t_refund_pos", "aba_pos");
	struct aba_db *clerk = testdb_connect(DBNAME, "t_refund_clerk", "aba_clerk");
	long long postings, lines;
	char sql[512];

	order("L8-A", "L8", "SKU-1 2 1000");
	postings = testdb_value(db, "SELECT count(*) FROM aba.postings");
	lines = testdb_value(db, "SELECT count(*) FROM aba.order_refund_lines");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PGresult *res;

		snprintf(sql, sizeof(sql), "SELECT aba.refund_order_lines('L8-A', %s, 'l8-k%zu')",
			 bad[i][0], i);
		res = PQexec(pos->conn, sql);
		ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "%s posted", bad[i][0]);
		ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "AB422");
		ck_assert_msg(strstr(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), bad[i][1]),
			      "%s: %s", bad[i][0], PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(res);
	}
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.postings"), postings);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.order_refund_lines"), lines);
	/* POS may, a clerk may not; nobody may rewrite what went back */
	ck_assert_str_eq(testdb_fails(clerk, "SELECT aba.refund_order_lines('L8-A',"
				      " '[{\"product\": \"SKU-1\", \"qty\": 1}]', 'l8-ok')"), "42501");
	ck_assert_int_eq(testdb_value(pos, "SELECT (aba.refund_order_lines('L8-A',"
				      " '[{\"product\": \"SKU-1\", \"qty\": 1}]', 'l8-ok') ->> 'amount')::int"),
			 1000);
	ck_assert_str_eq(testdb_fails(pos, "DELETE FROM aba.order_refund_lines"), "42501");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.order_refund_lines SET qty = 2"), "AB403");
	aba_db_free(pos);
	aba_db_free(clerk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("order_refund");
	TCase *tc = tcase_create("order_refund");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_unit_goes_back_once);
	tcase_add_test(tc, a_product_on_two_lines);
	tcase_add_test(tc, unit_refunds_add_up_to_the_line);
	tcase_add_test(tc, amount_and_lines_share_one_bound);
	tcase_add_test(tc, bad_lines_change_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	aba_program_set_free(programs);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
