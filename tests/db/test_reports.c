/* test_reports.c - the ledger reports against figures this test computes
 * itself.
 *
 * A seeded random history of earns, redemptions, orders, full refunds and
 * expiry runs is posted through the ledger while a small model in this
 * file replays the same events (FEFO, expiry, refunds) and keeps every
 * lot's movements with their times.  Liability as of many times (past
 * ones too, on a day boundary, at an expiry instant) and daily activity
 * must match the model, before a summary refresh, with half the history
 * summarised, and with all of it.  Reports run as an auditor.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_amount.h"
#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_report.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_reports"
#define DAY 86400
#define NCARDS 6
#define NEVENTS 160
#define MAXLOTS 400
#define MAXMOVES 2000
#define MAXORDERS 80
#define T0 INT64_C(1735689600) /* 2025-01-01T00:00:00Z */

static struct aba_db *db;	/* superuser: posts */
static struct aba_db *auditor;	/* runs the reports */

/* The model. */
struct lot {
	int card;
	int64_t gained, exp;	/* exp 0: never */
	int64_t remaining;
	const char *level;	/* NULL: none */
	int expired;
};
struct move {
	int lot;
	int64_t at, amount;
};
struct order {
	int card;
	char ref[32];
	int earn_lot;		/* -1: none */
	int first_move, nmoves;	/* its redemption's movements */
	int refunded;
};

static struct lot lots[MAXLOTS];
static struct move moves[MAXMOVES];
static struct order orders[MAXORDERS];
static int nlots, nmoves, norders;

/* Activity by day index since T0. */
enum { A_ORDERS, A_EARN, A_REDEEM, A_EXPIRE, A_RESTORE, A_REVERSE, A_NCOLS };
static int64_t activity[800][A_NCOLS];
static int64_t last_event;

static const char *const card_codes[NCARDS] = { "R0", "R1", "R2", "R3", "R4", "R5" };
static const char *const card_levels[NCARDS] = { "GOLD", "GOLD", "SILVER", "SILVER", NULL, NULL };

static void count(int64_t at, int col, int64_t v)
{
	activity[(at - T0) / DAY][col] += v;
}

static void move(int lot, int64_t at, int64_t amount)
{
	ck_assert_int_lt(nmoves, MAXMOVES);
	moves[nmoves++] = (struct move){ lot, at, amount };
	lots[lot].remaining += amount;
}

static int spendable(int i, int card, int64_t at)
{
	return lots[i].card == card && !lots[i].expired && lots[i].remaining > 0 &&
	       (lots[i].exp == 0 || lots[i].exp > at);
}

static int64_t available(int card, int64_t at)
{
	int64_t sum = 0;

	for (int i = 0; i < nlots; i++)
		if (spendable(i, card, at))
			sum += lots[i].remaining;
	return sum;
}

/* FEFO order: first_lot first, then expiry ascending with no expiry last,
 * then gain time, then id. */
static int fefo_before(int a, int b, int first)
{
	if ((a == first) != (b == first))
		return a == first;
	if ((lots[a].exp == 0) != (lots[b].exp == 0))
		return lots[b].exp == 0;
	if (lots[a].exp != lots[b].exp)
		return lots[a].exp < lots[b].exp;
	if (lots[a].gained != lots[b].gained)
		return lots[a].gained < lots[b].gained;
	return a < b;
}

static int64_t take(int card, int64_t at, int64_t need, int first)
{
	int64_t taken = 0;

	while (taken < need) {
		int best = -1;

		for (int i = 0; i < nlots; i++)
			if (spendable(i, card, at) && (best < 0 || fefo_before(i, best, first)))
				best = i;
		if (best < 0)
			break;
		int64_t t = need - taken < lots[best].remaining ? need - taken : lots[best].remaining;
		move(best, at, -t);
		taken += t;
	}
	return taken;
}

