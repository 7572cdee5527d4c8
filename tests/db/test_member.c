/* test_member.c - membership on a real PostgreSQL: the level valid at an
 * order's time (defect 3), upgrades as soon as spend reaches a threshold,
 * evaluation up/down/idempotent, overrides and their lapse, who may do
 * what, and that level history is never rewritten. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aba_card.h"
#include "aba_member.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_member"
#define DAY 86400

static struct aba_db *db;
static char times[16][ABA_TIME_BUFSZ];
static int ntimes;

/* The time `days` days ago (fractions allowed through seconds). */
static const char *ago(long seconds)
{
	char *buf = times[ntimes++ % 16];

	return aba_time_format((int64_t)time(NULL) - seconds, buf);
}

static void level(const char *code, int seq, int64_t mult, int64_t threshold, int down)
{
	struct aba_level l = { .sequence = seq, .multiplier = mult, .has_path = 1,
			       .threshold = threshold, .window_days = 30, .upgradable = 1,
			       .downgradable = down };
	struct aba_err err;

	snprintf(l.code, sizeof(l.code), "%s", code);
	snprintf(l.name, sizeof(l.name), "%s level", code);
	ck_assert_msg(aba_member_level_set(db, &l, &err) == 0, "%s", err.msg);
}

static void create_db(void)
{
	db = testdb_create(DBNAME);
	/* 30-day windows: GOLD from 5,000.00, PLAT from 20,000.00 and kept. */
	level("SILVER", 10, 10000, 0, 1);
	level("GOLD", 20, 15000, 500000, 1);
	level("PLAT", 30, 20000, 2000000, 0);
	aba_db_free(db);
	db = NULL;
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

static void card(const char *code)
{
	struct aba_card_new c = { code, "Siti Rahayu", NULL, NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
}

static const char *level_at(const char *code, const char *at)
{
	static char lv[ABA_LEVEL_CODE_MAX + 8];
	struct aba_err err;
	int64_t mult;

	ck_assert_msg(aba_member_level_at(db, code, at, lv, &mult, &err) == 0, "%s", err.msg);
	return lv;
}

/* post_order with the level the test names ("" = none); returns the SQLSTATE
 * of a failure or "" and the result's upgraded_to in upgraded. */
static const char *order(const char *ref, const char *code, const char *at, long long net,
			 const char *lv, char *upgraded)
{
	static char state[6];
	char sql[1024];
	PGresult *res;

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(aba.post_order('%s', '%s', '%s', '{\"ref\": \"%s\"}', %s%s%s,"
		 " %lld, 0, %lld, 0, 0) ->> 'upgraded_to', '')",
		 ref, code, at, ref, *lv ? "'" : "", *lv ? lv : "NULL", *lv ? "'" : "", net, net);
	res = PQexec(db->conn, sql);
	state[0] = '\0';
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		if (upgraded)
			strcpy(upgraded, PQgetvalue(res, 0, 0));
	} else {
		snprintf(state, sizeof(state), "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
	}
	PQclear(res);
	return state;
}

static struct aba_member_totals evaluate(const char *as_of, const char *code)
{
	struct aba_member_totals t;
	struct aba_err err;

	ck_assert_msg(aba_member_evaluate(db, as_of, code, NULL, NULL, NULL, &t, &err) == 0,
		      "%s", err.msg);
	return t;
}

static long long q(const char *fmt, const char *arg)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, arg);
	return testdb_value(db, sql);
}

static long long periods(const char *code)
{
	return q("SELECT count(*) FROM aba.level_history h JOIN aba.cards c ON c.id = h.card_id"
		 " WHERE c.code = '%s'", code);
}

static void expect_card_level(const char *code, const char *lv)
{
	char sql[256];
	PGresult *res;

	snprintf(sql, sizeof(sql), "SELECT coalesce(level_code, '') FROM aba.cards WHERE code = '%s'",
		 code);
	res = PQexec(db->conn, sql);
	ck_assert_str_eq(PQgetvalue(res, 0, 0), lv);
	PQclear(res);
}

START_TEST(order_uses_level_valid_at_its_time)
{
	char up[40] = "";
	const char *t60 = ago(60 * DAY), *t50 = ago(50 * DAY), *t45 = ago(45 * DAY);
	const char *t47 = ago(47 * DAY), *t46 = ago(46 * DAY), *t44 = ago(44 * DAY);

	card("S1");
	ck_assert_int_eq(evaluate(t60, "S1").upgraded, 1);
	ck_assert_str_eq(level_at("S1", t50), "SILVER");
	/* 3,000 then 2,500 within 30 days: the second order reaches GOLD's 5,000
	 * and moves the card up at once, but itself earns at SILVER. */
	ck_assert_str_eq(order("S1-A", "S1", t50, 300000, "SILVER", up), "");
	ck_assert_str_eq(up, "");
	ck_assert_str_eq(order("S1-B", "S1", t45, 250000, "SILVER", up), "");
	ck_assert_str_eq(up, "GOLD");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.orders WHERE ref = '%s' AND level_code = 'SILVER'",
			   "S1-B"), 1);
	ck_assert_str_eq(level_at("S1", t45), "SILVER");
	ck_assert_str_eq(level_at("S1", t44), "GOLD");
	expect_card_level("S1", "GOLD");
	/* An offline order from before the upgrade arrives late: it earns at
	 * SILVER, and claiming GOLD for it is refused. */
	ck_assert_str_eq(level_at("S1", t47), "SILVER");
	ck_assert_str_eq(order("S1-C", "S1", t47, 10000, "GOLD", NULL), "AB409");
	ck_assert_str_eq(order("S1-C", "S1", t47, 10000, "SILVER", up), "");
	ck_assert_str_eq(up, "");	/* later orders exist: nothing rewritten */
	ck_assert_str_eq(order("S1-D", "S1", t46, 10000, "", NULL), "AB409");
	ck_assert_int_eq(periods("S1"), 2);
}
END_TEST

