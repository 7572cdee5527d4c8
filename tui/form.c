/* form.c - drawing and moving through a form. */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>

#include "theme.h"

const char *form_choice(const struct form_item *it)
{
	return it->nchoices > 0 ? it->choices[it->choice] : "";
}

void form_hint(struct form_item *it, int bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->hint, sizeof(it->hint), fmt, ap);
	va_end(ap);
	it->bad = bad;
}

static void draw_input(WINDOW *w, int y, int x, int width, const struct form_item *it,
		       int focused)
{
	char buf[128];
	int attr = focused ? theme_attr(T_INPUT) : (int)A_UNDERLINE;

	if (it->kind == FORM_TEXT) {
		field_draw(w, y, x, width, &it->f, attr);
		return;
	}
	if (it->kind == FORM_PICK)
		snprintf(buf, sizeof(buf), "< %s >", it->nchoices ? form_choice(it) : "(none)");
	else
		snprintf(buf, sizeof(buf), "[ %s ]", it->label);
	wattrset(w, focused ? theme_attr(T_CURSOR) : (int)A_BOLD);
	ui_put(w, y, x, width, 0, buf);
}

void form_draw(WINDOW *w, int y, int x, int width, int label_w, const struct form *f,
	       int active)
{
	for (int i = 0; i < f->n; i++) {
		const struct form_item *it = &f->items[i];
		int focused = active && i == f->focus;
		int in_w = it->kind == FORM_TEXT ? 24 : 20, hint_x = x + label_w + in_w + 2;

		wattrset(w, theme_attr(focused ? T_HEADER : T_LABEL));
		if (it->kind != FORM_BUTTON)
			ui_put(w, y + i, x, label_w, 1, it->label);
		if (width - label_w < in_w)
			in_w = width - label_w;
		draw_input(w, y + i, x + label_w, in_w, it, focused);
		if (*it->hint && hint_x < x + width) {
			wattrset(w, theme_attr(it->bad ? T_NEGATIVE : T_MUTED));
			ui_put(w, y + i, hint_x, x + width - hint_x, 1, it->hint);
		}
	}
	wattrset(w, theme_attr(T_NORMAL));
}

int form_typing(const struct form *f)
{
	return f->n > 0 && f->items[f->focus].kind == FORM_TEXT;
}

int form_cursor_x(const struct form *f, int x, int label_w)
{
	int len = form_typing(f) ? ui_width(f->items[f->focus].f.text) : 0;

	return x + label_w + (len < 23 ? len : 23);
}

static int turn(struct form_item *it, int step)
{
	if (it->kind != FORM_PICK || it->nchoices == 0)
		return FORM_NONE;
	it->choice = (it->choice + step + it->nchoices) % it->nchoices;
	return FORM_CHANGED;
}

int form_key(struct form *f, enum request req, int key)
{
	struct form_item *it = &f->items[f->focus];

	if (it->kind == FORM_TEXT && req == REQ_NONE && field_key(&it->f, key))
		return FORM_CHANGED;
	switch (req) {
	case REQ_ENTER:
		if (it->kind == FORM_BUTTON)
			return FORM_SUBMIT;
		/* Enter elsewhere goes to the next item. */
		/* fall through */
	case REQ_MOVE_DOWN:
	case REQ_NEXT_PANE:
		if (f->focus + 1 >= f->n)
			return FORM_NONE;
		f->focus++;
		return FORM_MOVED;
	case REQ_MOVE_UP:
		if (f->focus == 0)
			return FORM_NONE;
		f->focus--;
		return FORM_MOVED;
	case REQ_PICK_PREV:
		return turn(it, -1);
	case REQ_PICK_NEXT:
		return turn(it, 1);
	default:
		return FORM_NONE;
	}
}
