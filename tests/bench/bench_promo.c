/* bench_promo.c - how many carts per second aba_promo_evaluate handles on
 * one core: carts of 10 lines against 50 programs of every type.
 *
 *   bench_promo [SECONDS]      (default 3)
 *
 * Not a test: it prints a figure.  Build with -DCMAKE_BUILD_TYPE=Release
 * for a figure worth quoting.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "aba_cart.h"
#include "aba_program.h"
#include "aba_promo.h"

#define N_PROGRAMS 50
#define N_LINES 10
#define N_CARTS 1024
#define N_PRODUCTS 40

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static const char *product(uint64_t *s, char *buf)
{
	snprintf(buf, 16, "SKU-%d", (int)(rnd(s) % N_PRODUCTS));
	return buf;
}

/* One reward of each kind in turn.  Programs are for every level except
 * one in five (for SILVER, which the GOLD carts fail), so most reach their
 * rules and rewards. */
static json_t *reward(uint64_t *s, int i)
{
	char p[16], q[16];

	switch (i % 8) {
	case 0:
		return json_pack("{s:s, s:s}", "reward_type", "discount", "discount", "10");
	case 1:
		return json_pack("{s:s, s:s, s:s, s:[s,s,s]}", "reward_type", "discount",
				 "discount", "15", "discount_applicability", "specific",
				 "discount_product_ids", product(s, p), product(s, q), "SKU-1");
	case 2:
		return json_pack("{s:s, s:s, s:s}", "reward_type", "discount", "discount",
				 "5000", "discount_mode", "per_order");
	case 3:
		return json_pack("{s:s, s:s, s:[s]}", "reward_type", "special_price",
				 "special_price", "900", "discount_product_ids", product(s, p));
	case 4:
		return json_pack("{s:s, s:s, s:i}", "reward_type", "product",
				 "reward_product_id", product(s, p), "reward_product_qty", 1);
	case 5:
		return json_pack("{s:s, s:[s,s]}", "reward_type", "multiple_discount",
				 "discount", "10", "5");
	case 6:
		return json_pack("{s:s, s:[{s:s, s:i}, {s:s, s:i}], s:s}", "reward_type",
				 "special_set", "set_items", "product", product(s, p), "qty", 1,
				 "product", product(s, q), "qty", 2, "set_price", "2500");
	default:
		return json_pack("{s:s, s:s}", "reward_type", "point", "reward_point_amount", "25");
	}
}

static json_t *programs(uint64_t *s)
{
	json_t *a = json_array();

	for (int i = 0; i < N_PROGRAMS; i++) {
		char id[16], p[16];

		snprintf(id, sizeof(id), "P%02d", i);
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:i, s:s, s:o, s:[{s:i, s:s, s:[s], s:s, s:s}], s:[o]}",
			"id", id, "program_type", i % 8 == 4 ? "buy_x_get_y" : "promotion",
			"sequence", i, "stacking", i % 10 == 9 ? "exclusive" : "combine",
			"membership_levels", i % 5 == 0 ? json_pack("[s]", "SILVER") : json_array(),
			"rules", "minimum_qty", 1 + i % 3, "minimum_amount", i % 2 ? "0" : "500.00",
			"product_ids", i % 3 ? product(s, p) : "SKU-2", "reward_point_mode", "money",
			"reward_point_amount", "0.01", "rewards", reward(s, i)));
	}
	return a;
}

static struct aba_cart *cart(uint64_t *s)
{
	json_t *lines = json_array(), *c;
	struct aba_cart *out;
	struct aba_err err;

	for (int i = 0; i < N_LINES; i++) {
		char p[16], price[32];

		snprintf(price, sizeof(price), "%d.%02d", (int)(rnd(s) % 5000), (int)(rnd(s) % 100));
		json_array_append_new(lines, json_pack("{s:s, s:i, s:s, s:[s]}", "product",
				      product(s, p), "qty", (int)(1 + rnd(s) % 6), "unit_price", price,
				      "categories", "general"));
	}
	c = json_pack("{s:s, s:o}", "level", "GOLD", "lines", lines);
	if (aba_cart_parse(c, &out, &err)) {
		fprintf(stderr, "bench_promo: cart: %s\n", err.msg);
		exit(1);
	}
	json_decref(c);
	return out;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int64_t seconds = argc > 1 ? atoi(argv[1]) : 3, start, cpu0, elapsed, cpu, done = 0;
	int64_t sum = 0;
	uint64_t seed = 42;
	json_t *pj = programs(&seed);
	struct aba_program_set *set;
	struct aba_cart *carts[N_CARTS];
	struct aba_promo_result *res = aba_promo_result_new();
	struct aba_promo_ctx ctx = { .level = "GOLD", .at = 1795000000 };
	struct aba_err err;

	if (seconds < 1 || aba_program_set_parse(pj, &set, &err)) {
		fprintf(stderr, "bench_promo: %s\n", seconds < 1 ? "bad SECONDS" : err.msg);
		return 1;
	}
	for (int i = 0; i < N_CARTS; i++)
		carts[i] = cart(&seed);
	start = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	do {
		for (int i = 0; i < N_CARTS; i++) {
			if (aba_promo_evaluate(carts[i], set->v, set->n, &ctx, res, &err)) {
				fprintf(stderr, "bench_promo: %s\n", err.msg);
				return 1;
			}
			sum += res->total_discount;
		}
		done += N_CARTS;
		elapsed = now_ns(CLOCK_MONOTONIC) - start;
	} while (elapsed < seconds * 1000000000);
	cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	/* CPU time is the figure: on a busy machine wall time counts others. */
	printf("%lld carts of %d lines against %d programs: %lld carts/s of CPU time "
	       "(%lld ms CPU, %lld ms wall: %lld carts/s wall; checksum %lld)\n",
	       (long long)done, N_LINES, N_PROGRAMS, (long long)(done * 1000000000 / cpu),
	       (long long)(cpu / 1000000), (long long)(elapsed / 1000000),
	       (long long)(done * 1000000000 / elapsed), (long long)(sum / (done / N_CARTS)));
	for (int i = 0; i < N_CARTS; i++)
		aba_cart_free(carts[i]);
	aba_promo_result_free(res);
	aba_program_set_free(set);
	json_decref(pj);
	return 0;
}
