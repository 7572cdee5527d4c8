/* view_approvals.c - Approvals (screen 5): the pending queue with age,
 * maker, card, change and reason; the selected request's card below it;
 * approve (note optional) or reject (note required).  A request of one's
 * own is shown but not approvable, and the screen says why before the
 * database would refuse it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "aba_card.h"
#include "aba_time.h"
#include "console.h"
#include "field.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define MAX_REQUESTS 1000
#define CONTEXT_HISTORY 3

struct approvals {
	struct aba_approval *rows;
	int n;
	struct table t;
	struct aba_card_view card;	/* the selected request's card */
	int64_t card_for;		/* request id the card was loaded for */
	enum request asking;		/* REQ_APPROVE or REQ_REJECT while the note is typed */
	struct field note;
};

static const struct keymap approvals_keys[] = {
	{ 'a', REQ_APPROVE },
	{ 'x', REQ_REJECT },
	{ 'r', REQ_REJECT },
	{ 'c', REQ_CANCEL },
	{ 0, REQ_NONE },
};

static const struct column cols[] = {
	{ "ID", 5, 1, 0 },
	{ "AGE", 5, 1, 0 },
	{ "KIND", 8, 0, 0 },
	{ "CARD", 10, 0, 0 },
	{ "CHANGE", 14, 1, 0 },
	{ "REASON", 12, 0, 0 },
	{ "MAKER", 10, 0, 0 },
	{ "NOTE", 6, 0, 1 },
};

static void add(void *arg, const struct aba_approval *a)
{
	struct approvals *s = arg;

	if (s->n < MAX_REQUESTS)
		s->rows[s->n++] = *a;
}

static void load_card(struct view *v)
{
	struct approvals *s = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_card_view cv;
	struct aba_err err;

	if (!s->n || s->rows[s->t.sel].id == s->card_for || !db)
		return;
	s->card_for = s->rows[s->t.sel].id;
	aba_card_view_clear(&s->card);
	memset(&s->card, 0, sizeof(s->card));
	if (aba_card_load(db, s->rows[s->t.sel].card, 1, CONTEXT_HISTORY, &cv, &err) == 0)
		s->card = cv;
	else
		console_error(v->con, &err);
}

