/* cmd_db.c - aba db init|migrate|status|stop. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aba_cluster.h"
#include "aba_migrate.h"
#include "cli.h"
#include "commands.h"

static int no_options(const char *words, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };

	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_bad_option(words, argv);
	return cli_expect_args(words, argc, argv, 0);
}

static void print_progress(void *arg, const char *name)
{
	(void)arg;
	printf("applying %s\n", name);
}

int cmd_db_init(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_migrate_status st;
	struct aba_db *db;
	int rc = no_options("db init", argc, argv);

	if (rc)
		return rc;
	db = cli_db(cli, &err);
	if (!db || aba_migrate_status(db, &st, &err))
		return cli_fail(&err);
	printf("database ready: schema %s (%d of %d migrations)\n", st.latest, st.applied,
	       st.available);
	return 0;
}

int cmd_db_migrate(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int rc = no_options("db migrate", argc, argv);

	if (rc)
		return rc;
	db = cli_db(cli, &err);
	if (!db || aba_migrate(db, print_progress, NULL, &err))
		return cli_fail(&err);
	printf("schema up to date\n");
	return 0;
}

static int embedded_status(struct cli *cli)
{
	struct aba_cluster c;
	struct aba_err err;
	char conninfo[1024];

	if (aba_cluster_locate(&c, cli->target.home, &err))
		return cli_fail(&err);
	printf("cluster:     %s (%s)\n", c.data,
	       !aba_cluster_is_initialized(&c) ? "not initialised"
	       : aba_cluster_is_running(&c) ? "running" : "stopped");
	aba_cluster_conninfo(&c, ABA_CLUSTER_DBNAME, conninfo, sizeof(conninfo));
	printf("connection:  %s\n", conninfo);
	printf("server log:  %s/server.log\n", c.logdir);
	return aba_cluster_is_running(&c) ? 0 : 1;
}

int cmd_db_status(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_migrate_status st;
	struct aba_db *db;
	int rc = no_options("db status", argc, argv);

	if (rc)
		return rc;
	if (aba_db_target_is_embedded(&cli->target) && embedded_status(cli) != 0)
		return 1;	/* stopped: say so rather than start it */
	db = cli_db(cli, &err);
	if (!db || aba_migrate_status(db, &st, &err))
		return cli_fail(&err);
	if (!aba_db_target_is_embedded(&cli->target))
		printf("connection:  host=%s port=%s dbname=%s user=%s\n", PQhost(db->conn),
		       PQport(db->conn), PQdb(db->conn), PQuser(db->conn));
	printf("schema:      %s (%d of %d migrations applied)\n",
	       st.applied ? st.latest : "none", st.applied, st.available);
	if (st.changed)
		printf("warning:     %d applied migrations differ from this aba's sql/\n", st.changed);
	if (st.applied < st.available)
		printf("pending:     %d migrations (run 'aba db migrate')\n", st.available - st.applied);
	return 0;
}

int cmd_db_stop(struct cli *cli, int argc, char **argv)
{
	struct aba_cluster c;
	struct aba_err err;
	int rc = no_options("db stop", argc, argv);

	if (rc)
		return rc;
	if (!aba_db_target_is_embedded(&cli->target)) {
		aba_fail(&err, ABA_USAGE, "db stop only stops the embedded cluster");
		return cli_fail(&err);
	}
	if (aba_cluster_locate(&c, cli->target.home, &err) || aba_cluster_stop(&c, &err))
		return cli_fail(&err);
	printf("embedded server stopped\n");
	return 0;
}
