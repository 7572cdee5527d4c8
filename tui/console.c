/* console.c - aba console: the main loop.
 *
 * The only place that refreshes the terminal (doupdate), follows resizes
 * and restores the terminal: on quit, on SIGINT/SIGTERM/SIGHUP and on a
 * crash signal.  Views sit on a stack; the tab bar switches the bottom one.
 * Ctrl-C during a slow engine call cancels the statement (PQcancel is safe
 * in a signal handler); a lost connection raises a reconnect prompt.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "aba_db.h"
#include "aba_overview.h"
#include "cli.h"
#include "commands.h"
#include "console.h"
#include "field.h"
#include "theme.h"

#define STACK_MAX 12

struct console {
	struct cli *cli;
	struct aba_db *db;
	char user[64], role[16];
	struct view stack[STACK_MAX];
	int depth;
	WINDOW *body;
	char status[256];
	int status_is_error;
	char saved[256];	/* the status line under a busy message */
	int saved_is_error, busy;
	int lost;		/* the connection is gone: reconnect prompt */
	int prompting;		/* the ':' command line is open */
	struct field prompt;
	int quit;
	long keys;		/* keys handled, for the tests' idle file */
	const char *idle_path;
};

static const struct {
	const struct view_ops *ops;
	enum request req;
} tabs[] = {
	{ &view_home_ops, REQ_VIEW_HOME },
	{ &view_cards_ops, REQ_VIEW_CARDS },
	{ &view_approvals_ops, REQ_VIEW_APPROVALS },
	{ &view_members_ops, REQ_VIEW_MEMBERS },
	{ &view_simulate_ops, REQ_VIEW_SIMULATE },
	{ &view_audit_ops, REQ_VIEW_AUDIT },
	{ &view_reports_ops, REQ_VIEW_REPORTS },
};

static volatile sig_atomic_t got_quit_signal;
static volatile sig_atomic_t got_cancel;	/* Ctrl-C while busy */
static PGcancel *volatile busy_cancel;	/* set while an engine call may be cancelled */

/* ---- terminal and signals ---- */

static void on_quit_signal(int sig)
{
	char errbuf[64];
	PGcancel *cancel = busy_cancel;

	/* Ctrl-C during a slow call cancels the call; otherwise it quits. */
	if (cancel) {
		got_cancel = 1;
		PQcancel(cancel, errbuf, sizeof(errbuf));
		if (sig == SIGINT)
			return;
	}
	got_quit_signal = 1;
}

/* What on_crash needs to give the terminal back, cached at start-up:
 * endwin() is not async-signal-safe (it allocates and writes through
 * curses' buffers, which the crash may have caught half-way), write(2)
 * and tcsetattr(3) are. */
static char crash_seq[256];	/* sgr0 cnorm rmkx rmcup */
static size_t crash_seq_len;
static struct termios crash_tio;	/* the terminal as the shell had it */
static int crash_have_tio;

static void crash_add(const char *cap)
{
	const char *s = tigetstr(cap), *pad_end;

	if (!s || s == (const char *)-1)
		return;
	for (; *s; s++) {
		/* "$<5>" is padding for tputs, not text for the terminal */
		if (s[0] == '$' && s[1] == '<' && (pad_end = strchr(s, '>'))) {
			s = pad_end;
			continue;
		}
		if (crash_seq_len < sizeof(crash_seq))
			crash_seq[crash_seq_len++] = *s;
	}
}

/* Before initscr(): the terminal's modes as they are now. */
static void crash_save_modes(void)
{
	crash_have_tio = tcgetattr(STDOUT_FILENO, &crash_tio) == 0;
}

/* After initscr(): the sequences that undo what curses turned on. */
static void crash_save_sequences(void)
{
	static const char *const caps[] = { "sgr0", "cnorm", "rmkx", "rmcup" };
	size_t len = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		crash_add(caps[i]);
		/* a capability cut short by a full buffer would garble the rest */
		if (crash_seq_len == sizeof(crash_seq)) {
			crash_seq_len = len;
			break;
		}
		len = crash_seq_len;
	}
}

