/* view_help.c - `?`: every key of the screen below and of the console,
 * generated from the key tables and the request list in keys.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "table.h"
#include "theme.h"
#include "view.h"

struct help_row {
	char key[40];
	const char *name;
	const char *text;
	int heading;
};

struct help {
	struct help_row *rows;
	int n;
	struct table t;
};

static const struct keymap help_keys[] = {
	{ 0, REQ_NONE },
};

static const struct column cols[] = {
	{ "KEY", 20, 0, 0 },
	{ "COMMAND", 10, 0, 0 },
	{ "WHAT IT DOES", 20, 0, 1 },
};

/* One row per request: all the keys bound to it in km, joined. */
static void add_table(struct help *h, const char *heading, const struct keymap *km)
{
	struct help_row *r = &h->rows[h->n++];

	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", heading);
	r->heading = 1;
	for (int req = 1; req < REQ_COUNT; req++) {
		char keys[40] = "", label[16];

		for (const struct keymap *k = km; k->req != REQ_NONE; k++) {
			if ((int)k->req != req || strlen(keys) + 18 > sizeof(keys))
				continue;
			if (*keys)
				strcat(keys, " ");
			strcat(keys, key_label(k->key, label));
		}
		if (!*keys)
			continue;
		r = &h->rows[h->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->key, sizeof(r->key), "%s", keys);
		r->name = request_name((enum request)req);
		r->text = request_help((enum request)req);
	}
}

static int help_open(struct view *v, const char *arg)
{
	struct help *h = calloc(1, sizeof(*h));
	const struct view *below = console_below(v->con);
	char heading[64];

	(void)arg;
	if (!h)
		return -1;
	h->rows = calloc(2 * (REQ_COUNT + 1), sizeof(*h->rows));
	if (!h->rows) {
		free(h);
		return -1;
	}
	v->priv = h;
	if (below && below->ops->keys[0].req != REQ_NONE) {
		snprintf(heading, sizeof(heading), "%s screen", below->ops->name);
		add_table(h, heading, below->ops->keys);
	}
	add_table(h, "everywhere", keys_global);
	h->t.nrows = h->n;
	return 0;
}

static const char *cell(void *arg, int row, int col, char *buf, size_t size, int *el)
{
	const struct help_row *r = &((struct help *)arg)->rows[row];

	(void)buf;
	(void)size;
	if (r->heading)
		*el = T_HEADER + 1;
	if (col == 0)
		return r->key;
	if (col == 1)
		return r->heading ? "" : (*r->name ? r->name : "-");
	return r->heading ? "" : r->text;
}

static void help_draw(struct view *v, WINDOW *w)
{
	struct help *h = v->priv;

	table_draw(w, 0, getmaxy(w), cols, 3, &h->t, cell, h, 1);
}

static int help_key(struct view *v, enum request req, int key)
{
	struct help *h = v->priv;

	(void)key;
	if (req == REQ_VIEW_HELP)
		return R_BACK;
	return table_move(&h->t, req) ? R_REDRAW : R_UNHANDLED;
}

static void help_close(struct view *v)
{
	struct help *h = v->priv;

	free(h->rows);
	free(h);
	v->priv = NULL;
}

const struct view_ops view_help_ops = {
	"Help", help_keys, help_open, help_draw, help_key, help_close, NULL,
};
