/* cli.c - shared plumbing of the CLI commands. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define ABA_COMMAND_ROW(words, fn, synopsis, summary) { words, fn, synopsis, summary },
const struct aba_command aba_commands[] = { ABA_COMMANDS(ABA_COMMAND_ROW) };
#undef ABA_COMMAND_ROW
const int aba_commands_count = sizeof(aba_commands) / sizeof(aba_commands[0]);

const struct aba_command *aba_command_find(int argc, char **argv, int *used)
{
	char two[128];

	if (argc >= 2) {
		snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
		for (int i = 0; i < aba_commands_count; i++)
			if (strcmp(aba_commands[i].words, two) == 0) {
				*used = 2;
				return &aba_commands[i];
			}
	}
	for (int i = 0; argc >= 1 && i < aba_commands_count; i++)
		if (strcmp(aba_commands[i].words, argv[0]) == 0) {
			*used = 1;
			return &aba_commands[i];
		}
	return NULL;
}

struct aba_db *cli_db(struct cli *cli, struct aba_err *err)
{
	if (!cli->db && aba_db_open(&cli->target, &cli->db, err))
		return NULL;
	return cli->db;
}

int cli_fail(const struct aba_err *err)
{
	fprintf(stderr, "aba: %s\n", err->msg);
	return aba_status_exit_code(err->code);
}

int cli_usage(const char *words, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "aba %s: ", words);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (int i = 0; i < aba_commands_count; i++)
		if (strcmp(aba_commands[i].words, words) == 0)
			fprintf(stderr, "usage: aba %s %s\n", words, aba_commands[i].synopsis);
	return 2;
}

int cli_bad_option(const char *words, char **argv)
{
	/* getopt_long has already stepped past the offending argument. */
	return cli_usage(words, "unknown option '%s'", argv[optind - 1]);
}

int cli_expect_args(const char *words, int argc, char **argv, int n)
{
	if (argc - optind < n)
		return cli_usage(words, "missing argument");
	if (argc - optind > n)
		return cli_usage(words, "unexpected argument '%s'", argv[optind + n]);
	return 0;
}
