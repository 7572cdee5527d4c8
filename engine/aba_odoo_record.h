/* aba_odoo_record.h - one Odoo record, as search_read wrote it, checked
 * and turned into what the import functions in sql/061 take.  Internal to
 * the aba_odoo_* files. */
#ifndef ABA_ODOO_RECORD_H
#define ABA_ODOO_RECORD_H

#include <stdint.h>

#include <jansson.h>

#include "aba_err.h"
#include "aba_odoo.h"

/* The model a record looks like (by the fields only that model has), or -1. */
int aba_odoo_record_model(const json_t *raw);

/* The record's Odoo id (the "id" field), or -1 with err set. */
int aba_odoo_record_id(const json_t *raw, int64_t *id, struct aba_err *err);

/* Field readers.  raw's numbers arrive as strings; errors say "KEY: what is
 * wrong".  Absent, null and Odoo's false all mean "no value". */
int aba_odoo_record_empty(const json_t *v);
/* An id (v a number's text) greater than zero. */
int aba_odoo_record_parse_id(const json_t *v, const char *key, int64_t *id,
			     struct aba_err *err);
/* Text of at most max characters, NULL when empty; required: must be there. */
int aba_odoo_record_text(const json_t *raw, const char *key, int required, size_t max,
			 const char **out, struct aba_err *err);
/* A many2one: [id, "name"], a bare id, or empty (*id 0, *name NULL). */
int aba_odoo_record_m2o(const json_t *raw, const char *key, int64_t *id, const char **name,
			struct aba_err *err);
/* An Odoo datetime (UTC) as "2024-01-31T10:00:00Z" in buf (ABA_TIME_BUFSZ);
 * NULL when empty. */
int aba_odoo_record_time(const json_t *raw, const char *key, int required, char *buf,
			 const char **out, struct aba_err *err);
/* An Odoo date "YYYY-MM-DD"; NULL when empty. */
int aba_odoo_record_date(const json_t *raw, const char *key, const char **out,
			 struct aba_err *err);

/* loyalty.program, loyalty.rule and loyalty.reward records into o (see
 * aba_odoo_program_record.c): the fields aba can honour, checked one
 * record at a time; what needs several records is aba_odoo_program.c's. */
int aba_odoo_record_program(const json_t *raw, json_t *o, struct aba_err *err);
int aba_odoo_record_rule(const json_t *raw, json_t *o, struct aba_err *err);
int aba_odoo_record_reward(const json_t *raw, json_t *o, struct aba_err *err);

/* One transaction for one file's (or the program files') writes: BEGIN, or
 * a savepoint when the caller already began one (--dry-run). */
int aba_odoo_tx_begin(struct aba_db *db, int nested, struct aba_err *err);
int aba_odoo_tx_commit(struct aba_db *db, int nested, struct aba_err *err);
void aba_odoo_tx_abort(struct aba_db *db, int nested);
int aba_odoo_tx_nested(struct aba_db *db);
/* Whether a transaction that failed on attempt `attempt` (from 0) is made
 * again: not inside the caller's, at most ODOO_RETRIES times, only after a
 * serialization failure or deadlock; waits (backoff) when it is. */
int aba_odoo_tx_retry(int nested, int attempt, const struct aba_err *err);

/* An odoo.import audit row (odoo.settle when what is "settle"): what was
 * imported, from which file (NULL: none), and the counts. */
int aba_odoo_audit(struct aba_db *db, const char *what, const char *file, const json_t *counts,
		   struct aba_err *err);
/* The audit row of one imported file: its model, base name and counts. */
int aba_odoo_audit_file(struct aba_db *db, const struct aba_odoo_file *f, const json_t *counts,
			struct aba_err *err);

/* *out: a new object {"i": position, "id": ..., the model's fields}.  raw's
 * numbers arrive as strings (see aba_odoo_file.c).  Errors say
 * "FIELD: what is wrong". */
int aba_odoo_record_normalize(enum aba_odoo_model m, const json_t *raw, long position,
			      json_t **out, struct aba_err *err);

#endif
