/* test_odoo_settle.c - the set-based settlement (sql/062) writes exactly
 * what the card-by-card replay (odoo_settle_card, sql/061) writes.
 *
 * The same exports go into two databases: one settles through
 * aba_odoo_settle (set-based where a card allows it), the other calls
 * odoo_settle_card for every card, as the import did before.  Lots,
 * history, lot movements, postings, outbox events, audit rows and the
 * odoo tables must then read the same, card by card; one card's figures
 * are also checked against values worked out by hand, and which cards
 * take which path against what sql/062 promises. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_audit.h"
#include "aba_ledger.h"
#include "aba_odoo.h"
#include "testdb.h"

static struct aba_db *fast, *slow;
static const char *dir;

/* C1: 20 - 7.645 for 12.355 points: opening 0.01.  C2: 10 taken before
 * anything was earned, then 30 and 4 earned, 31 taken across both lots,
 * 2 points: opening 10, closing -1 (worked out in settles_like_card_by_card).
 * C3: the lot earned second expires first (Odoo's expiration_date is a
 * day; lots expire at the gain's time of day): FEFO is not first in,
 * first out, so odoo_settle_card settles it.  C4: lots expire in the order
 * they were earned: set-based even with an expiry.  C5: one record that
 * moves nothing. */
static const char CARDS[] =
	"[{\"id\": 1, \"code\": \"C1\", \"points\": 12.355, \"partner_id\": [7, \"Budi\"]},\n"
	" {\"id\": 2, \"code\": \"C2\", \"points\": 2.0, \"partner_id\": [8, \"Siti\"]},\n"
	" {\"id\": 3, \"code\": \"C3\", \"points\": 5.0, \"partner_id\": false,"
	"  \"expiration_date\": \"2025-12-31\"},\n"
	" {\"id\": 4, \"code\": \"C4\", \"points\": 5.0, \"partner_id\": false,"
	"  \"expiration_date\": \"2025-12-31\"},\n"
	" {\"id\": 5, \"code\": \"C5\", \"points\": 0, \"partner_id\": false}]\n";

#define H(id, card, issued, used, at) \
	"{\"id\": " #id ", \"card_id\": [" #card ", \"x\"], \"issued\": " issued \
	", \"used\": " used ", \"create_date\": \"" at "\"}"

static const char HISTORY[] = "["
	H(11, 1, "20.0", "0.0", "2024-01-05 10:00:00") ",\n"
	H(12, 1, "0.0", "7.645", "2024-02-05 10:00:00") ",\n"
	H(21, 2, "0", "10", "2024-01-01 10:00:00") ",\n"
	H(22, 2, "30", "0", "2024-01-02 10:00:00") ",\n"
	H(23, 2, "4", "0", "2024-01-03 10:00:00") ",\n"
	H(24, 2, "0", "31", "2024-01-04 10:00:00") ",\n"
	H(31, 3, "10", "0", "2024-01-01 10:00:00") ",\n"
	H(32, 3, "10", "0", "2024-01-02 09:00:00") ",\n"
	H(33, 3, "0", "15", "2024-01-05 12:00:00") ",\n"
	H(41, 4, "10", "0", "2024-01-01 08:00:00") ",\n"
	H(42, 4, "10", "0", "2024-01-03 12:00:00") ",\n"
	H(43, 4, "0", "15", "2024-01-04 12:00:00") ",\n"
	H(51, 5, "0", "0", "2024-01-01 00:00:00") "]\n";

/* Second round: C1 and C2 hold open lots by then (C1 also from a live
 * earn), so odoo_settle_card settles them; C5 has none and takes the
 * set-based path again under its second import key; C6 is new. */
static const char CARDS2[] =
	"[{\"id\": 1, \"code\": \"C1\", \"points\": 17.355, \"partner_id\": [7, \"Budi\"]},\n"
	" {\"id\": 2, \"code\": \"C2\", \"points\": 1.0, \"partner_id\": [8, \"Siti\"]},\n"
	" {\"id\": 5, \"code\": \"C5\", \"points\": 2.5, \"partner_id\": false},\n"
	" {\"id\": 6, \"code\": \"C6\", \"points\": 3.0, \"partner_id\": false}]\n";

