/* cli.h - what every command shares: the database target, the lazily
 * opened connection, and the way errors and usage mistakes are reported.
 */
#ifndef ABA_CLI_H
#define ABA_CLI_H

#include <stdio.h>

#include "aba_db.h"
#include "aba_err.h"

struct cli {
	struct aba_db_target target;
	struct aba_db *db;		/* opened by cli_db() on first use */
};

/* The connection, opened (and for the embedded cluster, started and
 * migrated) on first use.  NULL with err set when it cannot be had. */
struct aba_db *cli_db(struct cli *cli, struct aba_err *err);

/* Prints "aba: MESSAGE" on stderr; returns the status's exit code. */
int cli_fail(const struct aba_err *err);

/* Prints "aba WORDS: MESSAGE" and the command's usage; returns 2. */
int cli_usage(const char *words, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For getopt_long's '?': "unknown option '--bogus'" and the usage; 2. */
int cli_bad_option(const char *words, char **argv);

/* Checks that exactly n positional arguments remain after options. */
int cli_expect_args(const char *words, int argc, char **argv, int n);

#endif
