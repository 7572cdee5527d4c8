/* cmd_audit.c - aba audit log|verify|export: reading and checking the
 * hash-chained audit log, online or from an exported file. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_audit.h"
#include "cli.h"
#include "commands.h"

/* before/after are jsonb text; shown as JSON values, not strings. */
static json_t *json_value(const char *text)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

	return v ? v : (text ? json_string(text) : json_null());
}

static int print_json(void *arg, const struct aba_audit_row *r)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:s?, s:s}",
			      "id", (json_int_t)r->id, "at", r->at, "actor", r->actor,
			      "action", r->action, "entity", r->entity, "entity_id", r->entity_id,
			      "before", json_value(r->before), "after", json_value(r->after),
			      "reason", r->reason, "hash", r->hash);
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	(void)arg;
	puts(line ? line : "{}");
	free(line);
	json_decref(o);
	return 0;
}

static int print_row(void *arg, const struct aba_audit_row *r)
{
	(void)arg;
	printf("%6lld  %.19sZ  %-12s %-22s %s %s", (long long)r->id, r->at, r->actor, r->action,
	       r->entity, r->entity_id ? r->entity_id : "-");
	if (r->reason)
		printf("  \"%s\"", r->reason);
	putchar('\n');
	if (r->before)
		printf("        before %s\n", r->before);
	if (r->after)
		printf("        after  %s\n", r->after);
	return 0;
}

int cmd_audit_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "actor", required_argument, NULL, 'a' },
		{ "action", required_argument, NULL, 'x' },
		{ "entity", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct aba_audit_filter f = { 0 };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc, json = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': f.actor = optarg; break;
		case 'x': f.action = optarg; break;
		case 'e': f.entity = optarg; break;
		case 's': f.since = optarg; break;
		case 'u': f.until = optarg; break;
		case 'j': json = 1; break;
		case 'l':
			f.limit = strtol(optarg, &end, 10);
			if (*end || f.limit < 1)
				return cli_usage("audit log", "--limit takes a positive number");
			break;
		default:
			return cli_bad_option("audit log", argv);
		}
	}
	if ((rc = cli_expect_args("audit log", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) ||
	    aba_audit_log(db, &f, json ? print_json : print_row, NULL, &err))
		return cli_fail(&err);
	return 0;
}

/* Exit 0 intact, 1 broken (naming the first broken row). */
static int report_check(const struct aba_audit_check *c)
{
	if (c->broken_id) {
		printf("audit chain broken at row %lld: %s\n", (long long)c->broken_id, c->problem);
		return 1;
	}
	printf("audit chain intact: %lld rows, head %s\n", (long long)c->rows,
	       c->rows ? c->head : "(empty)");
	if (c->want_head[0])
		printf("head %s found at row %lld\n", c->want_head, (long long)c->want_head_at);
	return 0;
}

int cmd_audit_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "head", required_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL, *head = NULL;
	struct aba_audit_check c;
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'f')
			file = optarg;
		else if (opt == 'h')
			head = optarg;
		else
			return cli_bad_option("audit verify", argv);
	}
	if ((rc = cli_expect_args("audit verify", argc, argv, 0)))
		return rc;
	/* With --file, no database is opened at all. */
	if (file)
		rc = aba_audit_verify_file(file, head, &c, &err);
	else
		rc = !(db = cli_db(cli, &err)) || aba_audit_verify(db, head, &c, &err);
	if (rc)
		return cli_fail(&err);
	return report_check(&c);
}

int cmd_audit_export(struct cli *cli, int argc, char **argv)
{
	struct aba_audit_check c;
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("audit export", argv);
	if ((rc = cli_expect_args("audit export", argc, argv, 1)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_audit_export(db, argv[optind], &c, &err))
		return cli_fail(&err);
	printf("exported %lld rows to %s, head %s\n", (long long)c.rows, argv[optind],
	       c.rows ? c.head : "(empty)");
	return 0;
}
