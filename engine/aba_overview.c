/* aba_overview.c - the Home screen's figures. */
#include "aba_overview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "aba_time.h"

/* Superuser first: it is a member of every role. */
static const char SQL_ROLE[] =
	"SELECT session_user,"
	"  CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN 'superuser'"
	"       WHEN pg_has_role(session_user, 'aba_admin', 'MEMBER') THEN 'admin'"
	"       WHEN pg_has_role(session_user, 'aba_approver', 'MEMBER') THEN 'approver'"
	"       WHEN pg_has_role(session_user, 'aba_auditor', 'MEMBER') THEN 'auditor'"
	"       WHEN pg_has_role(session_user, 'aba_clerk', 'MEMBER') THEN 'clerk'"
	"       WHEN pg_has_role(session_user, 'aba_pos', 'MEMBER') THEN 'pos'"
	"       ELSE 'none' END";

static const char SQL_LIABILITY[] = "SELECT coalesce(sum(balance), 0) FROM aba.cards";

/* Day 0 is the oldest of the window; point_history_at_idx serves the range.
 * Earned counts earn entries, redeemed the points spent. */
static const char SQL_DAYS[] =
	"SELECT (($2::timestamptz AT TIME ZONE 'UTC')::date - (at AT TIME ZONE 'UTC')::date),"
	"       count(*),"
	"       coalesce(sum(delta) FILTER (WHERE kind = 'earn'), 0),"
	"       coalesce(-sum(delta) FILTER (WHERE kind = 'redeem'), 0)"
	"  FROM aba.point_history WHERE at >= $1::timestamptz AND at < $2::timestamptz + interval '1 day'"
	" GROUP BY 1";

int aba_overview_role(struct aba_db *db, char *user, int usize, char *role, int rsize,
		      struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_ROLE, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	snprintf(user, usize, "%s", PQgetvalue(res, 0, 0));
	snprintf(role, rsize, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

static int load_liability(struct aba_db *db, struct aba_overview *out, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_LIABILITY, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	out->liability = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int load_days(struct aba_db *db, int64_t now, struct aba_overview *out,
		     struct aba_err *err)
{
	int64_t today = now - now % 86400;
	char from[ABA_TIME_BUFSZ], to[ABA_TIME_BUFSZ];
	const char *params[] = { aba_time_format(today - (ABA_OVERVIEW_DAYS - 1) * 86400LL, from),
				 aba_time_format(today, to) };
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_DAYS, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		long ago = strtol(PQgetvalue(res, i, 0), NULL, 10);
		int d = ABA_OVERVIEW_DAYS - 1 - (int)ago;

		if (d < 0 || d >= ABA_OVERVIEW_DAYS)
			continue;
		out->earned[d] = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		out->redeemed[d] = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		if (ago == 0)
			out->postings_today = strtoll(PQgetvalue(res, i, 1), NULL, 10);
	}
	out->earned_today = out->earned[ABA_OVERVIEW_DAYS - 1];
	out->redeemed_today = out->redeemed[ABA_OVERVIEW_DAYS - 1];
	PQclear(res);
	return 0;
}

int aba_overview_load(struct aba_db *db, int64_t now, struct aba_overview *out,
		      struct aba_err *err)
{
	struct aba_overview o;

	memset(&o, 0, sizeof(o));
	if (now < 0)
		return aba_fail(err, ABA_INPUT, "time %lld is before 1970", (long long)now);
	if (aba_db_begin_snapshot(db, err))
		return -1;
	if (aba_overview_role(db, o.user, sizeof(o.user), o.role, sizeof(o.role), err) ||
	    load_liability(db, &o, err) || load_days(db, now, &o, err)) {
		aba_db_end_snapshot(db, NULL);
		return -1;
	}
	if (aba_db_end_snapshot(db, err))
		return -1;
	*out = o;
	return 0;
}
