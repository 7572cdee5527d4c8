/* aba_program.h - loyalty and promotion programs, parsed from the JSON of
 * DESIGN.md ("Promotions and discounts"), which keeps Odoo's field names.
 *
 * Money is int64 hundredths, percents are basis points (12.5% -> 1250) and
 * point amounts ("0.001" points per 1.00 spent) are millionths of a point.
 * A parsed set owns everything in one arena; aba_program_set_free frees it.
 */
#ifndef ABA_PROGRAM_H
#define ABA_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_arena.h"
#include "aba_err.h"
#include "aba_pid.h"

/* Point amounts carry 6 decimal places: "0.001" -> 1000. */
#define ABA_POINT_PLACES 6
#define ABA_POINT_SCALE INT64_C(1000000)
/* Percents in basis points: 100% -> 10000. */
#define ABA_BP_ONE INT64_C(10000)
/* multiple_discount takes at most this many cascaded percents. */
#define ABA_CASCADE_MAX 5

#define ABA_PROGRAM_TYPES(X) \
	X(PROMOTION, "promotion") X(BUY_X_GET_Y, "buy_x_get_y") X(COUPONS, "coupons") \
	X(PROMO_CODE, "promo_code") X(REFERRAL, "referral") \
	X(NEXT_ORDER_COUPONS, "next_order_coupons") X(LOYALTY, "loyalty")
#define ABA_REWARD_TYPES(X) \
	X(DISCOUNT, "discount") X(PRODUCT, "product") X(SPECIAL_PRICE, "special_price") \
	X(SPECIAL_SET, "special_set") X(MULTIPLE_DISCOUNT, "multiple_discount") \
	X(POINT, "point")

#define ABA_PT_ITEM(NAME, name) ABA_PT_##NAME,
#define ABA_RT_ITEM(NAME, name) ABA_RT_##NAME,
enum aba_program_type { ABA_PROGRAM_TYPES(ABA_PT_ITEM) ABA_PT_COUNT };
enum aba_reward_type { ABA_REWARD_TYPES(ABA_RT_ITEM) ABA_RT_COUNT };
#undef ABA_PT_ITEM
#undef ABA_RT_ITEM

enum aba_trigger { ABA_TRIGGER_AUTO, ABA_TRIGGER_WITH_CODE };
enum aba_stacking { ABA_STACK_COMBINE, ABA_STACK_EXCLUSIVE };
enum aba_point_mode { ABA_POINTS_ORDER, ABA_POINTS_MONEY, ABA_POINTS_UNIT };
enum aba_discount_mode { ABA_DISC_PERCENT, ABA_DISC_PER_ORDER, ABA_DISC_PER_POINT };
enum aba_applicability { ABA_APPLY_ORDER, ABA_APPLY_CHEAPEST, ABA_APPLY_SPECIFIC };

/* Which cart lines something is about: lines whose product is one of
 * products or that carry one of categories; both empty means every line. */
struct aba_filter {
	struct aba_pid_list products;
	struct aba_pid_list categories;
};

struct aba_rule {
	int64_t minimum_qty;		/* units */
	int64_t minimum_amount;		/* hundredths of base amount */
	struct aba_filter filter;	/* product_ids, product_category_ids */
	enum aba_point_mode point_mode;
	int64_t point_amount;		/* millionths of a point */
};

struct aba_set_item {
	struct aba_pid product;
	int64_t qty;
};

struct aba_reward {
	enum aba_reward_type type;
	enum aba_discount_mode mode;
	enum aba_applicability applicability;
	int64_t discount;		/* percent: bp; per_order, per_point: hundredths */
	int64_t cascade[ABA_CASCADE_MAX];	/* multiple_discount, bp */
	int n_cascade;
	struct aba_filter filter;	/* discount_product_ids, ..._category_ids */
	int64_t max_amount;		/* discount_max_amount; 0 = no cap */
	struct aba_pid product;		/* reward_product_id */
	int64_t product_qty;		/* reward_product_qty */
	int64_t special_price;
	const struct aba_set_item *set_items;
	size_t n_set_items;
	int64_t set_price;
	int64_t point_amount;		/* bonus points, millionths */
};

struct aba_program {
	const char *id;
	const char *name;
	enum aba_program_type type;
	enum aba_trigger trigger;
	const char *code;		/* NULL unless given */
	int64_t sequence;
	enum aba_stacking stacking;
	int active;
	int has_from, has_to;
	int64_t date_from;		/* first second it applies */
	int64_t date_to;		/* as written */
	int64_t date_end;		/* first second it no longer applies */
	const char *const *levels;	/* membership_levels; none = every level */
	size_t n_levels;
	int64_t point_validity_days;	/* -1 = points never expire */
	const struct aba_rule *rules;
	size_t n_rules;
	const struct aba_reward *rewards;
	size_t n_rewards;
};

struct aba_program_set {
	struct aba_program *v;
	size_t n;
	struct aba_arena arena;
};

/* A JSON array of programs, or one program object.  Errors name the program
 * and the field: "program 'P10': rules[0].minimum_amount: ...". */
int aba_program_set_parse(const json_t *j, struct aba_program_set **out,
			  struct aba_err *err);
void aba_program_set_free(struct aba_program_set *set);

static inline int aba_filter_is_empty(const struct aba_filter *f)
{
	return f->products.n == 0 && f->categories.n == 0;
}

/* Whether a cart line (product, categories) passes a filter. */
static inline int aba_filter_match(const struct aba_filter *f, const struct aba_pid *product,
				   const struct aba_pid_list *categories)
{
	if (aba_filter_is_empty(f) || aba_pid_list_has(&f->products, product))
		return 1;
	return f->categories.n && aba_pid_list_meets(&f->categories, categories);
}

const char *aba_program_type_name(enum aba_program_type t);
const char *aba_reward_type_name(enum aba_reward_type t);

#endif
