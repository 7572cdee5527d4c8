/* aba_promo.h - what a cart gets: discounts, free items and points.
 *
 * A pure function of (cart, programs, level, codes, time): no I/O, no
 * globals, integer arithmetic only, the same answer every time.  It fixes
 * the old system's defects 4 and 5 (DESIGN.md "Promotions and discounts"):
 *
 *  - Programs are visited once, in ascending sequence then id.
 *  - Every discount is computed from base amounts (qty x unit price), never
 *    from a price another program already reduced.
 *  - A reward's discount is spread over its lines by largest remainder
 *    (aba_spread), so the lines sum exactly to it; no line's discount ever
 *    exceeds its base.  What does not fit is cut and the program says
 *    "capped"; a program cut to nothing is rejected as capped_to_zero.
 *  - When exclusive programs are eligible the result is the best for the
 *    customer (largest total discount) of {all combinable programs
 *    together, each exclusive program alone}; ties go to the lower sequence.
 *  - A program with several rewards applies the one giving the largest
 *    discount (ties: the first listed).
 *
 * The result is reusable: evaluate into the same result again and again
 * and it allocates only when a cart or program list is bigger than before.
 */
#ifndef ABA_PROMO_H
#define ABA_PROMO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_cart.h"
#include "aba_err.h"
#include "aba_program.h"

#define ABA_PROMO_REASONS(X) \
	X(APPLIED, "applied") X(INACTIVE, "inactive") X(NOT_STARTED, "not_started") \
	X(EXPIRED, "expired") X(CODE_MISSING, "code_missing") X(LEVEL, "level") \
	X(MINIMUM_NOT_MET, "minimum_not_met") X(NO_ELIGIBLE_LINES, "no_eligible_lines") \
	X(LOST_TO_EXCLUSIVE, "lost_to_exclusive") X(CAPPED_TO_ZERO, "capped_to_zero")

#define ABA_PR_ITEM(NAME, name) ABA_PR_##NAME,
enum aba_promo_reason { ABA_PROMO_REASONS(ABA_PR_ITEM) ABA_PR_COUNT };
#undef ABA_PR_ITEM

/* Why a program gave less than its reward's figure (bit flags). */
#define ABA_PROMO_CAP_MAX 1	/* discount_max_amount */
#define ABA_PROMO_CAP_LINES 2	/* the lines had less left than that */

/* Who is buying, when: the caller merges the cart's fields and its own. */
struct aba_promo_ctx {
	const char *level;		/* membership level code, NULL for none */
	const char *const *codes;	/* promo/coupon codes entered */
	size_t n_codes;
	int64_t at;			/* evaluation time, epoch seconds */
	int64_t multiplier;		/* level earn multiplier, bp; 0 means 1x */
};

struct aba_promo_line {
	int64_t base, discount, net;
	int64_t free_units;		/* units given free by product rewards */
};

struct aba_promo_free_item {
	const struct aba_pid *product;
	int64_t qty;
};

/* One program's outcome. */
struct aba_promo_entry {
	const struct aba_program *program;
	enum aba_promo_reason reason;
	const struct aba_reward *reward;	/* applied or tried; NULL if none */
	const struct aba_rule *rule;		/* the rule that matched (or failed) */
	int64_t discount;		/* given */
	int64_t computed;		/* the reward's figure before any cap */
	int caps;			/* ABA_PROMO_CAP_* */
	int64_t free_units;		/* free units discounted in the cart */
	int64_t missing_units;		/* free units still to add */
	int64_t units;			/* special_price: units; special_set: sets */
	size_t line;			/* cheapest: the line discounted */
	int64_t points_spent;		/* per_point rewards */
	int64_t points;			/* points it earns, hundredths (display) */
	int64_t have_qty, have_amount;	/* what matched its rule */
	int64_t own_total;		/* lost_to_exclusive: its side's discount */
	int64_t rival_total;		/* ... and the winning side's */
	const struct aba_program *rival;	/* the winning exclusive; NULL: the
						 * combinable programs won */
	int gate_passed;		/* passed dates, code, level, rules */
};

struct aba_promo_scratch;

struct aba_promo_result {
	const struct aba_cart *cart;
	const char *level;
	struct aba_promo_line *lines;	/* one per cart line */
	size_t n_lines;
	struct aba_promo_entry *entries;	/* every program, in evaluation order */
	size_t n_entries;
	const struct aba_promo_free_item *free_items;
	size_t n_free_items;
	int64_t total_base, total_discount, total_net;
	int64_t points;			/* to earn, hundredths, floored */
	struct aba_promo_scratch *scratch;
};

struct aba_promo_result *aba_promo_result_new(void);
void aba_promo_result_free(struct aba_promo_result *r);

/* Fills r.  Fails only when out of memory or when the points to earn do
 * not fit ABA_AMOUNT_MAX.  r keeps pointers into cart and programs. */
int aba_promo_evaluate(const struct aba_cart *cart, const struct aba_program *programs,
		       size_t n, const struct aba_promo_ctx *ctx,
		       struct aba_promo_result *r, struct aba_err *err);

const char *aba_promo_reason_name(enum aba_promo_reason reason);

/* One line saying why e applied or not: "10% off the order (minimum
 * 100000.00 reached)".  Returns buf. */
char *aba_promo_explain(const struct aba_promo_result *r, const struct aba_promo_entry *e,
			char *buf, size_t size);

/* The result as the JSON of `aba simulate --json` (caller json_decref()s);
 * NULL when out of memory. */
json_t *aba_promo_result_json(const struct aba_promo_result *r);

#endif
