/* test_roles.c - the role boundary of the ledger, over plain libpq
 * connections as psql would make them: staff and POS roles cannot change
 * ledger tables directly and cannot call functions above their role. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"

#define DBNAME "t_roles"

static const char *const direct_writes[] = {
	"UPDATE aba.point_moves SET remaining = remaining + 100",
	"INSERT INTO aba.point_history (card_id, posting_id, kind, delta, balance_after, origin,"
	" idempotency_key, at) VALUES (1, 1, 'earn', 100, 100, 'x', 'x', now())",
	"UPDATE aba.cards SET balance = balance + 100",
	"DELETE FROM aba.lot_movements",
	"INSERT INTO aba.postings (card_id, key, kind, request, result)"
	" VALUES (1, 'x', 'earn', '{}', '{}')",
	"UPDATE aba.orders SET points_earned = 0",
	"DELETE FROM aba.outbox",
	"TRUNCATE aba.point_history",
	"SELECT aba.add_history(1, 1, 'earn', 100, 'x', 'x', NULL, now())",
	"SELECT aba.move_lot(1, 1, 100)",
	"SELECT aba.begin_posting(1, 'k', 'earn', '{}')",
};

static void create_db(void)
{
	struct aba_db *db = testdb_create(DBNAME);

	testdb_value(db, "SELECT 1 FROM aba.card_create('RC1', 'Siti Rahma')");
	testdb_value(db, "SELECT 1 FROM aba.earn('RC1', 1000, 'roles-seed')");
	aba_db_free(db);
}

/* Every direct write fails with insufficient_privilege (42501). */
static void refused_writes(const char *login, const char *group)
{
	struct aba_db *db = testdb_connect(DBNAME, login, group);

	for (size_t i = 0; i < sizeof(direct_writes) / sizeof(direct_writes[0]); i++)
		ck_assert_msg(strcmp(testdb_fails(db, direct_writes[i]), "42501") == 0,
			      "%s could run: %s", group, direct_writes[i]);
	aba_db_free(db);
}

START_TEST(clerk_cannot_write_ledger_tables)
{
	struct aba_db *db;

	refused_writes("t_clerk", "aba_clerk");
	db = testdb_connect(DBNAME, "t_clerk", "aba_clerk");
	ck_assert_int_eq(testdb_value(db, "SELECT balance FROM aba.cards WHERE code = 'RC1'"), 1000);
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.earn('RC1', 100, 'clerk-earn')"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.redeem('RC1', 100, 'clerk-redeem')"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.expire_due()"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.refund_order('x', NULL, 'k')"), "42501");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify()"), 0);
	aba_db_free(db);
}
END_TEST

START_TEST(pos_posts_only_through_functions)
{
	struct aba_db *db;

	refused_writes("t_pos", "aba_pos");
	db = testdb_connect(DBNAME, "t_pos", "aba_pos");
	/* POS moves points only with an order, never bare */
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.earn('RC1', 250, 'pos-earn')"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.redeem('RC1', 250, 'pos-redeem')"), "42501");
	testdb_value(db, "SELECT 1 FROM aba.post_order('POS-1', 'RC1', now(), '{\"ref\": 1}', NULL,"
			 " 100000, 0, 100000, 250, 0)");
	ck_assert_int_eq(testdb_value(db, "SELECT balance FROM aba.cards WHERE code = 'RC1'"), 1250);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.point_history"
				      " WHERE actor = 't_pos'"), 1);
	aba_db_free(db);
}
END_TEST

START_TEST(auditor_reads_but_cannot_post)
{
	struct aba_db *db;

	refused_writes("t_auditor", "aba_auditor");
	db = testdb_connect(DBNAME, "t_auditor", "aba_auditor");
	ck_assert_int_ge(testdb_value(db, "SELECT count(*) FROM aba.postings"), 1);
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.earn('RC1', 100, 'aud-earn')"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.card_create('RC9', 'x')"), "42501");
	aba_db_free(db);
}
END_TEST

START_TEST(a_login_without_a_group_sees_nothing)
{
	struct aba_db *db = testdb_connect(DBNAME, "t_nobody", "pg_read_all_settings");

	ck_assert_str_eq(testdb_fails(db, "SELECT count(*) FROM aba.cards"), "42501");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.earn('RC1', 100, 'nobody')"), "42501");
	aba_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("roles");
	TCase *tc = tcase_create("roles");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_test(tc, clerk_cannot_write_ledger_tables);
	tcase_add_test(tc, pos_posts_only_through_functions);
	tcase_add_test(tc, auditor_reads_but_cannot_post);
	tcase_add_test(tc, a_login_without_a_group_sees_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
