/* test_program_store.c - programs in the database: import through
 * program_import() only (admin), audited once per change, listed and shown,
 * and loaded in one query into the same engine that simulates. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_cart.h"
#include "aba_program_store.h"
#include "aba_promo.h"
#include "testdb.h"

#define DBNAME "t_program_store"

static struct aba_db *db;

static const char PROGRAMS[] =
	"[{\"id\":\"P10\",\"name\":\"10% over 100k\",\"program_type\":\"promotion\","
	"\"sequence\":10,\"rules\":[{\"minimum_amount\":\"100000.00\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"10\"}]},"
	"{\"id\":\"A5\",\"program_type\":\"promotion\",\"sequence\":5,\"rewards\":[{"
	"\"reward_type\":\"discount\",\"discount\":\"500\",\"discount_mode\":\"per_order\"}]},"
	"{\"id\":\"OFF\",\"program_type\":\"promotion\",\"active\":false,\"date_to\":\"2026-12-31\","
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"50\"}]}]";

static json_t *js(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(j);
	return j;
}

static void create_db(void)
{
	db = testdb_create(DBNAME);
	aba_db_free(db);
	db = NULL;
}

static void connect_db(void)
{
	db = testdb_connect(DBNAME, "t_prog_admin", "aba_admin");
}

static void disconnect_db(void)
{
	aba_db_free(db);
	db = NULL;
}

static void import(const char *text, size_t expect)
{
	json_t *j = js(text);
	struct aba_err err;
	size_t n = 0;

	ck_assert_msg(aba_program_store_import(db, j, &n, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(n, expect);
	json_decref(j);
}

static void count_row(void *arg, const struct aba_program_row *row)
{
	char *order = arg;

	strcat(order, row->id);
	strcat(order, row->active ? " " : "- ");
}

START_TEST(import_list_show_load)
{
	struct aba_program_set *set;
	struct aba_err err;
	char order[256] = "";
	json_t *j;

	import(PROGRAMS, 3);
	ck_assert_int_eq(aba_program_store_list(db, count_row, order, &err), 0);
	ck_assert_str_eq(order, "A5 OFF- P10 ");	/* sequence 5, 10, 10; then id */
	ck_assert_int_eq(aba_program_store_get(db, "P10", &j, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "10% over 100k");
	json_decref(j);
	ck_assert_int_eq(aba_program_store_get(db, "NOPE", &j, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
	/* one query, the active ones, in sequence order */
	ck_assert_msg(aba_program_store_load(db, &set, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(set->n, 2);
	ck_assert_str_eq(set->v[0].id, "A5");
	ck_assert_str_eq(set->v[1].id, "P10");
	aba_program_set_free(set);
}
END_TEST

START_TEST(loaded_programs_evaluate)
{
	struct aba_program_set *set;
	struct aba_cart *cart;
	struct aba_promo_result *r = aba_promo_result_new();
	struct aba_promo_ctx ctx = { .at = 1795000000 };
	struct aba_err err;
	json_t *c = js("{\"lines\":[{\"product\":\"A\",\"qty\":2,\"unit_price\":\"60000.00\"}]}");

	ck_assert_int_eq(aba_program_store_load(db, &set, &err), 0);
	ck_assert_int_eq(aba_cart_parse(c, &cart, &err), 0);
	ck_assert_int_eq(aba_promo_evaluate(cart, set->v, set->n, &ctx, r, &err), 0);
	/* 500.00 + 10% of 120000.00 */
	ck_assert_int_eq(r->total_discount, 1250000);
	aba_promo_result_free(r);
	aba_cart_free(cart);
	aba_program_set_free(set);
	json_decref(c);
}
END_TEST

START_TEST(reimport_audits_changes_only)
{
	struct aba_db *su = testdb_connect(DBNAME, NULL, NULL);
	long long before = testdb_value(su, "SELECT count(*) FROM aba.audit_log "
				      "WHERE entity = 'program'");

	ck_assert_int_ge(before, 3);
	import(PROGRAMS, 3);	/* unchanged: nothing written */
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log "
				      "WHERE entity = 'program'"), before);
	import("{\"id\":\"A5\",\"program_type\":\"promotion\",\"sequence\":7}", 1);
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log WHERE entity = "
				      "'program' AND action = 'program.update' AND entity_id = 'A5' "
				      "AND actor = 't_prog_admin'"), 1);
	ck_assert_int_eq(testdb_value(db, "SELECT sequence FROM aba.programs WHERE id = 'A5'"), 7);
	aba_db_free(su);
}
END_TEST

START_TEST(bad_programs_never_reach_the_table)
{
	json_t *j = js("[{\"id\":\"BAD\",\"program_type\":\"promotion\",\"rules\":"
		       "[{\"minimum_amount\":\"1.234\"}]}]");
	struct aba_err err;
	size_t n;

	ck_assert_int_eq(aba_program_store_import(db, j, &n, &err), -1);
	ck_assert_msg(strstr(err.msg, "rules[0].minimum_amount: expected a decimal"), "%s",
		      err.msg);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.programs WHERE id = 'BAD'"), 0);
	json_decref(j);
	/* the function refuses what is not programs, whoever calls it */
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.program_import('[1]')"), "AB422");
}
END_TEST

START_TEST(only_admins_write)
{
	struct aba_db *clerk = testdb_connect(DBNAME, "t_prog_clerk", "aba_clerk");

	ck_assert_int_ge(testdb_value(clerk, "SELECT count(*) FROM aba.programs"), 2);
	ck_assert_str_eq(testdb_fails(clerk, "SELECT aba.program_import('{\"id\":\"X\","
				      "\"program_type\":\"promotion\"}')"), "42501");
	ck_assert_str_eq(testdb_fails(clerk, "DELETE FROM aba.programs"), "42501");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.programs SET active = true"), "42501");
	aba_db_free(clerk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("program_store");
	TCase *tc = tcase_create("program_store");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, import_list_show_load);
	tcase_add_test(tc, loaded_programs_evaluate);
	tcase_add_test(tc, reimport_audits_changes_only);
	tcase_add_test(tc, bad_programs_never_reach_the_table);
	tcase_add_test(tc, only_admins_write);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
