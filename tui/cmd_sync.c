/* cmd_sync.c - aba sync run|status|retry. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_outbox.h"
#include "cli.h"
#include "commands.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "aba sync: %s\n", line);
}

int cmd_sync_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "exec", required_argument, NULL, 'e' },
		{ "once", no_argument, NULL, 'o' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct aba_sync_opts o = { .max_attempts = 10, .stop = &stop_requested, .log = log_line };
	struct sigaction sa;
	struct aba_sync_totals t;
	struct aba_err err;
	struct aba_db *db;
	int opt, rc;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 't') {
			o.to_file = optarg;
		} else if (opt == 'e') {
			o.exec_cmd = optarg;
		} else if (opt == 'o') {
			o.once = 1;
		} else if (opt == 'm') {
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 1000)
				return cli_usage("sync run", "--max-attempts takes a number from 1 to 1000");
			o.max_attempts = (int)v;
		} else {
			return cli_bad_option("sync run", argv);
		}
	}
	if ((rc = cli_expect_args("sync run", argc, argv, 0)))
		return rc;
	if (o.to_file && o.exec_cmd)
		return cli_usage("sync run", "give --to or --exec, not both");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait must end */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A command that exits without reading its event must not kill us. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (!(db = cli_db(cli, &err)) || aba_sync_run(db, &o, &t, &err))
		return cli_fail(&err);
	fprintf(stderr, "aba sync: %lld delivered, %lld failed attempts, %lld parked\n",
		(long long)t.delivered, (long long)t.failed, (long long)t.parked);
	return 0;
}

int cmd_sync_status(struct cli *cli, int argc, char **argv)
{
	struct aba_outbox_status st;
	struct aba_err err;
	struct aba_db *db;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("sync status", argv);
	if ((rc = cli_expect_args("sync status", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_outbox_status(db, &st, &err))
		return cli_fail(&err);
	printf("pending:    %lld (%lld failing, retried with backoff)\n", (long long)st.pending,
	       (long long)st.failing);
	printf("parked:     %lld\n", (long long)st.parked);
	printf("delivered:  %lld\n", (long long)st.delivered);
	if (st.oldest_pending_seconds >= 0)
		printf("oldest pending: %lld s ago\n", (long long)st.oldest_pending_seconds);
	else
		printf("oldest pending: none\n");
	return 0;
}

int cmd_sync_retry(struct cli *cli, int argc, char **argv)
{
	struct aba_err err;
	struct aba_db *db;
	int64_t n;
	int rc;

	if (getopt_long(argc, argv, "", (const struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("sync retry", argv);
	if ((rc = cli_expect_args("sync retry", argc, argv, 0)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_outbox_retry_parked(db, &n, &err))
		return cli_fail(&err);
	printf("%lld parked events are pending again\n", (long long)n);
	return 0;
}
