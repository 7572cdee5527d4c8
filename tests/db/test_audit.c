/* test_audit.c - the audit chain on a real PostgreSQL: rows written with
 * the actions, UPDATE/DELETE/TRUNCATE refused, tampering by a superuser
 * found at the row it touched, a truncated tail found against an exported
 * head, and export -> offline verify. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_approval.h"
#include "aba_audit.h"
#include "testdb.h"

#define DBNAME "t_audit"

static struct aba_db *su;
static const char *dir;

/* Eight audited actions by two logins. */
static void create_db(void)
{
	struct aba_db *db = testdb_create(DBNAME), *clerk, *appr;
	struct aba_approval a;
	struct aba_err err;

	/* The card is put in directly, so that the chain holds exactly the
	 * eight rows of the requests and approvals below. */
	testdb_value(db, "WITH p AS (INSERT INTO aba.partners (name) VALUES ('Agus Salim')"
			 " RETURNING id) INSERT INTO aba.cards (code, partner_id)"
			 " SELECT 'AU1', id FROM p RETURNING 1");
	clerk = testdb_connect(DBNAME, "tau_clerk", "aba_clerk");
	appr = testdb_connect(DBNAME, "tau_appr", "aba_approver");
	for (int i = 1; i <= 4; i++) {
		ck_assert_msg(aba_adjust_request(clerk, "AU1", 100 * i, "GOODWILL", "é ü | 1:x ~",
						 &a, &err) == 0, "%s", err.msg);
		ck_assert_msg(aba_approval_approve(appr, a.id, NULL, &a, &err) == 0, "%s", err.msg);
	}
	aba_db_free(clerk);
	aba_db_free(appr);
	aba_db_free(db);
	dir = testdb_scratch_dir("audit");
}

static void connect_db(void)
{
	su = testdb_connect(DBNAME, NULL, NULL);
}

static void disconnect_db(void)
{
	aba_db_free(su);
}

static struct aba_audit_check verify(const char *head)
{
	struct aba_audit_check c;
	struct aba_err err;

	ck_assert_msg(aba_audit_verify(su, head, &c, &err) == 0, "%s", err.msg);
	return c;
}

/* As a superuser who turned the triggers off: what an attacker could do. */
static void tamper(const char *sql)
{
	PGresult *res;

	PQclear(PQexec(su->conn, "SET session_replication_role = replica"));
	res = PQexec(su->conn, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
		      PQresultErrorMessage(res));
	PQclear(res);
	PQclear(PQexec(su->conn, "SET session_replication_role = origin"));
}

static void last_hash(char *out)
{
	PGresult *res = PQexec(su->conn, "SELECT encode(hash, 'hex') FROM aba.audit_log"
			       " ORDER BY id DESC LIMIT 1");

	ck_assert_int_eq(PQntuples(res), 1);
	snprintf(out, ABA_AUDIT_HEX, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* The tests run in order on one database: the intact ones first. */
START_TEST(actions_are_recorded_and_chain_is_intact)
{
	struct aba_audit_check c = verify(NULL);
	char head[ABA_AUDIT_HEX];

	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log"
				      " WHERE actor = 'tau_clerk' AND action = 'adjust.request'"), 4);
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log"
				      " WHERE actor = 'tau_appr' AND action = 'adjust.approve'"
				      " AND before->>'state' = 'pending' AND after->>'state' = 'approved'"), 4);
	ck_assert_int_eq(c.rows, 8);
	ck_assert_int_eq(c.broken_id, 0);
	last_hash(head);
	ck_assert_str_eq(c.head, head);
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log a"
				      " JOIN aba.audit_log p ON p.id = a.id - 1 WHERE a.prev_hash <> p.hash"), 0);
}
END_TEST

START_TEST(update_delete_truncate_refused_even_for_superuser)
{
	ck_assert_str_eq(testdb_fails(su, "UPDATE aba.audit_log SET reason = 'x' WHERE id = 1"), "AB403");
	ck_assert_str_eq(testdb_fails(su, "DELETE FROM aba.audit_log WHERE id = 8"), "AB403");
	ck_assert_str_eq(testdb_fails(su, "TRUNCATE aba.audit_log"), "AB403");
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log"), 8);
}
END_TEST

