/* keys.h - every request the console knows, in one list.
 *
 * The list generates the request enum, the names the `:` command line
 * accepts and completes, and the help screen (with the key tables of the
 * views).  X(NAME, command-line name, help text).  A request without a
 * command-line name ("") can only be reached by its key.
 */
#ifndef ABA_KEYS_H
#define ABA_KEYS_H

#define REQ_INFO(X) \
	X(NONE,          "",          "") \
	/* moving */ \
	X(MOVE_UP,       "",          "move up one line") \
	X(MOVE_DOWN,     "",          "move down one line") \
	X(PAGE_UP,       "",          "move up one page") \
	X(PAGE_DOWN,     "",          "move down one page") \
	X(MOVE_FIRST,    "",          "go to the first line") \
	X(MOVE_LAST,     "",          "go to the last line") \
	X(NEXT_PANE,     "",          "switch to the next pane") \
	X(ENTER,         "",          "open the selected line") \
	X(BACK,          "back",      "close this screen, back to the one before") \
	/* screens */ \
	X(VIEW_HOME,     "home",      "home: role, liability, today's postings") \
	X(VIEW_CARDS,    "cards",     "cards: search by code, name or phone") \
	X(VIEW_CARD,     "card",      "one card: balance, lots, history (:card CODE)") \
	X(VIEW_APPROVALS, "approvals", "approvals: the pending queue; approve or reject") \
	X(VIEW_MEMBERS,  "members",   "membership: levels, paths and overrides") \
	X(VIEW_SIMULATE, "simulate",  "discount simulator: a cart, its discounts and points") \
	X(VIEW_AUDIT,    "audit",     "audit log: filter, before/after, verify the chain") \
	X(VIEW_REPORTS,  "reports",   "reports: run one, see it, export it") \
	X(VIEW_HELP,     "help",      "this help, from the key tables") \
	/* actions */ \
	X(SEARCH,        "search",    "search as you type (/ in a list)") \
	X(PROMPT,        "",          "command line (:home, :card C0001, :quit ...)") \
	X(REFRESH,       "refresh",   "reload this screen from the database") \
	X(THEME,         "theme",     "next colour theme (:theme NAME)") \
	X(VERIFY,        "verify",    "verify: this card's ledger, or the audit chain") \
	X(ADJUST,        "adjust",    "request a points adjustment for this card") \
	X(OVERRIDE,      "override",  "request a membership level override") \
	X(APPROVE,       "approve",   "approve the selected request (note optional)") \
	X(REJECT,        "reject",    "reject the selected request (note required)") \
	X(CANCEL,        "cancel",    "withdraw your own pending request") \
	X(PICK_PREV,     "",          "previous choice in a picker field") \
	X(PICK_NEXT,     "",          "next choice in a picker field") \
	X(ADD_LINE,      "",          "add the line being typed to the cart") \
	X(DELETE,        "delete",    "delete the selected line") \
	X(LOAD,          "load",      "load a cart from a JSON file (:load FILE)") \
	X(SAVE,          "save",      "save the cart as JSON (:save FILE)") \
	X(PROGRAMS,      "programs",  "evaluate draft programs from a file (:programs FILE)") \
	X(EXPORT,        "export",    "export to a file: .csv or .json (:export FILE)") \
	X(QUIT,          "quit",      "leave the console")

enum request {
#define REQ_ENUM(NAME, cmd, help) REQ_##NAME,
	REQ_INFO(REQ_ENUM)
#undef REQ_ENUM
	REQ_COUNT
};

/* A key bound to a request; tables end with { 0, REQ_NONE }. */
struct keymap {
	int key;
	enum request req;
};

/* What the keys do everywhere (views' own tables are looked up first). */
extern const struct keymap keys_global[];

const char *request_name(enum request r);
const char *request_help(enum request r);
/* The request with this command-line name, or REQ_NONE. */
enum request request_find(const char *name);
/* The request a key means in table km (may be NULL), or REQ_NONE. */
enum request keymap_lookup(const struct keymap *km, int key);
/* "Enter", "PgDn", "^L", "a" ... for the help screen; buf holds 16 bytes. */
const char *key_label(int key, char *buf);

#endif