static void load(struct view *v)
{
	struct approvals *s = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_approval_filter f = { "pending", NULL, NULL, MAX_REQUESTS };
	struct aba_err err;

	if (!db)
		return;
	s->n = 0;
	s->card_for = 0;
	console_busy(v->con, "loading the queue");
	if (aba_approval_list(db, &f, add, s, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
	} else {
		console_idle(v->con);
	}
	s->t.nrows = s->n;
	if (s->t.sel >= s->n)
		s->t.sel = s->n ? s->n - 1 : 0;
	load_card(v);
}

static int approvals_open(struct view *v, const char *arg)
{
	struct approvals *s = calloc(1, sizeof(*s));

	(void)arg;
	if (!s || !(s->rows = calloc(MAX_REQUESTS, sizeof(*s->rows)))) {
		free(s);
		return -1;
	}
	v->priv = s;
	load(v);
	return 0;
}

/* "5m", "3h", "2d" since an ISO time. */
static const char *age(const char *iso, char *buf, size_t size)
{
	struct aba_err err;
	int64_t t, d;

	if (aba_time_parse(iso, "created", &t, &err))
		return "?";
	d = (int64_t)time(NULL) - t;
	if (d < 3600)
		snprintf(buf, size, "%lldm", (long long)(d / 60));
	else if (d < 86400 * 2)
		snprintf(buf, size, "%lldh", (long long)(d / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(d / 86400));
	return buf;
}

static const char *change(const struct aba_approval *a, char *buf, size_t size)
{
	char pts[ABA_AMOUNT_BUFSZ];

	if (strcmp(a->kind, "adjust") == 0)
		snprintf(buf, size, "%s%s", a->points > 0 ? "+" : "",
			 aba_amount_format_grouped(a->points, pts));
	else
		snprintf(buf, size, "-> %s", a->level);
	return buf;
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	struct approvals *s = ((struct view *)arg)->priv;
	const struct aba_approval *a = &s->rows[row];
	int own = strcmp(a->maker, console_user(((struct view *)arg)->con)) == 0;

	if (own)
		*el = T_MUTED + 1;
	switch (col) {
	case 0: snprintf(buf, size, "%lld", (long long)a->id); return buf;
	case 1: return age(a->created_at, buf, size);
	case 2: return a->kind;
	case 3: return a->card;
	case 4: return change(a, buf, size);
	case 5: return a->reason;
	case 6: snprintf(buf, size, "%s%s", a->maker, own ? "*" : ""); return buf;
	default: return a->note;
	}
}

/* Why this user may not decide a, or NULL when they may. */
static const char *why_not(struct view *v, const struct aba_approval *a, char *buf, size_t size)
{
	const char *role = console_role(v->con);

	if (strcmp(a->maker, console_user(v->con)) == 0) {
		snprintf(buf, size, "request %lld is your own: another approver must decide it",
			 (long long)a->id);
		return buf;
	}
	if (strcmp(role, "approver") != 0 && strcmp(role, "admin") != 0 &&
	    strcmp(role, "superuser") != 0) {
		snprintf(buf, size, "only approvers decide requests (you sign in as %s)", role);
		return buf;
	}
	return NULL;
}

static void put(WINDOW *w, int y, int el, const char *s)
{
	wattrset(w, theme_attr((enum theme_element)el));
	ui_put(w, y, 1, getmaxx(w) - 2, 1, s);
}

static void draw_context(struct view *v, WINDOW *w, int y)
{
	struct approvals *s = v->priv;
	const struct aba_approval *a = &s->rows[s->t.sel];
	const struct aba_card_row *c = &s->card.card;
	char buf[512], bal[ABA_AMOUNT_BUFSZ], d[ABA_AMOUNT_BUFSZ], t[20];
	const char *why = why_not(v, a, buf, sizeof(buf));

	put(w, y, T_TAB_ACTIVE, why ? why : "you may approve (a) or reject (x) this request");
	if (why)
		mvwchgat(w, y, 1, getmaxx(w) - 2, theme_attr(T_WARN), PAIR_NUMBER(theme_attr(T_WARN)), NULL);
	snprintf(buf, sizeof(buf), "request %lld by %s, %s, expires %.16s: \"%.200s\"", (long long)a->id,
		 a->maker, ui_time(a->created_at, t), a->expires_at, a->note);
	put(w, y + 1, T_NORMAL, buf);
	if (!*c->code)
		return;
	snprintf(buf, sizeof(buf), "card %s  %s  balance %s  level %s", c->code, c->name,
		 aba_amount_format_grouped(c->balance, bal), *c->level ? c->level : "-");
	put(w, y + 2, T_LABEL, buf);
	for (int i = 0; i < s->card.nhistory; i++) {
		const struct aba_history_entry *h = &s->card.history[i];

		snprintf(buf, sizeof(buf), "  %s  %-7s %12s  balance %s  by %s", ui_time(h->at, t),
			 h->kind, aba_amount_format_grouped(h->delta, d),
			 aba_amount_format_grouped(h->balance_after, bal), h->actor);
		put(w, y + 3 + i, T_MUTED, buf);
	}
}

static void approvals_draw(struct view *v, WINDOW *w)
{
	struct approvals *s = v->priv;
	int h = getmaxy(w), ctx = 4 + CONTEXT_HISTORY;
	char title[96];

	snprintf(title, sizeof(title), "Approvals: %d pending  (* your own)", s->n);
	put(w, 0, T_HEADER, title);
	table_draw(w, 1, h - ctx - 3, cols, 8, &s->t, cell, v, 1);
	if (s->n)
		draw_context(v, w, h - ctx - 1);
	else
		put(w, 3, T_MUTED, "nothing waits for a decision");
	if (s->asking) {
		wattrset(w, theme_attr(T_LABEL));
		ui_put(w, h - 1, 1, 30, 1, s->asking == REQ_APPROVE ? "Approve, note (optional):" :
		       s->asking == REQ_REJECT ? "Reject, note (required):" : "Withdraw? Enter confirms");
		field_draw(w, h - 1, 31, getmaxx(w) - 32, &s->note, theme_attr(T_INPUT));
		v->cy = h - 1;
		v->cx = 31 + ui_width(s->note.text);
	} else {
		put(w, h - 1, T_MUTED, "a: approve  x: reject  c: cancel own  Enter: open the card  R: reload");
	}
}

static int start_decision(struct view *v, enum request req)
{
	struct approvals *s = v->priv;
	char buf[200];
	const char *why;

	if (!s->n)
		return R_REDRAW;
	if (req != REQ_CANCEL && (why = why_not(v, &s->rows[s->t.sel], buf, sizeof(buf)))) {
		struct aba_err err = { ABA_DENIED, "AB403", "" };

		snprintf(err.msg, sizeof(err.msg), "%s", why);
		console_error(v->con, &err);
		return R_REDRAW;
	}
	s->asking = req;
	field_set(&s->note, "");
	v->editing = 1;
	return R_REDRAW;
}

static int call(struct aba_db *db, enum request req, int64_t id, const char *note,
		struct aba_approval *out, struct aba_err *err)
{
	if (req == REQ_APPROVE)
		return aba_approval_approve(db, id, note, out, err);
	if (req == REQ_REJECT)
		return aba_approval_reject(db, id, note, out, err);
	return aba_approval_cancel(db, id, out, err);
}

static int decide(struct view *v)
{
	struct approvals *s = v->priv;
	struct aba_db *db = console_db(v->con);
	enum request req = s->asking;
	struct aba_approval out;
	struct aba_err err;
	char bal[ABA_AMOUNT_BUFSZ];

	if (req == REQ_REJECT && !s->note.len) {
		console_message(v->con, "a rejection needs a note: say why");
		return R_REDRAW;
	}
	s->asking = REQ_NONE;
	v->editing = 0;
	if (!db)
		return R_REDRAW;
	console_busy(v->con, "deciding");
	if (call(db, req, s->rows[s->t.sel].id, s->note.len ? s->note.text : NULL, &out, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return R_REDRAW;
	}
	console_idle(v->con);
	if (out.balance >= 0)
		console_message(v->con, "request %lld %s: card '%s' balance %s", (long long)out.id,
				out.state, out.card, aba_amount_format_grouped(out.balance, bal));
	else
		console_message(v->con, "request %lld %s", (long long)out.id, out.state);
	load(v);
	return R_REDRAW | R_RELOAD;
}

static int approvals_key(struct view *v, enum request req, int key)
{
	struct approvals *s = v->priv;

	if (s->asking) {
		if (field_key(&s->note, key))
			return R_REDRAW;
		if (req == REQ_BACK) {
			s->asking = REQ_NONE;
			v->editing = 0;
			return R_REDRAW;
		}
		return req == REQ_ENTER ? decide(v) : R_NONE;
	}
	switch (req) {
	case REQ_REFRESH:
		load(v);
		return R_REDRAW;
	case REQ_APPROVE:
	case REQ_REJECT:
	case REQ_CANCEL:
		return start_decision(v, req);
	case REQ_ENTER:
		if (s->n)
			console_push(v->con, &view_card_ops, s->rows[s->t.sel].card);
		return R_REDRAW;
	default:
		break;
	}
	if (table_move(&s->t, req)) {
		if (!console_key_pending(v->con))
			load_card(v);
		return R_REDRAW;
	}
	return R_UNHANDLED;
}

static void approvals_close(struct view *v)
{
	struct approvals *s = v->priv;

	aba_card_view_clear(&s->card);
	free(s->rows);
	free(s);
	v->priv = NULL;
}

const struct view_ops view_approvals_ops = {
	"Approvals", approvals_keys, approvals_open, approvals_draw, approvals_key,
	approvals_close, NULL,
};
