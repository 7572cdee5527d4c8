/* aba_odoo_settle.c - settling imported Odoo cards: their new history
 * replayed into the ledger and their odoo-import adjustments posted, by
 * aba.odoo_settle() (sql/062), ODOO_SETTLE_CARDS cards a call.
 *
 * The server does all the work, and one call keeps one core busy.  So
 * the runs of cards are known first, and two connections settle them side
 * by side, each run in its own transaction: a run is settled whole or not
 * at all, and an interrupted settlement leaves the rest for the next
 * import to settle.  Inside a transaction the caller began (--dry-run)
 * the runs go one after another in it, as one whole.
 */
#include "aba_odoo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "aba_jp.h"
#include "aba_odoo_record.h"

#define ODOO_SETTLE_CARDS 500
#define ODOO_SETTLE_CONNECTIONS 2

static const char SQL_SETTLE[] = "SELECT aba.odoo_settle($1::bigint, $2::integer)";
/* How many cards have something to settle (Odoo's points moved, or
 * history rows not replayed yet), and where each run after the first
 * starts: after every n-th of them. */
static const char SQL_RUNS[] =
	"SELECT count(*), coalesce(string_agg(card_id::text, ' ' ORDER BY card_id)"
	"                          FILTER (WHERE r % $1 = 0), '')"
	"  FROM (SELECT oc.card_id, row_number() OVER (ORDER BY oc.card_id) AS r"
	"          FROM aba.odoo_cards oc WHERE oc.points <> oc.imported"
	"            OR EXISTS (SELECT 1 FROM aba.odoo_history h"
	"                        WHERE h.card_id = oc.card_id AND h.posting_id IS NULL)) s";

/* What one call settled, added to out. */
static void add_result(struct aba_odoo_settlement *out, const json_t *r)
{
	size_t i;
	json_t *adj;

	out->cards += aba_jp_int_or_zero(r, "cards");
	out->replayed += aba_jp_int_or_zero(r, "replayed");
	json_array_foreach(json_object_get(r, "adjustments"), i, adj)
		json_array_append(out->adjustments, adj);
}

static int settle_call(struct aba_db *db, long after, json_t **r, struct aba_err *err)
{
	char a[24], limit[16];
	const char *params[] = { a, limit };

	snprintf(a, sizeof(a), "%ld", after);
	snprintf(limit, sizeof(limit), "%d", ODOO_SETTLE_CARDS);
	/* repeatable: a call settles whatever is still to settle */
	return aba_db_call_json(db, 1, SQL_SETTLE, 2, params, r, err);
}

/* The runs, shared by the connections: each takes the next not taken. */
struct runs {
	pthread_mutex_t lock;
	long *starts;		/* run k settles the cards after starts[k] */
	json_t **results;	/* its answer, kept in run order */
	size_t n, next, settled, total;
	int failed;
	struct aba_err err;	/* the first failure */
	aba_odoo_progress_fn progress;
	void *arg;
};

struct worker {
	struct runs *runs;
	struct aba_db *db;
};

static void *work(void *p)
{
	struct worker *w = p;
	struct runs *rs = w->runs;

	for (;;) {
		struct aba_err err;
		json_t *r = NULL;
		size_t k;
		int rc, done;

		pthread_mutex_lock(&rs->lock);
		k = rs->next++;
		done = k >= rs->n || rs->failed;
		pthread_mutex_unlock(&rs->lock);
		if (done)
			return NULL;
		rc = settle_call(w->db, rs->starts[k], &r, &err);
		pthread_mutex_lock(&rs->lock);
		if (rc && !rs->failed) {
			rs->failed = 1;
			rs->err = err;
		} else if (rc == 0) {
			rs->results[k] = r;
			rs->settled += (size_t)aba_jp_int_or_zero(r, "cards");
			if (rs->progress)
				rs->progress(rs->arg, &(struct aba_odoo_progress){
					"settling", rs->settled, rs->total });
		}
		pthread_mutex_unlock(&rs->lock);
	}
}

