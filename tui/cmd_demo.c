/* cmd_demo.c - aba demo seed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "aba_demo.h"
#include "cli.h"
#include "commands.h"

static void progress(void *arg, int done, int total)
{
	(void)arg;
	if (done == total || done % 25 == 0)
		fprintf(stderr, "\rseeding demo data: %d of %d customers", done, total);
	if (done == total)
		fputc('\n', stderr);
}

int cmd_demo_seed(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "customers", required_argument, NULL, 'c' }, { 0 } };
	struct aba_demo_opts o = { .customers = 50, .now = (long)time(NULL) };
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long n;

		if (opt != 'c')
			return cli_bad_option("demo seed", argv);
		n = strtol(optarg, &end, 10);
		if (*end || n < 1 || n > 9999)
			return cli_usage("demo seed", "--customers takes a number from 1 to 9999");
		o.customers = (int)n;
	}
	if ((rc = cli_expect_args("demo seed", argc, argv, 0)))
		return rc;
	if (isatty(2))
		o.progress = progress;
	if (!(db = cli_db(cli, &err)) || aba_demo_seed(db, &o, &err))
		return cli_fail(&err);
	printf("demo data ready: %d customers\n", o.customers);
	return 0;
}
