/* aba_program.c - programs from JSON, checked field by field. */
#include "aba_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_jp.h"

#define NAME_ITEM(NAME, name) name,
static const char *const program_types[] = { ABA_PROGRAM_TYPES(NAME_ITEM) };
static const char *const reward_types[] = { ABA_REWARD_TYPES(NAME_ITEM) };
#undef NAME_ITEM
static const char *const triggers[] = { "auto", "with_code" };
static const char *const stackings[] = { "combine", "exclusive" };
static const char *const point_modes[] = { "order", "money", "unit" };
static const char *const discount_modes[] = { "percent", "per_order", "per_point" };
static const char *const applicabilities[] = { "order", "cheapest", "specific" };

static const char *const program_keys[] = {
	"id", "name", "program_type", "trigger", "code", "sequence", "stacking",
	"active", "date_from", "date_to", "membership_levels", "point_validity_days",
	"rules", "rewards", NULL
};
static const char *const rule_keys[] = {
	"minimum_qty", "minimum_amount", "product_ids", "product_category_ids",
	"reward_point_mode", "reward_point_amount", NULL
};
static const char *const reward_keys[] = {
	"reward_type", "discount", "discount_mode", "discount_applicability",
	"discount_product_ids", "discount_product_category_ids", "discount_max_amount",
	"reward_product_id", "reward_product_qty", "special_price", "set_items",
	"set_price", "reward_point_amount", NULL
};
static const char *const set_item_keys[] = { "product", "qty", NULL };

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MAX_QTY INT64_C(1000000)
/* 1,000,000 points per unit of whatever the mode counts. */
#define MAX_POINT_AMOUNT (MAX_QTY * ABA_POINT_SCALE)

const char *aba_program_type_name(enum aba_program_type t)
{
	return t < ABA_PT_COUNT ? program_types[t] : "?";
}

const char *aba_reward_type_name(enum aba_reward_type t)
{
	return t < ABA_RT_COUNT ? reward_types[t] : "?";
}

static int nomem(struct aba_err *err)
{
	return aba_fail(err, ABA_NOMEM, "out of memory");
}

static int parse_rule(const json_t *j, const char *path, enum aba_program_type type,
		      struct aba_arena *a, struct aba_rule *r, struct aba_err *err)
{
	int mode;

	if (aba_jp_object(j, path, rule_keys, err) ||
	    aba_jp_int(j, path, "minimum_qty", 0, MAX_QTY, 0, &r->minimum_qty, err) ||
	    aba_jp_decimal(j, path, "minimum_amount", 2, ABA_AMOUNT_MAX, 0,
			   &r->minimum_amount, err) ||
	    aba_jp_pids(j, path, "product_ids", a, &r->filter.products, err) ||
	    aba_jp_pids(j, path, "product_category_ids", a, &r->filter.categories, err) ||
	    aba_jp_enum(j, path, "reward_point_mode", point_modes, COUNT(point_modes),
			ABA_POINTS_ORDER, &mode, err) ||
	    aba_jp_decimal(j, path, "reward_point_amount", ABA_POINT_PLACES,
			   MAX_POINT_AMOUNT, 0, &r->point_amount, err))
		return -1;
	r->point_mode = mode;
	if (type == ABA_PT_BUY_X_GET_Y && r->minimum_qty < 1)
		return aba_fail(err, ABA_INPUT, "%s%sminimum_qty: buy_x_get_y needs at least 1 "
				"unit to buy", path, *path ? "." : "");
	return 0;
}

/* multiple_discount: "discount" is a list of cascaded percents. */
static int parse_cascade(const json_t *j, const char *path, struct aba_reward *r,
			 struct aba_err *err)
{
	const json_t *v = json_object_get(j, "discount");
	char p[ABA_JP_PATH];

	aba_jp_path(p, path, "discount");
	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > ABA_CASCADE_MAX)
		return aba_fail(err, ABA_INPUT, "%s: expected a list of 1 to %d percents",
				p, ABA_CASCADE_MAX);
	for (size_t i = 0; i < json_array_size(v); i++) {
		aba_jp_path_index(p, path, "discount", i);
		if (aba_jp_decimal_value(json_array_get(v, i), p, 2, ABA_BP_ONE,
					 &r->cascade[i], err))
			return -1;
	}
	r->n_cascade = (int)json_array_size(v);
	return 0;
}

