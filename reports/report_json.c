/* report_json.c - a report as one JSON document (jansson): points and
 * money as exact decimal strings ("1234.50"), counts as integers, NULL as
 * null; total rows apart under "totals". */
#include "aba_report.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "aba_amount.h"

static const char *const type_names[] = {
	[ABA_COL_TEXT] = "text",
	[ABA_COL_COUNT] = "count",
	[ABA_COL_POINTS] = "points",
	[ABA_COL_DATE] = "date",
	[ABA_COL_SECONDS] = "seconds",
};

static json_t *cell_json(const struct aba_report *r, int row, int col)
{
	const struct aba_report_cell *c = aba_report_cell(r, row, col);
	char buf[ABA_AMOUNT_BUFSZ];

	if (c->null)
		return json_null();
	switch (r->cols[col].type) {
	case ABA_COL_COUNT:
	case ABA_COL_SECONDS:
		return json_integer(c->num);
	case ABA_COL_POINTS:
		return json_string(aba_amount_format(c->num, buf));
	case ABA_COL_TEXT:
	case ABA_COL_DATE:
		break;
	}
	return json_string(c->text);
}

static json_t *build(const struct aba_report *r)
{
	json_t *doc = json_object(), *cols = json_array(), *rows = json_array(),
	       *totals = json_array();

	for (int j = 0; j < r->ncols; j++)
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "name", r->cols[j].name,
						      "title", r->cols[j].title,
						      "type", type_names[r->cols[j].type]));
	for (int i = 0; i < r->nrows; i++) {
		json_t *o = json_object();

		for (int j = 0; j < r->ncols; j++)
			json_object_set_new(o, r->cols[j].name, cell_json(r, i, j));
		json_array_append_new(r->total[i] ? totals : rows, o);
	}
	json_object_set_new(doc, "report", json_string(r->def ? r->def->name : ""));
	json_object_set_new(doc, "title", json_string(r->title));
	json_object_set_new(doc, "columns", cols);
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(doc, "totals", totals);
	return doc;
}

int aba_report_write_json(const struct aba_report *r, FILE *f, struct aba_err *err)
{
	json_t *doc = build(r);
	int rc;

	if (!doc)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc || fputc('\n', f) == EOF || ferror(f))
		return aba_fail(err, ABA_IO, "cannot write the report: %s", strerror(errno));
	return 0;
}
