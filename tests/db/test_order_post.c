/* test_order_post.c - order posting when things go wrong around it: the
 * connection lost before an order, a batch of orders or a refund is sent
 * (it reconnects, runs it again, and it posts exactly once: the ref or key
 * makes a second run a replay), and a refused order with err NULL (no
 * crash: err may be NULL in every engine call). */
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

#define DBNAME "t_order_post"

static struct aba_db *db;

/* Posting statements that write an order or a refund while the session
 * has aba_test.cut on lose their connection half-way, before they commit,
 * as a server restart in the middle of a posting would.  The setting is
 * the session's, so the statement run again on the new connection goes
 * through. */
static const char CUT_TRIGGERS[] =
	"CREATE FUNCTION public.cut_here() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
	" SET search_path = pg_catalog AS $$"
	" BEGIN"
	"  IF current_setting('aba_test.cut', true) = 'on' THEN"
	"   PERFORM pg_terminate_backend(pg_backend_pid());"
	"   PERFORM pg_sleep(10);"
	"  END IF;"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TRIGGER cut_here AFTER INSERT ON aba.orders"
	" FOR EACH STATEMENT EXECUTE FUNCTION public.cut_here();"
	"CREATE TRIGGER cut_here AFTER INSERT ON aba.order_refunds"
	" FOR EACH STATEMENT EXECUTE FUNCTION public.cut_here()";

static void create_db(void)
{
	struct aba_db *admin = testdb_create(DBNAME);
	struct aba_card_new c = { "P1", "Rina Puspita", NULL, NULL };
	struct aba_err err;
	PGresult *res;

	ck_assert_msg(aba_card_create(admin, &c, &err) == 0, "%s", err.msg);
	res = PQexec(admin->conn, CUT_TRIGGERS);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQerrorMessage(admin->conn));
	PQclear(res);
	aba_db_free(admin);
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

/* Ends db's server session from another connection, as a server restart
 * or a network cut between two statements would. */
static void cut(struct aba_db *conn)
{
	struct aba_db *admin = testdb_connect(DBNAME, NULL, NULL);
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)::int", PQbackendPID(conn->conn));
	ck_assert_int_eq(testdb_value(admin, sql), 1);
	aba_db_free(admin);
}

/* The next posting statement of db loses its connection half-way. */
static void cut_during_next_posting(void)
{
	testdb_value(db, "SELECT 0 FROM (SELECT set_config('aba_test.cut', 'on', false)) s");
}

static long long q(const char *fmt, const char *arg)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, arg);
	return testdb_value(db, sql);
}

/* One unit of SKU-1 at price (hundredths), a day ago. */
static json_t *order_json(const char *ref, long long price)
{
	char at[ABA_TIME_BUFSZ], p[32];

	snprintf(p, sizeof(p), "%lld.%02lld", price / 100, price % 100);
	return json_pack("{s:s, s:s, s:s, s:[{s:s, s:i, s:s}]}", "ref", ref, "card", "P1", "at",
			 aba_time_format((int64_t)time(NULL) - 86400, at), "lines", "product",
			 "SKU-1", "qty", 1, "unit_price", p);
}

