/* test_odoo.c - import from Odoo exports written here in Odoo's
 * search_read shape: false many2ones, missing optional fields, unicode
 * names, float points, history that does not add up, duplicate codes,
 * malformed records; re-import and reconciliation. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_ledger.h"
#include "aba_odoo.h"
#include "testdb.h"

#define DBNAME "t_odoo"

static struct aba_db *db;
static const char *dir;

static void create_db(void)
{
	aba_db_free(testdb_create(DBNAME));
}

static void connect_db(void)
{
	db = testdb_connect(DBNAME, NULL, NULL);
	dir = testdb_scratch_dir("odoo");
}

static void disconnect_db(void)
{
	aba_db_free(db);
	db = NULL;
}

static const char *fixture(const char *name, const char *text)
{
	static char path[8][128];
	static int n;
	char *p = path[n++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	return p;
}

/* Imports one file; 0 or -1 with err set. */
static int import(const char *path, struct aba_odoo_file_result *r, struct aba_err *err)
{
	struct aba_odoo_file f;
	int rc;

	if (aba_odoo_file_load(path, ABA_ODOO_MODEL_AUTO, &f, err))
		return -1;
	rc = aba_odoo_import_file(db, &f, NULL, NULL, r, err);
	aba_odoo_file_free(&f);
	return rc;
}

static struct aba_odoo_file_result import_ok(const char *path)
{
	struct aba_odoo_file_result r;
	struct aba_err err;

	ck_assert_msg(import(path, &r, &err) == 0, "%s", err.msg);
	return r;
}

static const char *import_fails(const char *path)
{
	static struct aba_err err;
	struct aba_odoo_file_result r;

	ck_assert_msg(import(path, &r, &err) == -1, "%s was imported", path);
	return err.msg;
}

static struct aba_odoo_settlement settle(void)
{
	struct aba_odoo_settlement s;
	struct aba_err err;

	ck_assert_msg(aba_odoo_settle(db, NULL, NULL, &s, &err) == 0, "%s", err.msg);
	return s;
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

static struct aba_odoo_check_result check(const char *a, const char *b)
{
	struct aba_odoo_file f[2];
	struct aba_odoo_check_result r;
	struct aba_err err;
	const char *paths[] = { a, b };

