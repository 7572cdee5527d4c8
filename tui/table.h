/* table.h - a list of rows with columns, a cursor and scrolling; every
 * list in the console is one of these. */
#ifndef ABA_TABLE_H
#define ABA_TABLE_H

#include <stddef.h>

#include "keys.h"
#include "ui.h"

struct column {
	const char *title;
	int width;		/* columns; the flex column takes what is left over */
	int right;		/* right-aligned (numbers) */
	int flex;
};

struct table {
	int nrows;
	int sel;		/* the cursor row */
	int top;		/* first row shown */
	int height;		/* rows shown at the last draw, for paging */
};

/* Text of a cell into buf; *attr may be set to a theme element + 1. */
typedef const char *(*table_cell_fn)(void *arg, int row, int col, char *buf, size_t size,
				     int *element);

/* Draws the header line at y and rows below it in height lines.  focused
 * shows the cursor in full colour. */
void table_draw(WINDOW *w, int y, int height, const struct column *cols, int ncols,
		struct table *t, table_cell_fn cell, void *arg, int focused);

/* Moves the cursor for the moving requests; 1 when req was one of them. */
int table_move(struct table *t, enum request req);

#endif
