/* report_model.c - the rows a report fills, independent of output. */
#include "aba_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_db.h"

void aba_report_clear(struct aba_report *r)
{
	for (int i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i].text);
	free(r->cells);
	free(r->total);
	memset(r, 0, sizeof(*r));
}

void aba_report_columns(struct aba_report *r, const struct aba_report_column *cols, int n)
{
	r->cols = cols;
	r->ncols = n;
}

static int grow(struct aba_report *r, int more, struct aba_err *err)
{
	int cap = r->cap ? r->cap : 16;
	struct aba_report_cell *cells;
	unsigned char *total;

	while (cap < r->nrows + more)
		cap *= 2;
	if (cap == r->cap)
		return 0;
	cells = realloc(r->cells, (size_t)cap * (size_t)r->ncols * sizeof(*cells));
	if (!cells)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	r->cells = cells;
	total = realloc(r->total, (size_t)cap);
	if (!total)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	r->total = total;
	r->cap = cap;
	return 0;
}

/* One value from the server into a typed cell. */
static int set_cell(struct aba_report_cell *c, enum aba_report_type type, const char *v,
		    int isnull, struct aba_err *err)
{
	memset(c, 0, sizeof(*c));
	if (isnull) {
		c->null = 1;
		return 0;
	}
	if (type == ABA_COL_COUNT || type == ABA_COL_POINTS || type == ABA_COL_SECONDS) {
		char *end;

		c->num = strtoll(v, &end, 10);
		if (*end || end == v)
			return aba_fail(err, ABA_DB, "report value '%.40s' is not a whole number", v);
		return 0;
	}
	if (!(c->text = strdup(v)))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	return 0;
}

int aba_report_add_row(struct aba_report *r, const char *const *values, int total,
		       struct aba_err *err)
{
	struct aba_report_cell *row;

	if (grow(r, 1, err))
		return -1;
	row = &r->cells[(size_t)r->nrows * (size_t)r->ncols];
	memset(row, 0, (size_t)r->ncols * sizeof(*row));
	/* The row counts at once, so that clear frees what a failure left. */
	r->total[r->nrows++] = total != 0;
	for (int j = 0; j < r->ncols; j++)
		if (set_cell(&row[j], r->cols[j].type, values[j], values[j] == NULL, err))
			return -1;
	return 0;
}

static int append_rows(struct aba_report *r, const PGresult *res, struct aba_err *err)
{
	int has_total = PQnfields(res) == r->ncols + 1;
	const char *values[ABA_REPORT_MAX_COLS];

	if ((PQnfields(res) != r->ncols && !has_total) || r->ncols > ABA_REPORT_MAX_COLS)
		return aba_fail(err, ABA_DB, "report '%s' returned %d columns, %d expected",
				r->def ? r->def->name : "?", PQnfields(res), r->ncols);
	for (int i = 0; i < PQntuples(res); i++) {
		for (int j = 0; j < r->ncols; j++)
			values[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
		if (aba_report_add_row(r, values, has_total && PQgetvalue(res, i, r->ncols)[0] == 't',
				       err))
			return -1;
	}
	return 0;
}

int aba_report_query(struct aba_db *db, struct aba_report *r, const char *sql, int nparams,
		     const char *const *params, struct aba_err *err)
{
	PGresult *res = NULL;
	int rc;

	if (aba_db_call(db, sql, nparams, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	rc = append_rows(r, res, err);
	PQclear(res);
	return rc;
}

/* A count with thousands separators: the amount formatter on n.00. */
static char *count_grouped(int64_t n, char *buf)
{
	aba_amount_format_grouped(n * 100, buf);
	buf[strlen(buf) - 3] = '\0';
	return buf;
}

/* A duration for people: "0:02:05", "3d 04:00:00" (never negative). */
static char *duration(int64_t s, char *buf)
{
	int64_t d = s / 86400, r = s % 86400;

	if (d)
		snprintf(buf, ABA_REPORT_CELL_BUFSZ, "%lldd %02d:%02d:%02d", (long long)d,
			 (int)(r / 3600), (int)(r / 60 % 60), (int)(r % 60));
	else
		snprintf(buf, ABA_REPORT_CELL_BUFSZ, "%d:%02d:%02d", (int)(r / 3600),
			 (int)(r / 60 % 60), (int)(r % 60));
	return buf;
}

const char *aba_report_cell_str(const struct aba_report *r, int row, int col, int grouped,
				char *buf)
{
	const struct aba_report_cell *c = aba_report_cell(r, row, col);

	if (c->null)
		return "";
	switch (r->cols[col].type) {
	case ABA_COL_COUNT:
		if (grouped)
			return count_grouped(c->num, buf);
		snprintf(buf, ABA_REPORT_CELL_BUFSZ, "%lld", (long long)c->num);
		return buf;
	case ABA_COL_POINTS:
		return grouped ? aba_amount_format_grouped(c->num, buf) : aba_amount_format(c->num, buf);
	case ABA_COL_SECONDS:
		if (grouped && c->num >= 0)
			return duration(c->num, buf);
		snprintf(buf, ABA_REPORT_CELL_BUFSZ, "%lld", (long long)c->num);
		return buf;
	case ABA_COL_TEXT:
	case ABA_COL_DATE:
		break;
	}
	return c->text;
}
