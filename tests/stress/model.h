/* model.h - an independent model of the ledger for the history checker:
 * acknowledged operations replayed in commit order must leave every lot
 * and every balance exactly as the database has them.
 *
 * Times are microseconds since the epoch, so that lots the server dates
 * (adjustments, at approval time) order exactly as the server orders them.
 */
#ifndef ABA_STRESS_MODEL_H
#define ABA_STRESS_MODEL_H

#include <stdint.h>

#define MODEL_DAY_US (86400LL * 1000000LL)

struct model_lot {
	char key[48];		/* the key of the posting that created it */
	int64_t gained, expires;	/* expires 0 = never */
	int64_t initial, remaining;
	int expired;
};

struct model_card {
	struct model_lot *lots;
	int nlots, cap;
	int64_t balance;
};

/* One lot a redemption took points from (lot is an index into lots), and
 * how much of that a refund has given back since. */
struct model_use {
	int lot;
	int64_t amount, restored;
};

/* days 0: the lot never expires. */
void model_earn(struct model_card *c, const char *key, int64_t points, int64_t at, int days);
/* Spends points at `at` from lots gained by then, FEFO.
 * Returns 0, or -1 when the points were not available (the database must
 * then have refused it too).  uses (may be NULL) receives the lots taken
 * from, in the order they were taken; caller frees *uses. */
int model_redeem(struct model_card *c, int64_t points, int64_t at, struct model_use **uses,
		 int *nuses);
/* What is spendable at `at`. */
int64_t model_available(const struct model_card *c, int64_t at);
/* Takes up to points, the lot created by first_key first, then FEFO (a
 * refund reversing earned points); returns what it took. */
int64_t model_take(struct model_card *c, int64_t points, int64_t at, const char *first_key);
/* Gives points back at `at` to the lots a redemption used, last taken
 * first; a lot past its expiry by then expires them again at once.
 * Returns the points given back, and *reexpired those that expired again. */
int64_t model_restore(struct model_card *c, struct model_use *uses, int nuses, int64_t points,
		      int64_t at, int64_t *reexpired);
void model_expire(struct model_card *c, int64_t as_of);
const struct model_lot *model_find_lot(const struct model_card *c, const char *key);
void model_free(struct model_card *c);

#endif
