/* test_approval.c - maker-checker on a real PostgreSQL, each actor on its
 * own login: requests, approvals that post through the ledger, self-
 * approval (admins too), double and racing approvals, expiry, debits no
 * longer covered, rejection notes, thresholds, and nothing half-written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_approval.h"
#include "aba_ledger.h"
#include "testdb.h"

#define DBNAME "t_approval"

static struct aba_db *su, *clerk, *clerk2, *appr, *admin;

static void create_db(void)
{
	aba_db_free(testdb_create(DBNAME));
}

static void connect_all(void)
{
	su = testdb_connect(DBNAME, NULL, NULL);
	clerk = testdb_connect(DBNAME, "tap_clerk1", "aba_clerk");
	clerk2 = testdb_connect(DBNAME, "tap_clerk2", "aba_clerk");
	appr = testdb_connect(DBNAME, "tap_appr1", "aba_approver");
	admin = testdb_connect(DBNAME, "tap_admin1", "aba_admin");
}

static void disconnect_all(void)
{
	aba_db_free(su);
	aba_db_free(clerk);
	aba_db_free(clerk2);
	aba_db_free(appr);
	aba_db_free(admin);
}

static long long q(const char *fmt, const char *arg)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, arg);
	return testdb_value(su, sql);
}

/* A card holding pts, earned by the POS path. */
static void card(const char *code, long long pts)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT 1 FROM aba.card_create('%s', 'Dewi Lestari')", code);
	testdb_value(su, sql);
	if (pts > 0) {
		snprintf(sql, sizeof(sql), "SELECT 1 FROM aba.earn('%s', %lld, 'seed-%s')", code, pts,
			 code);
		testdb_value(su, sql);
	}
}

static long long balance(const char *code)
{
	return q("SELECT balance FROM aba.cards WHERE code = '%s'", code);
}

static int64_t request(struct aba_db *db, const char *code, int64_t pts, const char *reason)
{
	struct aba_approval a;
	struct aba_err err;

	ck_assert_msg(aba_adjust_request(db, code, pts, reason, "test", &a, &err) == 0, "%s", err.msg);
	return a.id;
}

static long long audit_count(const char *action, long long id)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM aba.audit_log WHERE action = '%s'"
		 " AND entity = 'approval' AND entity_id = '%lld'", action, id);
	return testdb_value(su, sql);
}

