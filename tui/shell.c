/* shell.c - aba shell: the CLI's commands in a libedit REPL.
 *
 * History lives in ~/.local/share/aba/history.  Tab completes what the
 * command table (commands.h) names: command words, then card codes where
 * a command takes a CARD or CODE, report names after `report`, reason
 * codes after --reason.  Everything runs through the same cmd_* functions
 * as `aba COMMAND`, on one connection.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "aba_approval.h"
#include "aba_card.h"
#include "aba_report.h"
#include "cli.h"
#include "commands.h"

#define SHELL_MAX_ARGS 64
#define HISTORY_LINES 1000

static struct cli *shell_cli;	/* for completion callbacks, which take no argument */

/* Candidates for the word being completed, collected before libedit asks. */
struct candidates {
	char **v;
	int n, cap;
};
static struct candidates cands;

static void cands_add(const char *word, const char *prefix)
{
	char **nv;

	if (strncmp(word, prefix, strlen(prefix)) != 0)
		return;
	for (int i = 0; i < cands.n; i++)
		if (strcmp(cands.v[i], word) == 0)
			return;
	if (cands.n == cands.cap) {
		nv = realloc(cands.v, (size_t)(cands.cap ? cands.cap * 2 : 32) * sizeof(*nv));
		if (!nv)
			return;
		cands.v = nv;
		cands.cap = cands.cap ? cands.cap * 2 : 32;
	}
	if ((cands.v[cands.n] = strdup(word)))
		cands.n++;
}

static void cands_clear(void)
{
	for (int i = 0; i < cands.n; i++)
		free(cands.v[i]);
	cands.n = 0;
}

/* Splits a line into words: blanks separate, '…' and "…" quote, \ escapes.
 * Modifies line; returns the number of words, -1 on an open quote. */
static int split(char *line, char **argv, int max)
{
	int argc = 0;
	char *r = line, *w = line;

	while (*r) {
		char quote = 0;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (argc == max - 1)
			return -1;
		argv[argc++] = w;
		for (; *r && (quote || (*r != ' ' && *r != '\t')); r++) {
			if (!quote && (*r == '\'' || *r == '"'))
				quote = *r;
			else if (quote && *r == quote)
				quote = 0;
			else if (*r == '\\' && r[1] && quote != '\'')
				*w++ = *++r;
			else
				*w++ = *r;
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* ---- completion ---- */

static void add_card(void *arg, const struct aba_card_row *r)
{
	cands_add(r->code, arg);
}

static void add_reason(void *arg, const struct aba_reason *r)
{
	if (r->active)
		cands_add(r->code, arg);
}

static void complete_command_word(char **words, int nwords, const char *prefix)
{
	for (int i = 0; i < aba_commands_count; i++) {
		const char *w = aba_commands[i].words, *sp = strchr(w, ' ');
		char first[64];

		snprintf(first, sizeof(first), "%.*s", sp ? (int)(sp - w) : (int)strlen(w), w);
		if (nwords == 0)
			cands_add(first, prefix);
		else if (sp && strcmp(first, words[0]) == 0)
			cands_add(sp + 1, prefix);
	}
	if (nwords == 0) {
		cands_add("quit", prefix);
		cands_add("exit", prefix);
	}
}

/* An argument: what the command's synopsis says goes there. */
static void complete_argument(char **words, int nwords, const char *prefix)
{
	struct aba_err err;
	struct aba_db *db;
	const struct aba_command *c;
	int used;

	if (strcmp(words[nwords - 1], "--reason") == 0) {
		if ((db = cli_db(shell_cli, &err)))
			aba_reason_list(db, add_reason, (void *)prefix, &err);
		return;
	}
	c = aba_command_find(nwords, words, &used);
	/* Only the first argument after the command words names a card or report. */
	if (!c || prefix[0] == '-' || nwords != used)
		return;
	if (strcmp(c->words, "report") == 0) {
		for (int i = 0; i < aba_report_count; i++)
			cands_add(aba_report_defs[i].name, prefix);
		return;
	}
	if ((strstr(c->synopsis, "CARD") || strstr(c->synopsis, "CODE")) &&
	    strcmp(c->words, "card create") != 0 && (db = cli_db(shell_cli, &err)))
		aba_card_list(db, *prefix ? prefix : NULL, 200, 0, add_card, (void *)prefix, &err);
}

static char *next_candidate(const char *text, int state)
{
	static int i;

	(void)text;
	if (state == 0)
		i = 0;
	return i < cands.n ? strdup(cands.v[i++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	char before[1024], *words[SHELL_MAX_ARGS];
	int nwords, used;

	(void)end;
	cands_clear();
	snprintf(before, sizeof(before), "%.*s", start, rl_line_buffer);
	nwords = split(before, words, SHELL_MAX_ARGS);
	if (nwords < 0)
		return NULL;
	if (nwords <= 1)
		complete_command_word(words, nwords, text);
	if (nwords >= 1 && aba_command_find(nwords, words, &used))
		complete_argument(words, nwords, text);
	rl_attempted_completion_over = 1;
	return cands.n ? rl_completion_matches(text, next_candidate) : NULL;
}

/* ---- the loop ---- */

static void history_path(char *buf, size_t size)
{
	const char *home = getenv("HOME");
	char dir[900];

	buf[0] = '\0';
	if (!home || !*home)
		return;
	snprintf(dir, sizeof(dir), "%s/.local", home);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.local/share", home);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.local/share/aba", home);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return;
	snprintf(buf, size, "%s/history", dir);
}

static int run_line(struct cli *cli, char *line)
{
	char *argv[SHELL_MAX_ARGS];
	const struct aba_command *c;
	int argc = split(line, argv, SHELL_MAX_ARGS), used;

	if (argc < 0) {
		fprintf(stderr, "aba: unclosed quote or too many words\n");
		return 0;
	}
	if (argc == 0)
		return 0;
	if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0)
		return 1;
	c = aba_command_find(argc, argv, &used);
	if (!c)
		fprintf(stderr, "aba: no command '%s' (help lists them)\n", argv[0]);
	else if (c->run == cmd_shell)
		fprintf(stderr, "aba: already in the shell\n");
	else {
		optind = 0;	/* getopt starts over for every command */
		c->run(cli, argc - used + 1, argv + used - 1);
	}
	fflush(stdout);
	return 0;
}

int cmd_shell(struct cli *cli, int argc, char **argv)
{
	char hist[1024], *line;

	if (argc > 1)
		return cli_usage("shell", "unexpected argument '%s'", argv[1]);
	shell_cli = cli;
	rl_readline_name = "aba";
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t";
	history_path(hist, sizeof(hist));
	stifle_history(HISTORY_LINES);
	if (*hist)
		read_history(hist);
	while ((line = readline(isatty(STDIN_FILENO) ? "aba> " : "")) != NULL) {
		int done;

		if (*line)
			add_history(line);
		done = run_line(cli, line);
		free(line);
		if (done)
			break;
	}
	if (*hist && write_history(hist) != 0)
		fprintf(stderr, "aba: cannot write the history to %s\n", hist);
	cands_clear();
	free(cands.v);
	return 0;
}
