/* view_card.c - one card: balance, level, lots in FEFO order with expiry,
 * history newest first (paged), and what can be done with the card. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_card.h"
#include "aba_ledger.h"
#include "console.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_LOTS 500
#define HISTORY_PAGE 100

struct card {
	char code[72];
	struct aba_card_view cv;
	int max_history;
	int pane;		/* 0 lots, 1 history */
	struct table lots, history;
};

static const struct keymap card_keys[] = {
	{ 'v', REQ_VERIFY },
	{ 0, REQ_NONE },
};

static const struct column lot_cols[] = {
	{ "EXPIRES", 16, 0, 0 },
	{ "REMAINING", 12, 1, 0 },
	{ "INITIAL", 12, 1, 0 },
	{ "GAINED", 16, 0, 0 },
	{ "STATE", 8, 0, 0 },
	{ "ORIGIN", 6, 0, 1 },
};

static const struct column hist_cols[] = {
	{ "AT", 16, 0, 0 },
	{ "KIND", 7, 0, 0 },
	{ "DELTA", 12, 1, 0 },
	{ "BALANCE", 12, 1, 0 },
	{ "ACTOR", 12, 0, 0 },
	{ "ORIGIN", 6, 0, 1 },
};

static int load(struct view *v)
{
	struct card *c = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_card_view cv;
	struct aba_err err;

	if (!db)
		return -1;
	console_busy(v->con, "loading the card");
	if (aba_card_load(db, c->code, MAX_LOTS, c->max_history, &cv, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return -1;
	}
	console_idle(v->con);
	aba_card_view_clear(&c->cv);
	c->cv = cv;
	c->lots.nrows = cv.nlots;
	c->history.nrows = cv.nhistory;
	return 0;
}

static int card_open(struct view *v, const char *arg)
{
	struct card *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	v->priv = c;
	snprintf(c->code, sizeof(c->code), "%s", arg ? arg : "");
	c->max_history = HISTORY_PAGE;
	c->pane = 1;
	if (load(v)) {
		free(c);
		v->priv = NULL;
		return -1;
	}
	return 0;
}

static const char *lot_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_lot *l = &((struct card *)arg)->cv.lots[row];
	char a[ABA_AMOUNT_BUFSZ];

	if (strcmp(l->state, "active") != 0)
		*el = T_MUTED + 1;
	switch (col) {
	case 0: return *l->expires_at ? ui_time(l->expires_at, buf) : "never";
	case 1: snprintf(buf, size, "%s", aba_amount_format_grouped(l->remaining, a)); return buf;
	case 2: snprintf(buf, size, "%s", aba_amount_format_grouped(l->initial, a)); return buf;
	case 3: return ui_time(l->gained_at, buf);
	case 4: return l->state;
	default: return l->origin;
	}
}

static const char *hist_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_history_entry *h = &((struct card *)arg)->cv.history[row];
	char a[ABA_AMOUNT_BUFSZ];

	switch (col) {
	case 0: return ui_time(h->at, buf);
	case 1: return h->kind;
	case 2:
		*el = (h->delta < 0 ? T_NEGATIVE : T_POSITIVE) + 1;
		snprintf(buf, size, "%s%s", h->delta > 0 ? "+" : "", aba_amount_format_grouped(h->delta, a));
		return buf;
	case 3: snprintf(buf, size, "%s", aba_amount_format_grouped(h->balance_after, a)); return buf;
	case 4: return h->actor;
	default: return h->origin;
	}
}

static void draw_head(struct card *c, WINDOW *w)
{
	const struct aba_card_row *r = &c->cv.card;
	char buf[512], bal[ABA_AMOUNT_BUFSZ];
	int width = getmaxx(w);

	snprintf(buf, sizeof(buf), "Card %s  %s%s", r->code, r->name, r->active ? "" : "  (inactive)");
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 0, 1, width - 2, 1, buf);
	snprintf(buf, sizeof(buf), "balance %s   level %s   phone %s   email %s",
		 aba_amount_format_grouped(r->balance, bal), *r->level ? r->level : "-",
		 *r->phone ? r->phone : "-", *c->cv.email ? c->cv.email : "-");
	wattrset(w, theme_attr(T_NORMAL));
	ui_put(w, 1, 1, width - 2, 1, buf);
}

