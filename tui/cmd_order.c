/* cmd_order.c - aba order post|refund|show. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_amount.h"
#include "aba_jp.h"
#include "aba_ledger.h"
#include "aba_order.h"
#include "aba_order_batch.h"
#include "aba_program_store.h"
#include "cli.h"
#include "commands.h"

/* The most units one line of --lines gives back: the cart's bound. */
#define REFUND_QTY_MAX 1000000

static const char *money(int64_t v, char *buf)
{
	return aba_amount_format_grouped(v, buf);
}

static int load_programs(const char *path, struct aba_program_set **out, struct aba_err *err)
{
	json_t *j;
	int rc;

	*out = NULL;
	if (!path)
		return 0;
	if (!(j = aba_jp_load(path, "programs", err)))
		return -1;
	rc = aba_program_set_parse(j, out, err);
	json_decref(j);
	return rc;
}

static void print_fail(void *arg, const char *ref, const struct aba_err *err)
{
	(void)arg;
	(void)ref;	/* the message names the order */
	fprintf(stderr, "aba: %s\n", err->msg);
}

static void print_progress(void *arg, const struct aba_order_totals *t)
{
	(void)arg;
	fprintf(stderr, "\rposting orders: %lld posted, %lld replayed, %lld failed",
		(long long)t->posted, (long long)t->replayed, (long long)t->failed);
}

static void print_totals(const struct aba_order_totals *t)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ];

	printf("%lld posted, %lld already posted (first result kept), %lld failed;"
	       " points earned %s, redeemed %s\n",
	       (long long)t->posted, (long long)t->replayed, (long long)t->failed,
	       money(t->points_earned, a), money(t->points_redeemed, b));
}

int cmd_order_post(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "programs", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ 0 },
	};
	struct aba_program_set *programs = NULL;
	long batch = ABA_ORDER_BATCH_SIZE;
	char *end;
	struct aba_order_totals t;
	const char *programs_path = NULL, *path;
	struct aba_err err;
	struct aba_db *db;
	FILE *f;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'p') {
			programs_path = optarg;
		} else if (opt == 'b') {
			batch = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || batch < 1 || batch > ABA_ORDER_BATCH_MAX)
				return cli_usage("order post", "--batch takes a number from 1 to 10000");
		} else {
			return cli_bad_option("order post", argv);
		}
	}
	if ((rc = cli_expect_args("order post", argc, argv, 1)))
		return rc;
	path = argv[optind];
	if (load_programs(programs_path, &programs, &err))
		return cli_fail(&err);
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		aba_program_set_free(programs);
		aba_fail(&err, ABA_IO, "cannot open '%.100s'", path);
		return cli_fail(&err);
	}
	/* Without --programs: the active programs stored in the database. */
	rc = !(db = cli_db(cli, &err)) ||
	     (!programs_path && aba_program_store_load(db, &programs, &err)) ||
	     aba_order_post_file_batch(db, programs, f, (size_t)batch, print_fail,
				       isatty(2) ? print_progress : NULL, NULL, &t, &err);
	if (f != stdin)
		fclose(f);
	aba_program_set_free(programs);
	if (rc)
		return cli_fail(&err);
	if (isatty(2) && t.posted + t.replayed + t.failed >= 1000)
		fputc('\n', stderr);
	print_totals(&t);
	return t.failed ? 1 : 0;
}

/* One "PRODUCT[:QTY]" of --lines; qty as the cart takes it, 1..1,000,000. */
static json_t *parse_line(char *tok)
{
	char *colon = strrchr(tok, ':'), *end;
	long qty = 1;

	if (colon) {
		*colon = '\0';
		errno = 0;
		qty = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end || errno == ERANGE || qty < 1 || qty > REFUND_QTY_MAX)
			return NULL;
	}
	if (*tok == '\0')
		return NULL;
	return json_pack("{s:s, s:I}", "product", tok, "qty", (json_int_t)qty);
}

/* "SKU-1:2,SKU-2" -> [{"product": "SKU-1", "qty": 2}, {"product": "SKU-2", "qty": 1}];
 * NULL when a line is malformed (or out of memory). */
static json_t *parse_lines(const char *spec)
{
	json_t *lines = json_array();
	char *copy = strdup(spec), *save = NULL, *tok;

	if (!lines || !copy) {
		json_decref(lines);
		free(copy);
		return NULL;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (json_array_append_new(lines, parse_line(tok))) {
			json_decref(lines);
			lines = NULL;
			break;
		}
	}
	free(copy);
	if (lines && json_array_size(lines) == 0) {
		json_decref(lines);
		lines = NULL;
	}
	return lines;
}

