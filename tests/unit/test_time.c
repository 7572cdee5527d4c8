/* test_time.c - ISO 8601 parsing without libc's time zone machinery. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aba_time.h"

static int64_t parse_ok(const char *s)
{
	struct aba_err err;
	int64_t t = -1;

	ck_assert_msg(aba_time_parse(s, "at", &t, &err) == 0, "'%s': %s", s, err.msg);
	return t;
}

static void parse_bad(const char *s, const char *expect)
{
	struct aba_err err = { 0 };
	int64_t t;

	ck_assert_msg(aba_time_parse(s, "at", &t, &err) == -1, "'%s' was accepted", s);
	ck_assert_msg(strstr(err.msg, expect), "'%s': %s", s, err.msg);
}

START_TEST(parses_forms)
{
	ck_assert_int_eq(parse_ok("1970-01-01"), 0);
	ck_assert_int_eq(parse_ok("2026-11-22T10:00:00Z"), 1795341600);
	ck_assert_int_eq(parse_ok("2026-11-22 10:00:00"), 1795341600);
	ck_assert_int_eq(parse_ok("2026-11-22T10:00"), 1795341600);
	ck_assert_int_eq(parse_ok("2026-11-22T17:00:00+07:00"), 1795341600);
	ck_assert_int_eq(parse_ok("2026-11-22T07:00:00-0300"), 1795341600);
	ck_assert_int_eq(parse_ok("2026-11-22T10:00:00.999Z"), 1795341600);
	ck_assert_int_eq(parse_ok("2024-02-29"), 1709164800);
	ck_assert_int_eq(parse_ok("1969-12-31T23:59:59Z"), -1);
}
END_TEST

START_TEST(rejects_bad_times)
{
	parse_bad("2026-02-30", "not a valid date");
	parse_bad("2025-02-29", "not a valid date");
	parse_bad("2026-13-01", "not a valid date");
	parse_bad("2026-11-22T24:00:00Z", "not a valid date");
	parse_bad("2026-11-22T10:60", "not a valid date");
	parse_bad("22/11/2026", "not a time like");
	parse_bad("2026-11-22T10", "not a time like");
	parse_bad("2026-11-22Tx", "not a time like");
	parse_bad("2026-11-22T10:00:00+25:00", "not a time like");
	parse_bad("2026-11-22 junk", "not a time like");
	parse_bad("", "not a time like");
}
END_TEST

START_TEST(formats_and_round_trips)
{
	char buf[ABA_TIME_BUFSZ];

	ck_assert_str_eq(aba_time_format(1795341600, buf), "2026-11-22T10:00:00Z");
	ck_assert_str_eq(aba_time_format(-1, buf), "1969-12-31T23:59:59Z");
	for (int64_t t = -86400L * 800; t < 86400L * 365 * 200; t += 86400L * 7 + 3611)
		ck_assert_int_eq(parse_ok(aba_time_format(t, buf)), t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parses_forms);
	tcase_add_test(tc, rejects_bad_times);
	tcase_add_test(tc, formats_and_round_trips);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
