/* test_report_format.c - the report model and its three formatters, on a
 * report built by hand: grouped table numbers, RFC 4180 quoting and CRLF,
 * exact JSON decimals, totals kept apart. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_report.h"

static const struct aba_report_column cols[] = {
	{ "name", "Name", ABA_COL_TEXT },
	{ "day", "Day", ABA_COL_DATE },
	{ "orders", "Orders", ABA_COL_COUNT },
	{ "points", "Points", ABA_COL_POINTS },
};

static struct aba_report rep;

static void add(const char *a, const char *b, const char *c, const char *d, int total)
{
	const char *v[] = { a, b, c, d };
	struct aba_err err;

	ck_assert_msg(aba_report_add_row(&rep, v, total, &err) == 0, "%s", err.msg);
}

static void build(void)
{
	memset(&rep, 0, sizeof(rep));
	snprintf(rep.title, sizeof(rep.title), "sample");
	aba_report_columns(&rep, cols, 4);
	add("Budi", "2026-03-01", "1234567", "123456789", 0);
	add("Sari, \"Ibu\"\nJakarta", "2026-03-02", "0", "-5", 0);
	add("Ñoño", NULL, "7", "0", 0);
	add("total", NULL, "1234574", "123456784", 1);
}

static void destroy(void)
{
	aba_report_clear(&rep);
}

/* Runs a formatter into a string (caller frees). */
static char *render(enum aba_report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct aba_err err;

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(aba_report_write(&rep, fmt, f, &err) == 0, "%s", err.msg);
	fclose(f);
	return buf;
}

START_TEST(table_groups_and_aligns)
{
	char *t = render(ABA_FORMAT_TABLE);

	/* widths: Name = 8 (Ñoño is 4 characters, the Sari cell 19), Orders 9, Points 12 */
	ck_assert_msg(strstr(t, "sample\n\n") == t, "%s", t);
	ck_assert_msg(strstr(t, "Budi                 2026-03-01  1,234,567  1,234,567.89\n"), "%s", t);
	ck_assert_msg(strstr(t, "Ñoño                                     7          0.00\n"), "%s", t);
	/* a rule before the first total row */
	ck_assert_msg(strstr(t, "-----  ------------\ntotal "), "%s", t);
	ck_assert_msg(strstr(t, "1,234,574  1,234,567.84\n"), "%s", t);
	ck_assert_ptr_null(strstr(t, "(no rows)"));
	free(t);
}
END_TEST

START_TEST(csv_is_rfc4180_and_exact)
{
	char *c = render(ABA_FORMAT_CSV);

	ck_assert_str_eq(c, "name,day,orders,points\r\n"
			    "Budi,2026-03-01,1234567,1234567.89\r\n"
			    "\"Sari, \"\"Ibu\"\"\nJakarta\",2026-03-02,0,-0.05\r\n"
			    "Ñoño,,7,0.00\r\n"
			    "total,,1234574,1234567.84\r\n");
	free(c);
}
END_TEST

START_TEST(json_is_exact_with_totals_apart)
{
	char *s = render(ABA_FORMAT_JSON);
	json_error_t jerr;
	json_t *doc = json_loads(s, 0, &jerr), *rows, *totals;

	ck_assert_msg(doc != NULL, "%s", jerr.text);
	rows = json_object_get(doc, "rows");
	totals = json_object_get(doc, "totals");
	ck_assert_int_eq(json_array_size(rows), 3);
	ck_assert_int_eq(json_array_size(totals), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "points")),
			 "1234567.89");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "orders")),
			 1234567);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "points")),
			 "-0.05");
	ck_assert(json_is_null(json_object_get(json_array_get(rows, 2), "day")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "name")),
			 "Sari, \"Ibu\"\nJakarta");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(totals, 0), "points")),
			 "1234567.84");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "columns"), 3), "type")), "points");
	json_decref(doc);
	free(s);
}
END_TEST

START_TEST(bad_number_is_refused)
{
	const char *v[] = { "x", NULL, "12a", "1" };
	struct aba_err err;

	ck_assert_int_eq(aba_report_add_row(&rep, v, 0, &err), -1);
	ck_assert_str_eq(err.msg, "report value '12a' is not a whole number");
	v[2] = "";
	ck_assert_int_eq(aba_report_add_row(&rep, v, 0, &err), -1);
}
END_TEST

