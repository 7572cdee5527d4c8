/* view.h - a console screen: four operations and a key table.
 *
 * Each view_<name>.c ends with a const struct view_ops.  Handlers return
 * reaction flags; only console.c refreshes the terminal, so a view never
 * calls doupdate() or refresh().
 */
#ifndef ABA_VIEW_H
#define ABA_VIEW_H

#include "keys.h"
#include "ui.h"

struct console;

/* What the main loop does after a key. */
enum reaction {
	R_NONE = 0,
	R_REDRAW = 1 << 0,	/* draw the view again */
	R_RELOAD = 1 << 1,	/* the view below changed: reload it when it shows again */
	R_BACK = 1 << 2,	/* close this view */
	R_QUIT = 1 << 3,	/* leave the console */
	R_UNHANDLED = 1 << 4,	/* not mine: let the global keys have it */
};

struct view {
	const struct view_ops *ops;
	struct console *con;
	void *priv;
	int editing;		/* typing in a field: printable keys go to the view */
	int stale;		/* reload (REQ_REFRESH) before the next draw */
	int cy, cx;		/* where the text cursor goes while editing */
};

struct view_ops {
	const char *name;	/* the tab label and :command name */
	const struct keymap *keys;	/* looked up before keys_global */
	/* Loads the view; -1 leaves an error on the status line. */
	int (*open)(struct view *v, const char *arg);
	/* Draws into w (the area between tab bar and status line). */
	void (*draw)(struct view *v, WINDOW *w);
	/* req is what the key means (REQ_NONE when unbound); key is the raw
	 * key, for typing. */
	int (*key)(struct view *v, enum request req, int key);
	void (*close)(struct view *v);
	/* A `:` command with an argument (:load FILE, :export FILE); NULL or
	 * R_UNHANDLED lets the console treat it as the bare request. */
	int (*command)(struct view *v, enum request req, const char *arg);
};

/* Typed wide characters travel as key values with this bit set. */
#define UI_WCHAR 0x40000000
#define UI_IS_WCHAR(k) (((k) & UI_WCHAR) != 0)

extern const struct view_ops view_home_ops, view_cards_ops, view_card_ops, view_help_ops;
extern const struct view_ops view_adjust_ops, view_override_ops, view_approvals_ops;
extern const struct view_ops view_members_ops, view_simulate_ops, view_audit_ops;
extern const struct view_ops view_reports_ops, view_report_ops;

#endif