START_TEST(order_posts_once_after_a_cut)
{
	json_t *o = order_json("P1-A", 10000);
	struct aba_order_result r;
	struct aba_err err;

	/* between statements: before the level is read */
	cut(db);
	ck_assert_msg(aba_order_post(db, NULL, o, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.replay, 0);
	ck_assert_int_eq(r.total_net, 10000);
	ck_assert_int_eq(db->reconnects, 1);
	aba_order_result_clear(&r);
	/* again: the first result, still one posting */
	cut(db);
	ck_assert_msg(aba_order_post(db, NULL, o, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.replay, 1);
	aba_order_result_clear(&r);
	json_decref(o);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s'", "P1-A"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "P1-A"), 1);
}
END_TEST

START_TEST(order_posts_once_after_a_cut_in_its_statement)
{
	json_t *o = order_json("P1-C", 2500);
	struct aba_order_result r;
	struct aba_err err;

	cut_during_next_posting();
	ck_assert_msg(aba_order_post(db, NULL, o, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(db->reconnects, 1);
	ck_assert_int_eq(r.replay, 0);
	ck_assert_int_eq(r.total_net, 2500);
	aba_order_result_clear(&r);
	json_decref(o);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s'", "P1-C"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "P1-C"), 1);
}
END_TEST

/* Five orders of 10.00, 20.00, ... 50.00 (refs prefix0..4) in f. */
static FILE *five_orders(const char *prefix)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 5; i++) {
		char ref[16], *text;
		json_t *o;

		snprintf(ref, sizeof(ref), "%s%d", prefix, i);
		o = order_json(ref, 1000 * (i + 1));
		text = json_dumps(o, JSON_COMPACT);
		fprintf(f, "%s\n", text);
		free(text);
		json_decref(o);
	}
	rewind(f);
	return f;
}

START_TEST(batch_posts_once_after_a_cut)
{
	FILE *f = five_orders("P1-B");
	struct aba_order_totals t;
	struct aba_err err;

	/* between statements: before the levels are read */
	cut(db);
	ck_assert_msg(aba_order_post_file_batch(db, NULL, f, 5, NULL, NULL, NULL, &t, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(t.posted, 5);
	ck_assert_int_eq(t.failed, 0);
	fclose(f);
	/* in the batch's statement */
	f = five_orders("P1-D");
	cut_during_next_posting();
	ck_assert_msg(aba_order_post_file_batch(db, NULL, f, 5, NULL, NULL, NULL, &t, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(db->reconnects, 2);
	ck_assert_int_eq(t.posted, 5);
	ck_assert_int_eq(t.failed, 0);
	/* once more: all five are replays */
	rewind(f);
	ck_assert_msg(aba_order_post_file_batch(db, NULL, f, 5, NULL, NULL, NULL, &t, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(t.replayed, 5);
	ck_assert_int_eq(t.posted, 0);
	fclose(f);
	/* 10.00 + 20.00 + ... + 50.00, each once */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref LIKE '%s'", "P1-D%"), 5);
	ck_assert_int_eq(q("SELECT sum(total_net) FROM aba.orders WHERE ref LIKE '%s'", "P1-D%"), 15000);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key LIKE '%s'", "P1-D%"), 5);
}
END_TEST

START_TEST(refund_posts_once_after_a_cut)
{
	json_t *o = order_json("P1-R", 4000);
	json_t *lines = json_pack("[{s:s, s:i}]", "product", "SKU-1", "qty", 1);
	struct aba_order_refund by_lines = { "P1-R", -1, lines, "p1-r1", NULL };
	struct aba_order_result r;
	struct aba_posting p;
	struct aba_err err;

	ck_assert_msg(aba_order_post(db, NULL, o, &r, &err) == 0, "%s", err.msg);
	aba_order_result_clear(&r);
	json_decref(o);
	cut_during_next_posting();
	ck_assert_msg(aba_order_refund(db, &by_lines, &p, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(db->reconnects, 1);
	ck_assert_int_eq(p.replay, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p.result, "amount")), 4000);
	aba_posting_clear(&p);
	json_decref(lines);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.order_refunds r JOIN aba.orders o"
			   " ON o.id = r.order_id WHERE o.ref = '%s'", "P1-R"), 1);
	ck_assert_int_eq(q("SELECT refunded_amount FROM aba.orders WHERE ref = '%s'", "P1-R"), 4000);
}
END_TEST

START_TEST(refused_order_with_err_null)
{
	json_t *o = order_json("P1-N", 2000), *other = order_json("P1-N", 3000);
	struct aba_order_result r;

	ck_assert_int_eq(aba_order_post(db, NULL, o, &r, NULL), 0);
	aba_order_result_clear(&r);
	/* same ref, other content: refused (a conflict), and no crash */
	ck_assert_int_eq(aba_order_post(db, NULL, other, &r, NULL), -1);
	json_decref(o);
	json_decref(other);
	ck_assert_int_eq(q("SELECT total_net FROM aba.orders WHERE ref = '%s'", "P1-N"), 2000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("order_post");
	TCase *tc = tcase_create("order_post");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, order_posts_once_after_a_cut);
	tcase_add_test(tc, order_posts_once_after_a_cut_in_its_statement);
	tcase_add_test(tc, batch_posts_once_after_a_cut);
	tcase_add_test(tc, refund_posts_once_after_a_cut);
	tcase_add_test(tc, refused_order_with_err_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
