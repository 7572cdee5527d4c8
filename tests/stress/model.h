/* model.h - an independent model of the ledger for the history checker:
 * acknowledged operations replayed in commit order must leave every lot
 * and every balance exactly as the database has them. */
#ifndef ABA_STRESS_MODEL_H
#define ABA_STRESS_MODEL_H

#include <stdint.h>

struct model_lot {
	char key[48];		/* the earn posting's key */
	int64_t gained, expires;	/* epoch seconds; expires 0 = never */
	int64_t initial, remaining;
	int expired;
};

struct model_card {
	struct model_lot *lots;
	int nlots, cap;
	int64_t balance;
};

void model_earn(struct model_card *c, const char *key, int64_t points, int64_t at, int days);
/* Returns 0, or -1 when the points were not available (the database must
 * then have refused it too). */
int model_redeem(struct model_card *c, int64_t points, int64_t at);
void model_expire(struct model_card *c, int64_t as_of);
const struct model_lot *model_find_lot(const struct model_card *c, const char *key);
void model_free(struct model_card *c);

#endif
