/* aba_ledger.h - the points ledger: every posting goes through here.
 *
 * Each call is one SQL function call in its own transaction (sql/004,
 * sql/005), retried on serialization failure or deadlock.  Every posting
 * carries an idempotency key: a replay returns the first result with
 * replay set; the same key with other content is an ABA_CONFLICT.
 */
#ifndef ABA_LEDGER_H
#define ABA_LEDGER_H

#include <stdint.h>

#include <jansson.h>

#include "aba_err.h"

struct aba_db;

/* What a posting answered. */
struct aba_posting {
	int64_t id;		/* the posting's id */
	int64_t balance;	/* the card's balance after it */
	int replay;		/* 1: the key was posted before; this is that first result */
	json_t *result;		/* the whole result document (aba_posting_clear frees) */
};

void aba_posting_clear(struct aba_posting *p);

/* Optional fields are NULL (or 0 for validity_days: no expiry).  Times are
 * ISO 8601 strings checked with aba_time_parse. */
struct aba_earn {
	const char *card;
	int64_t points;
	const char *key;
	const char *origin;
	const char *at;
	int validity_days;
};

struct aba_redeem {
	const char *card;
	int64_t points;
	const char *key;
	const char *origin;
	const char *at;
};

int aba_ledger_earn(struct aba_db *db, const struct aba_earn *req, struct aba_posting *out,
		    struct aba_err *err);
int aba_ledger_redeem(struct aba_db *db, const struct aba_redeem *req, struct aba_posting *out,
		      struct aba_err *err);

/* A refund of an order; amount < 0 means everything not refunded yet. */
struct aba_refund {
	const char *order_ref;
	int64_t amount;
	const char *key;
	const char *at;
};

int aba_ledger_refund(struct aba_db *db, const struct aba_refund *req, struct aba_posting *out,
		      struct aba_err *err);

/* Expires every lot past expiry at as_of (NULL: now), in batches of cards,
 * one short transaction each; progress (may be NULL) after every batch. */
struct aba_expire_totals {
	int64_t cards;
	int64_t points;
};
typedef void (*aba_expire_progress)(void *arg, const struct aba_expire_totals *so_far);

int aba_ledger_expire(struct aba_db *db, const char *as_of, aba_expire_progress progress,
		      void *arg, struct aba_expire_totals *out, struct aba_err *err);

/* One broken invariant found by aba_ledger_verify. */
struct aba_problem {
	const char *card;	/* NULL for ledger-wide problems */
	const char *check;	/* e.g. "balance_vs_lots" */
	const char *detail;
};
typedef void (*aba_problem_fn)(void *arg, const struct aba_problem *p);

/* Checks every invariant of DESIGN.md for every card (card NULL) or one.
 * *problems counts what was found; each is passed to fn.  A pass over
 * every card on a primary is kept as the one the consistency report
 * starts from (sql/080). */
int aba_ledger_verify(struct aba_db *db, const char *card, aba_problem_fn fn, void *arg,
		      long *problems, struct aba_err *err);

#endif