static const char HISTORY2[] = "["
	H(14, 1, "5", "0", "2024-03-01 08:00:00") ",\n"
	H(25, 2, "0", "1", "2024-02-01 08:00:00") ",\n"
	H(52, 5, "4", "0", "2024-03-01 08:00:00") ",\n"
	H(53, 5, "0", "1.5", "2024-03-02 08:00:00") ",\n"
	H(61, 6, "3", "0", "2024-03-01 08:00:00") "]\n";

/* Everything a settlement writes, card by card, as one text: ids become
 * ranks within the card, times of the import posting's own clock are left
 * out; rows of live postings are not the import's and stay out. */
static const char SQL_DUMP[] =
	"SELECT concat_ws(E'\\n',"
	" (SELECT string_agg(concat_ws(' ', c.code, h.kind, h.delta, h.balance_after, h.origin,"
	"   h.idempotency_key, h.level_code, h.at, h.actor), E'\\n' ORDER BY c.code, h.id)"
	"  FROM aba.point_history h JOIN aba.cards c ON c.id = h.card_id"
	"  WHERE h.idempotency_key LIKE 'odoo:%'),"
	" (SELECT string_agg(concat_ws(' ', c.code, CASE WHEN p.key LIKE 'odoo:%' THEN"
	"   concat_ws(' ', l.gained_at, l.expires_at) END, l.initial, l.remaining,"
	"   l.state, l.origin, p.key), E'\\n' ORDER BY c.code, l.id)"
	"  FROM aba.point_moves l JOIN aba.cards c ON c.id = l.card_id"
	"  JOIN aba.postings p ON p.id = l.posting_id),"
	" (SELECT string_agg(concat_ws(' ', m.code, m.h, m.l, m.amount, m.reverses_id), E'\\n'"
	"   ORDER BY m.code, m.id) FROM (SELECT c.code, mv.id, mv.amount, mv.reverses_id,"
	"   (SELECT count(*) FROM aba.point_history x WHERE x.card_id = mv.card_id"
	"     AND x.id <= mv.history_id) AS h,"
	"   (SELECT count(*) FROM aba.point_moves x WHERE x.card_id = mv.card_id"
	"     AND x.id <= mv.lot_id) AS l"
	"   FROM aba.lot_movements mv JOIN aba.cards c ON c.id = mv.card_id) m),"
	" (SELECT string_agg(concat_ws(' ', p.key, p.kind, c.code, p.request, p.result - 'posting',"
	"   p.actor), E'\\n' ORDER BY p.key)"
	"  FROM aba.postings p JOIN aba.cards c ON c.id = p.card_id WHERE p.key LIKE 'odoo:%'),"
	" (SELECT string_agg(concat_ws(' ', p.key, o.topic, o.payload - 'posting', o.state),"
	"   E'\\n' ORDER BY p.key)"
	"  FROM aba.outbox o JOIN aba.postings p ON p.id = o.posting_id WHERE p.key LIKE 'odoo:%'),"
	" (SELECT string_agg(concat_ws(' ', a.action, a.entity, a.entity_id, a.before, a.after,"
	"   a.reason, a.actor), E'\\n' ORDER BY a.entity_id, a.after::text)"
	"  FROM aba.audit_log a WHERE a.action = 'odoo.opening_adjustment'),"
	" (SELECT string_agg(concat_ws(' ', c.code, c.balance), E'\\n' ORDER BY c.code)"
	"  FROM aba.cards c),"
	" (SELECT string_agg(concat_ws(' ', o.odoo_id, o.points, o.imported, o.settlements),"
	"   E'\\n' ORDER BY o.odoo_id) FROM aba.odoo_cards o),"
	" (SELECT string_agg(concat_ws(' ', h.odoo_id, p.key), E'\\n' ORDER BY h.odoo_id)"
	"  FROM aba.odoo_history h LEFT JOIN aba.postings p ON p.id = h.posting_id))";

