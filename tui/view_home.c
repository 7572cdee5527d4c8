/* view_home.c - Home: who I am, pending approvals, what the ledger owes,
 * today's postings, the audit chain's state and 30 days of points earned
 * and redeemed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "aba_audit.h"
#include "aba_overview.h"
#include "console.h"
#include "theme.h"
#include "view.h"

struct home {
	struct aba_overview o;
	int loaded;
	long pending;		/* -1: this role cannot read the queue */
	char chain[160];	/* the audit chain's state in words */
	int chain_el;
};

static const struct keymap home_keys[] = {
	{ 0, REQ_NONE },
};

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
}

static void count_pending(void *arg, const struct aba_approval *a)
{
	(void)a;
	(*(long *)arg)++;
}

/* Only auditors read the audit log; the others are told who checks it. */
static void load_chain(struct view *v, struct aba_db *db)
{
	struct home *h = v->priv;
	struct aba_audit_check c;
	struct aba_err err;

	h->chain_el = T_MUTED;
	if (strcmp(h->o.role, "auditor") != 0) {
		snprintf(h->chain, sizeof(h->chain), "checked by auditors (6: audit log)");
		return;
	}
	console_progress(v->con, "verifying the audit chain... (Ctrl-C cancels)");
	if (aba_audit_verify(db, NULL, &c, &err)) {
		snprintf(h->chain, sizeof(h->chain), "not verified: %.120s", err.msg);
		h->chain_el = T_WARN;
	} else if (c.broken_id) {
		snprintf(h->chain, sizeof(h->chain), "BROKEN at row %lld (6: audit log)",
			 (long long)c.broken_id);
		h->chain_el = T_ERROR;
	} else {
		snprintf(h->chain, sizeof(h->chain), "intact, %lld rows", (long long)c.rows);
		h->chain_el = T_POSITIVE;
	}
}

static void load_queue(struct view *v, struct aba_db *db)
{
	struct home *h = v->priv;
	struct aba_approval_filter f = { "pending", NULL, NULL, 0 };
	struct aba_err err;

	h->pending = 0;
	if (strcmp(h->o.role, "pos") == 0 || strcmp(h->o.role, "none") == 0 ||
	    aba_approval_list(db, &f, count_pending, &h->pending, &err))
		h->pending = -1;
}

static void load(struct view *v)
{
	struct home *h = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_err err;

	if (!db)
		return;
	console_busy(v->con, "loading the overview");
	if (aba_overview_load(db, now_seconds(), &h->o, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return;
	}
	load_queue(v, db);
	load_chain(v, db);
	console_idle(v->con);
	h->loaded = 1;
}

static int home_open(struct view *v, const char *arg)
{
	(void)arg;
	v->priv = calloc(1, sizeof(struct home));
	if (!v->priv)
		return -1;
	load(v);
	return 0;
}

static void line(WINDOW *w, int y, const char *label, const char *value, int el)
{
	wattrset(w, theme_attr(T_LABEL));
	ui_put(w, y, 2, 26, 1, label);
	wattrset(w, theme_attr((enum theme_element)el));
	ui_put(w, y, 28, getmaxx(w) - 30, 1, value);
}

static void draw_spark(WINDOW *w, int y, const char *label, const int64_t *v, int el)
{
	char spark[ABA_OVERVIEW_DAYS * 4 + 1], total[ABA_AMOUNT_BUFSZ], text[64];
	int64_t sum = 0;

	for (int i = 0; i < ABA_OVERVIEW_DAYS; i++)
		sum += v[i];
	ui_sparkline(v, ABA_OVERVIEW_DAYS, spark, sizeof(spark));
	wattrset(w, theme_attr(T_LABEL));
	ui_put(w, y, 2, 26, 1, label);
	wattrset(w, theme_attr((enum theme_element)el));
	ui_put(w, y, 28, ABA_OVERVIEW_DAYS, 1, spark);
	wattrset(w, theme_attr(T_NORMAL));
	snprintf(text, sizeof(text), " %s", aba_amount_format_grouped(sum, total));
	ui_put(w, y, 28 + ABA_OVERVIEW_DAYS, getmaxx(w) - 30 - ABA_OVERVIEW_DAYS, 1, text);
}

static void home_draw(struct view *v, WINDOW *w)
{
	struct home *h = v->priv;
	char buf[128], a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ];

	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 1, 2, getmaxx(w) - 4, 1, "Home");
	if (!h->loaded) {
		line(w, 3, "overview", "not loaded (R retries)", T_WARN);
		return;
	}
	snprintf(buf, sizeof(buf), "%s (%s)", h->o.user, h->o.role);
	line(w, 3, "signed in as", buf, T_NORMAL);
	line(w, 4, "outstanding liability", aba_amount_format_grouped(h->o.liability, a), T_NORMAL);
	snprintf(buf, sizeof(buf), "%lld (earned %s, redeemed %s)", (long long)h->o.postings_today,
		 aba_amount_format_grouped(h->o.earned_today, a),
		 aba_amount_format_grouped(h->o.redeemed_today, b));
	line(w, 5, "postings today", buf, T_NORMAL);
	if (h->pending < 0)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), "%ld%s", h->pending, h->pending ? " (3: approvals)" : "");
	line(w, 6, "pending approvals", buf, h->pending > 0 ? T_WARN : T_NORMAL);
	line(w, 7, "audit chain", h->chain, h->chain_el);
	draw_spark(w, 9, "earned, last 30 days", h->o.earned, T_POSITIVE);
	draw_spark(w, 10, "redeemed, last 30 days", h->o.redeemed, T_NEGATIVE);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, 12, 2, getmaxx(w) - 4, 1, "2 or :cards finds a card; ? lists every key");
	wattrset(w, theme_attr(T_NORMAL));
}

static int home_key(struct view *v, enum request req, int key)
{
	(void)key;
	if (req == REQ_REFRESH) {
		load(v);
		return R_REDRAW;
	}
	return R_UNHANDLED;
}

static void home_close(struct view *v)
{
	free(v->priv);
	v->priv = NULL;
}

const struct view_ops view_home_ops = {
	"Home", home_keys, home_open, home_draw, home_key, home_close, NULL,
};