static int new_lot(int card, int64_t at, int64_t pts, int days, const char *level)
{
	ck_assert_int_lt(nlots, MAXLOTS);
	lots[nlots] = (struct lot){ card, at, days ? at + (int64_t)days * DAY : 0, 0, level, 0 };
	move(nlots, at, pts);
	count(at, A_EARN, pts);
	return nlots++;
}

/* Posting helpers: the ledger and the model, side by side. */
static void at_str(int64_t t, char *buf)
{
	aba_time_format(t, buf);
}

static void do_earn(int card, int64_t at, int64_t pts, int days, int n)
{
	char ts[ABA_TIME_BUFSZ], key[32];
	struct aba_earn e = { card_codes[card], pts, key, "test", ts, days };
	struct aba_posting p;
	struct aba_err err;

	at_str(at, ts);
	snprintf(key, sizeof(key), "earn-%d", n);
	ck_assert_msg(aba_ledger_earn(db, &e, &p, &err) == 0, "%s", err.msg);
	aba_posting_clear(&p);
	new_lot(card, at, pts, days, card_levels[card]);
}

static void do_redeem(int card, int64_t at, int64_t pts, int n)
{
	char ts[ABA_TIME_BUFSZ], key[32];
	struct aba_redeem r = { card_codes[card], pts, key, "test", ts };
	struct aba_posting p;
	struct aba_err err;

	at_str(at, ts);
	snprintf(key, sizeof(key), "redeem-%d", n);
	ck_assert_msg(aba_ledger_redeem(db, &r, &p, &err) == 0, "%s", err.msg);
	aba_posting_clear(&p);
	ck_assert_int_eq(take(card, at, pts, -1), pts);
	count(at, A_REDEEM, pts);
}

static void do_order(int card, int64_t at, int64_t earn, int64_t redeem, int n)
{
	char ts[ABA_TIME_BUFSZ], sql[1024];
	struct order *o = &orders[norders++];

	ck_assert_int_le(norders, MAXORDERS);
	at_str(at, ts);
	o->card = card;
	snprintf(o->ref, sizeof(o->ref), "ord-%d", n);
	/* Orders carry the level valid at their time (level history: none). */
	snprintf(sql, sizeof(sql),
		 "SELECT 1 FROM aba.post_order('%s', '%s', '%s', '{\"n\": %d}', NULL, 100000, 0,"
		 " 100000, %" PRId64 ", %" PRId64 ", 60)", o->ref, card_codes[card], ts, n, earn, redeem);
	testdb_value(db, sql);
	o->first_move = nmoves;
	if (redeem)
		take(card, at, redeem, -1);
	o->nmoves = nmoves - o->first_move;
	o->earn_lot = earn ? new_lot(card, at, earn, 60, NULL) : -1;
	count(at, A_REDEEM, redeem);
	count(at, A_ORDERS, 1);
}

/* A full refund: redeemed points back to their lots, last taken first
 * (a lot past its expiry takes them and expires them again at once),
 * then the earned points back, the order's own lot first. */
static void do_refund(struct order *o, int64_t at, int n)
{
	char ts[ABA_TIME_BUFSZ], key[32];
	struct aba_refund r = { o->ref, -1, key, ts };
	struct aba_posting p;
	struct aba_err err;
	int64_t restored = 0;

	at_str(at, ts);
	snprintf(key, sizeof(key), "refund-%d", n);
	ck_assert_msg(aba_ledger_refund(db, &r, &p, &err) == 0, "%s", err.msg);
	aba_posting_clear(&p);
	for (int i = o->first_move + o->nmoves - 1; i >= o->first_move; i--) {
		struct move m = moves[i];

		move(m.lot, at, -m.amount);
		restored += -m.amount;
		/* a lot past its expiry expires what it got back at once */
		if (lots[m.lot].exp && lots[m.lot].exp <= at) {
			move(m.lot, at, m.amount);
			count(at, A_EXPIRE, -m.amount);
		}
	}
	count(at, A_RESTORE, restored);
	if (o->earn_lot >= 0) {
		int64_t due = 0, avail;

		/* all earned points are due back: the lot's first movement */
		for (int i = 0; i < nmoves && !due; i++)
			if (moves[i].lot == o->earn_lot)
				due = moves[i].amount;
		avail = available(o->card, at);
		count(at, A_REVERSE, take(o->card, at, due < avail ? due : avail, o->earn_lot));
	}
	o->refunded = 1;
}

