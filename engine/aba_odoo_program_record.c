/* aba_odoo_program_record.c - one loyalty.program, loyalty.rule or
 * loyalty.reward record, read as Odoo 16/17 writes it, into the figures of
 * aba's program JSON (DESIGN.md "Promotions and discounts").
 *
 * A field that is absent takes Odoo's default (an export may leave fields
 * out; a record in Odoo always has them).  Fields aba cannot honour are
 * refused here, naming the field, rather than dropped: a rule limited to a
 * product category or tag, a domain, a program limited to some shops or
 * pricelists would otherwise give discounts Odoo never gave.  Fields that
 * change nothing aba computes (company, currency, portal texts, mail
 * templates, ...) are ignored.
 */
#include "aba_odoo_record.h"

#include <stdio.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_jp.h"
#include "aba_program.h"
#include "aba_round.h"

#define MAX_QTY INT64_C(1000000)
/* 1,000,000 points per unit of whatever a rule counts (aba_program.c). */
#define MAX_POINT_AMOUNT (MAX_QTY * ABA_POINT_SCALE)

/* Whether a number's text has a non-zero digit before any exponent. */
static int nonzero(const char *s)
{
	for (; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '1' && *s <= '9')
			return 1;
	return 0;
}

/* A non-negative number rounded half away from zero to places (from the
 * digits Odoo printed); def when empty.  A value that is not zero but
 * rounds to zero is refused: it would turn a reward into nothing. */
static int get_decimal(const json_t *raw, const char *key, int places, int64_t max, int64_t def,
		       int64_t *out, struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key);
	const char *s = json_string_value(v);

	*out = def;
	if (aba_odoo_record_empty(v))
		return 0;
	if (!s)
		return aba_fail(err, ABA_INPUT, "%s: expected a number", key);
	if (aba_decimal_round(s, places, max, key, out, err))
		return -1;
	if (*out < 0 || (*s == '-' && nonzero(s)))
		return aba_fail(err, ABA_INPUT, "%s: %.40s must not be negative", key, s);
	if (*out == 0 && nonzero(s))
		return aba_fail(err, ABA_INPUT, "%s: %.40s rounds to 0 at %d decimal places", key,
				s, places);
	return 0;
}

/* A whole number in [min, max]; def when empty. */
static int get_int(const json_t *raw, const char *key, int64_t min, int64_t max, int64_t def,
		   int64_t *out, struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key);
	const char *s = json_string_value(v);

	*out = def;
	if (aba_odoo_record_empty(v))
		return 0;
	if (!s || aba_decimal_parse(s, 0, max, key, out, err))
		return aba_fail(err, ABA_INPUT, "%s: expected a whole number", key);
	if (*out < min)
		return aba_fail(err, ABA_INPUT, "%s: must be at least %lld", key, (long long)min);
	return 0;
}

/* One of names (NULL-terminated); def when empty.  *out is the name. */
static int get_choice(const json_t *raw, const char *key, const char *const *names,
		      const char *def, const char **out, struct aba_err *err)
{
	const char *s;

	if (aba_odoo_record_text(raw, key, 0, 64, &s, err))
		return -1;
	*out = s ? s : def;
	for (const char *const *n = names; *n; n++)
		if (strcmp(*n, *out) == 0)
			return 0;
	return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not one aba can import", key, *out);
}

/* A many2many: a list of ids, as a JSON array of aba product ids (the
 * Odoo id's digits); an empty list when empty. */
static int get_ids(const json_t *raw, const char *key, json_t **out, struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key), *x;
	size_t i;

	if (!(*out = json_array()))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (aba_odoo_record_empty(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > ABA_JP_LIST_MAX)
		return aba_fail(err, ABA_INPUT, "%s: expected a list of at most %d ids", key,
				ABA_JP_LIST_MAX);
	json_array_foreach(v, i, x) {
		char text[24];
		int64_t id;

		if (aba_odoo_record_parse_id(x, key, &id, err))
			return -1;
		snprintf(text, sizeof(text), "%lld", (long long)id);
		json_array_append_new(*out, json_string(text));
	}
	return 0;
}

/* A field whose value aba cannot honour must be empty (or "[]", Odoo's
 * empty domain). */
static int must_be_empty(const json_t *raw, const char *key, const char *why,
			 struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key);
	const char *s = json_string_value(v);

	if (aba_odoo_record_empty(v) || (json_is_array(v) && json_array_size(v) == 0) ||
	    (s && strcmp(s, "[]") == 0))
		return 0;
	return aba_fail(err, ABA_INPUT, "%s: %s", key, why);
}

/* The many2one every rule and reward has. */
static int get_program(const json_t *raw, json_t *o, struct aba_err *err)
{
	int64_t id;
	const char *name;
	int active;

	if (aba_odoo_record_m2o(raw, "program_id", &id, &name, err) ||
	    aba_jp_bool(raw, "", "active", 1, &active, err))
		return -1;
	if (!id)
		return aba_fail(err, ABA_INPUT, "program_id: missing");
	json_object_set_new(o, "program", json_integer(id));
	json_object_set_new(o, "active", json_boolean(active));
	return 0;
}