START_TEST(evaluation_moves_down_and_is_idempotent)
{
	struct aba_member_totals t;
	char as_of[ABA_TIME_BUFSZ];
	const char *t40 = ago(40 * DAY);

	card("D1");
	ck_assert_str_eq(order("D1-A", "D1", t40, 600000, "", NULL), "");
	/* none -> GOLD at once (6,000 >= 5,000) */
	expect_card_level("D1", "GOLD");
	/* 40 days later nothing is left in the 30-day window: down to SILVER. */
	snprintf(as_of, sizeof(as_of), "%s", ago(0));
	t = evaluate(as_of, "D1");
	ck_assert_int_eq(t.downgraded, 1);
	expect_card_level("D1", "SILVER");
	ck_assert_int_eq(periods("D1"), 2);
	/* the same as-of again changes nothing */
	t = evaluate(as_of, "D1");
	ck_assert_int_eq(t.unchanged, 1);
	ck_assert_int_eq(t.downgraded, 0);
	ck_assert_int_eq(periods("D1"), 2);
	/* an earlier as-of would rewrite history: skipped */
	t = evaluate(ago(10 * DAY), "D1");
	ck_assert_int_eq(t.skipped, 1);
	ck_assert_int_eq(periods("D1"), 2);
	ck_assert_str_eq(level_at("D1", ago(20 * DAY)), "GOLD");
}
END_TEST

