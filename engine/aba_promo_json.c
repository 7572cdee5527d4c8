/* aba_promo_json.c - the result as the JSON other tools rely on
 * (`aba simulate --json`): amounts as strings with 2 decimals. */
#include "aba_promo.h"

#include "aba_amount.h"

#define EXPLAIN_BUFSZ 512

/* json_object_set_new that remembers a failure. */
static void put(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (!v || json_object_set_new(obj, key, v))
		*ok = 0;
}

static json_t *amount(int64_t v)
{
	char buf[ABA_AMOUNT_BUFSZ];

	return json_string(aba_amount_format(v, buf));
}

static void append(json_t *arr, json_t *v, int *ok)
{
	if (!v || json_array_append_new(arr, v))
		*ok = 0;
}

static json_t *lines_json(const struct aba_promo_result *r, int *ok)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < r->n_lines; i++) {
		const struct aba_promo_line *l = &r->lines[i];
		json_t *o = json_object();

		if (o) {
			put(o, "product", json_string(r->cart->lines[i].product.s), ok);
			put(o, "qty", json_integer(r->cart->lines[i].qty), ok);
			put(o, "base", amount(l->base), ok);
			put(o, "discount", amount(l->discount), ok);
			put(o, "net", amount(l->net), ok);
		}
		append(arr, o, ok);
	}
	return arr;
}

static json_t *entry_json(const struct aba_promo_result *r, const struct aba_promo_entry *e,
			  int *ok)
{
	char why[EXPLAIN_BUFSZ];
	json_t *o = json_object();

	if (!o)
		return NULL;
	put(o, "program", json_string(e->program->id), ok);
	if (e->reason == ABA_PR_APPLIED) {
		put(o, "reward_type", e->reward ? json_string(aba_reward_type_name(e->reward->type))
			: json_null(), ok);
		put(o, "discount", amount(e->discount), ok);
	} else {
		put(o, "reason", json_string(aba_promo_reason_name(e->reason)), ok);
	}
	put(o, "explanation", json_string(aba_promo_explain(r, e, why, sizeof(why))), ok);
	return o;
}

static json_t *free_items_json(const struct aba_promo_result *r, int *ok)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < r->n_free_items; i++)
		append(arr, json_pack("{s:s, s:I}", "product", r->free_items[i].product->s,
				      "qty", (json_int_t)r->free_items[i].qty), ok);
	return arr;
}

json_t *aba_promo_result_json(const struct aba_promo_result *r)
{
	json_t *o = json_object(), *applied = json_array(), *rejected = json_array();
	int ok = o && applied && rejected;

	for (size_t k = 0; ok && k < r->n_entries; k++)
		append(r->entries[k].reason == ABA_PR_APPLIED ? applied : rejected,
		       entry_json(r, &r->entries[k], &ok), &ok);
	if (o) {
		put(o, "lines", lines_json(r, &ok), &ok);
		put(o, "applied", applied, &ok);
		put(o, "rejected", rejected, &ok);
		put(o, "total_base", amount(r->total_base), &ok);
		put(o, "total_discount", amount(r->total_discount), &ok);
		put(o, "total_net", amount(r->total_net), &ok);
		put(o, "points", amount(r->points), &ok);
		put(o, "free_items_to_add", free_items_json(r, &ok), &ok);
	} else {
		json_decref(applied);
		json_decref(rejected);
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}