static void do_expire(int64_t at)
{
	char ts[ABA_TIME_BUFSZ];
	struct aba_expire_totals t;
	struct aba_err err;

	at_str(at, ts);
	ck_assert_msg(aba_ledger_expire(db, ts, NULL, NULL, &t, &err) == 0, "%s", err.msg);
	for (int i = 0; i < nlots; i++)
		if (!lots[i].expired && lots[i].exp && lots[i].exp <= at && lots[i].remaining > 0) {
			count(lots[i].exp, A_EXPIRE, lots[i].remaining);
			move(i, lots[i].exp, -lots[i].remaining);
			lots[i].expired = 1;
		}
}

static void create_cards(void)
{
	char sql[256];
	struct aba_err err;

	for (int i = 0; i < NCARDS; i++) {
		struct aba_card_new c = { card_codes[i], "Report Customer", NULL, NULL };

		ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
		if (card_levels[i]) {
			/* The level a lot is earned at comes from the card row; set it
			 * directly, membership is not under test here. */
			snprintf(sql, sizeof(sql), "UPDATE aba.cards SET level_code = '%s' WHERE code = '%s'",
				 card_levels[i], card_codes[i]);
			PQclear(PQexec(db->conn, sql));
		}
	}
}

/* One random event at time t. */
static void random_event(int n, int64_t t)
{
	static const int validity[] = { 0, 20, 45, 90 };
	int card = rand() % NCARDS, r = rand() % 10;
	int64_t avail = available(card, t);

	if (r <= 3 || (r <= 5 && avail == 0)) {
		do_earn(card, t, 100 + rand() % 500000, validity[rand() % 4], n);
	} else if (r <= 5) {
		do_redeem(card, t, 1 + avail * (rand() % 100) / 100, n);
	} else if (r <= 7 && norders < MAXORDERS) {
		do_order(card, t, (rand() % 3) ? 100 + rand() % 20000 : 0,
			 (avail && rand() % 2) ? 1 + avail / 3 : 0, n);
	} else if (r == 8 && norders > 0 && !orders[n % norders].refunded) {
		do_refund(&orders[n % norders], t, n);
	} else {
		do_expire(t);
	}
}

static void refresh_as(const char *login, const char *group, int expect_ok)
{
	struct aba_db *c = testdb_connect(DBNAME, login, group);
	struct aba_report_refresh r;
	struct aba_err err;

	ck_assert_int_eq(aba_report_refresh(c, &r, &err), expect_ok ? 0 : -1);
	if (!expect_ok)
		ck_assert_int_eq(err.code, ABA_DENIED);
	aba_db_free(c);
}

static void setup(void)
{
	int64_t t = T0 + 9 * 3600;

	aba_db_free(testdb_create(DBNAME));
	db = testdb_connect(DBNAME, NULL, NULL);
	srand(20250101);
	create_cards();
	for (int n = 0; n < NEVENTS; n++) {
		if (n == NEVENTS / 2)
			refresh_as("rep_admin", "aba_admin", 1);
		random_event(n, t);
		last_event = t;
		t += 3600 + rand() % (3 * DAY);
	}
	auditor = testdb_connect(DBNAME, "rep_auditor", "aba_auditor");
}

static void teardown(void)
{
	aba_db_free(auditor);
	aba_db_free(db);
}

/* Expected liability at t for one (month, level) group, or in total
 * (month NULL): lots not expired at t, their movements up to t. */
