/* aba_override_list.h - membership overrides granted so far: which are
 * active and which have lapsed.  Pending ones are approval requests
 * (aba_approval_list with kind "override"). */
#ifndef ABA_OVERRIDE_LIST_H
#define ABA_OVERRIDE_LIST_H

#include <stdint.h>

#include "aba_err.h"

struct aba_db;

struct aba_override_row {
	int64_t id;
	char card[72];
	char level[40];
	char from[32], until[32];	/* ISO 8601 UTC */
	char reason[504];
	char actor[64];
	int64_t request_id;		/* 0 when set directly by an admin */
	int active;			/* in force now; 0: lapsed (or not yet begun) */
};

typedef void (*aba_override_fn)(void *arg, const struct aba_override_row *o);

/* Active overrides first (soonest to lapse first), then lapsed ones,
 * most recently lapsed first; at most limit in all. */
int aba_override_list(struct aba_db *db, int limit, aba_override_fn fn, void *arg,
		      struct aba_err *err);

#endif
