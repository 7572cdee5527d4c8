/* report_table.c - a report for people: aligned columns, numbers grouped
 * with two decimals, a rule above the totals. */
#include "aba_report.h"

#include <stdlib.h>
#include <string.h>

#include "aba_text.h"

static int is_number(const struct aba_report *r, int col)
{
	return r->cols[col].type == ABA_COL_COUNT || r->cols[col].type == ABA_COL_POINTS ||
	       r->cols[col].type == ABA_COL_SECONDS;
}

/* Width in characters; text that is not valid UTF-8 never reaches a
 * report (the database holds UTF-8), but count bytes if it did. */
static int width_of(const char *s)
{
	long n = aba_utf8_length(s);

	return n < 0 ? (int)strlen(s) : (int)n;
}

static void pad(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

static void put_cell(FILE *f, const char *s, int width, int right, int last)
{
	int gap = width - width_of(s);

	if (right)
		pad(f, gap);
	/* One row, one line: a line break inside a name becomes a space. */
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	if (!right && !last)
		pad(f, gap);
	fputs(last ? "\n" : "  ", f);
}

static void put_rule(FILE *f, const int *w, int n)
{
	for (int j = 0; j < n; j++) {
		for (int k = 0; k < w[j]; k++)
			fputc('-', f);
		fputs(j == n - 1 ? "\n" : "  ", f);
	}
}

static void measure(const struct aba_report *r, int *w)
{
	char buf[ABA_REPORT_CELL_BUFSZ];

	for (int j = 0; j < r->ncols; j++)
		w[j] = width_of(r->cols[j].title);
	for (int i = 0; i < r->nrows; i++)
		for (int j = 0; j < r->ncols; j++) {
			int cw = width_of(aba_report_cell_str(r, i, j, 1, buf));

			if (cw > w[j])
				w[j] = cw;
		}
}

int aba_report_write_table(const struct aba_report *r, FILE *f)
{
	char buf[ABA_REPORT_CELL_BUFSZ];
	int *w = calloc((size_t)r->ncols + 1, sizeof(*w));

	if (!w)
		return -1;
	measure(r, w);
	fprintf(f, "%s\n\n", r->title);
	for (int j = 0; j < r->ncols; j++)
		put_cell(f, r->cols[j].title, w[j], is_number(r, j), j == r->ncols - 1);
	put_rule(f, w, r->ncols);
	for (int i = 0; i < r->nrows; i++) {
		if (r->total[i] && (i == 0 || !r->total[i - 1]))
			put_rule(f, w, r->ncols);
		for (int j = 0; j < r->ncols; j++)
			put_cell(f, aba_report_cell_str(r, i, j, 1, buf), w[j], is_number(r, j),
				 j == r->ncols - 1);
	}
	if (r->nrows == 0)
		fputs("(no rows)\n", f);
	free(w);
	return 0;
}
