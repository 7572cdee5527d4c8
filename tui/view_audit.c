/* view_audit.c - Audit log (screen 8): rows filtered by actor, action,
 * entity and time; the selected row's before/after as a diff; v walks the
 * hash chain with progress (Ctrl-C stops it) and names the first broken
 * row; :export FILE writes the verifiable JSON-lines export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_audit.h"
#include "console.h"
#include "field.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_ROWS 5000
#define DIFF_LINES 8

struct arow {
	int64_t id;
	char at[32], actor[64], action[48], entity[32], entity_id[80], reason[160];
	char *before, *after;
};

struct audit {
	struct field filter;
	struct arow *rows;
	int n;
	int more;			/* the filter matched more than MAX_ROWS */
	struct table t;
	struct aba_audit_check check;
	int checked;			/* 1 intact, -1 broken, -2 cancelled, 0 not yet */
};

static const struct keymap audit_keys[] = {
	{ 'v', REQ_VERIFY },
	{ 'V', REQ_VERIFY },
	{ 0, REQ_NONE },
};

static const struct column cols[] = {
	{ "ID", 6, 1, 0 },
	{ "AT", 16, 0, 0 },
	{ "ACTOR", 10, 0, 0 },
	{ "ACTION", 18, 0, 0 },
	{ "ENTITY", 14, 0, 0 },
	{ "REASON", 10, 0, 1 },
};

static void free_rows(struct audit *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->rows[i].before);
		free(a->rows[i].after);
	}
	a->n = 0;
}

static int add_row(void *arg, const struct aba_audit_row *r)
{
	struct audit *a = arg;
	struct arow *o;

	if (a->n == MAX_ROWS) {
		a->more = 1;
		return 1;
	}
	o = &a->rows[a->n++];
	o->id = r->id;
	snprintf(o->at, sizeof(o->at), "%s", r->at);
	snprintf(o->actor, sizeof(o->actor), "%s", r->actor);
	snprintf(o->action, sizeof(o->action), "%s", r->action);
	snprintf(o->entity, sizeof(o->entity), "%s", r->entity);
	snprintf(o->entity_id, sizeof(o->entity_id), "%s", r->entity_id ? r->entity_id : "");
	snprintf(o->reason, sizeof(o->reason), "%s", r->reason ? r->reason : "");
	o->before = r->before ? strdup(r->before) : NULL;
	o->after = r->after ? strdup(r->after) : NULL;
	return 0;
}

/* "actor=clerk1 action=adjust entity=card since=2026-01-01 until=..." */
static int parse_filter(char *text, struct aba_audit_filter *f, char *bad, size_t size)
{
	memset(f, 0, sizeof(*f));
	for (char *w = strtok(text, " "); w; w = strtok(NULL, " ")) {
		char *eq = strchr(w, '=');
		const char **slot = NULL;

		if (eq) {
			*eq = '\0';
			slot = strcmp(w, "actor") == 0 ? &f->actor : strcmp(w, "action") == 0 ? &f->action :
			       strcmp(w, "entity") == 0 ? &f->entity : strcmp(w, "since") == 0 ? &f->since :
			       strcmp(w, "until") == 0 ? &f->until : NULL;
		}
		if (!slot || !eq[1]) {
			snprintf(bad, size, "filter '%.40s': use actor=, action=, entity=, since=, until=", w);
			return -1;
		}
		*slot = eq + 1;
	}
	return 0;
}

static void load(struct view *v)
{
	struct audit *a = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_audit_filter f;
	char text[FIELD_MAX];
	struct aba_err err = { ABA_INPUT, "", "" };

	if (!db)
		return;
	snprintf(text, sizeof(text), "%s", a->filter.text);
	if (parse_filter(text, &f, err.msg, sizeof(err.msg))) {
		console_error(v->con, &err);
		return;
	}
	free_rows(a);
	a->more = 0;
	console_busy(v->con, "reading the audit log");
	if (aba_audit_log(db, &f, add_row, a, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
	} else {
		console_idle(v->con);
	}
	a->t.nrows = a->n;
	/* Newest at the bottom, where the cursor starts, like a log. */
	a->t.sel = a->n - 1;
}

static int audit_open(struct view *v, const char *arg)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (!a || !(a->rows = calloc(MAX_ROWS, sizeof(*a->rows)))) {
		free(a);
		return -1;
	}
	v->priv = a;
	field_set(&a->filter, arg ? arg : "");
	load(v);
	return 0;
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	struct audit *a = arg;
	const struct arow *r = &a->rows[row];

	if (a->checked == -1 && r->id == a->check.broken_id)
		*el = T_ERROR + 1;
	switch (col) {
	case 0: snprintf(buf, size, "%lld", (long long)r->id); return buf;
	case 1: return ui_time(r->at, buf);
	case 2: return r->actor;
	case 3: return r->action;
	case 4: snprintf(buf, size, "%s %s", r->entity, r->entity_id); return buf;
	default: return r->reason;
	}
}

