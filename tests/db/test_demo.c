/* test_demo.c - the demo seeder: what issue 4 says the data holds, checked
 * in the database it wrote, a consistent ledger, and a second seeding that
 * changes nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_demo.h"
#include "aba_ledger.h"
#include "testdb.h"

#define DBNAME "t_demo"
#define CUSTOMERS 60
#define ORDERS 600

/* Progress per stage: counts that only grow, within their total when one
 * is known, each stage ending with done == total. */
static const char *const stages[] = { "customers", "orders", "cards' levels evaluated",
				      "cards with points expired" };
static long progress_calls, last_done[4], ended[4];

static void on_progress(void *arg, const char *stage, long done, long total)
{
	int k = 0;

	(void)arg;
	while (k < 4 && strcmp(stage, stages[k]) != 0)
		k++;
	ck_assert_msg(k < 4, "stage '%s'", stage);
	ck_assert_msg(total == 0 || done <= total, "%s: %ld of %ld", stage, done, total);
	ck_assert_int_ge(done, last_done[k]);
	last_done[k] = done;
	ended[k] = done == total;
	progress_calls++;
}

static void seed(struct aba_db *db)
{
	struct aba_demo_opts o = { CUSTOMERS, ORDERS, (long)time(NULL), on_progress, NULL };
	struct aba_err err;

	ck_assert_msg(aba_demo_seed(db, &o, &err) == 0, "%s", err.msg);
}

/* Row counts the second seeding must leave as they are. */
static const char COUNTS[] =
	"SELECT (SELECT count(*) FROM aba.cards) * 1000000000 + (SELECT count(*) FROM aba.orders)"
	" * 100000 + (SELECT count(*) FROM aba.point_history) * 10"
	" + (SELECT count(*) FROM aba.approval_requests)";

START_TEST(demo_holds_what_issue_4_lists)
{
	struct aba_db *db = testdb_create(DBNAME);
	struct aba_err err;
	long long counts;
	long problems = -1;

	seed(db);
	ck_assert_int_gt(progress_calls, 0);
	ck_assert_int_eq(last_done[0], CUSTOMERS);
	ck_assert_int_eq(last_done[1], ORDERS);
	ck_assert_int_eq(last_done[2], CUSTOMERS);	/* every card evaluated */
	for (int k = 0; k < 4; k++)
		ck_assert_msg(ended[k], "stage '%s' did not end", stages[k]);

	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.levels WHERE code IN"
				      " ('SILVER', 'GOLD', 'PLATINUM')"), 3);
	ck_assert_int_ge(testdb_value(db, "SELECT count(*) FROM aba.programs"), 12);
	ck_assert_int_ge(testdb_value(db, "SELECT count(DISTINCT program_type)"
				      " FROM aba.programs"), 5);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.cards"), CUSTOMERS);
	/* names of two words or more, every one different from a code */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.partners"
				      " WHERE name ~ '^[A-Z][a-z]+( [A-Z][a-z]+)+$'"), CUSTOMERS);
	/* every order posted, over 18 months */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.orders"), ORDERS);
	ck_assert_int_ge(testdb_value(db, "SELECT extract(day FROM max(ordered_at) - min(ordered_at))"
				      " FROM aba.orders"), 500);
	/* levels from spend, some points expired, some expiring within 30 days */
	ck_assert_int_ge(testdb_value(db, "SELECT count(DISTINCT level_code) FROM aba.cards"), 2);
	ck_assert_int_gt(testdb_value(db, "SELECT count(*) FROM aba.point_history"
				      " WHERE kind = 'expire'"), 0);
	ck_assert_int_gt(testdb_value(db, "SELECT count(*) FROM aba.point_moves WHERE state = 'active'"
				      " AND expires_at < now() + interval '30 days'"), 0);
	/* requests waiting for an approver, left by a clerk */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.approval_requests"
				      " WHERE state = 'pending' AND maker = 'clerk1'"), 3);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.approval_requests"), 3);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.approval_requests"
				      " WHERE maker <> 'clerk1'"), 0);

	ck_assert_msg(aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(problems, 0);

	/* again: nothing new, and the session is the seeding user's again */
	counts = testdb_value(db, COUNTS);
	seed(db);
	ck_assert_int_eq(testdb_value(db, COUNTS), counts);
	ck_assert_int_eq(testdb_value(db, "SELECT (session_user = current_user"
				      " AND session_user <> 'clerk1')::int"), 1);
	aba_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("demo");
	TCase *tc = tcase_create("demo");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, demo_holds_what_issue_4_lists);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