static void on_crash(int sig)
{
	ssize_t n;

	/* Leave the terminal usable, then die the way we would have. */
	n = write(STDOUT_FILENO, crash_seq, crash_seq_len);
	(void)n;
	if (crash_have_tio)
		tcsetattr(STDOUT_FILENO, TCSANOW, &crash_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void make_body(struct console *c)
{
	if (c->body)
		delwin(c->body);
	c->body = derwin(stdscr, LINES > 2 ? LINES - 2 : 1, COLS, 1, 0);
}

static void start_terminal(struct console *c)
{
	crash_save_modes();
	initscr();
	crash_save_sequences();
	cbreak();	/* not raw(): Ctrl-C must still raise SIGINT */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	theme_init();
	install_signals();
	make_body(c);
}

/* ---- status line and feedback ---- */

void console_message(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->status, sizeof(c->status), fmt, ap);
	va_end(ap);
	c->status_is_error = 0;
}

void console_error(struct console *c, const struct aba_err *err)
{
	if (strcmp(err->sqlstate, "57014") == 0) {
		snprintf(c->status, sizeof(c->status), "cancelled");
	} else {
		snprintf(c->status, sizeof(c->status), "%s", err->msg);
		if (err->code == ABA_CONNECTION || (c->db && PQstatus(c->db->conn) == CONNECTION_BAD))
			c->lost = 1;
	}
	c->status_is_error = 1;
}

static void draw_status(struct console *c)
{
	char who[128];
	int wlen;

	snprintf(who, sizeof(who), " %s (%s) ", c->user, c->role);
	wlen = ui_width(who);
	if (c->prompting) {
		attrset(theme_attr(T_INPUT));
		ui_put(stdscr, LINES - 1, 0, 1, 1, ":");
		field_draw(stdscr, LINES - 1, 1, COLS - 1, &c->prompt, theme_attr(T_INPUT));
		return;
	}
	attrset(theme_attr(c->status_is_error ? T_ERROR : T_STATUS));
	ui_put(stdscr, LINES - 1, 0, COLS > wlen ? COLS - wlen : COLS, 1, c->status);
	if (COLS > wlen) {
		attrset(theme_attr(T_STATUS));
		ui_put(stdscr, LINES - 1, COLS - wlen, wlen, 1, who);
	}
	attrset(theme_attr(T_NORMAL));
}

void console_progress(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->status, sizeof(c->status), fmt, ap);
	va_end(ap);
	c->status_is_error = 0;
	draw_status(c);
	wnoutrefresh(stdscr);
	doupdate();
}

void console_busy(struct console *c, const char *what)
{
	/* What the status line said before comes back when the call ends: a
	 * reload after "request 7 is pending" must not wipe that out. */
	if (!c->busy++) {
		memcpy(c->saved, c->status, sizeof(c->saved));
		c->saved_is_error = c->status_is_error;
	}
	got_cancel = 0;
	if (c->db && !busy_cancel)
		busy_cancel = PQgetCancel(c->db->conn);
	console_progress(c, "%s... (Ctrl-C cancels)", what);
}

void console_idle(struct console *c)
{
	PGcancel *cancel = busy_cancel;

	if (c->busy && --c->busy)
		return;
	busy_cancel = NULL;
	if (cancel)
		PQfreeCancel(cancel);
	if (strstr(c->status, "(Ctrl-C cancels)")) {
		memcpy(c->status, c->saved, sizeof(c->status));
		c->status_is_error = c->saved_is_error;
	}
}

int console_cancelled(struct console *c)
{
	(void)c;
	return got_cancel != 0;
}

struct aba_db *console_db(struct console *c)
{
	if (c->lost) {
		struct aba_err err = { ABA_CONNECTION, "08006", "lost the connection to the database" };

		console_error(c, &err);
		return NULL;
	}
	return c->db;
}

const char *console_user(const struct console *c)
{
	return c->user;
}

const char *console_role(const struct console *c)
{
	return c->role;
}

/* ---- the view stack ---- */

static struct view *top(struct console *c)
{
	return c->depth ? &c->stack[c->depth - 1] : NULL;
}

const struct view *console_below(const struct console *c)
{
	return c->depth >= 2 ? &c->stack[c->depth - 2] : NULL;
}

static void pop(struct console *c)
{
	struct view *v = top(c);

	if (!v)
		return;
	if (v->ops->close)
		v->ops->close(v);
	memset(v, 0, sizeof(*v));
	c->depth--;
}

