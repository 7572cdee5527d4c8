/* cmd_report.c - aba report list|refresh|NAME: the reports of reports/
 * written as a table, CSV or JSON, optionally from a replica. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_report.h"
#include "cli.h"
#include "commands.h"

struct report_opts {
	struct aba_report_params p;
	enum aba_report_format format;
	const char *output;
	const char *report_db;
	const char *name;
};

static int parse_top(const char *s, int *out)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || end == s || n < 1 || n > ABA_REPORT_TOP_MAX)
		return cli_usage("report", "--top takes a number from 1 to %d", ABA_REPORT_TOP_MAX);
	*out = (int)n;
	return 0;
}

static int parse_report(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "level", required_argument, NULL, 'l' },
		{ "top", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "report-db", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct aba_err err;
	int opt, rc;

	memset(o, 0, sizeof(*o));
	o->report_db = getenv("ABA_REPORT_DB");
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': o->p.from = optarg; break;
		case 't': o->p.to = optarg; break;
		case 'a': o->p.as_of = optarg; break;
		case 'l': o->p.level = optarg; break;
		case 'n':
			if ((rc = parse_top(optarg, &o->p.top)))
				return rc;
			break;
		case 'F':
			if (aba_report_format_parse(optarg, &o->format, &err))
				return cli_usage("report", "%s", err.msg);
			break;
		case 'o': o->output = optarg; break;
		case 'r': o->report_db = optarg; break;
		default: return cli_usage("report", "unknown option");
		}
	}
	if ((rc = cli_expect_args("report", argc, argv, 1)))
		return rc;
	o->name = argv[optind];
	if (!aba_report_find(o->name))
		return cli_usage("report", "no report '%.64s' (see 'aba report list')", o->name);
	return 0;
}

/* Writes to a temporary file next to path and renames it into place, so
 * that a failed report never leaves half a file behind. */
static int write_file(const struct aba_report *r, enum aba_report_format fmt, const char *path,
		      struct aba_err *err)
{
	size_t n = strlen(path) + 8;
	char *tmp = malloc(n);
	FILE *f = NULL;
	int fd, rc = -1;

	if (!tmp)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		aba_fail(err, ABA_IO, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (aba_report_write(r, fmt, f, err)) {
		fclose(f);
		unlink(tmp);
		goto out;
	}
	if (fclose(f) || rename(tmp, path)) {
		aba_fail(err, ABA_IO, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

/* The connection reports read from: --report-db (or $ABA_REPORT_DB), a
 * replica say, else the main one. */
static struct aba_db *report_db(struct cli *cli, const char *conninfo, struct aba_db **own,
				struct aba_err *err)
{
	*own = NULL;
	if (!conninfo || !*conninfo)
		return cli_db(cli, err);
	return aba_db_connect(conninfo, own, err) ? NULL : *own;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct report_opts o;
	struct aba_report r;
	struct aba_err err;
	struct aba_db *db, *own;
	int rc = parse_report(argc, argv, &o);

	if (rc)
		return rc;
	if (!(db = report_db(cli, o.report_db, &own, &err)))
		return cli_fail(&err);
	rc = aba_report_run(db, o.name, &o.p, &r, &err);
	aba_db_free(own);
	if (rc)
		return err.code == ABA_USAGE ? cli_usage("report", "%s", err.msg) : cli_fail(&err);
	if (o.output ? write_file(&r, o.format, o.output, &err)
		     : aba_report_write(&r, o.format, stdout, &err)) {
		aba_report_clear(&r);
		return cli_fail(&err);
	}
	/* Like `aba verify`: a broken invariant is a failed check. */
	rc = strcmp(o.name, "consistency") == 0 && r.nrows > 0;
	if (rc)
		fprintf(stderr, "aba: %d ledger problem%s found\n", r.nrows, r.nrows == 1 ? "" : "s");
	aba_report_clear(&r);
	return rc;
}

int cmd_report_list(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc > 1)
		return cli_usage("report list", "unexpected argument '%s'", argv[1]);
	for (int i = 0; i < aba_report_count; i++) {
		const struct aba_report_def *d = &aba_report_defs[i];

		printf("%-12s %s\n%-12s options:%s%s%s%s%s --format --output --report-db\n", d->name,
		       d->summary, "", d->options & ABA_REPORT_AS_OF ? " --as-of" : "",
		       d->options & ABA_REPORT_FROM ? " --from" : "",
		       d->options & ABA_REPORT_TO ? " --to" : "",
		       d->options & ABA_REPORT_LEVEL ? " --level" : "",
		       d->options & ABA_REPORT_TOP ? " --top" : "");
	}
	return 0;
}

int cmd_report_refresh(struct cli *cli, int argc, char **argv)
{
	struct aba_report_refresh t;
	struct aba_err err;
	struct aba_db *db;

	if (argc > 1)
		return cli_usage("report refresh", "unexpected argument '%s'", argv[1]);
	if (!(db = cli_db(cli, &err)) || aba_report_refresh(db, &t, &err))
		return cli_fail(&err);
	printf("report summaries cover history up to entry %lld and orders up to %lld"
	       " (%lld new history ids, %lld new order ids); %lld cards have points due"
	       " within 90 days\n",
	       (long long)t.history_upto, (long long)t.orders_upto, (long long)t.history_rows,
	       (long long)t.order_rows, (long long)t.expiring_cards);
	return 0;
}
