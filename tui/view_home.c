/* view_home.c - Home: who I am, what the ledger owes, today's postings and
 * 30 days of points earned and redeemed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_amount.h"
#include "aba_overview.h"
#include "console.h"
#include "theme.h"
#include "view.h"

struct home {
	struct aba_overview o;
	int loaded;
};

static const struct keymap home_keys[] = {
	{ 0, REQ_NONE },
};

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
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
	draw_spark(w, 7, "earned, last 30 days", h->o.earned, T_POSITIVE);
	draw_spark(w, 8, "redeemed, last 30 days", h->o.redeemed, T_NEGATIVE);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, 10, 2, getmaxx(w) - 4, 1, "2 or :cards finds a card; ? lists every key");
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
	"Home", home_keys, home_open, home_draw, home_key, home_close,
};
