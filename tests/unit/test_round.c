/* test_round.c - Odoo's float text to hundredths, rounded half away from
 * zero on the digits as written; expected values worked out by hand. */
#include <check.h>
#include <stdlib.h>

#include "aba_amount.h"
#include "aba_round.h"

static int64_t ok(const char *s)
{
	struct aba_err err;
	int64_t v = -777;

	ck_assert_msg(aba_decimal_round(s, 2, ABA_AMOUNT_MAX, "points", &v, &err) == 0,
		      "%s: %s", s, err.msg);
	return v;
}

static const char *bad(const char *s)
{
	static struct aba_err err;
	int64_t v = -777;

	ck_assert_msg(aba_decimal_round(s, 2, ABA_AMOUNT_MAX, "points", &v, &err) == -1,
		      "%s was accepted as %lld", s, (long long)v);
	ck_assert_int_eq(v, -777);
	ck_assert_int_eq(err.code, ABA_INPUT);
	return err.msg;
}

START_TEST(rounds_half_away_from_zero)
{
	ck_assert_int_eq(ok("12.345"), 1235);
	ck_assert_int_eq(ok("12.355"), 1236);	/* the binary value is 12.35499..., Odoo showed 12.355 */
	ck_assert_int_eq(ok("-12.345"), -1235);
	ck_assert_int_eq(ok("12.344999"), 1234);
	ck_assert_int_eq(ok("0.005"), 1);
	ck_assert_int_eq(ok("0.00499"), 0);
	ck_assert_int_eq(ok("-0.005"), -1);
	ck_assert_int_eq(ok("7.645"), 765);
	ck_assert_int_eq(ok("0.995"), 100);
	ck_assert_int_eq(ok("99.999"), 10000);
}
END_TEST

START_TEST(exponents_and_zeros)
{
	ck_assert_int_eq(ok("1e-05"), 0);
	ck_assert_int_eq(ok("5e-3"), 1);
	ck_assert_int_eq(ok("-0.0"), 0);
	ck_assert_int_eq(ok("0"), 0);
	ck_assert_int_eq(ok("1.5e2"), 15000);
	ck_assert_int_eq(ok("1E+2"), 10000);
	ck_assert_int_eq(ok("12"), 1200);
	ck_assert_int_eq(ok("0e999999"), 0);
	ck_assert_int_eq(ok("123456.78e-3"), 12346);
	ck_assert_int_eq(ok("999999999999.99"), ABA_AMOUNT_MAX);
	ck_assert_int_eq(ok("999999999999.994"), ABA_AMOUNT_MAX);
}
END_TEST

START_TEST(too_large_is_an_error_never_truncated)
{
	ck_assert_str_eq(bad("1e20"), "points: 1e20 does not fit");
	bad("999999999999.995");	/* rounds to one hundredth over the maximum */
	bad("1000000000000");
	bad("1e999999999999");
	bad("123456789012345678901234567890");
	bad("-1e20");
}
END_TEST

START_TEST(not_numbers)
{
	ck_assert_str_eq(bad("1."), "points: '1.' is not a number");
	bad(".5");
	bad("abc");
	bad("--1");
	bad("1e");
	bad("1.2.3");
	bad("");
	bad("+1");
	bad("1 ");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("round");
	TCase *tc = tcase_create("round");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, rounds_half_away_from_zero);
	tcase_add_test(tc, exponents_and_zeros);
	tcase_add_test(tc, too_large_is_an_error_never_truncated);
	tcase_add_test(tc, not_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
