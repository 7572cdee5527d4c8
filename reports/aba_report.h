/* aba_report.h - operational reports: definitions, the rows they produce,
 * and the formatters that print them.
 *
 * A report fills a struct aba_report (typed columns, rows of cells) and
 * knows nothing about output; the CLI writes it as a table, CSV or JSON,
 * and the console draws the same rows.  Points and money are int64
 * hundredths in the model: exact in CSV and JSON, grouped with two
 * decimals for people.  Reports only read: they may run on a replica.
 */
#ifndef ABA_REPORT_H
#define ABA_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "aba_err.h"

struct aba_db;
struct aba_report;

/* The options a report accepts (a bit set in its definition). */
#define ABA_REPORT_AS_OF 0x01u
#define ABA_REPORT_FROM 0x02u
#define ABA_REPORT_TO 0x04u
#define ABA_REPORT_LEVEL 0x08u
#define ABA_REPORT_TOP 0x10u

/* What the user asked for.  Times are ISO 8601 (aba_time_parse); NULL
 * means the report's default.  top 0 means the default (20). */
struct aba_report_params {
	const char *from, *to, *as_of, *level;
	int top;
};

#define ABA_REPORT_TOP_DEFAULT 20
#define ABA_REPORT_TOP_MAX 10000
#define ABA_REPORT_MAX_DAYS 3660

/* Every report, in the order `aba report list` shows them.
 * X(name, options it accepts, one-line description) */
#define ABA_REPORTS(X) \
	X(liability, ABA_REPORT_AS_OF | ABA_REPORT_LEVEL, \
	  "outstanding points by expiry month and level of earn, as of a time") \
	X(expiring, ABA_REPORT_AS_OF | ABA_REPORT_LEVEL | ABA_REPORT_TOP, \
	  "points expiring within 30, 60 and 90 days: top customers and totals") \
	X(activity, ABA_REPORT_FROM | ABA_REPORT_TO, \
	  "per day: orders and points earned, redeemed, expired, adjusted, refunded") \
	X(adjustments, ABA_REPORT_FROM | ABA_REPORT_TO, \
	  "adjustment requests by maker and reason: outcomes, points, approval times") \
	X(approvals, ABA_REPORT_AS_OF, \
	  "requests pending approval by maker and age, as of a time") \
	X(membership, ABA_REPORT_FROM | ABA_REPORT_TO, \
	  "cards per level, moves between levels in the period, overrides in force") \
	X(promotions, ABA_REPORT_FROM | ABA_REPORT_TO, \
	  "per program: orders, discount given, points issued") \
	X(consistency, 0, \
	  "every ledger invariant per card, as aba verify checks them")

/* The checked, canonical parameters a report function receives: times
 * are UTC "…Z" strings, every default already filled in. */
struct aba_report_args {
	const char *from, *to, *as_of, *level;
	int top;
	int as_of_now;	/* no --as-of: as_of is now to the second; the server's clock is finer */
};

typedef int (*aba_report_fn)(struct aba_db *db, const struct aba_report_args *a,
			     struct aba_report *r, struct aba_err *err);

#define ABA_REPORT_PROTO(name, opts, summary) \
	int aba_report_##name(struct aba_db *db, const struct aba_report_args *a, \
			      struct aba_report *r, struct aba_err *err);
ABA_REPORTS(ABA_REPORT_PROTO)
#undef ABA_REPORT_PROTO

struct aba_report_def {
	const char *name;
	unsigned options;
	const char *summary;
	aba_report_fn run;
};

extern const struct aba_report_def aba_report_defs[];
extern const int aba_report_count;

/* The definition called name, or NULL. */
const struct aba_report_def *aba_report_find(const char *name);

/* The model. */
enum aba_report_type {
	ABA_COL_TEXT,
	ABA_COL_COUNT,	/* a whole number */
	ABA_COL_POINTS,	/* int64 hundredths: points or money */
	ABA_COL_DATE,	/* "2026-03-01" or "2026-03" */
	ABA_COL_SECONDS,	/* a duration in whole seconds: "1d 02:03:04" for people */
};

struct aba_report_column {
	const char *name;	/* CSV header and JSON key: lowercase_with_underscores */
	const char *title;	/* table header */
	enum aba_report_type type;
};

struct aba_report_cell {
	int null;
	int64_t num;	/* COUNT, POINTS and SECONDS */
	char *text;	/* TEXT and DATE (owned) */
};

struct aba_report {
	const struct aba_report_def *def;
	char title[200];
	const struct aba_report_column *cols;
	int ncols;
	int nrows, cap;
	struct aba_report_cell *cells;	/* row-major, nrows * ncols */
	unsigned char *total;		/* per row: 1 for a total row */
};

/* Checks params against the report's options, fills in the defaults and
 * runs it.  On success *out holds the rows (aba_report_clear frees). */
int aba_report_run(struct aba_db *db, const char *name, const struct aba_report_params *p,
		   struct aba_report *out, struct aba_err *err);
void aba_report_clear(struct aba_report *r);

/* For report functions: sets the columns, then appends each row of one
 * SQL statement ($n parameters).  The statement returns the columns in
 * order, optionally followed by a boolean marking total rows. */
void aba_report_columns(struct aba_report *r, const struct aba_report_column *cols, int n);
int aba_report_query(struct aba_db *db, struct aba_report *r, const char *sql, int nparams,
		     const char *const *params, struct aba_err *err);
/* Appends one row given as text (NULL: a NULL cell), one value per
 * column: numbers as the server writes them ("123456" hundredths). */
#define ABA_REPORT_MAX_COLS 16
int aba_report_add_row(struct aba_report *r, const char *const *values, int total,
		       struct aba_err *err);

static inline const struct aba_report_cell *aba_report_cell(const struct aba_report *r, int row,
							     int col)
{
	return &r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

/* A cell as text: grouped ("1,234.50") for people or exact ("1234.50").
 * Returns text of the cell or buf (ABA_REPORT_CELL_BUFSZ bytes); "" for
 * NULL. */
#define ABA_REPORT_CELL_BUFSZ 40
const char *aba_report_cell_str(const struct aba_report *r, int row, int col, int grouped,
				char *buf);

/* Output. */
enum aba_report_format { ABA_FORMAT_TABLE, ABA_FORMAT_CSV, ABA_FORMAT_JSON };

int aba_report_format_parse(const char *s, enum aba_report_format *out, struct aba_err *err);
int aba_report_write(const struct aba_report *r, enum aba_report_format fmt, FILE *f,
		     struct aba_err *err);
int aba_report_write_table(const struct aba_report *r, FILE *f);
int aba_report_write_csv(const struct aba_report *r, FILE *f);
int aba_report_write_json(const struct aba_report *r, FILE *f, struct aba_err *err);

/* Folds postings recorded since the last refresh into the summary tables
 * reports read (sql/040); needs a primary, not a replica.  Reports are
 * exact without it, only slower on a large ledger. */
struct aba_report_refresh {
	int64_t history_upto, orders_upto;	/* highest ids now summarised */
	int64_t history_rows, order_rows;	/* rows added by this refresh */
	int64_t expiring_cards;			/* cards with points due in 90 days */
};
int aba_report_refresh(struct aba_db *db, struct aba_report_refresh *out, struct aba_err *err);

#endif