static const char *state(int64_t id)
{
	static char buf[16];
	char sql[128];
	PGresult *res;

	snprintf(sql, sizeof(sql), "SELECT state FROM aba.approval_requests WHERE id = %lld",
		 (long long)id);
	res = PQexec(su->conn, sql);
	ck_assert_int_eq(PQntuples(res), 1);
	snprintf(buf, sizeof(buf), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return buf;
}

START_TEST(credit_is_posted_on_approval_only)
{
	struct aba_approval a;
	struct aba_err err;
	char key[64];
	int64_t id;

	card("AP1", 10000);
	id = request(clerk, "AP1", 1234, "GOODWILL");
	ck_assert_str_eq(state(id), "pending");
	ck_assert_int_eq(balance("AP1"), 10000);
	ck_assert_int_eq(audit_count("adjust.request", id), 1);
	ck_assert_msg(aba_approval_approve(appr, id, "checked the receipt", &a, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(a.state, "approved");
	ck_assert_str_eq(a.checker, "tap_appr1");
	ck_assert_str_eq(a.maker, "tap_clerk1");
	ck_assert_int_eq(a.automatic, 0);
	ck_assert_int_eq(a.balance, 11234);
	ck_assert_int_eq(balance("AP1"), 11234);
	/* one adjust entry, a lot valid the configured 365 days, keyed by the request */
	snprintf(key, sizeof(key), "approval:%lld", (long long)id);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history WHERE kind = 'adjust'"
			   " AND delta = 1234 AND actor = 'tap_appr1' AND idempotency_key = '%s'", key), 1);
	ck_assert_int_eq(q("SELECT extract(day FROM expires_at - gained_at) FROM aba.point_moves l"
			   " JOIN aba.postings p ON p.id = l.posting_id WHERE p.kind = '%s'", "adjust"), 365);
	ck_assert_int_eq(audit_count("adjust.approve", id), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.verify('%s')", "AP1"), 0);
}
END_TEST

START_TEST(self_approval_refused_even_for_admin)
{
	struct aba_approval a;
	struct aba_err err;
	int64_t id;

	card("AP2", 5000);
	/* a clerk may not decide at all */
	id = request(clerk, "AP2", 100, "GOODWILL");
	ck_assert_int_eq(aba_approval_approve(clerk, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_str_eq(err.sqlstate, "42501");
	/* an approver's own request */
	id = request(appr, "AP2", 100, "GOODWILL");
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_str_eq(err.sqlstate, "AB403");
	/* an admin's own request */
	id = request(admin, "AP2", 100, "GOODWILL");
	ck_assert_int_eq(aba_approval_approve(admin, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_msg(strstr(err.msg, "your own request") != NULL, "%s", err.msg);
	ck_assert_int_eq(aba_approval_reject(admin, id, "no", &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_str_eq(state(id), "pending");
	ck_assert_int_eq(balance("AP2"), 5000);
	ck_assert_int_eq(audit_count("adjust.approve", id), 0);
	/* even the superuser cannot write checker = maker: the table refuses it */
	ck_assert_str_eq(testdb_fails(su, "UPDATE aba.approval_requests SET checker = maker,"
				      " state = 'approved', decided_at = now() WHERE maker = 'tap_admin1'"),
			 "23514");
	/* another admin approves it */
	ck_assert_msg(aba_approval_approve(appr, id, NULL, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(balance("AP2"), 5100);
}
END_TEST

START_TEST(double_approval_refused)
{
	struct aba_approval a;
	struct aba_err err;
	int64_t id;

	card("AP3", 0);
	id = request(clerk, "AP3", 500, "MISSED_EARN");
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), 0);
	ck_assert_int_eq(aba_approval_approve(admin, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_msg(strstr(err.msg, "already approved by tap_appr1") != NULL, "%s", err.msg);
	ck_assert_int_eq(aba_approval_reject(admin, id, "late", &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(aba_approval_cancel(clerk, id, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(balance("AP3"), 500);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE kind = '%s'"
			   " AND request->>'card' = 'AP3'", "adjust"), 1);
}
END_TEST

/* Polls until n backends wait on a lock in approval_approve (at most 10 s). */
static void wait_for_lock_waiters(int n)
{
	long long waiting = 0;

	for (int i = 0; i < 1000 && waiting < n; i++) {
		/* su is inside a transaction, which would keep one stats snapshot */
		waiting = testdb_value(su, "SELECT pg_stat_clear_snapshot();"
				       " SELECT count(*) FROM pg_stat_activity WHERE"
				       " wait_event_type = 'Lock' AND query LIKE '%approval_approve%'");
		if (waiting < n)
			usleep(10000);
	}
	ck_assert_int_eq(waiting, n);
}

/* Both approvers send their approval while the row is held, then the
 * holder lets go: they really run at the same time. */
START_TEST(racing_approvers_one_wins)
{
	char sql[128];
	const char *params[1];
	PGresult *r1, *r2;
	int ok = 0, conflict = 0;
	int64_t id;

	card("AP4", 0);
	id = request(clerk, "AP4", 700, "GOODWILL");
	snprintf(sql, sizeof(sql), "%lld", (long long)id);
	params[0] = sql;
	PQclear(PQexec(su->conn, "BEGIN"));
	PQclear(PQexecParams(su->conn, "SELECT 1 FROM aba.approval_requests WHERE id = $1::bigint"
			     " FOR UPDATE", 1, NULL, params, NULL, NULL, 0));
	ck_assert(PQsendQueryParams(appr->conn, "SELECT aba.approval_approve($1::bigint, 'a')",
				    1, NULL, params, NULL, NULL, 0));
	ck_assert(PQsendQueryParams(admin->conn, "SELECT aba.approval_approve($1::bigint, 'b')",
				    1, NULL, params, NULL, NULL, 0));
	wait_for_lock_waiters(2);
	PQclear(PQexec(su->conn, "COMMIT"));
	r1 = PQgetResult(appr->conn);
	r2 = PQgetResult(admin->conn);
	for (PGresult *r = r1; r; r = r == r1 ? r2 : NULL) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			ok++;
		else if (st && strcmp(st, "AB409") == 0)
			conflict++;
	}
	PQclear(r1);
	PQclear(r2);
	while ((r1 = PQgetResult(appr->conn)))
		PQclear(r1);
	while ((r2 = PQgetResult(admin->conn)))
		PQclear(r2);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(conflict, 1);
	ck_assert_int_eq(balance("AP4"), 700);
	ck_assert_int_eq(audit_count("adjust.approve", id), 1);
}
END_TEST

/* Time passes: the superuser moves the request three days back. */
static void age_request(int64_t id)
{
	char sql[256];

	testdb_value(su, "SELECT set_config('session_replication_role', 'replica', false)");
	snprintf(sql, sizeof(sql), "UPDATE aba.approval_requests SET created_at = now() - interval"
		 " '80 hours', expires_at = now() - interval '8 hours' WHERE id = %lld", (long long)id);
	PQclear(PQexec(su->conn, sql));
	testdb_value(su, "SELECT set_config('session_replication_role', 'origin', false)");
}

START_TEST(approval_after_expiry_refused_and_swept)
{
	struct aba_approval a;
	struct aba_err err;
	int64_t id, other, n = -1;
	char want[64];

	card("AP5", 2000);
	id = request(clerk, "AP5", 300, "GOODWILL");
	other = request(clerk, "AP5", 400, "GOODWILL");
	age_request(id);
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_msg(strstr(err.msg, "expired at") != NULL, "%s", err.msg);
	ck_assert_int_eq(balance("AP5"), 2000);
	ck_assert_int_eq(aba_approval_expire(clerk2, &n, &err), 0);
	ck_assert_int_ge(n, 1);
	ck_assert_str_eq(state(id), "expired");
	ck_assert_str_eq(state(other), "pending");
	ck_assert_int_eq(audit_count("adjust.expire", id), 1);
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	snprintf(want, sizeof(want), "approval request %lld is expired", (long long)id);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(debit_no_longer_covered_fails_cleanly)
{
	struct aba_redeem r = { "AP6", 500, "ap6-pos", "pos", NULL };
	struct aba_posting p;
	struct aba_approval a;
	struct aba_err err;
	char want[128];
	int64_t id;

	card("AP6", 1000);
	id = request(clerk, "AP6", -800, "CORRECTION");
	ck_assert_int_eq(aba_ledger_redeem(su, &r, &p, &err), 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	snprintf(want, sizeof(want), "card 'AP6' has 5.00 points available, approval request %lld"
		 " takes 8.00", (long long)id);
	ck_assert_str_eq(err.msg, want);
	ck_assert_str_eq(state(id), "pending");
	ck_assert_int_eq(balance("AP6"), 500);
	ck_assert_int_eq(audit_count("adjust.approve", id), 0);
	snprintf(want, sizeof(want), "approval:%lld", (long long)id);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", want), 0);
	/* a debit that is covered takes FEFO */
	id = request(clerk, "AP6", -200, "CORRECTION");
	ck_assert_msg(aba_approval_approve(appr, id, NULL, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(a.balance, 300);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.verify('%s')", "AP6"), 0);
}
END_TEST

START_TEST(reject_needs_a_note_and_cancel_only_by_maker)
{
	struct aba_approval a;
	struct aba_err err;
	int64_t id;

	card("AP7", 1000);
	id = request(clerk, "AP7", 100, "GOODWILL");
	ck_assert_int_eq(aba_approval_reject(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_msg(strstr(err.msg, "a note is required") != NULL, "%s", err.msg);
	ck_assert_int_eq(aba_approval_reject(appr, id, "   ", &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_str_eq(state(id), "pending");
	ck_assert_int_eq(aba_approval_reject(appr, id, "no receipt", &a, &err), 0);
	ck_assert_str_eq(a.state, "rejected");
	ck_assert_str_eq(a.decision_note, "no receipt");
	ck_assert_int_eq(audit_count("adjust.reject", id), 1);
	ck_assert_int_eq(balance("AP7"), 1000);

	id = request(clerk, "AP7", 100, "GOODWILL");
	ck_assert_int_eq(aba_approval_cancel(clerk2, id, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_int_eq(aba_approval_cancel(clerk, id, &a, &err), 0);
	ck_assert_str_eq(a.state, "cancelled");
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(balance("AP7"), 1000);
}
END_TEST

START_TEST(thresholds_auto_approve_and_limits)
{
	struct aba_setting s = { "auto_approve_below", 1, 500, "" };
	struct aba_approval a;
	struct aba_err err;
	int64_t id;

	card("AP8", 0);
	/* only an admin may change a threshold */
	ck_assert_int_eq(aba_setting_set(appr, &s, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_msg(aba_setting_set(admin, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE action = 'setting.set'"
			   " AND entity_id = '%s' AND after->>'value' = '500'", "auto_approve_below"), 1);
	/* below 5.00: posted at once, recorded as automatic */
	ck_assert_int_eq(aba_adjust_request(clerk, "AP8", 499, "GOODWILL", NULL, &a, &err), 0);
	ck_assert_str_eq(a.state, "approved");
	ck_assert_int_eq(a.automatic, 1);
	ck_assert_str_eq(a.checker, "");
	ck_assert_int_eq(balance("AP8"), 499);
	ck_assert_int_eq(audit_count("adjust.auto_approve", a.id), 1);
	/* at the threshold: waits for a checker */
	ck_assert_int_eq(aba_adjust_request(clerk, "AP8", 500, "GOODWILL", NULL, &a, &err), 0);
	ck_assert_str_eq(a.state, "pending");
	s.value = 0;
	ck_assert_int_eq(aba_setting_set(admin, &s, &err), 0);

	/* above the approver limit (10000.00 by default): an admin is needed */
	id = request(clerk, "AP8", 1000001, "GOODWILL");
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_msg(strstr(err.msg, "above your limit of 10000.00") != NULL, "%s", err.msg);
	ck_assert_str_eq(state(id), "pending");
	ck_assert_msg(aba_approval_approve(admin, id, NULL, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(balance("AP8"), 499 + 1000001);
}
END_TEST

START_TEST(auto_approval_is_small_and_bounded_per_maker)
{
	struct aba_setting s = { "auto_approve_below", 1, 99999999999999, "" };
	struct aba_setting daily = { "auto_approve_daily", 1, 15000, "" };
	struct aba_approval a;
	struct aba_err err;

	card("AP20", 0);
	/* an admin cannot make auto-approval a way around the checker */
	ck_assert_int_eq(aba_setting_set(admin, &s, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	s.value = 10001;
	ck_assert_int_eq(aba_setting_set(admin, &s, &err), -1);
	s.value = 10000;
	ck_assert_msg(aba_setting_set(admin, &s, &err) == 0, "%s", err.msg);
	ck_assert_msg(aba_setting_set(admin, &daily, &err) == 0, "%s", err.msg);
	/* 99.00 + 99.00 > 150.00 a day: the second waits for a checker */
	ck_assert_int_eq(aba_adjust_request(admin, "AP20", 9900, "GOODWILL", NULL, &a, &err), 0);
	ck_assert_str_eq(a.state, "approved");
	ck_assert_int_eq(aba_adjust_request(admin, "AP20", 9900, "GOODWILL", NULL, &a, &err), 0);
	ck_assert_str_eq(a.state, "pending");
	/* another maker has a budget of their own */
	ck_assert_int_eq(aba_adjust_request(clerk, "AP20", 5000, "GOODWILL", NULL, &a, &err), 0);
	ck_assert_str_eq(a.state, "approved");
	ck_assert_int_eq(balance("AP20"), 9900 + 5000);
	s.value = 0;
	ck_assert_int_eq(aba_setting_set(admin, &s, &err), 0);
}
END_TEST

START_TEST(inactive_card_and_bad_input_write_nothing)
{
	struct aba_approval a;
	struct aba_err err;
	long long requests, audits;
	int64_t id;

	card("AP9", 1000);
	id = request(clerk, "AP9", 100, "GOODWILL");
	testdb_value(su, "UPDATE aba.cards SET active = false WHERE code = 'AP9' RETURNING 1");
	ck_assert_int_eq(aba_approval_approve(appr, id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_str_eq(err.msg, "card 'AP9' is not active");
	ck_assert_str_eq(state(id), "pending");

	requests = testdb_value(su, "SELECT count(*) FROM aba.approval_requests");
	audits = testdb_value(su, "SELECT count(*) FROM aba.audit_log");
	ck_assert_int_eq(aba_adjust_request(clerk, "AP9", 100, "GOODWILL", NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(aba_adjust_request(clerk, "NOPE", 100, "GOODWILL", NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "card 'NOPE' not found");
	card("AP10", 1000);
	ck_assert_int_eq(aba_adjust_request(clerk, "AP10", 0, "GOODWILL", NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(aba_adjust_request(clerk, "AP10", 100, "BOGUS", NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "reason code 'BOGUS' is not in the list (see aba reason list)");
	ck_assert_int_eq(aba_adjust_request(clerk, "AP10", 100, "VIP", NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "reason code 'VIP' is for override requests, not adjust");
	ck_assert_int_eq(aba_adjust_request(clerk, "AP10", -1001, "CORRECTION", NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	ck_assert_int_eq(aba_approval_approve(appr, 999999, NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "approval request 999999 not found");
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.approval_requests"), requests);
	/* card AP10's creation is audited; nothing else was written */
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.audit_log"), audits + 1);
}
END_TEST

START_TEST(override_request_pins_level_on_approval)
{
	struct aba_approval a;
	struct aba_err err;
	char want[160];

	card("AP11", 0);
	testdb_value(su, "SELECT 1 FROM aba.level_set('TGOLD', 'Test gold', 901, 15000, NULL, NULL)");
	ck_assert_int_eq(aba_override_request(clerk, "AP11", "TGOLD", "2099-12-31", "GOODWILL",
					      NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "reason code 'GOODWILL' is for adjust requests, not override");
	ck_assert_int_eq(aba_override_request(clerk, "AP11", "NOLEVEL", "2099-12-31", "VIP",
					      NULL, &a, &err), -1);
	ck_assert_str_eq(err.msg, "level 'NOLEVEL' not found");
	ck_assert_int_eq(aba_override_request(clerk, "AP11", "TGOLD", "2001-01-01", "VIP",
					      NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_msg(aba_override_request(clerk, "AP11", "TGOLD", "2099-12-31", "VIP", "board",
					   &a, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(a.state, "pending");
	ck_assert_str_eq(a.valid_until, "2099-12-31T00:00:00Z");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code = '%s' AND level_code IS NULL",
			   "AP11"), 1);
	ck_assert_int_eq(aba_approval_approve(clerk, a.id, NULL, &a, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_msg(aba_approval_approve(appr, a.id, "ok", &a, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(a.state, "approved");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code = '%s' AND level_code = 'TGOLD'",
			   "AP11"), 1);
	snprintf(want, sizeof(want), "SELECT count(*) FROM aba.level_overrides WHERE request_id = %lld"
		 " AND valid_until = '2099-12-31T00:00:00Z'", (long long)a.id);
	ck_assert_int_eq(testdb_value(su, want), 1);
	ck_assert_int_eq(audit_count("override.approve", a.id), 1);
	/* the admin-only shortcut of 021 is gone */
	ck_assert_str_eq(testdb_fails(admin, "SELECT aba.level_override_direct('AP11', 'TGOLD',"
				      " now() + interval '1 day', 'x')"), "42501");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("approval");
	TCase *tc = tcase_create("approval");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_all, disconnect_all);
	tcase_add_test(tc, credit_is_posted_on_approval_only);
	tcase_add_test(tc, self_approval_refused_even_for_admin);
	tcase_add_test(tc, double_approval_refused);
	tcase_add_test(tc, racing_approvers_one_wins);
	tcase_add_test(tc, approval_after_expiry_refused_and_swept);
	tcase_add_test(tc, debit_no_longer_covered_fails_cleanly);
	tcase_add_test(tc, reject_needs_a_note_and_cancel_only_by_maker);
	tcase_add_test(tc, thresholds_auto_approve_and_limits);
	tcase_add_test(tc, auto_approval_is_small_and_bounded_per_maker);
	tcase_add_test(tc, inactive_card_and_bad_input_write_nothing);
	tcase_add_test(tc, override_request_pins_level_on_approval);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
