/* aba_order_prep.h - an order between reading and posting: its envelope
 * parsed, its cart evaluated at a level.  Shared by aba_order.c (one order
 * per statement) and aba_order_batch.c (many), so that both read, evaluate
 * and report orders alike.  Not for use outside the order engine.
 */
#ifndef ABA_ORDER_PREP_H
#define ABA_ORDER_PREP_H

#include <stdint.h>

#include <jansson.h>

#include "aba_arena.h"
#include "aba_err.h"
#include "aba_time.h"

struct aba_cart;
struct aba_order_result;
struct aba_program_set;
struct aba_promo_result;

/* The order's envelope; lines, codes and points go to the cart parser. */
struct aba_order_in {
	const char *ref, *card, *pos;
	int64_t at;
	char at_text[ABA_TIME_BUFSZ];
	int offline;
	struct aba_arena arena;
};

/* What the discount engine made of the order. */
struct aba_order_eval {
	int64_t base, discount, net, earn, redeem;
	int validity_days;	/* 0: the points never expire */
	json_t *detail;
};

/* Parses the envelope and the cart (*cart: caller aba_cart_free()s; o's
 * arena: caller releases).  Errors name the order. */
int aba_order_prep_parse(const json_t *order, struct aba_order_in *o, struct aba_cart **cart,
			 struct aba_err *err);

/* Evaluates the cart at level ("" for none) with its multiplier. */
int aba_order_prep_evaluate(const struct aba_cart *cart, const struct aba_program_set *programs,
			    const char *level, int64_t multiplier, const struct aba_order_in *o,
			    struct aba_promo_result *r, struct aba_order_eval *ev,
			    struct aba_err *err);

/* Fills out from a posting's result document (out takes the reference). */
void aba_order_prep_read_result(json_t *res, struct aba_order_result *out);

#endif
