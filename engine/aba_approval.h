/* aba_approval.h - maker-checker requests: adjustments and membership
 * overrides, their decisions, reason codes and thresholds.
 *
 * Every call is one SQL function (sql/032) in its own transaction: the
 * request or decision, the posting it causes and its audit row are written
 * together or not at all.  The database enforces who may call what and
 * that maker and checker differ; these functions add clear errors.
 */
#ifndef ABA_APPROVAL_H
#define ABA_APPROVAL_H

#include <stdint.h>

#include "aba_err.h"

struct aba_db;

/* A request as shown and returned.  Times are UTC ISO 8601, "" when unset. */
struct aba_approval {
	int64_t id;
	char kind[12];		/* adjust, override */
	char card[72];
	int64_t points;		/* adjust: signed hundredths */
	char level[40];		/* override */
	char valid_until[32];	/* override */
	char reason[40];
	char note[1024];
	char state[12];		/* pending approved rejected cancelled expired */
	char maker[64];
	char checker[64];
	int automatic;		/* approved below the auto-approve threshold */
	char created_at[32];
	char expires_at[32];
	char decided_at[32];
	char decision_note[1024];
	int64_t balance;	/* card balance after an approved adjustment; -1 otherwise */
};

int aba_adjust_request(struct aba_db *db, const char *card, int64_t points, const char *reason,
		       const char *note, struct aba_approval *out, struct aba_err *err);
/* until: ISO 8601 date or time. */
int aba_override_request(struct aba_db *db, const char *card, const char *level,
			 const char *until, const char *reason, const char *note,
			 struct aba_approval *out, struct aba_err *err);

int aba_approval_approve(struct aba_db *db, int64_t id, const char *note,
			 struct aba_approval *out, struct aba_err *err);
/* note is required. */
int aba_approval_reject(struct aba_db *db, int64_t id, const char *note,
			struct aba_approval *out, struct aba_err *err);
/* Only the maker may cancel. */
int aba_approval_cancel(struct aba_db *db, int64_t id, struct aba_approval *out,
			struct aba_err *err);
/* Marks every pending request past its expiry as expired. */
int aba_approval_expire(struct aba_db *db, int64_t *expired, struct aba_err *err);

struct aba_approval_filter {
	const char *state;	/* NULL: all */
	const char *kind;	/* NULL: both */
	const char *card;	/* NULL: all */
	long limit;		/* 0: no limit */
};
typedef void (*aba_approval_fn)(void *arg, const struct aba_approval *a);
/* Oldest first. */
int aba_approval_list(struct aba_db *db, const struct aba_approval_filter *f,
		      aba_approval_fn fn, void *arg, struct aba_err *err);

/* Reason codes (admin to change). */
struct aba_reason {
	char code[40];
	char label[208];
	char applies_to[12];	/* adjust, override, any */
	int active;
};
typedef void (*aba_reason_fn)(void *arg, const struct aba_reason *r);
int aba_reason_set(struct aba_db *db, const struct aba_reason *r, struct aba_err *err);
int aba_reason_list(struct aba_db *db, aba_reason_fn fn, void *arg, struct aba_err *err);

/* Thresholds (admin to change); has_value 0 means empty (no limit). */
struct aba_setting {
	char name[40];
	int has_value;
	int64_t value;
	char description[200];
};
typedef void (*aba_setting_fn)(void *arg, const struct aba_setting *s);
int aba_setting_set(struct aba_db *db, const struct aba_setting *s, struct aba_err *err);
int aba_setting_list(struct aba_db *db, aba_setting_fn fn, void *arg, struct aba_err *err);

#endif