static int64_t model_liability(int64_t t, const char *month, const char *level, int *groups)
{
	int64_t sum = 0;
	char buf[ABA_TIME_BUFSZ];

	for (int i = 0; i < nlots; i++) {
		if (lots[i].exp && lots[i].exp <= t)
			continue;
		if (month) {
			const char *m = lots[i].exp ? aba_time_format(lots[i].exp, buf) : "never";
			const char *lv = lots[i].level ? lots[i].level : "";

			if (strncmp(m, month, strlen(month)) || strcmp(lv, level))
				continue;
		}
		for (int k = 0; k < nmoves; k++)
			if (moves[k].lot == i && moves[k].at <= t)
				sum += moves[k].amount;
	}
	(void)groups;
	return sum;
}

/* Distinct (month, level) groups with a non-zero expected balance. */
static int model_groups(int64_t t)
{
	char seen[MAXLOTS][48], buf[ABA_TIME_BUFSZ], key[48];
	int n = 0;

	for (int i = 0; i < nlots; i++) {
		int dup = 0;

		if (lots[i].exp && lots[i].exp <= t)
			continue;
		snprintf(key, sizeof(key), "%.7s|%s",
			 lots[i].exp ? aba_time_format(lots[i].exp, buf) : "never",
			 lots[i].level ? lots[i].level : "");
		for (int j = 0; j < n; j++)
			dup |= strcmp(seen[j], key) == 0;
		if (dup)
			continue;
		char month[16], *bar = strchr(key, '|');
		snprintf(month, sizeof(month), "%.*s", (int)(bar - key), key);
		if (model_liability(t, month, bar + 1, NULL) != 0)
			snprintf(seen[n++], sizeof(seen[0]), "%s", key);
	}
	return n;
}

static void check_liability_at(int64_t t)
{
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	char ts[ABA_TIME_BUFSZ];
	int rows = 0;

	at_str(t, ts);
	p.as_of = ts;
	ck_assert_msg(aba_report_run(auditor, "liability", &p, &r, &err) == 0, "%s", err.msg);
	for (int i = 0; i < r.nrows; i++) {
		const char *month = aba_report_cell(&r, i, 0)->text;
		const struct aba_report_cell *lv = aba_report_cell(&r, i, 1);
		int64_t got = aba_report_cell(&r, i, 2)->num;

		if (r.total[i]) {
			ck_assert_str_eq(month, "total");
			ck_assert_msg(got == model_liability(t, NULL, NULL, NULL),
				      "total at %s: report %" PRId64 ", model %" PRId64, ts, got,
				      model_liability(t, NULL, NULL, NULL));
			continue;
		}
		rows++;
		ck_assert_msg(got == model_liability(t, month, lv->null ? "" : lv->text, NULL),
			      "%s %s at %s: report %" PRId64 ", model %" PRId64, month,
			      lv->null ? "-" : lv->text, ts, got,
			      model_liability(t, month, lv->null ? "" : lv->text, NULL));
	}
	ck_assert_int_eq(rows, model_groups(t));
	ck_assert_int_eq(r.total[r.nrows - 1], 1);
	aba_report_clear(&r);
}

static void check_liability_times(void)
{
	int64_t mid = T0 + (last_event - T0) / 2;

	check_liability_at(T0 - DAY);	/* before anything: only a total of 0 */
	check_liability_at(mid);
	check_liability_at(mid - mid % DAY);	/* midnight */
	check_liability_at(last_event);
	check_liability_at(last_event + 400 * DAY);	/* only lots that never expire */
	for (int i = 0; i < nlots; i += 7) {
		if (!lots[i].exp)
			continue;
		check_liability_at(lots[i].exp);	/* the instant it expires: gone */
		check_liability_at(lots[i].exp - 1);	/* a second before: still there */
		check_liability_at(lots[i].gained);	/* the instant it is earned: there */
	}
	for (int k = 0; k < 12; k++)
		check_liability_at(T0 + (int64_t)rand() % (last_event - T0 + 30 * DAY));
}

