/* form.h - a column of labelled inputs: text fields, pickers and a submit
 * button.  The request form, report parameters, the reject note and the
 * simulator's cart header are all forms. */
#ifndef ABA_FORM_H
#define ABA_FORM_H

#include "field.h"
#include "keys.h"
#include "ui.h"

enum form_kind { FORM_TEXT, FORM_PICK, FORM_BUTTON };

struct form_item {
	const char *label;
	enum form_kind kind;
	struct field f;			/* FORM_TEXT */
	const char *const *choices;	/* FORM_PICK: borrowed */
	int nchoices, choice;
	char hint[160];			/* shown after the input: help or what is wrong */
	int bad;			/* hint says what is wrong */
};

struct form {
	struct form_item *items;	/* borrowed */
	int n;
	int focus;
};

/* What form_key did. */
enum { FORM_NONE = 0, FORM_CHANGED, FORM_MOVED, FORM_SUBMIT };

/* One item a line from y: label in label_w columns, the input after it. */
void form_draw(WINDOW *w, int y, int x, int width, int label_w, const struct form *f,
	       int active);
/* Moves between items (Up/Down/Tab/Enter), edits the focused text, turns
 * pickers (PICK_PREV/PICK_NEXT); Enter on the button submits. */
int form_key(struct form *f, enum request req, int key);
/* Whether typed keys belong to the focused item. */
int form_typing(const struct form *f);
/* The focused item's cursor column (after its text), for the view's cx. */
int form_cursor_x(const struct form *f, int x, int label_w);
/* The picker's choice, "" when it has none. */
const char *form_choice(const struct form_item *it);
/* Sets a hint; bad marks it as an error. */
void form_hint(struct form_item *it, int bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keys forms bind: Left/Right turn pickers. */
#define FORM_KEYS { KEY_LEFT, REQ_PICK_PREV }, { KEY_RIGHT, REQ_PICK_NEXT }

#endif