static int parse_refund(int argc, char **argv, struct aba_order_refund *r, json_t **lines)
{
	static const struct option opts[] = {
		{ "amount", required_argument, NULL, 'a' },
		{ "lines", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },
		{ "at", required_argument, NULL, 't' },
		{ 0 },
	};
	struct aba_err err;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'a') {
			if (aba_amount_parse(optarg, "amount", &r->amount, &err))
				return cli_fail(&err);
			if (r->amount <= 0)
				return cli_usage("order refund", "--amount must be greater than zero");
		} else if (opt == 'l') {
			json_decref(*lines);
			if (!(*lines = parse_lines(optarg)))
				return cli_usage("order refund", "--lines takes PRODUCT[:QTY],... with QTY"
						 " from 1 to %d", REFUND_QTY_MAX);
		} else if (opt == 'k') {
			r->key = optarg;
		} else if (opt == 't') {
			r->at = optarg;
		} else {
			return cli_bad_option("order refund", argv);
		}
	}
	if ((rc = cli_expect_args("order refund", argc, argv, 1)))
		return rc;
	if (!r->key)
		return cli_usage("order refund", "--key is required (the idempotency key of this refund)");
	if (*lines && r->amount >= 0)
		return cli_usage("order refund", "give --amount or --lines, not both");
	r->ref = argv[optind];
	r->lines = *lines;
	return 0;
}

int cmd_order_refund(struct cli *cli, int argc, char **argv)
{
	struct aba_order_refund r = { .amount = -1 };
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], c[ABA_AMOUNT_BUFSZ], d[ABA_AMOUNT_BUFSZ];
	char e[ABA_AMOUNT_BUFSZ];
	struct aba_posting p;
	json_t *lines = NULL;
	struct aba_err err;
	struct aba_db *db;
	int rc = parse_refund(argc, argv, &r, &lines);

	if (rc == 0 && (!(db = cli_db(cli, &err)) || aba_order_refund(db, &r, &p, &err)))
		rc = cli_fail(&err);
	json_decref(lines);
	if (rc)
		return rc;
	printf("%s order '%s' refunded %s: points restored %s, reversed %s, shortfall %s;"
	       " balance %s\n", p.replay ? "already posted:" : "posted:", r.ref,
	       money(json_integer_value(json_object_get(p.result, "amount")), a),
	       money(json_integer_value(json_object_get(p.result, "points_restored")), b),
	       money(json_integer_value(json_object_get(p.result, "points_reversed")), c),
	       money(json_integer_value(json_object_get(p.result, "shortfall")), d),
	       money(p.balance, e));
	if (json_integer_value(json_object_get(p.result, "points_reexpired")) > 0)
		printf("%s restored points went back to expired lots and expired again\n",
		       money(json_integer_value(json_object_get(p.result, "points_reexpired")), a));
	aba_posting_clear(&p);
	return 0;
}

static const char *amount_of(const json_t *o, const char *key, char *buf)
{
	return money(json_integer_value(json_object_get(o, key)), buf);
}

/* The units a refund by lines gave back, line by line of the order. */
static void print_refund_lines(const json_t *lines)
{
	char a[ABA_AMOUNT_BUFSZ];
	const json_t *l;
	size_t i;

	json_array_foreach(lines, i, l)
		printf("    %-22s %6lld  (line %lld)  %14s\n",
		       json_string_value(json_object_get(l, "product")),
		       (long long)json_integer_value(json_object_get(l, "qty")),
		       (long long)json_integer_value(json_object_get(l, "line")) + 1,
		       amount_of(l, "amount", a));
}

static void print_order(const json_t *o)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], c[ABA_AMOUNT_BUFSZ], d[ABA_AMOUNT_BUFSZ];
	const json_t *level = json_object_get(o, "level"), *line, *r;
	size_t i;

	printf("order %s, card %s, %s%s, level %s, %s\n",
	       json_string_value(json_object_get(o, "ref")),
	       json_string_value(json_object_get(o, "card")),
	       json_string_value(json_object_get(o, "at")),
	       json_is_true(json_object_get(o, "offline")) ? " (offline)" : "",
	       json_is_string(level) ? json_string_value(level) : "none",
	       json_string_value(json_object_get(o, "state")));
	json_array_foreach(json_object_get(json_object_get(o, "detail"), "lines"), i, line)
		printf("  %-24s %6lld  base %14s  discount %12s  net %14s\n",
		       json_string_value(json_object_get(line, "product")),
		       (long long)json_integer_value(json_object_get(line, "qty")),
		       amount_of(line, "base", a), amount_of(line, "discount", b),
		       amount_of(line, "net", c));
	printf("total: base %s, discount %s, net %s\n", amount_of(o, "total_base", a),
	       amount_of(o, "total_discount", b), amount_of(o, "total_net", c));
	printf("points: earned %s, redeemed %s", amount_of(o, "points_earned", a),
	       amount_of(o, "points_redeemed", b));
	printf("; refunded %s (points reversed %s, restored %s)\n",
	       amount_of(o, "refunded_amount", a), amount_of(o, "points_reversed", b),
	       amount_of(o, "points_restored", c));
	json_array_foreach(json_object_get(o, "refunds"), i, r) {
		printf("  refund %s: %s, points restored %s, reversed %s, shortfall %s\n",
		       json_string_value(json_object_get(r, "key")), amount_of(r, "amount", a),
		       amount_of(r, "points_restored", b), amount_of(r, "points_reversed", c),
		       amount_of(r, "shortfall", d));
		print_refund_lines(json_object_get(r, "lines"));
	}
}

int cmd_order_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc, json = 0;
	json_t *o;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'j')
			return cli_bad_option("order show", argv);
		json = 1;
	}
	if ((rc = cli_expect_args("order show", argc, argv, 1)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_order_show(db, argv[optind], &o, &err))
		return cli_fail(&err);
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_order(o);
	}
	json_decref(o);
	return 0;
}
