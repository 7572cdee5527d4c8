/* aba_overview.h - what the console's Home screen shows: who is working,
 * what the ledger owes, what happened today and over the last 30 days.
 * Plain SELECTs in one snapshot; every staff role that reads cards may
 * call it. */
#ifndef ABA_OVERVIEW_H
#define ABA_OVERVIEW_H

#include <stdint.h>

#include "aba_err.h"

struct aba_db;

#define ABA_OVERVIEW_DAYS 30

struct aba_overview {
	char user[64];		/* session_user */
	char role[16];		/* superuser, admin, approver, auditor, clerk, pos or none */
	int64_t liability;	/* sum of all card balances, hundredths */
	int64_t postings_today;	/* history entries dated today (UTC) */
	int64_t earned_today;
	int64_t redeemed_today;
	/* Per UTC day, oldest first; the last is today. */
	int64_t earned[ABA_OVERVIEW_DAYS];
	int64_t redeemed[ABA_OVERVIEW_DAYS];
};

/* now: the "today" (epoch seconds, UTC). */
int aba_overview_load(struct aba_db *db, int64_t now, struct aba_overview *out,
		      struct aba_err *err);

/* The strongest group role of the session user (as aba_overview.role). */
int aba_overview_role(struct aba_db *db, char *user, int usize, char *role, int rsize,
		      struct aba_err *err);

#endif
