/* cmd_program.c - aba program import|list|show: programs in the database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aba_jp.h"
#include "aba_program_store.h"
#include "cli.h"
#include "commands.h"

/* Commands taking no option but their positional arguments. */
static int no_options(const char *words, int argc, char **argv, int nargs)
{
	static const struct option none[] = { { 0 } };

	if (getopt_long(argc, argv, "", none, NULL) != -1)
		return cli_bad_option(words, argv);
	return cli_expect_args(words, argc, argv, nargs);
}

int cmd_program_import(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	size_t count;
	json_t *j;
	int rc;

	if ((rc = no_options("program import", argc, argv, 1)))
		return rc;
	if (!(j = aba_jp_load(argv[optind], "programs", &err)))
		return cli_fail(&err);
	if (!(db = cli_db(cli, &err)) || aba_program_store_import(db, j, &count, &err)) {
		json_decref(j);
		return cli_fail(&err);
	}
	json_decref(j);
	printf("imported %zu program%s\n", count, count == 1 ? "" : "s");
	return 0;
}

struct list_ctx {
	json_t *json;		/* NULL: print a table */
	int rows;
};

static void list_row(void *arg, const struct aba_program_row *r)
{
	struct list_ctx *ctx = arg;

	ctx->rows++;
	if (ctx->json) {
		json_array_append_new(ctx->json, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s?, s:s?, s:s}",
			"id", r->id, "name", r->name, "program_type", r->program_type,
			"trigger", r->trigger, "stacking", r->stacking,
			"sequence", (json_int_t)r->sequence, "active", r->active,
			"date_from", *r->date_from ? r->date_from : NULL,
			"date_to", *r->date_to ? r->date_to : NULL, "updated_at", r->updated_at));
		return;
	}
	if (ctx->rows == 1)
		printf("%-16s %8s %-18s %-9s %-9s %-6s %-22s %s\n", "ID", "SEQUENCE", "TYPE",
		       "TRIGGER", "STACKING", "ACTIVE", "DATES", "NAME");
	printf("%-16s %8lld %-18s %-9s %-9s %-6s %-10.10s..%-10.10s %s\n", r->id,
	       (long long)r->sequence, r->program_type, r->trigger, r->stacking,
	       r->active ? "yes" : "no", *r->date_from ? r->date_from : "",
	       *r->date_to ? r->date_to : "", r->name);
}

int cmd_program_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct list_ctx ctx = { 0 };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (opt != 'j')
			return cli_bad_option("program list", argv);
		else if (!ctx.json && !(ctx.json = json_array()))
			return cli_fail(&(struct aba_err){ .code = ABA_NOMEM, .msg = "out of memory" });
	if ((rc = cli_expect_args("program list", argc, argv, 0))) {
		json_decref(ctx.json);
		return rc;
	}
	if (!(db = cli_db(cli, &err)) || aba_program_store_list(db, list_row, &ctx, &err)) {
		json_decref(ctx.json);
		return cli_fail(&err);
	}
	if (ctx.json) {
		json_dumpf(ctx.json, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(ctx.json);
	} else if (ctx.rows == 0) {
		printf("no programs\n");
	}
	return 0;
}

int cmd_program_show(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	json_t *j;
	int rc;

	if ((rc = no_options("program show", argc, argv, 1)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_program_store_get(db, argv[optind], &j, &err))
		return cli_fail(&err);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(j);
	return 0;
}
