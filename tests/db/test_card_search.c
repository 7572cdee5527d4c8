/* test_card_search.c - card search as the console and `aba card list
 * --search` use it, as a clerk: every page of every search holds exactly
 * the cards an independent scan in C finds, in code order.  The data has
 * more cards than the search walks (engine/aba_card.c, LIST_WALK), so
 * both of its ways are taken: matches dense enough to fill a page in the
 * walk, and rarer ones that the trigram index finds beyond it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_card.h"
#include "aba_text.h"
#include "testdb.h"

#define DBNAME "t_card_search"
#define NCARDS 24000		/* > LIST_WALK (20000) */
#define MAXROWS (NCARDS + 16)

static struct aba_db *su, *clerk;

/* The bulk cards, made by the SQL in make_cards and again here. */
static const char *const firsts[] = { "Ani", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita",
				      "Hadi" };
static const char *const lasts[] = { "Wibowo", "Hakim", "Pratama", "Santoso", "Lestari",
				     "Saputra", "Nugroho" };

struct card {
	char code[16], name[64], phone[32];
};

static struct card cards[MAXROWS];
static int ncards;

static void bulk_card(int i, struct card *c)
{
	snprintf(c->code, sizeof(c->code), "S%06d", i);
	/* One card in 450 is a Siregar: 54 of them, 45 within the walk. */
	snprintf(c->name, sizeof(c->name), "%s %s", firsts[i % 8],
		 i % 450 == 3 ? "Siregar" : lasts[(i / 8) % 7]);
	snprintf(c->phone, sizeof(c->phone), "+62812%06d", (i * 7919) % 1000000);
}

static void make_cards(void)
{
	testdb_value(su,
		"WITH n AS (SELECT i FROM generate_series(1, 24000) i),"
		" p AS (INSERT INTO aba.partners (id, name, phone)"
		"  SELECT 100000 + i, (ARRAY['Ani','Budi','Citra','Dewi','Eko','Fajar','Gita','Hadi'])"
		"         [1 + i % 8] || ' ' || CASE WHEN i % 450 = 3 THEN 'Siregar' ELSE"
		"         (ARRAY['Wibowo','Hakim','Pratama','Santoso','Lestari','Saputra','Nugroho'])"
		"         [1 + (i / 8) % 7] END,"
		"         '+62812' || lpad(((i * 7919) % 1000000)::text, 6, '0') FROM n)"
		" INSERT INTO aba.cards (code, partner_id)"
		" SELECT 'S' || lpad(i::text, 6, '0'), 100000 + i FROM n RETURNING 0");
	for (int i = 1; i <= NCARDS; i++)
		bulk_card(i, &cards[ncards++]);
}

/* Cards made one at a time through card_create, as a clerk would. */
static void special(const char *code, const char *name, const char *phone)
{
	struct aba_card_new c = { code, name, phone, NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(su, &c, &err) == 0, "%s", err.msg);
	snprintf(cards[ncards].code, sizeof(cards[ncards].code), "%s", code);
	snprintf(cards[ncards].name, sizeof(cards[ncards].name), "%s", name);
	snprintf(cards[ncards].phone, sizeof(cards[ncards].phone), "%s", phone ? phone : "");
	ncards++;
}

static void setup(void)
{
	su = testdb_create(DBNAME);
	clerk = testdb_connect(DBNAME, "t_cs_clerk", "aba_clerk");
	ncards = 0;
}

static void teardown(void)
{
	aba_db_free(clerk);
	aba_db_free(su);
}

static void count_row(void *arg, const struct aba_card_row *r)
{
	(void)r;
	(*(int *)arg)++;
}

static int count(const char *text)
{
	struct aba_err err;
	int n = 0;

	ck_assert_msg(aba_card_list(clerk, text, 100, 0, count_row, &n, &err) == 0, "%s", err.msg);
	return n;
}

