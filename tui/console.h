/* console.h - what views may ask of the console: the connection, the
 * status line, opening another view, and feedback during slow calls. */
#ifndef ABA_CONSOLE_H
#define ABA_CONSOLE_H

#include "aba_err.h"
#include "view.h"

struct aba_db;

/* The connection, or NULL (status set) while it is lost. */
struct aba_db *console_db(struct console *c);
/* The signed-in user and their strongest role, for screens that care. */
const char *console_user(const struct console *c);
const char *console_role(const struct console *c);

/* The status line: an engine error in plain words (a lost connection
 * also raises the reconnect prompt), or a message. */
void console_error(struct console *c, const struct aba_err *err);
void console_message(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Opens a view on top of the current one; -1 when it could not load. */
int console_push(struct console *c, const struct view_ops *ops, const char *arg);
/* The view under the current one (for help), or NULL. */
const struct view *console_below(const struct console *c);

/* Whether another key is already waiting (typed ahead), so that a view
 * can skip work the next key makes obsolete. */
int console_key_pending(struct console *c);

/* Around a call that may be slow: shows "what ... (Ctrl-C cancels)" at
 * once and lets Ctrl-C cancel the running statement.  progress updates
 * the text during the call. */
void console_busy(struct console *c, const char *what);
void console_progress(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void console_idle(struct console *c);
/* Whether Ctrl-C was pressed since console_busy: long work that runs
 * between statements (walking a chain row by row) stops when it is. */
int console_cancelled(struct console *c);

#endif
