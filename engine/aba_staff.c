/* aba_staff.c - the C side of sql/033_staff.sql. */
#include "aba_staff.h"

#include <stdio.h>
#include <string.h>

#include "aba_db.h"
#include "aba_text.h"

static const char SQL_ADD[] = "SELECT aba.staff_add($1, $2)";
static const char SQL_LIST[] = "SELECT name, roles, can_login FROM aba.staff_list()";
/* Roles are cluster-wide: a login another database created is kept. */
static const char SQL_DEMO[] =
	"SELECT count(aba.staff_add(n, r)) FROM (VALUES ('clerk1', 'clerk'), ('clerk2', 'clerk'),"
	" ('approver1', 'approver'), ('auditor1', 'auditor'), ('admin1', 'admin'),"
	" ('pos1', 'pos')) AS v(n, r)"
	" WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = n)";

int aba_staff_add(struct aba_db *db, const char *name, const char *role, struct aba_err *err)
{
	const char *params[2] = { name, role };
	PGresult *res = NULL;

	if (!name || !role)
		return aba_fail(err, ABA_INPUT, "a staff login needs a name and a role");
	if (aba_text_check(name, "staff name", 63, err) || aba_text_check(role, "role", 32, err))
		return -1;
	if (aba_db_call(db, SQL_ADD, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	PQclear(res);
	return 0;
}

int aba_staff_list(struct aba_db *db, aba_staff_fn fn, void *arg, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_LIST, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_staff s;

		snprintf(s.name, sizeof(s.name), "%s", PQgetvalue(res, i, 0));
		snprintf(s.roles, sizeof(s.roles), "%s", PQgetvalue(res, i, 1));
		s.can_login = strcmp(PQgetvalue(res, i, 2), "t") == 0;
		fn(arg, &s);
	}
	PQclear(res);
	return 0;
}

int aba_staff_demo(struct aba_db *db, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_DEMO, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	PQclear(res);
	return 0;
}