START_TEST(empty_report_says_so)
{
	struct aba_report empty = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	snprintf(empty.title, sizeof(empty.title), "nothing");
	aba_report_columns(&empty, cols, 4);
	ck_assert_int_eq(aba_report_write_table(&empty, f), 0);
	fclose(f);
	ck_assert_msg(strstr(buf, "(no rows)\n"), "%s", buf);
	free(buf);
	aba_report_clear(&empty);
}
END_TEST

START_TEST(params_are_checked_before_sql)
{
	struct aba_report_params p = { 0 };
	struct aba_report r;
	struct aba_err err;
	enum aba_report_format fmt;

	/* Each of these fails before touching the (absent) database. */
	p.level = "GOLD";
	ck_assert_int_eq(aba_report_run(NULL, "activity", &p, &r, &err), -1);
	ck_assert_str_eq(err.msg, "report 'activity' takes no --level");
	ck_assert_int_eq(err.code, ABA_USAGE);
	memset(&p, 0, sizeof(p));
	p.from = "2026-03-10";
	p.to = "2026-03-01";
	ck_assert_int_eq(aba_report_run(NULL, "activity", &p, &r, &err), -1);
	ck_assert_str_eq(err.msg, "--from 2026-03-10T00:00:00Z is after --to 2026-03-01T00:00:00Z");
	p.from = "2026-02-30";
	ck_assert_int_eq(aba_report_run(NULL, "activity", &p, &r, &err), -1);
	ck_assert_int_eq(err.code, ABA_INPUT);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(aba_report_run(NULL, "nope", &p, &r, &err), -1);
	ck_assert_str_eq(err.msg, "no report 'nope' (see 'aba report list')");
	ck_assert_int_eq(aba_report_format_parse("xml", &fmt, &err), -1);
	ck_assert_int_eq(aba_report_format_parse("csv", &fmt, &err), 0);
	ck_assert_int_eq(fmt, ABA_FORMAT_CSV);
}
END_TEST

/* Durations: "H:MM:SS" under a day, "Nd HH:MM:SS" beyond, whole seconds
 * in CSV and JSON. */
START_TEST(durations_for_people_seconds_for_machines)
{
	static const struct aba_report_column dcols[] = {
		{ "who", "Who", ABA_COL_TEXT },
		{ "wait_seconds", "Wait", ABA_COL_SECONDS },
	};
	static const char *const in[][2] = { { "a", "125" }, { "b", "273600" }, { "c", "0" },
					      { "d", NULL }, { "e", "86399" } };
	static const char *const shown[] = { "0:02:05", "3d 04:00:00", "0:00:00", "", "23:59:59" };
	struct aba_report d = { 0 };
	struct aba_err err;
	char buf[ABA_REPORT_CELL_BUFSZ], *out = NULL;
	size_t len = 0;
	FILE *f;
	json_t *doc;

	aba_report_columns(&d, dcols, 2);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(aba_report_add_row(&d, in[i], 0, &err), 0);
		ck_assert_str_eq(aba_report_cell_str(&d, i, 1, 1, buf), shown[i]);
		ck_assert_str_eq(aba_report_cell_str(&d, i, 1, 0, buf), in[i][1] ? in[i][1] : "");
	}
	f = open_memstream(&out, &len);
	ck_assert_int_eq(aba_report_write_json(&d, f, &err), 0);
	fclose(f);
	doc = json_loads(out, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_array_get(json_object_get(doc, "rows"), 1), "wait_seconds")), 273600);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "columns"), 1), "type")), "seconds");
	json_decref(doc);
	free(out);
	aba_report_clear(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_format");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, build, destroy);
	tcase_add_test(tc, table_groups_and_aligns);
	tcase_add_test(tc, csv_is_rfc4180_and_exact);
	tcase_add_test(tc, json_is_exact_with_totals_apart);
	tcase_add_test(tc, bad_number_is_refused);
	tcase_add_test(tc, empty_report_says_so);
	tcase_add_test(tc, params_are_checked_before_sql);
	tcase_add_test(tc, durations_for_people_seconds_for_machines);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
