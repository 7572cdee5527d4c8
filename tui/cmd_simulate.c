/* cmd_simulate.c - aba simulate: what a cart would get, and why.
 *
 * With --programs FILE no database is touched, so support staff can try
 * draft programs anywhere; otherwise the active programs come from the
 * database.  The engine does the work; this file reads files, merges the
 * command line into the cart's own fields and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_cart.h"
#include "aba_program.h"
#include "aba_jp.h"
#include "aba_member.h"
#include "aba_program_store.h"
#include "aba_promo.h"
#include "aba_time.h"
#include "cli.h"
#include "commands.h"

#define WORDS "simulate"
#define MAX_CODES 64

struct sim_opts {
	const char *programs;
	const char *level;
	const char *at;
	const char *multiplier;
	const char *codes[MAX_CODES];
	size_t n_codes;
	int json;
};

static int parse_opts(int argc, char **argv, struct sim_opts *o)
{
	static const struct option opts[] = {
		{ "programs", required_argument, NULL, 'p' },
		{ "level", required_argument, NULL, 'l' },
		{ "code", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "multiplier", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'p')
			o->programs = optarg;
		else if (opt == 'l')
			o->level = optarg;
		else if (opt == 'a')
			o->at = optarg;
		else if (opt == 'm')
			o->multiplier = optarg;
		else if (opt == 'j')
			o->json = 1;
		else if (opt == 'c' && o->n_codes < MAX_CODES)
			o->codes[o->n_codes++] = optarg;
		else if (opt == 'c')
			return cli_usage(WORDS, "more than %d codes", MAX_CODES);
		else
			return cli_bad_option(WORDS, argv);
	}
	return cli_expect_args(WORDS, argc, argv, 1);
}


static int load_programs(struct cli *cli, const char *path, struct aba_program_set **out,
			 struct aba_err *err)
{
	struct aba_db *db;
	json_t *j;
	int rc;

	if (!path)
		return (db = cli_db(cli, err)) ? aba_program_store_load(db, out, err) : -1;
	if (!(j = aba_jp_load(path, "programs", err)))
		return -1;
	rc = aba_program_set_parse(j, out, err);
	json_decref(j);
	return rc;
}

static int load_cart(const char *path, struct aba_cart **out, struct aba_err *err)
{
	json_t *j = aba_jp_load(path, "cart", err);
	char msg[sizeof(err->msg)];
	int rc;

	if (!j)
		return -1;
	rc = aba_cart_parse(j, out, err);
	json_decref(j);
	if (rc) {
		memcpy(msg, err->msg, sizeof(msg));
		aba_fail(err, ABA_INPUT, "cart '%.60s': %.180s", path, msg);
	}
	return rc;
}

/* The cart's level, time, codes and multiplier, overridden or extended by
 * the command line.  codes must hold cart codes + option codes. */
static int make_ctx(const struct sim_opts *o, const struct aba_cart *cart,
		    const char **codes, struct aba_promo_ctx *ctx, struct aba_err *err)
{
	ctx->level = o->level ? o->level : cart->level;
	ctx->at = cart->has_at ? cart->at : (int64_t)time(NULL);
	if (o->at && aba_time_parse(o->at, "--at", &ctx->at, err))
		return -1;
	ctx->multiplier = cart->earn_multiplier;
	if (o->multiplier &&
	    aba_decimal_parse(o->multiplier, 4, 1000000, "--multiplier", &ctx->multiplier, err))
		return -1;
	if (o->multiplier && ctx->multiplier < 0)	/* negative points to earn */
		return aba_fail(err, ABA_INPUT, "--multiplier: must not be negative, got '%s'",
				o->multiplier);
	for (size_t i = 0; i < cart->n_codes; i++)
		codes[ctx->n_codes++] = cart->codes[i];
	for (size_t i = 0; i < o->n_codes; i++)
		codes[ctx->n_codes++] = o->codes[i];
	ctx->codes = codes;
	return 0;
}

struct level_find {
	const char *code;
	int64_t multiplier;
};

static void level_row(void *arg, const struct aba_level *l)
{
	struct level_find *f = arg;

	if (strcmp(l->code, f->code) == 0)
		f->multiplier = l->multiplier;
}

/* With the database at hand, membership fills what neither the cart nor
 * the command line said: a card's level valid at the cart's time, and the
 * level's earn multiplier. */
static int member_defaults(struct cli *cli, const struct aba_cart *cart,
			   struct aba_promo_ctx *ctx, char *level, struct aba_err *err)
{
	struct aba_db *db = cli_db(cli, err);
	struct level_find f = { ctx->level, 0 };
	char at[ABA_TIME_BUFSZ];
	int64_t mult = 0;