int console_push(struct console *c, const struct view_ops *ops, const char *arg)
{
	struct view *v;

	if (c->depth == STACK_MAX) {
		console_message(c, "too many screens open: close one with q");
		return -1;
	}
	v = &c->stack[c->depth++];
	memset(v, 0, sizeof(*v));
	v->ops = ops;
	v->con = c;
	if (ops->open(v, arg)) {
		pop(c);
		return -1;
	}
	return 0;
}

static void switch_tab(struct console *c, const struct view_ops *ops, const char *arg)
{
	while (c->depth)
		pop(c);
	if (console_push(c, ops, arg) && ops != &view_home_ops)
		console_push(c, &view_home_ops, NULL);
}

/* ---- drawing ---- */

static const char *key_of(enum request r, char *buf)
{
	for (const struct keymap *k = keys_global; k->req != REQ_NONE; k++)
		if (k->req == r)
			return key_label(k->key, buf);
	return "";
}

static void draw_tabs(struct console *c)
{
	static const char hint[] = "?:help  ::command  q:back ";
	int x;

	attrset(theme_attr(T_TITLE));
	x = ui_put(stdscr, 0, 0, COLS, 0, " aba ");
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]) && x < COLS; i++) {
		char label[64], k[16];
		int active = c->depth && c->stack[0].ops == tabs[i].ops;

		snprintf(label, sizeof(label), " %s %s ", key_of(tabs[i].req, k), tabs[i].ops->name);
		attrset(theme_attr(active ? T_TAB_ACTIVE : T_TAB));
		x += ui_put(stdscr, 0, x, COLS - x, 0, label);
	}
	attrset(theme_attr(T_TAB));
	/* The hint only where it fits whole: at 80 columns the tabs come first. */
	if (COLS - x >= ui_width(hint))
		ui_put_right(stdscr, 0, x, COLS - x, hint);
	else if (COLS - x >= 8)
		ui_put_right(stdscr, 0, x, COLS - x, "?:help ");
	else if (x < COLS)
		ui_put(stdscr, 0, x, COLS - x, 1, "");
	attrset(theme_attr(T_NORMAL));
}

static void draw_lost(struct console *c)
{
	int y = getmaxy(c->body) / 2;

	wattrset(c->body, theme_attr(T_ERROR));
	ui_put(c->body, y, 2, COLS - 4, 1, " the connection to the database is lost ");
	ui_put(c->body, y + 1, 2, COLS - 4, 1, " r: reconnect    Q: quit ");
	wattrset(c->body, theme_attr(T_NORMAL));
}

