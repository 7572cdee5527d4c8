/* report_csv.c - RFC 4180: a header of column names, CRLF line ends,
 * fields quoted when they hold a comma, quote, CR or LF; numbers exact. */
#include "aba_report.h"

#include <string.h>

static void put_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

int aba_report_write_csv(const struct aba_report *r, FILE *f)
{
	char buf[ABA_REPORT_CELL_BUFSZ];

	for (int j = 0; j < r->ncols; j++)
		put_field(f, r->cols[j].name, j == r->ncols - 1);
	for (int i = 0; i < r->nrows; i++)
		for (int j = 0; j < r->ncols; j++)
			put_field(f, aba_report_cell_str(r, i, j, 0, buf), j == r->ncols - 1);
	return 0;
}
