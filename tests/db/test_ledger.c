/* test_ledger.c - the ledger's functions and invariants on a real
 * PostgreSQL: earn, FEFO redeem, expiry, refunds, idempotency, append-only
 * history, and verify. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "testdb.h"

#define DBNAME "t_ledger"

static struct aba_db *db;

static void create_db(void)
{
	aba_db_free(testdb_create(DBNAME));
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
	struct aba_card_new c = { code, "Budi Santoso", "+6281234567", NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
}

static struct aba_posting earn_at(const char *code, int64_t pts, const char *key, const char *at,
				  int days)
{
	struct aba_earn e = { code, pts, key, "test", at, days };
	struct aba_posting p;
	struct aba_err err;

	ck_assert_msg(aba_ledger_earn(db, &e, &p, &err) == 0, "earn %s: %s", key, err.msg);
	return p;
}

static void earn(const char *code, int64_t pts, const char *key, const char *at, int days)
{
	struct aba_posting p = earn_at(code, pts, key, at, days);

	aba_posting_clear(&p);
}

static int redeem(const char *code, int64_t pts, const char *key, const char *at,
		  struct aba_err *err)
{
	struct aba_redeem r = { code, pts, key, "test", at };
	struct aba_posting p;
	int rc = aba_ledger_redeem(db, &r, &p, err);

	if (rc == 0)
		aba_posting_clear(&p);
	return rc;
}

static long long q(const char *fmt, const char *arg)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, arg);
	return testdb_value(db, sql);
}

static long long balance(const char *code)
{
	return q("SELECT balance FROM aba.cards WHERE code = '%s'", code);
}

static long long lot_remaining(const char *code, int nth)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT remaining FROM aba.point_moves l JOIN aba.cards c"
		 " ON c.id = l.card_id WHERE c.code = '%s' ORDER BY l.id OFFSET %d LIMIT 1", code, nth);
	return testdb_value(db, sql);
}

static long problems(const char *code)
{
	struct aba_err err;
	long n = -1;

	ck_assert_msg(aba_ledger_verify(db, code, NULL, NULL, &n, &err) == 0, "%s", err.msg);
	return n;
}

START_TEST(earn_creates_lot_with_expiry)
{
	struct aba_posting p;

	card("E1");
	p = earn_at("E1", 1234, "e1-1", "2026-01-10T00:00:00Z", 30);
	ck_assert_int_eq(p.balance, 1234);
	ck_assert_int_eq(p.replay, 0);
	ck_assert_str_eq(json_string_value(json_object_get(p.result, "kind")), "earn");
	aba_posting_clear(&p);
	ck_assert_int_eq(balance("E1"), 1234);
	ck_assert_int_eq(q("SELECT extract(epoch FROM expires_at - gained_at)/86400 FROM"
			   " aba.point_moves l JOIN aba.cards c ON c.id = l.card_id WHERE code = '%s'",
			   "E1"), 30);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history h JOIN aba.cards c"
			   " ON c.id = h.card_id WHERE code = '%s' AND kind = 'earn'", "E1"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.outbox o JOIN aba.cards c ON c.id = o.card_id"
			   " WHERE code = '%s'", "E1"), 1);
	ck_assert_int_eq(problems("E1"), 0);
}
END_TEST

START_TEST(redeem_consumes_fefo)
{
	struct aba_err err;

	card("F1");
	/* lot 0: no expiry; lot 1: expires late; lot 2: expires first; lot 3: same
	 * expiry as lot 2 but gained later. */
	earn("F1", 1000, "f1-a", "2026-01-01T00:00:00Z", 0);
	earn("F1", 1000, "f1-b", "2026-01-02T00:00:00Z", 300);
	earn("F1", 1000, "f1-c", "2026-01-03T00:00:00Z", 100);
	earn("F1", 1000, "f1-d", "2026-01-04T00:00:00Z", 99);
	ck_assert_int_eq(redeem("F1", 1500, "f1-r1", "2026-02-01T00:00:00Z", &err), 0);
	/* lots 2 and 3 expire the same day (Apr 13): gained earlier goes first. */
	ck_assert_int_eq(lot_remaining("F1", 2), 0);
	ck_assert_int_eq(lot_remaining("F1", 3), 500);
	ck_assert_int_eq(lot_remaining("F1", 1), 1000);
	ck_assert_int_eq(lot_remaining("F1", 0), 1000);
	ck_assert_int_eq(redeem("F1", 1000, "f1-r2", "2026-02-01T00:00:00Z", &err), 0);
	ck_assert_int_eq(lot_remaining("F1", 3), 0);
	ck_assert_int_eq(lot_remaining("F1", 1), 500);
	ck_assert_int_eq(lot_remaining("F1", 0), 1000);	/* no expiry: last */
	ck_assert_int_eq(balance("F1"), 1500);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_moves l JOIN aba.cards c ON"
			   " c.id = l.card_id WHERE code = '%s' AND state = 'depleted'", "F1"), 2);
	ck_assert_int_eq(problems("F1"), 0);
}
END_TEST