static int parse_discount(const json_t *j, const char *path, struct aba_reward *r,
			  struct aba_err *err)
{
	int mode, appl;

	if (aba_jp_enum(j, path, "discount_mode", discount_modes, COUNT(discount_modes),
			ABA_DISC_PERCENT, &mode, err) ||
	    aba_jp_enum(j, path, "discount_applicability", applicabilities,
			COUNT(applicabilities), ABA_APPLY_ORDER, &appl, err))
		return -1;
	r->mode = mode;
	r->applicability = appl;
	if (r->type == ABA_RT_MULTIPLE_DISCOUNT) {
		char p[ABA_JP_PATH];

		aba_jp_path(p, path, "discount_mode");
		if (r->mode != ABA_DISC_PERCENT)
			return aba_fail(err, ABA_INPUT, "%s: multiple_discount takes percents", p);
		return parse_cascade(j, path, r, err);
	}
	return aba_jp_decimal(j, path, "discount", 2,
			      r->mode == ABA_DISC_PERCENT ? ABA_BP_ONE : ABA_AMOUNT_MAX,
			      ABA_JP_REQUIRED, &r->discount, err);
}

static int parse_set_items(const json_t *j, const char *path, struct aba_arena *a,
			   struct aba_reward *r, struct aba_err *err)
{
	const json_t *v = json_object_get(j, "set_items");
	struct aba_set_item *items;
	char p[ABA_JP_PATH];

	aba_jp_path(p, path, "set_items");
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 100)
		return aba_fail(err, ABA_INPUT, "%s: expected a list of 1 to 100 items", p);
	items = aba_arena_calloc(a, json_array_size(v), sizeof(*items));
	if (!items)
		return nomem(err);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *it = json_array_get(v, i);
		const char *prod;

		aba_jp_path_index(p, path, "set_items", i);
		if (aba_jp_object(it, p, set_item_keys, err) ||
		    aba_jp_string(it, p, "product", 1, ABA_JP_ID_MAX, a, &prod, err) ||
		    aba_jp_int(it, p, "qty", 1, MAX_QTY, 1, &items[i].qty, err))
			return -1;
		items[i].product.s = prod;
		items[i].product.h = aba_pid_hash(prod);
	}
	r->set_items = items;
	r->n_set_items = json_array_size(v);
	return aba_jp_decimal(j, path, "set_price", 2, ABA_AMOUNT_MAX, ABA_JP_REQUIRED,
			      &r->set_price, err);
}

static int parse_free_product(const json_t *j, const char *path, struct aba_arena *a,
			      struct aba_reward *r, struct aba_err *err)
{
	const char *prod;

	if (aba_jp_string(j, path, "reward_product_id", 1, ABA_JP_ID_MAX, a, &prod, err) ||
	    aba_jp_int(j, path, "reward_product_qty", 1, MAX_QTY, 1, &r->product_qty, err))
		return -1;
	r->product.s = prod;
	r->product.h = aba_pid_hash(prod);
	return 0;
}

/* The fields that only some reward types use. */
static int parse_reward_kind(const json_t *j, const char *path, struct aba_arena *a,
			     struct aba_reward *r, struct aba_err *err)
{
	char p[ABA_JP_PATH];

	switch (r->type) {
	case ABA_RT_DISCOUNT:
	case ABA_RT_MULTIPLE_DISCOUNT:
		return parse_discount(j, path, r, err);
	case ABA_RT_PRODUCT:
		return parse_free_product(j, path, a, r, err);
	case ABA_RT_SPECIAL_PRICE:
		aba_jp_path(p, path, "discount_product_ids");
		if (aba_filter_is_empty(&r->filter))
			return aba_fail(err, ABA_INPUT, "%s: special_price needs the products "
					"it prices", p);
		return aba_jp_decimal(j, path, "special_price", 2, ABA_AMOUNT_MAX,
				      ABA_JP_REQUIRED, &r->special_price, err);
	case ABA_RT_SPECIAL_SET:
		return parse_set_items(j, path, a, r, err);
	case ABA_RT_POINT:
		if (aba_jp_decimal(j, path, "reward_point_amount", ABA_POINT_PLACES,
				   MAX_POINT_AMOUNT, ABA_JP_REQUIRED, &r->point_amount, err))
			return -1;
		aba_jp_path(p, path, "reward_point_amount");
		return r->point_amount > 0 ? 0 :
			aba_fail(err, ABA_INPUT, "%s: must be more than 0", p);
	default:
		return aba_fail(err, ABA_INPUT, "%s: unknown reward type", path);
	}
}