START_TEST(liability_matches_model_half_summarised)
{
	check_liability_times();
}
END_TEST

START_TEST(liability_matches_model_fully_summarised)
{
	check_liability_times();
	refresh_as("rep_admin", "aba_admin", 1);
	check_liability_times();
	/* the summaries hold every history entry now */
	ck_assert_int_eq(testdb_value(db, "SELECT upto FROM aba.report_watermarks WHERE name = 'history'"),
			 testdb_value(db, "SELECT max(id) FROM aba.point_history"));
}
END_TEST

START_TEST(liability_by_level)
{
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	char ts[ABA_TIME_BUFSZ];
	int64_t t = T0 + (last_event - T0) * 3 / 4, want = 0;

	at_str(t, ts);
	p.as_of = ts;
	p.level = "SILVER";
	ck_assert_msg(aba_report_run(auditor, "liability", &p, &r, &err) == 0, "%s", err.msg);
	for (int i = 0; i < nlots; i++)
		if (lots[i].level && strcmp(lots[i].level, "SILVER") == 0 &&
		    (!lots[i].exp || lots[i].exp > t))
			for (int k = 0; k < nmoves; k++)
				if (moves[k].lot == i && moves[k].at <= t)
					want += moves[k].amount;
	ck_assert_int_gt(want, 0);
	for (int i = 0; i < r.nrows - 1; i++)
		ck_assert_str_eq(aba_report_cell(&r, i, 1)->text, "SILVER");
	ck_assert_int_eq(aba_report_cell(&r, r.nrows - 1, 2)->num, want);
	aba_report_clear(&r);
}
END_TEST

