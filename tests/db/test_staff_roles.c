/* test_staff_roles.c - approvals, audit and staff as each staff role over
 * a plain libpq connection, the way psql would connect: no direct writes
 * to approval, audit or ledger tables, no function above the role, and
 * staff_add's strict names. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"

#define DBNAME "t_staff_roles"

static const char *const direct_writes[] = {
	"INSERT INTO aba.approval_requests (kind, card_id, points, reason_code, expires_at)"
	" VALUES ('adjust', 1, 100, 'GOODWILL', now() + interval '1 hour')",
	"UPDATE aba.approval_requests SET state = 'approved', checker = 'x', decided_at = now()",
	"DELETE FROM aba.approval_requests",
	"INSERT INTO aba.audit_log VALUES (99, now(), 'x', 'x', 'x', NULL, NULL, NULL, NULL,"
	" sha256(''), sha256(''))",
	"UPDATE aba.audit_log SET reason = 'x'",
	"DELETE FROM aba.audit_log",
	"TRUNCATE aba.audit_log",
	"UPDATE aba.reason_codes SET active = false",
	"INSERT INTO aba.reason_codes VALUES ('HACK', 'x', 'any', true)",
	"UPDATE aba.approval_settings SET value = NULL",
	"UPDATE aba.cards SET balance = balance + 100",
	/* internals: only the SECURITY DEFINER functions call them */
	"SELECT aba.audit_append('x.y', 'x', '1', NULL, NULL, NULL)",
	"SELECT aba.post_adjustment(r) FROM aba.approval_requests r",
	"SELECT aba.apply_request(r, 'x', NULL) FROM aba.approval_requests r",
	"SELECT aba.set_level_override(1, 'L', now() + interval '1 day', 'x', NULL)",
	"SELECT aba.level_override_direct('SR1', 'L', now() + interval '1 day', 'x')",
};

/* A pending request by the clerk "tsr_clerk" on card SR1. */
static void create_db(void)
{
	struct aba_db *db = testdb_create(DBNAME), *clerk;

	testdb_value(db, "SELECT 1 FROM aba.card_create('SR1', 'Wati')");
	testdb_value(db, "SELECT 1 FROM aba.earn('SR1', 1000, 'sr-seed')");
	aba_db_free(db);
	clerk = testdb_connect(DBNAME, "tsr_clerk", "aba_clerk");
	testdb_value(clerk, "SELECT 1 FROM aba.adjust_request('SR1', 100, 'GOODWILL')");
	aba_db_free(clerk);
}

static struct aba_db *as(const char *login, const char *group)
{
	struct aba_db *db = testdb_connect(DBNAME, login, group);

	for (size_t i = 0; i < sizeof(direct_writes) / sizeof(direct_writes[0]); i++)
		ck_assert_msg(strcmp(testdb_fails(db, direct_writes[i]), "42501") == 0,
			      "%s could run: %s", group, direct_writes[i]);
	return db;
}

static void refused(struct aba_db *db, const char *sql)
{
	ck_assert_msg(strcmp(testdb_fails(db, sql), "42501") == 0, "not refused: %s", sql);
}

START_TEST(clerk_requests_but_cannot_decide_or_configure)
{
	struct aba_db *db = as("tsr_clerk", "aba_clerk");

	refused(db, "SELECT aba.approval_approve(1)");
	refused(db, "SELECT aba.approval_reject(1, 'no')");
	refused(db, "SELECT aba.reason_code_set('NEWCODE', 'x')");
	refused(db, "SELECT aba.approval_setting_set('approver_limit', NULL)");
	refused(db, "SELECT aba.staff_add('tsr_evil', 'admin')");
	refused(db, "SELECT count(*) FROM aba.audit_log");
	refused(db, "SELECT count(*) FROM aba.audit_rows");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.approval_requests"
				      " WHERE state = 'pending'"), 1);
	aba_db_free(db);
}
END_TEST