	if (!db)
		return -1;
	if (!ctx->level && cart->customer) {
		if (aba_member_level_at(db, cart->customer, aba_time_format(ctx->at, at), level,
					&mult, err))
			return -1;
		ctx->level = *level ? level : NULL;
	} else if (ctx->level) {
		if (aba_member_levels(db, level_row, &f, err))
			return -1;
		mult = f.multiplier;
	}
	if (ctx->multiplier == 0)
		ctx->multiplier = mult;
	return 0;
}

static void print_lines(const struct aba_promo_result *r)
{
	char b[3][ABA_AMOUNT_BUFSZ];

	printf("%-4s %-24s %8s %18s %18s %18s\n", "LINE", "PRODUCT", "QTY", "BASE",
	       "DISCOUNT", "NET");
	for (size_t i = 0; i < r->n_lines; i++)
		printf("%-4zu %-24.24s %8lld %18s %18s %18s\n", i + 1,
		       r->cart->lines[i].product.s, (long long)r->cart->lines[i].qty,
		       aba_amount_format_grouped(r->lines[i].base, b[0]),
		       aba_amount_format_grouped(r->lines[i].discount, b[1]),
		       aba_amount_format_grouped(r->lines[i].net, b[2]));
	printf("%-4s %-24s %8s %18s %18s %18s\n", "", "TOTAL", "",
	       aba_amount_format_grouped(r->total_base, b[0]),
	       aba_amount_format_grouped(r->total_discount, b[1]),
	       aba_amount_format_grouped(r->total_net, b[2]));
}

static void print_entries(const struct aba_promo_result *r, int applied)
{
	char why[512], amt[ABA_AMOUNT_BUFSZ];
	int n = 0;

	for (size_t k = 0; k < r->n_entries; k++) {
		const struct aba_promo_entry *e = &r->entries[k];

		if ((e->reason == ABA_PR_APPLIED) != applied)
			continue;
		if (n++ == 0)
			printf("\n%s:\n", applied ? "Applied" : "Not applied");
		aba_promo_explain(r, e, why, sizeof(why));
		if (applied)
			printf("  %-12s %14s  %s\n", e->program->id,
			       aba_amount_format_grouped(e->discount, amt), why);
		else
			printf("  %-12s %-17s %s\n", e->program->id,
			       aba_promo_reason_name(e->reason), why);
	}
}

static void print_table(const struct aba_promo_result *r)
{
	char pts[ABA_AMOUNT_BUFSZ];

	print_lines(r);
	print_entries(r, 1);
	print_entries(r, 0);
	for (size_t i = 0; i < r->n_free_items; i++)
		printf("%s  %s x %lld\n", i ? "" : "\nFree items to add:\n",
		       r->free_items[i].product->s, (long long)r->free_items[i].qty);
	printf("\nPoints to earn: %s\n", aba_amount_format_grouped(r->points, pts));
}

static int print_result(const struct aba_promo_result *r, int as_json, struct aba_err *err)
{
	json_t *j;

	if (!as_json) {
		print_table(r);
		return 0;
	}
	if (!(j = aba_promo_result_json(r)))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(j);
	return 0;
}

int cmd_simulate(struct cli *cli, int argc, char **argv)
{
	struct sim_opts o = { 0 };
	struct aba_program_set *set = NULL;
	struct aba_cart *cart = NULL;
	struct aba_promo_result *res = NULL;
	struct aba_promo_ctx ctx = { 0 };
	const char **codes = NULL;
	char level[ABA_LEVEL_CODE_MAX + 8] = "";
	struct aba_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc;
	rc = -1;
	if (load_cart(argv[optind], &cart, &err) || load_programs(cli, o.programs, &set, &err))
		goto out;
	codes = calloc(cart->n_codes + o.n_codes + 1, sizeof(*codes));
	res = aba_promo_result_new();
	if (!codes || !res) {
		aba_fail(&err, ABA_NOMEM, "out of memory");
		goto out;
	}
	if (make_ctx(&o, cart, codes, &ctx, &err) ||
	    (!o.programs && member_defaults(cli, cart, &ctx, level, &err)) ||
	    aba_promo_evaluate(cart, set->v, set->n, &ctx, res, &err) ||
	    print_result(res, o.json, &err))
		goto out;
	rc = 0;
out:
	aba_promo_result_free(res);
	free(codes);
	aba_cart_free(cart);
	aba_program_set_free(set);
	return rc ? cli_fail(&err) : 0;
}