static void draw(struct console *c)
{
	struct view *v = top(c);

	erase();
	draw_tabs(c);
	if (v)
		v->ops->draw(v, c->body);
	if (c->lost)
		draw_lost(c);
	draw_status(c);
	curs_set(c->prompting || (v && v->editing) ? 1 : 0);
	if (c->prompting)
		move(LINES - 1, 1 + ui_width(c->prompt.text) < COLS ? 1 + ui_width(c->prompt.text) : COLS - 1);
	else if (v && v->editing)
		move(1 + v->cy, v->cx);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Tests wait for this file: "<keys handled> <ms the last key took>". */
static void mark_idle(struct console *c, long ms)
{
	char tmp[512], line[64];
	int fd, n;

	if (!c->idle_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", c->idle_path);
	n = snprintf(line, sizeof(line), "%ld %ld\n", c->keys, ms);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n) {
		close(fd);
		return;
	}
	close(fd);
	rename(tmp, c->idle_path);
}

/* ---- keys ---- */

static int read_key(int *key)
{
	wint_t wc;
	int rc = get_wch(&wc);

	if (rc == ERR)
		return ERR;
	if (rc == KEY_CODE_YES || wc < 128)
		*key = (int)wc;
	else
		*key = (int)wc | UI_WCHAR;
	return OK;
}

static void run_command(struct console *c, char *line);

int console_key_pending(struct console *c)
{
	wint_t wc;
	int rc;

	(void)c;
	timeout(0);
	rc = get_wch(&wc);
	timeout(250);
	if (rc == ERR)
		return 0;
	/* Put it back where it came from: function keys are not characters. */
	if (rc == KEY_CODE_YES)
		ungetch((int)wc);
	else
		unget_wch((wchar_t)wc);
	return 1;
}

static void global_request(struct console *c, enum request req)
{
	char msg[128];

	switch (req) {
	case REQ_VIEW_HOME:
	case REQ_VIEW_CARDS:
	case REQ_VIEW_APPROVALS:
	case REQ_VIEW_MEMBERS:
	case REQ_VIEW_SIMULATE:
	case REQ_VIEW_AUDIT:
	case REQ_VIEW_REPORTS:
		for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
			if (tabs[i].req == req)
				switch_tab(c, tabs[i].ops, NULL);
		break;
	case REQ_VIEW_HELP:
		if (top(c)->ops != &view_help_ops)
			console_push(c, &view_help_ops, NULL);
		break;
	case REQ_PROMPT:
		c->prompting = 1;
		field_set(&c->prompt, "");
		break;
	case REQ_BACK:
		if (c->depth > 1)
			pop(c);
		else if (top(c)->ops != &view_home_ops)
			switch_tab(c, &view_home_ops, NULL);
		else
			c->quit = 1;
		if (top(c) && top(c)->stale) {
			top(c)->stale = 0;
			top(c)->ops->key(top(c), REQ_REFRESH, 0);
		}
		break;
	case REQ_QUIT:
		c->quit = 1;
		break;
	case REQ_THEME:
		if (theme_set(theme_next_name(), msg, sizeof(msg)) == 0)
			console_message(c, "theme %s", theme_current());
		else
			console_message(c, "%s", msg);
		break;
	default:
		break;
	}
}

/* Printable keys belong to a field being typed in, not to key bindings. */
static int is_typing_key(int key)
{
	return UI_IS_WCHAR(key) || (key >= 32 && key < 127) || key == KEY_BACKSPACE ||
	       key == 127 || key == ctrl('h') || key == ctrl('u') || key == ctrl('w');
}

/* What a view's answer to a request asks of the console. */
static void react(struct console *c, int r, enum request req)
{
	if (r & R_RELOAD)
		for (int i = 0; i < c->depth - 1; i++)
			c->stack[i].stale = 1;
	if (r & R_QUIT)
		c->quit = 1;
	if (r & R_BACK)
		global_request(c, REQ_BACK);
	if (r & R_UNHANDLED)
		global_request(c, req);
}

static void view_key(struct console *c, int key)
{
	struct view *v = top(c);
	enum request req = REQ_NONE;

	if (!(v->editing && is_typing_key(key))) {
		req = keymap_lookup(v->ops->keys, key);
		if (req == REQ_NONE)
			req = keymap_lookup(keys_global, key);
	}
	react(c, v->ops->key(v, req, key), req);
}

static void complete_prompt(struct console *c)
{
	char list[200] = "", *sp;
	const char *only = NULL;
	int n = 0;

	if ((sp = strchr(c->prompt.text, ' ')))
		return;
	for (int r = 1; r < REQ_COUNT; r++) {
		const char *name = request_name((enum request)r);

		if (!*name || strncmp(name, c->prompt.text, (size_t)c->prompt.len) != 0)
			continue;
		only = name;
		n++;
		if (strlen(list) + strlen(name) + 2 < sizeof(list))
			strcat(strcat(list, name), " ");
	}
	if (n == 1) {
		field_set(&c->prompt, only);
		field_key(&c->prompt, ' ');
	} else {
		console_message(c, "%s", n ? list : "no command starts so");
	}
}

static void prompt_key(struct console *c, int key)
{
	char line[FIELD_MAX];

	if (key == KEY_ESC) {
		c->prompting = 0;
	} else if (key == '\t') {
		complete_prompt(c);
	} else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		c->prompting = 0;
		snprintf(line, sizeof(line), "%s", c->prompt.text);
		run_command(c, line);
	} else if (!field_key(&c->prompt, key) && key == KEY_BACKSPACE) {
		c->prompting = 0;
	}
}

