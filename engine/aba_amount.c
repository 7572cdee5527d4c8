/* aba_amount.c - parsing and formatting exact decimals. */
#include "aba_amount.h"

#include <stdio.h>
#include <string.h>

static int bad_decimal(const char *s, int places, const char *what, struct aba_err *err)
{
	return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not a decimal with at most %d places",
			what, s, places);
}

int aba_decimal_parse(const char *s, int places, int64_t max, const char *what,
		      int64_t *out, struct aba_err *err)
{
	const char *p = s;
	int negative = 0, digits = 0, frac = -1;
	int64_t v = 0;

	if (!s)
		return aba_fail(err, ABA_INPUT, "%s: missing value", what);
	if (*p == '-' || *p == '+')
		negative = *p++ == '-';
	for (; *p; p++) {
		if (*p == '.' && frac < 0 && digits > 0) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return bad_decimal(s, places, what, err);
		if (frac >= 0 && ++frac > places)
			return bad_decimal(s, places, what, err);
		if (v > (max - (*p - '0')) / 10)
			return aba_fail(err, ABA_INPUT, "%s: '%.40s' is too large", what, s);
		v = v * 10 + (*p - '0');
		digits++;
	}
	if (digits == 0 || frac == 0)
		return bad_decimal(s, places, what, err);
	for (int i = frac < 0 ? 0 : frac; i < places; i++) {
		if (v > max / 10)
			return aba_fail(err, ABA_INPUT, "%s: '%.40s' is too large", what, s);
		v *= 10;
	}
	*out = negative ? -v : v;
	return 0;
}

int aba_amount_parse(const char *s, const char *what, int64_t *out, struct aba_err *err)
{
	return aba_decimal_parse(s, 2, ABA_AMOUNT_MAX, what, out, err);
}

char *aba_decimal_format(int64_t v, int places, char *buf)
{
	/* Work on the magnitude as unsigned so INT64_MIN formats too. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t scale = 1;
	int n;

	for (int i = 0; i < places; i++)
		scale *= 10;
	if (places == 0)
		n = snprintf(buf, ABA_AMOUNT_BUFSZ, "%s%llu", v < 0 ? "-" : "",
			     (unsigned long long)mag);
	else
		n = snprintf(buf, ABA_AMOUNT_BUFSZ, "%s%llu.%0*llu", v < 0 ? "-" : "",
			     (unsigned long long)(mag / scale), places,
			     (unsigned long long)(mag % scale));
	(void)n;
	return buf;
}

char *aba_amount_format(int64_t v, char *buf)
{
	return aba_decimal_format(v, 2, buf);
}

char *aba_amount_format_grouped(int64_t v, char *buf)
{
	char plain[ABA_AMOUNT_BUFSZ];
	const char *digits, *dot;
	char *o = buf;
	int intlen;

	aba_amount_format(v, plain);
	digits = plain[0] == '-' ? plain + 1 : plain;
	dot = strchr(digits, '.');
	intlen = (int)(dot - digits);
	if (plain[0] == '-')
		*o++ = '-';
	for (int i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			*o++ = ',';
		*o++ = digits[i];
	}
	strcpy(o, dot);
	return buf;
}

int64_t aba_mul_div_round(int64_t a, int64_t b, int64_t d)
{
	__int128 p = (__int128)a * b;
	__int128 q = p / d, r = p % d;

	if (r < 0)
		r = -r;
	if (2 * r >= d)
		q += p < 0 ? -1 : 1;
	return (int64_t)q;
}

int64_t aba_mul_div_floor(int64_t a, int64_t b, int64_t d)
{
	__int128 p = (__int128)a * b;
	__int128 q = p / d;

	if (p % d != 0 && p < 0)
		q -= 1;
	return (int64_t)q;
}
