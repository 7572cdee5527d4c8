/* aba_db.c - connecting, judging results, retrying. */
#include "aba_db.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_cluster.h"
#include "aba_migrate.h"

/* SQLSTATEs raised by sql/ functions (class AB) and the statuses they mean.
 * Where the server's own words would puzzle a clerk (a read-only database,
 * a full disk: "could not extend file base/16384/2619"), msg says it
 * plainly; the transaction was rolled back, so nothing was written. */
static const struct {
	const char *sqlstate;
	enum aba_status code;
	const char *msg;
} sqlstate_map[] = {
	{ "AB404", ABA_NOT_FOUND, NULL },
	{ "AB409", ABA_CONFLICT, NULL },
	{ "AB402", ABA_INSUFFICIENT, NULL },
	{ "AB422", ABA_INPUT, NULL },
	{ "AB403", ABA_DENIED, NULL },
	{ "42501", ABA_DENIED, NULL },
	{ "23505", ABA_CONFLICT, NULL },
	{ "23514", ABA_CONFLICT, NULL },
	{ "57P01", ABA_CONNECTION, NULL },
	{ "57P03", ABA_CONNECTION, NULL },
	{ "25006", ABA_SERVER, "the database is read-only: nothing was written" },
	{ "53100", ABA_SERVER, "the database server's disk is full: nothing was written" },
};

static enum aba_status status_of_sqlstate(const char *state, const char **msg)
{
	for (size_t i = 0; i < sizeof(sqlstate_map) / sizeof(sqlstate_map[0]); i++)
		if (strcmp(state, sqlstate_map[i].sqlstate) == 0) {
			if (sqlstate_map[i].msg)
				*msg = sqlstate_map[i].msg;
			return sqlstate_map[i].code;
		}
	if (strncmp(state, "22", 2) == 0)
		return ABA_INPUT;
	if (strncmp(state, "08", 2) == 0)
		return ABA_CONNECTION;
	return ABA_DB;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int aba_db_target_is_embedded(const struct aba_db_target *t)
{
	static const char *const env[] = { "PGSERVICE", "PGHOST", "PGDATABASE" };

	if (t->conninfo && *t->conninfo)
		return 0;
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		const char *v = getenv(env[i]);
		if (v && *v)
			return 0;
	}
	return 1;
}

/* expand_dbname=1: a "dbname" value may itself be a connection string. */
static int open_params(const char *const *keys, const char *const *vals, struct aba_db **out,
		       struct aba_err *err)
{
	struct aba_db *db = calloc(1, sizeof(*db));

	if (!db)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		char msg[200];
		size_t n;

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(db->conn));
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		aba_db_free(db);
		return aba_fail(err, ABA_CONNECTION, "cannot connect to the database: %s", msg);
	}
	PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
	db->reconnect_ms = ABA_DB_RECONNECT_MS;
	*out = db;
	return 0;
}

static int open_with_user(const char *conninfo, const char *user, struct aba_db **out,
			  struct aba_err *err)
{
	const char *keys[] = { "dbname", "user", "application_name", NULL };
	const char *vals[] = { conninfo, user, "aba", NULL };

	if (!user) {
		keys[1] = "application_name";
		vals[1] = "aba";
		keys[2] = vals[2] = NULL;
	}
	return open_params(keys, vals, out, err);
}