	for (int i = 0; i < 2; i++)
		ck_assert_msg(aba_odoo_file_load(paths[i], ABA_ODOO_MODEL_AUTO, &f[i], &err) == 0,
			      "%s", err.msg);
	ck_assert_msg(aba_odoo_check(db, f, 2, &r, &err) == 0, "%s", err.msg);
	for (int i = 0; i < 2; i++)
		aba_odoo_file_free(&f[i]);
	return r;
}

static const char PARTNERS[] =
	"[{\"id\": 7, \"name\": \"Budi Santoso\", \"email\": \"budi@example.com\","
	"  \"phone\": \"(021) 555.1234\", \"is_company\": false},\n"
	" {\"id\": 8, \"name\": \"Siti Ñúñez 李\", \"email\": false, \"phone\": false,"
	"  \"mobile\": \"+62 812-3456\"}]\n";

/* C-001: history 20 - 7.645 = 12.355 -> 20.00 - 7.65 = 12.35, points 12.355 -> 12.36:
 * opening 0.01.  C-002: no partner, no history: opening 100.00.  C-003: a
 * partner only named in the many2one, history only uses 10: opening 50.00
 * (40 + 10) so that the redemption is covered. */
static const char CARDS[] =
	"[{\"id\": 1, \"code\": \"C-001\", \"points\": 12.355, \"partner_id\": [7, \"Budi Santoso\"],"
	"  \"program_id\": [3, \"Loyalty\"], \"expiration_date\": false},\n"
	" {\"id\": 2, \"code\": \"C-002\", \"points\": 100.0, \"partner_id\": false, \"program_id\": false},\n"
	" {\"id\": 3, \"code\": \"C-003\", \"points\": 40, \"partner_id\": [9, \"Agus Wijaya\"]}]\n";

static const char HISTORY[] =
	"[{\"id\": 11, \"card_id\": [1, \"C-001\"], \"description\": \"Order S1\", \"issued\": 20.0,"
	"  \"used\": 0.0, \"order_id\": [501, \"S00001\"], \"create_date\": \"2024-01-05 10:00:00\"},\n"
	" {\"id\": 12, \"card_id\": [1, \"C-001\"], \"description\": false, \"issued\": 0.0,"
	"  \"used\": 7.645, \"order_id\": false, \"create_date\": \"2024-02-05 10:00:00\"},\n"
	" {\"id\": 13, \"card_id\": [3, \"C-003\"], \"issued\": 0, \"used\": 10,"
	"  \"create_date\": \"2024-02-05 10:00:00\"}]\n";

static void import_all(void)
{
	struct aba_odoo_file_result r;

	r = import_ok(fixture("partners.json", PARTNERS));
	ck_assert_int_eq(r.created, 2);
	r = import_ok(fixture("cards.json", CARDS));
	ck_assert_int_eq(r.records, 3);
	ck_assert_int_eq(r.created, 3);
	r = import_ok(fixture("history.json", HISTORY));
	ck_assert_int_eq(r.created, 3);
}

START_TEST(import_replays_history_and_adjusts_the_rest)
{
	struct aba_odoo_settlement s;
	const json_t *a;

	import_all();
	/* Nothing moves before settlement. */
	ck_assert_int_eq(balance("C-001"), 0);
	s = settle();
	ck_assert_int_eq(s.cards, 3);
	ck_assert_int_eq(s.replayed, 3);
	ck_assert_int_eq(json_array_size(s.adjustments), 3);
	a = json_array_get(s.adjustments, 0);
	ck_assert_str_eq(json_string_value(json_object_get(a, "card")), "C-001");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "opening")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "history")), 1235);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.adjustments, 2),
							    "opening")), 5000);
	json_decref(s.adjustments);
	ck_assert_int_eq(balance("C-001"), 1236);
	ck_assert_int_eq(balance("C-002"), 10000);
	ck_assert_int_eq(balance("C-003"), 4000);
	/* Each Odoo entry is a history entry; adjustments are visible as such. */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history h JOIN aba.cards c ON c.id = h.card_id"
			   " WHERE c.code = '%s' AND h.origin LIKE 'odoo:%%'", "C-001"), 2);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.point_history WHERE kind = 'adjust'"
			   " AND origin = '%s'", "odoo-import"), 3);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.verify(%s)", "NULL"), 0);
	/* Partners: unicode kept, phone cleaned, false many2one, display name. */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.partners WHERE name = '%s'", "Siti Ñúñez 李"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.partners WHERE phone = '%s'", "021 555 1234"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.partners p JOIN aba.cards c ON c.partner_id = p.id"
			   " WHERE c.code = 'C-002' AND p.name = '%s'", "odoo card C-002"), 1);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.partners p JOIN aba.cards c ON c.partner_id = p.id"
			   " WHERE c.code = 'C-003' AND p.name = '%s'", "Agus Wijaya"), 1);
	/* One audit row per file and one for the settlement; the changed
	 * partners and cards, and each card's opening adjustment, on record
	 * from inside the import functions themselves. */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE reason = '%s'", "odoo-import"), 9);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE action = '%s'",
			   "odoo.opening_adjustment"), 3);
	ck_assert_int_eq(q("SELECT (after->>'opening')::int FROM aba.audit_log WHERE action ="
			   " 'odoo.opening_adjustment' AND entity_id = '%s'", "C-003"), 5000);
	ck_assert_int_eq(q("SELECT jsonb_array_length(after->'cards') FROM aba.audit_log WHERE"
			   " action = '%s'", "odoo.import_cards"), 3);
}
END_TEST