/* The old way: odoo_settle_card for each card that needs it, in id order. */
static const char SQL_CARD_BY_CARD[] =
	"BEGIN; SET LOCAL search_path = aba;"
	" DO $$ DECLARE cid bigint; BEGIN"
	" FOR cid IN SELECT oc.card_id FROM aba.odoo_cards oc WHERE oc.points <> oc.imported"
	"   OR EXISTS (SELECT 1 FROM aba.odoo_history h WHERE h.card_id = oc.card_id"
	"              AND h.posting_id IS NULL) ORDER BY oc.card_id"
	" LOOP PERFORM aba.odoo_settle_card(cid); END LOOP; END $$; COMMIT";

/* Which path each pending card would take, without writing anything. */
static const char SQL_PATHS[] =
	"SELECT string_agg(code || CASE WHEN simple THEN ':set' ELSE ':card' END, ' ' ORDER BY code)"
	"  FROM aba.odoo_settle_simple(ARRAY(SELECT card_id FROM aba.odoo_cards))";

static char *text_of(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	char *s;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%.200s", PQerrorMessage(db->conn));
	s = strdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return s;
}

static void exec_ok(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%.60s: %.300s", sql,
		      PQerrorMessage(db->conn));
	PQclear(res);
}

static const char *fixture(const char *name, const char *text)
{
	static char path[4][128];
	static int n;
	char *p = path[n++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	return p;
}

static void import(struct aba_db *db, const char *path)
{
	struct aba_odoo_file f;
	struct aba_odoo_file_result r;
	struct aba_err err;

	ck_assert_msg(aba_odoo_file_load(path, ABA_ODOO_MODEL_AUTO, &f, &err) == 0, "%s", err.msg);
	ck_assert_msg(aba_odoo_import_file(db, &f, NULL, NULL, &r, &err) == 0, "%s", err.msg);
	aba_odoo_file_free(&f);
}

static void import_both(const char *cards, const char *history)
{
	const char *c = fixture("cards.json", cards), *h = fixture("history.json", history);

	import(fast, c);
	import(fast, h);
	import(slow, c);
	import(slow, h);
}

/* The paths the cards would take, from a transaction rolled back. */
static char *paths(void)
{
	char *s;

	exec_ok(fast, "BEGIN; SET LOCAL search_path = aba");
	s = text_of(fast, SQL_PATHS);
	exec_ok(fast, "ROLLBACK");
	return s;
}

static void settle_both(void)
{
	struct aba_odoo_settlement s;
	struct aba_err err;

	ck_assert_msg(aba_odoo_settle(fast, NULL, NULL, &s, &err) == 0, "%s", err.msg);
	json_decref(s.adjustments);
	exec_ok(slow, SQL_CARD_BY_CARD);
}

static void same_and_sound(void)
{
	char *a = text_of(fast, SQL_DUMP), *b = text_of(slow, SQL_DUMP);
	struct aba_audit_check chk;
	struct aba_err err;

	if (strcmp(a, b) != 0) {
		fixture("fast.txt", a);
		fixture("slow.txt", b);
		testdb_scratch_keep();
		ck_abort_msg("the settlements differ: diff %s/fast.txt %s/slow.txt", dir, dir);
	}
	free(a);
	free(b);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.verify(NULL)"), 0);
	ck_assert_int_eq(testdb_value(slow, "SELECT count(*) FROM aba.verify(NULL)"), 0);
	ck_assert_msg(aba_audit_verify(fast, NULL, &chk, &err) == 0, "%s %s", err.msg, chk.problem);
	ck_assert_int_eq(chk.broken_id, 0);
}

static void setup(void)
{
	aba_db_free(testdb_create("t_odoo_settle_fast"));
	aba_db_free(testdb_create("t_odoo_settle_slow"));
	fast = testdb_connect("t_odoo_settle_fast", NULL, NULL);
	slow = testdb_connect("t_odoo_settle_slow", NULL, NULL);
	dir = testdb_scratch_dir("odoo-settle");
}

static void teardown(void)
{
	aba_db_free(fast);
	aba_db_free(slow);
}

static long long c2(const char *what)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM aba.cards c WHERE c.code = 'C2'", what);
	return testdb_value(fast, sql);
}

