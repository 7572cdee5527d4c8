/* aba_cart.c - carts from JSON, every line priced and bounded. */
#include "aba_cart.h"

#include <stdlib.h>

#include "aba_amount.h"
#include "aba_jp.h"

static const char *const cart_keys[] = {
	"customer", "level", "at", "codes", "lines", "points_to_spend", "earn_multiplier",
	NULL
};
static const char *const line_keys[] = {
	"product", "qty", "unit_price", "categories", NULL
};

#define MAX_QTY INT64_C(1000000)
/* A multiplier of at most 100x. */
#define MAX_MULTIPLIER INT64_C(1000000)

static int parse_line(const json_t *j, const char *path, struct aba_arena *a,
		      struct aba_cart_line *l, struct aba_err *err)
{
	const char *product;

	if (aba_jp_object(j, path, line_keys, err) ||
	    aba_jp_string(j, path, "product", 1, ABA_JP_ID_MAX, a, &product, err) ||
	    aba_jp_int(j, path, "qty", 1, MAX_QTY, ABA_JP_REQUIRED, &l->qty, err) ||
	    aba_jp_decimal(j, path, "unit_price", 2, ABA_AMOUNT_MAX, ABA_JP_REQUIRED,
			   &l->unit_price, err) ||
	    aba_jp_pids(j, path, "categories", a, &l->categories, err))
		return -1;
	l->product.s = product;
	l->product.h = aba_pid_hash(product);
	if (l->unit_price > ABA_AMOUNT_MAX / l->qty)
		return aba_fail(err, ABA_INPUT, "%s: qty x unit_price is too large", path);
	l->base = l->qty * l->unit_price;
	return 0;
}

static int parse_lines(const json_t *j, struct aba_cart *c, struct aba_err *err)
{
	const json_t *v = json_object_get(j, "lines");
	struct aba_cart_line *lines;
	char path[ABA_JP_PATH];

	if (!json_is_array(v))
		return aba_fail(err, ABA_INPUT, "lines: expected an array");
	if (json_array_size(v) > ABA_CART_LINES_MAX)
		return aba_fail(err, ABA_INPUT, "lines: more than %d lines", ABA_CART_LINES_MAX);
	c->n_lines = json_array_size(v);
	if (c->n_lines == 0)
		return 0;
	lines = aba_arena_calloc(&c->arena, c->n_lines, sizeof(*lines));
	if (!lines)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (size_t i = 0; i < c->n_lines; i++) {
		aba_jp_path_index(path, "", "lines", i);
		if (parse_line(json_array_get(v, i), path, &c->arena, &lines[i], err))
			return -1;
		if (lines[i].base > ABA_AMOUNT_MAX - c->total_base)
			return aba_fail(err, ABA_INPUT, "lines: the cart's total is too large");
		c->total_base += lines[i].base;
	}
	c->lines = lines;
	return 0;
}

static int parse_cart(const json_t *j, struct aba_cart *c, struct aba_err *err)
{
	int date_only;

	return aba_jp_object(j, "", cart_keys, err) ||
	       aba_jp_string(j, "", "customer", 0, ABA_JP_ID_MAX, &c->arena, &c->customer,
			     err) ||
	       aba_jp_string(j, "", "level", 0, ABA_JP_ID_MAX, &c->arena, &c->level, err) ||
	       aba_jp_time(j, "", "at", &c->has_at, &c->at, &date_only, err) ||
	       aba_jp_strings(j, "", "codes", &c->arena, &c->codes, &c->n_codes, err) ||
	       aba_jp_decimal(j, "", "points_to_spend", 2, ABA_AMOUNT_MAX, 0,
			      &c->points_to_spend, err) ||
	       aba_jp_decimal(j, "", "earn_multiplier", 4, MAX_MULTIPLIER, 0,
			      &c->earn_multiplier, err) ||
	       parse_lines(j, c, err) ? -1 : 0;
}

int aba_cart_parse(const json_t *j, struct aba_cart **out, struct aba_err *err)
{
	struct aba_cart *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (parse_cart(j, c, err)) {
		aba_cart_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void aba_cart_free(struct aba_cart *cart)
{
	if (!cart)
		return;
	aba_arena_release(&cart->arena);
	free(cart);
}
