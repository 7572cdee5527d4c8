/* aba_order.h - POS orders: evaluate with the discount engine at the level
 * valid at the order's time, post through the ledger, refund, show.
 *
 * An order (DESIGN.md "Integration"):
 *   {"ref": "POS1-000123", "card": "C0001", "at": "2026-11-22T10:00:00Z",
 *    "pos": "POS1", "offline": false, "codes": ["PROMO10"],
 *    "points_to_spend": "0",
 *    "lines": [{"product": "SKU-1", "qty": 2, "unit_price": "15000.00"}]}
 * ref is the idempotency key: posting the same order again (also at the
 * same time from elsewhere) returns the first result; the same ref with
 * other content is an ABA_CONFLICT.  Offline and online orders take the
 * same path; offline is recorded.
 */
#ifndef ABA_ORDER_H
#define ABA_ORDER_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "aba_err.h"
#include "aba_program.h"

struct aba_db;
struct aba_posting;

struct aba_order_result {
	char ref[208];
	char card[72];
	char level[40];		/* the level it earned at; "" for none */
	char upgraded_to[40];	/* the level the order moved the card up to, or "" */
	int64_t total_base, total_discount, total_net;
	int64_t points_earned, points_redeemed;
	int64_t balance;	/* the card's balance right after it */
	int replay;		/* 1: posted before; this is the first result */
	json_t *result;		/* the posting's result document */
};

void aba_order_result_clear(struct aba_order_result *r);

/* Evaluates and posts one order.  programs are the active programs (may be
 * NULL: no discounts, no points). */
int aba_order_post(struct aba_db *db, const struct aba_program_set *programs,
		   const json_t *order, struct aba_order_result *out, struct aba_err *err);

/* A refund: the whole rest (amount < 0 and no lines), an amount of money,
 * or lines: [{"product": "SKU-1", "qty": 1}] valued at what the order
 * charged for them (net per unit). */
struct aba_order_refund {
	const char *ref;
	int64_t amount;
	const json_t *lines;
	const char *key;
	const char *at;
};

/* Posts the refund through aba_ledger_refund; out as that fills it (the
 * result carries points_restored, points_reversed, shortfall, ...). */
int aba_order_refund(struct aba_db *db, const struct aba_order_refund *req,
		     struct aba_posting *out, struct aba_err *err);

/* The order as stored, with its refunds (caller json_decref()s). */
int aba_order_show(struct aba_db *db, const char *ref, json_t **out, struct aba_err *err);

/* Posts orders read from f: one order, a JSON array of orders, or orders
 * one after another (JSON lines).  Each order is posted on its own and
 * idempotently; one that fails is reported to fail_fn and the rest go on.
 * progress (may be NULL) is called every 1000 orders. */
struct aba_order_totals {
	int64_t posted, replayed, failed;
	int64_t points_earned, points_redeemed;
};
typedef void (*aba_order_fail_fn)(void *arg, const char *ref, const struct aba_err *err);
typedef void (*aba_order_progress_fn)(void *arg, const struct aba_order_totals *t);

int aba_order_post_file(struct aba_db *db, const struct aba_program_set *programs,
			FILE *f, aba_order_fail_fn fail_fn, aba_order_progress_fn progress,
			void *arg, struct aba_order_totals *out, struct aba_err *err);

/* The same, batch orders per statement (aba_order_batch.h; 1: each order
 * on its own, as aba_order_post).  aba_order_post_file posts
 * ABA_ORDER_BATCH_SIZE at a time. */
int aba_order_post_file_batch(struct aba_db *db, const struct aba_program_set *programs,
			      FILE *f, size_t batch, aba_order_fail_fn fail_fn,
			      aba_order_progress_fn progress, void *arg,
			      struct aba_order_totals *out, struct aba_err *err);

#endif
