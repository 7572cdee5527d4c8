/* cmd_import.c - aba import odoo: bring partners, programs, cards and
 * history over from Odoo exports, or --check that the database still
 * agrees. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_amount.h"
#include "aba_odoo.h"
#include "cli.h"
#include "commands.h"

#define WORDS "import odoo"

struct import_args {
	int dry_run, check, model;
	struct aba_odoo_file *files;
	size_t n;
};

static int parse_args(int argc, char **argv, struct import_args *a)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "model", required_argument, NULL, 'm' },
		{ 0 },
	};
	int opt;

	memset(a, 0, sizeof(*a));
	a->model = ABA_ODOO_MODEL_AUTO;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			a->dry_run = 1;
		else if (opt == 'c')
			a->check = 1;
		else if (opt == 'm' && (a->model = aba_odoo_model_find(optarg)) < 0)
			return cli_usage(WORDS, "unknown model '%s' (res.partner, loyalty.card, "
					 "loyalty.history, ...)", optarg);
		else if (opt != 'm')
			return cli_bad_option(WORDS, argv);
	}
	if (optind >= argc)
		return cli_usage(WORDS, "name at least one export FILE");
	if (a->check && a->dry_run)
		return cli_usage(WORDS, "--check never writes: --dry-run adds nothing to it");
	return 0;
}

static int by_model(const void *x, const void *y)
{
	const struct aba_odoo_file *a = x, *b = y;

	/* Dependencies first; the path keeps the order stable and visible. */
	if (a->model != b->model)
		return a->model - b->model;
	return strcmp(a->path, b->path);
}

/* Reads every file before anything is written, so an unreadable one
 * stops the command while the database is still untouched. */
static int load_files(int argc, char **argv, struct import_args *a, struct aba_err *err)
{
	a->n = (size_t)(argc - optind);
	if (!(a->files = calloc(a->n, sizeof(*a->files))))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (size_t i = 0; i < a->n; i++)
		if (aba_odoo_file_load(argv[optind + (int)i], a->model, &a->files[i], err))
			return -1;
	qsort(a->files, a->n, sizeof(*a->files), by_model);
	return 0;
}

static void free_files(struct import_args *a)
{
	for (size_t i = 0; a->files && i < a->n; i++)
		aba_odoo_file_free(&a->files[i]);
	free(a->files);
}

static void progress(void *arg, const struct aba_odoo_progress *p)
{
	(void)arg;
	if (p->total)
		fprintf(stderr, "\r%s: %3zu%%", p->what, p->done * 100 / p->total);
}

static void end_progress(void)
{
	if (isatty(2))
		fprintf(stderr, "\r\033[K");
}

/* The program, rule and reward files, all together: one program is made
 * of records from all three. */
static int import_programs(struct aba_db *db, const struct import_args *a)
{
	struct aba_odoo_program_result r;
	struct aba_err err;

	if (aba_odoo_import_programs(db, a->files, a->n, &r, &err)) {
		fprintf(stderr, "aba: %s (nothing imported from the program, rule and reward "
			"files)\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++)
		if (aba_odoo_model_is_program(a->files[i].model))
			printf("%s: %s: read into the programs\n", a->files[i].path,
			       aba_odoo_model_name(a->files[i].model));
	printf("programs: %ld programs (%ld program, %ld rule, %ld reward records), %ld created, "
	       "%ld updated, %ld unchanged\n", r.programs, r.records[0], r.records[1],
	       r.records[2], r.created, r.updated, r.unchanged);
	return 0;
}

static int import_files(struct aba_db *db, const struct import_args *a)
{
	int failed = 0, programs_done = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct aba_odoo_file *f = &a->files[i];
		struct aba_odoo_file_result r;
		struct aba_err err;
		int rc;

		if (aba_odoo_model_is_program(f->model)) {
			/* Sorted by model: programs come before the cards. */
			if (!programs_done++)
				failed |= import_programs(db, a);
			continue;
		}
		rc = aba_odoo_import_file(db, f, isatty(2) ? progress : NULL, NULL, &r, &err);

		end_progress();
		if (rc) {
			fprintf(stderr, "aba: %s (nothing imported from this file)\n", err.msg);
			failed = 1;
			continue;
		}
		printf("%s: %s: %ld records, %ld created, %ld updated, %ld unchanged", f->path,
		       f->model < 0 ? "empty" : aba_odoo_model_name(f->model), r.records, r.created,
		       r.updated, r.unchanged);
		if (r.kept)
			printf(", %ld already replayed and kept as they were", r.kept);
		putchar('\n');
	}
	return failed;
}

static void print_adjustments(const json_t *adj)
{
	char p[ABA_AMOUNT_BUFSZ], h[ABA_AMOUNT_BUFSZ], o[ABA_AMOUNT_BUFSZ], c[ABA_AMOUNT_BUFSZ];
	const json_t *x;
	size_t i;

	if (json_array_size(adj) == 0)
		return;
	printf("odoo history does not add up to odoo points on %zu cards; posted as "
	       "'odoo-import' adjustments:\n", json_array_size(adj));
	printf("%-20s %10s %16s %16s %16s %16s\n", "card", "odoo id", "odoo points",
	       "history adds", "opening", "closing");
	json_array_foreach(adj, i, x) {
		int64_t points = json_integer_value(json_object_get(x, "points"));
		int64_t before = json_integer_value(json_object_get(x, "before"));

		printf("%-20s %10lld %16s %16s %16s %16s\n",
		       json_string_value(json_object_get(x, "card")),
		       (long long)json_integer_value(json_object_get(x, "odoo_id")),
		       aba_amount_format(points, p),
		       aba_amount_format(before + json_integer_value(json_object_get(x, "history")), h),
		       aba_amount_format(json_integer_value(json_object_get(x, "opening")), o),
		       aba_amount_format(json_integer_value(json_object_get(x, "closing")), c));
	}
}

static int settle(struct aba_db *db)
{
	struct aba_odoo_settlement s;
	struct aba_err err;

	if (aba_odoo_settle(db, isatty(2) ? progress : NULL, NULL, &s, &err)) {
		end_progress();
		fprintf(stderr, "aba: settling the imported cards: %s\n", err.msg);
		return 1;
	}
	end_progress();
	printf("settled %ld cards: %ld odoo history entries replayed into the ledger\n", s.cards,
	       s.replayed);
	print_adjustments(s.adjustments);
	json_decref(s.adjustments);
	return 0;
}

static int has_model(const struct import_args *a, int program)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->files[i].model >= 0 && aba_odoo_model_is_program(a->files[i].model) == program)
			return 1;
	return 0;
}

