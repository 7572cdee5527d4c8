/* cmd_points.c - aba points earn|redeem|expire: thin entries to the same
 * ledger functions that order posting uses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_amount.h"
#include "aba_ledger.h"
#include "cli.h"
#include "commands.h"

/* The options earn and redeem share; validity only for earn. */
struct move_args {
	const char *card, *key, *origin, *at;
	int64_t points;
	int validity_days;
};

static int parse_move(const char *words, int with_validity, int argc, char **argv,
		      struct move_args *a)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "origin", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "validity", required_argument, NULL, 'v' },
		{ 0 },
	};
	struct aba_err err;
	int opt, rc;
	char *end;
	long days;

	memset(a, 0, sizeof(*a));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'k') {
			a->key = optarg;
		} else if (opt == 'o') {
			a->origin = optarg;
		} else if (opt == 'a') {
			a->at = optarg;
		} else if (opt == 'v' && with_validity) {
			days = strtol(optarg, &end, 10);
			if (*end || days < 1 || days > 36500)
				return cli_usage(words, "--validity takes a number of days from 1 to 36500");
			a->validity_days = (int)days;
		} else {
			return cli_bad_option(words, argv);
		}
	}
	if ((rc = cli_expect_args(words, argc, argv, 2)))
		return rc;
	if (!a->key)
		return cli_usage(words, "--key is required (the idempotency key of this posting)");
	a->card = argv[optind];
	if (aba_amount_parse(argv[optind + 1], "points", &a->points, &err))
		return cli_fail(&err);
	if (a->points <= 0)
		return cli_usage(words, "points must be greater than zero");
	return 0;
}

static void print_posting(const char *verb, const struct move_args *a, const struct aba_posting *p)
{
	char pts[ABA_AMOUNT_BUFSZ], bal[ABA_AMOUNT_BUFSZ];

	printf("%s %s points %s card '%s': balance %s%s\n",
	       p->replay ? "already posted:" : "posted:", aba_amount_format(a->points, pts), verb,
	       a->card, aba_amount_format(p->balance, bal),
	       p->replay ? " (the first result of this key)" : "");
}

int cmd_points_earn(struct cli *cli, int argc, char **argv)
{
	struct move_args a;
	struct aba_posting p;
	struct aba_err err;
	struct aba_db *db;
	int rc = parse_move("points earn", 1, argc, argv, &a);

	if (rc)
		return rc;
	struct aba_earn req = { a.card, a.points, a.key, a.origin, a.at, a.validity_days };
	if (!(db = cli_db(cli, &err)) || aba_ledger_earn(db, &req, &p, &err))
		return cli_fail(&err);
	print_posting("to", &a, &p);
	aba_posting_clear(&p);
	return 0;
}

int cmd_points_redeem(struct cli *cli, int argc, char **argv)
{
	struct move_args a;
	struct aba_posting p;
	struct aba_err err;
	struct aba_db *db;
	int rc = parse_move("points redeem", 0, argc, argv, &a);

	if (rc)
		return rc;
	struct aba_redeem req = { a.card, a.points, a.key, a.origin, a.at };
	if (!(db = cli_db(cli, &err)) || aba_ledger_redeem(db, &req, &p, &err))
		return cli_fail(&err);
	print_posting("from", &a, &p);
	aba_posting_clear(&p);
	return 0;
}

static void expire_progress(void *arg, const struct aba_expire_totals *t)
{
	char pts[ABA_AMOUNT_BUFSZ];

	(void)arg;
	fprintf(stderr, "\rexpiring: %lld cards, %s points so far", (long long)t->cards,
		aba_amount_format_grouped(t->points, pts));
}

int cmd_points_expire(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "as-of", required_argument, NULL, 'a' }, { 0 } };
	struct aba_expire_totals t;
	const char *as_of = NULL;
	char pts[ABA_AMOUNT_BUFSZ];
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'a')
			return cli_bad_option("points expire", argv);
		as_of = optarg;
	}
	if ((rc = cli_expect_args("points expire", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) ||
	    aba_ledger_expire(db, as_of, isatty(2) ? expire_progress : NULL, NULL, &t, &err))
		return cli_fail(&err);
	if (t.cards && isatty(2))
		fputc('\n', stderr);
	printf("expired %s points on %lld cards\n", aba_amount_format_grouped(t.points, pts),
	       (long long)t.cards);
	return 0;
}
