/* aba_odoo_import.c - sending an export to sql/061 in batches, one
 * transaction per file, then settling the cards.
 *
 * Records go as JSON arrays of ODOO_BATCH, so a million history rows are a
 * few hundred statements, not a million round trips.  Inside a transaction
 * the caller began (--dry-run) a file runs under a savepoint instead, so a
 * bad file still leaves nothing behind while the others go on.
 */
#include "aba_odoo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "aba_jp.h"
#include "aba_odoo_record.h"

#define ODOO_BATCH 5000
#define ODOO_RETRIES 3

static const char *const import_sql[ABA_ODOO_MODEL_COUNT] = {
	[ABA_ODOO_PARTNER] = "SELECT aba.odoo_import_partners($1::jsonb)",
	[ABA_ODOO_CARD] = "SELECT aba.odoo_import_cards($1::jsonb)",
	[ABA_ODOO_HISTORY] = "SELECT aba.odoo_import_history($1::jsonb)",
};

static const char SQL_DONE[] = "SELECT aba.odoo_import_done($1, $2, $3::jsonb)";

int aba_odoo_tx_begin(struct aba_db *db, int nested, struct aba_err *err)
{
	return aba_db_command(db, nested ? "SAVEPOINT aba_odoo" : "BEGIN", 0, NULL, err);
}

int aba_odoo_tx_commit(struct aba_db *db, int nested, struct aba_err *err)
{
	return aba_db_command(db, nested ? "RELEASE SAVEPOINT aba_odoo" : "COMMIT", 0, NULL, err);
}

void aba_odoo_tx_abort(struct aba_db *db, int nested)
{
	if (nested)
		PQclear(aba_db_exec(db, "ROLLBACK TO SAVEPOINT aba_odoo; RELEASE SAVEPOINT aba_odoo",
				    0, NULL));
	else
		PQclear(aba_db_exec(db, "ROLLBACK", 0, NULL));
}

int aba_odoo_tx_nested(struct aba_db *db)
{
	return PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
}

int aba_odoo_tx_retry(int nested, int attempt, const struct aba_err *err)
{
	if (nested || attempt >= ODOO_RETRIES || !aba_db_err_is_retryable(err))
		return 0;
	aba_db_backoff(attempt);
	return 1;
}

struct batch {
	struct aba_db *db;
	const struct aba_odoo_file *f;
	json_t *rows;
	struct aba_odoo_file_result *res;
	aba_odoo_progress_fn progress;
	void *arg;
	int in_flight;		/* a batch was sent and its answer is not read yet */
};

/* Reads the answer to the batch in flight (all of it, so the connection
 * is ready for the next statement) and adds its counts. */
static int collect(struct batch *b, struct aba_err *err)
{
	PGresult *res, *first = NULL;
	json_t *counts = NULL;
	int rc;

	if (!b->in_flight)
		return 0;
	b->in_flight = 0;
	while ((res = PQgetResult(b->db->conn))) {
		if (first)
			PQclear(res);
		else
			first = res;
	}
	rc = aba_db_accept(b->db, first, PGRES_TUPLES_OK, err);
	if (rc == 0 && (PQntuples(first) != 1 ||
			!(counts = json_loads(PQgetvalue(first, 0, 0), 0, NULL))))
		rc = aba_fail(err, ABA_DB, "unreadable answer from the database");
	PQclear(first);
	if (rc)
		return -1;
	b->res->created += aba_jp_int_or_zero(counts, "created");
	b->res->updated += aba_jp_int_or_zero(counts, "updated");
	b->res->unchanged += aba_jp_int_or_zero(counts, "unchanged");
	b->res->kept += aba_jp_int_or_zero(counts, "kept");
	json_decref(counts);
	return 0;
}

/* Sends the rows gathered so far without waiting for the answer: the
 * next batch is read and checked here while the server writes this one
 * (two cores, half the time of a large file).  The answer is read before
 * the next batch goes, so errors still come in the file's order; inside
 * the file's transaction nothing is retried either way. */
static int flush(struct batch *b, struct aba_err *err)
{
	char *text;
	int rc;

	if (json_array_size(b->rows) == 0)
		return 0;
	if (!(text = json_dumps(b->rows, JSON_COMPACT)))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	json_array_clear(b->rows);
	rc = collect(b, err);
	if (rc == 0 && !PQsendQueryParams(b->db->conn, import_sql[b->f->model], 1, NULL,
					  (const char *const *)&text, NULL, NULL, 0))
		rc = aba_db_accept(b->db, NULL, PGRES_TUPLES_OK, err);
	else if (rc == 0)
		b->in_flight = 1;
	free(text);
	return rc;
}

