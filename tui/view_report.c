/* view_report.c - one report: its parameters (only those it accepts), Run,
 * the rows as a table with a bar for the first points column, and
 * :export FILE (.csv or .json) through the report writers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_report.h"
#include "console.h"
#include "form.h"
#include "table.h"
#include "theme.h"
#include "view.h"

#define BAR_W 16

enum { P_AS_OF, P_FROM, P_TO, P_LEVEL, P_TOP, P_COUNT };

struct report {
	const struct aba_report_def *def;
	struct form_item items[P_COUNT + 1];
	int param[P_COUNT + 1];		/* which P_ an item is; -1 the button */
	struct form form;
	int pane;			/* 0 form, 1 rows */
	struct aba_report r;
	int ran;
	int bar_col;			/* the column the bars show; -1 none */
	int64_t bar_max;
	struct column cols[ABA_REPORT_MAX_COLS + 1];
	struct table t;
};

static const struct keymap report_keys[] = {
	FORM_KEYS,
	{ 0, REQ_NONE },
};

static void add_item(struct report *p, int param, const char *label, const char *hint)
{
	struct form_item *it = &p->items[p->form.n];

	memset(it, 0, sizeof(*it));
	it->label = label;
	it->kind = param < 0 ? FORM_BUTTON : FORM_TEXT;
	if (hint)
		form_hint(it, 0, "%s", hint);
	p->param[p->form.n++] = param;
}

static void build_form(struct report *p)
{
	unsigned o = p->def->options;

	p->form.items = p->items;
	if (o & ABA_REPORT_AS_OF)
		add_item(p, P_AS_OF, "As of", "a time; empty: now");
	if (o & ABA_REPORT_FROM)
		add_item(p, P_FROM, "From", "a day; empty: the report's default");
	if (o & ABA_REPORT_TO)
		add_item(p, P_TO, "To", "a day; empty: the report's default");
	if (o & ABA_REPORT_LEVEL)
		add_item(p, P_LEVEL, "Level", "a level code; empty: every level");
	if (o & ABA_REPORT_TOP)
		add_item(p, P_TOP, "Top", "how many rows; empty: 20");
	add_item(p, -1, "Run", NULL);
}

static int report_open(struct view *v, const char *arg)
{
	struct report *p;
	const struct aba_report_def *d = aba_report_find(arg ? arg : "");

	if (!d) {
		console_message(v->con, "no report '%.60s'", arg ? arg : "");
		return -1;
	}
	if (!(p = calloc(1, sizeof(*p))))
		return -1;
	p->def = d;
	p->bar_col = -1;
	build_form(p);
	v->priv = p;
	v->editing = form_typing(&p->form);
	return 0;
}

static const char *value(struct report *p, int param)
{
	for (int i = 0; i < p->form.n; i++)
		if (p->param[i] == param && p->items[i].f.len)
			return p->items[i].f.text;
	return NULL;
}

/* Columns sized for the report; the bar follows the first points column. */
static void layout(struct report *p)
{
	int n = 0;

	p->bar_col = -1;
	p->bar_max = 0;
	for (int c = 0; c < p->r.ncols && n < ABA_REPORT_MAX_COLS; c++) {
		int num = p->r.cols[c].type == ABA_COL_POINTS || p->r.cols[c].type == ABA_COL_COUNT;

		p->cols[n++] = (struct column){ p->r.cols[c].title, num ? 14 : 12, num, 0 };
		if (p->bar_col < 0 && p->r.cols[c].type == ABA_COL_POINTS)
			p->bar_col = c;
	}
	for (int row = 0; p->bar_col >= 0 && row < p->r.nrows; row++) {
		const struct aba_report_cell *cl = aba_report_cell(&p->r, row, p->bar_col);

		if (!p->r.total[row] && !cl->null && cl->num > p->bar_max)
			p->bar_max = cl->num;
	}
	if (p->bar_col >= 0)
		p->cols[n++] = (struct column){ "", BAR_W, 0, 0 };
	p->t.nrows = p->r.nrows;
	p->t.sel = p->t.top = 0;
}

/* The Top field: a whole number within what `aba report --top` takes. */
static int parse_top(const char *text, int *top, struct aba_err *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (end == text || *end || errno == ERANGE || n < 1 || n > ABA_REPORT_TOP_MAX)
		return aba_fail(err, ABA_INPUT, "top '%.20s' is not a number from 1 to %d", text,
				ABA_REPORT_TOP_MAX);
	*top = (int)n;
	return 0;
}

static void run(struct view *v)
{
	struct report *p = v->priv;
	struct aba_db *db = console_db(v->con);
	struct aba_report_params params = { 0 };
	struct aba_err err;
	const char *top = value(p, P_TOP);

	if (!db)
		return;
	params.as_of = value(p, P_AS_OF);
	params.from = value(p, P_FROM);
	params.to = value(p, P_TO);
	params.level = value(p, P_LEVEL);
	if (top && parse_top(top, &params.top, &err)) {
		console_error(v->con, &err);
		return;
	}
	aba_report_clear(&p->r);
	p->ran = 0;
	console_busy(v->con, "running the report");
	if (aba_report_run(db, p->def->name, &params, &p->r, &err)) {
		console_idle(v->con);
		console_error(v->con, &err);
		return;
	}
	console_idle(v->con);
	p->ran = 1;
	layout(p);
	p->pane = 1;
	v->editing = 0;
	console_message(v->con, "%d row%s", p->r.nrows, p->r.nrows == 1 ? "" : "s");
}

