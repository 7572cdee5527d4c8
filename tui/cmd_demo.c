/* cmd_demo.c - aba demo seed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aba_demo.h"
#include "cli.h"
#include "commands.h"

static void progress(void *arg, const char *stage, long done, long total)
{
	(void)arg;
	if (total > 0)
		fprintf(stderr, "\rseeding demo data: %ld of %ld %s", done, total, stage);
	else
		fprintf(stderr, "\rseeding demo data: %ld %s", done, stage);
	if (done == total)
		fputc('\n', stderr);
}

static int parse_count(const char *s, long max, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *s && !*end && *out >= 0 && *out <= max ? 0 : -1;
}

int cmd_demo_seed(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "customers", required_argument, NULL, 'c' },
		{ "orders", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct aba_demo_opts o = { .customers = 50, .orders = -1, .now = (long)time(NULL) };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'c') {
			if (parse_count(optarg, 1000000, &o.customers) || o.customers < 1)
				return cli_usage("demo seed", "--customers takes a number from 1 to 1000000");
		} else if (opt == 'o') {
			if (parse_count(optarg, 10000000, &o.orders))
				return cli_usage("demo seed", "--orders takes a number from 0 to 10000000");
		} else {
			return cli_bad_option("demo seed", argv);
		}
	}
	if ((rc = cli_expect_args("demo seed", argc, argv, 0)))
		return rc;
	/* Big runs report progress even when stderr is a log file. */
	if (isatty(2) || o.customers > 1000 || o.orders > 10000)
		o.progress = progress;
	if (!(db = cli_db(cli, &err)) || aba_demo_seed(db, &o, &err))
		return cli_fail(&err);
	printf("demo data ready: %ld customers, %ld orders\n", o.customers,
	       o.orders < 0 ? o.customers * 8 : o.orders);
	return 0;
}