static void text_of(json_t *v, char *buf, size_t size)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	snprintf(buf, size, "%s", s ? s : "-");
	free(s);
}

/* One line per key of before and after: unchanged, changed, added, removed. */
static int diff_lines(WINDOW *w, int y, int max, json_t *b, json_t *a)
{
	const char *key;
	json_t *val;
	int n = 0;
	json_t *keys = json_object();

	json_object_update(keys, json_is_object(b) ? b : NULL);
	json_object_update(keys, json_is_object(a) ? a : NULL);
	json_object_foreach(keys, key, val) {
		json_t *bv = json_object_get(b, key), *av = json_object_get(a, key);
		char bs[120], as[120], line[300];
		int same = bv && av && json_equal(bv, av);

		if (n == max)
			break;
		text_of(bv, bs, sizeof(bs));
		text_of(av, as, sizeof(as));
		if (same)
			snprintf(line, sizeof(line), "  %-18s %s", key, as);
		else
			snprintf(line, sizeof(line), "%c %-18s %s -> %s", !bv ? '+' : !av ? '-' : '~',
				 key, bs, as);
		wattrset(w, theme_attr(same ? T_MUTED : !bv ? T_POSITIVE : !av ? T_NEGATIVE : T_WARN));
		ui_put(w, y + n++, 1, getmaxx(w) - 2, 1, line);
	}
	json_decref(keys);
	return n;
}

static void draw_detail(struct audit *a, WINDOW *w, int y)
{
	const struct arow *r = &a->rows[a->t.sel];
	json_t *b = r->before ? json_loads(r->before, JSON_DECODE_ANY, NULL) : NULL;
	json_t *af = r->after ? json_loads(r->after, JSON_DECODE_ANY, NULL) : NULL;
	char line[300];

	snprintf(line, sizeof(line), "row %lld: %s %s %s by %s, before -> after", (long long)r->id,
		 r->action, r->entity, r->entity_id, r->actor);
	wattrset(w, theme_attr(T_LABEL));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, line);
	if ((b && !json_is_object(b)) || (af && !json_is_object(af))) {
		wattrset(w, theme_attr(T_NORMAL));
		snprintf(line, sizeof(line), "  %s -> %s", r->before ? r->before : "-",
			 r->after ? r->after : "-");
		ui_put(w, y + 1, 1, getmaxx(w) - 2, 1, line);
	} else {
		diff_lines(w, y + 1, DIFF_LINES - 1, b, af);
	}
	json_decref(b);
	json_decref(af);
	wattrset(w, theme_attr(T_NORMAL));
}

static void draw_check(struct audit *a, WINDOW *w, int y)
{
	char line[320];
	int el = T_MUTED;

	if (a->checked == 1) {
		snprintf(line, sizeof(line), "chain intact: %lld rows, head %.16s...",
			 (long long)a->check.rows, a->check.rows ? a->check.head : "(empty)");
		el = T_POSITIVE;
	} else if (a->checked == -1) {
		snprintf(line, sizeof(line), "chain BROKEN at row %lld: %s",
			 (long long)a->check.broken_id, a->check.problem);
		el = T_ERROR;
	} else if (a->checked == -2) {
		snprintf(line, sizeof(line), "verify cancelled after %lld rows", (long long)a->check.rows);
		el = T_WARN;
	} else {
		snprintf(line, sizeof(line), "chain not verified yet: v verifies it");
	}
	wattrset(w, theme_attr((enum theme_element)el));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, line);
	wattrset(w, theme_attr(T_NORMAL));
}

static void audit_draw(struct view *v, WINDOW *w)
{
	struct audit *a = v->priv;
	int h = getmaxy(w), width = getmaxx(w), th = h - DIFF_LINES - 4;
	char foot[96];

	wattrset(w, theme_attr(T_LABEL));
	ui_put(w, 0, 1, 8, 1, "Filter:");
	field_draw(w, 0, 9, width - 10, &a->filter, v->editing ? theme_attr(T_INPUT) : (int)A_BOLD);
	draw_check(a, w, 1);
	table_draw(w, 2, th, cols, 6, &a->t, cell, a, !v->editing);
	if (a->n)
		draw_detail(a, w, 2 + th);
	snprintf(foot, sizeof(foot), "%d row%s%s  /: filter  v: verify chain  :export FILE",
		 a->n, a->n == 1 ? "" : "s", a->more ? " (the first ones; narrow the filter)" : "");
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, width - 2, 1, foot);
	wattrset(w, theme_attr(T_NORMAL));
	v->cy = 0;
	v->cx = 9 + (ui_width(a->filter.text) < width - 11 ? ui_width(a->filter.text) : width - 11);
}

