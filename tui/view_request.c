/* view_request.c - the request forms: a points adjustment (screen 4) and a
 * membership override.  Both validate as the user types, show what the
 * request would do, and submit through the approval engine; the answer
 * (pending, or approved automatically) goes to the status line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "aba_card.h"
#include "aba_member.h"
#include "aba_time.h"
#include "console.h"
#include "form.h"
#include "theme.h"
#include "view.h"

#define MAX_CHOICES 64

enum { A_POINTS, A_REASON, A_NOTE, A_SUBMIT, A_COUNT };
enum { O_CARD, O_LEVEL, O_UNTIL, O_REASON, O_NOTE, O_SUBMIT, O_COUNT };

struct reqform {
	int override;			/* 0: adjustment form, 1: override form */
	struct aba_card_row card;
	int has_card;
	char level_now[160];		/* the card's level as member_info says */
	char reasons[MAX_CHOICES][40], levels[MAX_CHOICES][40];
	const char *reason_ptr[MAX_CHOICES], *level_ptr[MAX_CHOICES];
	int nreasons, nlevels;
	int64_t points;			/* parsed; valid when points_ok */
	int points_ok;
	struct form_item items[O_COUNT];
	struct form form;
};

static const struct keymap request_keys[] = {
	FORM_KEYS,
	{ 0, REQ_NONE },
};

static void reason_row(void *arg, const struct aba_reason *r)
{
	struct reqform *q = arg;
	const char *kind = q->override ? "override" : "adjust";

	if (!r->active || q->nreasons == MAX_CHOICES ||
	    (strcmp(r->applies_to, "any") != 0 && strcmp(r->applies_to, kind) != 0))
		return;
	snprintf(q->reasons[q->nreasons], sizeof(q->reasons[0]), "%s", r->code);
	q->reason_ptr[q->nreasons] = q->reasons[q->nreasons];
	q->nreasons++;
}

static void level_row(void *arg, const struct aba_level *l)
{
	struct reqform *q = arg;

	if (q->nlevels == MAX_CHOICES)
		return;
	snprintf(q->levels[q->nlevels], sizeof(q->levels[0]), "%s", l->code);
	q->level_ptr[q->nlevels] = q->levels[q->nlevels];
	q->nlevels++;
}

/* The card's name, balance and level for the header; "" clears it. */
static int load_card(struct view *v, const char *code, struct aba_err *err)
{
	struct reqform *q = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_member_info mi;
	struct aba_card_view cv;

	q->has_card = 0;
	q->level_now[0] = '\0';
	if (!*code)
		return 0;
	if (!db || aba_card_load(db, code, 1, 1, &cv, err))
		return -1;
	q->card = cv.card;
	q->has_card = 1;
	aba_card_view_clear(&cv);
	if (q->override && aba_member_info(db, code, NULL, &mi, err) == 0) {
		snprintf(q->level_now, sizeof(q->level_now), "%s%s%s%s",
			 *mi.level ? mi.level : "no level", *mi.override_level ? " (override until " : "",
			 *mi.override_level ? mi.override_until : "", *mi.override_level ? ")" : "");
		aba_member_info_clear(&mi);
	}
	return 0;
}

static void set_item(struct form_item *it, const char *label, enum form_kind kind)
{
	memset(it, 0, sizeof(*it));
	it->label = label;
	it->kind = kind;
}

static void build_form(struct reqform *q)
{
	struct form_item *it = q->items;

	if (!q->override) {
		set_item(&it[A_POINTS], "Points (+/-)", FORM_TEXT);
		form_hint(&it[A_POINTS], 0, "e.g. 50 or -12.50");
		set_item(&it[A_REASON], "Reason", FORM_PICK);
		set_item(&it[A_NOTE], "Note", FORM_TEXT);
		set_item(&it[A_SUBMIT], "Submit request", FORM_BUTTON);
		q->form.n = A_COUNT;
		it[A_REASON].choices = q->reason_ptr;
		it[A_REASON].nchoices = q->nreasons;
	} else {
		set_item(&it[O_CARD], "Card", FORM_TEXT);
		set_item(&it[O_LEVEL], "Level", FORM_PICK);
		set_item(&it[O_UNTIL], "Until", FORM_TEXT);
		form_hint(&it[O_UNTIL], 0, "a future date: 2026-12-31");
		set_item(&it[O_REASON], "Reason", FORM_PICK);
		set_item(&it[O_NOTE], "Note", FORM_TEXT);
		set_item(&it[O_SUBMIT], "Submit request", FORM_BUTTON);
		q->form.n = O_COUNT;
		it[O_LEVEL].choices = q->level_ptr;
		it[O_LEVEL].nchoices = q->nlevels;
		it[O_REASON].choices = q->reason_ptr;
		it[O_REASON].nchoices = q->nreasons;
	}
	q->form.items = q->items;
}

