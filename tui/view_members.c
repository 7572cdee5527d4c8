/* view_members.c - Membership (screen 6): the levels and the paths into
 * them; overrides pending approval, in force and lapsed; o requests one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "aba_member.h"
#include "aba_override_list.h"
#include "console.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_LEVELS 64
#define MAX_OVERRIDES 500

struct ov {
	char state[10];		/* pending, active, lapsed */
	char card[72], level[40], until[32], reason[504], by[64];
};

struct members {
	struct aba_level levels[MAX_LEVELS];
	int nlevels;
	struct ov *ovs;
	int novs;
	int pane;		/* 0 levels, 1 overrides */
	struct table lt, ot;
};

static const struct keymap members_keys[] = {
	{ 'o', REQ_OVERRIDE },
	{ 0, REQ_NONE },
};

static const struct column level_cols[] = {
	{ "CODE", 10, 0, 0 },
	{ "NAME", 14, 0, 1 },
	{ "SEQ", 4, 1, 0 },
	{ "EARN", 7, 1, 0 },
	{ "THRESHOLD", 14, 1, 0 },
	{ "WINDOW", 7, 1, 0 },
	{ "UP", 3, 0, 0 },
	{ "DOWN", 4, 0, 0 },
};

static const struct column ov_cols[] = {
	{ "STATE", 8, 0, 0 },
	{ "CARD", 10, 0, 0 },
	{ "LEVEL", 10, 0, 0 },
	{ "UNTIL", 16, 0, 0 },
	{ "BY", 10, 0, 0 },
	{ "REASON", 10, 0, 1 },
};

static void level_row(void *arg, const struct aba_level *l)
{
	struct members *m = arg;

	if (m->nlevels < MAX_LEVELS)
		m->levels[m->nlevels++] = *l;
}

static struct ov *next_ov(struct members *m)
{
	return m->novs < MAX_OVERRIDES ? &m->ovs[m->novs++] : NULL;
}

static void pending_row(void *arg, const struct aba_approval *a)
{
	struct ov *o = next_ov(arg);

	if (!o)
		return;
	snprintf(o->state, sizeof(o->state), "pending");
	snprintf(o->card, sizeof(o->card), "%s", a->card);
	snprintf(o->level, sizeof(o->level), "%s", a->level);
	snprintf(o->until, sizeof(o->until), "%s", a->valid_until);
	snprintf(o->reason, sizeof(o->reason), "%s", a->reason);
	snprintf(o->by, sizeof(o->by), "%s", a->maker);
}

static void override_row(void *arg, const struct aba_override_row *r)
{
	struct ov *o = next_ov(arg);

	if (!o)
		return;
	snprintf(o->state, sizeof(o->state), "%s", r->active ? "active" : "lapsed");
	snprintf(o->card, sizeof(o->card), "%s", r->card);
	snprintf(o->level, sizeof(o->level), "%s", r->level);
	snprintf(o->until, sizeof(o->until), "%s", r->until);
	snprintf(o->reason, sizeof(o->reason), "%s", r->reason);
	snprintf(o->by, sizeof(o->by), "%s", r->actor);
}