START_TEST(evaluation_moves_up_and_keeps_non_downgradable)
{
	struct aba_member_totals t;
	char up[40] = "";

	card("U1");
	/* A small order, then a big offline one from before it: no upgrade at
	 * posting (it would rewrite the later order's level), evaluation does. */
	ck_assert_str_eq(order("U1-A", "U1", ago(3 * DAY), 10000, "", up), "");
	ck_assert_str_eq(up, "SILVER");
	ck_assert_str_eq(order("U1-B", "U1", ago(5 * DAY), 600000, "", up), "");
	ck_assert_str_eq(up, "");
	expect_card_level("U1", "SILVER");
	t = evaluate(NULL, "U1");
	ck_assert_int_eq(t.upgraded, 1);
	expect_card_level("U1", "GOLD");
	ck_assert_int_eq(q("SELECT spend FROM aba.level_history h JOIN aba.cards c ON c.id = h.card_id"
			   " WHERE c.code = '%s' AND valid_to IS NULL", "U1"), 610000);

	/* PLAT is not downgradable: reached 40 days ago, kept today. */
	card("P1");
	ck_assert_str_eq(order("P1-A", "P1", ago(40 * DAY), 2500000, "", up), "");
	ck_assert_str_eq(up, "PLAT");
	t = evaluate(NULL, "P1");
	ck_assert_int_eq(t.unchanged, 1);
	expect_card_level("P1", "PLAT");
}
END_TEST

