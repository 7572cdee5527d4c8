/* aba_order_list.h - a card's orders, newest first, as the console's card
 * screen lists them (aba_order_show has one order in full). */
#ifndef ABA_ORDER_LIST_H
#define ABA_ORDER_LIST_H

#include <stdint.h>

#include "aba_err.h"

struct aba_db;

struct aba_order_row {
	char ref[208];
	char at[32];		/* ISO 8601 UTC */
	char level[40];		/* earned at; "" for none */
	char state[20];		/* posted, partially_refunded, refunded */
	int64_t total_base, total_discount, total_net;
	int64_t points_earned, points_redeemed;
};

typedef void (*aba_order_row_fn)(void *arg, const struct aba_order_row *o);

/* At most limit orders of card code, newest first. */
int aba_order_list(struct aba_db *db, const char *code, int limit, aba_order_row_fn fn,
		   void *arg, struct aba_err *err);

#endif
