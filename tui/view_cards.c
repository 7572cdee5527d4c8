/* view_cards.c - Cards: search by card code, customer name or phone as you
 * type.  The search runs on the server a page at a time (aba_card_list);
 * the next page loads when the cursor reaches the end of what is loaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_card.h"
#include "console.h"
#include "field.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define PAGE 50

struct cards {
	struct field search;
	struct aba_card_row *rows;
	int nrows, cap;
	int more;		/* the last page was full: there may be more */
	int fetched;		/* rows the last page call returned */
	struct table t;
	char shown_search[FIELD_MAX];	/* what the rows are the result of */
};

static const struct keymap cards_keys[] = {
	{ KEY_RIGHT, REQ_ENTER },
	{ 0, REQ_NONE },
};

static const struct column cols[] = {
	{ "CARD", 12, 0, 0 },
	{ "NAME", 22, 0, 1 },
	{ "PHONE", 15, 0, 0 },
	{ "LEVEL", 8, 0, 0 },
	{ "BALANCE", 14, 1, 0 },
};

static void add_row(void *arg, const struct aba_card_row *r)
{
	struct cards *s = arg;

	s->fetched++;
	if (s->nrows == s->cap) {
		int cap = s->cap ? s->cap * 2 : PAGE * 2;
		struct aba_card_row *n = realloc(s->rows, (size_t)cap * sizeof(*n));

		if (!n)
			return;
		s->rows = n;
		s->cap = cap;
	}
	s->rows[s->nrows++] = *r;
}

/* Loads the page after the rows loaded so far (all over when restart). */
static void fetch(struct view *v, int restart)
{
	struct cards *s = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_err err;

	if (!db)
		return;
	if (restart) {
		s->nrows = 0;
		s->t.sel = s->t.top = 0;
		snprintf(s->shown_search, sizeof(s->shown_search), "%s", s->search.text);
	}
	s->fetched = 0;
	console_busy(v->con, "searching");
	if (aba_card_list(db, *s->shown_search ? s->shown_search : NULL, PAGE, s->nrows,
			  add_row, s, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		s->more = 0;
	} else {
		console_idle(v->con);
		s->more = s->fetched == PAGE;
	}
	s->t.nrows = s->nrows;
}

static int cards_open(struct view *v, const char *arg)
{
	struct cards *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	v->priv = s;
	field_set(&s->search, arg ? arg : "");
	v->editing = 1;		/* the cursor starts in the search box */
	fetch(v, 1);
	return 0;
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_card_row *r = &((struct cards *)arg)->rows[row];
	char a[ABA_AMOUNT_BUFSZ];

	switch (col) {
	case 0: return r->code;
	case 1:
		if (!r->active)
			*el = T_MUTED + 1;
		snprintf(buf, size, "%s%s", r->name, r->active ? "" : " (inactive)");
		return buf;
	case 2: return r->phone;
	case 3: return *r->level ? r->level : "-";
	default:
		snprintf(buf, size, "%s", aba_amount_format_grouped(r->balance, a));
		return buf;
	}
}

static void cards_draw(struct view *v, WINDOW *w)
{
	struct cards *s = v->priv;
	int h = getmaxy(w), width = getmaxx(w);
	char foot[96];

	wattrset(w, theme_attr(T_LABEL));
	ui_put(w, 0, 1, 8, 1, "Search:");
	field_draw(w, 0, 9, width - 10, &s->search, v->editing ? theme_attr(T_INPUT) : (int)A_BOLD);
	table_draw(w, 2, h - 3, cols, sizeof(cols) / sizeof(cols[0]), &s->t, cell, s, !v->editing);
	snprintf(foot, sizeof(foot), s->nrows ? "%d%s card%s%s" : "no card matches",
		 s->nrows, s->more ? "+" : "", s->nrows == 1 ? "" : "s",
		 v->editing ? "  (Enter or Down: to the list, Esc: clear)" : "  (/: search, Enter: open)");
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, width - 2, 1, foot);
	wattrset(w, theme_attr(T_NORMAL));
	v->cy = 0;
	v->cx = 9 + (ui_width(s->search.text) < width - 11 ? ui_width(s->search.text) : width - 11);
}

static int editing_key(struct view *v, enum request req, int key)
{
	struct cards *s = v->priv;

	if (field_key(&s->search, key)) {
		/* Typed ahead: search once, for the last key, not for each. */
		if (!console_key_pending(v->con))
			fetch(v, 1);
		return R_REDRAW;
	}
	if (req == REQ_BACK && key == KEY_ESC && s->search.len) {
		field_set(&s->search, "");
		fetch(v, 1);
		return R_REDRAW;
	}
	if (req == REQ_ENTER || req == REQ_MOVE_DOWN || req == REQ_NEXT_PANE) {
		if (strcmp(s->shown_search, s->search.text) != 0)
			fetch(v, 1);
		v->editing = 0;
		return R_REDRAW;
	}
	return R_UNHANDLED;
}

static int cards_key(struct view *v, enum request req, int key)
{
	struct cards *s = v->priv;

	if (v->editing)
		return editing_key(v, req, key);
	if (req == REQ_SEARCH || req == REQ_NEXT_PANE || (req == REQ_MOVE_UP && s->t.sel == 0)) {
		v->editing = 1;
		return R_REDRAW;
	}
	if (req == REQ_REFRESH) {
		fetch(v, 1);
		return R_REDRAW;
	}
	if (req == REQ_ENTER && s->nrows) {
		console_push(v->con, &view_card_ops, s->rows[s->t.sel].code);
		return R_REDRAW;
	}
	if (table_move(&s->t, req)) {
		/* Reaching the end of what is loaded fetches the next page. */
		if (s->more && s->t.sel >= s->nrows - 1) {
			fetch(v, 0);
			table_move(&s->t, req == REQ_MOVE_LAST ? REQ_MOVE_LAST : REQ_NONE);
		}
		return R_REDRAW;
	}
	return R_UNHANDLED;
}

static void cards_close(struct view *v)
{
	struct cards *s = v->priv;

	free(s->rows);
	free(s);
	v->priv = NULL;
}

const struct view_ops view_cards_ops = {
	"Cards", cards_keys, cards_open, cards_draw, cards_key, cards_close, NULL,
};