START_TEST(override_pins_until_it_lapses)
{
	struct aba_member_info m;
	struct aba_err err;
	int64_t id = 0;
	struct aba_member_totals t;

	card("O1");
	evaluate(NULL, "O1");
	expect_card_level("O1", "SILVER");
	ck_assert_int_eq(aba_member_override(db, "O1", "GOLD", ago(-2), "complaint", &id, &err), 0);
	ck_assert_int_gt(id, 0);
	expect_card_level("O1", "GOLD");
	ck_assert_int_eq(aba_member_info(db, "O1", NULL, &m, &err), 0);
	ck_assert_str_eq(m.override_level, "GOLD");
	ck_assert_str_eq(m.override_reason, "complaint");
	ck_assert_str_eq(m.change, "override");
	aba_member_info_clear(&m);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE action = 'level.override'"
			   " AND entity_id = '%s'", "O1"), 1);
	t = evaluate(NULL, "O1");
	ck_assert_int_eq(t.pinned, 1);
	expect_card_level("O1", "GOLD");
	sleep(3);
	t = evaluate(NULL, "O1");
	ck_assert_int_eq(t.lapsed, 1);
	expect_card_level("O1", "SILVER");

	ck_assert_int_eq(aba_member_override(db, "O1", "NOPE", ago(-DAY), "x", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
	ck_assert_str_eq(err.msg, "level 'NOPE' not found");
	ck_assert_int_eq(aba_member_override(db, "O1", "GOLD", ago(DAY), "x", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(aba_member_override(db, "O1", "GOLD", ago(-DAY), "", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(aba_member_override(db, "NOPE", "GOLD", ago(-DAY), "x", NULL, &err), -1);
	ck_assert_str_eq(err.msg, "card 'NOPE' not found");
}
END_TEST

START_TEST(show_reports_spend_and_distance)
{
	struct aba_member_info m;
	struct aba_err err;

	card("W1");
	ck_assert_str_eq(order("W1-A", "W1", ago(10 * DAY), 120000, "", NULL), "");
	ck_assert_str_eq(order("W1-B", "W1", ago(40 * DAY), 999900, "", NULL), "");	/* outside */
	ck_assert_int_eq(aba_member_info(db, "W1", NULL, &m, &err), 0);
	ck_assert_str_eq(m.level, "SILVER");
	ck_assert_int_eq(m.has_spend, 1);
	ck_assert_int_eq(m.spend, 120000);
	ck_assert_str_eq(m.next_level, "GOLD");
	ck_assert_int_eq(m.next_distance, 500000 - 120000);
	ck_assert_int_eq(m.multiplier, 10000);
	aba_member_info_clear(&m);
	ck_assert_int_eq(aba_member_info(db, "NOPE", NULL, &m, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
}
END_TEST

START_TEST(roles_and_bad_input)
{
	struct aba_db *clerk = testdb_connect(DBNAME, "t_member_clerk", "aba_clerk");
	struct aba_db *admin = testdb_connect(DBNAME, "t_member_admin", "aba_admin");
	struct aba_level l = { "BRONZE", "Bronze", 5, 10000, 1, 0, 30, 1, 1 };
	struct aba_member_totals t;
	struct aba_member_info m;
	struct aba_err err;

	card("R1");
	ck_assert_int_eq(aba_member_level_set(clerk, &l, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_int_eq(aba_member_evaluate(clerk, NULL, "R1", NULL, NULL, NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_int_eq(aba_member_override(clerk, "R1", "GOLD", ago(-DAY), "x", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_int_eq(aba_member_info(clerk, "R1", NULL, &m, &err), 0);
	aba_member_info_clear(&m);
	ck_assert_int_eq(testdb_value(clerk, "SELECT count(*) FROM aba.levels"), 3);
	ck_assert_str_eq(testdb_fails(clerk, "INSERT INTO aba.level_history (card_id, level_code,"
				      " valid_from, change) VALUES (1, 'GOLD', now(), 'upgrade')"), "42501");

	ck_assert_int_eq(aba_member_evaluate(admin, NULL, "R1", NULL, NULL, NULL, &t, &err), 0);
	ck_assert_int_eq(t.upgraded, 1);
	l.sequence = 20;	/* GOLD's */
	ck_assert_int_eq(aba_member_level_set(admin, &l, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_str_eq(err.msg, "level sequence 20 is taken by level 'GOLD'");
	l.sequence = 5;
	snprintf(l.code, sizeof(l.code), "bad code");
	ck_assert_int_eq(aba_member_level_set(admin, &l, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	snprintf(l.code, sizeof(l.code), "BRONZE");
	l.window_days = 0;
	ck_assert_int_eq(aba_member_level_set(admin, &l, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(aba_member_evaluate(admin, ago(-DAY), NULL, NULL, NULL, NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.levels"), 3);
	aba_db_free(clerk);
	aba_db_free(admin);
}
END_TEST

START_TEST(level_history_is_never_rewritten)
{
	card("H1");
	evaluate(NULL, "H1");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.level_history SET level_code = 'PLAT'"
				      " WHERE card_id = (SELECT id FROM aba.cards WHERE code = 'H1')"),
			 "AB403");
	ck_assert_str_eq(testdb_fails(db, "DELETE FROM aba.level_history"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.level_overrides SET level_code = 'PLAT'"),
			 "AB403");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE entity = '%s'", "level"), 3);
}
END_TEST

START_TEST(evaluate_all_cards_in_batches)
{
	struct aba_member_totals t;
	char code[16];

	for (int i = 0; i < 1203; i++) {
		snprintf(code, sizeof(code), "B%04d", i);
		card(code);
	}
	t = evaluate(NULL, NULL);
	/* every card of the whole test database was looked at once */
	ck_assert_int_eq(t.cards, testdb_value(db, "SELECT count(*) FROM aba.cards"));
	ck_assert_int_ge(t.upgraded, 1203);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code LIKE '%s' AND level_code = 'SILVER'",
			   "B%"), 1203);
	t = evaluate(NULL, NULL);
	ck_assert_int_eq(t.upgraded + t.downgraded + t.lapsed + t.overridden, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("member");
	TCase *tc = tcase_create("member");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, order_uses_level_valid_at_its_time);
	tcase_add_test(tc, evaluation_moves_down_and_is_idempotent);
	tcase_add_test(tc, evaluation_moves_up_and_keeps_non_downgradable);
	tcase_add_test(tc, override_pins_until_it_lapses);
	tcase_add_test(tc, show_reports_spend_and_distance);
	tcase_add_test(tc, roles_and_bad_input);
	tcase_add_test(tc, level_history_is_never_rewritten);
	tcase_add_test(tc, evaluate_all_cards_in_batches);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