static int parse_reward(const json_t *j, const char *path, struct aba_arena *a,
			struct aba_reward *r, struct aba_err *err)
{
	int type;

	if (aba_jp_object(j, path, reward_keys, err) ||
	    aba_jp_enum(j, path, "reward_type", reward_types, COUNT(reward_types), -1,
			&type, err) ||
	    aba_jp_pids(j, path, "discount_product_ids", a, &r->filter.products, err) ||
	    aba_jp_pids(j, path, "discount_product_category_ids", a, &r->filter.categories,
			err) ||
	    aba_jp_decimal(j, path, "discount_max_amount", 2, ABA_AMOUNT_MAX, 0,
			   &r->max_amount, err))
		return -1;
	r->type = type;
	return parse_reward_kind(j, path, a, r, err);
}

/* rules or rewards: an array of objects, each parsed by one of the above. */
static int parse_list(const json_t *j, const char *key, size_t size, struct aba_arena *a,
		      void **out, size_t *n, struct aba_err *err)
{
	const json_t *v = json_object_get(j, key);

	*out = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return aba_fail(err, ABA_INPUT, "%s: expected an array", key);
	if (json_array_size(v) > 100)
		return aba_fail(err, ABA_INPUT, "%s: more than 100 entries", key);
	if (json_array_size(v) == 0)
		return 0;
	*out = aba_arena_calloc(a, json_array_size(v), size);
	if (!*out)
		return nomem(err);
	*n = json_array_size(v);
	return 0;
}

static int parse_rules_rewards(const json_t *j, struct aba_arena *a, struct aba_program *p,
			       struct aba_err *err)
{
	struct aba_rule *rules;
	struct aba_reward *rewards;
	char path[ABA_JP_PATH];

	if (parse_list(j, "rules", sizeof(*rules), a, (void **)&rules, &p->n_rules, err) ||
	    parse_list(j, "rewards", sizeof(*rewards), a, (void **)&rewards, &p->n_rewards,
		       err))
		return -1;
	for (size_t i = 0; i < p->n_rules; i++) {
		aba_jp_path_index(path, "", "rules", i);
		if (parse_rule(json_array_get(json_object_get(j, "rules"), i), path, p->type,
			       a, &rules[i], err))
			return -1;
	}
	for (size_t i = 0; i < p->n_rewards; i++) {
		aba_jp_path_index(path, "", "rewards", i);
		if (parse_reward(json_array_get(json_object_get(j, "rewards"), i), path, a,
				 &rewards[i], err))
			return -1;
	}
	p->rules = rules;
	p->rewards = rewards;
	if (p->type == ABA_PT_BUY_X_GET_Y && p->n_rules == 0)
		return aba_fail(err, ABA_INPUT, "rules: buy_x_get_y needs a rule saying how "
				"many units to buy");
	return 0;
}

static int parse_dates(const json_t *j, struct aba_program *p, struct aba_err *err)
{
	int date_only;

	if (aba_jp_time(j, "", "date_from", &p->has_from, &p->date_from, &date_only, err) ||
	    aba_jp_time(j, "", "date_to", &p->has_to, &p->date_to, &date_only, err))
		return -1;
	/* "date_to": "2026-11-30" means through the end of that day. */
	p->date_end = p->date_to + (date_only ? 86400 : 1);
	if (p->has_from && p->has_to && p->date_end <= p->date_from)
		return aba_fail(err, ABA_INPUT, "date_to: before date_from");
	return 0;
}

static int parse_head(const json_t *j, struct aba_arena *a, struct aba_program *p,
		      struct aba_err *err)
{
	int type, trigger, stacking;