static int add_record(void *arg, const json_t *rec, size_t offset, struct aba_err *err)
{
	struct batch *b = arg;

	b->res->records++;
	if (json_array_append(b->rows, (json_t *)rec))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (json_array_size(b->rows) < ODOO_BATCH)
		return 0;
	if (b->progress)
		b->progress(b->arg, &(struct aba_odoo_progress){ b->f->path, offset, b->f->len });
	return flush(b, err);
}

int aba_odoo_audit(struct aba_db *db, const char *what, const char *file, const json_t *counts,
		   struct aba_err *err)
{
	char *text = json_dumps(counts, JSON_COMPACT);
	const char *params[] = { what, file, text };
	PGresult *res = NULL;
	int rc;

	if (!text)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rc = aba_db_call(db, SQL_DONE, 3, params, PGRES_TUPLES_OK, &res, err);
	PQclear(res);
	free(text);
	return rc;
}

int aba_odoo_audit_file(struct aba_db *db, const struct aba_odoo_file *f, const json_t *counts,
			struct aba_err *err)
{
	const char *base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;

	return aba_odoo_audit(db, aba_odoo_model_name(f->model), base, counts, err);
}

/* What one file did, for its audit row. */
static int audit_counts(struct aba_db *db, const struct aba_odoo_file *f,
			const struct aba_odoo_file_result *r, struct aba_err *err)
{
	json_t *counts = json_pack("{s:I,s:I,s:I,s:I,s:I}", "records", (json_int_t)r->records,
				   "created", (json_int_t)r->created, "updated",
				   (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged,
				   "kept", (json_int_t)r->kept);
	int rc;

	if (!counts)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rc = aba_odoo_audit_file(db, f, counts, err);
	json_decref(counts);
	return rc;
}

static int import_once(struct aba_db *db, const struct aba_odoo_file *f, int nested,
		       aba_odoo_progress_fn progress, void *arg, struct aba_odoo_file_result *out,
		       struct aba_err *err)
{
	struct batch b = { db, f, json_array(), out, progress, arg, 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!b.rows)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (aba_odoo_tx_begin(db, nested, err))
		goto out;
	if (aba_odoo_file_each(f, add_record, &b, err) || flush(&b, err) || collect(&b, err) ||
	    audit_counts(db, f, out, err) || aba_odoo_tx_commit(db, nested, err)) {
		struct aba_err earlier;

		/* The batch in flight holds records before the one that failed
		 * here: its error, if any, is the one to report. */
		if (collect(&b, &earlier) && err)
			*err = earlier;
		aba_odoo_tx_abort(db, nested);
		goto out;
	}
	rc = 0;
out:
	json_decref(b.rows);
	return rc;
}

/* Prefixes the file's path to a database error that does not carry it. */
static int name_file(const struct aba_odoo_file *f, struct aba_err *err)
{
	char msg[sizeof(err->msg)];

	if (strncmp(err->msg, f->path, strlen(f->path)) == 0)
		return -1;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	snprintf(err->msg, sizeof(err->msg), "%.60s: %.190s", f->path, msg);
	return -1;
}

int aba_odoo_import_file(struct aba_db *db, const struct aba_odoo_file *f,
			 aba_odoo_progress_fn progress, void *arg,
			 struct aba_odoo_file_result *out, struct aba_err *err)
{
	int nested = aba_odoo_tx_nested(db);

	memset(out, 0, sizeof(*out));
	if (f->model < 0)
		return 0;	/* an empty export: nothing to do */
	if (!import_sql[f->model])	/* programs: aba_odoo_import_programs */
		return aba_fail(err, ABA_INPUT, "%s: %s records are imported with their "
				"programs, not one file alone", f->path,
				aba_odoo_model_name(f->model));
	/* A whole file is one transaction, so a deadlock or serialization
	 * failure retries the file, never half of it. */
	for (int attempt = 0;; attempt++) {
		if (import_once(db, f, nested, progress, arg, out, err) == 0)
			return 0;
		if (!aba_odoo_tx_retry(nested, attempt, err))
			return name_file(f, err);
	}
}
