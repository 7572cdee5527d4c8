/* aba_text.c - UTF-8 validation. */
#include "aba_text.h"

#include <stdint.h>

/* Length in bytes of the UTF-8 sequence at p, 0 when it is invalid. */
static int sequence_length(const unsigned char *p)
{
	uint32_t cp;
	int n;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

long aba_utf8_length(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long chars = 0;

	while (*p) {
		int n = sequence_length(p);

		if (n == 0)
			return -1;
		p += n;
		chars++;
	}
	return chars;
}

int aba_text_check(const char *s, const char *what, size_t max_chars, struct aba_err *err)
{
	long n;

	if (!s || !*s)
		return aba_fail(err, ABA_INPUT, "%s is empty", what);
	n = aba_utf8_length(s);
	if (n < 0)
		return aba_fail(err, ABA_INPUT, "%s is not valid UTF-8", what);
	if ((size_t)n > max_chars)
		return aba_fail(err, ABA_INPUT, "%s has %ld characters, at most %zu allowed", what, n,
				max_chars);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return aba_fail(err, ABA_INPUT, "%s contains a control character", what);
	return 0;
}