START_TEST(redeem_insufficient_changes_nothing)
{
	struct aba_err err;
	long long hist;

	card("I1");
	earn("I1", 500, "i1-a", "2026-01-01T00:00:00Z", 0);
	hist = q("SELECT count(*) FROM aba.point_history WHERE idempotency_key LIKE '%s%%'", "i1-");
	ck_assert_int_eq(redeem("I1", 501, "i1-r", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	ck_assert_str_eq(err.msg, "card 'I1' has 5.00 points available, 5.01 requested");
	ck_assert_int_eq(balance("I1"), 500);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history WHERE idempotency_key LIKE '%s%%'",
			   "i1-"), hist);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "i1-r"), 0);
	/* the key was not used up by the failure */
	ck_assert_int_eq(redeem("I1", 500, "i1-r", NULL, &err), 0);
	ck_assert_int_eq(balance("I1"), 0);
}
END_TEST

START_TEST(redeem_skips_lots_expired_at_posting_time)
{
	struct aba_err err;

	card("X1");
	earn("X1", 1000, "x1-a", "2026-01-01T00:00:00Z", 10);	/* expires Jan 11 */
	earn("X1", 300, "x1-b", "2026-01-02T00:00:00Z", 0);
	ck_assert_int_eq(redeem("X1", 400, "x1-r", "2026-01-12T00:00:00Z", &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	ck_assert_int_eq(redeem("X1", 300, "x1-r", "2026-01-12T00:00:00Z", &err), 0);
	ck_assert_int_eq(lot_remaining("X1", 0), 1000);
	ck_assert_int_eq(lot_remaining("X1", 1), 0);
}
END_TEST

START_TEST(idempotent_replay_and_conflicts)
{
	struct aba_posting first, again;
	struct aba_err err;

	card("K1");
	card("K2");
	first = earn_at("K1", 700, "k1-a", "2026-03-01T00:00:00Z", 0);
	again = earn_at("K1", 700, "k1-a", "2026-03-01T00:00:00Z", 0);
	ck_assert_int_eq(again.replay, 1);
	ck_assert_int_eq(again.id, first.id);
	ck_assert_int_eq(again.balance, 700);
	ck_assert_int_eq(balance("K1"), 700);
	aba_posting_clear(&first);
	aba_posting_clear(&again);

	struct aba_earn other = { "K1", 701, "k1-a", "test", "2026-03-01T00:00:00Z", 0 };
	ck_assert_int_eq(aba_ledger_earn(db, &other, &first, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_str_eq(err.msg, "idempotency key 'k1-a' was already used for a different earn posting");
	other.card = "K2";
	other.points = 700;
	ck_assert_int_eq(aba_ledger_earn(db, &other, &first, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(redeem("K1", 700, "k1-a", NULL, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(balance("K1"), 700);
	ck_assert_int_eq(balance("K2"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE key = '%s'", "k1-a"), 1);
}
END_TEST

START_TEST(expire_is_idempotent)
{
	struct aba_expire_totals t;
	struct aba_err err;

	card("EX1");
	earn("EX1", 1000, "ex1-a", "2025-01-01T00:00:00Z", 30);
	earn("EX1", 250, "ex1-b", "2025-01-05T00:00:00Z", 30);
	earn("EX1", 400, "ex1-c", "2025-06-01T00:00:00Z", 0);
	ck_assert_int_eq(redeem("EX1", 100, "ex1-r", "2025-01-10T00:00:00Z", &err), 0);
	ck_assert_int_eq(aba_ledger_expire(db, "2025-03-01", NULL, NULL, &t, &err), 0);
	ck_assert_int_ge(t.cards, 1);
	ck_assert_int_eq(balance("EX1"), 400);
	ck_assert_int_eq(q("SELECT -sum(delta) FROM aba.point_history h JOIN aba.cards c ON"
			   " c.id = h.card_id WHERE code = '%s' AND kind = 'expire'", "EX1"), 1150);
	/* each expiry is dated at the lot's own expiry */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history h JOIN aba.point_moves l ON"
			   " l.card_id = h.card_id AND l.expires_at = h.at JOIN aba.cards c ON"
			   " c.id = h.card_id WHERE code = '%s' AND kind = 'expire'", "EX1"), 2);
	ck_assert_int_eq(aba_ledger_expire(db, "2025-03-01", NULL, NULL, &t, &err), 0);
	ck_assert_int_eq(t.cards, 0);
	ck_assert_int_eq(t.points, 0);
	ck_assert_int_eq(aba_ledger_expire(db, NULL, NULL, NULL, &t, &err), 0);
	ck_assert_int_eq(balance("EX1"), 400);
	ck_assert_int_eq(aba_ledger_expire(db, "2999-01-01", NULL, NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(problems("EX1"), 0);
}
END_TEST

/* Posts an order directly through the ledger function, as the order
 * module does after evaluating the cart. */
static void post_order(const char *ref, const char *code, const char *at, long long net,
		       long long earn_pts, long long redeem_pts)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT aba.post_order('%s', '%s', '%s', '{\"ref\": \"%s\"}', NULL, %lld, 0, %lld,"
		 " %lld, %lld, 365)", ref, code, at, ref, net, net, earn_pts, redeem_pts);
	testdb_value(db, sql);
}

static struct aba_posting refund(const char *ref, long long amount, const char *key,
				 const char *at)
{
	struct aba_refund r = { ref, amount, key, at };
	struct aba_posting p;
	struct aba_err err;

	ck_assert_msg(aba_ledger_refund(db, &r, &p, &err) == 0, "refund %s: %s", key, err.msg);
	return p;
}

static long long result_int(const struct aba_posting *p, const char *field)
{
	return json_integer_value(json_object_get(p->result, field));
}

START_TEST(refund_full_restores_and_reverses)
{
	struct aba_posting p;

	card("R1");
	earn("R1", 5000, "r1-a", "2026-01-01T00:00:00Z", 0);
	post_order("R1-O1", "R1", "2026-02-01T00:00:00Z", 10000000, 1000, 2000);
	ck_assert_int_eq(balance("R1"), 4000);
	p = refund("R1-O1", -1, "r1-ref1", "2026-02-02T00:00:00Z");
	ck_assert_int_eq(result_int(&p, "points_restored"), 2000);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 1000);
	ck_assert_int_eq(result_int(&p, "shortfall"), 0);
	ck_assert_int_eq(p.balance, 5000);
	aba_posting_clear(&p);
	ck_assert_int_eq(lot_remaining("R1", 0), 5000);	/* back in the lot it came from */
	ck_assert_int_eq(lot_remaining("R1", 1), 0);	/* the order's own lot reversed */
	ck_assert_int_eq(q("SELECT state = 'refunded' FROM aba.orders WHERE ref = '%s'", "R1-O1")
			 ? 1 : 0, 0);
	ck_assert_int_eq(q("SELECT (state = 'refunded')::int FROM aba.orders WHERE ref = '%s'",
			   "R1-O1"), 1);
	ck_assert_int_eq(problems("R1"), 0);
}
END_TEST

START_TEST(refund_partial_is_proportional_and_cumulative)
{
	struct aba_posting p;

	card("R2");
	earn("R2", 1000, "r2-a", "2026-01-01T00:00:00Z", 0);
	/* net 300.00; earned 10.00; redeemed 10.00 */
	post_order("R2-O1", "R2", "2026-02-01T00:00:00Z", 30000, 1000, 1000);
	ck_assert_int_eq(balance("R2"), 1000);
	/* a third of the amount three times: 333, 333, 334 hundredths of points */
	p = refund("R2-O1", 10000, "r2-p1", NULL);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 333);
	ck_assert_int_eq(result_int(&p, "points_restored"), 333);
	aba_posting_clear(&p);
	p = refund("R2-O1", 10000, "r2-p2", NULL);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 334);	/* 667 - 333 */
	aba_posting_clear(&p);
	p = refund("R2-O1", 10000, "r2-p3", NULL);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 333);	/* 1000 - 667 */
	ck_assert_int_eq(result_int(&p, "points_restored"), 333);
	aba_posting_clear(&p);
	ck_assert_int_eq(q("SELECT points_reversed + points_restored FROM aba.orders WHERE ref = '%s'",
			   "R2-O1"), 2000);
	ck_assert_int_eq(balance("R2"), 1000);
	/* nothing left to refund */
	struct aba_refund more = { "R2-O1", 1, "r2-p4", NULL };
	struct aba_err err;
	ck_assert_int_eq(aba_ledger_refund(db, &more, &p, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_int_eq(problems("R2"), 0);
}
END_TEST

START_TEST(refund_reports_shortfall_never_negative)
{
	struct aba_posting p;
	struct aba_err err;

	card("R3");
	post_order("R3-O1", "R3", "2026-02-01T00:00:00Z", 50000, 800, 0);
	ck_assert_int_eq(redeem("R3", 700, "r3-spend", NULL, &err), 0);
	p = refund("R3-O1", -1, "r3-ref", NULL);
	ck_assert_int_eq(result_int(&p, "points_reversed"), 100);
	ck_assert_int_eq(result_int(&p, "shortfall"), 700);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(balance("R3"), 0);
	ck_assert_int_eq(problems("R3"), 0);
}
END_TEST

START_TEST(refund_into_expired_lot_expires_again)
{
	struct aba_posting p;
	struct aba_expire_totals t;
	struct aba_err err;

	card("R4");
	earn("R4", 1000, "r4-a", "2025-01-01T00:00:00Z", 30);	/* expires 2025-01-31 */
	post_order("R4-O1", "R4", "2025-01-10T00:00:00Z", 20000, 0, 600);
	ck_assert_int_eq(aba_ledger_expire(db, "2025-02-01", NULL, NULL, &t, &err), 0);
	ck_assert_int_eq(balance("R4"), 0);
	p = refund("R4-O1", -1, "r4-ref", "2025-02-05T00:00:00Z");
	ck_assert_int_eq(result_int(&p, "points_restored"), 600);
	ck_assert_int_eq(result_int(&p, "points_reexpired"), 600);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history h JOIN aba.cards c ON"
			   " c.id = h.card_id WHERE code = '%s' AND kind = 'expire'", "R4"), 2);
	ck_assert_int_eq(q("SELECT (state = 'expired')::int FROM aba.point_moves l JOIN aba.cards c"
			   " ON c.id = l.card_id WHERE code = '%s'", "R4"), 1);
	ck_assert_int_eq(problems("R4"), 0);
}
END_TEST

START_TEST(refund_into_lot_spent_before_expiry_expires_again)
{
	struct aba_posting p;

	/* lot expires 2025-01-31; the order spends all of it on 2025-01-10, so
	 * expiry never touches it; the refund comes after its expiry date */
	card("R5");
	earn("R5", 1000, "r5-a", "2025-01-01T00:00:00Z", 30);
	post_order("R5-O1", "R5", "2025-01-10T00:00:00Z", 20000, 0, 1000);
	p = refund("R5-O1", -1, "r5-ref", "2026-02-05T00:00:00Z");
	ck_assert_int_eq(result_int(&p, "points_restored"), 1000);
	ck_assert_int_eq(result_int(&p, "points_reexpired"), 1000);
	ck_assert_int_eq(p.balance, 0);
	aba_posting_clear(&p);
	ck_assert_int_eq(q("SELECT (state = 'expired' AND remaining = 0)::int FROM aba.point_moves l"
			   " JOIN aba.cards c ON c.id = l.card_id WHERE code = '%s'", "R5"), 1);
	ck_assert_int_eq(problems("R5"), 0);
}
END_TEST

START_TEST(refund_into_unswept_lot_keeps_it_for_the_sweep)
{
	struct aba_posting p;
	struct aba_expire_totals t;
	struct aba_err err;

	/* lot of 10.00 expires 2025-01-31; the order spends 4.00; nobody runs
	 * expire; the refund after the expiry date re-expires the 4.00 at once
	 * and the sweep later expires the 6.00 left */
	card("R6");
	earn("R6", 1000, "r6-a", "2025-01-01T00:00:00Z", 30);
	post_order("R6-O1", "R6", "2025-01-10T00:00:00Z", 20000, 0, 400);
	p = refund("R6-O1", -1, "r6-ref", "2025-03-01T00:00:00Z");
	ck_assert_int_eq(result_int(&p, "points_reexpired"), 400);
	ck_assert_int_eq(p.balance, 600);
	aba_posting_clear(&p);
	ck_assert_int_eq(problems("R6"), 0);
	ck_assert_int_eq(aba_ledger_expire(db, "2025-03-02", NULL, NULL, &t, &err), 0);
	ck_assert_int_eq(balance("R6"), 0);
	ck_assert_int_eq(problems("R6"), 0);
}
END_TEST

START_TEST(backdated_redeem_cannot_spend_later_points)
{
	struct aba_err err;

	card("BD1");
	earn("BD1", 300, "bd1-a", "2026-01-01T00:00:00Z", 0);
	earn("BD1", 700, "bd1-b", "2026-03-01T00:00:00Z", 0);
	ck_assert_int_eq(redeem("BD1", 400, "bd1-r", "2026-02-01T00:00:00Z", &err), -1);
	ck_assert_int_eq(err.code, ABA_INSUFFICIENT);
	ck_assert_str_eq(err.msg, "card 'BD1' has 3.00 points available, 4.00 requested");
	ck_assert_int_eq(redeem("BD1", 300, "bd1-r", "2026-02-01T00:00:00Z", &err), 0);
	ck_assert_int_eq(lot_remaining("BD1", 1), 700);
}
END_TEST

START_TEST(card_creation_is_audited)
{
	card("AU1");
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE action = 'card.create'"
			   " AND entity_id = '%s' AND actor = session_user", "AU1"), 1);
}
END_TEST

static void count_row(void *arg, const struct aba_card_row *r)
{
	(void)r;
	(*(int *)arg)++;
}

static int search(const char *text)
{
	struct aba_err err;
	int n = 0;

	ck_assert_msg(aba_card_list(db, text, 50, 0, count_row, &n, &err) == 0, "%s", err.msg);
	return n;
}

START_TEST(short_search_matches_prefixes_longer_matches_anywhere)
{
	struct aba_card_new c = { "QX17", "Zaenal Arifin", "+6281299887766", NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(search("qx"), 1);	/* start of the code, any case */
	ck_assert_int_eq(search("za"), 1);	/* start of the name */
	ck_assert_int_eq(search("+6"), search("+62"));
	ck_assert_int_eq(search("17"), 0);	/* two characters: not inside */
	ck_assert_int_eq(search("x17"), 1);	/* three: anywhere */
	ck_assert_int_eq(search("arifin"), 1);
	ck_assert_int_eq(search("99887"), 1);
	ck_assert_int_eq(search("q%"), 0);	/* wildcards are plain characters */
}
END_TEST

START_TEST(history_is_append_only)
{
	card("A1");
	earn("A1", 100, "a1-a", NULL, 0);
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.point_history SET delta = 1"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "DELETE FROM aba.point_history"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "TRUNCATE aba.point_history CASCADE"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.lot_movements SET amount = 1"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "DELETE FROM aba.postings"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.postings SET request = '{}'"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.point_moves SET remaining = -1"), "23514");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.cards SET balance = -1"), "23514");
}
END_TEST

/* Ledger rows refer to postings, entries, lots and movements of their own
 * card, checked per statement (sql/081, and odoo_history's: sql/083): a
 * bad row anywhere in a statement fails all of it; referenced rows stay,
 * with their id and card. */
#define CARD_OF(code) "(SELECT id FROM aba.cards WHERE code = '" code "')"
#define POSTING_OF(key) "(SELECT id FROM aba.postings WHERE key = '" key "')"
#define ENTRY_OF(key) "(SELECT max(id) FROM aba.point_history WHERE idempotency_key = '" key "')"
#define LOT_OF(key) "(SELECT min(l.id) FROM aba.point_moves l JOIN aba.postings p" \
		    " ON p.id = l.posting_id WHERE p.key = '" key "')"

START_TEST(references_are_checked_per_statement)
{
	long long events;

	card("RF1");
	card("RF2");
	earn("RF1", 100, "rf1-a", NULL, 0);
	earn("RF2", 100, "rf2-a", NULL, 0);
	events = testdb_value(db, "SELECT count(*) FROM aba.outbox");
	/* a good row passes (the checks refuse only what they should) */
	ck_assert_int_eq(testdb_value(db, "INSERT INTO aba.outbox (card_id, posting_id, topic, payload)"
				      " VALUES (" CARD_OF("RF1") ", " POSTING_OF("rf1-a") ", 't', '{}')"
				      " RETURNING 1"), 1);
	/* another card's posting, alone or among good rows */
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.outbox (card_id, posting_id, topic, payload)"
				      " VALUES (" CARD_OF("RF1") ", " POSTING_OF("rf1-a") ", 't', '{}'),"
				      " (" CARD_OF("RF1") ", " POSTING_OF("rf2-a") ", 't', '{}')"), "23503");
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.outbox"), events + 1);
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.point_history (card_id, posting_id, kind,"
				      " delta, balance_after, origin, idempotency_key, at) VALUES ("
				      CARD_OF("RF1") ", " POSTING_OF("rf2-a") ", 'adjust', 1, 101, 't',"
				      " 'r2-a', now())"), "23503");
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.point_moves (card_id, posting_id, gained_at,"
				      " initial, remaining, state, origin) VALUES (" CARD_OF("RF2")
				      ", -1, now(), 1, 1, 'active', 't')"), "23503");
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.lot_movements (card_id, history_id, lot_id,"
				      " amount) VALUES (" CARD_OF("RF1") ", " ENTRY_OF("rf1-a") ", "
				      LOT_OF("rf2-a") ", 1)"), "23503");
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.lot_movements (card_id, history_id, lot_id,"
				      " amount, reverses_id) VALUES (" CARD_OF("RF1") ", " ENTRY_OF("rf1-a")
				      ", " LOT_OF("rf1-a") ", 1, (SELECT max(id) FROM aba.lot_movements"
				      " WHERE card_id = " CARD_OF("RF2") "))"), "23503");
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.orders (ref, card_id, posting_id, ordered_at,"
				      " total_base, total_discount, total_net, earned_lot_id) VALUES ('X1', "
				      CARD_OF("RF1") ", " POSTING_OF("rf1-a") ", now(), 0, 0, 0, "
				      LOT_OF("rf2-a") ")"), "23503");
	/* what the checks rely on */
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.point_moves SET card_id = " CARD_OF("RF2")
				      " WHERE id = " LOT_OF("rf1-a")), "AB403");
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.postings SET id = id + 1000"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "DELETE FROM aba.point_moves"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "TRUNCATE aba.point_moves CASCADE"), "AB403");
	ck_assert_str_eq(testdb_fails(db, "TRUNCATE aba.orders CASCADE"), "AB403");
	/* the Odoo import's history rows: checked on insert and update */
	ck_assert_str_eq(testdb_fails(db, "INSERT INTO aba.odoo_history (odoo_id, card_id, issued,"
				      " used, at) VALUES (1, -1, 1, 0, now())"), "23503");
	ck_assert_int_eq(testdb_value(db, "INSERT INTO aba.odoo_history (odoo_id, card_id, issued,"
				      " used, at) VALUES (2, " CARD_OF("RF1") ", 1, 0, now())"
				      " RETURNING 1"), 1);
	ck_assert_str_eq(testdb_fails(db, "UPDATE aba.odoo_history SET posting_id = "
				      POSTING_OF("rf2-a") " WHERE odoo_id = 2"), "23503");
	ck_assert_int_eq(testdb_value(db, "UPDATE aba.odoo_history SET posting_id = "
				      POSTING_OF("rf1-a") " WHERE odoo_id = 2 RETURNING 1"), 1);
	ck_assert_str_eq(testdb_fails(db, "DELETE FROM aba.cards WHERE code = 'RF1'"), "AB403");
	/* the ledger's own updates name no referenced column */
	ck_assert_int_eq(testdb_value(db, "UPDATE aba.point_moves SET remaining = remaining"
				      " WHERE id = " LOT_OF("rf1-a") " RETURNING 1"), 1);
}
END_TEST

