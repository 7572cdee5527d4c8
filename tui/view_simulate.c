/* view_simulate.c - Discount simulator (screen 7): a cart for a customer
 * or a level, codes and a time; lines added as "PRODUCT QTY PRICE"; the
 * programs from the database or, with :programs FILE, drafts from a file.
 * Every change re-evaluates with the pure discount engine and shows each
 * line's base, discount and net, the programs applied (with why) and not
 * applied (with the reason), totals and the points to earn.
 *
 * The cart is kept as the JSON document `aba simulate` reads, so :save
 * writes exactly that and :load accepts whatever the engine accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_cart.h"
#include "aba_jp.h"
#include "aba_member.h"
#include "aba_program.h"
#include "aba_program_store.h"
#include "aba_promo.h"
#include "aba_time.h"
#include "console.h"
#include "form.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_CODES 32
#define MAX_LEVELS 64

enum { F_CUSTOMER, F_LEVEL, F_CODES, F_AT, F_LINE, F_COUNT };

struct sim {
	json_t *doc;			/* the cart */
	struct form_item items[F_COUNT];
	struct form form;
	int pane;			/* 0 form, 1 lines, 2 programs */
	struct aba_program_set *set;
	char source[200];		/* "the database" or the drafts' file */
	struct aba_level levels[MAX_LEVELS];
	int nlevels;
	struct aba_cart *cart;		/* the last cart evaluated */
	struct aba_promo_result *res;
	int evaluated;
	char level_used[48];
	int64_t multiplier;
	char problem[256];		/* why there is no result */
	struct table lt, pt;
};

static const struct keymap sim_keys[] = {
	{ 'd', REQ_DELETE },
	{ KEY_DC, REQ_DELETE },
	{ 0, REQ_NONE },
};

static const struct column line_cols[] = {
	{ "#", 2, 1, 0 },
	{ "PRODUCT", 12, 0, 1 },
	{ "QTY", 5, 1, 0 },
	{ "PRICE", 12, 1, 0 },
	{ "BASE", 12, 1, 0 },
	{ "DISCOUNT", 12, 1, 0 },
	{ "NET", 12, 1, 0 },
};

static const struct column prog_cols[] = {
	{ "PROGRAM", 10, 0, 0 },
	{ "RESULT", 17, 0, 0 },
	{ "DISCOUNT", 12, 1, 0 },
	{ "WHY", 10, 0, 1 },
};

static void level_row(void *arg, const struct aba_level *l)
{
	struct sim *s = arg;

	if (s->nlevels < MAX_LEVELS)
		s->levels[s->nlevels++] = *l;
}

static int64_t multiplier_of(const struct sim *s, const char *level)
{
	for (int i = 0; level && i < s->nlevels; i++)
		if (strcmp(s->levels[i].code, level) == 0)
			return s->levels[i].multiplier;
	return 0;
}

/* The level an evaluation uses: the form's, or the customer's at the
 * cart's time (membership decides, as for a real order). */
static int pick_level(struct view *v, const struct aba_cart *cart, int64_t at,
		      struct aba_err *err)
{
	struct sim *s = v->priv;
	struct aba_db *db;
	char when[ABA_TIME_BUFSZ], level[ABA_LEVEL_CODE_MAX + 8];
	int64_t mult = 0;

	s->level_used[0] = '\0';
	s->multiplier = 0;
	if (cart->level) {
		snprintf(s->level_used, sizeof(s->level_used), "%s", cart->level);
		s->multiplier = multiplier_of(s, cart->level);
		return 0;
	}
	if (!cart->customer)
		return 0;
	if (!(db = console_db(v->con)))
		return aba_fail(err, ABA_CONNECTION, "no connection to look the customer up");
	if (aba_member_level_at(db, cart->customer, aba_time_format(at, when), level, &mult, err))
		return -1;
	snprintf(s->level_used, sizeof(s->level_used), "%s", level);
	s->multiplier = mult;
	return 0;
}