static void pane_title(WINDOW *w, int y, const char *title, int focused)
{
	wattrset(w, theme_attr(focused ? T_TAB_ACTIVE : T_LABEL));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, title);
	wattrset(w, theme_attr(T_NORMAL));
}

static void card_draw(struct view *v, WINDOW *w)
{
	struct card *c = v->priv;
	int h = getmaxy(w), avail = h - 5, lot_h;
	char title[96];

	draw_head(c, w);
	/* Lots get a third of the room (fewer when there are few); history the rest. */
	lot_h = c->cv.nlots + 1 < avail / 3 ? c->cv.nlots + 1 : avail / 3;
	if (lot_h < 2)
		lot_h = 2;
	snprintf(title, sizeof(title), "Lots, soonest expiry first (%d)", c->cv.nlots);
	pane_title(w, 3, title, c->pane == 0);
	table_draw(w, 4, lot_h, lot_cols, 6, &c->lots, lot_cell, c, c->pane == 0);
	snprintf(title, sizeof(title), "History, newest first (%d%s)", c->cv.nhistory,
		 c->cv.nhistory == c->max_history ? "+" : "");
	pane_title(w, 5 + lot_h, title, c->pane == 1);
	table_draw(w, 6 + lot_h, h - 6 - lot_h - 1, hist_cols, 6, &c->history, hist_cell, c,
		   c->pane == 1);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, getmaxx(w) - 2, 1, "Tab: lots/history  v: verify  R: reload  q: back");
	wattrset(w, theme_attr(T_NORMAL));
}

static void verify(struct view *v)
{
	struct card *c = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_err err;
	long problems = 0;

	if (!db)
		return;
	console_busy(v->con, "verifying the card");
	if (aba_ledger_verify(db, c->code, NULL, NULL, &problems, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return;
	}
	console_idle(v->con);
	if (problems)
		console_message(v->con, "card '%s': %ld broken invariant%s (aba verify %s lists them)",
				c->code, problems, problems == 1 ? "" : "s", c->code);
	else
		console_message(v->con, "card '%s': every ledger invariant holds", c->code);
}

static int move_history(struct view *v, enum request req)
{
	struct card *c = v->priv;

	if (!table_move(&c->history, req))
		return 0;
	/* Past the last loaded entry: load the next page. */
	if (c->history.sel >= c->cv.nhistory - 1 && c->cv.nhistory == c->max_history) {
		int sel = c->history.sel;

		c->max_history += HISTORY_PAGE;
		if (load(v) == 0 && req != REQ_MOVE_LAST)
			c->history.sel = sel;
		else if (req == REQ_MOVE_LAST)
			table_move(&c->history, REQ_MOVE_LAST);
	}
	return 1;
}

static int card_key(struct view *v, enum request req, int key)
{
	struct card *c = v->priv;

	(void)key;
	switch (req) {
	case REQ_NEXT_PANE:
		c->pane = !c->pane;
		return R_REDRAW;
	case REQ_REFRESH:
		load(v);
		return R_REDRAW;
	case REQ_VERIFY:
		verify(v);
		return R_REDRAW;
	default:
		break;
	}
	if (c->pane == 0 ? table_move(&c->lots, req) : move_history(v, req))
		return R_REDRAW;
	return R_UNHANDLED;
}

static void card_close(struct view *v)
{
	struct card *c = v->priv;

	if (!c)
		return;
	aba_card_view_clear(&c->cv);
	free(c);
	v->priv = NULL;
}

const struct view_ops view_card_ops = {
	"Card", card_keys, card_open, card_draw, card_key, card_close,
};
