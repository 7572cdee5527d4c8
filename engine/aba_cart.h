/* aba_cart.h - a shopping cart to evaluate: lines at base prices plus who
 * is buying, when, with which codes.
 *
 *   {"customer": "CARD" | null, "level": "GOLD" | null,
 *    "at": "2026-11-22T10:00:00Z", "codes": ["PROMO10"],
 *    "lines": [{"product": "SKU-1", "qty": 2, "unit_price": "15000.00",
 *               "categories": ["shoes"]}],
 *    "points_to_spend": "0", "earn_multiplier": "1.5"}
 *
 * qty is a whole number of units (1..1,000,000); prices are hundredths.
 * earn_multiplier (optional) is the level's earn multiplier when the caller
 * has no membership data at hand.
 */
#ifndef ABA_CART_H
#define ABA_CART_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_arena.h"
#include "aba_err.h"
#include "aba_pid.h"

#define ABA_CART_LINES_MAX 1000

struct aba_cart_line {
	struct aba_pid product;
	int64_t qty;
	int64_t unit_price;		/* hundredths */
	int64_t base;			/* qty * unit_price */
	struct aba_pid_list categories;
};

struct aba_cart {
	const char *customer;		/* NULL when anonymous */
	const char *level;		/* NULL when none */
	int has_at;
	int64_t at;
	const char *const *codes;
	size_t n_codes;
	const struct aba_cart_line *lines;
	size_t n_lines;
	int64_t total_base;		/* sum of line bases, <= ABA_AMOUNT_MAX */
	int64_t points_to_spend;	/* hundredths of a point */
	int64_t earn_multiplier;	/* basis points; 0 when not given */
	struct aba_arena arena;
};

int aba_cart_parse(const json_t *j, struct aba_cart **out, struct aba_err *err);
void aba_cart_free(struct aba_cart *cart);

#endif