static void evaluate(struct view *v)
{
	struct sim *s = v->priv;
	struct aba_promo_ctx ctx = { 0 };
	struct aba_err err;

	s->evaluated = 0;
	s->problem[0] = '\0';
	aba_cart_free(s->cart);
	s->cart = NULL;
	if (aba_cart_parse(s->doc, &s->cart, &err))
		goto fail;
	ctx.at = s->cart->has_at ? s->cart->at : (int64_t)time(NULL);
	if (pick_level(v, s->cart, ctx.at, &err))
		goto fail;
	ctx.level = *s->level_used ? s->level_used : NULL;
	ctx.codes = s->cart->codes;
	ctx.n_codes = s->cart->n_codes;
	ctx.multiplier = s->cart->earn_multiplier ? s->cart->earn_multiplier : s->multiplier;
	if (aba_promo_evaluate(s->cart, s->set ? s->set->v : NULL, s->set ? s->set->n : 0, &ctx,
			       s->res, &err))
		goto fail;
	s->evaluated = 1;
	s->lt.nrows = (int)s->cart->n_lines;
	s->pt.nrows = (int)s->res->n_entries;
	return;
fail:
	snprintf(s->problem, sizeof(s->problem), "%s", err.msg);
	s->lt.nrows = 0;
	s->pt.nrows = 0;
}

/* ---- the document and the form ---- */

static void set_or_remove(json_t *doc, const char *key, const struct field *f)
{
	if (f->len)
		json_object_set_new(doc, key, json_string(f->text));
	else
		json_object_del(doc, key);
}

static void codes_to_doc(struct sim *s)
{
	char text[FIELD_MAX];
	json_t *a = json_array();

	snprintf(text, sizeof(text), "%s", s->items[F_CODES].f.text);
	for (char *w = strtok(text, " ,"); w; w = strtok(NULL, " ,"))
		json_array_append_new(a, json_string(w));
	json_object_set_new(s->doc, "codes", a);
}

static void form_to_doc(struct sim *s)
{
	set_or_remove(s->doc, "customer", &s->items[F_CUSTOMER].f);
	set_or_remove(s->doc, "level", &s->items[F_LEVEL].f);
	set_or_remove(s->doc, "at", &s->items[F_AT].f);
	codes_to_doc(s);
}

static void field_from(struct field *f, const json_t *v)
{
	field_set(f, json_is_string(v) ? json_string_value(v) : "");
}

static void doc_to_form(struct sim *s)
{
	const json_t *codes = json_object_get(s->doc, "codes"), *c;
	char text[FIELD_MAX] = "";
	size_t i;

	field_from(&s->items[F_CUSTOMER].f, json_object_get(s->doc, "customer"));
	field_from(&s->items[F_LEVEL].f, json_object_get(s->doc, "level"));
	field_from(&s->items[F_AT].f, json_object_get(s->doc, "at"));
	json_array_foreach(codes, i, c) {
		if (json_is_string(c) && strlen(text) + strlen(json_string_value(c)) + 2 < sizeof(text))
			strcat(strcat(text, i ? " " : ""), json_string_value(c));
	}
	field_set(&s->items[F_CODES].f, text);
}

static void build_form(struct sim *s)
{
	static const char *const labels[F_COUNT] = { "Customer", "Level", "Codes", "At", "Add line" };
	static const char *const hints[F_COUNT] = {
		"a card code: its level at the cart's time", "empty: the customer's level",
		"promo codes, space-separated", "a time; empty: now", "PRODUCT QTY PRICE, Enter adds it",
	};

	for (int i = 0; i < F_COUNT; i++) {
		memset(&s->items[i], 0, sizeof(s->items[i]));
		s->items[i].label = labels[i];
		s->items[i].kind = FORM_TEXT;
		form_hint(&s->items[i], 0, "%s", hints[i]);
	}
	s->form.items = s->items;
	s->form.n = F_COUNT;
}

