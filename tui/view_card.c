/* view_card.c - one card: balance, level (override marked), qualifying
 * spend and the distance to the next level, lots in FEFO order with
 * expiry, history newest first (paged by keyset), orders; and what can be
 * done with the card: request an adjustment or an override, simulate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order_list.h"
#include "console.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_LOTS 500
#define HISTORY_PAGE 100
#define MAX_ORDERS 200

struct card {
	char code[72];
	struct aba_card_view cv;
	int history_cap;	/* room in cv.history */
	int history_end;	/* the oldest entry is loaded */
	struct aba_member_info mi;
	int has_mi;
	struct aba_order_row *orders;
	int norders;
	int pane;		/* 0 lots, 1 history, 2 orders */
	struct table lots, history, otab;
};

static const struct keymap card_keys[] = {
	{ 'v', REQ_VERIFY },
	{ 'a', REQ_ADJUST },
	{ 'o', REQ_OVERRIDE },
	{ 's', REQ_VIEW_SIMULATE },
	{ 0, REQ_NONE },
};

static const struct column order_cols[] = {
	{ "AT", 16, 0, 0 },
	{ "REF", 14, 0, 1 },
	{ "LEVEL", 8, 0, 0 },
	{ "NET", 14, 1, 0 },
	{ "EARNED", 10, 1, 0 },
	{ "SPENT", 10, 1, 0 },
	{ "STATE", 8, 0, 0 },
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

static void add_order(void *arg, const struct aba_order_row *o)
{
	struct card *c = arg;

	if (c->norders < MAX_ORDERS)
		c->orders[c->norders++] = *o;
}

/* Level, spend and orders: what the ledger snapshot does not carry.  A
 * failure here leaves the card on screen with the error said. */
static void load_more(struct view *v, struct aba_db *db)
{
	struct card *c = v->priv;
	struct aba_err err;

	if (c->has_mi)
		aba_member_info_clear(&c->mi);
	c->has_mi = aba_member_info(db, c->code, NULL, &c->mi, &err) == 0;
	c->norders = 0;
	if (!c->has_mi || aba_order_list(db, c->code, MAX_ORDERS, add_order, c, &err))
		console_error(v->con, &err);
	c->otab.nrows = c->norders;
}

static int load(struct view *v)
{
	struct card *c = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_card_view cv;
	struct aba_err err;

	if (!db)
		return -1;
	console_busy(v->con, "loading the card");
	if (aba_card_load(db, c->code, MAX_LOTS, HISTORY_PAGE, &cv, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return -1;
	}
	aba_card_view_clear(&c->cv);
	c->cv = cv;
	c->history_cap = cv.nhistory;
	c->history_end = cv.nhistory < HISTORY_PAGE;
	c->lots.nrows = cv.nlots;
	c->history.nrows = cv.nhistory;
	load_more(v, db);
	console_idle(v->con);
	return 0;
}

/* The next page of history, below the oldest entry shown. */
static void more_history(struct view *v)
{
	struct card *c = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_history_entry *h;
	struct aba_err err;
	int n = 0;

	if (c->history_end || !db || c->cv.nhistory == 0)
		return;
	h = realloc(c->cv.history, (size_t)(c->cv.nhistory + HISTORY_PAGE) * sizeof(*h));
	if (!h)
		return;
	c->cv.history = h;
	c->history_cap = c->cv.nhistory + HISTORY_PAGE;
	console_busy(v->con, "loading older history");
	if (aba_card_history(db, c->code, h[c->cv.nhistory - 1].id, HISTORY_PAGE,
			     h + c->cv.nhistory, &n, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return;
	}
	console_idle(v->con);
	c->cv.nhistory += n;
	c->history_end = n < HISTORY_PAGE;
	c->history.nrows = c->cv.nhistory;
}

static int card_open(struct view *v, const char *arg)
{
	struct card *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	v->priv = c;
	snprintf(c->code, sizeof(c->code), "%s", arg ? arg : "");
	c->pane = 1;
	if (!(c->orders = calloc(MAX_ORDERS, sizeof(*c->orders))) || load(v)) {
		free(c->orders);
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

static const char *order_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_order_row *o = &((struct card *)arg)->orders[row];

	(void)size;
	if (strcmp(o->state, "posted") != 0)
		*el = T_MUTED + 1;
	switch (col) {
	case 0: return ui_time(o->at, buf);
	case 1: return o->ref;
	case 2: return *o->level ? o->level : "-";
	case 3: return aba_amount_format_grouped(o->total_net, buf);
	case 4: return aba_amount_format_grouped(o->points_earned, buf);
	case 5: return aba_amount_format_grouped(o->points_redeemed, buf);
	default: return o->state;
	}
}

/* "level GOLD*  (override until ...)  spend 1,200.00 in 365 d, 800.00 to PLATINUM" */
static void member_line(const struct card *c, char *buf, size_t size)
{
	const struct aba_member_info *m = &c->mi;
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], t[20];
	int n;

	if (!c->has_mi) {
		snprintf(buf, size, "membership not loaded (R retries)");
		return;
	}
	n = snprintf(buf, size, "level %s%s", *m->level ? m->level : "-",
		     *m->override_level ? "*" : "");
	if (*m->override_level && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " (override until %s)",
			      ui_time(m->override_until, t));
	if (m->has_spend && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "   spend %s in %d d",
			      aba_amount_format_grouped(m->spend, a), m->window_days);
	if (*m->next_level && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", %s to %s",
			 aba_amount_format_grouped(m->next_distance, b), m->next_level);
	else if (m->has_spend && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", top level");
}

static void draw_head(struct card *c, WINDOW *w)
{
	const struct aba_card_row *r = &c->cv.card;
	char buf[600], bal[ABA_AMOUNT_BUFSZ];
	int width = getmaxx(w);

	snprintf(buf, sizeof(buf), "Card %s  %s%s", r->code, r->name, r->active ? "" : "  (inactive)");
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 0, 1, width - 2, 1, buf);
	snprintf(buf, sizeof(buf), "balance %s   phone %s   email %s",
		 aba_amount_format_grouped(r->balance, bal), *r->phone ? r->phone : "-",
		 *c->cv.email ? c->cv.email : "-");
	wattrset(w, theme_attr(T_NORMAL));
	ui_put(w, 1, 1, width - 2, 1, buf);
	member_line(c, buf, sizeof(buf));
	wattrset(w, theme_attr(c->has_mi && *c->mi.override_level ? T_WARN : T_NORMAL));
	ui_put(w, 2, 1, width - 2, 1, buf);
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
	int h = getmaxy(w), avail = h - 6, lot_h;
	char title[128];

	draw_head(c, w);
	/* Lots get a third of the room (fewer when there are few); history or
	 * orders the rest. */
	lot_h = c->cv.nlots + 1 < avail / 3 ? c->cv.nlots + 1 : avail / 3;
	if (lot_h < 2)
		lot_h = 2;
	snprintf(title, sizeof(title), "Lots, soonest expiry first (%d)", c->cv.nlots);
	pane_title(w, 4, title, c->pane == 0);
	table_draw(w, 5, lot_h, lot_cols, 6, &c->lots, lot_cell, c, c->pane == 0);
	if (c->pane == 2) {
		snprintf(title, sizeof(title), "Orders, newest first (%d%s)   [Tab: lots]", c->norders,
			 c->norders == MAX_ORDERS ? "+" : "");
		pane_title(w, 6 + lot_h, title, 1);
		table_draw(w, 7 + lot_h, h - 7 - lot_h - 1, order_cols, 7, &c->otab, order_cell, c, 1);
	} else {
		snprintf(title, sizeof(title), "History, newest first (%d%s)   [Tab: orders]",
			 c->cv.nhistory, c->history_end ? "" : "+");
		pane_title(w, 6 + lot_h, title, c->pane == 1);
		table_draw(w, 7 + lot_h, h - 7 - lot_h - 1, hist_cols, 6, &c->history, hist_cell, c,
			   c->pane == 1);
	}
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, getmaxx(w) - 2, 1,
	       "a: adjust  o: override  s: simulate  v: verify  Tab: panes  q: back");
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
	/* At the last loaded entry: the next page, keyset below it. */
	if (c->history.sel >= c->cv.nhistory - 1 && !c->history_end) {
		int sel = c->history.sel;

		more_history(v);
		c->history.sel = sel;
		if (req == REQ_MOVE_LAST || req == REQ_PAGE_DOWN)
			table_move(&c->history, req == REQ_MOVE_LAST ? REQ_MOVE_LAST : REQ_NONE);
	}
	return 1;
}

static int move_in_pane(struct view *v, enum request req)
{
	struct card *c = v->priv;

	if (c->pane == 0)
		return table_move(&c->lots, req);
	if (c->pane == 2)
		return table_move(&c->otab, req);
	return move_history(v, req);
}

static int card_key(struct view *v, enum request req, int key)
{
	struct card *c = v->priv;

	(void)key;
	switch (req) {
	case REQ_NEXT_PANE:
		c->pane = (c->pane + 1) % 3;
		return R_REDRAW;
	case REQ_ADJUST:
		console_push(v->con, &view_adjust_ops, c->code);
		return R_REDRAW;
	case REQ_OVERRIDE:
		console_push(v->con, &view_override_ops, c->code);
		return R_REDRAW;
	case REQ_VIEW_SIMULATE:
		console_push(v->con, &view_simulate_ops, c->code);
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
	if (move_in_pane(v, req))
		return R_REDRAW;
	return R_UNHANDLED;
}

static void card_close(struct view *v)
{
	struct card *c = v->priv;

	if (!c)
		return;
	aba_card_view_clear(&c->cv);
	if (c->has_mi)
		aba_member_info_clear(&c->mi);
	free(c->orders);
	free(c);
	v->priv = NULL;
}

const struct view_ops view_card_ops = {
	"Card", card_keys, card_open, card_draw, card_key, card_close, NULL,
};
