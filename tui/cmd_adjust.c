/* cmd_adjust.c - aba adjust request|list|approve|reject|cancel: the
 * maker-checker queue.  approve, reject and list serve membership override
 * requests too; the database decides who may do what. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "cli.h"
#include "commands.h"

/* "+5.00 points" or "level GOLD until 2026-12-31T00:00:00Z". */
static const char *change_text(const struct aba_approval *a, char *buf, size_t size)
{
	char pts[ABA_AMOUNT_BUFSZ];

	if (strcmp(a->kind, "adjust") == 0)
		snprintf(buf, size, "%s%s points", a->points > 0 ? "+" : "",
			 aba_amount_format(a->points, pts));
	else
		snprintf(buf, size, "level %s until %s", a->level, a->valid_until);
	return buf;
}

static void print_request(const struct aba_approval *a)
{
	char change[128], bal[ABA_AMOUNT_BUFSZ];

	printf("request %lld: %s %s on card '%s' (%s), by %s: %s", (long long)a->id, a->kind,
	       change_text(a, change, sizeof(change)), a->card, a->reason, a->maker, a->state);
	if (strcmp(a->state, "pending") == 0)
		printf(" until %s", a->expires_at);
	else if (a->automatic)
		printf(" automatically (below the auto-approve threshold)");
	else if (a->checker[0])
		printf(" by %s", a->checker);
	if (a->balance >= 0)
		printf("; balance %s", aba_amount_format(a->balance, bal));
	putchar('\n');
}

/* A debit's "-50" would read as options; take the first negative number
 * out of argv before getopt sees it. */
static const char *take_negative(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return NULL;
		if (argv[i][0] == '-' && (argv[i][1] >= '0' && argv[i][1] <= '9')) {
			const char *v = argv[i];

			memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(char *));
			(*argc)--;
			return v;
		}
	}
	return NULL;
}

int cmd_adjust_request(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *words = "adjust request", *reason = NULL, *note = NULL;
	const char *neg = take_negative(&argc, argv);
	struct aba_approval a;
	struct aba_err err;
	struct aba_db *db;
	int64_t points;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'r')
			reason = optarg;
		else if (opt == 'n')
			note = optarg;
		else
			return cli_bad_option(words, argv);
	}
	if ((rc = cli_expect_args(words, argc, argv, neg ? 1 : 2)))
		return rc;
	if (!reason)
		return cli_usage(words, "--reason is required (see aba reason list)");
	if (aba_amount_parse(neg ? neg : argv[optind + 1], "points", &points, &err))
		return cli_fail(&err);
	if (!(db = cli_db(cli, &err)) ||
	    aba_adjust_request(db, argv[optind], points, reason, note, &a, &err))
		return cli_fail(&err);
	print_request(&a);
	return 0;
}

static int parse_id(const char *words, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end || v <= 0 || errno == ERANGE)	/* not clamped to the largest */
		return cli_usage(words, "request id '%s' is not a positive number", s);
	*id = v;
	return 0;
}

/* approve, reject and cancel: ID [--note T]. */
static int decide(struct cli *cli, const char *words, int argc, char **argv, char verb)
{
	static const struct option opts[] = { { "note", required_argument, NULL, 'n' }, { 0 } };
	const char *note = NULL;
	struct aba_approval a;
	struct aba_err err;
	struct aba_db *db;
	int64_t id = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'n' || verb == 'c')
			return cli_bad_option(words, argv);
		note = optarg;
	}
	if ((rc = cli_expect_args(words, argc, argv, 1)) || (rc = parse_id(words, argv[optind], &id)))
		return rc;
	if (verb == 'r' && !note)
		return cli_usage(words, "--note is required: say why the request is rejected");
	if (!(db = cli_db(cli, &err)))
		return cli_fail(&err);
	if (verb == 'a')
		rc = aba_approval_approve(db, id, note, &a, &err);
	else if (verb == 'r')
		rc = aba_approval_reject(db, id, note, &a, &err);
	else
		rc = aba_approval_cancel(db, id, &a, &err);
	if (rc)
		return cli_fail(&err);
	print_request(&a);
	return 0;
}

