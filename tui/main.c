/* main.c - aba: global options, then one command from commands.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: aba [--db CONNINFO] [--user NAME] COMMAND [ARGS]\n\n"
		   "Loyalty back office: points ledger, approvals, membership, promotions.\n\n"
		   "Commands:\n");
	for (int i = 0; i < aba_commands_count; i++)
		fprintf(f, "  %-16s %s\n", aba_commands[i].words, aba_commands[i].summary);
	fprintf(f, "\nWith no --db, PGSERVICE, PGHOST or PGDATABASE, aba uses its own PostgreSQL\n"
		   "under $ABA_HOME (default ~/.local/share/aba).  See aba(1).\n");
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct aba_command *c;
	int used;

	(void)cli;
	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	c = aba_command_find(argc - 1, argv + 1, &used);
	if (!c) {
		fprintf(stderr, "aba: no command '%s'\n", argv[1]);
		return 2;
	}
	printf("usage: aba %s %s\n%s\n", c->words, c->synopsis, c->summary);
	return 0;
}

/* Global options come before the command: --db, --user, --help, --version. */
static int parse_global(struct cli *cli, int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("aba " ABA_VERSION "\n");
			exit(0);
		} else if ((strcmp(a, "--db") == 0 || strcmp(a, "--user") == 0) && i + 1 < argc) {
			if (a[2] == 'd')
				cli->target.conninfo = argv[++i];
			else
				cli->target.user = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli->target.conninfo = a + 5;
		} else if (strncmp(a, "--user=", 7) == 0) {
			cli->target.user = a + 7;
		} else {
			fprintf(stderr, "aba: unknown option '%s'\n", a);
			print_usage(stderr);
			exit(2);
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct aba_command *c;
	int first, used, rc;

	first = parse_global(&cli, argc, argv);
	if (first >= argc) {
		print_usage(stderr);
		return 2;
	}
	c = aba_command_find(argc - first, argv + first, &used);
	if (!c) {
		fprintf(stderr, "aba: no command '%s' (see 'aba help')\n", argv[first]);
		return 2;
	}
	/* The command sees its last word as argv[0], getopt-style; getopt's
	 * own messages are replaced by cli_bad_option's. */
	optind = 0;
	opterr = 0;
	rc = c->run(&cli, argc - first - used + 1, argv + first + used - 1);
	aba_db_free(cli.db);
	return rc;
}