/* ASCII case folding is all the test data needs. */
static void fold(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	for (; src[i] && i + 1 < size; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

/* What the search promises: text of three characters or more anywhere in
 * code, name or phone, shorter text at the start of one; any case. */
static int matches(const struct card *c, const char *text)
{
	const char *fields[] = { c->code, c->name, c->phone };
	char t[256], f[256];

	fold(t, text, sizeof(t));
	for (int k = 0; k < 3; k++) {
		fold(f, fields[k], sizeof(f));
		if (aba_utf8_length(text) >= 3 ? strstr(f, t) != NULL : strncmp(f, t, strlen(t)) == 0)
			return 1;
	}
	return 0;
}

static int by_code(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct found {
	const char *want[MAXROWS];
	int nwant, n, bad;
	const char *text;
};

static void check_row(void *arg, const struct aba_card_row *r)
{
	struct found *f = arg;

	/* Recorded, not asserted: a failure inside the callback would skip the
	 * count check that says which row went wrong. */
	if (f->n >= f->nwant || strcmp(r->code, f->want[f->n]) != 0) {
		if (!f->bad)
			fprintf(stderr, "search '%s': row %d is %s, expected %s\n", f->text, f->n,
				r->code, f->n < f->nwant ? f->want[f->n] : "no more rows");
		f->bad = 1;
	}
	f->n++;
}

/* Pages of size page through every match of text; returns how many. */
static int check_search(const char *text, int page)
{
	static struct found f;
	struct aba_err err;
	int before;

	memset(&f, 0, sizeof(f));
	f.text = text;
	for (int i = 0; i < ncards; i++)
		if (matches(&cards[i], text))
			f.want[f.nwant++] = cards[i].code;
	qsort(f.want, (size_t)f.nwant, sizeof(f.want[0]), by_code);
	do {
		before = f.n;
		ck_assert_msg(aba_card_list(clerk, text, page, f.n, check_row, &f, &err) == 0,
			      "%s", err.msg);
	} while (f.n - before == page);
	ck_assert_msg(!f.bad, "search '%s' returned other cards than expected", text);
	ck_assert_msg(f.n == f.nwant, "search '%s': %d cards, expected %d", text, f.n, f.nwant);
	return f.n;
}

START_TEST(search_finds_what_an_independent_scan_finds)
{
	make_cards();
	/* One inside the walk, one far beyond it. */
	special("S0000105", "Zaenal Arifin", "+6285700001111");
	special("S0239995", "zaenal ARIFIN", "0812 345 678");
	special("QX17", "Mega 100%_Sari", NULL);
	special("QX18", "Siti Nurhaliza-Öz", "+62 21-555 0199");

	/* Dense: a page from the walk. */
	ck_assert_int_eq(check_search("ani", 50), 3000);
	ck_assert_int_eq(check_search("hadi nug", 50), 427);
	ck_assert_int_eq(check_search("HADI NUG", 50), 427);
	ck_assert_int_eq(check_search("S001", 50), 1000);
	/* Past the walk's end the rest comes from the index: pages still join. */
	ck_assert_int_eq(check_search("+62812", 500), NCARDS);
	/* Rarer than a page in the walk: sorted from the trigram index. */
	/* 45 in the walk: walking on finds the rest of a page of 50 (or 10);
	 * not of 100, which the index then answers. */
	ck_assert_int_eq(check_search("siregar", 50), 54);
	ck_assert_int_eq(check_search("siregar", 10), 54);
	ck_assert_int_eq(check_search("siregar", 100), 54);
	ck_assert_int_eq(check_search("Dewi Siregar", 50), 14);
	ck_assert_int_eq(check_search("dewi sireg", 50), 14);
	ck_assert_int_eq(check_search("zaenal ar", 50), 2);
	ck_assert_int_eq(check_search("ZAENAL arifin", 50), 2);
	ck_assert_int_eq(check_search("S0239995", 50), 1);
	ck_assert_int_eq(check_search("0812 345", 50), 1);
	ck_assert_int_eq(check_search("S02399", 50), 11);
	ck_assert_int_eq(check_search("7919", 50), 12);
	ck_assert_int_eq(check_search("zzq", 50), 0);
	ck_assert_int_eq(check_search("nal ari", 50), 2);
	/* Words out of order, or across fields, are not a match. */
	ck_assert_int_eq(check_search("arifin zaenal", 50), 0);
	ck_assert_int_eq(check_search("arifin +62", 50), 0);
	ck_assert_int_eq(check_search("dewi-siregar", 50), 0);	/* a dash is not a space */
	/* LIKE's wildcards are plain characters. */
	ck_assert_int_eq(check_search("100%_sa", 50), 1);
	ck_assert_int_eq(check_search("100%_xa", 50), 0);
	ck_assert_int_eq(check_search("1_0", 50), 0);
	ck_assert_int_eq(check_search("00%", 50), 1);
	/* Signs and spaces count: the index is asked without them. */
	ck_assert_int_eq(check_search("21-555 01", 50), 1);
	ck_assert_int_eq(check_search("21555", 50), 3);
	ck_assert_int_eq(check_search("2 21-5", 50), 1);
	ck_assert_int_eq(check_search("liza-Öz", 50), 1);
	/* Fewer than three letters or digits: every card is read. */
	ck_assert_int_eq(check_search("a-Ö", 50), 1);
	ck_assert_int_eq(check_search("1-5", 50), 1);
	ck_assert_int_eq(check_search("+6 2", 50), 0);
	ck_assert_int_eq(check_search("i n", 50), 1708);	/* "Hadi Nugroho", "Siti Nur.." */
	/* One or two characters: the start of a field. */
	ck_assert_int_eq(check_search("s0", 500), NCARDS + 2);
	ck_assert_int_eq(check_search("+6", 500), NCARDS + 2);
	ck_assert_int_eq(check_search("Ha", 50), 3000);
	ck_assert_int_eq(check_search("zA", 50), 2);
	ck_assert_int_eq(check_search("ar", 50), 0);
	ck_assert_int_eq(check_search("08", 50), 1);
	ck_assert_int_eq(check_search("qx", 50), 2);
	ck_assert_int_eq(check_search("17", 50), 0);
	ck_assert_int_eq(check_search("%", 50), 0);
}
END_TEST

START_TEST(search_follows_renames)
{
	special("R1", "Yohana Tampubolon", "+6281100002222");
	special("R2", "Yosef Tampubolon", NULL);
	ck_assert_int_eq(count("tampubolon"), 2);
	testdb_value(su, "UPDATE aba.partners SET name = 'Yohana Sinaga', phone = '+6281199990000'"
		     " WHERE id = (SELECT partner_id FROM aba.cards WHERE code = 'R1') RETURNING 0");
	ck_assert_int_eq(count("tampubolon"), 1);
	ck_assert_int_eq(count("sinaga"), 1);
	ck_assert_int_eq(count("00002222"), 0);
	ck_assert_int_eq(count("99990000"), 1);
	testdb_value(su, "UPDATE aba.cards SET code = 'R1-NEW' WHERE code = 'R1' RETURNING 0");
	ck_assert_int_eq(count("r1-n"), 1);
	ck_assert_int_eq(count("R1"), 1);	/* prefix of R1-NEW */
	/* The other card moves to the first one's customer. */
	testdb_value(su, "UPDATE aba.cards SET partner_id = (SELECT partner_id FROM aba.cards"
		     " WHERE code = 'R1-NEW') WHERE code = 'R2' RETURNING 0");
	ck_assert_int_eq(count("sinaga"), 2);
	ck_assert_int_eq(count("yosef"), 0);
	/* A posting's balance update leaves the search as it was. */
	testdb_value(su, "UPDATE aba.cards SET balance = 5 WHERE code = 'R2' RETURNING 0");
	ck_assert_int_eq(count("sinaga"), 2);
	ck_assert_int_eq(testdb_value(su, "SELECT count(*) FROM aba.card_search s"
				      " JOIN aba.cards c ON c.id = s.card_id JOIN aba.partners p"
				      " ON p.id = c.partner_id WHERE s.code = c.code AND s.hay ="
				      " aba.card_search_hay(c.code, p.name, p.phone)"), 2);
}
END_TEST

START_TEST(bad_search_text_is_refused)
{
	struct aba_err err;
	int n = 0;

	special("C1", "Ani Lestari", NULL);
	ck_assert_int_eq(aba_card_list(clerk, "ani\x1f" "les", 10, 0, count_row, &n, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_str_eq(err.msg, "search text contains a control character");
	ck_assert_int_eq(aba_card_list(clerk, "\xff\xfe", 10, 0, count_row, &n, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(count("ani les"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_search");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, search_finds_what_an_independent_scan_finds);
	tcase_add_test(tc, search_follows_renames);
	tcase_add_test(tc, bad_search_text_is_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