static int program_limits(const json_t *raw, struct aba_err *err)
{
	int limited;

	if (aba_jp_bool(raw, "", "limit_usage", 0, &limited, err))
		return -1;
	if (limited)
		return aba_fail(err, ABA_INPUT, "limit_usage: a limit on how often a program is "
				"used cannot be honoured");
	return must_be_empty(raw, "pricelist_ids", "programs limited to pricelists cannot be "
			     "honoured", err) ||
	       must_be_empty(raw, "pos_config_ids", "programs limited to some points of sale "
			     "cannot be honoured", err);
}

int aba_odoo_record_program(const json_t *raw, json_t *o, struct aba_err *err)
{
	static const char *const types[] = { "promotion", "buy_x_get_y", "coupons", "promo_code",
					     "next_order_coupons", "loyalty", "gift_card",
					     "ewallet", NULL };
	static const char *const triggers[] = { "auto", "with_code", NULL };
	static const char *const applies[] = { "current", "both", "future", NULL };
	const char *name, *type, *trigger, *on, *from, *to;
	json_t *rule_ids = NULL, *reward_ids = NULL, *head;
	int64_t sequence;
	int active;

	if (aba_odoo_record_text(raw, "name", 1, 200, &name, err) ||
	    get_choice(raw, "program_type", types, "promotion", &type, err))
		return -1;
	if (strcmp(type, "gift_card") == 0 || strcmp(type, "ewallet") == 0)
		return aba_fail(err, ABA_INPUT, "program_type: '%s' holds prepaid money, not points "
				"or discounts: aba cannot import it", type);
	if (get_choice(raw, "trigger", triggers, "auto", &trigger, err) ||
	    get_choice(raw, "applies_on", applies,
		       strcmp(type, "loyalty") == 0 ? "both" :
		       strcmp(type, "next_order_coupons") == 0 ? "future" : "current", &on, err) ||
	    get_int(raw, "sequence", -1000000000, 1000000000, 10, &sequence, err) ||
	    aba_jp_bool(raw, "", "active", 1, &active, err) ||
	    aba_odoo_record_date(raw, "date_from", &from, err) ||
	    aba_odoo_record_date(raw, "date_to", &to, err) || program_limits(raw, err))
		return -1;
	if (strcmp(on, "future") == 0)
		return aba_fail(err, ABA_INPUT, "applies_on: 'future' programs give coupons for a "
				"later order: aba cannot import them");
	if ((json_object_get(raw, "rule_ids") && get_ids(raw, "rule_ids", &rule_ids, err)) ||
	    (json_object_get(raw, "reward_ids") && get_ids(raw, "reward_ids", &reward_ids, err))) {
		json_decref(rule_ids);
		json_decref(reward_ids);
		return -1;
	}
	/* o? steals the lists, which are NULL when the export left them out. */
	head = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s?, s:s?, s:o?, s:o?}", "name", name,
			 "program_type", type, "trigger", trigger, "applies_on", on,
			 "sequence", (json_int_t)sequence, "active", active, "date_from", from,
			 "date_to", to, "rule_ids", rule_ids, "reward_ids", reward_ids);
	if (json_object_update_new(o, head))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	return 0;
}

/* Which lines a rule counts: products by id only. */
static int rule_products(const json_t *raw, json_t *o, struct aba_err *err)
{
	json_t *ids;

	if (must_be_empty(raw, "product_category_id", "product categories cannot be expressed: "
			  "aba matches Odoo products by id (list them in product_ids)", err) ||
	    must_be_empty(raw, "product_tag_id", "product tags cannot be expressed: list the "
			  "products in product_ids", err) ||
	    must_be_empty(raw, "product_domain", "a product domain cannot be expressed: list the "
			  "products in product_ids", err))
		return -1;
	if (get_ids(raw, "product_ids", &ids, err)) {
		json_decref(ids);
		return -1;
	}
	json_object_set_new(o, "product_ids", ids);
	return 0;
}

