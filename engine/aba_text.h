/* aba_text.h - checks on text that comes from outside (argv, JSON files)
 * before it reaches the database or the screen. */
#ifndef ABA_TEXT_H
#define ABA_TEXT_H

#include <stddef.h>

#include "aba_err.h"

/* Valid UTF-8 without control characters, 1 to max_chars characters. */
int aba_text_check(const char *s, const char *what, size_t max_chars, struct aba_err *err);

/* Number of characters of valid UTF-8 s, or -1 when s is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included). */
long aba_utf8_length(const char *s);

#endif