static void check_activity(void)
{
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	char from[ABA_TIME_BUFSZ], to[ABA_TIME_BUFSZ];
	int days = (int)((last_event - T0) / DAY) + 1;
	int64_t sums[A_NCOLS] = { 0 };
	/* report column of each model column */
	static const int col[A_NCOLS] = { 1, 2, 3, 4, 6, 7 };

	at_str(T0, from);
	at_str(last_event, to);
	p.from = from;
	p.to = to;
	ck_assert_msg(aba_report_run(auditor, "activity", &p, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.nrows, days + 1);
	for (int d = 0; d < days; d++) {
		char want_day[ABA_TIME_BUFSZ];
		int64_t net = activity[d][A_EARN] - activity[d][A_REDEEM] - activity[d][A_EXPIRE] +
			      activity[d][A_RESTORE] - activity[d][A_REVERSE];

		aba_time_format(T0 + (int64_t)d * DAY, want_day);
		want_day[10] = '\0';
		ck_assert_str_eq(aba_report_cell(&r, d, 0)->text, want_day);
		for (int c = 0; c < A_NCOLS; c++) {
			ck_assert_msg(aba_report_cell(&r, d, col[c])->num == activity[d][c],
				      "%s column %s: report %" PRId64 ", model %" PRId64, want_day,
				      r.cols[col[c]].name, aba_report_cell(&r, d, col[c])->num,
				      activity[d][c]);
			sums[c] += activity[d][c];
		}
		ck_assert_int_eq(aba_report_cell(&r, d, 5)->num, 0);	/* no adjustments */
		ck_assert_int_eq(aba_report_cell(&r, d, 8)->num, net);
	}
	ck_assert(r.total[days]);
	for (int c = 0; c < A_NCOLS; c++)
		ck_assert_int_eq(aba_report_cell(&r, days, col[c])->num, sums[c]);
	ck_assert_int_gt(sums[A_ORDERS], 0);
	ck_assert_int_gt(sums[A_EXPIRE], 0);
	ck_assert_int_gt(sums[A_RESTORE] + sums[A_REVERSE], 0);
	aba_report_clear(&r);
}

START_TEST(activity_matches_model)
{
	check_activity();
	refresh_as("rep_admin", "aba_admin", 1);
	check_activity();
}
END_TEST

START_TEST(refresh_is_for_admins_and_idempotent)
{
	long long before;

	refresh_as("rep_admin", "aba_admin", 1);
	before = testdb_value(db, "SELECT sum(amount) FROM aba.report_lot_flow");
	refresh_as("rep_admin", "aba_admin", 1);	/* nothing new: nothing changes */
	ck_assert_int_eq(testdb_value(db, "SELECT sum(amount) FROM aba.report_lot_flow"), before);
	refresh_as("rep_auditor", "aba_auditor", 0);
	refresh_as("rep_pos", "aba_pos", 0);
	/* the summary of every movement equals the sum of all balances */
	ck_assert_int_eq(before, testdb_value(db, "SELECT sum(balance) FROM aba.cards"));
}
END_TEST

/* Lots relative to now: expiring is a forecast from what lots hold now. */
START_TEST(expiring_top_and_totals)
{
	int64_t now = (int64_t)time(NULL);
	static const char *const codes[] = { "X1", "X2", "X3" };
	/* per card: points per validity (25, 50, 80, 200 days from 10 days ago) */
	static const int64_t pts[3][4] = {
		{ 1000, 2000, 3000, 4000 },
		{ 5000, 0, 0, 100 },
		{ 0, 7000, 500, 0 },
	};
	static const int validity[4] = { 25, 50, 80, 200 };
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	char ts[ABA_TIME_BUFSZ], key[32];
	int n = 0;

	at_str(now - 10 * DAY, ts);
	for (int c = 0; c < 3; c++) {
		struct aba_card_new cn = { codes[c], c == 1 ? "Sari, \"Ibu\"" : "Expiring Customer",
					   NULL, NULL };

		ck_assert_msg(aba_card_create(db, &cn, &err) == 0, "%s", err.msg);
		for (int v = 0; v < 4; v++) {
			struct aba_earn e = { codes[c], pts[c][v], key, "test", ts, validity[v] };
			struct aba_posting ps;

			if (!pts[c][v])
				continue;
			snprintf(key, sizeof(key), "x-%d", n++);
			ck_assert_msg(aba_ledger_earn(db, &e, &ps, &err) == 0, "%s", err.msg);
			aba_posting_clear(&ps);
		}
	}
	/* X1 spends 1500: the 25-day lot (1000), then 500 of the 50-day lot. */
	struct aba_redeem rd = { "X1", 1500, "x-spend", "test", NULL };
	struct aba_posting ps;
	ck_assert_msg(aba_ledger_redeem(db, &rd, &ps, &err) == 0, "%s", err.msg);
	aba_posting_clear(&ps);

	p.top = 2;
	ck_assert_msg(aba_report_run(auditor, "expiring", &p, &r, &err) == 0, "%s", err.msg);
	/* within 30/60/90 days, cumulative:
	 *   X1: 0 / 1500 / 4500    X2: 5000 / 5000 / 5000    X3: 0 / 7000 / 7500
	 * by the 30-day figure, then 60: X2, X3 (X1 is third and left out). */
	ck_assert_int_eq(r.nrows, 3);
	ck_assert_str_eq(aba_report_cell(&r, 0, 0)->text, "X2");
	ck_assert_str_eq(aba_report_cell(&r, 0, 1)->text, "Sari, \"Ibu\"");
	ck_assert_int_eq(aba_report_cell(&r, 0, 3)->num, 5000);
	ck_assert_int_eq(aba_report_cell(&r, 0, 5)->num, 5000);
	ck_assert_str_eq(aba_report_cell(&r, 1, 0)->text, "X3");
	ck_assert_int_eq(aba_report_cell(&r, 1, 3)->num, 0);
	ck_assert_int_eq(aba_report_cell(&r, 1, 4)->num, 7000);
	ck_assert_int_eq(aba_report_cell(&r, 1, 5)->num, 7500);
	ck_assert(r.total[2]);
	ck_assert_int_eq(aba_report_cell(&r, 2, 3)->num, 5000);
	ck_assert_int_eq(aba_report_cell(&r, 2, 4)->num, 1500 + 5000 + 7000);
	ck_assert_int_eq(aba_report_cell(&r, 2, 5)->num, 4500 + 5000 + 7500);
	ck_assert_int_eq(aba_report_cell(&r, 2, 6)->num, 3);
	aba_report_clear(&r);

	/* a past as-of is refused: lots then held other amounts */
	p.as_of = "2025-06-01";
	ck_assert_int_eq(aba_report_run(auditor, "expiring", &p, &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
}
END_TEST

START_TEST(consistency_reports_what_verify_finds)
{
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;

	ck_assert_msg(aba_report_run(auditor, "consistency", &p, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.nrows, 0);
	aba_report_clear(&r);
	/* Break one card's balance behind the ledger's back. */
	testdb_value(db, "UPDATE aba.cards SET balance = balance + 7 WHERE code = 'R2' RETURNING 1");
	ck_assert_msg(aba_report_run(auditor, "consistency", &p, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.nrows, 2);
	ck_assert_str_eq(aba_report_cell(&r, 0, 0)->text, "R2");
	ck_assert_str_eq(aba_report_cell(&r, 0, 1)->text, "balance_vs_history");
	ck_assert_str_eq(aba_report_cell(&r, 1, 1)->text, "balance_vs_lots");
	aba_report_clear(&r);
	testdb_value(db, "UPDATE aba.cards SET balance = balance - 7 WHERE code = 'R2' RETURNING 1");
}
END_TEST

/* The consistency report as the auditor runs it: rows and what its title
 * says it stands on. */
static void consistency(struct aba_report *r, int rows, const char *title_has)
{
	struct aba_report_params p = { 0 };
	struct aba_err err;

	ck_assert_msg(aba_report_run(auditor, "consistency", &p, r, &err) == 0, "%s", err.msg);
	ck_assert_msg(strstr(r->title, title_has), "title '%s' lacks '%s'", r->title, title_has);
	ck_assert_int_eq(r->nrows, rows);
	for (int i = 0; i < rows; i++)
		ck_assert_ptr_nonnull(aba_report_cell(r, i, 0)->text);
}

static long full_pass(void)
{
	struct aba_err err;
	long problems;

	ck_assert_msg(aba_ledger_verify(auditor, NULL, NULL, NULL, &problems, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify_passes"), 1);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify_findings"), problems);
	return problems;
}

START_TEST(consistency_starts_from_the_last_full_pass)
{
	struct aba_report r;
	long r3;

	consistency(&r, 0, "no full pass recorded (aba verify), every card checked now");
	aba_report_clear(&r);
	/* a pass is kept only as the server opened it: no watermark of the
	 * caller's choosing, no pass filled in twice */
	ck_assert_str_eq(testdb_fails(db, "SELECT * FROM aba.verify_record(999999)"), "AB404");
	/* R2 broken behind the ledger's back; a full pass keeps what it found */
	testdb_value(db, "UPDATE aba.cards SET balance = balance + 7 WHERE code = 'R2' RETURNING 1");
	ck_assert_int_eq(full_pass(), 2);
	consistency(&r, 2, ", 0 cards changed since checked now");
	ck_assert_str_eq(testdb_fails(db, "SELECT * FROM aba.verify_record("
				      "(SELECT max(id) FROM aba.verify_passes))"), "AB404");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify_passes"
				      " WHERE history_upto = (SELECT max(id) FROM aba.point_history)"), 1);
	ck_assert_str_eq(aba_report_cell(&r, 0, 0)->text, "R2");
	ck_assert_str_eq(aba_report_cell(&r, 1, 1)->text, "balance_vs_lots");
	aba_report_clear(&r);
	/* mended behind its back too: only a full pass can see that */
	testdb_value(db, "UPDATE aba.cards SET balance = balance - 7 WHERE code = 'R2' RETURNING 1");
	consistency(&r, 2, ", 0 cards changed since");
	aba_report_clear(&r);
	/* a posting to R2 changes it, so it is checked again, live */
	testdb_value(db, "SELECT 1 FROM aba.earn('R2', 500, 'consistency-r2', 'test', now(), 365)");
	consistency(&r, 0, ", 1 card changed since");
	aba_report_clear(&r);
	/* R3 broken, then posted to: the live check finds what verify finds */
	testdb_value(db, "UPDATE aba.cards SET balance = balance + 3 WHERE code = 'R3' RETURNING 1");
	testdb_value(db, "SELECT 1 FROM aba.earn('R3', 500, 'consistency-r3', 'test', now(), 365)");
	r3 = testdb_value(db, "SELECT count(*) FROM aba.verify('R3')");
	ck_assert_int_gt(r3, 0);
	consistency(&r, (int)r3, ", 2 cards changed since");
	for (int i = 0; i < r.nrows; i++)
		ck_assert_str_eq(aba_report_cell(&r, i, 0)->text, "R3");
	aba_report_clear(&r);
	/* the next full pass replaces the last and agrees */
	ck_assert_int_eq(full_pass(), r3);
	consistency(&r, (int)r3, ", 0 cards changed since");
	aba_report_clear(&r);
	/* posted to again: what the pass found about R3's older entries stays */
	testdb_value(db, "SELECT 1 FROM aba.earn('R3', 500, 'consistency-r3b', 'test', now(), 365)");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify('R3')"), r3);
	consistency(&r, (int)r3, ", 1 card changed since");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.verify_since_pass()"
				      " WHERE problem = 'history_sequence'"), 1);
	aba_report_clear(&r);
}
END_TEST

START_TEST(reports_need_a_staff_role_that_reads_the_ledger)
{
	struct aba_db *c = testdb_connect(DBNAME, "rep_approver", "aba_approver");
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;

	/* an approver is a clerk: may read the ledger, so may run reports */
	ck_assert_msg(aba_report_run(c, "liability", &p, &r, &err) == 0, "%s", err.msg);
	aba_report_clear(&r);
	aba_db_free(c);
	/* the POS service account reads cards but runs no reports */
	c = testdb_connect(DBNAME, "rep_pos", "aba_pos");
	ck_assert_int_eq(aba_report_run(c, "liability", &p, &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	aba_db_free(c);
}
END_TEST

/* Without any summary the reports read everything live: same figures. */
START_TEST(reports_exact_without_summaries)
{
	testdb_value(db, "TRUNCATE aba.report_lot_flow,"
			 " aba.report_day_flow, aba.report_day_orders;"
			 " UPDATE aba.report_watermarks SET upto = 0, pending = 0 RETURNING 1");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.report_lot_flow"), 0);
	check_liability_times();
	check_activity();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("reports");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	/* One history for every test: posted once, in the parent. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, liability_matches_model_half_summarised);
	tcase_add_test(tc, liability_by_level);
	tcase_add_test(tc, activity_matches_model);
	tcase_add_test(tc, liability_matches_model_fully_summarised);
	tcase_add_test(tc, reports_exact_without_summaries);
	tcase_add_test(tc, refresh_is_for_admins_and_idempotent);
	/* after the history checks: these add lots near today */
	tcase_add_test(tc, expiring_top_and_totals);
	tcase_add_test(tc, consistency_reports_what_verify_finds);
	tcase_add_test(tc, consistency_starts_from_the_last_full_pass);
	tcase_add_test(tc, reports_need_a_staff_role_that_reads_the_ledger);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
