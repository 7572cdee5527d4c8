/* aba_odoo_check.c - reconciliation: does the database still say what the
 * export says?  Per card: it exists, its balance equals Odoo's points, and
 * as many of its Odoo history rows were replayed as the export holds.
 *
 * The export's cards and the database's imported cards are both sorted by
 * Odoo id and walked side by side; nothing is written.
 */
#include "aba_odoo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"

static const char SQL_CARDS[] =
	"SELECT oc.odoo_id, c.code, c.balance, coalesce(h.n, 0)"
	"  FROM aba.odoo_cards oc JOIN aba.cards c ON c.id = oc.card_id"
	"  LEFT JOIN (SELECT card_id, count(*) AS n FROM aba.odoo_history"
	"              WHERE posting_id IS NOT NULL GROUP BY card_id) h ON h.card_id = oc.card_id"
	" ORDER BY oc.odoo_id";

/* What the export says of one card. */
struct expect {
	int64_t id;
	int has_card;		/* a loyalty.card record was read */
	int64_t points;
	long history;
	char code[72];
};

struct expects {
	struct expect *v;
	size_t n, cap;
};

static struct expect *expect_add(struct expects *e, int64_t id)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 1024;
		struct expect *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		e->v = v;
		e->cap = cap;
	}
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	e->v[e->n].id = id;
	return &e->v[e->n++];
}

static int read_record(void *arg, const json_t *rec, size_t offset, struct aba_err *err)
{
	struct expects *e = arg;
	const json_t *card = json_object_get(rec, "card");
	struct expect *x;

	(void)offset;
	if (!(x = expect_add(e, json_integer_value(card ? card : json_object_get(rec, "id")))))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (card) {
		x->history = 1;
	} else {
		x->has_card = 1;
		x->points = json_integer_value(json_object_get(rec, "points"));
		snprintf(x->code, sizeof(x->code), "%s",
			 json_string_value(json_object_get(rec, "code")));
	}
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct expect *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Sorts and folds the entries of one card (its card record and one entry
 * per history row) into one. */
static void fold(struct expects *e)
{
	size_t w = 0;

	qsort(e->v, e->n, sizeof(e->v[0]), by_id);
	for (size_t r = 0; r < e->n; r++) {
		if (w > 0 && e->v[w - 1].id == e->v[r].id) {
			struct expect *x = &e->v[w - 1];

			x->history += e->v[r].history;
			if (e->v[r].has_card) {
				x->has_card = 1;
				x->points = e->v[r].points;
				memcpy(x->code, e->v[r].code, sizeof(x->code));
			}
		} else {
			e->v[w++] = e->v[r];
		}
	}
	e->n = w;
}

static int add_problem(struct aba_odoo_check_result *r, const struct expect *x,
		       const char *code, const char *problem, int64_t odoo, int64_t aba)
{
	struct aba_odoo_discrepancy *v = realloc(r->v, (r->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	r->v = v;
	v = &r->v[r->n++];
	v->odoo_id = x->id;
	snprintf(v->card, sizeof(v->card), "%s", code);
	v->problem = problem;
	v->odoo = odoo;
	v->aba = aba;
	return 0;
}

/* Compares one card; the row is NULL when the database lacks it. */
static int compare(struct aba_odoo_check_result *r, const struct expect *x,
		   const PGresult *res, int row)
{
	size_t before = r->n;
	int bad = 0;

	r->cards++;
	if (row < 0) {
		bad = add_problem(r, x, x->code, "missing", x->points, 0);
	} else {
		const char *code = PQgetvalue(res, row, 1);
		int64_t balance = strtoll(PQgetvalue(res, row, 2), NULL, 10);
		long hist = strtol(PQgetvalue(res, row, 3), NULL, 10);

		if (x->has_card && balance != x->points)
			bad |= add_problem(r, x, code, "balance", x->points, balance);
		if (r->with_history && hist != x->history)
			bad |= add_problem(r, x, code, "history", x->history, hist);
	}
	if (r->n == before)
		r->consistent++;
	return bad;
}

static int walk(const struct expects *e, const PGresult *res, struct aba_odoo_check_result *r,
		struct aba_err *err)
{
	int rows = PQntuples(res), row = 0;

	for (size_t i = 0; i < e->n; i++) {
		const struct expect *x = &e->v[i];

		while (row < rows && strtoll(PQgetvalue(res, row, 0), NULL, 10) < x->id)
			row++;
		if (compare(r, x, res, row < rows && strtoll(PQgetvalue(res, row, 0), NULL, 10) == x->id
				       ? row : -1))
			return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	return 0;
}

int aba_odoo_check(struct aba_db *db, const struct aba_odoo_file *files, size_t nfiles,
		   struct aba_odoo_check_result *out, struct aba_err *err)
{
	struct expects e = { 0 };
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nfiles; i++) {
		if (files[i].model != ABA_ODOO_CARD && files[i].model != ABA_ODOO_HISTORY)
			continue;
		out->with_history |= files[i].model == ABA_ODOO_HISTORY;
		if (aba_odoo_file_each(&files[i], read_record, &e, err))
			goto out;
	}
	fold(&e);
	if (aba_db_call(db, SQL_CARDS, 0, NULL, PGRES_TUPLES_OK, &res, err) ||
	    walk(&e, res, out, err))
		goto out;
	rc = 0;
out:
	PQclear(res);
	free(e.v);
	if (rc)
		aba_odoo_check_clear(out);
	return rc;
}

void aba_odoo_check_clear(struct aba_odoo_check_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