START_TEST(settles_like_card_by_card)
{
	char *p;

	import_both(CARDS, HISTORY);
	p = paths();
	ck_assert_str_eq(p, "C1:set C2:set C3:card C4:set C5:set");
	free(p);
	settle_both();
	same_and_sound();
	/* C2 by hand: low -10 (10 taken first), history adds -7, points 2:
	 * opening max(2 + 7, 10) = 10, closing 9 - 10 = -1.  Lots: opening
	 * 10 (taken by #21), #22 30 and #23 4; #24 takes 30 + 1, the closing
	 * 1 more from #23, which keeps 2. */
	ck_assert_int_eq(c2("balance"), 200);
	ck_assert_int_eq(c2("((SELECT string_agg(initial || '/' || remaining || '/' || state, ' '"
			    " ORDER BY id) FROM aba.point_moves WHERE card_id = c.id)::text = "
			    "'1000/0/depleted 3000/0/depleted 400/200/active')::int"), 1);
	ck_assert_int_eq(c2("((SELECT string_agg(delta || '=' || balance_after, ' ' ORDER BY id)"
			    " FROM aba.point_history WHERE card_id = c.id) = "
			    "'1000=1000 -1000=0 3000=3000 400=3400 -3100=300 -100=200')::int"), 1);
	ck_assert_int_eq(c2("((SELECT string_agg(m.amount::text, ' ' ORDER BY m.id)"
			    " FROM aba.lot_movements m WHERE m.card_id = c.id) = "
			    "'1000 -1000 3000 400 -3000 -100 -100')::int"), 1);
	/* C3 went FEFO: the lot earned second (expiring 09:00) first. */
	ck_assert_int_eq(testdb_value(fast, "SELECT remaining FROM aba.point_moves"
				      " WHERE origin = 'odoo:31'"), 500);
}
END_TEST

START_TEST(second_round_mixes_both_paths)
{
	struct aba_earn e = { "C1", 500, "live-1", "test", NULL, 0 };
	struct aba_posting post;
	struct aba_err err;
	char *p;

	import_both(CARDS, HISTORY);
	settle_both();
	/* Live activity between the imports, the same in both. */
	ck_assert_msg(aba_ledger_earn(fast, &e, &post, &err) == 0, "%s", err.msg);
	aba_posting_clear(&post);
	ck_assert_msg(aba_ledger_earn(slow, &e, &post, &err) == 0, "%s", err.msg);
	aba_posting_clear(&post);
	import_both(CARDS2, HISTORY2);
	p = paths();
	ck_assert_str_eq(p, "C1:card C2:card C5:set C6:set");
	free(p);
	settle_both();
	same_and_sound();
	ck_assert_int_eq(testdb_value(fast, "SELECT balance FROM aba.cards WHERE code = 'C5'"), 250);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.postings"
				      " WHERE key = 'odoo:card:5:import:2'"), 1);
}
END_TEST

/* Many cards: aba_odoo_settle settles runs of 500 on two connections side
 * by side.  1,234 cards (three runs, the last short), every tenth one for
 * odoo_settle_card (its second lot expires first), every seventh with
 * points its history does not add up to.  The result must be what the
 * card-by-card replay writes, and the runs' answers come back in card
 * order. */
#define MANY 1234

static char *many_cards(void)
{
	char *s = malloc(MANY * 160 + 8), *p = s;

	p += sprintf(p, "[");
	for (int i = 1; i <= MANY; i++)
		p += sprintf(p, "%s{\"id\": %d, \"code\": \"M%04d\", \"points\": %d.0, \"partner_id\":"
			     " false, \"expiration_date\": %s}", i > 1 ? ",\n" : "", 100 + i, i,
			     9 + i % 5 + (i % 7 == 0 ? 3 : 0),
			     i % 10 == 0 ? "\"2025-12-31\"" : "false");
	sprintf(p, "]\n");
	return s;
}

