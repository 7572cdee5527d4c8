/* test_console_data.c - what the console's card and membership screens
 * read, as a clerk: history in keyset pages (every entry once, newest
 * first, whatever is posted meanwhile), a card's orders newest first, and
 * overrides active before lapsed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order.h"
#include "aba_order_list.h"
#include "aba_override_list.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_console_data"
#define ENTRIES 250

static struct aba_db *su, *clerk;

static void earn(const char *code, int64_t points, const char *key)
{
	struct aba_earn e = { code, points, key, NULL, NULL, 0 };
	struct aba_posting p;
	struct aba_err err;

	ck_assert_msg(aba_ledger_earn(su, &e, &p, &err) == 0, "%s", err.msg);
	aba_posting_clear(&p);
}

static void card(const char *code)
{
	struct aba_card_new c = { code, "Dewi Kartika", NULL, NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(su, &c, &err) == 0, "%s", err.msg);
}

static void setup(void)
{
	su = testdb_create(DBNAME);
	clerk = testdb_connect(DBNAME, "t_cd_clerk", "aba_clerk");
}

static void teardown(void)
{
	aba_db_free(clerk);
	aba_db_free(su);
}

/* Earns 1.00, 2.00, ... ENTRIES.00: entry k (oldest 1) has delta k*100. */
START_TEST(history_pages_cover_every_entry_once)
{
	struct aba_history_entry page[100];
	int64_t before = 0, expect = ENTRIES, seen = 0;
	char key[32];
	struct aba_err err;
	int n, pages = 0;

	card("H1");
	card("H2");
	for (int k = 1; k <= ENTRIES; k++) {
		snprintf(key, sizeof(key), "h%d", k);
		earn("H1", k * 100, key);
	}
	earn("H2", 700, "other");
	do {
		ck_assert_msg(aba_card_history(clerk, "H1", before, 100, page, &n, &err) == 0, "%s",
			      err.msg);
		for (int i = 0; i < n; i++, expect--, seen++) {
			ck_assert_int_eq(page[i].delta, expect * 100);
			/* balance_after of entry k is 1+2+...+k points */
			ck_assert_int_eq(page[i].balance_after, expect * (expect + 1) / 2 * 100);
			ck_assert_int_lt(page[i].id, before ? before : INT64_MAX);
		}
		if (n)
			before = page[n - 1].id;
		if (pages++ == 0)
			earn("H1", 5, "meanwhile");	/* newer than page 1: must not shift the pages */
	} while (n == 100);
	ck_assert_int_eq(seen, ENTRIES);
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(n, 50);
	/* The newest page now starts with the entry posted meanwhile. */
	ck_assert_int_eq(aba_card_history(clerk, "H1", 0, 1, page, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(page[0].delta, 5);
	ck_assert_int_eq(aba_card_history(clerk, "NOPE", 0, 10, page, &n, &err), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(aba_card_history(clerk, "H1", 0, 0, page, &n, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
}
END_TEST

static void post(const char *ref, const char *at, const char *price)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:[{s:s, s:i, s:s}]}", "ref", ref, "card", "O1",
			      "at", at, "lines", "product", "SKU-1", "qty", 2, "unit_price", price);
	struct aba_order_result r;
	struct aba_err err;

	ck_assert_msg(aba_order_post(su, NULL, o, &r, &err) == 0, "%s", err.msg);
	aba_order_result_clear(&r);
	json_decref(o);
}

struct orders {
	struct aba_order_row rows[8];
	int n;
};

static void add_order(void *arg, const struct aba_order_row *o)
{
	struct orders *s = arg;

	ck_assert_int_lt(s->n, 8);
	s->rows[s->n++] = *o;
}

START_TEST(orders_newest_first)
{
	struct orders s = { .n = 0 };
	struct aba_err err;

	card("O1");
	post("R-OLD", "2026-01-05T10:00:00Z", "1000.00");
	post("R-NEW", "2026-03-05T10:00:00Z", "250.50");
	post("R-MID", "2026-02-05T10:00:00Z", "10.00");
	ck_assert_msg(aba_order_list(clerk, "O1", 10, add_order, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.rows[0].ref, "R-NEW");
	ck_assert_str_eq(s.rows[1].ref, "R-MID");
	ck_assert_str_eq(s.rows[2].ref, "R-OLD");
	ck_assert_str_eq(s.rows[0].at, "2026-03-05T10:00:00Z");
	ck_assert_int_eq(s.rows[0].total_base, 50100);	/* 2 x 250.50 */
	ck_assert_int_eq(s.rows[2].total_net, 200000);
	ck_assert_str_eq(s.rows[0].state, "posted");
	s.n = 0;
	ck_assert_int_eq(aba_order_list(clerk, "O1", 2, add_order, &s, &err), 0);
	ck_assert_int_eq(s.n, 2);
}
END_TEST

struct ovs {
	struct aba_override_row rows[8];
	int n;
};

static void add_ov(void *arg, const struct aba_override_row *o)
{
	struct ovs *s = arg;

	ck_assert_int_lt(s->n, 8);
	s->rows[s->n++] = *o;
}

START_TEST(overrides_active_then_lapsed)
{
	struct aba_level l = { .sequence = 10, .multiplier = 10000 };
	char far[ABA_TIME_BUFSZ], near[ABA_TIME_BUFSZ];
	struct ovs s = { .n = 0 };
	struct aba_err err;
	int64_t id;

	snprintf(l.code, sizeof(l.code), "VIP");
	snprintf(l.name, sizeof(l.name), "VIP");
	ck_assert_msg(aba_member_level_set(su, &l, &err) == 0, "%s", err.msg);
	card("V1");
	card("V2");
	card("V3");
	aba_time_format((int64_t)time(NULL) + 90 * 86400, far);
	aba_time_format((int64_t)time(NULL) + 10 * 86400, near);
	ck_assert_msg(aba_member_override(su, "V1", "VIP", far, "loyal", &id, &err) == 0, "%s", err.msg);
	ck_assert_msg(aba_member_override(su, "V2", "VIP", near, "event", &id, &err) == 0, "%s", err.msg);
	/* A lapsed one, as it would stand after its time: written as the superuser. */
	testdb_value(su, "INSERT INTO aba.level_overrides (card_id, level_code, valid_from,"
		     " valid_until, reason, actor) SELECT id, 'VIP', '2025-01-01Z', '2025-02-01Z',"
		     " 'old', 'someone' FROM aba.cards WHERE code = 'V3' RETURNING 0");
	ck_assert_msg(aba_override_list(clerk, 10, add_ov, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.rows[0].card, "V2");	/* lapses soonest */
	ck_assert_int_eq(s.rows[0].active, 1);
	ck_assert_str_eq(s.rows[0].until, near);
	ck_assert_str_eq(s.rows[1].card, "V1");
	ck_assert_int_eq(s.rows[1].active, 1);
	ck_assert_str_eq(s.rows[2].card, "V3");
	ck_assert_int_eq(s.rows[2].active, 0);
	ck_assert_str_eq(s.rows[2].until, "2025-02-01T00:00:00Z");
	ck_assert_str_eq(s.rows[2].reason, "old");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("console_data");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, history_pages_cover_every_entry_once);
	tcase_add_test(tc, orders_newest_first);
	tcase_add_test(tc, overrides_active_then_lapsed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
