/* aba_audit.h - the hash-chained audit log: list, verify, export, and
 * verify an export offline.
 *
 * sql/030_audit.sql appends the rows; this module only reads them.  The
 * chain is recomputed here in C (OpenSSL SHA-256), from the same text
 * fields the export carries, so the database and the offline file are
 * checked by one piece of code:
 *   hash = sha256(prev_hash || canonical row), first prev_hash = 32 zeros,
 *   canonical row = the nine fields id|at|actor|action|entity|entity_id|
 *   before|after|reason, each "~" when NULL or "<bytes>:<text>".
 */
#ifndef ABA_AUDIT_H
#define ABA_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "aba_err.h"

struct aba_db;

#define ABA_AUDIT_HEX 65	/* a SHA-256 in hex, with its NUL */

/* One row, every field as the chain covers it.  Optional fields are NULL;
 * before and after are the exact jsonb text. */
struct aba_audit_row {
	int64_t id;
	const char *at;		/* 2026-01-31T23:59:59.123456Z */
	const char *actor;
	const char *action;
	const char *entity;
	const char *entity_id;
	const char *before;
	const char *after;
	const char *reason;
	const char *prev_hash;	/* hex */
	const char *hash;	/* hex */
};

/* Filters of `aba audit log`; NULL fields do not filter.  action matches
 * itself and its sub-actions ("adjust" matches "adjust.approve"). */
struct aba_audit_filter {
	const char *actor;
	const char *action;
	const char *entity;
	const char *since;	/* ISO 8601, inclusive */
	const char *until;	/* ISO 8601, exclusive */
	long limit;		/* 0: no limit */
};

typedef int (*aba_audit_row_fn)(void *arg, const struct aba_audit_row *row);

/* Calls fn for each matching row in id order; fn returning non-zero stops. */
int aba_audit_log(struct aba_db *db, const struct aba_audit_filter *f, aba_audit_row_fn fn,
		  void *arg, struct aba_err *err);

/* A walk along the chain.  want_head, when set, is a head exported earlier:
 * the chain must still contain it, or its tail was cut off. */
struct aba_audit_check {
	int64_t rows;
	char head[ABA_AUDIT_HEX];	/* hash of the last row; "" when empty */
	int64_t broken_id;		/* first row that breaks the chain; 0 intact */
	char problem[200];		/* what is wrong, "" when nothing */
	char want_head[ABA_AUDIT_HEX];
	int64_t want_head_at;		/* row whose hash is want_head; 0 not seen */
	/* private */
	unsigned char prev[32];
	int64_t next_id;
};

void aba_audit_check_init(struct aba_audit_check *c, const char *want_head);
/* Feeds the next row: 0 while the chain holds, -1 once it is broken. */
int aba_audit_check_row(struct aba_audit_check *c, const struct aba_audit_row *row);
/* After the last row: sets the problem when want_head was never seen.
 * Returns 0 when everything holds, -1 otherwise. */
int aba_audit_check_end(struct aba_audit_check *c);

/* Walks the whole chain in the database (one snapshot). */
int aba_audit_verify(struct aba_db *db, const char *want_head, struct aba_audit_check *out,
		     struct aba_err *err);

/* Writes every row as a JSON line, then {"head": …, "rows": N}, to path
 * (through a temporary file, so a failed export leaves nothing behind).
 * out (may be NULL) gets the head and the row count. */
int aba_audit_export(struct aba_db *db, const char *path, struct aba_audit_check *out,
		     struct aba_err *err);

/* Verifies an exported file without a database. */
int aba_audit_verify_file(const char *path, const char *want_head, struct aba_audit_check *out,
			  struct aba_err *err);

/* Whether s is 64 hex digits. */
int aba_audit_is_hash(const char *s);

#endif