struct walk {
	struct view *v;
	struct aba_audit_check *check;
};

static int walk_row(void *arg, const struct aba_audit_row *r)
{
	struct walk *wk = arg;

	if (console_cancelled(wk->v->con))
		return 1;
	if (aba_audit_check_row(wk->check, r))
		return 1;
	if (wk->check->rows % 1000 == 0)
		console_progress(wk->v->con, "verifying the chain: %lld rows... (Ctrl-C cancels)",
				 (long long)wk->check->rows);
	return 0;
}

/* The walk of aba_audit_verify, row by row here so that it shows progress
 * and stops on Ctrl-C between fetches too. */
static void verify(struct view *v)
{
	struct audit *a = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_audit_filter all = { 0 };
	struct walk wk = { v, &a->check };
	struct aba_err err;

	if (!db)
		return;
	aba_audit_check_init(&a->check, NULL);
	console_busy(v->con, "verifying the chain");
	if (aba_audit_log(db, &all, walk_row, &wk, &err)) {
		console_idle(v->con);
		a->checked = strcmp(err.sqlstate, "57014") == 0 ? -2 : 0;
		console_error(v->con, &err);
		return;
	}
	if (console_cancelled(v->con) && !a->check.broken_id) {
		console_idle(v->con);
		a->checked = -2;
		console_message(v->con, "cancelled");
		return;
	}
	console_idle(v->con);
	a->checked = aba_audit_check_end(&a->check) == 0 ? 1 : -1;
	if (a->checked == -1) {
		struct aba_err broken = { ABA_CHECK_FAILED, "", "" };

		snprintf(broken.msg, sizeof(broken.msg), "audit chain broken at row %lld: %s",
			 (long long)a->check.broken_id, a->check.problem);
		console_error(v->con, &broken);
		for (int i = 0; i < a->n; i++)
			if (a->rows[i].id == a->check.broken_id)
				a->t.sel = i;
	} else {
		console_message(v->con, "audit chain intact: %lld rows", (long long)a->check.rows);
	}
}

static int editing_key(struct view *v, enum request req, int key)
{
	struct audit *a = v->priv;

	if (field_key(&a->filter, key))
		return R_REDRAW;
	if (req == REQ_ENTER || req == REQ_MOVE_DOWN || req == REQ_NEXT_PANE) {
		v->editing = 0;
		load(v);
		return R_REDRAW;
	}
	if (req == REQ_BACK) {
		v->editing = 0;
		return R_REDRAW;
	}
	return R_NONE;
}

static int audit_key(struct view *v, enum request req, int key)
{
	struct audit *a = v->priv;

	if (v->editing)
		return editing_key(v, req, key);
	switch (req) {
	case REQ_SEARCH:
		v->editing = 1;
		return R_REDRAW;
	case REQ_REFRESH:
		load(v);
		return R_REDRAW;
	case REQ_VERIFY:
		verify(v);
		return R_REDRAW;
	case REQ_EXPORT:
		console_message(v->con, "export to which file? :export FILE");
		return R_REDRAW;
	default:
		break;
	}
	return table_move(&a->t, req) ? R_REDRAW : R_UNHANDLED;
}

static int audit_command(struct view *v, enum request req, const char *arg)
{
	struct aba_db *db = console_db(v->con);
	struct aba_audit_check c;
	struct aba_err err;

	if (req != REQ_EXPORT)
		return R_UNHANDLED;
	if (!db)
		return R_REDRAW;
	console_busy(v->con, "exporting the audit log");
	if (aba_audit_export(db, arg, &c, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return R_REDRAW;
	}
	console_idle(v->con);
	console_message(v->con, "exported %lld rows to %s, head %.16s...", (long long)c.rows, arg,
			c.rows ? c.head : "(empty)");
	return R_REDRAW;
}

static void audit_close(struct view *v)
{
	struct audit *a = v->priv;

	free_rows(a);
	free(a->rows);
	free(a);
	v->priv = NULL;
}

const struct view_ops view_audit_ops = {
	"Audit", audit_keys, audit_open, audit_draw, audit_key, audit_close, audit_command,
};
