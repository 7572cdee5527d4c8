/* theme.c - the colour table and NO_COLOR. */
#include "theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

struct style {
	short fg, bg;
	int attr;
};

#define THEMES(X) X(dark) X(light) X(mono)
enum theme {
#define THEME_ID(name) THEME_##name,
	THEMES(THEME_ID)
#undef THEME_ID
	THEME_COUNT
};
static const char *const theme_names[] = {
#define THEME_NAME(name) #name,
	THEMES(THEME_NAME)
#undef THEME_NAME
};

/* -1 is the terminal's own colour.  Mono relies on attributes alone, and
 * every theme keeps the attributes, so the screen reads without colour. */
static const struct style styles[THEME_COUNT][T_COUNT] = {
	[THEME_dark] = {
		[T_NORMAL] = { -1, -1, A_NORMAL },
		[T_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD },
		[T_TAB] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[T_TAB_ACTIVE] = { COLOR_BLACK, COLOR_CYAN, A_BOLD },
		[T_STATUS] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[T_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD },
		[T_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[T_HEADER] = { COLOR_YELLOW, -1, A_BOLD },
		[T_LABEL] = { COLOR_CYAN, -1, A_NORMAL },
		[T_POSITIVE] = { COLOR_GREEN, -1, A_NORMAL },
		[T_NEGATIVE] = { COLOR_RED, -1, A_NORMAL },
		[T_MUTED] = { COLOR_BLUE, -1, A_BOLD },
		[T_BAR] = { COLOR_GREEN, -1, A_NORMAL },
		[T_INPUT] = { COLOR_WHITE, COLOR_BLACK, A_UNDERLINE },
		[T_WARN] = { COLOR_YELLOW, -1, A_BOLD },
	},
	[THEME_light] = {
		[T_NORMAL] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL },
		[T_TITLE] = { COLOR_WHITE, COLOR_BLACK, A_BOLD },
		[T_TAB] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL },
		[T_TAB_ACTIVE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD },
		[T_STATUS] = { COLOR_WHITE, COLOR_BLACK, A_NORMAL },
		[T_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD },
		[T_CURSOR] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[T_HEADER] = { COLOR_BLUE, COLOR_WHITE, A_BOLD },
		[T_LABEL] = { COLOR_MAGENTA, COLOR_WHITE, A_NORMAL },
		[T_POSITIVE] = { COLOR_GREEN, COLOR_WHITE, A_NORMAL },
		[T_NEGATIVE] = { COLOR_RED, COLOR_WHITE, A_NORMAL },
		[T_MUTED] = { COLOR_BLACK, COLOR_WHITE, A_DIM },
		[T_BAR] = { COLOR_BLUE, COLOR_WHITE, A_NORMAL },
		[T_INPUT] = { COLOR_BLACK, COLOR_CYAN, A_UNDERLINE },
		[T_WARN] = { COLOR_RED, COLOR_WHITE, A_BOLD },
	},
	[THEME_mono] = {
		[T_NORMAL] = { -1, -1, A_NORMAL },
		[T_TITLE] = { -1, -1, A_REVERSE | A_BOLD },
		[T_TAB] = { -1, -1, A_REVERSE },
		[T_TAB_ACTIVE] = { -1, -1, A_BOLD | A_UNDERLINE },
		[T_STATUS] = { -1, -1, A_REVERSE },
		[T_ERROR] = { -1, -1, A_REVERSE | A_BOLD },
		[T_CURSOR] = { -1, -1, A_REVERSE },
		[T_HEADER] = { -1, -1, A_BOLD },
		[T_LABEL] = { -1, -1, A_NORMAL },
		[T_POSITIVE] = { -1, -1, A_NORMAL },
		[T_NEGATIVE] = { -1, -1, A_NORMAL },
		[T_MUTED] = { -1, -1, A_DIM },
		[T_BAR] = { -1, -1, A_NORMAL },
		[T_INPUT] = { -1, -1, A_UNDERLINE },
		[T_WARN] = { -1, -1, A_BOLD },
	},
};

static enum theme current = THEME_mono;
static int colour_ok;

static void apply(enum theme t)
{
	current = t;
	if (!colour_ok || t == THEME_mono)
		return;
	for (int e = 0; e < T_COUNT; e++)
		init_pair((short)(e + 1), styles[t][e].fg, styles[t][e].bg);
	bkgd(COLOR_PAIR(T_NORMAL + 1));
}

void theme_init(void)
{
	const char *no_color = getenv("NO_COLOR");

	colour_ok = !(no_color && *no_color) && has_colors();
	if (colour_ok) {
		start_color();
		use_default_colors();
	}
	apply(colour_ok ? THEME_dark : THEME_mono);
}

int theme_attr(enum theme_element e)
{
	int a = styles[current][e].attr;

	if (colour_ok && current != THEME_mono)
		a |= COLOR_PAIR(e + 1);
	return a;
}

int theme_set(const char *name, char *msg, int size)
{
	for (int t = 0; t < THEME_COUNT; t++) {
		if (strcmp(theme_names[t], name) != 0)
			continue;
		if (t != THEME_mono && !colour_ok) {
			snprintf(msg, size, "colours are off (NO_COLOR or terminal): theme '%s' refused", name);
			return -1;
		}
		if (t == THEME_mono)
			bkgd(A_NORMAL);
		apply((enum theme)t);
		return 0;
	}
	snprintf(msg, size, "theme '%s' not found (dark, light, mono)", name);
	return -1;
}

const char *theme_next_name(void)
{
	return theme_names[(current + 1) % THEME_COUNT];
}

const char *theme_current(void)
{
	return theme_names[current];
}
