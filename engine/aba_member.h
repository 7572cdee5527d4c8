/* aba_member.h - membership levels, their paths, evaluation, overrides.
 *
 * A card's level over time is a history of periods (sql/020); an order
 * earns at the level valid at its order time.  Evaluation moves a card up
 * when its qualifying spend (net order amounts less refunds over a rolling
 * window) reaches a higher upgradable threshold, down when it is below the
 * current one and that level is downgradable, and leaves a card with an
 * active override alone.  Evaluating the same as-of twice changes nothing.
 */
#ifndef ABA_MEMBER_H
#define ABA_MEMBER_H

#include <stdint.h>

#include <jansson.h>

#include "aba_err.h"

struct aba_db;

#define ABA_LEVEL_CODE_MAX 32

/* A level and the path into it.  Money in hundredths, the multiplier in
 * basis points (1.5x = 15000). */
struct aba_level {
	char code[ABA_LEVEL_CODE_MAX + 8];
	char name[408];
	int sequence;
	int64_t multiplier;
	int has_path;		/* 0: reached only by override */
	int64_t threshold;
	int window_days;
	int upgradable;
	int downgradable;
};

/* Creates or changes a level (aba_admin; audited). */
int aba_member_level_set(struct aba_db *db, const struct aba_level *l, struct aba_err *err);

typedef void (*aba_level_fn)(void *arg, const struct aba_level *l);
/* Every level, lowest sequence first. */
int aba_member_levels(struct aba_db *db, aba_level_fn fn, void *arg, struct aba_err *err);

/* What `aba member show` shows.  Empty strings for what there is not. */
struct aba_member_info {
	char card[72];
	char at[40];
	char level[40];
	char level_name[408];
	char since[40];
	char change[20];	/* upgrade, downgrade, override, override_lapsed */
	int64_t multiplier;
	int has_spend;
	int64_t spend, threshold;
	int window_days;
	char next_level[40];
	char next_name[408];
	int64_t next_threshold, next_spend, next_distance;
	int next_window_days;
	char override_level[40];
	char override_until[40];
	char override_reason[504];
	json_t *json;		/* the whole document; aba_member_info_clear frees */
};

/* The card's membership at `at` (NULL: now). */
int aba_member_info(struct aba_db *db, const char *card, const char *at,
		    struct aba_member_info *out, struct aba_err *err);
void aba_member_info_clear(struct aba_member_info *m);

/* One card's outcome of an evaluation. */
struct aba_member_change {
	const char *card;
	const char *from;	/* "" for no level */
	const char *to;
	const char *outcome;	/* upgrade downgrade override override_lapsed pinned unchanged skipped */
	int64_t spend;
};
typedef void (*aba_member_change_fn)(void *arg, const struct aba_member_change *c);

struct aba_member_totals {
	int64_t cards, upgraded, downgraded, overridden, lapsed, pinned, unchanged, skipped;
};
typedef void (*aba_member_progress)(void *arg, const struct aba_member_totals *so_far);

/* Evaluates one card or (card NULL) every active card in batches, one
 * short transaction each, at as_of (NULL: now; never in the future).  fn
 * gets every change (and, for one card, the outcome even when unchanged). */
int aba_member_evaluate(struct aba_db *db, const char *as_of, const char *card,
			aba_member_change_fn fn, aba_member_progress progress, void *arg,
			struct aba_member_totals *out, struct aba_err *err);

/* Pins a card's level until `until` with a reason, directly: aba_admin only,
 * until the approval workflow takes overrides over. */
int aba_member_override(struct aba_db *db, const char *card, const char *level,
			const char *until, const char *reason, int64_t *override_id,
			struct aba_err *err);

/* The level valid for a card at `at` ("" when none) and its multiplier in
 * basis points: what an order at that time earns with. */
int aba_member_level_at(struct aba_db *db, const char *card, const char *at,
			char level[ABA_LEVEL_CODE_MAX + 8], int64_t *multiplier,
			struct aba_err *err);

#endif
