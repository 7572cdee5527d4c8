/* aba_amount.h - exact decimals: points and money as int64 hundredths.
 *
 * "12.34" points is 1234; IDR "15000.00" is 1500000.  Percentages are basis
 * points, which is the same thing: "12.5" percent is 1250.  Nothing here
 * uses floating point.
 */
#ifndef ABA_AMOUNT_H
#define ABA_AMOUNT_H

#include <stdint.h>

#include "aba_err.h"

/* Largest amount accepted from outside, in hundredths: 999,999,999,999.99.
 * Far above any real balance, and sums of many such values still fit. */
#define ABA_AMOUNT_MAX INT64_C(99999999999999)

/* Big enough for "-999,999,999,999.99" and any int64 formatted plainly. */
#define ABA_AMOUNT_BUFSZ 32

/* Parses a decimal string ("12", "12.3", "-0.05") with at most `places`
 * fraction digits into an integer scaled by 10^places, |value| <= max.
 * `what` names the field in the message: "points: expected a decimal ...". */
int aba_decimal_parse(const char *s, int places, int64_t max, const char *what,
		      int64_t *out, struct aba_err *err);

/* aba_decimal_parse with 2 places and ABA_AMOUNT_MAX. */
int aba_amount_parse(const char *s, const char *what, int64_t *out, struct aba_err *err);

/* "-12.34"; buf must hold ABA_AMOUNT_BUFSZ bytes.  Returns buf. */
char *aba_amount_format(int64_t v, char *buf);
/* "1,234,567.89" for people reading tables. */
char *aba_amount_format_grouped(int64_t v, char *buf);
/* A scaled integer with any number of places: (12345, 3) -> "12.345". */
char *aba_decimal_format(int64_t v, int places, char *buf);

/* a * b / d rounded half away from zero, without intermediate overflow.
 * d must be > 0.  The result must fit int64 (callers bound their inputs). */
int64_t aba_mul_div_round(int64_t a, int64_t b, int64_t d);
/* a * b / d rounded toward negative infinity (floor). */
int64_t aba_mul_div_floor(int64_t a, int64_t b, int64_t d);

#endif
