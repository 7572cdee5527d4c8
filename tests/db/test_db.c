/* test_db.c - what aba_db_call does when the connection is lost: a
 * repeatable statement (a read, a keyed posting) reconnects and runs again;
 * any other statement reconnects but is not run twice, and says so. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "testdb.h"

#define DBNAME "t_db"

static void create_db(void)
{
	aba_db_free(testdb_create(DBNAME));
}

/* Ends db's server session from another connection, as a server restart
 * or a network cut would. */
static void cut(struct aba_db *db)
{
	struct aba_db *admin = testdb_connect(DBNAME, NULL, NULL);
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)::int", PQbackendPID(db->conn));
	ck_assert_int_eq(testdb_value(admin, sql), 1);
	aba_db_free(admin);
}

START_TEST(repeatable_statement_runs_again_after_a_cut)
{
	struct aba_db *db = testdb_connect(DBNAME, NULL, NULL);
	PGresult *res = NULL;
	struct aba_err err;
	int pid = PQbackendPID(db->conn);

	cut(db);
	ck_assert_int_eq(aba_db_call_repeatable(db, "SELECT 41 + 1", 0, NULL, PGRES_TUPLES_OK, &res,
						&err), 0);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "42");
	ck_assert_int_ne(PQbackendPID(db->conn), pid);
	ck_assert_int_eq(db->reconnects, 1);
	PQclear(res);
	aba_db_free(db);
}
END_TEST

START_TEST(other_statement_is_not_run_twice)
{
	struct aba_db *db = testdb_connect(DBNAME, NULL, NULL);
	PGresult *res = NULL;
	struct aba_err err;

	testdb_value(db, "SELECT 1 FROM (SELECT aba.card_create('DB1', 'Nur Hidayat')) s");
	cut(db);
	ck_assert_int_eq(aba_db_call(db, "SELECT aba.card_create('DB2', 'Nur Hidayat')", 0, NULL,
				     PGRES_TUPLES_OK, &res, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONNECTION);
	ck_assert_ptr_nonnull(strstr(err.msg, "check whether the request was done"));
	/* not run at all here (the cut came first), and the connection is back */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.cards WHERE code = 'DB2'"), 0);
	ck_assert_int_eq(db->reconnects, 1);
	aba_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_test(tc, repeatable_statement_runs_again_after_a_cut);
	tcase_add_test(tc, other_statement_is_not_run_twice);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