static char *many_history(void)
{
	char *s = malloc(MANY * 3 * 160 + 8), *p = s;

	p += sprintf(p, "[");
	for (int i = 1; i <= MANY; i++) {
		int id = 1000 + i * 3;

		p += sprintf(p, "%s{\"id\": %d, \"card_id\": [%d, \"x\"], \"issued\": %d, \"used\": 0,"
			     " \"create_date\": \"2024-01-01 10:00:00\"},\n", i > 1 ? ",\n" : "", id,
			     100 + i, 10 + i % 5);
		p += sprintf(p, "{\"id\": %d, \"card_id\": [%d, \"x\"], \"issued\": 2, \"used\": 0,"
			     " \"create_date\": \"2024-01-02 09:00:00\"},\n", id + 1, 100 + i);
		p += sprintf(p, "{\"id\": %d, \"card_id\": [%d, \"x\"], \"issued\": 0, \"used\": 3,"
			     " \"create_date\": \"2024-01-03 10:00:00\"}", id + 2, 100 + i);
	}
	sprintf(p, "]\n");
	return s;
}

struct seen {
	size_t calls, last, total;
};

static void count_progress(void *arg, const struct aba_odoo_progress *p)
{
	struct seen *s = arg;

	s->calls++;
	s->last = p->done;
	s->total = p->total;
}

START_TEST(many_runs_settle_side_by_side)
{
	char *cards = many_cards(), *history = many_history();
	struct aba_odoo_settlement s;
	struct seen seen = { 0 };
	struct aba_err err;

	import_both(cards, history);
	free(cards);
	free(history);
	ck_assert_msg(aba_odoo_settle(fast, count_progress, &seen, &s, &err) == 0, "%s", err.msg);
	exec_ok(slow, SQL_CARD_BY_CARD);
	ck_assert_int_eq(s.cards, MANY);
	ck_assert_int_eq(s.replayed, MANY * 3);
	ck_assert_int_eq(json_array_size(s.adjustments), MANY / 7);
	/* in card order, whichever connection settled them */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.adjustments, 0),
							   "card")), "M0007");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.adjustments,
									  MANY / 7 - 1), "card")),
			 "M1232");
	json_decref(s.adjustments);
	ck_assert_uint_eq(seen.calls, 3);
	ck_assert_uint_eq(seen.last, MANY);
	ck_assert_uint_eq(seen.total, MANY);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.audit_log"
				      " WHERE action = 'odoo.settle'"
				      " AND (after ->> 'cards')::int = 1234"), 1);
	same_and_sound();
}
END_TEST

/* A run that fails (card M1100 inactive: odoo_settle_card refuses it)
 * undoes only its own cards; the two runs before it stay settled, the
 * error says so, and settling again after the card is active finishes. */
START_TEST(a_failed_run_keeps_the_runs_before)
{
	char *cards = many_cards(), *history = many_history();
	struct aba_odoo_settlement s;
	struct aba_err err;

	import(fast, fixture("cards.json", cards));
	import(fast, fixture("history.json", history));
	free(cards);
	free(history);
	exec_ok(fast, "UPDATE aba.cards SET active = false WHERE code = 'M1100'");
	ck_assert_int_eq(aba_odoo_settle(fast, NULL, NULL, &s, &err), -1);
	ck_assert_ptr_null(s.adjustments);
	ck_assert_int_eq(s.cards, 1000);
	ck_assert_msg(strstr(err.msg, "is not active") && strstr(err.msg, "1000 cards were settled"),
		      "%s", err.msg);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.odoo_cards"
				      " WHERE imported = points AND settlements = 1"), 1000);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.audit_log"
				      " WHERE action = 'odoo.settle'"
				      " AND (after ->> 'cards')::int = 1000"), 1);
	exec_ok(fast, "UPDATE aba.cards SET active = true WHERE code = 'M1100'");
	ck_assert_msg(aba_odoo_settle(fast, NULL, NULL, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(s.cards, MANY - 1000);
	json_decref(s.adjustments);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.odoo_cards"
				      " WHERE imported = points AND settlements = 1"), MANY);
	ck_assert_int_eq(testdb_value(fast, "SELECT count(*) FROM aba.verify(NULL)"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("odoo_settle");
	TCase *tc = tcase_create("odoo_settle");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, settles_like_card_by_card);
	tcase_add_test(tc, second_round_mixes_both_paths);
	tcase_add_test(tc, many_runs_settle_side_by_side);
	tcase_add_test(tc, a_failed_run_keeps_the_runs_before);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