START_TEST(reimport_changes_nothing_then_follows_odoo)
{
	struct aba_odoo_file_result r;
	struct aba_odoo_settlement s;
	struct aba_odoo_check_result c;
	long long postings;

	import_all();
	json_decref(settle().adjustments);
	postings = q("SELECT count(*) FROM aba.postings WHERE kind = '%s'", "import");
	ck_assert_int_eq(postings, 3);

	r = import_ok(fixture("partners.json", PARTNERS));
	ck_assert_int_eq(r.unchanged, 2);
	r = import_ok(fixture("cards.json", CARDS));
	ck_assert_int_eq(r.unchanged, 3);
	ck_assert_int_eq(r.created + r.updated, 0);
	r = import_ok(fixture("history.json", HISTORY));
	ck_assert_int_eq(r.unchanged, 3);
	s = settle();
	ck_assert_int_eq(s.cards, 0);
	json_decref(s.adjustments);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.postings WHERE kind = '%s'", "import"), postings);
	ck_assert_int_eq(balance("C-001"), 1236);

	c = check(fixture("cards.json", CARDS), fixture("history.json", HISTORY));
	ck_assert_int_eq(c.cards, 3);
	ck_assert_int_eq(c.consistent, 3);
	ck_assert_int_eq(c.n, 0);
	aba_odoo_check_clear(&c);

	/* Odoo moved on: C-001 earned 5 more (history says so), C-002 was
	 * edited by hand to 150.505 (no history). */
	r = import_ok(fixture("history2.json",
		"[{\"id\": 14, \"card_id\": [1, \"C-001\"], \"issued\": 5, \"used\": 0,"
		"  \"create_date\": \"2024-03-01 08:00:00\"}]"));
	ck_assert_int_eq(r.created, 1);
	r = import_ok(fixture("cards2.json",
		"[{\"id\": 1, \"code\": \"C-001\", \"points\": 17.355, \"partner_id\": [7, \"Budi\"]},"
		" {\"id\": 2, \"code\": \"C-002\", \"points\": 150.505, \"partner_id\": false}]"));
	ck_assert_int_eq(r.updated, 2);
	s = settle();
	ck_assert_int_eq(s.cards, 2);
	ck_assert_int_eq(s.replayed, 1);
	ck_assert_int_eq(json_array_size(s.adjustments), 1);	/* only C-002's 50.51 */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.adjustments, 0),
							    "opening")), 5051);
	json_decref(s.adjustments);
	ck_assert_int_eq(balance("C-001"), 1736);
	ck_assert_int_eq(balance("C-002"), 15051);
	/* The partner's name follows Odoo's many2one only when it was never
	 * imported itself: Budi keeps his res.partner name. */
	ck_assert_int_eq(q("SELECT count(*) FROM aba.partners WHERE name = '%s'", "Budi Santoso"), 1);

	/* Live activity in aba after the import shows as a discrepancy. */
	{
		struct aba_earn e = { "C-003", 500, "live-1", "test", NULL, 0 };
		struct aba_posting p;
		struct aba_err err;

		ck_assert_msg(aba_ledger_earn(db, &e, &p, &err) == 0, "%s", err.msg);
		aba_posting_clear(&p);
	}
	c = check(fixture("cards.json", CARDS), fixture("history.json", HISTORY));
	ck_assert_int_eq(c.cards, 3);
	/* C-001 and C-002 differ from the old export, C-003 from the earn. */
	ck_assert_int_eq(c.consistent, 0);
	ck_assert_int_eq(c.n, 4);	/* 3 balances and C-001's history count 3 vs 2 */
	ck_assert_str_eq(c.v[3].problem, "balance");
	ck_assert_str_eq(c.v[3].card, "C-003");
	ck_assert_int_eq(c.v[3].odoo, 4000);
	ck_assert_int_eq(c.v[3].aba, 4500);
	aba_odoo_check_clear(&c);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.verify(%s)", "NULL"), 0);
}
END_TEST

START_TEST(malformed_file_imports_nothing)
{
	const char *msg;

	msg = import_fails(fixture("bad1.json",
		"[{\"id\": 21, \"code\": \"M-1\", \"points\": 1},"
		" {\"id\": 22, \"code\": \"M-2\", \"points\": 2},"
		" {\"id\": 23, \"code\": \"M-3\", \"points\": 1e20}]"));
	ck_assert_msg(strstr(msg, "bad1.json: record 3 (id 23): points: 1e20 does not fit"), "%s", msg);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code LIKE '%s'", "M-%"), 0);

	msg = import_fails(fixture("bad2.json",
		"[{\"id\": 24, \"code\": \"M-4\", \"points\": 1, \"partner_id\": \"Budi\"}]"));
	ck_assert_msg(strstr(msg, "record 1 (id 24): partner_id: 'Budi' is not an integer id"),
		      "%s", msg);
	msg = import_fails(fixture("bad2b.json",
		"[{\"id\": 24, \"code\": \"M-4\", \"points\": 1, \"program_id\": [3]}]"));
	ck_assert_msg(strstr(msg, "record 1 (id 24): program_id: expected [id, \"name\"] or false"),
		      "%s", msg);
	msg = import_fails(fixture("bad3.json",
		"[{\"id\": 25, \"code\": \"M-5\", \"points\": 1},\n {\"id\": 26, \"code\": }]"));
	ck_assert_msg(strstr(msg, "bad3.json: record 2: malformed JSON"), "%s", msg);
	msg = import_fails(fixture("bad4.json", "{\"id\": 1}"));
	ck_assert_msg(strstr(msg, "expected a JSON array of records"), "%s", msg);
	msg = import_fails(fixture("bad5.json",
		"[{\"id\": 27, \"code\": \"M-7\", \"points\": -3.5}]"));
	ck_assert_msg(strstr(msg, "record 1 (id 27): points: a negative balance"), "%s", msg);
	/* A record error found by the database (a code it refuses) also
	 * leaves nothing of the file. */
	msg = import_fails(fixture("bad6.json",
		"[{\"id\": 28, \"code\": \"M-8\", \"points\": 1},"
		" {\"id\": 29, \"code\": \"bad code!\", \"points\": 1}]"));
	ck_assert_msg(strstr(msg, "bad6.json: record 2 (id 29): code: 'bad code!' must be"), "%s", msg);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code LIKE '%s'", "M-%"), 0);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.audit_log WHERE reason = '%s'", "odoo-import"), 0);

	msg = import_fails(fixture("bad7.json",
		"[{\"id\": 41, \"card_id\": [999, \"X\"], \"issued\": 1, \"used\": 0,"
		"  \"create_date\": \"2024-01-01 00:00:00\"}]"));
	ck_assert_msg(strstr(msg, "record 1 (id 41): card_id: odoo card 999 was not imported"),
		      "%s", msg);
	msg = import_fails(fixture("bad8.json",
		"[{\"id\": 42, \"card_id\": [1, \"X\"], \"issued\": 1, \"used\": 0,"
		"  \"create_date\": \"2024-02-30 00:00:00\"}]"));
	ck_assert_msg(strstr(msg, "record 1 (id 42): create_date: '2024-02-30 00:00:00' is not a valid date"),
		      "%s", msg);
}
END_TEST