	if (aba_jp_string(j, "", "name", 0, 200, a, &p->name, err) ||
	    aba_jp_enum(j, "", "program_type", program_types, COUNT(program_types), -1,
			&type, err) ||
	    aba_jp_enum(j, "", "trigger", triggers, COUNT(triggers), ABA_TRIGGER_AUTO,
			&trigger, err) ||
	    aba_jp_string(j, "", "code", 0, ABA_JP_ID_MAX, a, &p->code, err) ||
	    aba_jp_int(j, "", "sequence", -1000000000, 1000000000, 10, &p->sequence, err) ||
	    aba_jp_enum(j, "", "stacking", stackings, COUNT(stackings), ABA_STACK_COMBINE,
			&stacking, err) ||
	    aba_jp_bool(j, "", "active", 1, &p->active, err) ||
	    aba_jp_strings(j, "", "membership_levels", a, &p->levels, &p->n_levels, err) ||
	    aba_jp_int(j, "", "point_validity_days", 0, 36500, -1, &p->point_validity_days,
		       err))
		return -1;
	p->type = type;
	p->trigger = trigger;
	p->stacking = stacking;
	if (!p->name)
		p->name = p->id;
	if (p->trigger == ABA_TRIGGER_WITH_CODE && !p->code)
		return aba_fail(err, ABA_INPUT, "code: required when trigger is with_code");
	return parse_dates(j, p, err);
}

/* Prefixes err's message with which program it is about. */
static int in_program(const char *which, struct aba_err *err)
{
	size_t w = strlen(which) + 2, room = sizeof(err->msg);

	if (!err || w >= room)
		return -1;
	memmove(err->msg + w, err->msg, room - w);
	err->msg[room - 1] = '\0';
	memcpy(err->msg, which, w - 2);
	memcpy(err->msg + w - 2, ": ", 2);
	return -1;
}

static int parse_program(const json_t *j, size_t index, struct aba_arena *a,
			 struct aba_program *p, struct aba_err *err)
{
	char which[ABA_JP_ID_MAX + 32];

	snprintf(which, sizeof(which), "programs[%zu]", index);
	if (aba_jp_object(j, which, program_keys, err))
		return -1;
	if (aba_jp_string(j, "", "id", 1, ABA_JP_ID_MAX, a, &p->id, err))
		return in_program(which, err);
	snprintf(which, sizeof(which), "program '%s'", p->id);
	if (parse_head(j, a, p, err) || parse_rules_rewards(j, a, p, err))
		return in_program(which, err);
	return 0;
}

static int check_unique(const struct aba_program_set *set, struct aba_err *err)
{
	for (size_t i = 1; i < set->n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(set->v[i].id, set->v[k].id) == 0)
				return aba_fail(err, ABA_INPUT, "programs[%zu]: duplicate "
						"program id '%s'", i, set->v[i].id);
	return 0;
}

int aba_program_set_parse(const json_t *j, struct aba_program_set **out,
			  struct aba_err *err)
{
	struct aba_program_set *set = calloc(1, sizeof(*set));
	size_t n = json_is_array(j) ? json_array_size(j) : 1;

	*out = NULL;
	if (!set)
		return nomem(err);
	if (!json_is_array(j) && !json_is_object(j)) {
		aba_program_set_free(set);
		return aba_fail(err, ABA_INPUT, "programs: expected an array of programs "
				"or one program object");
	}
	set->v = n ? aba_arena_calloc(&set->arena, n, sizeof(*set->v)) : NULL;
	if (n && !set->v) {
		aba_program_set_free(set);
		return nomem(err);
	}
	for (set->n = 0; set->n < n; set->n++)
		if (parse_program(json_is_array(j) ? json_array_get(j, set->n) : j, set->n,
				  &set->arena, &set->v[set->n], err)) {
			aba_program_set_free(set);
			return -1;
		}
	if (check_unique(set, err)) {
		aba_program_set_free(set);
		return -1;
	}
	*out = set;
	return 0;
}

void aba_program_set_free(struct aba_program_set *set)
{
	if (!set)
		return;
	aba_arena_release(&set->arena);
	free(set);
}
