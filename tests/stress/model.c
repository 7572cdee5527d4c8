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
		if (!c->lots)
			abort();
	}
	l = &c->lots[c->nlots++];
	memset(l, 0, sizeof(*l));
	strncpy(l->key, key, sizeof(l->key) - 1);
	l->gained = at;
	l->expires = days ? at + (int64_t)days * MODEL_DAY_US : 0;
	l->initial = l->remaining = points;
	c->balance += points;
}

/* Gained by `at` (a back-dated posting cannot spend later points) and not
 * expired by then. */
static int spendable(const struct model_lot *l, int64_t at)
{
	return !l->expired && l->remaining > 0 && l->gained <= at &&
	       (l->expires == 0 || l->expires > at);
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

int64_t model_available(const struct model_card *c, int64_t at)
{
	int64_t avail = 0;

	for (int i = 0; i < c->nlots; i++)
		if (spendable(&c->lots[i], at))
			avail += c->lots[i].remaining;
	return avail;
}

/* The lot FEFO takes from next, preferring `first` while it has points. */
static int next_lot(const struct model_card *c, int64_t at, int first)
{
	int best = -1;

	if (first >= 0 && spendable(&c->lots[first], at))
		return first;
	for (int i = 0; i < c->nlots; i++)
		if (spendable(&c->lots[i], at) && (best < 0 || before(&c->lots[i], &c->lots[best])))
			best = i;
	return best;
}

static int64_t take(struct model_card *c, int64_t points, int64_t at, int first,
		    struct model_use **uses, int *nuses)
{
	int64_t taken = 0;
	int i;

	while (taken < points && (i = next_lot(c, at, first)) >= 0) {
		int64_t n = c->lots[i].remaining < points - taken ? c->lots[i].remaining
								  : points - taken;

		c->lots[i].remaining -= n;
		c->balance -= n;
		taken += n;
		if (uses) {
			*uses = realloc(*uses, (size_t)(*nuses + 1) * sizeof(**uses));
			if (!*uses)
				abort();
			(*uses)[(*nuses)++] = (struct model_use){ i, n, 0 };
		}
	}
	return taken;
}

int model_redeem(struct model_card *c, int64_t points, int64_t at, struct model_use **uses,
		 int *nuses)
{
	if (model_available(c, at) < points)
		return -1;
	take(c, points, at, -1, uses, nuses);
	return 0;
}

int64_t model_take(struct model_card *c, int64_t points, int64_t at, const char *first_key)
{
	int first = -1;

	for (int i = 0; first_key && i < c->nlots; i++)
		if (strcmp(c->lots[i].key, first_key) == 0)
			first = i;
	return take(c, points, at, first, NULL, NULL);
}

int64_t model_restore(struct model_card *c, struct model_use *uses, int nuses, int64_t points,
		      int64_t at, int64_t *reexpired)
{
	int64_t given = 0;

	*reexpired = 0;
	for (int k = nuses - 1; k >= 0 && given < points; k--) {
		struct model_use *u = &uses[k];
		struct model_lot *l = &c->lots[u->lot];
		int64_t give = u->amount - u->restored;

		if (give > points - given)
			give = points - given;
		if (give <= 0)
			continue;
		u->restored += give;
		given += give;
		if (l->expired || (l->expires && l->expires <= at)) {
			/* back in and straight out again; the lot is expired now
			 * unless points it still holds wait for the sweep */
			*reexpired += give;
			if (l->remaining == 0)
				l->expired = 1;
			continue;
		}
		l->remaining += give;
		c->balance += give;
	}
	return given;
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
