/* field.c - typing into a line. */
#include "field.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "view.h"

static void erase_char(struct field *f)
{
	/* Step back over UTF-8 continuation bytes to the start of the character. */
	while (f->len > 0 && ((unsigned char)f->text[--f->len] & 0xC0) == 0x80)
		;
	f->text[f->len] = '\0';
}

static int insert(struct field *f, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	wchar_t wc = UI_IS_WCHAR(key) ? (wchar_t)(key & ~UI_WCHAR) : (wchar_t)key;
	size_t n;

	memset(&st, 0, sizeof(st));
	if (wc < 32 || wc == 127)
		return 0;
	n = wcrtomb(mb, wc, &st);
	if (n == (size_t)-1 || f->len + (int)n >= FIELD_MAX)
		return 0;
	memcpy(f->text + f->len, mb, n);
	f->len += (int)n;
	f->text[f->len] = '\0';
	return 1;
}

int field_key(struct field *f, int key)
{
	if (key == KEY_BACKSPACE || key == 127 || key == ctrl('h')) {
		if (f->len == 0)
			return 0;
		erase_char(f);
		return 1;
	}
	if (key == ctrl('u')) {
		f->len = 0;
		f->text[0] = '\0';
		return 1;
	}
	if (key == ctrl('w')) {
		while (f->len > 0 && f->text[f->len - 1] == ' ')
			erase_char(f);
		while (f->len > 0 && f->text[f->len - 1] != ' ')
			erase_char(f);
		return 1;
	}
	if (key >= KEY_MIN && key <= KEY_MAX)
		return 0;
	return insert(f, key);
}

void field_set(struct field *f, const char *s)
{
	snprintf(f->text, sizeof(f->text), "%s", s);
	f->len = (int)strlen(f->text);
}

void field_draw(WINDOW *w, int y, int x, int width, const struct field *f, int attr)
{
	const char *s = f->text;

	/* Keep the end (where the cursor is) in sight. */
	while (*s && ui_width(s) > width - 1) {
		s++;
		while (((unsigned char)*s & 0xC0) == 0x80)
			s++;
	}
	wattrset(w, attr);
	ui_put(w, y, x, width, 1, s);
}