/* Only program files were given: there are no cards to settle or check. */
static int only_programs(const struct import_args *a)
{
	return has_model(a, 1) && !has_model(a, 0);
}

static int run_import(struct aba_db *db, const struct import_args *a)
{
	struct aba_err err;
	int failed;

	if (a->dry_run && aba_db_command(db, "BEGIN", 0, NULL, &err))
		return cli_fail(&err);
	failed = import_files(db, a);
	if (!only_programs(a))
		failed |= settle(db);
	if (a->dry_run) {
		aba_db_command(db, "ROLLBACK", 0, NULL, &err);
		printf("dry run: nothing was written\n");
	}
	return failed;
}

static const char *problem_text(const struct aba_odoo_discrepancy *d, char *odoo, char *aba)
{
	if (strcmp(d->problem, "history") == 0) {
		snprintf(odoo, ABA_AMOUNT_BUFSZ, "%lld", (long long)d->odoo);
		snprintf(aba, ABA_AMOUNT_BUFSZ, "%lld", (long long)d->aba);
		return "history entries differ";
	}
	aba_amount_format(d->odoo, odoo);
	if (strcmp(d->problem, "missing") == 0) {
		strcpy(aba, "-");
		return "card missing";
	}
	aba_amount_format(d->aba, aba);
	return "balance differs";
}

static void program_state(void *arg, const struct aba_odoo_program_state *s)
{
	int *rows = arg;

	/* The name last and whole: cutting it to a width could split a
	 * UTF-8 character. */
	if ((*rows)++ == 0)
		printf("%-10s %-10s %s\n", "program", "state", "name");
	printf("%-10s %-10s %s%s%s%s\n", s->id, s->state, s->name, *s->fields ? " (differs: " : "",
	       s->fields, *s->fields ? ")" : "");
}

/* Programs: per program whether ours equals what the export makes of it. */
static int check_programs(struct aba_db *db, const struct import_args *a)
{
	struct aba_err err;
	long differ;
	int rows = 0;

	if (aba_odoo_check_programs(db, a->files, a->n, program_state, &rows, &differ, &err))
		return cli_fail(&err);
	printf("%d programs checked, %d equal, %ld different or missing\n", rows,
	       rows - (int)differ, differ);
	return differ ? 1 : 0;
}

static int check_cards(struct aba_db *db, const struct import_args *a)
{
	struct aba_odoo_check_result r;
	char odoo[ABA_AMOUNT_BUFSZ], aba[ABA_AMOUNT_BUFSZ];
	struct aba_err err;
	long rate;
	int rc;

	if (aba_odoo_check(db, a->files, a->n, &r, &err))
		return cli_fail(&err);
	if (r.n)
		printf("%-10s %-20s %-24s %16s %16s\n", "odoo id", "card", "problem", "odoo", "aba");
	for (size_t i = 0; i < r.n; i++) {
		const char *what = problem_text(&r.v[i], odoo, aba);

		printf("%-10lld %-20s %-24s %16s %16s\n", (long long)r.v[i].odoo_id,
		       r.v[i].card[0] ? r.v[i].card : "-", what, odoo, aba);
	}
	/* Hundredths of a percent, rounded down: 99.999% never shows as 100. */
	rate = r.cards ? (long)(r.consistent * 10000 / r.cards) : 10000;
	printf("%ld cards checked, %ld consistent, %zu discrepancies: consistency %ld.%02ld%%\n",
	       r.cards, r.consistent, r.n, rate / 100, rate % 100);
	rc = r.n == 0 ? 0 : 1;
	aba_odoo_check_clear(&r);
	return rc;
}

int cmd_import_odoo(struct cli *cli, int argc, char **argv)
{
	struct import_args a;
	struct aba_err err;
	struct aba_db *db;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc;
	if (load_files(argc, argv, &a, &err) || !(db = cli_db(cli, &err))) {
		free_files(&a);
		return cli_fail(&err);
	}
	if (a.check) {
		rc = has_model(&a, 1) ? check_programs(db, &a) : 0;
		if (rc <= 1 && !only_programs(&a))
			rc |= check_cards(db, &a);
	} else {
		rc = run_import(db, &a);
	}
	free_files(&a);
	return rc;
}
