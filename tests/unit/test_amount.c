/* test_amount.c - parsing, formatting and rounding of exact decimals. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"

static int64_t parse_ok(const char *s)
{
	struct aba_err err;
	int64_t v = -777;

	ck_assert_msg(aba_amount_parse(s, "points", &v, &err) == 0, "'%s': %s", s, err.msg);
	return v;
}

static void parse_bad(const char *s, const char *expect_in_msg)
{
	struct aba_err err = { 0 };
	int64_t v = 0;

	ck_assert_msg(aba_amount_parse(s, "points", &v, &err) == -1, "'%s' was accepted", s);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_msg(strstr(err.msg, expect_in_msg), "'%s': message '%s'", s, err.msg);
	ck_assert_msg(strncmp(err.msg, "points: ", 8) == 0, "message names the field: %s", err.msg);
}

START_TEST(parses_hundredths)
{
	ck_assert_int_eq(parse_ok("12.34"), 1234);
	ck_assert_int_eq(parse_ok("12"), 1200);
	ck_assert_int_eq(parse_ok("12.3"), 1230);
	ck_assert_int_eq(parse_ok("0.05"), 5);
	ck_assert_int_eq(parse_ok("-0.05"), -5);
	ck_assert_int_eq(parse_ok("+7"), 700);
	ck_assert_int_eq(parse_ok("15000.00"), 1500000);
	ck_assert_int_eq(parse_ok("999999999999.99"), ABA_AMOUNT_MAX);
}
END_TEST

START_TEST(rejects_bad_amounts)
{
	parse_bad("12.345", "at most 2 places");
	parse_bad("", "not a decimal");
	parse_bad("1.", "not a decimal");
	parse_bad(".5", "not a decimal");
	parse_bad("1e5", "not a decimal");
	parse_bad("1,000", "not a decimal");
	parse_bad(" 1", "not a decimal");
	parse_bad("1 ", "not a decimal");
	parse_bad("--1", "not a decimal");
	parse_bad("12345678901234567890", "too large");
	parse_bad("1000000000000", "too large");
	parse_bad("99999999999999999999.99", "too large");
}
END_TEST

START_TEST(other_scales)
{
	struct aba_err err;
	int64_t v;

	ck_assert_int_eq(aba_decimal_parse("0.001", 6, INT64_MAX / 10, "rate", &v, &err), 0);
	ck_assert_int_eq(v, 1000);
	ck_assert_int_eq(aba_decimal_parse("12.5", 2, 10000, "percent", &v, &err), 0);
	ck_assert_int_eq(v, 1250);
	ck_assert_int_eq(aba_decimal_parse("100.01", 2, 10000, "percent", &v, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too large"));
}
END_TEST

START_TEST(formats)
{
	char buf[ABA_AMOUNT_BUFSZ];

	ck_assert_str_eq(aba_amount_format(1234, buf), "12.34");
	ck_assert_str_eq(aba_amount_format(-5, buf), "-0.05");
	ck_assert_str_eq(aba_amount_format(0, buf), "0.00");
	ck_assert_str_eq(aba_amount_format(INT64_MIN, buf), "-92233720368547758.08");
	ck_assert_str_eq(aba_amount_format_grouped(123456789, buf), "1,234,567.89");
	ck_assert_str_eq(aba_amount_format_grouped(-100000, buf), "-1,000.00");
	ck_assert_str_eq(aba_amount_format_grouped(99999, buf), "999.99");
	ck_assert_str_eq(aba_decimal_format(12345, 3, buf), "12.345");
}
END_TEST

START_TEST(round_trips)
{
	char buf[ABA_AMOUNT_BUFSZ];
	struct aba_err err;
	int64_t v, back;

	srand(42);
	for (int i = 0; i < 10000; i++) {
		v = ((int64_t)rand() << 20 ^ rand()) % ABA_AMOUNT_MAX;
		if (i % 2)
			v = -v;
		ck_assert_int_eq(aba_amount_parse(aba_amount_format(v, buf), "x", &back, &err), 0);
		ck_assert_int_eq(back, v);
	}
}
END_TEST

START_TEST(rounds_half_away_from_zero)
{
	ck_assert_int_eq(aba_mul_div_round(1000, 1250, 10000), 125);	/* 12.5% of 10.00 */
	ck_assert_int_eq(aba_mul_div_round(1, 1, 2), 1);		/* 0.5 -> 1 */
	ck_assert_int_eq(aba_mul_div_round(-1, 1, 2), -1);
	ck_assert_int_eq(aba_mul_div_round(1, 1, 3), 0);
	ck_assert_int_eq(aba_mul_div_round(2, 1, 3), 1);
	ck_assert_int_eq(aba_mul_div_floor(2, 1, 3), 0);
	ck_assert_int_eq(aba_mul_div_floor(-1, 1, 3), -1);
	/* no intermediate overflow: 9e16 * 9e3 / 1e4 */
	ck_assert_int_eq(aba_mul_div_round(INT64_C(90000000000000000), 9000, 10000),
			 INT64_C(81000000000000000));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("amount");
	TCase *tc = tcase_create("amount");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parses_hundredths);
	tcase_add_test(tc, rejects_bad_amounts);
	tcase_add_test(tc, other_scales);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, round_trips);
	tcase_add_test(tc, rounds_half_away_from_zero);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