static void load(struct view *v)
{
	struct members *m = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_approval_filter f = { "pending", "override", NULL, MAX_OVERRIDES };
	struct aba_err err;

	if (!db)
		return;
	m->nlevels = m->novs = 0;
	console_busy(v->con, "loading levels and overrides");
	if (aba_member_levels(db, level_row, m, &err) ||
	    aba_approval_list(db, &f, pending_row, m, &err) ||
	    aba_override_list(db, MAX_OVERRIDES, override_row, m, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
	} else {
		console_idle(v->con);
	}
	m->lt.nrows = m->nlevels;
	m->ot.nrows = m->novs;
}

static int members_open(struct view *v, const char *arg)
{
	struct members *m = calloc(1, sizeof(*m));

	(void)arg;
	if (!m || !(m->ovs = calloc(MAX_OVERRIDES, sizeof(*m->ovs)))) {
		free(m);
		return -1;
	}
	v->priv = m;
	load(v);
	return 0;
}

/* 15000 basis points -> "1.5x". */
static const char *multiplier(int64_t bp, char *buf, size_t size)
{
	char a[ABA_AMOUNT_BUFSZ];
	size_t n;

	aba_decimal_format(bp, 4, a);
	n = strlen(a);
	while (n > 0 && a[n - 1] == '0')
		a[--n] = '\0';
	if (n > 0 && a[n - 1] == '.')
		a[--n] = '\0';
	snprintf(buf, size, "%sx", a);
	return buf;
}

static const char *level_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_level *l = &((struct members *)arg)->levels[row];

	(void)el;
	switch (col) {
	case 0: return l->code;
	case 1: return l->name;
	case 2: snprintf(buf, size, "%d", l->sequence); return buf;
	case 3: return multiplier(l->multiplier, buf, size);
	case 4: return l->has_path ? aba_amount_format_grouped(l->threshold, buf) : "override only";
	case 5:
		if (!l->has_path)
			return "";
		snprintf(buf, size, "%dd", l->window_days);
		return buf;
	case 6: return l->has_path ? (l->upgradable ? "yes" : "no") : "";
	default: return l->has_path ? (l->downgradable ? "yes" : "no") : "";
	}
}

static const char *ov_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct ov *o = &((struct members *)arg)->ovs[row];

	(void)size;
	if (strcmp(o->state, "lapsed") == 0)
		*el = T_MUTED + 1;
	else if (strcmp(o->state, "pending") == 0)
		*el = T_WARN + 1;
	switch (col) {
	case 0: return o->state;
	case 1: return o->card;
	case 2: return o->level;
	case 3: return ui_time(o->until, buf);
	case 4: return o->by;
	default: return o->reason;
	}
}

static void title(WINDOW *w, int y, const char *s, int focused)
{
	wattrset(w, theme_attr(focused ? T_TAB_ACTIVE : T_LABEL));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, s);
}

static void members_draw(struct view *v, WINDOW *w)
{
	struct members *m = v->priv;
	int h = getmaxy(w), lh = m->nlevels + 2 < (h - 4) / 2 ? m->nlevels + 2 : (h - 4) / 2;
	char buf[96];

	snprintf(buf, sizeof(buf), "Levels and paths (%d)", m->nlevels);
	title(w, 0, buf, m->pane == 0);
	table_draw(w, 1, lh, level_cols, 8, &m->lt, level_cell, m, m->pane == 0);
	snprintf(buf, sizeof(buf), "Overrides: pending, active, lapsed (%d)", m->novs);
	title(w, lh + 2, buf, m->pane == 1);
	table_draw(w, lh + 3, h - lh - 4, ov_cols, 6, &m->ot, ov_cell, m, m->pane == 1);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, getmaxx(w) - 2, 1,
	       "Tab: levels/overrides  o: request an override  Enter: open the card  R: reload");
	wattrset(w, theme_attr(T_NORMAL));
}

static int members_key(struct view *v, enum request req, int key)
{
	struct members *m = v->priv;
	const char *card = m->pane == 1 && m->novs ? m->ovs[m->ot.sel].card : NULL;

	(void)key;
	switch (req) {
	case REQ_NEXT_PANE:
		m->pane = !m->pane;
		return R_REDRAW;
	case REQ_REFRESH:
		load(v);
		return R_REDRAW;
	case REQ_OVERRIDE:
		console_push(v->con, &view_override_ops, card);
		return R_REDRAW;
	case REQ_ENTER:
		if (card)
			console_push(v->con, &view_card_ops, card);
		return R_REDRAW;
	default:
		break;
	}
	if (table_move(m->pane == 0 ? &m->lt : &m->ot, req))
		return R_REDRAW;
	return R_UNHANDLED;
}

static void members_close(struct view *v)
{
	struct members *m = v->priv;

	free(m->ovs);
	free(m);
	v->priv = NULL;
}

const struct view_ops view_members_ops = {
	"Members", members_keys, members_open, members_draw, members_key, members_close, NULL,
};
