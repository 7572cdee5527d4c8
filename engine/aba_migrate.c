/* aba_migrate.c - applying sql/ in order, once. */
#include "aba_migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"

static const char SQL_BOOTSTRAP[] =
	"CREATE SCHEMA IF NOT EXISTS aba;"
	"CREATE TABLE IF NOT EXISTS aba.schema_migrations ("
	" name text PRIMARY KEY,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock(hashtext('aba.migrate'))";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(hashtext('aba.migrate'))";
static const char SQL_APPLIED[] =
	"SELECT name, checksum = md5($1) FROM aba.schema_migrations WHERE name = $2";
static const char SQL_RECORD[] =
	"INSERT INTO aba.schema_migrations (name, checksum) VALUES ($1, md5($2))";

/* Runs trusted, multi-statement text of our own (never user input). */
static int exec_script(struct aba_db *db, const char *sql, ExecStatusType expected,
		       struct aba_err *err)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = aba_db_accept(db, res, expected, err);

	PQclear(res);
	return rc;
}

/* 1 applied, 0 not yet, -1 error. */
static int is_applied(struct aba_db *db, const struct aba_migration *m, int *same,
		      struct aba_err *err)
{
	const char *params[] = { m->sql, m->name };
	PGresult *res = aba_db_exec(db, SQL_APPLIED, 2, params);
	int rc = -1;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, err) == 0) {
		rc = PQntuples(res) == 1;
		if (rc && same)
			*same = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	}
	PQclear(res);
	return rc;
}

static int apply_one(struct aba_db *db, const struct aba_migration *m, struct aba_err *err)
{
	const char *params[] = { m->name, m->sql };
	PGresult *res;
	int rc;

	if (exec_script(db, "BEGIN", PGRES_COMMAND_OK, err))
		return -1;
	rc = exec_script(db, m->sql, PGRES_COMMAND_OK, err);
	/* A migration may SET LOCAL ROLE aba_owner; the record is ours. */
	if (rc == 0)
		rc = exec_script(db, "RESET ROLE", PGRES_COMMAND_OK, err);
	if (rc == 0) {
		res = aba_db_exec(db, SQL_RECORD, 2, params);
		rc = aba_db_accept(db, res, PGRES_COMMAND_OK, err);
		PQclear(res);
	}
	if (rc == 0)
		rc = exec_script(db, "COMMIT", PGRES_COMMAND_OK, err);
	if (rc != 0) {
		char msg[sizeof(err->msg)];

		PQclear(PQexec(db->conn, "ROLLBACK"));
		if (err) {
			snprintf(msg, sizeof(msg), "migration %.40s failed: %.190s", m->name, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
		}
	}
	return rc;
}

int aba_migrate(struct aba_db *db, aba_migrate_progress progress, void *arg,
		struct aba_err *err)
{
	int rc = 0;

	if (exec_script(db, SQL_BOOTSTRAP, PGRES_COMMAND_OK, err) ||
	    exec_script(db, SQL_LOCK, PGRES_TUPLES_OK, err))
		return -1;
	for (int i = 0; i < aba_migrations_count && rc == 0; i++) {
		const struct aba_migration *m = &aba_migrations[i];
		int applied = is_applied(db, m, NULL, err);

		if (applied < 0) {
			rc = -1;
		} else if (!applied) {
			if (progress)
				progress(arg, m->name);
			rc = apply_one(db, m, err);
		}
	}
	PQclear(PQexec(db->conn, SQL_UNLOCK));
	return rc;
}

int aba_migrate_status(struct aba_db *db, struct aba_migrate_status *st, struct aba_err *err)
{
	PGresult *res;

	memset(st, 0, sizeof(*st));
	st->available = aba_migrations_count;
	res = aba_db_exec(db, "SELECT count(*), max(name) FROM aba.schema_migrations"
			  " WHERE to_regclass('aba.schema_migrations') IS NOT NULL", 0, NULL);
	if (aba_db_accept(db, res, PGRES_TUPLES_OK, err)) {
		PQclear(res);
		/* 42P01: no table yet, so nothing is applied. */
		return strcmp(err->sqlstate, "42P01") == 0 ? 0 : -1;
	}
	st->applied = atoi(PQgetvalue(res, 0, 0));
	snprintf(st->latest, sizeof(st->latest), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	for (int i = 0; i < aba_migrations_count; i++) {
		int same = 1;

		if (is_applied(db, &aba_migrations[i], &same, err) < 0)
			return -1;
		st->changed += !same;
	}
	return 0;
}
