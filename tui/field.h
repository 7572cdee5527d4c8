/* field.h - a one-line text field: what is typed in search boxes, forms
 * and the command line. */
#ifndef ABA_FIELD_H
#define ABA_FIELD_H

#include "ui.h"

#define FIELD_MAX 256

struct field {
	char text[FIELD_MAX];	/* UTF-8 */
	int len;		/* bytes; the cursor is always at the end */
};

/* Edits by key: typed characters, Backspace, ^U (clear), ^W (word).
 * 1 when the text changed, 0 when the key is not an editing key. */
int field_key(struct field *f, int key);
void field_set(struct field *f, const char *s);
/* Draws the field in width columns; shows its end when it is longer. */
void field_draw(WINDOW *w, int y, int x, int width, const struct field *f, int attr);

#endif
