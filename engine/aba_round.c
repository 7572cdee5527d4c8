/* aba_round.c - rounding a decimal's text to fixed places.
 *
 * The number is read as its significant digits D and a power of ten e
 * (value = D x 10^e), then shifted to the wanted places.  Digits that fall
 * off decide the rounding: the first of them >= 5 rounds the magnitude
 * up, which is half away from zero.  Nothing here uses floating point.
 */
#include "aba_round.h"

#include <string.h>

/* Longest number text considered; more digits than this are no number
 * Odoo writes and would only let an attacker make us spin. */
#define ROUND_MAX_TEXT 400

struct digits {
	char d[ROUND_MAX_TEXT];
	int n;		/* significant digits in d, leading zeros dropped */
	int exp;	/* value = d x 10^exp */
};

static int bad_number(const char *s, const char *what, struct aba_err *err)
{
	return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not a number", what, s);
}

/* Splits "-12.5e3" into sign, digits "125" and exponent 2. */
static int split(const char *s, int *negative, struct digits *dg)
{
	const char *p = s;
	int int_digits = 0, frac_digits = 0;
	long e = 0;

	dg->n = 0;
	dg->exp = 0;
	*negative = *p == '-';
	if (*p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, int_digits++)
		if (dg->n > 0 || *p != '0')
			dg->d[dg->n++] = *p;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac_digits++) {
			if (dg->n > 0 || *p != '0')
				dg->d[dg->n++] = *p;
			dg->exp--;
		}
		if (frac_digits == 0)
			return -1;
	}
	if (int_digits == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		int eneg = 0, edigits = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; *p >= '0' && *p <= '9'; p++, edigits++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (edigits == 0)
			return -1;
		dg->exp += (int)(eneg ? -e : e);
	}
	return *p ? -1 : 0;
}

int aba_decimal_round(const char *s, int places, int64_t max, const char *what,
		      int64_t *out, struct aba_err *err)
{
	struct digits dg;
	int negative, shift, keep;
	int64_t v = 0;

	if (!s)
		return aba_fail(err, ABA_INPUT, "%s: missing value", what);
	if (strlen(s) >= ROUND_MAX_TEXT || split(s, &negative, &dg))
		return bad_number(s, what, err);
	shift = dg.exp + places;	/* value x 10^places = d x 10^shift */
	keep = dg.n + (shift < 0 ? shift : 0);
	/* 18 digits always fit int64; max is checked after rounding. */
	if (dg.n > 0 && keep + (shift > 0 ? shift : 0) > 18)
		return aba_fail(err, ABA_INPUT, "%s: %.40s does not fit", what, s);
	if (dg.n == 0)
		shift = 0;
	for (int i = 0; i < keep; i++)
		v = v * 10 + (dg.d[i] - '0');
	for (int i = 0; i < shift; i++)
		v *= 10;
	if (keep >= 0 && keep < dg.n && dg.d[keep] >= '5')
		v++;
	if (v > max)
		return aba_fail(err, ABA_INPUT, "%s: %.40s does not fit", what, s);
	*out = negative ? -v : v;
	return 0;
}