START_TEST(approver_decides_but_cannot_configure)
{
	struct aba_db *db = as("tsr_appr", "aba_approver");

	refused(db, "SELECT aba.reason_code_set('NEWCODE', 'x')");
	refused(db, "SELECT aba.approval_setting_set('approver_limit', NULL)");
	refused(db, "SELECT aba.staff_add('tsr_evil', 'admin')");
	refused(db, "SELECT count(*) FROM aba.audit_log");
	testdb_value(db, "SELECT 1 FROM aba.approval_approve(1, 'ok')");
	ck_assert_int_eq(testdb_value(db, "SELECT balance FROM aba.cards WHERE code = 'SR1'"), 1100);
	aba_db_free(db);
}
END_TEST

START_TEST(auditor_reads_everything_and_changes_nothing)
{
	struct aba_db *db = as("tsr_aud", "aba_auditor");

	refused(db, "SELECT aba.adjust_request('SR1', 100, 'GOODWILL')");
	refused(db, "SELECT aba.approval_approve(1)");
	refused(db, "SELECT aba.approval_cancel(1)");
	refused(db, "SELECT aba.approvals_expire()");
	refused(db, "SELECT aba.staff_add('tsr_evil', 'admin')");
	ck_assert_int_ge(testdb_value(db, "SELECT count(*) FROM aba.audit_rows"), 1);
	ck_assert_int_ge(testdb_value(db, "SELECT count(*) FROM aba.approval_requests"), 1);
	ck_assert_int_ge(testdb_value(db, "SELECT count(*) FROM aba.staff_list()"), 1);
	aba_db_free(db);
}
END_TEST

START_TEST(pos_cannot_touch_approvals)
{
	struct aba_db *db = as("tsr_pos", "aba_pos");

	refused(db, "SELECT aba.adjust_request('SR1', 100, 'GOODWILL')");
	refused(db, "SELECT aba.approval_approve(1)");
	refused(db, "SELECT count(*) FROM aba.approval_requests");
	refused(db, "SELECT count(*) FROM aba.audit_log");
	aba_db_free(db);
}
END_TEST

START_TEST(admin_configures_and_adds_staff_with_strict_names)
{
	struct aba_db *db = as("tsr_admin", "aba_admin");
	struct aba_db *su = testdb_connect(DBNAME, NULL, NULL), *added;

	refused(db, "SELECT count(*) FROM aba.audit_log");
	PQclear(PQexec(su->conn, "DROP ROLE IF EXISTS tsr_new"));	/* a rerun's */
	testdb_value(db, "SELECT 1 FROM aba.staff_add('tsr_new', 'approver')");
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log WHERE action = 'staff.add'"
				      " AND entity_id = 'tsr_new' AND actor = 'tsr_admin'"), 1);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.staff_list()"
				      " WHERE name = 'tsr_new' AND roles = 'aba_approver'"), 1);
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('tsr_new', 'clerk')"), "AB409");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('x\"; DROP TABLE aba.cards; --',"
				      " 'clerk')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('Bob', 'clerk')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('aba_owner2', 'clerk')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('pg_x', 'clerk')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('tsr_new2', 'superuser')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT aba.staff_add('tsr_new2', 'aba_owner')"), "AB422");
	/* the new login really has its role, and only that */
	added = testdb_connect(DBNAME, "tsr_new", "aba_approver");
	ck_assert_int_eq(testdb_value(added, "SELECT pg_has_role('aba_approver', 'MEMBER')::int"), 1);
	ck_assert_int_eq(testdb_value(added, "SELECT pg_has_role('aba_admin', 'MEMBER')::int"), 0);
	aba_db_free(added);
	testdb_value(db, "SELECT 1 FROM aba.reason_code_set('LOST_CARD', 'card lost', 'adjust')");
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log"
				      " WHERE action = 'reason_code.set' AND entity_id = 'LOST_CARD'"), 1);
	PQclear(PQexec(su->conn, "DROP ROLE tsr_new"));
	aba_db_free(su);
	aba_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("staff_roles");
	TCase *tc = tcase_create("staff_roles");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_test(tc, clerk_requests_but_cannot_decide_or_configure);
	tcase_add_test(tc, approver_decides_but_cannot_configure);
	tcase_add_test(tc, auditor_reads_everything_and_changes_nothing);
	tcase_add_test(tc, pos_cannot_touch_approvals);
	tcase_add_test(tc, admin_configures_and_adds_staff_with_strict_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
