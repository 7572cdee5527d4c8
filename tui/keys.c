/* keys.c - request names, help texts and the global key table. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "ui.h"

static const struct {
	const char *name;
	const char *help;
} req_info[] = {
#define REQ_ROW(NAME, cmd, help) { cmd, help },
	REQ_INFO(REQ_ROW)
#undef REQ_ROW
};

/* Arrow keys and vi keys, PgUp/PgDn/Home/End, Esc/q back. */
const struct keymap keys_global[] = {
	{ KEY_UP, REQ_MOVE_UP },	{ 'k', REQ_MOVE_UP },
	{ KEY_DOWN, REQ_MOVE_DOWN },	{ 'j', REQ_MOVE_DOWN },
	{ KEY_PPAGE, REQ_PAGE_UP },	{ ctrl('b'), REQ_PAGE_UP },
	{ KEY_NPAGE, REQ_PAGE_DOWN },	{ ctrl('f'), REQ_PAGE_DOWN },	{ ' ', REQ_PAGE_DOWN },
	{ KEY_HOME, REQ_MOVE_FIRST },	{ 'g', REQ_MOVE_FIRST },
	{ KEY_END, REQ_MOVE_LAST },	{ 'G', REQ_MOVE_LAST },
	{ '\t', REQ_NEXT_PANE },
	{ '\n', REQ_ENTER },		{ '\r', REQ_ENTER },		{ KEY_ENTER, REQ_ENTER },
	{ KEY_ESC, REQ_BACK },		{ 'q', REQ_BACK },		{ KEY_LEFT, REQ_BACK },
	{ '1', REQ_VIEW_HOME },		{ '2', REQ_VIEW_CARDS },	{ '3', REQ_VIEW_APPROVALS },
	{ '4', REQ_VIEW_MEMBERS },	{ '5', REQ_VIEW_SIMULATE },	{ '6', REQ_VIEW_AUDIT },
	{ '7', REQ_VIEW_REPORTS },
	{ '?', REQ_VIEW_HELP },		{ KEY_F(1), REQ_VIEW_HELP },
	{ '/', REQ_SEARCH },		{ ':', REQ_PROMPT },
	{ 'R', REQ_REFRESH },		{ ctrl('l'), REQ_REFRESH },
	{ 'T', REQ_THEME },
	{ 'Q', REQ_QUIT },
	{ 0, REQ_NONE },
};

const char *request_name(enum request r)
{
	return r < REQ_COUNT ? req_info[r].name : "";
}

const char *request_help(enum request r)
{
	return r < REQ_COUNT ? req_info[r].help : "";
}

enum request request_find(const char *name)
{
	for (int r = 1; r < REQ_COUNT; r++)
		if (*req_info[r].name && strcmp(req_info[r].name, name) == 0)
			return (enum request)r;
	return REQ_NONE;
}

enum request keymap_lookup(const struct keymap *km, int key)
{
	for (; km && km->req != REQ_NONE; km++)
		if (km->key == key)
			return km->req;
	return REQ_NONE;
}

const char *key_label(int key, char *buf)
{
	static const struct {
		int key;
		const char *label;
	} names[] = {
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" },
		{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
		{ '\n', "Enter" }, { '\r', "Return" }, { KEY_ENTER, "KpEnter" }, { KEY_ESC, "Esc" },
		{ '\t', "Tab" }, { ' ', "Space" }, { KEY_F(1), "F1" }, { KEY_BACKSPACE, "Bksp" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key) {
			snprintf(buf, 16, "%s", names[i].label);
			return buf;
		}
	if (key > 0 && key < 32)
		snprintf(buf, 16, "^%c", key + '@');
	else
		snprintf(buf, 16, "%c", key);
	return buf;
}
