/* aba_card.h - customers and their cards: create, search, look at one.
 *
 * Reading is plain SELECTs (staff roles may read); creating goes through
 * aba.card_create like every other write.
 */
#ifndef ABA_CARD_H
#define ABA_CARD_H

#include <stdint.h>

#include "aba_err.h"

struct aba_db;

struct aba_card_new {
	const char *code;
	const char *name;
	const char *phone;	/* may be NULL */
	const char *email;	/* may be NULL */
};

int aba_card_create(struct aba_db *db, const struct aba_card_new *c, struct aba_err *err);

/* One row of a card list. */
struct aba_card_row {
	char code[72];
	char name[208];
	char phone[40];
	char level[40];
	int64_t balance;
	int active;
};

/* Cards whose code, name or phone contains search (NULL: all), ordered by
 * code, at most limit of them from offset.  fn is called for each row. */
typedef void (*aba_card_row_fn)(void *arg, const struct aba_card_row *row);
int aba_card_list(struct aba_db *db, const char *search, int limit, int offset,
		  aba_card_row_fn fn, void *arg, struct aba_err *err);

struct aba_lot {
	int64_t id;
	char gained_at[40];
	char expires_at[40];	/* "" when it never expires */
	int64_t initial;
	int64_t remaining;
	char state[12];
	char origin[104];
};

struct aba_history_entry {
	int64_t id;
	char kind[12];
	int64_t delta;
	int64_t balance_after;
	char origin[104];
	char key[204];
	char actor[64];
	char at[40];
};

/* A card as its screen shows it: lots in FEFO order (active first), the
 * newest history entries first. */
struct aba_card_view {
	struct aba_card_row card;
	char email[256];
	struct aba_lot *lots;
	int nlots;
	struct aba_history_entry *history;
	int nhistory;
};

/* Loads the card with at most max_lots lots and max_history entries. */
int aba_card_load(struct aba_db *db, const char *code, int max_lots, int max_history,
		  struct aba_card_view *out, struct aba_err *err);
void aba_card_view_clear(struct aba_card_view *v);

/* A page of history older than before_id (0: from the newest), newest
 * first: at most limit entries into out; *n says how many.  Keyset paging,
 * so a page deep in a long history costs what the first one does. */
int aba_card_history(struct aba_db *db, const char *code, int64_t before_id, int limit,
		     struct aba_history_entry *out, int *n, struct aba_err *err);

#endif
