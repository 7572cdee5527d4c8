/* aba_time.h - ISO 8601 times as int64 seconds since the epoch, UTC.
 *
 * Accepted: "2026-11-22", "2026-11-22T10:00", "2026-11-22T10:00:00",
 * "2026-11-22 10:00:00" (Odoo), each optionally followed by "Z" or
 * "+07:00"/"-0300".  A time without a zone is UTC.  Impossible dates
 * (2026-02-30) are errors.  Pure: no locale, no TZ, no I/O.
 */
#ifndef ABA_TIME_H
#define ABA_TIME_H

#include <stdint.h>

#include "aba_err.h"

#define ABA_TIME_BUFSZ 32

int aba_time_parse(const char *s, const char *what, int64_t *out, struct aba_err *err);
/* "2026-11-22T10:00:00Z"; buf holds ABA_TIME_BUFSZ bytes.  Returns buf. */
char *aba_time_format(int64_t t, char *buf);
/* A time from outside checked and rewritten as canonical UTC into buf;
 * *out is buf, or NULL when in is NULL (an optional time left out). */
int aba_time_canonical(const char *in, const char *what, char buf[ABA_TIME_BUFSZ],
		       const char **out, struct aba_err *err);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t aba_days_from_civil(int64_t y, int m, int d);

#endif