int aba_db_twin(struct aba_db *db, struct aba_db **out, struct aba_err *err)
{
	PQconninfoOption *opts = PQconninfo(db->conn);
	const char *keys[64], *vals[64];
	size_t n = 0;
	int rc;

	if (!opts)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (PQconninfoOption *o = opts; o->keyword && n + 1 < 64; o++) {
		if (!o->val || strcmp(o->keyword, "dbname") == 0)
			continue;	/* dbname last: expanded, it would override */
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	keys[n] = "dbname";
	vals[n++] = PQdb(db->conn);
	keys[n] = vals[n] = NULL;
	/* expansion only reads a connection string: a plain name stays one */
	rc = open_params(keys, vals, out, err);
	PQconninfoFree(opts);
	return rc;
}

int aba_db_connect(const char *conninfo, struct aba_db **out, struct aba_err *err)
{
	return open_with_user(conninfo, NULL, out, err);
}

int aba_db_open(const struct aba_db_target *t, struct aba_db **out, struct aba_err *err)
{
	struct aba_cluster cluster;
	char conninfo[1024];

	if (!aba_db_target_is_embedded(t))
		return open_with_user(t->conninfo ? t->conninfo : "", t->user, out, err);
	if (aba_cluster_locate(&cluster, t->home, err) || aba_cluster_ensure(&cluster, err))
		return -1;
	if (aba_cluster_prepare_database(&cluster, err))
		return -1;
	aba_cluster_conninfo(&cluster, ABA_CLUSTER_DBNAME, conninfo, sizeof(conninfo));
	return open_with_user(conninfo, t->user, out, err);
}

void aba_db_free(struct aba_db *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	free(db);
}

int aba_db_accept(struct aba_db *db, const PGresult *res, ExecStatusType expected,
		  struct aba_err *err)
{
	const char *state, *msg;

	if (res && PQresultStatus(res) == expected)
		return 0;
	if (!res || PQstatus(db->conn) == CONNECTION_BAD) {
		aba_fail(err, ABA_CONNECTION, "lost the connection to the database");
		if (err)
			strcpy(err->sqlstate, "08006");
		return -1;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!state) {
		return aba_fail(err, ABA_DB, "unexpected result from the database: %s",
				PQresStatus(PQresultStatus(res)));
	}
	return aba_db_fail_sqlstate(state, msg, err);
}

int aba_db_fail_sqlstate(const char *state, const char *msg, struct aba_err *err)
{
	enum aba_status code = status_of_sqlstate(state, &msg);

	aba_fail(err, code, "%s", msg && *msg ? msg : "database error");
	if (err)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	return -1;
}

PGresult *aba_db_exec(struct aba_db *db, const char *sql, int nparams,
		      const char *const *params)
{
	return PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
}

int aba_db_err_is_retryable(const struct aba_err *err)
{
	return strcmp(err->sqlstate, "40001") == 0 || strcmp(err->sqlstate, "40P01") == 0;
}

/* 5 ms doubling per attempt, capped at 500 ms, with up to 50% jitter so
 * that clients which collided do not collide again in step. */
void aba_db_backoff(int attempt)
{
	long ms = 5L << (attempt < 7 ? attempt : 7);
	struct timespec ts;

	if (ms > 500)
		ms = 500;
	ms += rand() % (ms / 2 + 1);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* After a lost connection (the server restarted, a network blip), reset
 * it, trying for up to db->reconnect_ms. */
static int reconnect(struct aba_db *db)
{
	struct timespec pause = { 0, 250 * 1000000L };

	for (long waited = 0; waited <= db->reconnect_ms; waited += 250) {
		PQreset(db->conn);
		if (PQstatus(db->conn) == CONNECTION_OK) {
			db->reconnects++;
			return 0;
		}
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Whether a failed attempt may be made again: a serialization failure or
 * deadlock (the transaction was rolled back, so always; bounded, with
 * backoff), or a lost connection once re-established -- but only for a
 * repeatable statement, because a lost connection leaves unknown whether
 * the statement committed.  Inside an explicit transaction nothing is
 * retried. */
static int may_retry(struct aba_db *db, const struct aba_err *e, int attempt, int in_tx,
		     int repeatable)
{
	if (in_tx || attempt >= ABA_DB_MAX_RETRIES)
		return 0;
	if (aba_db_err_is_retryable(e)) {
		db->retries++;
		aba_db_backoff(attempt);
		return 1;
	}
	if (e->code != ABA_CONNECTION || PQstatus(db->conn) != CONNECTION_BAD)
		return 0;
	/* Reconnect either way, so the next statement has a connection. */
	return reconnect(db) == 0 && repeatable;
}

static int call(struct aba_db *db, const char *sql, int nparams, const char *const *params,
		ExecStatusType expected, PGresult **out, int repeatable, struct aba_err *err)
{
	PGTransactionStatusType ts = PQtransactionStatus(db->conn);
	/* UNKNOWN is a dead connection, not a transaction: reconnect below. */
	int in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
	struct aba_err local;

	if (PQstatus(db->conn) == CONNECTION_BAD && !in_tx)
		reconnect(db);
	for (int attempt = 0;; attempt++) {
		PGresult *res = aba_db_exec(db, sql, nparams, params);

		if (aba_db_accept(db, res, expected, &local) == 0) {
			*out = res;
			return 0;
		}
		PQclear(res);
		if (may_retry(db, &local, attempt, in_tx, repeatable))
			continue;
		if (err) {
			*err = local;
			if (aba_db_err_is_retryable(&local))
				snprintf(err->msg, sizeof(err->msg),
					 "gave up after %d retries: %.200s", attempt, local.msg);
			else if (local.code == ABA_CONNECTION && !repeatable && !in_tx)
				snprintf(err->msg, sizeof(err->msg), "lost the connection to the"
					 " database: check whether the request was done before"
					 " repeating it");
		}
		return -1;
	}
}

int aba_db_call(struct aba_db *db, const char *sql, int nparams,
		const char *const *params, ExecStatusType expected,
		PGresult **out, struct aba_err *err)
{
	return call(db, sql, nparams, params, expected, out, 0, err);
}

int aba_db_call_repeatable(struct aba_db *db, const char *sql, int nparams,
			   const char *const *params, ExecStatusType expected,
			   PGresult **out, struct aba_err *err)
{
	return call(db, sql, nparams, params, expected, out, 1, err);
}

int aba_db_call_json(struct aba_db *db, int repeatable, const char *sql, int nparams,
		     const char *const *params, json_t **out, struct aba_err *err)
{
	PGresult *res = NULL;
	json_error_t jerr;

	*out = NULL;
	if (call(db, sql, nparams, params, PGRES_TUPLES_OK, &res, repeatable, err))
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*out = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (!*out)
		return aba_fail(err, ABA_DB, "unreadable answer from the database");
	return 0;
}

int aba_db_command(struct aba_db *db, const char *sql, int nparams,
		   const char *const *params, struct aba_err *err)
{
	PGresult *res = NULL;
	int rc = aba_db_call(db, sql, nparams, params, PGRES_COMMAND_OK, &res, err);

	PQclear(res);
	return rc;
}

static int exec_simple(struct aba_db *db, const char *sql, struct aba_err *err)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = aba_db_accept(db, res, PGRES_COMMAND_OK, err);

	PQclear(res);
	return rc;
}

int aba_db_begin_snapshot(struct aba_db *db, struct aba_err *err)
{
	return exec_simple(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
}

int aba_db_end_snapshot(struct aba_db *db, struct aba_err *err)
{
	if (!err) {
		PQclear(PQexec(db->conn, "ROLLBACK"));
		return 0;
	}
	return exec_simple(db, "COMMIT", err);
}
