/* aba_time.c - parsing and formatting ISO 8601 UTC times without libc's TZ. */
#include "aba_time.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil: exact for every Gregorian date. */
int64_t aba_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int parse_zone(const char *p, int *offset_s)
{
	int hh, mm = 0, sign;

	*offset_s = 0;
	if (*p == '\0' || (*p == 'Z' && p[1] == '\0'))
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &hh))
		return -1;
	if (*p == ':')
		p++;
	if (*p && digits(&p, 2, &mm))
		return -1;
	if (*p || hh > 23 || mm > 59)
		return -1;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return 0;
}

int aba_time_parse(const char *s, const char *what, int64_t *out, struct aba_err *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off;

	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				goto bad;
			if (*p == '.')	/* fractions of a second are dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
	}
	if (parse_zone(p, &off))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not a valid date", what, s);
	*out = aba_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
bad:
	return aba_fail(err, ABA_INPUT,
			"%s: '%.40s' is not a time like 2026-11-22 or 2026-11-22T10:00:00Z",
			what, s ? s : "");
}

char *aba_time_format(int64_t t, char *buf)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400, y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, ABA_TIME_BUFSZ, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
		 (int)(rem / 3600), (int)(rem % 3600 / 60), (int)(rem % 60));
	return buf;
}

int aba_time_canonical(const char *in, const char *what, char buf[ABA_TIME_BUFSZ],
		       const char **out, struct aba_err *err)
{
	int64_t t;

	*out = NULL;
	if (!in)
		return 0;
	if (aba_time_parse(in, what, &t, err))
		return -1;
	*out = aba_time_format(t, buf);
	return 0;
}