START_TEST(verify_finds_a_tampered_balance)
{
	struct aba_err err;
	long n = 0;

	card("V1");
	earn("V1", 100, "v1-a", NULL, 0);
	ck_assert_int_eq(problems("V1"), 0);
	testdb_value(db, "UPDATE aba.cards SET balance = balance + 1 WHERE code = 'V1' RETURNING 1");
	ck_assert_int_eq(aba_ledger_verify(db, "V1", NULL, NULL, &n, &err), 0);
	ck_assert_int_eq(n, 2);	/* vs lots, vs last entry (= sum of deltas, by the sequence) */
	testdb_value(db, "UPDATE aba.cards SET balance = balance - 1 WHERE code = 'V1' RETURNING 1");
	ck_assert_int_eq(problems("V1"), 0);
	ck_assert_int_eq(aba_ledger_verify(db, "NOPE", NULL, NULL, &n, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
}
END_TEST

/* A change behind the ledger's back (triggers off, as only a superuser
 * can), the checks verify must then name for card V2, and the change
 * undone.  verify for one card reads movements through the card's lots
 * and entries, for every card in one grouped pass: both must agree. */
static const char V2_MOVE[] = "(SELECT max(m.id) FROM aba.lot_movements m JOIN aba.cards c"
			      " ON c.id = m.card_id WHERE c.code = 'V2' AND m.amount < 0)";

static void tamper(const char *sql)
{
	char all[1024];

	snprintf(all, sizeof(all), "SET LOCAL session_replication_role = replica; %s", sql);
	testdb_value(db, all);
}

static void verify_names(const char *check, long n)
{
	static const char one_vs_all[] =
		"SELECT count(*) FROM (SELECT problem, detail FROM aba.verify('V2') EXCEPT ALL"
		" SELECT problem, detail FROM aba.verify() WHERE card = 'V2') d";
	static const char all_vs_one[] =
		"SELECT count(*) FROM (SELECT problem, detail FROM aba.verify() WHERE card = 'V2'"
		" EXCEPT ALL SELECT problem, detail FROM aba.verify('V2')) d";

	ck_assert_int_eq(problems("V2"), n);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.verify('V2') WHERE problem = '%s'", check), 1);
	ck_assert_int_eq(testdb_value(db, one_vs_all), 0);
	ck_assert_int_eq(testdb_value(db, all_vs_one), 0);
}

START_TEST(verify_finds_each_broken_movement)
{
	char sql[512];
	struct aba_err err;

	card("V2");
	earn("V2", 10000, "v2-a", NULL, 0);
	ck_assert_int_eq(redeem("V2", 3000, "v2-b", NULL, &err), 0);
	ck_assert_int_eq(problems("V2"), 0);

	/* a lot holding more than its movements: balance too */
	tamper("UPDATE aba.point_moves SET remaining = remaining + 1 WHERE card_id ="
	       " (SELECT id FROM aba.cards WHERE code = 'V2') RETURNING 1");
	verify_names("lot_vs_movements", 2);
	verify_names("balance_vs_lots", 2);
	tamper("UPDATE aba.point_moves SET remaining = remaining - 1 WHERE card_id ="
	       " (SELECT id FROM aba.cards WHERE code = 'V2') RETURNING 1");

	/* a movement changed: its lot and its entry disagree with it */
	snprintf(sql, sizeof(sql), "UPDATE aba.lot_movements SET amount = amount - 1 WHERE id = %s"
		 " RETURNING 1", V2_MOVE);
	tamper(sql);
	verify_names("lot_vs_movements", 2);
	verify_names("history_vs_movements", 2);
	snprintf(sql, sizeof(sql), "UPDATE aba.lot_movements SET amount = amount + 1 WHERE id = %s"
		 " RETURNING 1", V2_MOVE);
	tamper(sql);

	/* a refund giving back more than was taken */
	snprintf(sql, sizeof(sql), "INSERT INTO aba.lot_movements (card_id, history_id, lot_id,"
		 " amount, reverses_id) SELECT card_id, history_id, lot_id, 4000, id FROM"
		 " aba.lot_movements WHERE id = %s RETURNING 1", V2_MOVE);
	tamper(sql);
	verify_names("restore_exceeds_redeem", 3);
	tamper("DELETE FROM aba.lot_movements WHERE reverses_id IS NOT NULL AND amount = 4000"
	       " RETURNING 1");
	ck_assert_int_eq(problems("V2"), 0);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	struct aba_err err;
	struct aba_posting p;

	card("B1");
	struct aba_earn e = { "NOPE", 100, "b1-x", NULL, NULL, 0 };
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), -1);
	ck_assert_int_eq(err.code, ABA_NOT_FOUND);
	ck_assert_str_eq(err.msg, "card 'NOPE' not found");
	e.card = "B1";
	e.points = 0;
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	e.points = -5;
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), -1);
	e.points = 100;
	e.key = "bad\xff key";
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), -1);
	ck_assert_str_eq(err.msg, "idempotency key is not valid UTF-8");
	e.key = "b1-x";
	e.at = "2026-02-30";
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	e.at = NULL;
	e.origin = "x'); DROP TABLE aba.cards; --";
	ck_assert_int_eq(aba_ledger_earn(db, &e, &p, &err), 0);	/* just text */
	aba_posting_clear(&p);
	ck_assert_int_eq(balance("B1"), 100);
	struct aba_card_new dup = { "B1", "Other", NULL, NULL };
	ck_assert_int_eq(aba_card_create(db, &dup, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	struct aba_card_new badcode = { "a b", "Other", NULL, NULL };
	ck_assert_int_eq(aba_card_create(db, &badcode, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("ledger");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_add_test(tc, earn_creates_lot_with_expiry);
	tcase_add_test(tc, redeem_consumes_fefo);
	tcase_add_test(tc, redeem_insufficient_changes_nothing);
	tcase_add_test(tc, redeem_skips_lots_expired_at_posting_time);
	tcase_add_test(tc, idempotent_replay_and_conflicts);
	tcase_add_test(tc, expire_is_idempotent);
	tcase_add_test(tc, refund_full_restores_and_reverses);
	tcase_add_test(tc, refund_partial_is_proportional_and_cumulative);
	tcase_add_test(tc, refund_reports_shortfall_never_negative);
	tcase_add_test(tc, refund_into_expired_lot_expires_again);
	tcase_add_test(tc, refund_into_lot_spent_before_expiry_expires_again);
	tcase_add_test(tc, refund_into_unswept_lot_keeps_it_for_the_sweep);
	tcase_add_test(tc, backdated_redeem_cannot_spend_later_points);
	tcase_add_test(tc, card_creation_is_audited);
	tcase_add_test(tc, short_search_matches_prefixes_longer_matches_anywhere);
	tcase_add_test(tc, history_is_append_only);
	tcase_add_test(tc, references_are_checked_per_statement);
	tcase_add_test(tc, verify_finds_a_tampered_balance);
	tcase_add_test(tc, verify_finds_each_broken_movement);
	tcase_add_test(tc, bad_input_is_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
