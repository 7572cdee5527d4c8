/* cmd_card.c - aba card create|list|show. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_card.h"
#include "cli.h"
#include "commands.h"

#define SHOW_LOTS 1000
#define SHOW_HISTORY 20

int cmd_card_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "phone", required_argument, NULL, 'p' },
		{ "email", required_argument, NULL, 'e' },
		{ 0 },
	};
	struct aba_card_new c = { 0 };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			c.name = optarg;
		else if (opt == 'p')
			c.phone = optarg;
		else if (opt == 'e')
			c.email = optarg;
		else
			return cli_bad_option("card create", argv);
	}
	if ((rc = cli_expect_args("card create", argc, argv, 1)))
		return rc;
	if (!c.name)
		return cli_usage("card create", "--name is required");
	c.code = argv[optind];
	if (!(db = cli_db(cli, &err)) || aba_card_create(db, &c, &err))
		return cli_fail(&err);
	printf("card '%s' created for %s\n", c.code, c.name);
	return 0;
}

struct list_ctx {
	json_t *json;		/* NULL: print a table */
	int rows;
};

static void list_row(void *arg, const struct aba_card_row *r)
{
	struct list_ctx *ctx = arg;
	char bal[ABA_AMOUNT_BUFSZ];

	ctx->rows++;
	if (ctx->json) {
		json_array_append_new(ctx->json, json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:b}",
			"code", r->code, "name", r->name, "phone", *r->phone ? r->phone : NULL,
			"level", *r->level ? r->level : NULL, "balance", aba_amount_format(r->balance, bal),
			"active", r->active));
		return;
	}
	if (ctx->rows == 1)
		printf("%-16s %-30s %-16s %-10s %18s\n", "CARD", "NAME", "PHONE", "LEVEL", "BALANCE");
	printf("%-16s %-30.30s %-16s %-10s %18s%s\n", r->code, r->name, r->phone,
	       *r->level ? r->level : "-", aba_amount_format_grouped(r->balance, bal),
	       r->active ? "" : "  (inactive)");
}

int cmd_card_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "search", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct list_ctx ctx = { 0 };
	const char *search = NULL;
	struct aba_err err;
	struct aba_db *db;
	long limit = 100;
	int opt, rc;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 's') {
			search = optarg;
		} else if (opt == 'l') {
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 1 || limit > 100000)
				return cli_usage("card list", "--limit takes a number from 1 to 100000");
		} else if (opt == 'j') {
			ctx.json = json_array();
		} else {
			return cli_bad_option("card list", argv);
		}
	}
	if ((rc = cli_expect_args("card list", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) ||
	    aba_card_list(db, search, (int)limit, 0, list_row, &ctx, &err)) {
		json_decref(ctx.json);
		return cli_fail(&err);
	}
	if (ctx.json) {
		json_dumpf(ctx.json, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(ctx.json);
	} else if (ctx.rows == 0) {
		printf("no cards%s\n", search ? " match" : "");
	}
	return 0;
}

static json_t *amount_json(int64_t v)
{
	char buf[ABA_AMOUNT_BUFSZ];

	return json_string(aba_amount_format(v, buf));
}

static json_t *card_json(const struct aba_card_view *v)
{
	json_t *lots = json_array(), *hist = json_array();

	for (int i = 0; i < v->nlots; i++) {
		const struct aba_lot *l = &v->lots[i];

		json_array_append_new(lots, json_pack("{s:I, s:s, s:s?, s:o, s:o, s:s, s:s}",
			"id", (json_int_t)l->id, "gained_at", l->gained_at,
			"expires_at", *l->expires_at ? l->expires_at : NULL,
			"initial", amount_json(l->initial), "remaining", amount_json(l->remaining),
			"state", l->state, "origin", l->origin));
	}
	for (int i = 0; i < v->nhistory; i++) {
		const struct aba_history_entry *h = &v->history[i];

		json_array_append_new(hist, json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:s}",
			"id", (json_int_t)h->id, "kind", h->kind, "delta", amount_json(h->delta),
			"balance_after", amount_json(h->balance_after), "origin", h->origin,
			"key", h->key, "actor", h->actor, "at", h->at));
	}
	return json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:s?, s:b, s:o, s:o}",
		"code", v->card.code, "name", v->card.name,
		"phone", *v->card.phone ? v->card.phone : NULL,
		"email", *v->email ? v->email : NULL, "balance", amount_json(v->card.balance),
		"level", *v->card.level ? v->card.level : NULL, "active", v->card.active,
		"lots", lots, "history", hist);
}

static void card_print(const struct aba_card_view *v)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ];

	printf("card     %s%s\nname     %s\n", v->card.code, v->card.active ? "" : " (inactive)",
	       v->card.name);
	if (*v->card.phone)
		printf("phone    %s\n", v->card.phone);
	printf("level    %s\nbalance  %s points\n\n", *v->card.level ? v->card.level : "-",
	       aba_amount_format_grouped(v->card.balance, a));
	printf("lots (soonest to expire first)\n%-8s %-10s %-10s %16s %16s  %s\n", "LOT", "GAINED",
	       "EXPIRES", "INITIAL", "REMAINING", "STATE");
	for (int i = 0; i < v->nlots; i++) {
		const struct aba_lot *l = &v->lots[i];

		printf("%-8lld %-10.10s %-10.10s %16s %16s  %s\n", (long long)l->id, l->gained_at,
		       *l->expires_at ? l->expires_at : "never", aba_amount_format_grouped(l->initial, a),
		       aba_amount_format_grouped(l->remaining, b), l->state);
	}
	printf("\nhistory (newest first)\n%-19s %-7s %16s %16s  %s\n", "AT", "KIND", "DELTA",
	       "BALANCE", "KEY");
	for (int i = 0; i < v->nhistory; i++) {
		const struct aba_history_entry *h = &v->history[i];

		printf("%-19.19s %-7s %16s %16s  %s\n", h->at, h->kind,
		       aba_amount_format_grouped(h->delta, a),
		       aba_amount_format_grouped(h->balance_after, b), h->key);
	}
}

int cmd_card_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct aba_card_view v;
	struct aba_err err;
	struct aba_db *db;
	int opt, rc, json = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'j')
			return cli_bad_option("card show", argv);
		json = 1;
	}
	if ((rc = cli_expect_args("card show", argc, argv, 1)))
		return rc;
	if (!(db = cli_db(cli, &err)) ||
	    aba_card_load(db, argv[optind], SHOW_LOTS, SHOW_HISTORY, &v, &err))
		return cli_fail(&err);
	if (json) {
		json_t *j = card_json(&v);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		card_print(&v);
	}
	aba_card_view_clear(&v);
	return 0;
}