/* Checks the points as typed: a number, not zero, a debit covered. */
static void check_points(struct reqform *q)
{
	struct form_item *it = &q->items[A_POINTS];
	char bal[ABA_AMOUNT_BUFSZ];
	struct aba_err err;

	q->points_ok = 0;
	if (!it->f.len) {
		form_hint(it, 0, "e.g. 50 or -12.50");
	} else if (aba_amount_parse(it->f.text, "points", &q->points, &err)) {
		form_hint(it, 1, "%s", err.msg);
	} else if (q->points == 0) {
		form_hint(it, 1, "an adjustment of 0 changes nothing");
	} else if (q->points < 0 && -q->points > q->card.balance) {
		form_hint(it, 1, "more than the balance %s",
			  aba_amount_format_grouped(q->card.balance, bal));
	} else {
		form_hint(it, 0, "%s", q->points > 0 ? "a credit" : "a debit");
		q->points_ok = 1;
	}
}

/* The until date: a time, in the future. */
static int check_until(struct reqform *q, int64_t *until)
{
	struct form_item *it = &q->items[O_UNTIL];
	struct aba_err err;

	if (!it->f.len) {
		form_hint(it, 0, "a future date: 2026-12-31");
		return -1;
	}
	if (aba_time_parse(it->f.text, "until", until, &err)) {
		form_hint(it, 1, "%s", err.msg);
		return -1;
	}
	if (*until <= (int64_t)time(NULL)) {
		form_hint(it, 1, "must be in the future");
		return -1;
	}
	form_hint(it, 0, "ok");
	return 0;
}

static int load_choices(struct view *v, struct aba_err *err)
{
	struct reqform *q = v->priv;
	struct aba_db *db = console_db(v->con);

	if (!db)
		return -1;
	if (aba_reason_list(db, reason_row, q, err))
		return -1;
	return q->override ? aba_member_levels(db, level_row, q, err) : 0;
}

static int open_form(struct view *v, const char *arg, int override)
{
	struct reqform *q = calloc(1, sizeof(*q));
	struct aba_err err;

	if (!q)
		return -1;
	v->priv = q;
	q->override = override;
	console_busy(v->con, "loading the form");
	if (load_choices(v, &err) || load_card(v, arg ? arg : "", &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		free(q);
		v->priv = NULL;
		return -1;
	}
	console_idle(v->con);
	build_form(q);
	if (override && arg)
		field_set(&q->items[O_CARD].f, arg);
	if (override && arg)
		q->form.focus = O_LEVEL;
	v->editing = form_typing(&q->form);
	return 0;
}

static int adjust_open(struct view *v, const char *arg)
{
	if (!arg || !*arg) {
		console_message(v->con, "which card? open it first, then a");
		return -1;
	}
	return open_form(v, arg, 0);
}

static int override_open(struct view *v, const char *arg)
{
	return open_form(v, arg && *arg ? arg : NULL, 1);
}

static void draw_effect(struct reqform *q, WINDOW *w, int y)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], buf[160];

	if (!q->has_card)
		snprintf(buf, sizeof(buf), "no card chosen yet");
	else if (q->override)
		snprintf(buf, sizeof(buf), "level now: %.140s", *q->level_now ? q->level_now : "-");
	else if (q->points_ok)
		snprintf(buf, sizeof(buf), "balance before %s   after %s (once approved)",
			 aba_amount_format_grouped(q->card.balance, a),
			 aba_amount_format_grouped(q->card.balance + q->points, b));
	else
		snprintf(buf, sizeof(buf), "balance before %s",
			 aba_amount_format_grouped(q->card.balance, a));
	wattrset(w, theme_attr(T_NORMAL));
	ui_put(w, y, 2, getmaxx(w) - 4, 1, buf);
}

static void request_draw(struct view *v, WINDOW *w)
{
	struct reqform *q = v->priv;
	char title[320];

	snprintf(title, sizeof(title), "%s%s%s%s%s",
		 q->override ? "Request a level override" : "Request a points adjustment",
		 q->has_card ? ": card " : "", q->has_card ? q->card.code : "",
		 q->has_card ? "  " : "", q->has_card ? q->card.name : "");
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 1, 2, getmaxx(w) - 4, 1, title);
	draw_effect(q, w, 2);
	form_draw(w, 4, 2, getmaxx(w) - 4, 16, &q->form, 1);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, 5 + q->form.n, 2, getmaxx(w) - 4, 1,
	       "Up/Down or Enter: next field  Left/Right: choose  Esc: cancel");
	ui_put(w, 6 + q->form.n, 2, getmaxx(w) - 4, 1,
	       "An approver other than you decides; small ones may be approved at once.");
	wattrset(w, theme_attr(T_NORMAL));
	v->cy = 4 + q->form.focus;
	v->cx = form_cursor_x(&q->form, 2, 16);
}