/* Batches go to the database while the next one is read: an error the
 * database finds in the first batch is still the one reported, not a
 * later record's that the engine finds meanwhile, and nothing stays. */
START_TEST(errors_come_in_file_order_across_batches)
{
	size_t cap = 6000 * 64, len = 0;
	char *text = malloc(cap);
	const char *msg;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "[");
	for (int i = 1; i <= 5002; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"id\": %d, \"code\": \"%s%d\","
					" \"points\": %s}\n", i > 1 ? "," : "", 60000 + i,
					i == 2 ? "bad code!" : "E-", i, i == 5002 ? "1e20" : "1");
	snprintf(text + len, cap - len, "]");
	msg = import_fails(fixture("batches.json", text));
	free(text);
	ck_assert_msg(strstr(msg, "record 2 (id 60002): code: 'bad code!2' must be"), "%s", msg);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code LIKE '%s'", "E-%"), 0);
}
END_TEST

START_TEST(duplicate_codes_and_ids_are_refused)
{
	const char *msg;

	msg = import_fails(fixture("dup1.json",
		"[{\"id\": 31, \"code\": \"D-1\", \"points\": 1},"
		" {\"id\": 32, \"code\": \"D-1\", \"points\": 2}]"));
	ck_assert_msg(strstr(msg, "record 2 (id 32): code: card 'D-1' already exists as odoo card 31"),
		      "%s", msg);
	msg = import_fails(fixture("dup2.json",
		"[{\"id\": 33, \"code\": \"D-3\", \"points\": 1},"
		" {\"id\": 33, \"code\": \"D-4\", \"points\": 2}]"));
	ck_assert_msg(strstr(msg, "record 2 (id 33): id: the same id as record 1"), "%s", msg);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.cards WHERE code LIKE '%s'", "D-%"), 0);
	/* A card made in aba owns its code. */
	testdb_value(db, "SELECT 1 FROM aba.card_create('D-9', 'Native')");
	msg = import_fails(fixture("dup3.json", "[{\"id\": 34, \"code\": \"D-9\", \"points\": 1}]"));
	ck_assert_msg(strstr(msg, "code: card 'D-9' already exists and was not imported from odoo"),
		      "%s", msg);
}
END_TEST

START_TEST(only_admins_import)
{
	struct aba_db *admin = db;
	const char *msg;

	db = testdb_connect(DBNAME, "odoo_clerk", "aba_clerk");
	msg = import_fails(fixture("role.json", "[{\"id\": 51, \"code\": \"R-1\", \"points\": 1}]"));
	ck_assert_msg(strstr(msg, "permission denied"), "%s", msg);
	aba_db_free(db);
	db = testdb_connect(DBNAME, "odoo_admin", "aba_admin");
	import_ok(fixture("role.json", "[{\"id\": 51, \"code\": \"R-1\", \"points\": 1}]"));
	json_decref(settle().adjustments);
	aba_db_free(db);
	db = admin;
	ck_assert_int_eq(balance("R-1"), 100);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("odoo");
	TCase *tc = tcase_create("odoo");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_add_test(tc, import_replays_history_and_adjusts_the_rest);
	tcase_add_test(tc, reimport_changes_nothing_then_follows_odoo);
	tcase_add_test(tc, malformed_file_imports_nothing);
	tcase_add_test(tc, errors_come_in_file_order_across_batches);
	tcase_add_test(tc, duplicate_codes_and_ids_are_refused);
	tcase_add_test(tc, only_admins_import);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