/* ---- programs ---- */

/* A file's name without its directory: the screen reads the same anywhere. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int load_programs(struct view *v, const char *path, struct aba_err *err)
{
	struct sim *s = v->priv;
	struct aba_program_set *set = NULL;
	struct aba_db *db;
	json_t *j;
	int rc;

	if (path) {
		if (!(j = aba_jp_load(path, "programs", err)))
			return -1;
		rc = aba_program_set_parse(j, &set, err);
		json_decref(j);
	} else {
		rc = (db = console_db(v->con)) ? aba_program_store_load(db, &set, err) :
		     aba_fail(err, ABA_CONNECTION, "no connection for the programs");
	}
	if (rc)
		return -1;
	aba_program_set_free(s->set);
	s->set = set;
	snprintf(s->source, sizeof(s->source), "%s", path ? base_name(path) : "the database");
	return 0;
}

static int sim_open(struct view *v, const char *arg)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct aba_db *db = console_db(v->con);
	struct aba_err err;

	if (!s)
		return -1;
	v->priv = s;
	s->doc = json_pack("{s:[], s:[]}", "codes", "lines");
	s->res = aba_promo_result_new();
	build_form(s);
	if (arg && *arg)
		field_set(&s->items[F_CUSTOMER].f, arg);
	console_busy(v->con, "loading programs and levels");
	if (!s->doc || !s->res || !db || aba_member_levels(db, level_row, s, &err) ||
	    load_programs(v, NULL, &err)) {
		console_idle(v->con);
		if (db)
			console_error(v->con, &err);
	} else {
		console_idle(v->con);
	}
	if (!s->doc || !s->res)
		return -1;
	form_to_doc(s);
	s->form.focus = arg && *arg ? F_LINE : F_CUSTOMER;
	v->editing = 1;
	evaluate(v);
	return 0;
}

/* ---- drawing ---- */

static const char *money(int64_t v, char *buf)
{
	return aba_amount_format_grouped(v, buf);
}

static const char *line_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	struct sim *s = arg;
	const struct aba_cart_line *l = &s->cart->lines[row];
	const struct aba_promo_line *r = &s->res->lines[row];

	switch (col) {
	case 0: snprintf(buf, size, "%d", row + 1); return buf;
	case 1: return l->product.s;
	case 2: snprintf(buf, size, "%lld", (long long)l->qty); return buf;
	case 3: return money(l->unit_price, buf);
	case 4: return money(r->base, buf);
	case 5:
		if (r->discount)
			*el = T_POSITIVE + 1;
		return money(r->discount, buf);
	default: return money(r->net, buf);
	}
}

static const char *prog_cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	struct sim *s = arg;
	const struct aba_promo_entry *e = &s->res->entries[row];
	int applied = e->reason == ABA_PR_APPLIED;

	if (!applied)
		*el = T_MUTED + 1;
	switch (col) {
	case 0: return e->program->id;
	case 1: return aba_promo_reason_name(e->reason);
	case 2: return applied ? money(e->discount, buf) : "";
	default: return aba_promo_explain(s->res, e, buf, size);
	}
}

static void draw_totals(struct sim *s, WINDOW *w, int y)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], c[ABA_AMOUNT_BUFSZ], p[ABA_AMOUNT_BUFSZ];
	char m[ABA_AMOUNT_BUFSZ], line[400];
	const struct aba_promo_result *r = s->res;
	int len;

	len = snprintf(line, sizeof(line), "total %s - %s = %s   points to earn %s   level %s",
		       money(r->total_base, a), money(r->total_discount, b), money(r->total_net, c),
		       money(r->points, p), *s->level_used ? s->level_used : "-");
	if (s->multiplier && len > 0)
		snprintf(line + len, sizeof(line) - (size_t)len, " (x%s)",
			 aba_decimal_format(s->multiplier, 4, m));
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, line);
	len = 0;
	line[0] = '\0';
	for (size_t i = 0; i < r->n_free_items && len >= 0 && (size_t)len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%s x %lld",
				i ? ", " : "free items to add: ", r->free_items[i].product->s,
				(long long)r->free_items[i].qty);
	wattrset(w, theme_attr(T_WARN));
	ui_put(w, y + 1, 1, getmaxx(w) - 2, 1, line);
}

