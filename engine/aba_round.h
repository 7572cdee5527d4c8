/* aba_round.h - a decimal number's text, exponent allowed, rounded to a
 * fixed number of places: how a JSON number from another system (Odoo's
 * fractional points) becomes int64 hundredths without floating point.
 *
 * "12.345" -> 1235, "12.355" -> 1236, "-12.345" -> -1235 (half away from
 * zero, on the digits as written), "1e-05" -> 0, "-0.0" -> 0, "1e20" is an
 * error: a value that does not fit is never truncated.
 */
#ifndef ABA_ROUND_H
#define ABA_ROUND_H

#include <stdint.h>

#include "aba_err.h"

/* Parses a JSON number (-?digits[.digits][(e|E)[+-]digits]) and rounds it
 * half away from zero to `places` fraction digits, scaled by 10^places;
 * |result| <= max.  `what` names the field in the message. */
int aba_decimal_round(const char *s, int places, int64_t max, const char *what,
		      int64_t *out, struct aba_err *err);

#endif
