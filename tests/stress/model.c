/* model.c - FEFO written again, plainly, from DESIGN.md's words. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void model_earn(struct model_card *c, const char *key, int64_t points, int64_t at, int days)
{
	struct model_lot *l;

	if (c->nlots == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->lots = realloc(c->lots, (size_t)c->cap * sizeof(*c->lots));
	}
	l = &c->lots[c->nlots++];
	memset(l, 0, sizeof(*l));
	strncpy(l->key, key, sizeof(l->key) - 1);
	l->gained = at;
	l->expires = days ? at + (int64_t)days * 86400 : 0;
	l->initial = l->remaining = points;
	c->balance += points;
}

static int spendable(const struct model_lot *l, int64_t at)
{
	return !l->expired && l->remaining > 0 && (l->expires == 0 || l->expires > at);
}

/* FEFO: expiry ascending, never-expiring last, then gain date, then
 * creation order. */
static int before(const struct model_lot *a, const struct model_lot *b)
{
	if ((a->expires == 0) != (b->expires == 0))
		return b->expires == 0;
	if (a->expires != b->expires)
		return a->expires < b->expires;
	if (a->gained != b->gained)
		return a->gained < b->gained;
	return a < b;
}

int model_redeem(struct model_card *c, int64_t points, int64_t at)
{
	int64_t avail = 0;

	for (int i = 0; i < c->nlots; i++)
		if (spendable(&c->lots[i], at))
			avail += c->lots[i].remaining;
	if (avail < points)
		return -1;
	while (points > 0) {
		struct model_lot *first = NULL;
		int64_t take;

		for (int i = 0; i < c->nlots; i++)
			if (spendable(&c->lots[i], at) && (!first || before(&c->lots[i], first)))
				first = &c->lots[i];
		take = first->remaining < points ? first->remaining : points;
		first->remaining -= take;
		points -= take;
		c->balance -= take;
	}
	return 0;
}

void model_expire(struct model_card *c, int64_t as_of)
{
	for (int i = 0; i < c->nlots; i++) {
		struct model_lot *l = &c->lots[i];

		if (!l->expired && l->remaining > 0 && l->expires && l->expires <= as_of) {
			c->balance -= l->remaining;
			l->remaining = 0;
			l->expired = 1;
		}
	}
}

const struct model_lot *model_find_lot(const struct model_card *c, const char *key)
{
	for (int i = 0; i < c->nlots; i++)
		if (strcmp(c->lots[i].key, key) == 0)
			return &c->lots[i];
	return NULL;
}

void model_free(struct model_card *c)
{
	free(c->lots);
	memset(c, 0, sizeof(*c));
}