static void sim_draw(struct view *v, WINDOW *w)
{
	struct sim *s = v->priv;
	int h = getmaxy(w), y, lh, ph;
	char title[300];

	snprintf(title, sizeof(title), "Simulator: %zu program%s from %s", s->set ? s->set->n : 0,
		 s->set && s->set->n == 1 ? "" : "s", s->source);
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 0, 1, getmaxx(w) - 2, 1, title);
	form_draw(w, 1, 2, getmaxx(w) - 4, 10, &s->form, s->pane == 0);
	y = 1 + F_COUNT;
	if (!s->evaluated) {
		wattrset(w, theme_attr(T_NEGATIVE));
		ui_put(w, y + 1, 1, getmaxx(w) - 2, 1, s->problem);
	} else if (s->cart->n_lines == 0) {
		wattrset(w, theme_attr(T_MUTED));
		ui_put(w, y + 1, 1, getmaxx(w) - 2, 1, "the cart is empty: add a line, or :load FILE");
	} else {
		lh = (int)s->cart->n_lines + 1;
		if (lh > (h - y - 6) / 2)
			lh = (h - y - 6) / 2;
		table_draw(w, y, lh, line_cols, 7, &s->lt, line_cell, s, s->pane == 1);
		ph = h - y - lh - 3;
		table_draw(w, y + lh, ph, prog_cols, 4, &s->pt, prog_cell, s, s->pane == 2);
		draw_totals(s, w, h - 3);
	}
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, getmaxx(w) - 2, 1,
	       "Tab: form/lines/programs  d: delete line  :load :save :programs FILE");
	wattrset(w, theme_attr(T_NORMAL));
	v->cy = 1 + s->form.focus;
	v->cx = form_cursor_x(&s->form, 2, 10);
}

/* ---- keys ---- */

/* "SKU-1 2 15000.00" appended to the cart's lines. */
static int add_line(struct view *v)
{
	struct sim *s = v->priv;
	struct form_item *it = &s->items[F_LINE];
	char text[FIELD_MAX], *product, *qty, *price, *end;
	char canon[ABA_AMOUNT_BUFSZ];
	struct aba_err err;
	int64_t unit;
	long long q;

	snprintf(text, sizeof(text), "%s", it->f.text);
	product = strtok(text, " ");
	qty = strtok(NULL, " ");
	price = strtok(NULL, " ");
	if (!product || !qty || !price || strtok(NULL, " ")) {
		form_hint(it, 1, "type PRODUCT QTY PRICE, e.g. SKU-1 2 15000");
		return R_REDRAW;
	}
	q = strtoll(qty, &end, 10);
	if (*end || q < 1 || q > 1000000) {
		form_hint(it, 1, "qty '%.20s' is not a whole number of units", qty);
		return R_REDRAW;
	}
	if (aba_amount_parse(price, "price", &unit, &err) || unit < 0) {
		form_hint(it, 1, "%s", unit < 0 ? "a price is not negative" : err.msg);
		return R_REDRAW;
	}
	json_array_append_new(json_object_get(s->doc, "lines"),
			      json_pack("{s:s, s:I, s:s}", "product", product, "qty", (json_int_t)q,
					"unit_price", aba_amount_format(unit, canon)));
	field_set(&it->f, "");
	form_hint(it, 0, "added %s", product);
	evaluate(v);
	return R_REDRAW;
}

