/* theme.h - colours as a [theme][element] table.  NO_COLOR (set and not
 * empty) keeps the console monochrome: attributes only. */
#ifndef ABA_THEME_H
#define ABA_THEME_H

#define THEME_ELEMENTS(X) \
	X(NORMAL) X(TITLE) X(TAB) X(TAB_ACTIVE) X(STATUS) X(ERROR) X(CURSOR) \
	X(HEADER) X(LABEL) X(POSITIVE) X(NEGATIVE) X(MUTED) X(BAR) X(INPUT) X(WARN)

enum theme_element {
#define THEME_ENUM(name) T_##name,
	THEME_ELEMENTS(THEME_ENUM)
#undef THEME_ENUM
	T_COUNT
};

/* Call after initscr(); picks mono under NO_COLOR or without colours. */
void theme_init(void);
/* The attributes (colour pair included) of an element. */
int theme_attr(enum theme_element e);
/* Switches to the named theme; -1 with a message in msg when it cannot. */
int theme_set(const char *name, char *msg, int size);
/* The name of the theme after the current one, for cycling. */
const char *theme_next_name(void);
const char *theme_current(void);

#endif