int cmd_adjust_approve(struct cli *cli, int argc, char **argv)
{
	return decide(cli, "adjust approve", argc, argv, 'a');
}

int cmd_adjust_reject(struct cli *cli, int argc, char **argv)
{
	return decide(cli, "adjust reject", argc, argv, 'r');
}

int cmd_adjust_cancel(struct cli *cli, int argc, char **argv)
{
	return decide(cli, "adjust cancel", argc, argv, 'c');
}

static void print_row(void *arg, const struct aba_approval *a)
{
	char change[128];

	(void)arg;
	printf("%6lld  %-8s %-12s %-34s %-12s %-9s %-10s %-10s %s\n", (long long)a->id, a->kind,
	       a->card, change_text(a, change, sizeof(change)), a->reason, a->state, a->maker,
	       a->checker[0] ? a->checker : (a->automatic ? "(auto)" : "-"),
	       strcmp(a->state, "pending") == 0 ? a->expires_at : a->decided_at);
}

static void print_json(void *arg, const struct aba_approval *a)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s?, s:s?}",
			      "id", (json_int_t)a->id, "kind", a->kind, "card", a->card,
			      "reason", a->reason, "state", a->state, "maker", a->maker,
			      "created_at", a->created_at, "auto", a->automatic,
			      "expires_at", a->expires_at, "note", a->note,
			      "checker", a->checker[0] ? a->checker : NULL,
			      "decided_at", a->decided_at[0] ? a->decided_at : NULL);
	char pts[ABA_AMOUNT_BUFSZ], *line;

	(void)arg;
	if (strcmp(a->kind, "adjust") == 0) {
		json_object_set_new(o, "points", json_string(aba_amount_format(a->points, pts)));
	} else {
		json_object_set_new(o, "level", json_string(a->level));
		json_object_set_new(o, "valid_until", json_string(a->valid_until));
	}
	if (a->decision_note[0])
		json_object_set_new(o, "decision_note", json_string(a->decision_note));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	puts(line ? line : "{}");
	free(line);
	json_decref(o);
}

int cmd_adjust_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "card", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct aba_approval_filter f = { 0 };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc, json = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 's') {
			f.state = optarg;
		} else if (opt == 'k') {
			f.kind = optarg;
		} else if (opt == 'c') {
			f.card = optarg;
		} else if (opt == 'l') {
			f.limit = strtol(optarg, &end, 10);
			if (*end || f.limit < 1)
				return cli_usage("adjust list", "--limit takes a positive number");
		} else if (opt == 'j') {
			json = 1;
		} else {
			return cli_bad_option("adjust list", argv);
		}
	}
	if ((rc = cli_expect_args("adjust list", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)))
		return cli_fail(&err);
	if (!json)
		printf("%6s  %-8s %-12s %-34s %-12s %-9s %-10s %-10s %s\n", "ID", "KIND", "CARD",
		       "CHANGE", "REASON", "STATE", "MAKER", "CHECKER", "EXPIRES/DECIDED");
	if (aba_approval_list(db, &f, json ? print_json : print_row, NULL, &err))
		return cli_fail(&err);
	return 0;
}

/* A membership override is a request like an adjustment: a checker
 * approves it with aba adjust approve. */
int cmd_member_override(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *words = "member override", *until = NULL, *reason = NULL, *note = NULL;
	struct aba_approval a;
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'u')
			until = optarg;
		else if (opt == 'r')
			reason = optarg;
		else if (opt == 'n')
			note = optarg;
		else
			return cli_bad_option(words, argv);
	}
	if ((rc = cli_expect_args(words, argc, argv, 2)))
		return rc;
	if (!until || !reason)
		return cli_usage(words, "--until and --reason are required");
	if (!(db = cli_db(cli, &err)) ||
	    aba_override_request(db, argv[optind], argv[optind + 1], until, reason, note, &a, &err))
		return cli_fail(&err);
	print_request(&a);
	return 0;
}