static void bar(struct report *p, int row, char *buf, size_t size)
{
	const struct aba_report_cell *cl = aba_report_cell(&p->r, row, p->bar_col);
	int len = 0, n;

	buf[0] = '\0';
	if (p->r.total[row] || cl->null || cl->num <= 0 || p->bar_max <= 0)
		return;
	n = (int)((cl->num * BAR_W + p->bar_max - 1) / p->bar_max);
	for (int i = 0; i < n && len + 4 < (int)size; i++)
		len += snprintf(buf + len, size - (size_t)len, "%s", "#");
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	struct report *p = arg;
	char tmp[ABA_REPORT_CELL_BUFSZ];

	if (p->r.total[row])
		*el = T_HEADER + 1;
	if (col == p->r.ncols) {
		*el = T_BAR + 1;
		bar(p, row, buf, size);
		return buf;
	}
	snprintf(buf, size, "%s", aba_report_cell_str(&p->r, row, col, 1, tmp));
	return buf;
}

static void report_draw(struct view *v, WINDOW *w)
{
	struct report *p = v->priv;
	int h = getmaxy(w), y = p->form.n + 3;

	wattrset(w, theme_attr(T_HEADER));
	ui_put(w, 0, 1, getmaxx(w) - 2, 1, p->ran ? p->r.title : p->def->summary);
	form_draw(w, 1, 2, getmaxx(w) - 4, 10, &p->form, p->pane == 0);
	if (p->ran)
		table_draw(w, y, h - y - 1, p->cols, p->r.ncols + (p->bar_col >= 0), &p->t, cell, p,
			   p->pane == 1);
	wattrset(w, theme_attr(T_MUTED));
	ui_put(w, h - 1, 1, getmaxx(w) - 2, 1,
	       "Enter on Run: run  Tab: parameters/rows  :export FILE.csv|FILE.json  q: back");
	wattrset(w, theme_attr(T_NORMAL));
	v->cy = 1 + p->form.focus;
	v->cx = form_cursor_x(&p->form, 2, 10);
}

static int report_key(struct view *v, enum request req, int key)
{
	struct report *p = v->priv;
	int r;

	if (req == REQ_NEXT_PANE && (p->ran || p->pane == 1)) {
		p->pane = !p->pane;
		v->editing = p->pane == 0 && form_typing(&p->form);
		return R_REDRAW;
	}
	if (p->pane == 1 && req != REQ_EXPORT)
		return table_move(&p->t, req) ? R_REDRAW : R_UNHANDLED;
	if ((r = form_key(&p->form, req, key)) == FORM_SUBMIT)
		run(v);
	v->editing = p->pane == 0 && form_typing(&p->form);
	if (r != FORM_NONE)
		return R_REDRAW;
	if (req == REQ_EXPORT) {
		console_message(v->con, "export to which file? :export FILE.csv or FILE.json");
		return R_REDRAW;
	}
	if (req == REQ_REFRESH && p->ran) {
		run(v);
		return R_REDRAW;
	}
	return req == REQ_NONE ? R_NONE : R_UNHANDLED;
}

/* :export FILE: CSV or JSON by the file's extension. */
static int report_command(struct view *v, enum request req, const char *arg)
{
	struct report *p = v->priv;
	const char *dot = strrchr(arg, '.');
	enum aba_report_format fmt = dot && strcmp(dot, ".json") == 0 ? ABA_FORMAT_JSON : ABA_FORMAT_CSV;
	struct aba_err err;
	FILE *f;
	int rc;

	if (req != REQ_EXPORT)
		return R_UNHANDLED;
	if (!p->ran) {
		console_message(v->con, "run the report first (Enter on Run)");
		return R_REDRAW;
	}
	if (!dot || (strcmp(dot, ".csv") != 0 && strcmp(dot, ".json") != 0)) {
		console_message(v->con, "export to FILE.csv or FILE.json");
		return R_REDRAW;
	}
	if (!(f = fopen(arg, "w"))) {
		console_message(v->con, "cannot write '%.100s'", arg);
		return R_REDRAW;
	}
	rc = aba_report_write(&p->r, fmt, f, &err);
	if (fclose(f) != 0 && rc == 0)
		rc = aba_fail(&err, ABA_IO, "cannot write '%.100s'", arg);
	if (rc)
		console_error(v->con, &err);
	else
		console_message(v->con, "wrote %d rows to %s", p->r.nrows, arg);
	return R_REDRAW;
}

static void report_close(struct view *v)
{
	struct report *p = v->priv;

	aba_report_clear(&p->r);
	free(p);
	v->priv = NULL;
}

const struct view_ops view_report_ops = {
	"Report", report_keys, report_open, report_draw, report_key, report_close, report_command,
};
