/* cmd_verify.c - aba verify: every ledger invariant, every card. */
#include <getopt.h>
#include <stdio.h>

#include "aba_ledger.h"
#include "cli.h"
#include "commands.h"

static void print_problem(void *arg, const struct aba_problem *p)
{
	(void)arg;
	printf("%-16s %-24s %s\n", p->card ? p->card : "(ledger)", p->check, p->detail);
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	const char *card = NULL;
	struct aba_err err;
	struct aba_db *db;
	long problems;

	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_bad_option("verify", argv);
	if (argc - optind > 1)
		return cli_usage("verify", "unexpected argument '%s'", argv[optind + 1]);
	if (argc - optind == 1)
		card = argv[optind];
	if (!(db = cli_db(cli, &err)) ||
	    aba_ledger_verify(db, card, print_problem, NULL, &problems, &err))
		return cli_fail(&err);
	if (problems) {
		printf("%ld problem%s found\n", problems, problems == 1 ? "" : "s");
		return 1;
	}
	printf("ledger consistent: every invariant holds%s%s\n", card ? " for card " : "",
	       card ? card : "");
	return 0;
}