static int form_keys(struct view *v, enum request req, int key)
{
	struct sim *s = v->priv;
	int focus = s->form.focus, r;

	if (req == REQ_ENTER && focus == F_LINE)
		return add_line(v);
	/* Tab leaves the form for the lines (Up/Down move between fields). */
	if (req == REQ_NEXT_PANE) {
		s->pane = 1;
		v->editing = 0;
		return R_REDRAW;
	}
	r = form_key(&s->form, req, key);
	if (r == FORM_CHANGED && focus != F_LINE && !console_key_pending(v->con)) {
		form_to_doc(s);
		evaluate(v);
	}
	if (r != FORM_NONE)
		return R_REDRAW;
	return req == REQ_NONE || req == REQ_PICK_PREV || req == REQ_PICK_NEXT ? R_NONE : R_UNHANDLED;
}

static int sim_key(struct view *v, enum request req, int key)
{
	struct sim *s = v->priv;

	if (req == REQ_LOAD || req == REQ_SAVE || req == REQ_PROGRAMS) {
		console_message(v->con, "which file? :%s FILE%s", request_name(req),
				req == REQ_PROGRAMS ? " (:programs db: the database's)" : "");
		return R_REDRAW;
	}
	if (s->pane == 0)
		return form_keys(v, req, key);
	if (req == REQ_NEXT_PANE) {
		s->pane = (s->pane + 1) % 3;
		v->editing = s->pane == 0;
		return R_REDRAW;
	}
	if (req == REQ_DELETE && s->pane == 1 && s->evaluated && s->lt.nrows) {
		json_array_remove(json_object_get(s->doc, "lines"), (size_t)s->lt.sel);
		evaluate(v);
		return R_REDRAW;
	}
	if (req == REQ_REFRESH) {
		evaluate(v);
		return R_REDRAW;
	}
	if (table_move(s->pane == 1 ? &s->lt : &s->pt, req))
		return R_REDRAW;
	return R_UNHANDLED;
}

/* :load FILE, :save FILE, :programs FILE */
static int load_cart(struct view *v, const char *path)
{
	struct sim *s = v->priv;
	struct aba_cart *check = NULL;
	struct aba_err err;
	json_t *j = aba_jp_load(path, "cart", &err);

	if (!j || aba_cart_parse(j, &check, &err)) {
		json_decref(j);
		console_error(v->con, &err);
		return R_REDRAW;
	}
	aba_cart_free(check);
	if (!json_object_get(j, "lines"))
		json_object_set_new(j, "lines", json_array());
	json_decref(s->doc);
	s->doc = j;
	doc_to_form(s);
	evaluate(v);
	console_message(v->con, "cart loaded from %.100s", base_name(path));
	return R_REDRAW;
}

static int save_cart(struct view *v, const char *path)
{
	struct sim *s = v->priv;

	if (json_dump_file(s->doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		console_message(v->con, "cannot write '%.100s'", path);
	else
		console_message(v->con, "cart saved to %.100s", base_name(path));
	return R_REDRAW;
}

static int sim_command(struct view *v, enum request req, const char *arg)
{
	struct aba_err err;

	switch (req) {
	case REQ_LOAD:
		return load_cart(v, arg);
	case REQ_SAVE:
		return save_cart(v, arg);
	case REQ_PROGRAMS:
		if (load_programs(v, strcmp(arg, "db") == 0 ? NULL : arg, &err))
			console_error(v->con, &err);
		evaluate(v);
		return R_REDRAW;
	default:
		return R_UNHANDLED;
	}
}

static void sim_close(struct view *v)
{
	struct sim *s = v->priv;

	aba_promo_result_free(s->res);
	aba_cart_free(s->cart);
	aba_program_set_free(s->set);
	json_decref(s->doc);
	free(s);
	v->priv = NULL;
}

const struct view_ops view_simulate_ops = {
	"Simulate", sim_keys, sim_open, sim_draw, sim_key, sim_close, sim_command,
};
