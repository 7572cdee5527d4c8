/* aba_staff.h - staff logins: PostgreSQL roles in one of the aba_* groups.
 *
 * A login's name is the actor of everything it does (session_user).  Admins
 * add logins through aba.staff_add, which is audited; `aba --user NAME`
 * (or PGUSER) then acts as that login.
 */
#ifndef ABA_STAFF_H
#define ABA_STAFF_H

#include "aba_err.h"

struct aba_db;

/* role: clerk, approver, auditor, admin or pos (with or without "aba_"). */
int aba_staff_add(struct aba_db *db, const char *name, const char *role, struct aba_err *err);

struct aba_staff {
	char name[64];
	char roles[160];	/* "aba_clerk", comma-separated when several */
	int can_login;
};
typedef void (*aba_staff_fn)(void *arg, const struct aba_staff *s);
int aba_staff_list(struct aba_db *db, aba_staff_fn fn, void *arg, struct aba_err *err);

/* The demo's logins (clerk1, clerk2, approver1, auditor1, admin1, pos1),
 * each added unless it exists.  Needs an admin (or the superuser). */
int aba_staff_demo(struct aba_db *db, struct aba_err *err);

#endif
