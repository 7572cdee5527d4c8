/* ui.h - the curses include every tui file shares, and small drawing
 * helpers that know UTF-8 and column widths. */
#ifndef ABA_UI_H
#define ABA_UI_H

#include <stddef.h>
#include <stdint.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#define ctrl(c) ((c) & 0x1f)
#define KEY_ESC 27

/* Writes s at (y, x) in at most width columns, padded with blanks to
 * width when pad is set; characters that do not fit are cut, a cut shown
 * by '~' in the last column.  Returns the columns written. */
int ui_put(WINDOW *w, int y, int x, int width, int pad, const char *s);
/* ui_put right-aligned in width columns. */
int ui_put_right(WINDOW *w, int y, int x, int width, const char *s);
/* Columns the UTF-8 string s takes on screen. */
int ui_width(const char *s);

/* "2026-11-22 10:00" from a PostgreSQL timestamptz text; buf 20 bytes. */
const char *ui_time(const char *pg, char *buf);
/* A sparkline of n values scaled to their maximum, as UTF-8 block
 * characters (or ASCII when the terminal cannot show them) in buf. */
void ui_sparkline(const int64_t *v, int n, char *buf, size_t size);

#endif
