/* fuzz_cli.c - libFuzzer target: the argument parsing of every aba
 * command.  The input is the command line, one argument per line; the
 * command named by the first words runs with the rest, exactly as main()
 * dispatches it.
 *
 * No database is ever reached: the binary is linked with --wrap so that
 * opening a connection (the --db target, --report-db, the embedded
 * cluster) fails at once, as with a server down.  So each command parses
 * and checks its arguments and then stops with a clear error.  Arguments
 * naming a path ('/') are skipped, so that no file outside the scratch
 * directory the fuzzer runs in is read or written; standard input is
 * /dev/null.  console and shell (a terminal) are skipped.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_cluster.h"
#include "aba_db.h"
#include "cli.h"
#include "commands.h"

#define MAX_ARGS 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int __wrap_aba_db_open(const struct aba_db_target *t, struct aba_db **out, struct aba_err *err);
int __wrap_aba_db_connect(const char *conninfo, struct aba_db **out, struct aba_err *err);
int __wrap_aba_cluster_locate(struct aba_cluster *c, const char *home, struct aba_err *err);

int __wrap_aba_db_open(const struct aba_db_target *t, struct aba_db **out, struct aba_err *err)
{
	(void)t, (void)out;
	return aba_fail(err, ABA_CONNECTION, "cannot connect to the database: fuzz");
}

int __wrap_aba_db_connect(const char *conninfo, struct aba_db **out, struct aba_err *err)
{
	(void)conninfo, (void)out;
	return aba_fail(err, ABA_CONNECTION, "cannot connect to the database: fuzz");
}

int __wrap_aba_cluster_locate(struct aba_cluster *c, const char *home, struct aba_err *err)
{
	(void)c, (void)home;
	return aba_fail(err, ABA_IO, "fuzz: no cluster");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!freopen("/dev/null", "r", stdin))
		abort();
	return 0;
}

/* Splits the input into argv[1..] at newlines; 0 when it is not a
 * command line worth running. */
static int split(char *text, size_t size, char **argv, int *argc)
{
	char *p = text;

	*argc = 0;
	argv[(*argc)++] = "aba";
	while (p <= text + size && *argc < MAX_ARGS) {
		char *nl = memchr(p, '\n', (size_t)(text + size - p));

		if (nl)
			*nl = '\0';
		if (strchr(p, '/'))
			return 0;
		argv[(*argc)++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	argv[*argc] = NULL;
	return *argc > 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_ARGS + 1];
	struct cli cli = { .target = { .conninfo = "dbname=fuzz" } };
	const struct aba_command *c;
	int argc, used, rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) == size && split(text, size, argv, &argc) &&
	    (c = aba_command_find(argc - 1, argv + 1, &used)) &&
	    strcmp(c->words, "console") != 0 && strcmp(c->words, "shell") != 0) {
		optind = 0;
		opterr = 0;
		rc = c->run(&cli, argc - 1 - used + 1, argv + 1 + used - 1);
		if (rc == 0 && strcmp(c->words, "help") != 0 && strcmp(c->words, "report list") != 0)
			abort();	/* without a database nothing else can succeed */
		if (cli.db)
			abort();
	}
	free(text);
	return 0;
}
