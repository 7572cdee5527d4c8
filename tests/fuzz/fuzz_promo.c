/* fuzz_promo.c - libFuzzer target: the program and cart parsers and the
 * evaluator, under ASan and UBSan.
 *
 * Input: programs JSON, a NUL byte, cart JSON (without a NUL, the whole
 * input is tried as both).  When both parse, the cart is evaluated and
 * the engine's promises are checked: lines sum exactly to the total, no
 * line below 0 or above its base, applied discounts sum to the total.  A
 * broken promise aborts, which libFuzzer reports like a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_cart.h"
#include "aba_program.h"
#include "aba_promo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct aba_promo_result *r)
{
	int64_t lines = 0, applied = 0;

	for (size_t i = 0; i < r->n_lines; i++) {
		if (r->lines[i].discount < 0 || r->lines[i].discount > r->lines[i].base ||
		    r->lines[i].net != r->lines[i].base - r->lines[i].discount)
			abort();
		lines += r->lines[i].discount;
	}
	for (size_t k = 0; k < r->n_entries; k++)
		if (r->entries[k].reason == ABA_PR_APPLIED)
			applied += r->entries[k].discount;
	if (lines != r->total_discount || applied != r->total_discount || r->points < 0)
		abort();
}

static void evaluate(const struct aba_program_set *set, const struct aba_cart *cart)
{
	struct aba_promo_ctx ctx = {
		.level = cart->level, .codes = cart->codes, .n_codes = cart->n_codes,
		.at = cart->has_at ? cart->at : 1795000000, .multiplier = cart->earn_multiplier,
	};
	struct aba_promo_result *r = aba_promo_result_new();
	struct aba_err err;
	json_t *j;
	char *text;

	if (r && aba_promo_evaluate(cart, set->v, set->n, &ctx, r, &err) == 0) {
		check(r);
		j = aba_promo_result_json(r);
		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		free(text);
		json_decref(j);
	}
	aba_promo_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t psize = nul ? (size_t)(nul - data) : size;
	const char *ctext = nul ? (const char *)nul + 1 : (const char *)data;
	size_t csize = nul ? size - psize - 1 : size;
	json_t *pj = json_loadb((const char *)data, psize, JSON_REJECT_DUPLICATES, NULL);
	json_t *cj = json_loadb(ctext, csize, JSON_REJECT_DUPLICATES, NULL);
	struct aba_program_set *set = NULL;
	struct aba_cart *cart = NULL;
	struct aba_err err;

	if (pj)
		aba_program_set_parse(pj, &set, &err);
	if (cj)
		aba_cart_parse(cj, &cart, &err);
	if (set && cart)
		evaluate(set, cart);
	aba_cart_free(cart);
	aba_program_set_free(set);
	json_decref(pj);
	json_decref(cj);
	return 0;
}