START_TEST(export_then_offline_verify_round_trip)
{
	char path[128], head[ABA_AUDIT_HEX];
	struct aba_audit_check c, f;
	struct aba_err err;

	snprintf(path, sizeof(path), "%s/round.jsonl", dir);
	ck_assert_msg(aba_audit_export(su, path, &c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(c.rows, 8);
	last_hash(head);
	ck_assert_str_eq(c.head, head);
	ck_assert_msg(aba_audit_verify_file(path, head, &f, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(f.broken_id, 0);
	ck_assert_int_eq(f.rows, 8);
	ck_assert_int_eq(f.want_head_at, 8);
	ck_assert_str_eq(f.head, head);
}
END_TEST

/* Edits an exported file with sed, then verifies it offline. */
static struct aba_audit_check verify_edited(const char *name, const char *sed)
{
	char path[128], cmd[512];
	struct aba_audit_check c;
	struct aba_err err;

	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, name);
	ck_assert_msg(aba_audit_export(su, path, NULL, &err) == 0, "%s", err.msg);
	snprintf(cmd, sizeof(cmd), "sed -i '%s' %s", sed, path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(aba_audit_verify_file(path, NULL, &c, &err) == 0, "%s", err.msg);
	return c;
}

START_TEST(offline_verify_finds_edits_in_the_file)
{
	struct aba_audit_check c;

	c = verify_edited("actor", "4s/tau_appr/tau_clerk/");		/* row 4's actor */
	ck_assert_int_eq(c.broken_id, 4);
	ck_assert_msg(strstr(c.problem, "changed after it was written") != NULL, "%s", c.problem);
	c = verify_edited("gap", "5d");					/* row 5 removed */
	ck_assert_int_eq(c.broken_id, 6);
	ck_assert_msg(strstr(c.problem, "missing") != NULL, "%s", c.problem);
	c = verify_edited("tail", "$d");				/* head line removed */
	ck_assert_int_eq(c.broken_id, 9);
	ck_assert_msg(strstr(c.problem, "incomplete") != NULL, "%s", c.problem);
	c = verify_edited("cut", "8,9d");				/* last row and head line */
	ck_assert_int_eq(c.broken_id, 8);
}
END_TEST

START_TEST(truncated_tail_found_against_exported_head)
{
	char path[128], head[ABA_AUDIT_HEX];
	struct aba_audit_check c;
	struct aba_err err;

	last_hash(head);
	/* the last two rows disappear: what is left is a consistent chain */
	tamper("DELETE FROM aba.audit_log WHERE id > 6");
	c = verify(NULL);
	ck_assert_int_eq(c.broken_id, 0);
	ck_assert_int_eq(c.rows, 6);
	/* ... but not one that contains the head exported before */
	c = verify(head);
	ck_assert_int_eq(c.broken_id, 7);
	ck_assert_msg(strstr(c.problem, "removed from its end") != NULL, "%s", c.problem);
	snprintf(path, sizeof(path), "%s/cut.jsonl", dir);
	ck_assert_msg(aba_audit_export(su, path, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(aba_audit_verify_file(path, head, &c, &err), 0);
	ck_assert_int_eq(c.broken_id, 7);
	ck_assert_int_eq(c.rows, 6);
	ck_assert_int_eq(aba_audit_verify_file(path, "zz", &c, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
}
END_TEST

START_TEST(changed_row_found_at_that_row)
{
	struct aba_audit_check c;
	char path[128];
	struct aba_err err;

	tamper("UPDATE aba.audit_log SET after = jsonb_set(after, '{points}', '40000')"
	       " WHERE id = 4");
	c = verify(NULL);
	ck_assert_int_eq(c.broken_id, 4);
	ck_assert_int_eq(c.rows, 3);
	ck_assert_msg(strstr(c.problem, "row 4 was changed") != NULL, "%s", c.problem);
	/* rehashing the row moves the break to the next one */
	tamper("UPDATE aba.audit_log SET hash = sha256(prev_hash ||"
	       " convert_to(aba.audit_canonical(audit_log), 'UTF8')) WHERE id = 4");
	c = verify(NULL);
	ck_assert_int_eq(c.broken_id, 5);
	ck_assert_msg(strstr(c.problem, "does not follow") != NULL, "%s", c.problem);
	/* a broken chain is not exported as if it were sound */
	snprintf(path, sizeof(path), "%s/broken.jsonl", dir);
	ck_assert_int_eq(aba_audit_export(su, path, NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_CHECK_FAILED);
}
END_TEST

static int count_row(void *arg, const struct aba_audit_row *r)
{
	(void)r;
	(*(long *)arg)++;
	return 0;
}

static long count(struct aba_audit_filter f)
{
	struct aba_err err;
	long n = 0;

	ck_assert_msg(aba_audit_log(su, &f, count_row, &n, &err) == 0, "%s", err.msg);
	return n;
}

START_TEST(log_filters)
{
	struct aba_audit_filter bad = { .since = "yesterday" };
	struct aba_err err;

	ck_assert_int_eq(count((struct aba_audit_filter){ .actor = "tau_appr" }), 4);
	ck_assert_int_eq(count((struct aba_audit_filter){ .action = "adjust" }), 8);
	ck_assert_int_eq(count((struct aba_audit_filter){ .action = "adjust.approve" }), 4);
	ck_assert_int_eq(count((struct aba_audit_filter){ .action = "adju" }), 0);
	ck_assert_int_eq(count((struct aba_audit_filter){ .entity = "approval" }), 8);
	ck_assert_int_eq(count((struct aba_audit_filter){ .since = "2000-01-01",
							   .until = "2000-01-02" }), 0);
	ck_assert_int_eq(count((struct aba_audit_filter){ .since = "2000-01-01" }), 8);
	ck_assert_int_eq(count((struct aba_audit_filter){ .limit = 3 }), 3);
	ck_assert_int_eq(aba_audit_log(su, &bad, count_row, NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_add_test(tc, actions_are_recorded_and_chain_is_intact);
	tcase_add_test(tc, update_delete_truncate_refused_even_for_superuser);
	tcase_add_test(tc, export_then_offline_verify_round_trip);
	tcase_add_test(tc, offline_verify_finds_edits_in_the_file);
	tcase_add_test(tc, log_filters);
	tcase_add_test(tc, truncated_tail_found_against_exported_head);
	tcase_add_test(tc, changed_row_found_at_that_row);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