static int runs_plan(struct aba_db *db, struct runs *rs, struct aba_err *err)
{
	char n[16];
	const char *params[] = { n };
	PGresult *res = NULL;
	const char *p;
	char *end;

	snprintf(n, sizeof(n), "%d", ODOO_SETTLE_CARDS);
	if (aba_db_call(db, SQL_RUNS, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	rs->total = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	/* no run when nothing is pending, none after the last card; + 1:
	 * calloc(0) may answer NULL */
	rs->n = (rs->total + ODOO_SETTLE_CARDS - 1) / ODOO_SETTLE_CARDS;
	rs->starts = calloc(rs->n + 1, sizeof(*rs->starts));
	rs->results = calloc(rs->n + 1, sizeof(*rs->results));
	if (!rs->starts || !rs->results) {
		PQclear(res);
		return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	p = PQgetvalue(res, 0, 1);
	for (size_t k = 1; k < rs->n; k++, p = end)
		rs->starts[k] = strtol(p, &end, 10);
	PQclear(res);
	return 0;
}

/* The runs on db and as many more connections, up to `connections`, as
 * open; then, in run order, what each settled (also when one failed:
 * those runs are done). */
static int settle_runs(struct aba_db *db, int connections, aba_odoo_progress_fn progress,
		       void *arg, struct aba_odoo_settlement *out, struct aba_err *err)
{
	struct runs rs = { .progress = progress, .arg = arg };
	struct worker w[ODOO_SETTLE_CONNECTIONS] = { { &rs, db } };
	pthread_t t[ODOO_SETTLE_CONNECTIONS];
	int n = 1, rc = 0;

	pthread_mutex_init(&rs.lock, NULL);
	if (runs_plan(db, &rs, err)) {
		rc = -1;
		goto out;
	}
	for (; n < connections; n++) {
		struct aba_err ignored;

		w[n].runs = &rs;
		if (aba_db_twin(db, &w[n].db, &ignored))
			break;	/* settle on fewer connections */
	}
	for (int i = 1; i < n; i++)
		if (pthread_create(&t[i], NULL, work, &w[i])) {
			aba_db_free(w[i].db);
			n = i;
			break;
		}
	work(&w[0]);
	for (int i = 1; i < n; i++) {
		pthread_join(t[i], NULL);
		aba_db_free(w[i].db);
	}
	for (size_t k = 0; k < rs.n; k++)
		if (rs.results[k]) {
			add_result(out, rs.results[k]);
			json_decref(rs.results[k]);
		}
	if (rs.failed) {
		*err = rs.err;
		rc = -1;
	}
out:
	free(rs.starts);
	free(rs.results);
	pthread_mutex_destroy(&rs.lock);
	return rc;
}

static int audit_settle(struct aba_db *db, const struct aba_odoo_settlement *s,
			struct aba_err *err)
{
	json_t *counts = json_pack("{s:I,s:I,s:I}", "cards", (json_int_t)s->cards, "replayed",
				   (json_int_t)s->replayed, "adjusted",
				   (json_int_t)json_array_size(s->adjustments));
	int rc;

	if (!counts)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rc = aba_odoo_audit(db, "settle", NULL, counts, err);
	json_decref(counts);
	return rc;
}

static int settle_nested(struct aba_db *db, aba_odoo_progress_fn progress, void *arg,
			 struct aba_odoo_settlement *out, struct aba_err *err)
{
	if (aba_odoo_tx_begin(db, 1, err) == 0 &&
	    settle_runs(db, 1, progress, arg, out, err) == 0 &&
	    (out->cards == 0 || audit_settle(db, out, err) == 0) &&
	    aba_odoo_tx_commit(db, 1, err) == 0)
		return 0;
	aba_odoo_tx_abort(db, 1);
	return -1;
}

int aba_odoo_settle(struct aba_db *db, aba_odoo_progress_fn progress, void *arg,
		    struct aba_odoo_settlement *out, struct aba_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(out->adjustments = json_array()))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (aba_odoo_tx_nested(db)) {
		rc = settle_nested(db, progress, arg, out, err);
	} else {
		rc = settle_runs(db, ODOO_SETTLE_CONNECTIONS, progress, arg, out, err);
		/* the audit row says what was settled, also before a failure */
		if (out->cards > 0) {
			struct aba_err audit_err;

			if (audit_settle(db, out, rc ? &audit_err : err))
				rc = -1;
		}
		if (rc && out->cards > 0) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg), "%.180s (%ld cards were settled; "
				 "importing again settles the rest)", msg, out->cards);
		}
	}
	if (rc) {
		json_decref(out->adjustments);
		out->adjustments = NULL;
	}
	return rc;
}