static void said(struct view *v, const struct aba_approval *a)
{
	char bal[ABA_AMOUNT_BUFSZ];

	if (strcmp(a->state, "approved") == 0 && a->automatic)
		console_message(v->con, "request %lld approved automatically (below the auto-approve"
				" threshold)%s%s", (long long)a->id, a->balance >= 0 ? ": balance " : "",
				a->balance >= 0 ? aba_amount_format_grouped(a->balance, bal) : "");
	else
		console_message(v->con, "request %lld is %s: an approver other than you decides",
				(long long)a->id, a->state);
}

static int submit_adjust(struct view *v, struct aba_db *db, struct aba_approval *a,
			 struct aba_err *err)
{
	struct reqform *q = v->priv;

	check_points(q);
	if (!q->points_ok) {
		q->form.focus = A_POINTS;
		return aba_fail(err, ABA_INPUT, "points: %s", q->items[A_POINTS].f.len ?
				q->items[A_POINTS].hint : "how many points?");
	}
	if (!q->nreasons)
		return aba_fail(err, ABA_INPUT, "no reason code for adjustments (an admin adds them)");
	return aba_adjust_request(db, q->card.code, q->points, form_choice(&q->items[A_REASON]),
				  q->items[A_NOTE].f.len ? q->items[A_NOTE].f.text : NULL, a, err);
}

static int submit_override(struct view *v, struct aba_db *db, struct aba_approval *a,
			   struct aba_err *err)
{
	struct reqform *q = v->priv;
	int64_t until;

	if (!q->has_card)
		return aba_fail(err, ABA_INPUT, "which card? type its code");
	if (check_until(q, &until)) {
		q->form.focus = O_UNTIL;
		return aba_fail(err, ABA_INPUT, "until: %s", q->items[O_UNTIL].hint);
	}
	if (!q->nreasons || !q->nlevels)
		return aba_fail(err, ABA_INPUT, "no level or reason code to choose from");
	return aba_override_request(db, q->card.code, form_choice(&q->items[O_LEVEL]),
				    q->items[O_UNTIL].f.text, form_choice(&q->items[O_REASON]),
				    q->items[O_NOTE].f.len ? q->items[O_NOTE].f.text : NULL, a, err);
}

static int submit(struct view *v)
{
	struct reqform *q = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_approval a;
	struct aba_err err;
	int rc;

	if (!db)
		return R_REDRAW;
	console_busy(v->con, "submitting the request");
	rc = q->override ? submit_override(v, db, &a, &err) : submit_adjust(v, db, &a, &err);
	console_idle(v->con);
	if (rc) {
		console_error(v->con, &err);
		v->editing = form_typing(&q->form);
		return R_REDRAW;
	}
	said(v, &a);
	return R_BACK | R_RELOAD;
}

/* The override form's card field: look the card up when it changes. */
static void card_changed(struct view *v)
{
	struct reqform *q = v->priv;
	struct form_item *it = &q->items[O_CARD];
	struct aba_err err;

	if (console_key_pending(v->con))
		return;
	if (load_card(v, it->f.text, &err))
		form_hint(it, 1, "%s", err.msg);
	else
		form_hint(it, 0, "%s", q->has_card ? q->card.name : "");
}

static int request_key(struct view *v, enum request req, int key)
{
	struct reqform *q = v->priv;
	int focus = q->form.focus, r = form_key(&q->form, req, key);

	if (r == FORM_SUBMIT)
		return submit(v);
	if (r == FORM_CHANGED && !q->override && focus == A_POINTS)
		check_points(q);
	if (r == FORM_CHANGED && q->override && focus == O_CARD)
		card_changed(v);
	if (r == FORM_CHANGED && q->override && focus == O_UNTIL) {
		int64_t until;

		check_until(q, &until);
	}
	v->editing = form_typing(&q->form);
	if (r != FORM_NONE)
		return R_REDRAW;
	if (req == REQ_NONE)
		return R_NONE;
	return req == REQ_BACK || req == REQ_QUIT || req == REQ_VIEW_HELP || req == REQ_PROMPT ||
	       req == REQ_THEME ? R_UNHANDLED : R_NONE;
}

static void request_close(struct view *v)
{
	free(v->priv);
	v->priv = NULL;
}

const struct view_ops view_adjust_ops = {
	"Adjust", request_keys, adjust_open, request_draw, request_key, request_close, NULL,
};

const struct view_ops view_override_ops = {
	"Override", request_keys, override_open, request_draw, request_key, request_close, NULL,
};
