/* cmd_staff.c - aba staff add|list: staff logins (admins). */
#include <getopt.h>
#include <stdio.h>

#include "aba_staff.h"
#include "cli.h"
#include "commands.h"

int cmd_staff_add(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("staff add", argv);
	if ((rc = cli_expect_args("staff add", argc, argv, 2)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_staff_add(db, argv[optind], argv[optind + 1], &err))
		return cli_fail(&err);
	printf("staff login '%s' added as %s; act as it with: aba --user %s ...\n", argv[optind],
	       argv[optind + 1], argv[optind]);
	return 0;
}

static void print_staff(void *arg, const struct aba_staff *s)
{
	(void)arg;
	printf("%-20s %-30s %s\n", s->name, s->roles, s->can_login ? "" : "(cannot log in)");
}

int cmd_staff_list(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("staff list", argv);
	if ((rc = cli_expect_args("staff list", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_staff_list(db, print_staff, NULL, &err))
		return cli_fail(&err);
	return 0;
}
