/* ui.c - text that fits its columns, times, sparklines. */
#include "ui.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Width of one character; control and unprintable characters show as '?'. */
static int char_width(wchar_t wc)
{
	int cw = wcwidth(wc);

	return cw < 0 ? 1 : cw;
}

int ui_width(const char *s)
{
	mbstate_t st;
	int cols = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);

		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			n = 1;
			wc = L'?';
		}
		cols += char_width(wc);
		s += n;
	}
	return cols;
}

int ui_put(WINDOW *w, int y, int x, int width, int pad, const char *s)
{
	mbstate_t st;
	int cols = 0;

	memset(&st, 0, sizeof(st));
	wmove(w, y, x);
	while (*s && cols < width) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			n = 1;
			wc = L'?';
		}
		if (wc < 32 || wc == 127 || wcwidth(wc) < 0)
			wc = L'?';
		cw = char_width(wc);
		if (cols + cw > width || (cols + cw == width && s[n])) {
			waddch(w, '~');
			cols++;
			break;
		}
		waddnwstr(w, &wc, 1);
		cols += cw;
		s += n;
	}
	while (pad && cols < width) {
		waddch(w, ' ');
		cols++;
	}
	return cols;
}

int ui_put_right(WINDOW *w, int y, int x, int width, const char *s)
{
	int cols = ui_width(s);

	if (cols >= width)
		return ui_put(w, y, x, width, 1, s);
	wmove(w, y, x);
	for (int i = 0; i < width - cols; i++)
		waddch(w, ' ');
	return ui_put(w, y, x + width - cols, cols, 0, s) + width - cols;
}

const char *ui_time(const char *pg, char *buf)
{
	/* "2026-11-22 10:00:00.123+07" -> "2026-11-22 10:00" */
	snprintf(buf, 20, "%.16s", pg);
	if (buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

void ui_sparkline(const int64_t *v, int n, char *buf, size_t size)
{
	static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = " .:-=+*#@";
	int utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	int64_t max = 0;
	size_t len = 0;

	for (int i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		/* Any non-zero value shows at least the lowest bar. */
		int level = max == 0 || v[i] <= 0 ? 0 : (int)(1 + (v[i] * 7) / max);
		const char *b = blocks[level];
		char one[2] = { ascii[level], '\0' };
		const char *s = utf8 ? b : one;
		size_t sl = strlen(s);

		if (len + sl + 1 > size)
			break;
		memcpy(buf + len, s, sl + 1);
		len += sl;
	}
}
