/* test_audit_chain.c - the C chain check against hashes computed apart
 * (Python's hashlib over the canonical text of sql/030_audit.sql), and
 * that each kind of damage is named at the right row. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aba_audit.h"

#define H1 "882fd9cc730c61004a2d54095a12842a03c28b5026f7f83e9b5f63db0685e682"
#define H2 "9bfdfd0fb60831f9a0e07b17876d8ae2a9a11ae7bfeceb32c11de96b760e5db1"
#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"

/* sha256(32 zero bytes || "1:1|27:2026-11-22T02:51:42.118808Z|4:root|8:test.one|
 * 5:thing|1:1|~|19:{"a": 1, "é": "x"}|3:why") = H1, and row 2 chains on it. */
static struct aba_audit_row row1(void)
{
	return (struct aba_audit_row){ 1, "2026-11-22T02:51:42.118808Z", "root", "test.one", "thing",
				       "1", NULL, "{\"a\": 1, \"\xc3\xa9\": \"x\"}", "why", ZERO, H1 };
}

static struct aba_audit_row row2(void)
{
	return (struct aba_audit_row){ 2, "2026-11-22T02:51:42.120762Z", "root", "test.two", "thing",
				       "2", "{\"b\": [1, 2]}", NULL, NULL, H1, H2 };
}

START_TEST(known_hashes_verify)
{
	struct aba_audit_check c;
	struct aba_audit_row r1 = row1(), r2 = row2();

	aba_audit_check_init(&c, H1);
	ck_assert_int_eq(aba_audit_check_row(&c, &r1), 0);
	ck_assert_int_eq(aba_audit_check_row(&c, &r2), 0);
	ck_assert_int_eq(aba_audit_check_end(&c), 0);
	ck_assert_int_eq(c.rows, 2);
	ck_assert_str_eq(c.head, H2);
	ck_assert_int_eq(c.want_head_at, 1);
}
END_TEST

START_TEST(empty_and_null_are_different)
{
	struct aba_audit_check c;
	struct aba_audit_row r1 = row1();

	r1.before = "";	/* "0:" instead of "~" */
	aba_audit_check_init(&c, NULL);
	ck_assert_int_eq(aba_audit_check_row(&c, &r1), -1);
	ck_assert_int_eq(c.broken_id, 1);
}
END_TEST

START_TEST(moving_a_separator_is_found)
{
	struct aba_audit_check c;
	struct aba_audit_row r1 = row1();

	/* same bytes overall, split differently between two fields */
	r1.action = "test.on";
	r1.entity = "ething";
	aba_audit_check_init(&c, NULL);
	ck_assert_int_eq(aba_audit_check_row(&c, &r1), -1);
	ck_assert_ptr_nonnull(strstr(c.problem, "changed after it was written"));
}
END_TEST

START_TEST(gap_wrong_prev_and_missing_head)
{
	struct aba_audit_check c;
	struct aba_audit_row r1 = row1(), r2 = row2();

	aba_audit_check_init(&c, NULL);
	ck_assert_int_eq(aba_audit_check_row(&c, &r2), -1);	/* row 1 missing */
	ck_assert_int_eq(c.broken_id, 2);
	ck_assert_ptr_nonnull(strstr(c.problem, "missing"));

	r2.prev_hash = ZERO;
	aba_audit_check_init(&c, NULL);
	ck_assert_int_eq(aba_audit_check_row(&c, &r1), 0);
	ck_assert_int_eq(aba_audit_check_row(&c, &r2), -1);
	ck_assert_ptr_nonnull(strstr(c.problem, "does not follow"));

	aba_audit_check_init(&c, H2);		/* a head the chain never reaches */
	ck_assert_int_eq(aba_audit_check_row(&c, &r1), 0);
	ck_assert_int_eq(aba_audit_check_end(&c), -1);
	ck_assert_int_eq(c.broken_id, 2);
	ck_assert_int_eq(aba_audit_is_hash(H1), 1);
	ck_assert_int_eq(aba_audit_is_hash("882FD9CC"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_chain");
	TCase *tc = tcase_create("audit_chain");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, known_hashes_verify);
	tcase_add_test(tc, empty_and_null_are_different);
	tcase_add_test(tc, moving_a_separator_is_found);
	tcase_add_test(tc, gap_wrong_prev_and_missing_head);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
