/* cmd_approvals.c - the workflow's housekeeping and configuration: expiry
 * sweep, thresholds, reason codes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_approval.h"
#include "cli.h"
#include "commands.h"

int cmd_approvals_expire(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int64_t n;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("approvals expire", argv);
	if ((rc = cli_expect_args("approvals expire", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_approval_expire(db, &n, &err))
		return cli_fail(&err);
	printf("expired %lld pending request%s\n", (long long)n, n == 1 ? "" : "s");
	return 0;
}

/* Thresholds of points are in points; the others are counts. */
static int is_points(const char *name)
{
	size_t n = strlen(name);

	return (n > 6 && strcmp(name + n - 6, "_below") == 0) ||
	       (n > 6 && strcmp(name + n - 6, "_limit") == 0) ||
	       (n > 6 && strcmp(name + n - 6, "_daily") == 0);
}

static void print_setting(void *arg, const struct aba_setting *s)
{
	char v[ABA_AMOUNT_BUFSZ];

	(void)arg;
	if (!s->has_value)
		snprintf(v, sizeof(v), "-");
	else if (is_points(s->name))
		aba_amount_format(s->value, v);
	else
		snprintf(v, sizeof(v), "%lld", (long long)s->value);
	printf("%-22s %14s  %s\n", s->name, v, s->description);
}

int cmd_approvals_settings(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("approvals settings", argv);
	if ((rc = cli_expect_args("approvals settings", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_setting_list(db, print_setting, NULL, &err))
		return cli_fail(&err);
	return 0;
}

int cmd_approvals_set(struct cli *cli, int argc, char **argv)
{
	const char *words = "approvals set";
	struct aba_setting s = { 0 };
	struct aba_err err;
	struct aba_db *db;
	const char *v;
	char *end;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option(words, argv);
	if ((rc = cli_expect_args(words, argc, argv, 2)))
		return rc;
	snprintf(s.name, sizeof(s.name), "%s", argv[optind]);
	v = argv[optind + 1];
	s.has_value = strcmp(v, "none") != 0;
	if (s.has_value && is_points(s.name)) {
		if (aba_amount_parse(v, s.name, &s.value, &err))
			return cli_fail(&err);
	} else if (s.has_value) {
		errno = 0;
		s.value = strtoll(v, &end, 10);
		if (*v == '\0' || *end || errno == ERANGE)
			return cli_usage(words, "%s takes a whole number or 'none'", s.name);
	}
	if (!(db = cli_db(cli, &err)) || aba_setting_set(db, &s, &err))
		return cli_fail(&err);
	printf("%s set to %s\n", s.name, v);
	return 0;
}

static void print_reason(void *arg, const struct aba_reason *r)
{
	(void)arg;
	printf("%-16s %-9s %-8s %s\n", r->code, r->applies_to, r->active ? "active" : "inactive",
	       r->label);
}

int cmd_reason_list(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("reason list", argv);
	if ((rc = cli_expect_args("reason list", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_reason_list(db, print_reason, NULL, &err))
		return cli_fail(&err);
	return 0;
}

int cmd_reason_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "for", required_argument, NULL, 'f' },
		{ "inactive", no_argument, NULL, 'i' },
		{ 0 },
	};
	struct aba_reason r = { .active = 1 };
	const char *label = NULL, *applies = "any";
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'l')
			label = optarg;
		else if (opt == 'f')
			applies = optarg;
		else if (opt == 'i')
			r.active = 0;
		else
			return cli_bad_option("reason set", argv);
	}
	if ((rc = cli_expect_args("reason set", argc, argv, 1)))
		return rc;
	if (!label)
		return cli_usage("reason set", "--label is required");
	if (strlen(argv[optind]) >= sizeof(r.code) || strlen(label) >= sizeof(r.label) ||
	    strlen(applies) >= sizeof(r.applies_to))
		return cli_usage("reason set", "code, label or --for is too long");
	snprintf(r.code, sizeof(r.code), "%s", argv[optind]);
	snprintf(r.label, sizeof(r.label), "%s", label);
	snprintf(r.applies_to, sizeof(r.applies_to), "%s", applies);
	if (!(db = cli_db(cli, &err)) || aba_reason_set(db, &r, &err))
		return cli_fail(&err);
	printf("reason code '%s' %s for %s requests\n", r.code, r.active ? "active" : "inactive",
	       r.applies_to);
	return 0;
}
