/* test_migrate.c - migrations apply in order, once: migrating again
 * applies nothing and changes no object. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aba_migrate.h"
#include "testdb.h"

/* Every function body, table column, constraint, trigger and grant of
 * schema aba, hashed. */
static const char SQL_FINGERPRINT[] =
	"SELECT ('x' || left(md5(string_agg(d, '|' ORDER BY d)), 15))::bit(60)::bigint FROM ("
	" SELECT p.oid::regprocedure::text || CASE p.prokind WHEN 'a' THEN '' ELSE"
	"        pg_get_functiondef(p.oid) END || coalesce(p.proacl::text, '')"
	"   FROM pg_proc p WHERE p.pronamespace = 'aba'::regnamespace"
	" UNION ALL SELECT c.relname || coalesce(c.relacl::text, '') || c.relowner::regrole::text"
	"   FROM pg_class c WHERE c.relnamespace = 'aba'::regnamespace"
	" UNION ALL SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint"
	"   WHERE connamespace = 'aba'::regnamespace"
	" UNION ALL SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
	"   WHERE c.relnamespace = 'aba'::regnamespace AND NOT t.tgisinternal"
	" UNION ALL SELECT a.attrelid::regclass::text || a.attname || a.atttypid::regtype::text"
	"   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	"   WHERE c.relnamespace = 'aba'::regnamespace AND a.attnum > 0) s(d)";

static void count_applied(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
}

START_TEST(migrating_twice_changes_nothing)
{
	struct aba_db *db = testdb_create("t_migrate");
	struct aba_migrate_status st;
	struct aba_err err;
	long long before, after;
	int applied = 0;

	before = testdb_value(db, SQL_FINGERPRINT);
	ck_assert_int_eq(aba_migrate(db, count_applied, &applied, &err), 0);
	ck_assert_int_eq(applied, 0);
	after = testdb_value(db, SQL_FINGERPRINT);
	ck_assert_int_eq(before, after);
	ck_assert_int_eq(aba_migrate_status(db, &st, &err), 0);
	ck_assert_int_eq(st.applied, aba_migrations_count);
	ck_assert_int_eq(st.available, aba_migrations_count);
	ck_assert_int_eq(st.changed, 0);
	ck_assert_str_eq(st.latest, aba_migrations[aba_migrations_count - 1].name);
	/* an edited migration is noticed */
	testdb_value(db, "UPDATE aba.schema_migrations SET checksum = 'x'"
			 " WHERE name = (SELECT min(name) FROM aba.schema_migrations) RETURNING 1");
	ck_assert_int_eq(aba_migrate_status(db, &st, &err), 0);
	ck_assert_int_eq(st.changed, 1);
	aba_db_free(db);
}
END_TEST

START_TEST(migrations_are_numbered_in_order)
{
	for (int i = 0; i < aba_migrations_count; i++) {
		const char *n = aba_migrations[i].name;

		ck_assert_msg(strlen(n) > 4 && n[3] == '_', "'%s' is not NNN_topic.sql", n);
		if (i > 0)
			ck_assert_msg(strncmp(aba_migrations[i - 1].name, n, 3) < 0,
				      "two migrations numbered %.3s", n);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("migrate");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, migrating_twice_changes_nothing);
	tcase_add_test(tc, migrations_are_numbered_in_order);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