/* :home, :cards TEXT, :card CODE, :theme NAME, :help, :quit ... */
static void run_command(struct console *c, char *line)
{
	char *name = strtok(line, " "), *arg = strtok(NULL, "");
	enum request req;
	char msg[128];

	if (!name)
		return;
	while (arg && *arg == ' ')
		arg++;
	req = request_find(name);
	if (req == REQ_VIEW_CARD && arg && *arg)
		console_push(c, &view_card_ops, arg);
	else if (req == REQ_VIEW_CARD)
		console_message(c, "which card? :card CODE");
	else if (req == REQ_VIEW_CARDS && arg && *arg)
		switch_tab(c, &view_cards_ops, arg);
	else if (req == REQ_THEME && arg && *arg && theme_set(arg, msg, sizeof(msg)))
		console_message(c, "%s", msg);
	else if (req == REQ_THEME && arg && *arg)
		console_message(c, "theme %s", theme_current());
	else if (req == REQ_NONE)
		console_message(c, "no command '%.60s' (Tab after : lists them)", name);
	else if (top(c)->ops->command && arg && *arg)
		react(c, top(c)->ops->command(top(c), req, arg), req);
	else
		react(c, top(c)->ops->key(top(c), req, 0), req);
}

static void reconnect_key(struct console *c, int key)
{
	if (key == 'Q' || key == 'q') {
		c->quit = 1;
		return;
	}
	if (key != 'r')
		return;
	PQreset(c->db->conn);
	if (PQstatus(c->db->conn) != CONNECTION_OK) {
		console_message(c, "still no connection: r tries again, Q quits");
		c->status_is_error = 1;
		return;
	}
	c->lost = 0;
	c->status[0] = '\0';
	c->status_is_error = 0;
	if (top(c))
		top(c)->ops->key(top(c), REQ_REFRESH, 0);
	if (!c->status_is_error)
		console_message(c, "reconnected");
}

static void handle_key(struct console *c, int key)
{
	c->keys++;
	if (!c->lost && !c->prompting)
		c->status[0] = '\0';
	if (c->lost)
		reconnect_key(c, key);
	else if (c->prompting)
		prompt_key(c, key);
	else
		view_key(c, key);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void main_loop(struct console *c)
{
	struct timespec t0;
	long ms = 0;
	int key;

	/* A timeout, so that quit signals are noticed while waiting for keys. */
	timeout(250);
	draw(c);
	mark_idle(c, ms);
	while (!c->quit && !got_quit_signal && c->depth) {
		if (read_key(&key) == ERR)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (key == KEY_RESIZE) {
			c->keys++;
			make_body(c);
			clearok(curscr, TRUE);
		} else {
			handle_key(c, key);
		}
		if (c->quit || !c->depth)
			break;
		draw(c);
		ms = elapsed_ms(&t0);
		mark_idle(c, ms);
	}
}

/* ---- aba console ---- */

static int parse_args(int argc, char **argv, const char **theme, const char **card)
{
	static const struct option opts[] = { { "theme", required_argument, NULL, 't' }, { 0 } };
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 't')
			return cli_usage("console", "unknown option");
		*theme = optarg;
	}
	if (argc - optind > 1)
		return cli_usage("console", "unexpected argument '%s'", argv[optind + 1]);
	*card = argc - optind == 1 ? argv[optind] : NULL;
	return 0;
}

static void start_views(struct console *c, const char *theme, const char *card)
{
	char msg[128];

	if (theme && theme_set(theme, msg, sizeof(msg)))
		console_message(c, "%s", msg);
	switch_tab(c, &view_home_ops, NULL);
	if (card)
		console_push(c, &view_card_ops, card);
}

int cmd_console(struct cli *cli, int argc, char **argv)
{
	struct console *c;
	const char *theme = NULL, *card = NULL;
	struct aba_err err;
	int rc;

	if ((rc = parse_args(argc, argv, &theme, &card)))
		return rc;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "aba console: needs a terminal (try 'aba shell' or the commands)\n");
		return 2;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return cli_fail(&(struct aba_err){ ABA_NOMEM, "", "out of memory" });
	c->cli = cli;
	c->idle_path = getenv("ABA_CONSOLE_IDLE");
	/* Connect (and start the embedded cluster) before the screen takes over. */
	if (!(c->db = cli_db(cli, &err)) ||
	    aba_overview_role(c->db, c->user, sizeof(c->user), c->role, sizeof(c->role), &err)) {
		free(c);
		return cli_fail(&err);
	}
	/* A lost connection is the user's call (reconnect prompt): one quiet
	 * attempt, no 20 s wait behind a frozen screen. */
	c->db->reconnect_ms = 0;
	setlocale(LC_ALL, "");
	start_terminal(c);
	start_views(c, theme, card);
	main_loop(c);
	while (c->depth)
		pop(c);
	delwin(c->body);
	endwin();
	free(c);
	return got_quit_signal ? 130 : 0;
}
