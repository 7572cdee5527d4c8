/* view_reports.c - Reports (screen 9): the report list from the registry
 * (aba_report_defs); Enter opens one (view_report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_report.h"
#include "console.h"
#include "table.h"
#include "theme.h"
#include "view.h"

static const struct keymap reports_keys[] = {
	{ KEY_RIGHT, REQ_ENTER },
	{ 0, REQ_NONE },
};

static const struct column cols[] = {
	{ "REPORT", 12, 0, 0 },
	{ "OPTIONS", 24, 0, 0 },
	{ "WHAT IT SHOWS", 20, 0, 1 },
};

static const char *options(unsigned o, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", o & ABA_REPORT_AS_OF ? "as-of " : "",
		 o & ABA_REPORT_FROM ? "from " : "", o & ABA_REPORT_TO ? "to " : "",
		 o & ABA_REPORT_LEVEL ? "level " : "", o & ABA_REPORT_TOP ? "top" : "");
	return *buf ? buf : "-";
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct aba_report_def *d = &aba_report_defs[row];

	(void)arg;
	(void)el;
	if (col == 0)
		return d->name;
	if (col == 1)
		return options(d->options, buf, size);
	return d->summary;
}

static int reports_open(struct view *v, const char *arg)
{
	struct table *t = calloc(1, sizeof(*t));

	(void)arg;
	if (!t)
		return -1;
	t->nrows = aba_report_count;
	v->priv = t;
	return 0;
}

static void reports_draw(struct view *v, WINDOW *w)
{
	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 0, 1, getmaxx(w) - 2, 1, "Reports");
	table_draw(w, 1, getmaxy(w) - 2, cols, 3, v->priv, cell, NULL, 1);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, getmaxy(w) - 1, 1, getmaxx(w) - 2, 1, "Enter: parameters and run");
	wattrset(w, theme_attr(T_NORMAL));
}

static int reports_key(struct view *v, enum request req, int key)
{
	struct table *t = v->priv;

	(void)key;
	if (req == REQ_ENTER) {
		console_push(v->con, &view_report_ops, aba_report_defs[t->sel].name);
		return R_REDRAW;
	}
	return table_move(t, req) ? R_REDRAW : R_UNHANDLED;
}

static void reports_close(struct view *v)
{
	free(v->priv);
	v->priv = NULL;
}

const struct view_ops view_reports_ops = {
	"Reports", reports_keys, reports_open, reports_draw, reports_key, reports_close, NULL,
};