int aba_odoo_record_rule(const json_t *raw, json_t *o, struct aba_err *err)
{
	static const char *const modes[] = { "order", "money", "unit", NULL };
	static const char *const tax_modes[] = { "incl", NULL };
	static const char *const code_modes[] = { "auto", "with_code", NULL };
	const char *mode, *tax, *code, *code_mode;
	int64_t qty, amount, points;

	if (get_program(raw, o, err))
		return -1;
	if (!json_is_true(json_object_get(o, "active")))
		return 0;	/* archived: not part of the program */
	if (get_int(raw, "minimum_qty", 0, MAX_QTY, 1, &qty, err) ||
	    get_decimal(raw, "minimum_amount", 2, ABA_AMOUNT_MAX, 0, &amount, err) ||
	    get_choice(raw, "minimum_amount_tax_mode", tax_modes, "incl", &tax, err) ||
	    get_choice(raw, "reward_point_mode", modes, "order", &mode, err) ||
	    get_decimal(raw, "reward_point_amount", ABA_POINT_PLACES, MAX_POINT_AMOUNT,
			ABA_POINT_SCALE, &points, err) ||
	    aba_odoo_record_text(raw, "code", 0, ABA_JP_ID_MAX, &code, err) ||
	    get_choice(raw, "mode", code_modes, code ? "with_code" : "auto", &code_mode, err) ||
	    rule_products(raw, o, err))
		return -1;
	if (strcmp(code_mode, "with_code") == 0 && !code)
		return aba_fail(err, ABA_INPUT, "mode: with_code but the rule has no code");
	json_object_set_new(o, "minimum_qty", json_integer(qty));
	json_object_set_new(o, "minimum_amount", json_integer(amount));
	json_object_set_new(o, "reward_point_mode", json_string(mode));
	json_object_set_new(o, "reward_point_amount", json_integer(points));
	json_object_set_new(o, "code", code && strcmp(code_mode, "with_code") == 0 ?
			    json_string(code) : json_null());
	return 0;
}

/* discount: percent as basis points (0 < p <= 100), the others as money. */
static int reward_discount(const json_t *raw, json_t *o, struct aba_err *err)
{
	static const char *const modes[] = { "percent", "per_order", "per_point", NULL };
	static const char *const applies[] = { "order", "cheapest", "specific", NULL };
	const char *mode, *appl;
	int64_t discount, max;
	json_t *ids;

	if (get_choice(raw, "discount_mode", modes, "percent", &mode, err) ||
	    get_choice(raw, "discount_applicability", applies, "order", &appl, err) ||
	    get_decimal(raw, "discount", 2, strcmp(mode, "percent") == 0 ? ABA_BP_ONE :
			ABA_AMOUNT_MAX, 0, &discount, err) ||
	    get_decimal(raw, "discount_max_amount", 2, ABA_AMOUNT_MAX, 0, &max, err) ||
	    must_be_empty(raw, "discount_product_category_id", "product categories cannot be "
			  "expressed: list the products in discount_product_ids", err) ||
	    must_be_empty(raw, "discount_product_tag_id", "product tags cannot be expressed: "
			  "list the products in discount_product_ids", err) ||
	    must_be_empty(raw, "discount_product_domain", "a product domain cannot be expressed: "
			  "list the products in discount_product_ids", err))
		return -1;
	if (discount == 0)
		return aba_fail(err, ABA_INPUT, "discount: must be more than 0");
	if (get_ids(raw, "discount_product_ids", &ids, err)) {
		json_decref(ids);
		return -1;
	}
	json_object_set_new(o, "discount", json_integer(discount));
	json_object_set_new(o, "discount_mode", json_string(mode));
	json_object_set_new(o, "discount_applicability", json_string(appl));
	json_object_set_new(o, "discount_product_ids", ids);
	json_object_set_new(o, "discount_max_amount", json_integer(max));
	return 0;
}

/* product: one free product, by id. */
static int reward_product(const json_t *raw, json_t *o, struct aba_err *err)
{
	const char *name;
	int64_t id, qty;
	char text[24];

	if (must_be_empty(raw, "reward_product_tag_id", "a choice among tagged products cannot "
			  "be expressed: name one reward_product_id", err) ||
	    aba_odoo_record_m2o(raw, "reward_product_id", &id, &name, err) ||
	    get_int(raw, "reward_product_qty", 1, MAX_QTY, 1, &qty, err))
		return -1;
	if (!id)
		return aba_fail(err, ABA_INPUT, "reward_product_id: missing");
	snprintf(text, sizeof(text), "%lld", (long long)id);
	json_object_set_new(o, "reward_product_id", json_string(text));
	json_object_set_new(o, "reward_product_qty", json_integer(qty));
	return 0;
}

int aba_odoo_record_reward(const json_t *raw, json_t *o, struct aba_err *err)
{
	const char *type;
	int64_t required;
	int clear;

	if (get_program(raw, o, err))
		return -1;
	if (!json_is_true(json_object_get(o, "active")))
		return 0;	/* archived: not part of the program */
	if (aba_odoo_record_text(raw, "reward_type", 1, 64, &type, err))
		return -1;
	if (strcmp(type, "discount") != 0 && strcmp(type, "product") != 0)
		return aba_fail(err, ABA_INPUT, "reward_type: '%.40s' is not a reward type aba can "
				"import (discount, product)", type);
	if (get_decimal(raw, "required_points", 2, ABA_AMOUNT_MAX, 100, &required, err) ||
	    aba_jp_bool(raw, "", "clear_wallet", 0, &clear, err))
		return -1;
	if (clear)
		return aba_fail(err, ABA_INPUT, "clear_wallet: emptying the card cannot be honoured");
	json_object_set_new(o, "reward_type", json_string(type));
	json_object_set_new(o, "required_points", json_integer(required));
	return strcmp(type, "discount") == 0 ? reward_discount(raw, o, err) :
					       reward_product(raw, o, err);
}
