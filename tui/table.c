/* table.c - drawing and moving through a table. */
#include "table.h"

#include "theme.h"

static int flex_width(WINDOW *w, const struct column *cols, int ncols)
{
	int fixed = 0, flex = 0;

	for (int i = 0; i < ncols; i++) {
		fixed += cols[i].width + 1;
		flex += cols[i].flex;
	}
	/* Wider terminals give the extra room to the flex column. */
	return flex ? getmaxx(w) - fixed : 0;
}

static void scroll_to_cursor(struct table *t)
{
	if (t->sel >= t->nrows)
		t->sel = t->nrows - 1;
	if (t->sel < 0)
		t->sel = 0;
	if (t->height < 1)
		t->height = 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + t->height)
		t->top = t->sel - t->height + 1;
	if (t->top < 0)
		t->top = 0;
}

static void draw_row(WINDOW *w, int y, const struct column *cols, int ncols, int extra,
		     table_cell_fn cell, void *arg, int row, int base_attr)
{
	int x = 0, maxx = getmaxx(w);

	for (int c = 0; c < ncols && x < maxx; c++) {
		char buf[256];
		int el = 0;
		int width = cols[c].width + (cols[c].flex && extra > 0 ? extra : 0);
		const char *s = row < 0 ? cols[c].title : cell(arg, row, c, buf, sizeof(buf), &el);

		if (width > maxx - x)
			width = maxx - x;
		wattrset(w, el && !base_attr ? theme_attr((enum theme_element)(el - 1)) :
			 base_attr ? base_attr : theme_attr(T_NORMAL));
		if (cols[c].right)
			ui_put_right(w, y, x, width, s);
		else
			ui_put(w, y, x, width, 1, s);
		x += width;
		if (x < maxx)
			ui_put(w, y, x++, 1, 1, " ");
	}
	if (base_attr)
		mvwchgat(w, y, 0, -1, base_attr, PAIR_NUMBER(base_attr), NULL);
}

void table_draw(WINDOW *w, int y, int height, const struct column *cols, int ncols,
		struct table *t, table_cell_fn cell, void *arg, int focused)
{
	int extra = flex_width(w, cols, ncols);

	draw_row(w, y, cols, ncols, extra, cell, arg, -1, theme_attr(T_HEADER));
	t->height = height - 1;
	scroll_to_cursor(t);
	for (int i = 0; i < t->height && t->top + i < t->nrows; i++) {
		int row = t->top + i;
		int attr = row == t->sel ? (focused ? theme_attr(T_CURSOR) : (int)A_BOLD) : 0;

		draw_row(w, y + 1 + i, cols, ncols, extra, cell, arg, row, attr);
	}
	wattrset(w, theme_attr(T_NORMAL));
}

int table_move(struct table *t, enum request req)
{
	int page = t->height > 1 ? t->height - 1 : 1;

	switch (req) {
	case REQ_MOVE_UP: t->sel--; break;
	case REQ_MOVE_DOWN: t->sel++; break;
	case REQ_PAGE_UP: t->sel -= page; t->top -= page; break;
	case REQ_PAGE_DOWN: t->sel += page; t->top += page; break;
	case REQ_MOVE_FIRST: t->sel = 0; break;
	case REQ_MOVE_LAST: t->sel = t->nrows - 1; break;
	default: return 0;
	}
	if (t->top > t->nrows - t->height)
		t->top = t->nrows - t->height;
	scroll_to_cursor(t);
	return 1;
}
