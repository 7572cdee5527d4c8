/* aba_db.h - a libpq connection and the one place results are judged.
 *
 * Every statement goes through aba_db_exec (PQexecParams with $n
 * placeholders, text format).  aba_db_accept turns a failed result into a
 * struct aba_err, like psql's AcceptResult.  aba_db_call adds the bounded
 * retry on serialization failures and deadlocks that every posting needs.
 */
#ifndef ABA_DB_H
#define ABA_DB_H

#include <jansson.h>
#include <libpq-fe.h>

#include "aba_err.h"

struct aba_db {
	PGconn *conn;
	int retries;		/* 40001/40P01 retries done by this connection */
	int reconnects;		/* connections re-established after a loss */
	long reconnect_ms;	/* how long aba_db_call tries to reconnect; 0: never */
};

#define ABA_DB_RECONNECT_MS 20000L

/* Where to connect.  All fields may be NULL. */
struct aba_db_target {
	const char *conninfo;	/* --db; wins over everything */
	const char *user;	/* --user; overrides the user of any target */
	const char *home;	/* $ABA_HOME for the embedded cluster */
};

/* SQL text for a timestamptz column as ISO 8601 UTC ("2026-11-22T10:00:00Z"),
 * whatever the session's DateStyle and TimeZone: col is a string literal. */
#define ABA_DB_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* True when nothing names a database (no conninfo, PGSERVICE, PGHOST or
 * PGDATABASE), so the embedded cluster under home is meant. */
int aba_db_target_is_embedded(const struct aba_db_target *t);

/* Connects to the target.  For the embedded cluster this initialises and
 * starts it when needed and applies pending migrations first. */
int aba_db_open(const struct aba_db_target *t, struct aba_db **out, struct aba_err *err);
/* Connects with a plain libpq connection string, nothing else. */
int aba_db_connect(const char *conninfo, struct aba_db **out, struct aba_err *err);
/* A second connection to db's database as db's user, for work done beside
 * it (its session settings are not copied). */
int aba_db_twin(struct aba_db *db, struct aba_db **out, struct aba_err *err);
void aba_db_free(struct aba_db *db);

/* 0 when res has the expected status; otherwise -1 with err set from the
 * server's SQLSTATE and primary message (or the lost connection). */
int aba_db_accept(struct aba_db *db, const PGresult *res, ExecStatusType expected,
		  struct aba_err *err);

/* Sets err from a SQLSTATE and the server's primary message, as
 * aba_db_accept does -- also for errors that come back as data (a batch
 * reporting each row's refusal).  Returns -1. */
int aba_db_fail_sqlstate(const char *state, const char *msg, struct aba_err *err);

/* PQexecParams with text parameters and text results. */
PGresult *aba_db_exec(struct aba_db *db, const char *sql, int nparams,
		      const char *const *params);

/* One statement in its own transaction, retried with exponential backoff on
 * 40001 and 40P01 (at most ABA_DB_MAX_RETRIES times).  After a lost
 * connection it reconnects (within db->reconnect_ms) but does not run the
 * statement again: whether it committed is unknown, and the error says so.
 * On success *out is the result (caller PQclear()s it). */
#define ABA_DB_MAX_RETRIES 8
int aba_db_call(struct aba_db *db, const char *sql, int nparams,
		const char *const *params, ExecStatusType expected,
		PGresult **out, struct aba_err *err);

/* aba_db_call for a statement that may safely run twice -- a read, or a
 * ledger posting whose idempotency key makes a second run return the
 * first result: after a lost connection it reconnects and runs it again. */
int aba_db_call_repeatable(struct aba_db *db, const char *sql, int nparams,
			   const char *const *params, ExecStatusType expected,
			   PGresult **out, struct aba_err *err);

/* For the ledger's functions, which answer with one jsonb value: runs the
 * statement (repeatable: as aba_db_call_repeatable) and parses that value
 * into *out (caller json_decref()s). */
int aba_db_call_json(struct aba_db *db, int repeatable, const char *sql, int nparams,
		     const char *const *params, json_t **out, struct aba_err *err);

/* aba_db_call for a statement that returns no rows (DDL, SET, ...). */
int aba_db_command(struct aba_db *db, const char *sql, int nparams,
		   const char *const *params, struct aba_err *err);

/* A read-only REPEATABLE READ transaction, so that several SELECTs see one
 * snapshot (a card's balance, lots and history agree).  aba_db_call inside
 * it does not retry.  end commits; with err NULL it only cleans up. */
int aba_db_begin_snapshot(struct aba_db *db, struct aba_err *err);
int aba_db_end_snapshot(struct aba_db *db, struct aba_err *err);

/* Whether an error is worth retrying: 40001 or 40P01. */
int aba_db_err_is_retryable(const struct aba_err *err);
/* Waits before retry number attempt + 1: 5 ms doubling, capped at 500 ms,
 * with jitter. */
void aba_db_backoff(int attempt);

#endif
