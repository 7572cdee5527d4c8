/* fuzz_scalar.c - libFuzzer target: the parsers of single values from
 * outside (amounts and points, decimals, times, free text).
 *
 * Besides not crashing, each value that parses must survive a round trip:
 * format(parse(s)) parses back to the same value, and that text is
 * already canonical.  A broken promise aborts, which libFuzzer reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_text.h"
#include "aba_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void amount(const char *s)
{
	char buf[ABA_AMOUNT_BUFSZ], again[ABA_AMOUNT_BUFSZ];
	struct aba_err err;
	int64_t v, w;

	if (aba_amount_parse(s, "points", &v, &err) != 0)
		return;
	if (v > ABA_AMOUNT_MAX || v < -ABA_AMOUNT_MAX)
		abort();
	aba_amount_format(v, buf);
	if (aba_amount_parse(buf, "points", &w, &err) != 0 || w != v)
		abort();
	if (strcmp(aba_amount_format(w, again), buf) != 0)
		abort();
	aba_amount_format_grouped(v, buf);
}

static void decimal(const char *s, int places)
{
	char buf[64];
	struct aba_err err;
	int64_t v, w;

	if (aba_decimal_parse(s, places, INT64_MAX / 4, "x", &v, &err) != 0)
		return;
	aba_decimal_format(v, places, buf);
	if (aba_decimal_parse(buf, places, INT64_MAX / 4, "x", &w, &err) != 0 || w != v)
		abort();
}

static void time_of(const char *s)
{
	char buf[ABA_TIME_BUFSZ], canon[ABA_TIME_BUFSZ];
	const char *out;
	struct aba_err err;
	int64_t t, u;

	if (aba_time_parse(s, "at", &t, &err) != 0) {
		if (aba_time_canonical(s, "at", canon, &out, &err) == 0)
			abort();	/* canonical must refuse what parse refuses */
		return;
	}
	aba_time_format(t, buf);
	if (aba_time_parse(buf, "at", &u, &err) != 0 || u != t)
		abort();
	if (aba_time_canonical(s, "at", canon, &out, &err) != 0 || strcmp(canon, buf) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct aba_err err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	amount(s);
	decimal(s, 0);
	decimal(s, 4);
	time_of(s);
	aba_text_check(s, "note", 1000, &err);
	aba_text_check(s, "code", 64, &err);
	free(s);
	return 0;
}
